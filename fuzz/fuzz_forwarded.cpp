// libFuzzer target for X-Forwarded-For, Forwarded (RFC 7239) and CIDR parsing: never crashes,
// every hop returned is a normalised address, and the trusted-proxy walk returns an address
// from the chain or the peer itself.
#include "web/cidr.hpp"
#include "web/forwarded.hpp"
#include "web/visitor.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace breakwater::web;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  cidr_list trusted;
  if (auto c = parse_cidr(text.substr(0, text.find(' ')))) {
    if (!parse_cidr(to_string(*c))) std::abort();
    trusted.add(*c);
  }
  trusted.add(*parse_cidr("198.18.0.3"));
  for (const auto& hops : {parse_x_forwarded_for(text), parse_forwarded(text)}) {
    for (const auto& h : hops) {
      if (h && (!parse_ip(*h) || to_string(*parse_ip(*h)) != *h)) std::abort();
    }
    std::string client = resolve_client("198.18.0.3", hops, &trusted);
    bool known = client == "198.18.0.3";
    for (const auto& h : hops) known = known || (h && *h == client);
    if (!known) std::abort();
  }
  return 0;
}
