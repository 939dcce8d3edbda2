#include "db/registry_checks.hpp"
#include "db/registry_sums.hpp"
#include "db/sha256.hpp"

#include <gtest/gtest.h>

namespace breakwater::db {
namespace {

const std::string csv =
    "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration "
    "Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes\n"
    ",0,tcp,Reserved,,,,,[RFC6335],,,\n"
    "x11,6000-6063,tcp,X Window System,,,,,,,Known Unauthorized Use on port 6003,\n"
    ",7,,Unassigned,,,,,,,,\n"
    "airplay,,tcp,Protocol for streaming,,,,,,,,\"Defined TXT keys:\n  none\"\n"
    "https,443,tcp,http protocol over TLS/SSL,,,,,[RFC9110],,,\n";

database load(std::string_view text) {
  auto parsed = parse_iana_csv(text, "iana.csv");
  EXPECT_TRUE(parsed.has_value());
  return database(std::move(parsed->rows), {});
}

std::vector<std::string> messages(const common::diagnostics& ds) {
  std::vector<std::string> out;
  for (const common::diagnostic& d : ds) out.push_back(to_string(d));
  return out;
}

registry_files files(std::string_view text, std::optional<std::string_view> sums) {
  return {text, "data/iana/service-names-port-numbers.csv", sums, "data/iana/SHA256SUMS"};
}

TEST(registry_checks, sha256_matches_sha256sum) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(registry_checks, sums_file_is_read_the_way_sha256sum_writes_it) {
  std::string sha(64, 'a');
  EXPECT_EQ(registry_sums_text(sha), sha + "  service-names-port-numbers.csv\n");
  EXPECT_EQ(recorded_registry_sha256(registry_sums_text(sha)), sha);
  EXPECT_EQ(recorded_registry_sha256("x  other.csv\n" + std::string(64, 'B') +
                                     " *service-names-port-numbers.csv\n"),
            std::string(64, 'b'));
  EXPECT_EQ(recorded_registry_sha256("abc  service-names-port-numbers.csv\n"), std::nullopt);
  EXPECT_EQ(recorded_registry_sha256(""), std::nullopt);
}

TEST(registry_checks, the_recorded_file_with_every_row_passes) {
  database db = load(csv);
  std::string sums = registry_sums_text(sha256_hex(csv));
  EXPECT_TRUE(check_registry(db, files(csv, sums)).empty())
      << ::testing::PrintToString(messages(check_registry(db, files(csv, sums))));
}

TEST(registry_checks, a_changed_file_or_a_missing_record_fails) {
  database db = load(csv);
  std::string changed = csv + "\n";
  auto found = messages(check_registry(db, files(changed, registry_sums_text(sha256_hex(csv)))));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].starts_with("data/iana/service-names-port-numbers.csv: sha256 is "))
      << found[0];
  EXPECT_EQ(messages(check_registry(db, files(csv, std::nullopt))),
            (std::vector<std::string>{"data/iana/SHA256SUMS: missing: it records the sha256 of "
                                      "IANA's file; re-run 'breakwater db import-iana' to write "
                                      "it"}));
  EXPECT_EQ(messages(check_registry(db, files(csv, "nothing useful\n"))),
            (std::vector<std::string>{"data/iana/SHA256SUMS: has no 'SHA256  "
                                      "service-names-port-numbers.csv' line"}));
}

TEST(registry_checks, every_row_must_be_in_the_database_unchanged) {
  // A database that lost the x11 row and the service name without a port, and whose copy
  // of https's row says something else.
  auto parsed = parse_iana_csv(csv, "iana.csv");
  ASSERT_TRUE(parsed.has_value());
  std::vector<iana_row> rows;
  for (iana_row& r : parsed->rows) {
    if (r.service == "x11" || r.service == "airplay") continue;
    if (r.service == "https") r.description = "something else";
    rows.push_back(std::move(r));
  }
  database db(std::move(rows), {});
  auto found = messages(check_registry(db, files(csv, registry_sums_text(sha256_hex(csv)))));
  EXPECT_EQ(found, (std::vector<std::string>{
                       "data/iana/service-names-port-numbers.csv:3: row 'x11 6000-6063/tcp' is "
                       "not in the database (the loader skipped it)",
                       "data/iana/service-names-port-numbers.csv:5: row 'airplay no port/tcp' "
                       "is not in the database (the loader skipped it)",
                       "data/iana/service-names-port-numbers.csv:7: row 'https 443/tcp' was "
                       "loaded with different text"}));
}

TEST(registry_checks, rows_reach_every_port_they_cover) {
  database db = load(csv);
  for (unsigned p : {6000u, 6003u, 6063u}) {
    port_info info = db.lookup(static_cast<std::uint16_t>(p));
    ASSERT_EQ(info.registrations.size(), 1u) << p;
    EXPECT_EQ(info.registrations[0]->service, "x11");
    EXPECT_EQ(info.registrations[0]->unauthorized_use, "Known Unauthorized Use on port 6003");
  }
  EXPECT_TRUE(db.lookup(7).unassigned);
  ASSERT_EQ(db.rows_without_port().size(), 1u);
  EXPECT_EQ(db.rows()[db.rows_without_port()[0]].service, "airplay");
  EXPECT_EQ(db.rows()[db.rows_without_port()[0]].notes, "Defined TXT keys:\n  none");
}

}  // namespace
}  // namespace breakwater::db
