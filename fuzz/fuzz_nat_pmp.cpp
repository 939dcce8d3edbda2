// libFuzzer target for the NAT-PMP answer parser: never crashes, never reads an address out
// of a datagram too short to hold one.
#include "probe/wire/nat_pmp.hpp"

#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto a = breakwater::probe::parse_nat_pmp_address_answer(std::span(data, size));
  if (!a) return 0;
  if (size < 8 || (a->result == 0 && size < 12)) std::abort();
  (void)breakwater::probe::nat_pmp_result_text(a->result);
  return 0;
}
