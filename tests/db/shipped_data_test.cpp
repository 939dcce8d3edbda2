// Checks the data shipped in data/: it loads cleanly, passes everything `db check` enforces,
// and covers the ports we promise.
#include "common/read_file.hpp"
#include "db/data_checks.hpp"
#include "db/database_loader.hpp"
#include "db/entry_checks.hpp"
#include "db/port_json.hpp"
#include "db/port_lists.hpp"
#include "db/range_checks.hpp"
#include "db/registry_checks.hpp"
#include "db/registry_sums.hpp"
#include "db/search_index.hpp"
#include "db/sha256.hpp"

#include <gtest/gtest.h>

namespace breakwater::db {
namespace {

class shipped_data : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = load_database(BREAKWATER_SOURCE_DATA_DIR);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    loaded_ = new loaded_database(std::move(*r));
  }
  static void TearDownTestSuite() { delete loaded_; }
  static const database& db() { return *loaded_->db; }
  static loaded_database* loaded_;
};
loaded_database* shipped_data::loaded_ = nullptr;

std::string joined(const common::diagnostics& ds) {
  std::string out;
  for (const auto& d : ds) out += to_string(d) + "\n";
  return out;
}

const std::filesystem::path data_dir = BREAKWATER_SOURCE_DATA_DIR;

TEST_F(shipped_data, loads_without_problems) {
  EXPECT_TRUE(loaded_->problems.empty()) << joined(loaded_->problems);
  EXPECT_EQ(db().rows().size(), 14474u);
}

TEST_F(shipped_data, passes_everything_db_check_enforces) {
  common::diagnostics problems = check_data(*loaded_, data_dir);
  EXPECT_TRUE(problems.empty()) << joined(problems);
}

// IANA's file byte for byte: its sha256 is the recorded one, and the one the import saw.
TEST_F(shipped_data, registry_is_the_recorded_copy_of_ianas_file) {
  auto csv = common::read_file(data_dir / registry_file);
  auto sums = common::read_file(data_dir / registry_sums_file);
  ASSERT_TRUE(csv.has_value() && sums.has_value()) << "data/iana/SHA256SUMS is needed";
  EXPECT_EQ(recorded_registry_sha256(*sums), sha256_hex(*csv));
  EXPECT_EQ(sha256_hex(*csv), "c3d809155abce10a4c575899ebda46e928b3b13d32486fae8c77e1fa670d82d2")
      << "a refreshed registry also updates this test and data/iana/README.md";
}

TEST_F(shipped_data, every_row_of_the_registry_is_in_the_database) {
  common::diagnostics problems = check_registry(db(), data_dir);
  EXPECT_TRUE(problems.empty()) << joined(problems);
  EXPECT_EQ(db().rows_without_port().size(), 1048u);
}

TEST_F(shipped_data, every_listed_port_is_written_excluded_or_pending) {
  ASSERT_TRUE(std::filesystem::is_directory(data_dir / port_lists_dir));
  common::diagnostics problems = check_port_lists(db(), data_dir);
  EXPECT_TRUE(problems.empty()) << joined(problems);
}

TEST_F(shipped_data, range_notes_are_valid_and_exclusive_ones_do_not_overlap) {
  common::diagnostics problems = check_ranges(db());
  EXPECT_TRUE(problems.empty()) << joined(problems);
  EXPECT_GE(db().ranges().size(), 14u);
  // RFC 6335's three ranges are exclusive and cover every port between them.
  for (unsigned p : {0u, 1023u, 1024u, 49151u, 49152u, 65535u}) {
    int exclusive = 0;
    for (const range_note* r : db().ranges_at(p)) exclusive += r->exclusive ? 1 : 0;
    EXPECT_EQ(exclusive, 1) << p;
  }
  EXPECT_GE(db().lookup(50123).ranges.size(), 2u) << "a dynamic port is explained by its ranges";
}

