#include "site/dual_stack.hpp"

#include "common/json_object.hpp"

#include "common/cidr.hpp"
#include "probe/port_set.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <iterator>

namespace breakwater::site {
namespace {

namespace json = boost::json;

std::vector<std::uint16_t> minus(const std::vector<std::uint16_t>& a,
                                 const std::vector<std::uint16_t>& b) {
  std::vector<std::uint16_t> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// "Over IPv6 your address 2001:db8::1234 accepts connections on ports 22 and 80, which your
// IPv4 address hides: ..." with the reason that family's result usually has.
std::string only_over(std::string_view family, const family_outcome& f,
                      std::span<const std::uint16_t> ports, std::string_view other,
                      std::string_view why) {
  return fmt::format(
      "Over {} your address {} accepts connections on {}, which your {} address "
      "hides: {}",
      family, f.address, ports_in_words(ports), other, why);
}

constexpr std::string_view v6_why = "your router's IPv6 firewall lets them in.";
constexpr std::string_view v4_why = "a port forward (or the router itself) answers over IPv4 only.";

// A family that did not work from the browser: the plain words for it.
std::string missing_sentence(std::string_view family, const family_outcome& f) {
  if (!f.reached) return fmt::format("No {} connectivity from your browser", family);
  return fmt::format("The {} test could not run: {}", family, f.error);
}

bool worked(const family_outcome& f) { return f.reached && f.error.empty(); }

dual_finding missing(const family_outcome& v4, const family_outcome& v6) {
  dual_finding d;
  d.kind = "missing";
  if (!worked(v4) && !worked(v6)) {
    d.headline = fmt::format("Neither family could be tested. {}. {}.",
                             missing_sentence("IPv4", v4), missing_sentence("IPv6", v6));
    d.details.push_back("Check your connection, then reload this page to try again.");
    return d;
  }
  bool six_missing = !worked(v6);
  const family_outcome& lost = six_missing ? v6 : v4;
  const family_outcome& kept = six_missing ? v4 : v6;
  std::string_view lost_name = six_missing ? "IPv6" : "IPv4";
  std::string_view kept_name = six_missing ? "IPv4" : "IPv6";
  d.headline = fmt::format("{}: only {} was tested (your address {}).",
                           missing_sentence(lost_name, lost), kept_name, kept.address);
  if (!lost.reached && six_missing) {
    d.details.push_back(
        "Your network gives this browser no working IPv6, so nothing on it can be reached over "
        "IPv6 either. If your provider offers IPv6 and you turn it on, test again: devices then "
        "get public IPv6 addresses, and only the router's IPv6 firewall protects them.");
  } else if (!lost.reached) {
    d.details.push_back(
        "Your network gives this browser no working IPv4: many mobile and newer networks are "
        "IPv6-only and reach IPv4 sites through the provider's NAT64, which nobody outside can "
        "connect through. Nothing on it can be reached over IPv4.");
  } else {
    d.details.push_back(
        fmt::format("Wait a little, then reload this page to test {} again.", lost_name));
  }
  return d;
}

dual_finding agree(const family_outcome& v4, const family_outcome& v6) {
  dual_finding d;
  d.kind = "same";
  if (v4.open.empty()) {
    d.headline = fmt::format(
        "IPv4 and IPv6 agree: no port accepts connections over either (IPv4 {}, IPv6 {}).",
        v4.address, v6.address);
  } else {
    d.headline = fmt::format("IPv4 and IPv6 agree: {} {} connections over both (IPv4 {}, IPv6 {}).",
                             ports_in_words(v4.open), v4.open.size() == 1 ? "accepts" : "accept",
                             v4.address, v6.address);
  }
  return d;
}

}  // namespace

// A sentence names at most this many ports, then says how many more: a headline of 65,536
// numbers (a compare request may claim as many) reads as nothing and costs 448 KB.
constexpr std::size_t ports_named = 20;

std::string ports_in_words(std::span<const std::uint16_t> ports) {
  if (ports.empty()) return "no port";
  std::string out = ports.size() == 1 ? "port " : "ports ";
  const std::size_t named = ports.size() > ports_named ? ports_named : ports.size();
  for (std::size_t i = 0; i < named; ++i) {
    if (i > 0) out += i + 1 == ports.size() ? " and " : ", ";
    out += std::to_string(ports[i]);
  }
  if (named < ports.size()) out += fmt::format(" and {} more", ports.size() - named);
  return out;
}

dual_finding compare_families(const family_outcome& v4, const family_outcome& v6) {
  if (!worked(v4) || !worked(v6)) return missing(v4, v6);
  std::vector<std::uint16_t> six_only = minus(v6.open, v4.open);
  std::vector<std::uint16_t> four_only = minus(v4.open, v6.open);
  if (six_only.empty() && four_only.empty()) return agree(v4, v6);
  dual_finding d;
  d.kind = "differ";
  std::vector<std::string> sentences;
  if (!six_only.empty()) sentences.push_back(only_over("IPv6", v6, six_only, "IPv4", v6_why));
  if (!four_only.empty()) sentences.push_back(only_over("IPv4", v4, four_only, "IPv6", v4_why));
  d.headline = sentences.front();
  d.details.assign(sentences.begin() + 1, sentences.end());
  if (!six_only.empty()) {
    d.details.push_back(
        "Over IPv6 every device has its own public address and no port forward is needed: set "
        "the router's IPv6 firewall to refuse incoming connections except to the ports you "
        "mean to offer.");
  }
  return d;
}

std::string family_used_sentence(std::string_view address, bool dual, bool ran) {
  auto ip = common::parse_ip(address);
  bool v6 = ip && ip->v6;
  const std::string_view used = ran ? "This test used" : "This test will use";
  if (dual) {
    return fmt::format(
        "{} {} ({}); to test your {} address as well, turn JavaScript on and choose "
        "\u201cTest IPv4 and IPv6 side by side\u201d on the test's confirm page.",
        used, v6 ? "IPv6" : "IPv4", address, v6 ? "IPv4" : "IPv6");
  }
  // A visitor cannot set up the server: say what they can do, and that the side-by-side
  // test is not offered here.
  return fmt::format(
      "{} {} ({}); to test your {} address too, open this site over {} (for example by this "
      "server's {} address, from a device on the same network). This server does not offer "
      "the side-by-side test of both.",
      used, v6 ? "IPv6" : "IPv4", address, v6 ? "IPv4" : "IPv6", v6 ? "IPv4" : "IPv6",
      v6 ? "IPv4" : "IPv6");
}

namespace {

boost::system::result<family_outcome, std::string> family_of(const json::object& body,
                                                             std::string_view key) {
  const json::value* v = body.if_contains(key);
  const json::object* o = v != nullptr ? v->if_object() : nullptr;
  if (o == nullptr) return fmt::format("\u201c{}\u201d must be an object", key);
  family_outcome f;
  if (const json::value* u = o->if_contains("unreachable"); u != nullptr && u->is_bool()) {
    f.reached = !u->as_bool();
    if (!f.reached) return f;
  }
  if (const json::value* e = o->if_contains("error"); e != nullptr && e->is_string()) {
    f.error = std::string(e->as_string());
    if (f.error.size() > 300) f.error.resize(300);  // the server's own sentence is shorter
    return f;
  }
  const json::value* a = o->if_contains("address");
  auto ip = a != nullptr && a->is_string() ? common::parse_ip(a->as_string()) : std::nullopt;
  if (!ip) return fmt::format("\u201c{}.address\u201d must be an IP address", key);
  f.address = common::to_string(*ip);
  const json::value* open = o->if_contains("open");
  if (open == nullptr || !open->is_string()) {
    return fmt::format("\u201c{}.open\u201d must be a port list such as \"22,80\"", key);
  }
  if (!open->as_string().empty()) {
    auto set = probe::parse_port_set(open->as_string());
    if (!set) return fmt::format("\u201c{}.open\u201d: {}", key, set.error().message);
    f.open = set->ports();
  }
  return f;
}

}  // namespace

boost::system::result<std::pair<family_outcome, family_outcome>, std::string> parse_compare_request(
    std::string_view body) {
  auto parsed = common::parse_json_object(body, R"({"ipv4":{...},"ipv6":{...}})");
  if (!parsed) return parsed.error();
  auto v4 = family_of(*parsed, "ipv4");
  if (!v4) return v4.error();
  auto v6 = family_of(*parsed, "ipv6");
  if (!v6) return v6.error();
  return std::pair{std::move(*v4), std::move(*v6)};
}

}  // namespace breakwater::site
