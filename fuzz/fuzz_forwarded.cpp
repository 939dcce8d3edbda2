// libFuzzer target for client-address resolution: X-Forwarded-For, Forwarded (RFC 7239),
// X-Real-IP and CIDR parsing, the trusted-proxy walk, and the Host rules. Never crashes;
// every hop returned is a normalised address; the client is the peer itself (untrusted
// peer), a hop of the chain that is not a trusted proxy, or nobody: never the proxy.
#include "common/cidr.hpp"
#include "http/client_address.hpp"
#include "http/forwarded.hpp"
#include "http/host_rules.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace breakwater::http;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  client_trust trust;
  if (auto c = breakwater::common::parse_cidr(text.substr(0, text.find(' ')))) {
    if (!breakwater::common::parse_cidr(to_string(*c))) std::abort();
    trust.trusted_proxies.add(*c);
  }
  trust.trusted_proxies.add(*breakwater::common::parse_cidr("198.18.0.3"));
  for (client_header which : {client_header::x_forwarded_for, client_header::forwarded,
                              client_header::x_real_ip, client_header::none}) {
    std::string_view name = to_string(which);
    header_view h{name, text};
    auto hops = reported_hops(std::span<const header_view>(&h, 1), which);
    for (const auto& hop : hops) {
      if (hop && (!breakwater::common::parse_ip(*hop) ||
                  to_string(*breakwater::common::parse_ip(*hop)) != *hop))
        std::abort();
    }
    trust.header = which;
    auto client = resolve_client("198.18.0.3", hops, trust);
    if (client) {
      if (trust.trusted_proxies.contains(*client)) std::abort();  // never a proxy
      bool from_chain = false;
      for (const auto& hop : hops) from_chain = from_chain || (hop && *hop == *client);
      if (!from_chain) std::abort();
    }
    if (resolve_client("198.18.0.2", hops, trust) != std::optional<std::string>("198.18.0.2") &&
        !trust.trusted_proxies.contains("198.18.0.2")) {
      std::abort();  // an untrusted peer is its own client, whatever it sends
    }
  }
  host_rules rules({"ports.example.org"});
  header_view host{"Host", text};
  request req;
  req.headers = std::span<const header_view>(&host, 1);
  unsigned status = rules.check(req);
  if (status != 0 && status != 400 && status != 421) std::abort();
  (void)host_part(text);
  return 0;
}