TEST_F(shipped_data, registrations_that_the_old_snapshot_lacked_are_there) {
  auto services = [](unsigned port) {
    std::vector<std::string> out;
    for (const iana_row* r : db().lookup(static_cast<std::uint16_t>(port)).registrations) {
      out.push_back(r->service + "/" + std::string(r->proto ? to_string(*r->proto) : "-"));
    }
    return out;
  };
  auto has = [&](unsigned port, std::string_view what) {
    auto s = services(port);
    return std::find(s.begin(), s.end(), what) != s.end();
  };
  EXPECT_TRUE(has(80, "www/tcp") && has(80, "www-http/tcp") && has(80, "http/tcp"));
  EXPECT_TRUE(has(465, "submissions/tcp"));
  EXPECT_TRUE(has(631, "ipps/tcp"));
  EXPECT_TRUE(has(1701, "l2tp/udp"));
  EXPECT_TRUE(has(3478, "turn/udp"));
  EXPECT_TRUE(has(9100, "pdl-datastream/tcp"));
  EXPECT_TRUE(has(6042, "x11/tcp")) << "a range row reaches every port it covers";
  EXPECT_FALSE(db().lookup(79).registrations.empty());
  EXPECT_FALSE(db().lookup(79).registrations[0]->unauthorized_use.empty());
}

TEST_F(shipped_data, entries_pass_every_cross_check) {
  // Covers: related ports exist, bodies have 80+ words, no sentence in two entries.
  common::diagnostics problems = check_entries(db());
  EXPECT_TRUE(problems.empty()) << joined(problems);
}

// The ports that the foundation and the "250 ports people ask about" issues promise.
TEST_F(shipped_data, every_promised_port_has_an_entry) {
  std::vector<unsigned> promised{
      0,     1,     7,     9,     13,    17,    19,    20,    21,    22,    23,    25,    26,
      37,    42,    43,    53,    67,    68,    69,    79,    80,    81,    82,    88,    100,
      102,   106,   110,   111,   113,   119,   123,   135,   136,   137,   138,   139,   143,
      144,   161,   162,   179,   199,   255,   389,   427,   443,   444,   445,   465,   500,
      502,   512,   513,   514,   515,   518,   520,   543,   544,   548,   554,   587,   593,
      623,   625,   626,   631,   636,   646,   808,   853,   873,   902,   989,   990,   993,
      995,   996,   997,   998,   999,   1000,  1002,  1024,  1025,  1026,  1027,  1028,  1029,
      1030,  1031,  1038,  1039,  1041,  1044,  1048,  1049,  1053,  1054,  1056,  1064,  1065,
      1066,  1069,  1071,  1080,  1110,  1194,  1433,  1434,  1521,  1645,  1646,  1701,  1720,
      1723,  1755,  1801,  1812,  1813,  1883,  1900,  2000,  2001,  2048,  2049,  2082,  2083,
      2103,  2105,  2107,  2121,  2181,  2222,  2375,  2376,  2377,  2601,  2717,  2869,  2967,
      3000,  3001,  3074,  3128,  3260,  3268,  3283,  3306,  3389,  3456,  3478,  3659,  3689,
      3690,  3702,  3703,  3986,  4001,  4444,  4500,  4786,  4899,  5000,  5001,  5009,  5050,
      5051,  5060,  5061,  5101,  5120,  5190,  5222,  5353,  5355,  5357,  5432,  5601,  5631,
      5666,  5672,  5683,  5800,  5900,  5901,  5938,  5984,  5985,  5986,  6000,  6001,  6004,
      6379,  6443,  6646,  6660,  6667,  6697,  6881,  7000,  7070,  7547,  8000,  8008,  8009,
      8010,  8031,  8080,  8081,  8086,  8087,  8443,  8888,  9000,  9001,  9042,  9090,  9092,
      9100,  9102,  9200,  9300,  9999,  10000, 10010, 10250, 11211, 11371, 15672, 17500, 19132,
      20000, 20031, 25565, 27015, 27017, 27960, 28017, 32400, 32768, 47808, 49152, 49153, 49154,
      49155, 49156, 49157, 50000, 51413, 51820};
  std::vector<unsigned> missing;
  for (unsigned p : promised) {
    if (db().find_entry(p) == nullptr) missing.push_back(p);
  }
  EXPECT_TRUE(missing.empty()) << ::testing::PrintToString(missing);
  EXPECT_EQ(promised.size(), 253u);
}

TEST_F(shipped_data, https_has_tcp_udp_and_sctp_registrations) {
  port_info info = db().lookup(443);
  std::vector<transport> seen;
  for (const iana_row* r : info.registrations) {
    EXPECT_EQ(r->service, "https");
    seen.push_back(*r->proto);
  }
  EXPECT_EQ(seen, (std::vector<transport>{transport::tcp, transport::udp, transport::sctp}));
  EXPECT_EQ(info.registrations[0]->description, "http protocol over TLS/SSL");
}

