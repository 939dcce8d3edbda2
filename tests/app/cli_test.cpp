// Runs the built breakwater program and checks its output and exit statuses.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
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

TEST(cli, search_says_which_word_it_searched_in_another_spelling) {
  run_result r = run({"search", "remote", "dekstop"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "'dekstop' matched nothing; searched for 'desktop' instead.\n"))
      << r.out;
  EXPECT_TRUE(contains(r.out, " 3389 ")) << r.out;
}

TEST(cli, an_unknown_command_is_named_with_the_commands_there_are) {
  run_result r = run({"bogus"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "error: bogus is not a command; the commands are port, search"))
      << r.err;
  EXPECT_EQ(run({}).status, 2) << "no command at all";
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
  EXPECT_EQ(v.at("iana_rows").to_number<std::uint64_t>(), 14474u);
  EXPECT_EQ(v.at("service_names_without_port").to_number<std::uint64_t>(), 1048u);
  EXPECT_GE(v.at("ranges").to_number<std::uint64_t>(), 14u);
  std::string text = run({"db", "stats"}).out;
  for (std::string_view part :
       {"IANA rows: ", "our entries: ", "our range notes: ", "service names without a port: "}) {
    EXPECT_TRUE(contains(text, part)) << part;
  }
}

TEST(cli, import_iana_reports_bad_rows_and_imports_nothing) {
  auto out = std::filesystem::path(::testing::TempDir()) / "import-bad";
  std::filesystem::remove_all(out);
  run_result r =
      run({"db", "import-iana", std::string(BREAKWATER_TEST_FIXTURES) + "/iana_tricky.csv", "--out",
           out.string()});
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_TRUE(contains(r.err, "iana_tricky.csv:11: port '70000'")) << r.err;
  EXPECT_TRUE(contains(r.err, "5 bad row(s); nothing was imported")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out / "service-names-port-numbers.csv"));
}

TEST(cli, import_iana_copies_the_file_unchanged_and_records_its_sha256) {
  auto out = std::filesystem::path(::testing::TempDir()) / "import-good";
  std::filesystem::remove_all(out);
  std::string source = std::string(BREAKWATER_TEST_FIXTURES) + "/iana_small.csv";
  run_result r = run({"db", "import-iana", source, "--out", out.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "9 rows (1 without a port)")) << r.out;
  EXPECT_EQ(slurp(out / "service-names-port-numbers.csv"), slurp(source)) << "byte for byte";
  std::string sums = slurp(out / "SHA256SUMS");
  EXPECT_EQ(sums.size(), 64u + 2u + 30u + 1u) << sums;
  EXPECT_TRUE(sums.ends_with("  service-names-port-numbers.csv\n")) << sums;
  EXPECT_TRUE(contains(r.out, sums.substr(0, 64))) << r.out;
}

TEST(cli, db_check_fails_when_the_registry_differs_from_its_recorded_sha256) {
  auto dir = std::filesystem::path(::testing::TempDir()) / "changed-registry";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::copy(std::filesystem::path(BREAKWATER_SOURCE_DATA_DIR) / "iana", dir / "iana");
  std::ofstream(dir / "iana" / "service-names-port-numbers.csv", std::ios::app) << "\n";
  run_result r = run({"--data", dir.string(), "db", "check"}, false);
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.out, "changed-registry/iana/service-names-port-numbers.csv: sha256 is "))
      << r.out;
}

TEST(cli, port_json_has_ranges_and_the_browser_note) {
  auto v = boost::json::parse(run({"port", "50123", "--json"}).out).as_object();
  EXPECT_FALSE(v.at("browsers_refuse").as_bool());
  std::vector<std::string> ids;
  for (const auto& r : v.at("ranges").as_array()) ids.emplace_back(r.at("id").as_string());
  EXPECT_NE(std::find(ids.begin(), ids.end(), "dynamic-ports"), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), "linux-ephemeral"), ids.end());
  auto x11 = boost::json::parse(run({"port", "6000", "--json"}).out).as_object();
  EXPECT_TRUE(x11.at("browsers_refuse").as_bool());
  EXPECT_EQ(x11.at("registrations").at(0).at("port_range"), (boost::json::array{6000, 6063}));
}

