// Both address families side by side: what the difference between a visitor's IPv4 and IPv6
// results means, in words, and the one sentence single-family pages say instead.
#pragma once

#include <boost/system/result.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace breakwater::site {

// What one family's test showed the visitor's browser.
struct family_outcome {
  bool reached = true;  // false: the browser could not connect to that family's origin
  std::string error;    // set: it connected, but the scan could not run (the server's words)
  std::string address;  // the address that was probed
  std::vector<std::uint16_t> open;  // the ports that accepted connections, ascending
};

struct dual_finding {
  std::string kind;      // "differ", "same", "missing" (a family did not work) or "none"
  std::string headline;  // one sentence
  std::vector<std::string> details;
};

dual_finding compare_families(const family_outcome& v4, const family_outcome& v6);

// "port 22", "ports 22 and 80", "ports 22, 80 and 443".
std::string ports_in_words(std::span<const std::uint16_t> ports);

// For single-family tests: which family the test uses (`ran`: used) and how to test the
// other, in one sentence. `dual`: the site has sibling origins, so the side-by-side test is
// the way.
std::string family_used_sentence(std::string_view address, bool dual, bool ran);

// The body of POST /api/v1/compare:
// {"ipv4":{"address":"198.51.100.7","open":"22,80"},"ipv6":{"unreachable":true}}, a family
// also as {"error":"why the scan could not run"}. The error names what is wrong.
boost::system::result<std::pair<family_outcome, family_outcome>, std::string> parse_compare_request(
    std::string_view body);

}  // namespace breakwater::site
