// libFuzzer target for the probe CLI's ICMP history file: any text parses or is skipped, and
// what update writes reads back.
#include "probe/wire/icmp_history_text.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace probe = breakwater::probe;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto target = boost::asio::ip::make_address("198.18.0.2");
  auto got = probe::parse_icmp_history(text, target);
  if (got && !(got->tokens >= 0)) std::abort();
  probe::icmp_bucket b{2.5, probe::time_point(std::chrono::hours(1))};
  std::string updated = probe::update_icmp_history(text, target, b, probe::time_point{});
  auto back = probe::parse_icmp_history(updated, target);
  if (!back || back->at != b.at) std::abort();
  return 0;
}
