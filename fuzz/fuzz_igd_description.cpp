// libFuzzer target for the IGD description parser (and the XML subset under it): never
// crashes, keeps to its limits, and resolves any control URL it finds without trouble.
#include "probe/wire/igd_description.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = breakwater::probe::parse_igd_description(text);
  if (!d) return 0;
  if (d->wan_services.size() > 32) std::abort();
  for (const auto& s : d->wan_services) {
    if (s.control_url.size() > 512 || s.service_type.size() > 512) std::abort();
    auto url = breakwater::probe::resolve_control_url("http://192.168.1.1:5000/rootDesc.xml",
                                                      d->url_base, s.control_url);
    if (url && !url->starts_with("http://")) std::abort();
  }
  return 0;
}