TEST(cli, search_lists_software_ranges_and_names_without_a_port) {
  auto plex = boost::json::parse(run({"search", "plex", "--json"}).out).as_object();
  ASSERT_FALSE(plex.at("results").as_array().empty());
  EXPECT_EQ(plex.at("results").at(0).at("port").as_int64(), 32400);
  auto steam = boost::json::parse(run({"search", "steam", "--json"}).out).as_object();
  bool range_found = false;
  for (const auto& hit : steam.at("results").as_array()) {
    range_found = range_found || (hit.at("kind") == "range" && hit.at("id") == "steam");
  }
  EXPECT_TRUE(range_found) << boost::json::serialize(steam);
  auto airplay = boost::json::parse(run({"search", "airplay", "--json"}).out).as_object();
  bool service_found = false;
  for (const auto& hit : airplay.at("results").as_array()) {
    service_found = service_found || (hit.at("kind") == "service" && hit.at("port").is_null());
  }
  EXPECT_TRUE(service_found) << boost::json::serialize(airplay);
}

TEST(cli, import_iana_refuses_a_file_that_is_not_iana_csv) {
  auto file = std::filesystem::path(::testing::TempDir()) / "not-iana.csv";
  std::ofstream(file) << "a,b\n1,2\n";
  run_result r = run({"db", "import-iana", file.string(), "--out", ::testing::TempDir()});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "header row does not match")) << r.err;
  EXPECT_EQ(run({"db", "import-iana", "/nonexistent.csv"}).status, 2);
}