// What people type, and the port they mean first (found by a review: "port 80" once put 80
// thirtieth, "vnc" put 5900 fourteenth, "remote desktop" put Doceri first, "sql server" put
// Analysis Services' 2383 before 1433).
TEST_F(shipped_data, search_puts_the_port_people_mean_first) {
  search_index index(db());
  const std::vector<std::pair<const char*, unsigned>> wanted{
      {"port 80", 80},
      {"22/tcp", 22},
      {"tcp 443", 443},
      {"udp 53", 53},
      {"ssh 22", 22},
      {"ssh", 22},
      {"vnc", 5900},
      {"rdp", 3389},
      {"smb", 445},
      {"mysql", 3306},
      {"postgres", 5432},
      {"minecraft", 25565},
      {"kubernetes", 6443},
      {"remote desktop", 3389},
      {"plex", 32400},
      {"x11", 6000},
      {"microsoft", 135},
      {"sql server", 1433},
      {"microsoft sql server", 1433},
      {"telnet", 23},
      {"kerberos", 88},
      // Software whose name is also a keyword of a port that more entries point to.
      {"squid", 3128},
      {"rabbitmq", 5672},
      {"kafka", 9092},
      {"cassandra", 9042},
      {"influxdb", 8086},
      // A name IANA registered at another port, which we did not write about or whose entry
      // does not take the name up: the port our entry tags with it comes first.
      {"nomad", 4646},
      {"oracle", 1521},
      {"iscsi", 3260},
      {"winrm", 5985},
      {"cifs", 445},
      {"sftp", 22},
      // IANA's "exec" (rexec), which 512's entry takes up: 10250's tag (kubelet exec) stays
      // behind it.
      {"exec", 512},
      // Latin letters folded to ASCII, in the text and in the query.
      {"universitat", 1151},
      {"systèmes dassault", 25734},
      // Misspelt: searched as the nearest indexed word.
      {"postgress", 5432},
      {"telnett", 23},
      {"kerberous", 88},
      {"minecarft", 25565},
      // Incidents, by their id or their name.
      {"CVE-2014-0160", 443},
      {"MS08-067", 445},
      {"heartbleed", 443},
      {"eternalblue", 445}};
  for (auto [query, port] : wanted) {
    auto hits = index.search(query, 5);
    ASSERT_FALSE(hits.empty()) << query;
    EXPECT_EQ(hits.front().port, port) << query;
  }
  // Folded words are found as written, not respelled ("universitat" would be taken for
  // "university", a keyword of 1151, if the index had no such word).
  for (const char* query : {"universitat", "systèmes dassault"}) {
    std::vector<respelling> respelled;
    index.search(query, 5, &respelled);
    EXPECT_TRUE(respelled.empty()) << query;
  }
}

// The JSON holds every row as IANA publishes it: Unassigned rows with notes (28017's
// unauthorized use, 4501's de-registration, 44323's withdrawn UDP assignment), and empty
// fields as null (113's empty description).
TEST_F(shipped_data, port_json_holds_ianas_unassigned_notes_and_nulls) {
  auto notes_of = [](const boost::json::value& v) { return v.at("unassigned_notes").as_array(); };
  auto a = port_to_json(db(), db().lookup(28017));
  ASSERT_EQ(notes_of(a).size(), 1u);
  EXPECT_NE(std::string(notes_of(a)[0].at("unauthorized_use").as_string()).find("28017"),
            std::string::npos);
  auto b = port_to_json(db(), db().lookup(4501));
  ASSERT_EQ(notes_of(b).size(), 1u);
  EXPECT_EQ(notes_of(b)[0].at("notes"), "De-registered 08 June 2001");
  auto c = port_to_json(db(), db().lookup(44323));
  EXPECT_FALSE(c.at("registrations").as_array().empty());
  ASSERT_EQ(notes_of(c).size(), 1u);
  EXPECT_EQ(notes_of(c)[0].at("transport"), "udp");
  auto d = port_to_json(db(), db().lookup(113));
  bool empty_is_null = false;
  for (const auto& r : d.at("registrations").as_array()) {
    if (r.at("description").is_null()) empty_is_null = true;
    if (r.at("description").is_string()) {
      EXPECT_FALSE(r.at("description").as_string().empty());
    }
  }
  EXPECT_TRUE(empty_is_null);
  EXPECT_TRUE(notes_of(port_to_json(db(), db().lookup(443))).empty());
}

}  // namespace
}  // namespace breakwater::db
