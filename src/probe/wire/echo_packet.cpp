#include "probe/wire/echo_packet.hpp"

#include <algorithm>

namespace breakwater::probe::echo {
namespace {

using bytes = std::span<const std::uint8_t>;

constexpr std::uint8_t request_v4 = 8, reply_v4 = 0, unreachable_v4 = 3;
constexpr std::uint8_t request_v6 = 128, reply_v6 = 129, unreachable_v6 = 1;

std::uint16_t be16(bytes p, std::size_t at) noexcept {
  return static_cast<std::uint16_t>(p[at] << 8 | p[at + 1]);
}

std::uint16_t checksum(bytes p) noexcept {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < p.size(); i += 2) sum += be16(p, i);
  if (p.size() % 2 != 0) sum += static_cast<std::uint32_t>(p.back()) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// Type, code, checksum, then the identifier and sequence number of an echo message.
echo_fields fields_at(bytes m) noexcept { return {be16(m, 4), be16(m, 6), m.subspan(8)}; }

// Which request of the run carries `seq`, if any was sent.
std::optional<std::uint16_t> index_of(std::uint16_t seq, const run_fields& run,
                                      std::uint16_t sent) noexcept {
  auto index = static_cast<std::uint16_t>(seq - run.first_seq);
  if (index >= sent) return std::nullopt;
  return index;
}

}  // namespace

std::vector<std::uint8_t> build_request(const run_fields& run, std::uint16_t index) {
  std::vector<std::uint8_t> m(8 + cookie_size, 0);
  m[0] = run.v6 ? request_v6 : request_v4;
  auto seq = static_cast<std::uint16_t>(run.first_seq + index);
  m[4] = static_cast<std::uint8_t>(run.id >> 8);
  m[5] = static_cast<std::uint8_t>(run.id);
  m[6] = static_cast<std::uint8_t>(seq >> 8);
  m[7] = static_cast<std::uint8_t>(seq);
  for (std::size_t i = 0; i < cookie_size; ++i) m[8 + i] = run.data[i];
  if (!run.v6) {
    std::uint16_t c = checksum(m);
    m[2] = static_cast<std::uint8_t>(c >> 8);
    m[3] = static_cast<std::uint8_t>(c);
  }
  return m;
}

std::optional<echo_fields> parse_reply(bytes message, bool v6) noexcept {
  if (message.size() < 8 || message[0] != (v6 ? reply_v6 : reply_v4) || message[1] != 0) {
    return std::nullopt;
  }
  return fields_at(message);
}

std::optional<std::uint16_t> answered_index(const echo_fields& reply, const run_fields& run,
                                            std::uint16_t sent, bool check_id) noexcept {
  if (check_id && reply.id != run.id) return std::nullopt;
  if (reply.data.size() < cookie_size ||
      !std::equal(run.data.begin(), run.data.end(), reply.data.begin())) {
    return std::nullopt;
  }
  return index_of(reply.seq, run, sent);
}

std::optional<quoted_request> parse_unreachable(bytes m, bool v6) noexcept {
  if (m.size() < 8 || m[0] != (v6 ? unreachable_v6 : unreachable_v4)) return std::nullopt;
  bytes quoted = m.subspan(8);
  quoted_request q;
  std::size_t ip = 40;
  if (v6) {
    // Our requests carry no extension headers: ICMPv6 right after the fixed header.
    if (quoted.size() < ip || quoted[0] >> 4 != 6 || quoted[6] != 58) return std::nullopt;
    q.target.v6 = true;
    std::copy_n(quoted.begin() + 24, 16, q.target.b.begin());
  } else {
    if (quoted.size() < 20 || quoted[0] >> 4 != 4 || quoted[9] != 1) return std::nullopt;
    ip = static_cast<std::size_t>(quoted[0] & 0x0f) * 4;
    if (ip < 20) return std::nullopt;
    std::copy_n(quoted.begin() + 16, 4, q.target.b.begin());
  }
  if (quoted.size() < ip + 8) return std::nullopt;
  bytes request = quoted.subspan(ip);
  auto fields = parse_request(request, v6);
  if (!fields) return std::nullopt;
  q.request = *fields;
  return q;
}

std::optional<std::uint16_t> quoted_index(const quoted_request& q, const raw::ip_bytes& target,
                                          const run_fields& run, std::uint16_t sent,
                                          bool check_id) noexcept {
  if (q.target != target || (check_id && q.request.id != run.id)) return std::nullopt;
  return index_of(q.request.seq, run, sent);
}

std::optional<echo_fields> parse_request(bytes message, bool v6) noexcept {
  if (message.size() < 8 || message[0] != (v6 ? request_v6 : request_v4)) return std::nullopt;
  return fields_at(message);
}

}  // namespace breakwater::probe::echo
