#include "probe/probers/source_filter.hpp"

#include <linux/filter.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <vector>

namespace breakwater::probe {

// The probers' sockets are not connected because some services answer from a port other than
// the one asked (mupnp's and Nerves' SSDP servers; every TFTP server, by design): only the
// address is sure to be the target's.
boost::system::error_code accept_only_from(int fd, const boost::asio::ip::address& target) {
  // The source address as 32-bit words, and where it starts in the IP header.
  std::vector<std::uint32_t> words;
  std::uint32_t at = 12;
  if (target.is_v4()) {
    words.push_back(target.to_v4().to_uint());
  } else {
    at = 8;
    auto b = target.to_v6().to_bytes();
    for (std::size_t i = 0; i < b.size(); i += 4) {
      words.push_back(static_cast<std::uint32_t>(b[i]) << 24 |
                      static_cast<std::uint32_t>(b[i + 1]) << 16 |
                      static_cast<std::uint32_t>(b[i + 2]) << 8 | b[i + 3]);
    }
  }
  std::vector<sock_filter> code;
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto left = static_cast<std::uint8_t>(words.size() - i - 1);  // words after this one
    auto offset = static_cast<std::uint32_t>(SKF_NET_OFF) + at + 4 * static_cast<std::uint32_t>(i);
    code.push_back({BPF_LD | BPF_W | BPF_ABS, 0, 0, offset});
    code.push_back({BPF_JMP | BPF_JEQ | BPF_K, 0, static_cast<std::uint8_t>(2 * left + 1),
                    words[i]});  // a mismatch jumps to the drop
  }
  code.push_back({BPF_RET | BPF_K, 0, 0, 0xffffffff});  // from the target: keep it whole
  code.push_back({BPF_RET | BPF_K, 0, 0, 0});           // from anyone else: drop it
  sock_fprog prog{static_cast<unsigned short>(code.size()), code.data()};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0) {
    return {errno, boost::system::system_category()};
  }
  return {};
}

}  // namespace breakwater::probe
