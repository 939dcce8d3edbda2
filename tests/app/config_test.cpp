#include "app/config.hpp"
#include "app/config_keys.hpp"
#include "common/cidr.hpp"
#include "http/error.hpp"

#include <gtest/gtest.h>

#include <set>

namespace breakwater::app {
namespace {

using http::client_header;
using http::limits;
using http::log_level;
using http::parse_listen_address;
using http::parse_listen_list;

TEST(listen_address, parses_v4_v6_and_rejects_names) {
  auto a = parse_listen_address("127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  auto b = parse_listen_address("[::1]:8443");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(to_string(*b), "[::1]:8443");
  EXPECT_FALSE(parse_listen_address("localhost:80"));
  EXPECT_FALSE(parse_listen_address("127.0.0.1"));
  EXPECT_FALSE(parse_listen_address("127.0.0.1:70000"));
  EXPECT_FALSE(parse_listen_address("::1:80"));
  EXPECT_FALSE(parse_listen_address("[::1]8080"));
}

TEST(listen_address, off_disables_the_list) {
  auto none = parse_listen_list({"off"});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto two = parse_listen_list({"127.0.0.1:1", "[::1]:2"});
  ASSERT_TRUE(two);
  EXPECT_EQ(two->size(), 2U);
  // Beside addresses, "off" would silently drop them all: an error that says so.
  auto mixed = parse_listen_list({"0.0.0.0:80", "off"});
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error(), http::errc::off_with_addresses);
  EXPECT_NE(mixed.error().message().find("must be the only entry"), std::string::npos);
}

TEST(config, defaults_are_loopback_8080_and_8443) {
  server_config cfg = default_config();
  ASSERT_EQ(cfg.http.size(), 1U);
  EXPECT_EQ(to_string(cfg.http[0]), "127.0.0.1:8080");
  ASSERT_EQ(cfg.https.size(), 1U);
  EXPECT_EQ(to_string(cfg.https[0]), "127.0.0.1:8443");
  EXPECT_FALSE(cfg.state_dir.empty());
}

TEST(config, file_values_override_defaults) {
  server_config cfg = default_config();
  common::diagnostics problems;
  apply_config_toml(R"(
http = ["[::1]:9080", "127.0.0.1:9081"]
https = []
state_dir = "/tmp/x"
threads = 3
log_level = "debug"
[tls]
cert = "/c.pem"
key = "/k.pem"
[limits]
max_header_bytes = 4096
idle_timeout_ms = 1500
)",
                    "serve.toml", cfg, problems);
  EXPECT_TRUE(problems.empty()) << common::to_string(problems.front());
  ASSERT_EQ(cfg.http.size(), 2U);
  EXPECT_EQ(cfg.http[0].host, "::1");
  EXPECT_TRUE(cfg.https.empty());
  EXPECT_EQ(cfg.state_dir, "/tmp/x");
  EXPECT_EQ(cfg.threads, 3U);
  EXPECT_EQ(cfg.log, log_level::debug);
  EXPECT_EQ(cfg.cert_file, "/c.pem");
  EXPECT_EQ(cfg.limits.max_header_bytes, 4096U);
  EXPECT_EQ(cfg.limits.idle_timeout.count(), 1500);
  EXPECT_EQ(cfg.limits.max_connections, limits{}.max_connections);
}

TEST(config, unknown_keys_and_bad_values_name_file_and_line) {
  server_config cfg = default_config();
  common::diagnostics problems;
  apply_config_toml("threads = 2\nlisten = 1\n[limits]\nmax_header_bytes = 10\nspeed = 3\n",
                    "serve.toml", cfg, problems);
  ASSERT_EQ(problems.size(), 3U);
  EXPECT_EQ(common::to_string(problems[0]).substr(0, 13), "serve.toml:2:");
  EXPECT_NE(problems[0].message.find("unknown key 'listen'"), std::string::npos);
  EXPECT_EQ(problems[1].line, 5U);  // unknown keys are reported first in a table
  EXPECT_EQ(problems[2].line, 4U);
  EXPECT_NE(problems[2].message.find("1024"), std::string::npos);
  EXPECT_EQ(cfg.threads, 2U);
}

TEST(config, defer_accept_is_on_by_default_and_must_be_a_boolean) {
  server_config cfg = default_config();
  EXPECT_TRUE(cfg.limits.defer_accept);
  common::diagnostics problems;
  apply_config_toml("[limits]\ndefer_accept = false\n", "serve.toml", cfg, problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_FALSE(cfg.limits.defer_accept);
  apply_config_toml("[limits]\ndefer_accept = \"yes\"\n", "serve.toml", cfg, problems);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems[0].message.find("true or false"), std::string::npos);
}

TEST(config, syntax_errors_and_bad_addresses_are_reported) {
  server_config cfg = default_config();
  common::diagnostics problems;
  apply_config_toml("http = [\"nowhere\"]\n", "a.toml", cfg, problems);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(problems[0].line, 1U);
  problems.clear();
  apply_config_toml("threads = = 2\n", "b.toml", cfg, problems);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(problems[0].file, "b.toml");
}

TEST(config, printed_config_loads_back_unchanged) {
  server_config cfg = default_config();
  cfg.http = {{"::1", 9000}, {"127.0.0.1", 9001}};
  cfg.https = {};
  cfg.state_dir = "/var/lib/breakwater \"quoted\"";
  cfg.cert_file = "/etc/c.pem";
  cfg.key_file = "/etc/k.pem";
  cfg.threads = 4;
  cfg.log = log_level::warn;
  cfg.limits.header_timeout = std::chrono::milliseconds(2500);
  cfg.limits.max_connections = 77;
  cfg.limits.defer_accept = false;
  std::string text = to_toml(cfg);
  server_config back = default_config();
  common::diagnostics problems;
  apply_config_toml(text, "printed.toml", back, problems);
  EXPECT_TRUE(problems.empty()) << text;
  EXPECT_EQ(back.http, cfg.http);
  EXPECT_EQ(back.https, cfg.https);
  EXPECT_EQ(back.state_dir, cfg.state_dir);
  EXPECT_EQ(back.cert_file, cfg.cert_file);
  EXPECT_EQ(back.key_file, cfg.key_file);
  EXPECT_EQ(back.threads, 4U);
  EXPECT_EQ(back.log, log_level::warn);
  EXPECT_EQ(back.limits.header_timeout, cfg.limits.header_timeout);
  EXPECT_EQ(back.limits.max_connections, 77U);
  EXPECT_FALSE(back.limits.defer_accept);
  EXPECT_EQ(to_toml(back), text);
}

}  // namespace
}  // namespace breakwater::app

