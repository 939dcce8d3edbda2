// NTP: a plain time request (RFC 5905) and ntpd's mode 7 monlist request, the amplifier of
// CVE-2013-5211. A server answers one, both or neither; every answer is read.
#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/families.hpp"

#include "common/cidr.hpp"

namespace breakwater::probe::udp::detail {
namespace {

constexpr unsigned mode_client = 3, mode_server = 4, mode_private = 7;
constexpr std::size_t ntp_header_size = 48;  // RFC 5905 7.3, without extensions or MAC

// A fixed, non-zero transmit timestamp: some servers drop a request whose timestamp is zero,
// and the answer's origin timestamp is not needed to read stratum and reference.
constexpr std::uint32_t transmit_seconds = 0xe8000000, transmit_fraction = 0x62770000;

// ntpd's mode 7 ("private") request header, ntp_request.h struct req_pkt: flags/version/mode,
// auth+sequence, implementation, request code, err+nitems, mbz+itemsize. ntpd reads only these
// 8 bytes for a request without data items, so nothing more is sent.
constexpr unsigned impl_xntpd = 3, req_mon_getlist_1 = 42;
constexpr std::uint8_t mode7_v2 = 2 << 3 | mode_private;  // version 2, as ntpdc sends
constexpr unsigned resp_bit = 0x80;

std::string_view mode7_error(unsigned err) noexcept {
  switch (err) {
    case 1: return "not implemented";
    case 2: return "unknown request";
    case 3: return "format error";
    case 4: return "no data";
    case 7: return "authentication required";
    default: return "an error";
  }
}

// RFC 5905 7.3: for stratum 0 (kiss-o'-death) and 1 the reference ID is four ASCII characters
// ("GPS", "RATE"); above it is the server's upstream IPv4 address (or a hash of an IPv6 one).
std::string reference_text(unsigned stratum, std::string_view id) {
  if (stratum <= 1) {
    auto text = id.substr(0, id.find('\0'));
    return escaped_text(text, 8);
  }
  common::ip_bytes ip;
  for (std::size_t i = 0; i < 4; ++i) ip.bytes[i] = static_cast<std::uint8_t>(id[i]);
  return common::to_string(ip);
}

std::string server_text(std::string_view d) {
  byte_reader r(d);
  auto first = r.u8();
  unsigned stratum = r.u8();
  r.skip(10);  // poll, precision, root delay, root dispersion
  auto ref = r.take(4);
  std::string version = std::to_string((first >> 3) & 7);
  if (stratum == 0) {
    return "an NTP server (version " + version + ") refusing us with kiss code " +
           reference_text(0, ref);
  }
  std::string s = "an NTP server (version " + version + "), stratum " + std::to_string(stratum);
  if (stratum >= 16) return s + " (not synchronised)";
  return s + ", reference ID " + reference_text(stratum, ref);
}

struct monlist_count {
  unsigned datagrams = 0, entries = 0;
  unsigned error = 0;  // the first error code, when every answer was an error
};

}  // namespace

std::vector<std::string> ntp_requests() {
  std::string time_request;
  put_u8(time_request, 0 << 6 | 4 << 3 | mode_client);  // LI 0, version 4, client
  time_request.resize(40, '\0');
  put_u32(time_request, transmit_seconds);
  put_u32(time_request, transmit_fraction);

  std::string monlist;
  put_u8(monlist, mode7_v2);
  put_u8(monlist, 0);  // no authentication, sequence 0
  put_u8(monlist, impl_xntpd);
  put_u8(monlist, req_mon_getlist_1);
  put_u16(monlist, 0);  // no error, no items
  put_u16(monlist, 0);  // item size 0
  return {time_request, monlist};
}

reading ntp_read(std::span<const std::string_view> answers) {
  std::string server;
  monlist_count mon;
  for (auto d : answers) {
    if (d.size() < 8) continue;
    auto first = static_cast<std::uint8_t>(d[0]);
    unsigned mode = first & 7;
    unsigned version = (first >> 3) & 7;
    if (mode == mode_server && version >= 1 && version <= 4 && d.size() >= ntp_header_size &&
        server.empty()) {
      server = server_text(d);
    } else if (mode == mode_private && (first & resp_bit) &&
               static_cast<std::uint8_t>(d[3]) == req_mon_getlist_1) {
      byte_reader r(d, 4);
      auto err_nitems = r.u16();
      unsigned err = err_nitems >> 12, nitems = err_nitems & 0xfff;
      if (err == 0) {
        ++mon.datagrams;
        mon.entries += nitems;
      } else if (mon.error == 0) {
        mon.error = err;
      }
    }
  }
  if (server.empty() && mon.datagrams == 0 && mon.error == 0) {
    return {not_the_protocol("NTP", answers), {}};
  }
  std::string s = server.empty() ? "an NTP server" : server;
  if (mon.datagrams > 0) {
    s += "; monlist answered with " + std::to_string(mon.entries) + " entr" +
         (mon.entries == 1 ? "y" : "ies") + " in " + count_text(mon.datagrams, "datagram");
    return {s, "ntp-monlist"};
  }
  if (mon.error != 0) {
    s += "; mode 7 answered monlist with " + std::string(mode7_error(mon.error)) + " (code " +
         std::to_string(mon.error) + ")";
  }
  return {s, {}};
}

}  // namespace breakwater::probe::udp::detail