// A fresh directory of this test process's own (ctest -j runs several at once).
std::filesystem::path fresh_dir(std::string_view name) {
  auto dir =
      std::filesystem::path(::testing::TempDir()) / fmt::format("bw-cli-{}-{}", name, ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Installed as the package lays it out (bin/breakwater beside share/breakwater/data), with
// neither --data nor $BREAKWATER_DATA: an import without --out would write into the package's
// data, which an upgrade replaces. It is refused, and nothing there changes.
TEST(cli, import_iana_without_out_never_writes_into_the_installed_data) {
  auto root = fresh_dir("installed");
  auto data = root / "share" / "breakwater" / "data";
  std::filesystem::create_directories(root / "bin");
  std::filesystem::create_directories(data);
  std::filesystem::copy(BREAKWATER_SOURCE_DATA_DIR, data, std::filesystem::copy_options::recursive);
  std::filesystem::copy_file(BREAKWATER_BINARY, root / "bin" / "breakwater");
  std::string before = slurp(data / "iana" / "service-names-port-numbers.csv");
  std::string source = std::string(BREAKWATER_TEST_FIXTURES) + "/iana_small.csv";
  std::string cmd =
      fmt::format("env -u BREAKWATER_DATA {} db import-iana {} >{} 2>{} </dev/null",
                  shell_quote((root / "bin" / "breakwater").string()), shell_quote(source),
                  shell_quote((root / "out").string()), shell_quote((root / "err").string()));
  int raw = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_EQ(WEXITSTATUS(raw), 2);
  std::string err = slurp(root / "err");
  EXPECT_TRUE(contains(err, "the package's own data")) << err;
  EXPECT_TRUE(contains(err, "--out DIR/iana")) << err;
  EXPECT_EQ(slurp(data / "iana" / "service-names-port-numbers.csv"), before);
  // Named on purpose, it is written.
  cmd = fmt::format("env BREAKWATER_DATA={} {} db import-iana {} >/dev/null 2>&1 </dev/null",
                    shell_quote(data.string()), shell_quote((root / "bin" / "breakwater").string()),
                    shell_quote(source));
  raw = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(raw), 0);
  EXPECT_EQ(slurp(data / "iana" / "service-names-port-numbers.csv"), slurp(source));
  std::filesystem::remove_all(root);
}

// A self-signed certificate for `key` (made here) in dir/NAME.crt and dir/NAME.key.
bool make_cert(const std::filesystem::path& dir, const std::string& name) {
  std::string cmd = fmt::format(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
      "-subj /CN=localhost -keyout {} -out {} >/dev/null 2>&1",
      shell_quote((dir / (name + ".key")).string()), shell_quote((dir / (name + ".crt")).string()));
  return std::system(cmd.c_str()) == 0;
}

// A listening TCP socket on 127.0.0.1 (any free port): returns the port, keeps `fd`.
int listen_on_loopback(int& fd) {
  fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  auto* sa =
      reinterpret_cast<sockaddr*>(&a);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
  if (::bind(fd, sa, len) != 0 || ::listen(fd, 1) != 0 || ::getsockname(fd, sa, &len) != 0) {
    return -1;
  }
  return ntohs(a.sin_port);
}

TEST(cli, check_config_accepts_a_good_file_and_binds_and_writes_nothing) {
  auto dir = fresh_dir("check-good");
  // The port is taken already: a check that tried to listen would fail.
  int fd = -1;
  int port = listen_on_loopback(fd);
  ASSERT_GT(port, 0);
  std::ofstream(dir / "serve.toml") << fmt::format(
      "http = ['127.0.0.1:{}']\nhttps = ['[::1]:{}']\nstate_dir = '{}'\n[scan]\nprober = "
      "'raw'\n",
      port, port, (dir / "state").string());
  run_result r = run({"serve", "--config", (dir / "serve.toml").string(), "--check-config"});
  ::close(fd);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "configuration OK\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "state")) << "the check made the state directory";
}

TEST(cli, check_config_names_file_and_line_of_a_bad_key) {
  auto dir = fresh_dir("check-bad");
  std::ofstream(dir / "serve.toml")
      << "http = ['127.0.0.1:8080']\n\n[limits]\nmax_conections = 5\n";
  run_result r = run({"serve", "--config", (dir / "serve.toml").string(), "--check-config"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "serve.toml:4")) << r.err;
  EXPECT_TRUE(contains(r.err, "max_conections")) << r.err;
  EXPECT_FALSE(contains(r.out, "configuration OK")) << r.out;

  std::ofstream(dir / "value.toml") << "threads = -3\n";
  r = run({"serve", "--config", (dir / "value.toml").string(), "--check-config"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "value.toml:1")) << r.err;

  r = run({"serve", "--config", (dir / "missing.toml").string(), "--check-config"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "cannot read config file")) << r.err;
}

TEST(cli, check_config_validates_flags_too) {
  run_result r = run({"serve", "--check-config", "--http", "127.0.0.1:99999"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "--http 127.0.0.1:99999")) << r.err;
  r = run({"serve", "--check-config", "--http", "off", "--https", "off"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "at least one address")) << r.err;
  r = run({"serve", "--check-config", "--cert", "/nonexistent.pem"});
  EXPECT_EQ(r.status, 2);
  // Said for a file's keys and for the flags alike: both names.
  EXPECT_TRUE(contains(r.err, "[tls] cert and key work together: give both (--cert, --key"))
      << r.err;
  r = run({"serve", "--check-config", "--http", "off", "--http", "127.0.0.1:8080"});
  EXPECT_EQ(r.status, 2) << "off beside an address would drop it silently";
  EXPECT_TRUE(contains(r.err, "must be the only entry")) << r.err;
}

// A site others reach, with no server_names, answers 421 to every request by its DNS name:
// --check-config (and the start) say so, a loopback-only one does not.
TEST(cli, a_public_listener_without_server_names_is_warned_of) {
  run_result r = run({"serve", "--check-config", "--http", "0.0.0.0:8080", "--https", "off"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "warning: server_names is empty")) << r.err;
  r = run({"serve", "--check-config", "--http", "0.0.0.0:8080", "--https", "off", "--server-name",
           "ports.example.org"});
  EXPECT_FALSE(contains(r.err, "server_names is empty")) << r.err;
  r = run({"serve", "--check-config", "--https", "off"});
  EXPECT_FALSE(contains(r.err, "server_names is empty")) << "loopback only: " << r.err;
}

TEST(cli, check_config_checks_that_certificate_and_key_are_readable_and_match) {
  auto dir = fresh_dir("check-tls");
  if (!make_cert(dir, "a") || !make_cert(dir, "b")) GTEST_SKIP() << "openssl is not installed";
  auto check = [&](const std::string& cert, const std::string& key) {
    return run({"serve", "--check-config", "--http", "off", "--https", "127.0.0.1:8443", "--cert",
                (dir / cert).string(), "--key", (dir / key).string()});
  };
  run_result r = check("a.crt", "a.key");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "configuration OK\n");

  r = check("a.crt", "b.key");
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "a.crt")) << r.err;
  EXPECT_TRUE(contains(r.err, "its own private key")) << r.err;

  r = check("missing.crt", "a.key");
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "missing.crt")) << r.err;

  std::ofstream(dir / "garbage.crt") << "not a certificate\n";
  r = check("garbage.crt", "a.key");
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "garbage.crt")) << r.err;
}

// A start refuses the certificates --check-config refuses, with the same status 2, which the
// unit does not restart on (RestartPreventExitStatus=2).
TEST(cli, serve_refuses_a_bad_certificate_at_start_with_status_2) {
  auto dir = fresh_dir("start-tls");
  if (!make_cert(dir, "a") || !make_cert(dir, "b")) GTEST_SKIP() << "openssl is not installed";
  std::ofstream(dir / "garbage.crt") << "not a certificate\n";
  for (const auto& [cert, key] : std::vector<std::pair<std::string, std::string>>{
           {"a.crt", "b.key"}, {"missing.crt", "a.key"}, {"garbage.crt", "a.key"}}) {
    // Never bound: the certificate is loaded first.
    run_result r = run({"serve", "--http", "off", "--https", "127.0.0.1:1", "--state-dir",
                        (dir / "state").string(), "--cert", (dir / cert).string(), "--key",
                        (dir / key).string()});
    EXPECT_EQ(r.status, 2) << cert << " " << key << ": " << r.err;
    EXPECT_TRUE(contains(r.err, cert)) << r.err;
  }
}

