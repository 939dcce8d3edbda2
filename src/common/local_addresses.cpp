#include "common/local_addresses.hpp"

#include "common/cidr.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <array>
#include <cstring>

namespace breakwater::common {

std::vector<local_address> local_addresses() {
  std::vector<local_address> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || (i->ifa_flags & IFF_UP) == 0 ||
        (i->ifa_flags & IFF_LOOPBACK) != 0) {
      continue;
    }
    std::array<char, INET6_ADDRSTRLEN> text{};
    int family = i->ifa_addr->sa_family;
    const void* raw = nullptr;
    if (family == AF_INET) {
      raw = &reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr;
    } else if (family == AF_INET6) {
      raw = &reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr;
    } else {
      continue;
    }
    if (::inet_ntop(family, raw, text.data(), text.size()) == nullptr) continue;
    out.push_back({i->ifa_name, text.data()});
  }
  ::freeifaddrs(list);
  return out;
}

std::optional<bool> is_own_address(std::string_view address) {
  auto wanted = parse_ip(without_zone(address));
  if (!wanted) return false;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return std::nullopt;
  bool own = false;
  for (const ifaddrs* i = list; i != nullptr && !own; i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    ip_bytes ip;
    if (i->ifa_addr->sa_family == AF_INET) {
      const auto& a = reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr;
      std::memcpy(ip.bytes.data(), &a, 4);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      const auto& a = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr;
      std::memcpy(ip.bytes.data(), &a, 16);
      ip.v6 = true;
    } else {
      continue;
    }
    own = ip.v6 == wanted->v6 && ip.bytes == wanted->bytes;
  }
  ::freeifaddrs(list);
  return own;
}

}  // namespace breakwater::common
