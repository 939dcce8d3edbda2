#include "probe/wire/igd_description.hpp"

#include "probe/wire/xml_subset.hpp"

namespace breakwater::probe {
namespace {

constexpr std::size_t max_description = std::size_t{256} * 1024;
constexpr std::size_t max_services = 32;

bool is_wan_connection(std::string_view type) {
  return type.find(":WANIPConnection:") != std::string_view::npos ||
         type.find(":WANPPPConnection:") != std::string_view::npos;
}

std::string text_of(std::string_view content, std::string_view name) {
  for (auto& [n, v] : text_children(content)) {
    if (n == name) return v;
  }
  return {};
}

void read_services(std::string_view xml, igd_description& d) {
  std::size_t pos = 0;
  for (std::size_t n = 0; n < max_services; ++n) {
    auto service = find_element(xml, "service", pos);
    if (!service) return;
    pos = service->after;
    std::string type = text_of(service->content, "serviceType");
    std::string control = text_of(service->content, "controlURL");
    if (is_wan_connection(type) && !control.empty())
      d.wan_services.push_back({std::move(type), std::move(control)});
  }
}

}  // namespace

std::optional<igd_description> parse_igd_description(std::string_view xml) {
  xml = xml.substr(0, max_description);
  auto root = find_element(xml, "root");
  if (!root) return std::nullopt;
  auto device = find_element(root->content, "device");
  if (!device) return std::nullopt;
  igd_description d;
  for (auto& [name, value] : text_children(root->content)) {
    if (name == "URLBase") d.url_base = value;
  }
  for (auto& [name, value] : text_children(device->content)) {
    if (name == "friendlyName") d.friendly_name = value;
    if (name == "manufacturer") d.manufacturer = value;
    if (name == "modelName") d.model_name = value;
  }
  read_services(device->content, d);
  return d;
}

std::optional<std::string> resolve_control_url(std::string_view location, std::string_view url_base,
                                               std::string_view ref) {
  constexpr std::string_view scheme = "http://";
  if (ref.starts_with(scheme)) return std::string(ref);
  std::string_view base = url_base.empty() ? location : url_base;
  if (!base.starts_with(scheme) || ref.empty()) return std::nullopt;
  std::size_t path_at = base.find('/', scheme.size());
  std::string_view origin = base.substr(0, path_at);
  if (origin.size() == scheme.size()) return std::nullopt;  // no host
  if (ref.starts_with('/')) return std::string(origin) + std::string(ref);
  std::string_view path = path_at == std::string_view::npos ? "/" : base.substr(path_at);
  path = path.substr(0, path.rfind('/') + 1);  // the base's directory
  return std::string(origin) + std::string(path) + std::string(ref);
}

}  // namespace breakwater::probe
