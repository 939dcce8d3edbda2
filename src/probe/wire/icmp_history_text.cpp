#include "probe/wire/icmp_history_text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace breakwater::probe {
namespace {

struct line {
  boost::asio::ip::address address;
  icmp_bucket bucket;
};

template <typename T>
bool number(std::string_view s, T& out) {
  auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), out);
  return err == std::errc() && end == s.data() + s.size();
}

std::optional<line> parse_line(std::string_view l) {
  auto a = l.find(' ');
  if (a == std::string_view::npos) return std::nullopt;
  auto b = l.find(' ', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(l.substr(0, a), ec);
  if (ec) return std::nullopt;
  double tokens = 0;
  duration::rep ns = 0;
  if (!number(l.substr(a + 1, b - a - 1), tokens) || !number(l.substr(b + 1), ns)) {
    return std::nullopt;
  }
  if (!std::isfinite(tokens) || tokens < 0) return std::nullopt;
  return line{address, {tokens, time_point(duration(ns))}};
}

template <typename F>
void each_line(std::string_view text, F f) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view l = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (auto parsed = parse_line(l)) f(*parsed);
  }
}

}  // namespace

std::optional<icmp_bucket> parse_icmp_history(std::string_view text,
                                              const boost::asio::ip::address& target) {
  std::optional<icmp_bucket> out;
  each_line(text, [&](const line& l) {
    if (l.address == target) out = l.bucket;
  });
  return out;
}

std::string update_icmp_history(std::string_view text, const boost::asio::ip::address& target,
                                std::optional<icmp_bucket> bucket, time_point cutoff) {
  std::string out;
  auto add = [&out](const boost::asio::ip::address& a, const icmp_bucket& b) {
    out += fmt::format("{} {:.3f} {}\n", a.to_string(), b.tokens, b.at.time_since_epoch().count());
  };
  each_line(text, [&](const line& l) {
    if (l.address != target && l.bucket.at >= cutoff) add(l.address, l.bucket);
  });
  if (bucket) add(target, *bucket);
  return out;
}

}  // namespace breakwater::probe