namespace breakwater::app {
namespace {

using http::client_header;
using http::limits;
using http::log_level;
using http::parse_listen_address;
using http::parse_listen_list;

TEST(config, scan_section_round_trips_and_checks_values) {
  server_config cfg = default_config();
  EXPECT_TRUE(scan_allows_loopback(cfg));  // the embedded default listens on loopback only
  common::diagnostics problems;
  apply_config_toml(R"(
trusted_proxies = ["198.18.0.3", "2001:2::/48"]
client_address_header = "forwarded"
server_names = ["Ports.Example.org."]
log_client_addresses = false
[scan]
keep_results_s = 600
idle_cancel_s = 5
max_running = 7
probes_per_hour = 1000
scan_rate = 500
allow_loopback = false
)",
                    "s.toml", cfg, problems);
  ASSERT_TRUE(problems.empty()) << common::to_string(problems.front());
  EXPECT_EQ(cfg.scan.keep_results, std::chrono::seconds(600));
  EXPECT_EQ(cfg.scan.max_running, 7U);
  EXPECT_FALSE(scan_allows_loopback(cfg));
  EXPECT_TRUE(cfg.trust.trusted_proxies.contains("2001:2::99"));
  EXPECT_FALSE(cfg.trust.trusted_proxies.contains("198.18.0.4"));
  EXPECT_EQ(cfg.trust.header, client_header::forwarded);
  EXPECT_EQ(cfg.server_names, std::vector<std::string>{"ports.example.org"});
  EXPECT_FALSE(cfg.log_client_addresses);
  std::string text = to_toml(cfg);
  server_config back = default_config();
  apply_config_toml(text, "printed.toml", back, problems);
  EXPECT_TRUE(problems.empty()) << text;
  EXPECT_EQ(to_toml(back), text);
  EXPECT_EQ(back.trust.trusted_proxies, cfg.trust.trusted_proxies);
  EXPECT_EQ(back.server_names, cfg.server_names);
  EXPECT_EQ(back.scan.allow_loopback, std::optional<bool>(false));

