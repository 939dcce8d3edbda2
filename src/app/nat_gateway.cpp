#include "app/nat_gateway.hpp"

#include "app/nat_socket.hpp"
#include "http/client.hpp"
#include "probe/wire/igd_description.hpp"
#include "probe/wire/nat_pmp.hpp"
#include "probe/wire/ssdp_reply.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <chrono>

namespace breakwater::app {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view igd_type = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";
constexpr unsigned max_mappings = 256;

std::string igd_msearch(std::string_view host) {
  return fmt::format(
      "M-SEARCH * HTTP/1.1\r\nHOST: {}:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: {}\r\n"
      "USER-AGENT: breakwater/0.1 UPnP/1.1 nat-diagnosis\r\n\r\n",
      host, igd_type);
}

std::string header(const probe::ssdp_reply& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return {};
}

// The host of an http:// URL ("192.168.1.1" of "http://192.168.1.1:5000/x").
std::string_view host_of(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) return {};
  url.remove_prefix(scheme.size());
  return url.substr(0, url.find_first_of(":/"));
}

// The LOCATION of the gateway's answer to M-SEARCH, or empty after about 2 seconds. Only a
// description on the gateway itself is read: an answer must not send us anywhere else.
std::string find_igd_location(const std::string& gateway) {
  udp_socket s;
  if (!s.open()) return {};
  int ttl = 2;
  ::setsockopt(s.fd(), IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
  s.send_to("239.255.255.250", 1900, igd_msearch("239.255.255.250"));
  s.send_to(gateway, 1900, igd_msearch(gateway));
  auto give_up = std::chrono::steady_clock::now() + 2s;
  while (auto d = s.receive_until(give_up)) {
    auto reply = probe::parse_ssdp_reply(d->data);
    if (!reply || d->from != gateway) continue;  // another device on the LAN
    std::string location = header(*reply, "LOCATION");
    if (host_of(location) == gateway) return location;
  }
  return {};
}

boost::system::result<probe::soap_answer, std::string> soap(const std::string& url,
                                                            const std::string& service,
                                                            std::string_view action,
                                                            const probe::soap_args& args = {}) {
  probe::soap_call call = probe::make_soap_call(service, action, args);
  http::client_request r;
  r.method = "POST";
  r.url = url;
  r.body = std::move(call.body);
  r.content_type = "text/xml; charset=\"utf-8\"";
  r.headers.emplace_back("SOAPAction", std::move(call.soap_action));
  r.timeout = 3s;
  r.family = http::ip_family::v4;
  auto res = http::fetch(r);
  if (!res)
    return boost::system::result<probe::soap_answer, std::string>(boost::system::in_place_error,
                                                                  res.error());
  auto answer = probe::parse_soap_answer(res->body);
  if (!answer)
    return boost::system::result<probe::soap_answer, std::string>(
        boost::system::in_place_error,
        fmt::format("the router answered {} without SOAP", res->status));
  return *answer;
}

std::string fault_text(const probe::soap_fault& f) {
  return fmt::format("GetExternalIPAddress failed with UPnP error {}{}", f.code,
                     f.description.empty() ? "" : " (" + f.description + ")");
}

void read_mappings(const std::string& url, const std::string& service, upnp_findings& out) {
  for (unsigned i = 0; i < max_mappings; ++i) {
    auto a = soap(url, service, "GetGenericPortMappingEntry",
                  {{"NewPortMappingIndex", std::to_string(i)}});
    if (!a || a->fault) return;  // 713 (no such index) ends the list
    if (auto m = probe::port_mapping_of(*a)) out.mappings.push_back(std::move(*m));
  }
}

// GetExternalIPAddress on the first WAN service that answers it, then its mappings.
void ask_wan_service(const std::string& location, const probe::igd_description& d,
                     upnp_findings& out) {
  for (const auto& service : d.wan_services) {
    auto url = probe::resolve_control_url(location, d.url_base, service.control_url);
    if (!url || host_of(*url) != host_of(location)) continue;  // SOAP goes to the gateway only
    auto a = soap(*url, service.service_type, "GetExternalIPAddress");
    if (!a) {
      out.problem = fmt::format("its control URL {} did not answer: {}", *url, a.error());
      continue;
    }
    out.problem.clear();
    const std::string* address = a->field("NewExternalIPAddress");
    if (a->fault)
      out.report.refusal = fault_text(*a->fault);
    else if (address == nullptr || address->empty())
      out.report.refusal = "GetExternalIPAddress gave an empty address";
    else
      out.report.wan_address = *address;
    read_mappings(*url, service.service_type, out);
    return;
  }
  if (out.problem.empty())
    out.problem = "none of its WAN connection services has a control URL on the gateway itself";
}

}  // namespace

upnp_findings ask_upnp(const std::string& gateway) {
  upnp_findings out;
  std::string location = find_igd_location(gateway);
  if (location.empty()) return out;
  out.report.answered = true;
  http::client_request r;
  r.url = location;
  r.timeout = 3s;
  r.family = http::ip_family::v4;
  auto res = http::fetch(r);
  if (!res || res->status != 200) {
    out.problem = fmt::format("its description at {} could not be read: {}", location,
                              res ? fmt::format("status {}", res->status) : res.error());
    return out;
  }
  auto d = probe::parse_igd_description(res->body);
  if (!d || d->wan_services.empty()) {
    out.problem = fmt::format("its description at {} names no WAN connection service", location);
    return out;
  }
  out.router_name = d->friendly_name.empty() ? d->model_name : d->friendly_name;
  ask_wan_service(location, *d, out);
  return out;
}

gateway_report ask_nat_pmp(const std::string& gateway) {
  gateway_report out;
  udp_socket s;
  if (!s.open()) return out;
  auto request = probe::make_nat_pmp_address_request();
  std::string_view bytes(reinterpret_cast<const char*>(request.data()), request.size());
  for (auto wait : {250ms, 500ms, 1000ms}) {
    if (!s.send_to(gateway, probe::nat_pmp_port, bytes)) return out;
    auto give_up = std::chrono::steady_clock::now() + wait;
    while (auto d = s.receive_until(give_up)) {
      if (d->from != gateway) continue;
      auto a = probe::parse_nat_pmp_address_answer(
          {reinterpret_cast<const std::uint8_t*>(d->data.data()), d->data.size()});
      if (!a) continue;
      out.answered = true;
      if (a->result != 0) {
        out.refusal =
            fmt::format("result {}: {}", a->result, probe::nat_pmp_result_text(a->result));
      } else {
        out.wan_address =
            fmt::format("{}.{}.{}.{}", a->address[0], a->address[1], a->address[2], a->address[3]);
      }
      return out;
    }
  }
  return out;
}

}  // namespace breakwater::app
