// The request log's two formats: text lines as before, and JSON lines that stay one valid
// object whatever a client puts in its request target.
#include "http/request_log.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <string>

namespace breakwater::http {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

json::object parsed(const std::string& line) {
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  EXPECT_FALSE(ec) << ec.message() << ": " << line;
  return v.is_object() ? v.as_object() : json::object{};
}

// A string member's text; "" when it is missing or not a string.
std::string text_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

TEST(request_log, text_request_line_is_unchanged) {
  request_log log(log_level::info);
  std::string line = log.request_line("GET", "/port/443", 200, 10234, 214us, "127.0.0.1", 51324);
  // The timestamp is "YYYY-MM-DDTHH:MM:SSZ ".
  ASSERT_GT(line.size(), 21U);
  EXPECT_EQ(line[20], ' ');
  EXPECT_EQ(line.substr(21), "GET /port/443 200 10234B 0.214ms 127.0.0.1:51324");
  EXPECT_EQ(log.request_line("GET", "/", 200, 1, 1ms, "::1", 8).substr(21),
            "GET / 200 1B 1.000ms [::1]:8");
  EXPECT_EQ(log.request_line("GET", "/a\x01\n", 400, 1, 1ms, "", 0).substr(21),
            "GET /a?? 400 1B 1.000ms unknown");
  // Bytes that are not UTF-8 (journald would keep the line as a blob) are '?' too, one each;
  // UTF-8 is kept as it came.
  EXPECT_EQ(log.request_line("GET", "/\xff\xfe\xc0\xaf/caf\xc3\xa9\xf0\x9f\x98\x80\xe2\x82", 404, 1,
                             1ms, "", 0)
                .substr(21),
            "GET /?"
            "?"
            "?"
            "?/caf\xc3\xa9\xf0\x9f\x98\x80?"
            "? 404 1B 1.000ms unknown");
  // C1 controls (CSI, U+009B, starts a terminal sequence as ESC [ does): one '?' each; a
  // no-break space (U+00A0) is text.
  EXPECT_EQ(log.request_line("GET",
                             "/\xc2\x9b"
                             "31m\xc2\x85\xc2\xa0",
                             404, 1, 1ms, "", 0)
                .substr(21),
            "GET /?31m?\xc2\xa0 404 1B 1.000ms unknown");
}

// Under systemd the journal stamps each line and files it by the priority the line starts
// with: without it, journalctl -p warning showed nothing and every line had two times.
TEST(request_log, journal_lines_carry_their_priority_and_no_time) {
  request_log log(log_level::debug);
  log.to_journal(true);
  EXPECT_EQ(log.message_line(log_level::warn, "a key anyone can read"),
            "<4>warn: a key anyone can read");
  EXPECT_EQ(log.message_line(log_level::error, "x"), "<3>error: x");
  EXPECT_EQ(log.message_line(log_level::info, "x"), "<6>info: x");
  EXPECT_EQ(log.request_line("GET", "/", 200, 1, 1ms, "::1", 8), "<6>GET / 200 1B 1.000ms [::1]:8");
  request_log json(log_level::info, true, {}, log_format::json);
  json.to_journal(true);
  EXPECT_EQ(json.message_line(log_level::warn, "x").front(), '{') << "JSON lines stay JSON";
}

// JOURNAL_STREAM counts only when it names stderr itself (a redirected child inherits it).
TEST(request_log, the_journal_is_stderr_only_when_journal_stream_names_it) {
  struct stat st {};
  ASSERT_EQ(::fstat(2, &st), 0);
  const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  ::setenv("JOURNAL_STREAM", mine.c_str(), 1);
  EXPECT_TRUE(request_log::stderr_is_journal());
  ::setenv("JOURNAL_STREAM", (std::to_string(st.st_dev) + ":1").c_str(), 1);
  EXPECT_FALSE(request_log::stderr_is_journal());
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(request_log::stderr_is_journal());
}

TEST(request_log, json_request_has_stable_keys) {
  request_log log(log_level::info, true, {}, log_format::json);
  json::object o =
      parsed(log.request_line("GET", "/port/443?x=1", 200, 10234, 214us, "127.0.0.1", 51324));
  EXPECT_EQ(text_of(o, "event"), "request");
  EXPECT_EQ(text_of(o, "level"), "info");
  EXPECT_EQ(text_of(o, "method"), "GET");
  EXPECT_EQ(text_of(o, "target"), "/port/443?x=1");
  EXPECT_EQ(o.at("status").to_number<int>(), 200);
  EXPECT_EQ(o.at("bytes").to_number<int>(), 10234);
  EXPECT_DOUBLE_EQ(o.at("duration_ms").to_number<double>(), 0.214);
  EXPECT_EQ(text_of(o, "client"), "127.0.0.1");
  EXPECT_EQ(o.at("client_port").to_number<int>(), 51324);
  std::string time(o.at("time").as_string());
  EXPECT_EQ(time.size(), 24U) << time;  // 2026-11-27T12:00:00.123Z
  EXPECT_EQ(time.back(), 'Z');
}

TEST(request_log, json_client_unknown_is_null) {
  request_log log(log_level::info, true, {}, log_format::json);
  json::object o = parsed(log.request_line("GET", "/", 200, 1, 1ms, "", 0));
  EXPECT_TRUE(o.at("client").is_null());
  EXPECT_TRUE(o.at("client_port").is_null());
}

TEST(request_log, json_without_clients_has_no_client_and_redacts) {
  auto redact = [](std::string_view t) { return std::string(t.substr(0, 6)) + "*"; };
  request_log log(log_level::info, false, redact, log_format::json);
  json::object o =
      parsed(log.request_line("GET", "/scan/abc123?token=x", 200, 1, 1ms, "192.0.2.7", 4000));
  EXPECT_FALSE(o.contains("client"));
  EXPECT_FALSE(o.contains("client_port"));
  EXPECT_EQ(text_of(o, "target"), "/scan/*");
  // Text mode applies the same rules.
  request_log text(log_level::info, false, redact);
  EXPECT_EQ(
      text.request_line("GET", "/scan/abc123?token=x", 200, 1, 1ms, "192.0.2.7", 4000).substr(21),
      "GET /scan/* 200 1B 1.000ms -");
}

TEST(request_log, json_escapes_hostile_targets) {
  request_log log(log_level::info, true, {}, log_format::json);
  const std::string hostile =
      "/\"},\"status\":1,\"x\":\"\\\x01\x1b[31m\n\r\t\x7f"
      "\xff\xfe\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82"
      "caf\xc3\xa9\xf0\x9f\x98\x80";
  std::string line = log.request_line("G\"ET", hostile, 400, 0, 1ms, "127.0.0.1", 1);
  json::object o = parsed(line);
  EXPECT_EQ(o.at("status").to_number<int>(), 400);
  EXPECT_EQ(text_of(o, "method"), "G\"ET");
  const std::string r = "\xef\xbf\xbd";  // U+FFFD
  EXPECT_EQ(text_of(o, "target"), "/\"},\"status\":1,\"x\":\"\\\x01\x1b[31m\n\r\t\x7f" + r + r + r +
                                      r + r + r + r + r + r + r + r + r + r +
                                      "caf\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_NE(line.find("\\u001b"), std::string::npos) << line;
}

TEST(request_log, json_string_escapes) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\x00\x1f\x7f", 8));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\u0000\\u001f\\u007f\"");
}

TEST(request_log, json_message_line) {
  request_log log(log_level::info, true, {}, log_format::json);
  json::object o = parsed(log.message_line(log_level::warn, "key \"k\"\nbad"));
  EXPECT_EQ(text_of(o, "event"), "message");
  EXPECT_EQ(text_of(o, "level"), "warn");
  EXPECT_EQ(text_of(o, "message"), "key \"k\"\nbad");
  request_log text(log_level::info);
  EXPECT_EQ(text.message_line(log_level::warn, "hello").substr(20), " warn: hello");
}

TEST(request_log, formats_parse_and_print) {
  log_format f = log_format::text;
  EXPECT_TRUE(parse_log_format("json", f));
  EXPECT_EQ(f, log_format::json);
  EXPECT_EQ(to_string(f), "json");
  EXPECT_TRUE(parse_log_format("text", f));
  EXPECT_EQ(f, log_format::text);
  EXPECT_FALSE(parse_log_format("JSON", f));
}

}  // namespace
}  // namespace breakwater::http
