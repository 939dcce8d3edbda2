#include "db/bad_ports.hpp"

#include <algorithm>
#include <array>

namespace breakwater::db {
namespace {

// The first column of the table under "A port is a bad port if it is listed in the first
// column of the following table", WHATWG Fetch Standard (fetch.bs at commit 586cd2a,
// 2 July 2026; https://fetch.spec.whatwg.org/#bad-port). Kept sorted for binary search.
// When the standard changes, this list changes and nothing else.
constexpr std::array<unsigned short, 83> bad_ports{
    0,    1,    7,    9,    11,   13,   15,   17,   19,   20,   21,   22,   23,   25,
    37,   42,   43,   53,   69,   77,   79,   87,   95,   101,  102,  103,  104,  109,
    110,  111,  113,  115,  117,  119,  123,  135,  137,  139,  143,  161,  179,  389,
    427,  465,  512,  513,  514,  515,  526,  530,  531,  532,  540,  548,  554,  556,
    563,  587,  601,  636,  989,  990,  993,  995,  1719, 1720, 1723, 2049, 3659, 4045,
    4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080};

static_assert(std::is_sorted(bad_ports.begin(), bad_ports.end()));

}  // namespace

bool browsers_refuse(unsigned port) noexcept {
  return std::binary_search(bad_ports.begin(), bad_ports.end(), port);
}

}  // namespace breakwater::db