  server_config wide = default_config();
  wide.http = {{"0.0.0.0", 80}};
  EXPECT_FALSE(scan_allows_loopback(wide));  // "auto" on a public listener: off
  // "auto" with a trusted proxy: off even on loopback, since every proxied client would
  // look like the proxy's loopback address.
  server_config proxied = default_config();
  proxied.trust.trusted_proxies.add(*common::parse_cidr("127.0.0.1"));
  EXPECT_FALSE(scan_allows_loopback(proxied));
  EXPECT_TRUE(scan_allows_loopback(default_config()));
  apply_config_toml(
      "trusted_proxies = [\"10.0.0.0/40\"]\nclient_address_header = \"x-client\"\n"
      "server_names = [\"http://a.example/\"]\n"
      "[scan]\ntrusted_proxies = [\"10.0.0.0/8\"]\nallow_loopback = \"yes\"\n"
      "max_running = 0\ncolour = 1\n",
      "bad.toml", wide, problems);
  ASSERT_EQ(problems.size(), 7U);
}

// Every address in a trusted block may name any client: a block as wide as the internet would
// let anyone aim the probes anywhere, and bits past the prefix say the block is not what was
// meant. Both are configuration errors that say what to write instead.
TEST(config, trusted_proxies_too_wide_or_with_host_bits_are_refused) {
  for (const char* wide :
       {"0.0.0.0/0", "128.0.0.0/1", "10.0.0.0/7", "::/0", "2000::/3", "2001:db8::/31"}) {
    auto r = http::parse_trusted_proxies({"198.18.0.3", wide});
    ASSERT_FALSE(r) << wide;
    EXPECT_NE(r.error().find("too wide to trust"), std::string::npos) << r.error();
  }
  auto bits = http::parse_trusted_proxies({"10.0.0.5/8"});
  ASSERT_FALSE(bits);
  EXPECT_NE(bits.error().find("write 10.0.0.5 for that one address, or 10.0.0.0/8 for the block"),
            std::string::npos)
      << bits.error();
  for (const char* fine : {"10.0.0.0/8", "2001:db8::/32", "198.18.0.3", "::1", "127.0.0.1/32"}) {
    EXPECT_TRUE(http::parse_trusted_proxies({fine})) << fine;
  }
  server_config cfg = default_config();
  common::diagnostics problems;
  apply_config_toml("trusted_proxies = [\"0.0.0.0/0\"]\n", "serve.toml", cfg, problems);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_TRUE(cfg.trust.trusted_proxies.items().empty()) << "the bad value changed nothing";
}

TEST(config, metrics_from_is_a_list_of_blocks_that_round_trips) {
  server_config cfg = default_config();
  EXPECT_TRUE(cfg.metrics_from.empty()) << "unset: anyone may read /metrics";
  common::diagnostics problems;
  apply_config_toml("metrics_from = [\"127.0.0.1\", \"10.0.0.0/8\", \"2001:db8::/32\"]\n",
                    "serve.toml", cfg, problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(cfg.metrics_from.items().size(), 3U);
  EXPECT_TRUE(cfg.metrics_from.contains("10.1.2.3"));
  EXPECT_FALSE(cfg.metrics_from.contains("11.0.0.1"));
  EXPECT_NE(to_toml(cfg).find("metrics_from = [ '127.0.0.1/32', '10.0.0.0/8', '2001:db8::/32' ]"),
            std::string::npos)
      << to_toml(cfg);
  apply_config_toml("metrics_from = [\"10.0.0.5/8\"]\n", "serve.toml", cfg, problems);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems[0].message.find("write 10.0.0.5 for that one address"), std::string::npos)
      << problems[0].message;
  EXPECT_EQ(cfg.metrics_from.items().size(), 3U) << "the bad value changed nothing";
}

TEST(config, log_format_is_text_or_json) {
  server_config cfg = default_config();
  EXPECT_EQ(cfg.log_format, http::log_format::text);
  common::diagnostics problems;
  apply_config_toml("log_format = \"json\"\n", "serve.toml", cfg, problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(cfg.log_format, http::log_format::json);
  EXPECT_NE(to_toml(cfg).find("log_format = 'json'"), std::string::npos) << to_toml(cfg);
  apply_config_toml("log_format = \"JSON lines\"\n", "serve.toml", cfg, problems);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(common::to_string(problems[0]).substr(0, 13), "serve.toml:1:");
  EXPECT_NE(problems[0].message.find("must be text or json"), std::string::npos);
  EXPECT_EQ(cfg.log_format, http::log_format::json);  // the bad value changed nothing
}

TEST(config_keys, one_validator_for_file_and_flags) {
  server_config cfg = default_config();
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const config_key& k : config_keys()) {
    EXPECT_TRUE(seen.emplace(k.table, k.name).second) << k.name;  // each key once
    // The embedded defaults pass their own validation.
    server_config copy = cfg;
    EXPECT_EQ(k.set(copy, k.get(cfg)), std::nullopt) << k.name;
    if (k.type != value_type::integer) continue;
    EXPECT_NE(k.set(copy, config_value(k.lo - 1)), std::nullopt) << k.name;
    EXPECT_NE(k.set(copy, config_value(k.hi + 1)), std::nullopt) << k.name;
    if (k.flag.empty()) continue;
    // A flag's text reaches the same check as the file's value.
    std::string wrong;
    auto v = value_from_flag(k, {std::to_string(k.hi + 1)}, wrong);
    ASSERT_TRUE(v) << k.flag;
    EXPECT_EQ(k.set(copy, *v), k.set(copy, config_value(k.hi + 1))) << k.flag;
    EXPECT_FALSE(value_from_flag(k, {"12x"}, wrong));
  }
  // Every table key the file reads is printed by --print-config, and read back.
  common::diagnostics problems;
  server_config back = default_config();
  apply_config_toml(to_toml(cfg), "printed.toml", back, problems);
  EXPECT_TRUE(problems.empty());
  for (const config_key& k : config_keys()) EXPECT_EQ(k.get(back), k.get(cfg)) << k.name;
}

}  // namespace
}  // namespace breakwater::app