// Keys that are each valid but contradict one another: --print-config refuses them with the
// same message and status as a start would, and prints no configuration.
TEST(cli, print_config_refuses_what_serve_refuses) {
  auto dir = fresh_dir("print-contradiction");
  const std::pair<std::string_view, std::string_view> files[] = {
      {"[scan]\nreach_max_kept = 1\nreach_max_open = 10\n",
       "reach_max_kept (1) is less than reach_max_open (10)"},
      {"[scan]\nreach_expire_s = 600\nreach_keep_s = 60\n",
       "reach_keep_s (60) is shorter than reach_expire_s (600)"},
      {"ipv4_origin = 'https://v4.example.org'\n", "ipv4_origin and ipv6_origin work together"},
      {"ipv4_origin = 'https://a.example.org'\nipv6_origin = 'https://a.example.org'\n",
       "are the same URL"},
  };
  for (const auto& [text, message] : files) {
    std::ofstream(dir / "serve.toml")
        << "http = ['127.0.0.1:1']\nhttps = []\n"  // never bound: the check comes first
        << text;
    std::string file = (dir / "serve.toml").string();
    run_result printed = run({"serve", "--config", file, "--print-config"});
    run_result served = run({"serve", "--config", file});
    EXPECT_EQ(printed.status, 2) << text;
    EXPECT_EQ(printed.out, "") << text;
    EXPECT_TRUE(contains(printed.err, message)) << printed.err;
    EXPECT_EQ(served.status, printed.status) << text;
    EXPECT_EQ(served.err, printed.err) << text;
  }
  run_result r = run({"serve", "--print-config", "--http", "off", "--https", "off"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(r.err, "at least one address")) << r.err;
}

// A baseline of another port list or server: each would make ports tested on one side only
// look opened or closed. Refused before any scan (the server here is never asked).
// Options that cannot go together, or one that needs another, are refused rather than half
// applied (-4 -6 tested IPv4 alone; --notify-topic without --notify was dropped).
TEST(cli, selfcheck_refuses_options_that_contradict_or_lack_their_partner) {
  run_result both = run({"selfcheck", "--server", "http://127.0.0.1:1", "-4", "-6"});
  EXPECT_EQ(both.status, 2);
  EXPECT_TRUE(contains(both.err, "excludes")) << both.err;
  run_result topic = run({"selfcheck", "--server", "http://127.0.0.1:1", "--notify-topic", "x"});
  EXPECT_EQ(topic.status, 2);
  EXPECT_TRUE(contains(topic.err, "--notify")) << topic.err;
}

TEST(cli, selfcheck_refuses_a_baseline_of_other_ports_or_another_server) {
  auto file = std::filesystem::path(::testing::TempDir()) / fmt::format("bw-base-{}", ::getpid());
  const std::string baseline =
      R"({"server":"http://127.0.0.1:9","ports":"common","families":{"IPv4":{)"
      R"("address":"127.0.0.1","open":[22],"ping":false,"upnp":false}}})";
  std::ofstream(file) << baseline;
  for (auto [server, ports] : std::vector<std::pair<std::string, std::string>>{
           {"http://127.0.0.1:9", "22,8080"}, {"http://127.0.0.1:7", "common"}}) {
    run_result r =
        run({"selfcheck", "--server", server, "--ports", ports, "--baseline", file.string()});
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "taken against http://127.0.0.1:9 with --ports common")) << r.err;
    EXPECT_TRUE(contains(r.err, fmt::format("this run asks {} with --ports {}", server, ports)))
        << r.err;
    EXPECT_TRUE(contains(r.err, "--save-baseline")) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(slurp(file), baseline);
  std::filesystem::remove(file);
}

TEST(cli, every_command_has_help) {
  for (auto args : std::vector<std::vector<std::string>>{{"--help"},
                                                         {"port", "--help"},
                                                         {"search", "--help"},
                                                         {"db", "--help"},
                                                         {"db", "check", "--help"},
                                                         {"db", "import-iana", "--help"},
                                                         {"db", "stats", "--help"},
                                                         {"serve", "--help"}}) {
    run_result r = run(args);
    EXPECT_EQ(r.status, 0) << args.front();
    EXPECT_TRUE(contains(r.out, "Usage")) << r.out;
  }
  EXPECT_EQ(run({"frobnicate"}).status, 2);
  EXPECT_EQ(run({}).status, 2);
}

}  // namespace
