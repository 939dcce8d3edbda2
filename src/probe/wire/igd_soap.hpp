// The SOAP calls an IGD's WAN connection service answers (UPnP IGD 1 and 2): the request
// bodies, and the answers read as their fields or as a UPnP error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace breakwater::probe {

using soap_args = std::vector<std::pair<std::string, std::string>>;

struct soap_call {
  std::string body;         // the envelope, text/xml
  std::string soap_action;  // the SOAPAction header's value, quoted
};

soap_call make_soap_call(std::string_view service_type, std::string_view action,
                         const soap_args& args = {});

struct soap_fault {
  int code = 0;  // the UPnP errorCode (713: no such mapping index; 501: action failed)
  std::string description;
};

struct soap_answer {
  soap_args fields;  // NewExternalIPAddress, NewExternalPort...
  std::optional<soap_fault> fault;
  const std::string* field(std::string_view name) const;
};

// Empty when the text is no SOAP envelope with a body.
std::optional<soap_answer> parse_soap_answer(std::string_view xml);

// One answer of GetGenericPortMappingEntry.
struct port_mapping {
  std::string remote_host;  // empty: any
  std::uint16_t external_port = 0;
  std::string protocol;  // "TCP" or "UDP"
  std::uint16_t internal_port = 0;
  std::string internal_client;
  bool enabled = true;
  std::string description;
  unsigned lease_seconds = 0;  // 0: permanent
};

// Empty when a port or the protocol is missing or not a number.
std::optional<port_mapping> port_mapping_of(const soap_answer& answer);

}  // namespace breakwater::probe
