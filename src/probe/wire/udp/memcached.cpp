// memcached over UDP: the "version" command in the UDP frame (memcached's protocol.txt, "UDP
// protocol": request id, sequence number, datagram count, reserved; 2 bytes each).
#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/families.hpp"

namespace breakwater::probe::udp::detail {
namespace {

constexpr std::uint16_t request_id = 0x6277;

// The first line of the reply, without its line end.
std::string_view first_line(std::string_view text) noexcept {
  return text.substr(0, text.find_first_of("\r\n"));
}

std::optional<std::string> memcached_summary(std::string_view d) {
  byte_reader r(d);
  auto id = r.u16();
  auto sequence = r.u16();
  r.skip(4);
  if (!r.ok() || id != request_id || sequence != 0) return std::nullopt;
  auto line = first_line(r.rest());
  if (line.starts_with("VERSION ")) return "memcached " + escaped_text(line.substr(8), 60);
  // Still memcached: an older or stricter server refusing the command.
  if (line == "ERROR" || line.starts_with("CLIENT_ERROR") || line.starts_with("SERVER_ERROR"))
    return "memcached answering " + quoted(line, 80);
  return std::nullopt;
}

}  // namespace

std::vector<std::string> memcached_requests() {
  std::string d;
  put_u16(d, request_id);
  put_u16(d, 0);  // sequence number
  put_u16(d, 1);  // datagrams in this message
  put_u16(d, 0);  // reserved
  d += "version\r\n";
  return {d};
}

reading memcached_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "memcached", "memcached-udp", memcached_summary);
}

}  // namespace breakwater::probe::udp::detail