namespace breakwater::app {
namespace {

TEST(config, sibling_origins_are_checked_urls_stored_as_origins) {
  server_config cfg = default_config();
  EXPECT_TRUE(cfg.ipv4_origin.empty());
  common::diagnostics problems;
  apply_config_toml(
      "ipv4_origin = \"HTTPS://V4.Ports.Example.org/\"\n"
      "ipv6_origin = \"https://v6.ports.example.org:8443\"\n",
      "serve.toml", cfg, problems);
  EXPECT_TRUE(problems.empty()) << common::to_string(problems.front());
  EXPECT_EQ(cfg.ipv4_origin, "https://v4.ports.example.org");
  EXPECT_EQ(cfg.ipv6_origin, "https://v6.ports.example.org:8443");
  EXPECT_NE(to_toml(cfg).find("ipv4_origin = 'https://v4.ports.example.org'"), std::string::npos);
  apply_config_toml("ipv6_origin = \"https://v6.ports.example.org/scan\"\n", "serve.toml", cfg,
                    problems);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems[0].message.find("has a path or query"), std::string::npos);
  EXPECT_EQ(cfg.ipv6_origin, "https://v6.ports.example.org:8443");  // unchanged
}

}  // namespace
}  // namespace breakwater::app

namespace breakwater::app {
namespace {

TEST(config, reach_test_limits_are_scan_keys) {
  server_config cfg = default_config();
  EXPECT_EQ(cfg.scan.reach.open_for, std::chrono::seconds(180));  // scan::reach_limits' defaults
  EXPECT_EQ(cfg.scan.reach.max_open_per_holder, 3U);
  common::diagnostics problems;
  apply_config_toml(R"([scan]
reach_expire_s = 60
reach_keep_s = 300
reach_max_open_per_holder = 1
reach_max_open = 50
reach_max_kept = 200
)",
                    "r.toml", cfg, problems);
  ASSERT_TRUE(problems.empty()) << common::to_string(problems.front());
  EXPECT_EQ(cfg.scan.reach.open_for, std::chrono::seconds(60));
  EXPECT_EQ(cfg.scan.reach.kept_for, std::chrono::seconds(300));
  EXPECT_EQ(cfg.scan.reach.max_open_per_holder, 1U);
  EXPECT_EQ(cfg.scan.reach.max_open, 50U);
  EXPECT_EQ(cfg.scan.reach.max_kept, 200U);
  EXPECT_EQ(check_reach_limits(cfg), std::nullopt);
  std::string text = to_toml(cfg);
  EXPECT_NE(text.find("reach_expire_s = 60\n"), std::string::npos) << text;
  server_config back = default_config();
  apply_config_toml(text, "printed.toml", back, problems);
  EXPECT_TRUE(problems.empty()) << text;
  EXPECT_EQ(to_toml(back), text);
}

TEST(config, reach_test_limits_out_of_range_say_the_range) {
  const std::pair<std::string_view, std::string_view> bad[] = {
      {"reach_expire_s = 9", "'reach_expire_s': must be from 10 to 3600"},
      {"reach_expire_s = 3601", "'reach_expire_s': must be from 10 to 3600"},
      {"reach_keep_s = 0", "'reach_keep_s': must be from 10 to 604800"},
      {"reach_max_open_per_holder = 0", "'reach_max_open_per_holder': must be from 1 to 1000"},
      {"reach_max_open = 1000001", "'reach_max_open': must be from 1 to 1000000"},
      {"reach_max_kept = 0", "'reach_max_kept': must be from 1 to 10000000"},
      {"reach_max_kept = \"many\"", "'reach_max_kept' must be a whole number"},
  };
  for (const auto& [line, message] : bad) {
    server_config cfg = default_config();
    common::diagnostics problems;
    apply_config_toml("[scan]\n" + std::string(line) + "\n", "r.toml", cfg, problems);
    ASSERT_EQ(problems.size(), 1U) << line;
    EXPECT_EQ(problems[0].line, 2U) << line;
    EXPECT_NE(problems[0].message.find(message), std::string::npos) << problems[0].message;
    EXPECT_EQ(to_toml(cfg), to_toml(default_config())) << line;  // nothing changed
  }
}

// A limit per visitor above the limit of all visitors together would never be reached: the
// file says one thing and the server does another. Refused, saying which to change.
TEST(config, a_visitors_scan_limits_stay_within_those_of_all_visitors) {
  server_config cfg = default_config();
  EXPECT_EQ(check_scan_limits(cfg), std::nullopt);  // the defaults agree
  cfg.scan.scan_rate = cfg.scan.max_rate + 1;
  auto wrong = check_scan_limits(cfg);
  ASSERT_TRUE(wrong);
  EXPECT_NE(wrong->find("[scan] scan_rate (20001) is above max_rate (20000)"), std::string::npos)
      << *wrong;
  EXPECT_EQ(check_consistency(cfg), wrong) << "a start refuses it too";
  cfg = default_config();
  cfg.scan.full_range_rate = cfg.scan.max_rate * 2;
  EXPECT_TRUE(check_scan_limits(cfg));
  cfg = default_config();
  cfg.scan.max_running_per_holder = cfg.scan.max_running + 1;
  wrong = check_scan_limits(cfg);
  ASSERT_TRUE(wrong);
  EXPECT_NE(wrong->find("max_running_per_holder (33) is above max_running (32)"), std::string::npos)
      << *wrong;
}

TEST(config, reach_keep_and_max_kept_must_cover_the_open_tests) {
  server_config cfg = default_config();
  EXPECT_EQ(check_reach_limits(cfg), std::nullopt);  // the defaults agree
  cfg.scan.reach.kept_for = std::chrono::seconds(60);
  auto wrong = check_reach_limits(cfg);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(*wrong,
            "[scan] reach_keep_s (60) is shorter than reach_expire_s (180): a reach test would be "
            "forgotten while still open; make reach_keep_s at least reach_expire_s");
  cfg.scan.reach.kept_for = std::chrono::seconds(180);  // equal is enough
  EXPECT_EQ(check_reach_limits(cfg), std::nullopt);
  cfg.scan.reach.max_kept = 100;
  cfg.scan.reach.max_open = 101;
  wrong = check_reach_limits(cfg);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(*wrong,
            "[scan] reach_max_kept (100) is less than reach_max_open (101): every open reach "
            "test is kept in memory; make reach_max_kept at least reach_max_open");
}

TEST(config, check_consistency_names_each_contradiction) {
  server_config cfg = default_config();
  EXPECT_EQ(check_consistency(cfg), std::nullopt);  // the defaults agree

  auto wrong_with = [](auto change) {
    server_config c = default_config();
    change(c);
    return check_consistency(c).value_or("");
  };
  EXPECT_NE(wrong_with([](server_config& c) {
              c.http.clear();
              c.https.clear();
            }).find("give at least one address"),
            std::string::npos);
  EXPECT_NE(
      wrong_with([](server_config& c) { c.cert_file = "a.pem"; }).find("give both (--cert, --key"),
      std::string::npos);
  EXPECT_NE(wrong_with([](server_config& c) {
              c.ipv6_origin = "https://v6.example.org";
            }).find("work together"),
            std::string::npos);
  EXPECT_NE(wrong_with([](server_config& c) {
              c.ipv4_origin = c.ipv6_origin = "https://a.example.org";
            }).find("the same URL"),
            std::string::npos);
  EXPECT_NE(wrong_with([](server_config& c) {
              c.scan.reach.max_kept = 1;
              c.scan.reach.max_open = 10;
            }).find("reach_max_kept (1) is less than reach_max_open (10)"),
            std::string::npos);
  EXPECT_NE(wrong_with([](server_config& c) {
              c.https.push_back({"::1", 9443, true});
            }).find("[::1]:9443 is marked ,proxy-protocol but no proxy is trusted"),
            std::string::npos);
  EXPECT_EQ(wrong_with([](server_config& c) {
              c.https.push_back({"::1", 9443, true});
              c.trust.trusted_proxies = *http::parse_trusted_proxies({"::1"});
            }),
            "");
  EXPECT_EQ(wrong_with([](server_config& c) {
              c.ipv4_origin = "https://v4.example.org";
              c.ipv6_origin = "https://v6.example.org";
              c.cert_file = "a.pem";
              c.key_file = "a.key";
            }),
            "");
}

}  // namespace
}  // namespace breakwater::app

namespace breakwater::app {
namespace {

TEST(config, the_memory_for_kept_results_is_a_scan_key_in_mib) {
  server_config cfg = default_config();
  EXPECT_EQ(cfg.scan.max_kept_mib, 256U);  // scan::settings' default
  EXPECT_NE(to_toml(cfg).find("max_kept_mib = 256\n"), std::string::npos) << to_toml(cfg);
  common::diagnostics problems;
  apply_config_toml("[scan]\nmax_kept_mib = 1024\n", "m.toml", cfg, problems);
  ASSERT_TRUE(problems.empty()) << common::to_string(problems.front());
  EXPECT_EQ(cfg.scan.max_kept_mib, 1024U);
  // Below 64 MiB the largest scan would not fit while it runs.
  for (std::string_view line : {"max_kept_mib = 63", "max_kept_mib = 0"}) {
    server_config c = default_config();
    common::diagnostics p;
    apply_config_toml("[scan]\n" + std::string(line) + "\n", "m.toml", c, p);
    ASSERT_EQ(p.size(), 1U) << line;
    EXPECT_NE(p[0].message.find("'max_kept_mib': must be from 64 to 1048576"), std::string::npos)
        << p[0].message;
  }
}

}  // namespace
}  // namespace breakwater::app
