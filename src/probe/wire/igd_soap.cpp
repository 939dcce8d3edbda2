#include "probe/wire/igd_soap.hpp"

#include "common/text.hpp"
#include "probe/wire/xml_subset.hpp"

#include <fmt/format.h>

#include <charconv>

namespace breakwater::probe {
namespace {

constexpr std::size_t max_answer = std::size_t{64} * 1024;

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

template <typename T>
std::optional<T> number(std::string_view text) {
  T v{};
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc{} || r.ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

// Text of a fault's element, unescaped, one line, at most 512 bytes.
std::string fault_text(std::string_view fault, std::string_view name) {
  auto e = find_element(fault, name);
  if (!e) return {};
  std::string text = xml_unescape(common::trim(e->content.substr(0, 512)));
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

soap_fault fault_of(std::string_view fault) {
  soap_fault f;
  if (auto code = find_element(fault, "errorCode"))
    f.code = number<int>(common::trim(code->content)).value_or(0);
  f.description = fault_text(fault, "errorDescription");
  if (f.description.empty()) f.description = fault_text(fault, "faultstring");
  return f;
}

}  // namespace

soap_call make_soap_call(std::string_view service_type, std::string_view action,
                         const soap_args& args) {
  std::string params;
  for (const auto& [name, value] : args)
    params += fmt::format("<{0}>{1}</{0}>", name, xml_escape(value));
  return {fmt::format("<?xml version=\"1.0\"?>\r\n"
                      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                      "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">"
                      "<s:Body><u:{0} xmlns:u=\"{1}\">{2}</u:{0}></s:Body></s:Envelope>\r\n",
                      action, service_type, params),
          fmt::format("\"{}#{}\"", service_type, action)};
}

const std::string* soap_answer::field(std::string_view name) const {
  for (const auto& [n, v] : fields) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::optional<soap_answer> parse_soap_answer(std::string_view xml) {
  xml = xml.substr(0, max_answer);
  auto envelope = find_element(xml, "Envelope");
  if (!envelope) return std::nullopt;
  auto body = find_element(envelope->content, "Body");
  if (!body) return std::nullopt;
  soap_answer a;
  if (auto fault = find_element(body->content, "Fault")) {
    a.fault = fault_of(fault->content);
    return a;
  }
  if (auto response = first_child(body->content)) a.fields = text_children(response->second);
  return a;
}

std::optional<port_mapping> port_mapping_of(const soap_answer& answer) {
  auto text = [&](std::string_view name) {
    const std::string* v = answer.field(name);
    return v == nullptr ? std::string{} : *v;
  };
  auto external = number<std::uint16_t>(text("NewExternalPort"));
  auto internal = number<std::uint16_t>(text("NewInternalPort"));
  std::string protocol = text("NewProtocol");
  if (!external || !internal || protocol.empty()) return std::nullopt;
  port_mapping m;
  m.remote_host = text("NewRemoteHost");
  m.external_port = *external;
  m.protocol = protocol;
  m.internal_port = *internal;
  m.internal_client = text("NewInternalClient");
  m.enabled = text("NewEnabled") != "0";
  m.description = text("NewPortMappingDescription");
  m.lease_seconds = number<unsigned>(text("NewLeaseDuration")).value_or(0);
  return m;
}

}  // namespace breakwater::probe
