// Runs the built breakwater program and checks its output and exit statuses.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <boost/json/parse.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

struct run_result {
  int status = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string shell_quote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs `breakwater --data <shipped data> ARGS...`.
run_result run(std::vector<std::string> args, bool with_data = true) {
  // One directory per test process: ctest -j runs several of them at once.
  auto dir = std::filesystem::path(::testing::TempDir()) / fmt::format("bw-cli-{}", ::getpid());
  std::filesystem::create_directories(dir);
  std::string cmd = shell_quote(BREAKWATER_BINARY);
  if (with_data) cmd += " --data " + shell_quote(BREAKWATER_SOURCE_DATA_DIR);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += fmt::format(" >{} 2>{} </dev/null", (dir / "out").string(), (dir / "err").string());
  int raw = std::system(cmd.c_str());
  run_result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(dir / "out");
  r.err = slurp(dir / "err");
  return r;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(cli, port_443_json_has_registrations_entry_and_neighbours) {
  run_result r = run({"port", "443", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto v = boost::json::parse(r.out).as_object();
  EXPECT_EQ(v.at("port").as_int64(), 443);
  EXPECT_EQ(v.at("previous").as_int64(), 442);
  EXPECT_EQ(v.at("next").as_int64(), 444);
  std::vector<std::string> transports;
  for (const auto& reg : v.at("registrations").as_array()) {
    transports.emplace_back(reg.at("transport").as_string());
    EXPECT_EQ(reg.at("service").as_string(), "https");
  }
  EXPECT_EQ(transports, (std::vector<std::string>{"tcp", "udp", "sctp"}));
  EXPECT_EQ(v.at("registrations").at(0).at("description").as_string(),
            "http protocol over TLS/SSL");
  const auto& entry = v.at("entry").as_object();
  EXPECT_EQ(entry.at("title").as_string(), "HTTPS (HTTP over TLS)");
  EXPECT_FALSE(entry.at("body").as_array().empty());
  EXPECT_EQ(entry.at("related").at(0).at("port").as_int64(), 80);
}

TEST(cli, port_text_shows_registrations_entry_and_navigation) {
  run_result r = run({"port", "22"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Port 22 - SSH")) << r.out;
  EXPECT_TRUE(contains(r.out, "IANA registrations"));
  EXPECT_TRUE(contains(r.out, "The Secure Shell (SSH) Protocol"));
  EXPECT_TRUE(contains(r.out, "Related ports"));
  EXPECT_TRUE(contains(r.out, "previous: 21"));
  EXPECT_TRUE(contains(r.out, "next: 23"));
}

TEST(cli, port_zero_wraps_to_65535_and_unwritten_ports_say_so) {
  auto v = boost::json::parse(run({"port", "0", "--json"}).out).as_object();
  EXPECT_EQ(v.at("previous").as_int64(), 65535);
  run_result r = run({"port", "65535"});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(contains(r.out, "No breakwater entry for this port yet."));
  EXPECT_TRUE(contains(r.out, "next: 0"));
}

TEST(cli, bad_ports_exit_2_with_the_valid_range) {
  for (std::string bad : {"65536", "-1", "abc", "", "4o4"}) {
    run_result r = run({"port", bad});
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_TRUE(contains(r.err, "0 to 65535")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST(cli, search_ranks_the_exact_name_first) {
  run_result r = run({"search", "ssh", "--json", "--limit", "5"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto v = boost::json::parse(r.out).as_object();
  const auto& results = v.at("results").as_array();
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results.at(0).at("port").as_int64(), 22);
  EXPECT_EQ(results.at(0).at("matched").as_string(), "service name");
}

TEST(cli, search_finds_words_across_several_arguments) {
  run_result r = run({"search", "remote", "desktop"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, " 3389 ")) << r.out;
}

TEST(cli, empty_search_exits_2) {
  EXPECT_EQ(run({"search", " "}).status, 2);
  EXPECT_EQ(run({"search"}).status, 2);
  EXPECT_EQ(run({"search", "x", "--limit", "0"}).status, 2);
}

TEST(cli, db_check_passes_on_the_shipped_data) {
  run_result r = run({"db", "check"});
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(contains(r.out, ": 0 problem(s)")) << r.out;
}

TEST(cli, db_check_fails_and_names_file_and_line) {
  auto dir = std::filesystem::path(::testing::TempDir()) / "bad-data";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "ports");
  std::filesystem::copy(std::filesystem::path(BREAKWATER_SOURCE_DATA_DIR) / "iana", dir / "iana");
  std::ofstream(dir / "ports" / "22.toml") << "port = 22\ncolour = 1\n";
  run_result r = run({"--data", dir.string(), "db", "check"}, false);
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.out, "bad-data/ports/22.toml:2: unknown key 'colour'")) << r.out;
}

TEST(cli, missing_data_exits_1_and_says_what_to_do) {
  run_result r = run({"--data", "/nonexistent/breakwater", "port", "80"}, false);
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.err, "--data DIR")) << r.err;
}

TEST(cli, db_stats_counts_registrations_and_entries) {
  run_result r = run({"db", "stats", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto v = boost::json::parse(r.out).as_object();
  EXPECT_GT(v.at("registrations").at("tcp").to_number<std::uint64_t>(), 5000u);
  EXPECT_GT(v.at("registrations").at("sctp").to_number<std::uint64_t>(), 10u);
  EXPECT_GE(v.at("entries").to_number<std::uint64_t>(), 253u);
  EXPECT_GT(v.at("entry_words").to_number<std::uint64_t>(), 253u * 80u);
  EXPECT_TRUE(contains(run({"db", "stats"}).out, "our entries: "));
}

TEST(cli, import_iana_writes_good_rows_and_reports_bad_ones) {
  auto out = std::filesystem::path(::testing::TempDir()) / "import";
  std::filesystem::remove_all(out);
  run_result r =
      run({"db", "import-iana", std::string(BREAKWATER_TEST_FIXTURES) + "/iana_tricky.csv", "--out",
           out.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "imported 10 rows")) << r.out;
  EXPECT_TRUE(contains(r.out, "5 bad row(s) skipped")) << r.out;
  EXPECT_TRUE(contains(r.err, "iana_tricky.csv:11: port '70000'")) << r.err;
  std::string written = slurp(out / "service-names-port-numbers.csv");
  EXPECT_TRUE(contains(written, "x11,6000-6063,tcp,X Window System")) << written;
  EXPECT_FALSE(contains(written, "bad-port"));
}

TEST(cli, import_iana_refuses_a_file_that_is_not_iana_csv) {
  auto file = std::filesystem::path(::testing::TempDir()) / "not-iana.csv";
  std::ofstream(file) << "a,b\n1,2\n";
  run_result r = run({"db", "import-iana", file.string(), "--out", ::testing::TempDir()});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "header row does not match")) << r.err;
  EXPECT_EQ(run({"db", "import-iana", "/nonexistent.csv"}).status, 2);
}

TEST(cli, every_command_has_help) {
  for (auto args : std::vector<std::vector<std::string>>{{"--help"},
                                                         {"port", "--help"},
                                                         {"search", "--help"},
                                                         {"db", "--help"},
                                                         {"db", "check", "--help"},
                                                         {"db", "import-iana", "--help"},
                                                         {"db", "stats", "--help"}}) {
    run_result r = run(args);
    EXPECT_EQ(r.status, 0) << args.front();
    EXPECT_TRUE(contains(r.out, "Usage")) << r.out;
  }
  EXPECT_EQ(run({"frobnicate"}).status, 2);
  EXPECT_EQ(run({}).status, 2);
}

}  // namespace
