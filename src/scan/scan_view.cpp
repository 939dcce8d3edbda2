#include "scan/scan_view.hpp"

#include <array>

namespace breakwater::scan {
namespace {

struct kind_names {
  scan_kind kind;
  std::string_view name;
  std::string_view title;
};

constexpr std::array<kind_names, 9> kinds{{
    {scan_kind::single, "single", "One port"},
    {scan_kind::common, "common", "Common ports"},
    {scan_kind::service, "service", "All service ports (0-1055)"},
    {scan_kind::file_sharing, "file-sharing", "File sharing (137-139, 445)"},
    {scan_kind::custom, "custom", "Ports of your choice"},
    {scan_kind::full, "full", "Full range (0-65535)"},
    {scan_kind::ping, "ping", "Ping (ICMP echo)"},
    {scan_kind::upnp, "upnp", "UPnP exposure (SSDP on UDP 1900)"},
    {scan_kind::udp, "udp", "UDP services and reflectors"},
}};

}  // namespace

std::string_view to_string(scan_kind k) noexcept { return kinds[static_cast<std::size_t>(k)].name; }

std::string_view title_of(scan_kind k) noexcept { return kinds[static_cast<std::size_t>(k)].title; }

bool parse_scan_kind(std::string_view text, scan_kind& out) noexcept {
  for (const auto& k : kinds) {
    if (k.name == text) {
      out = k.kind;
      return true;
    }
  }
  return false;
}

std::string_view to_string(scan_phase p) noexcept {
  switch (p) {
    case scan_phase::running: return "running";
    case scan_phase::done: return "done";
    case scan_phase::cancelled: return "cancelled";
    case scan_phase::failed: return "failed";
  }
  return "unknown";
}

}  // namespace breakwater::scan
