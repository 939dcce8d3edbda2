// The SQL Server Resolution Protocol ([MC-SQLR]) on UDP 1434: the browser's list of instances.
#include "probe/wire/udp/byte_reader.hpp"
#include "probe/wire/udp/families.hpp"

#include "common/text.hpp"

namespace breakwater::probe::udp::detail {
namespace {

// [MC-SQLR] 2.2.2 CLNT_BCAST_EX: "every instance on this machine". The browser answers it sent
// unicast as well, and scanners have always sent it.
constexpr char clnt_bcast_ex = 0x02;
// [MC-SQLR] 2.2.5 SVR_RESP: the byte 0x05, RESP_SIZE (2 bytes, little-endian), RESP_DATA.
constexpr std::uint8_t svr_resp = 0x05;
constexpr std::size_t instances_shown = 4;

struct instance {
  std::string_view server, name, version, tcp;
};

// RESP_DATA: per instance "ServerName;X;InstanceName;Y;IsClustered;No;Version;V;tcp;1433;;",
// keys and values alternating, each instance ended by ";;".
std::vector<instance> read_instances(std::string_view data) {
  std::vector<instance> out;
  while (!data.empty() && out.size() < 64) {
    auto end = data.find(";;");
    auto text = data.substr(0, end);
    data = end == std::string_view::npos ? std::string_view{} : data.substr(end + 2);
    instance inst;
    while (!text.empty()) {
      auto key_end = text.find(';');
      auto key = text.substr(0, key_end);
      if (key_end == std::string_view::npos) break;
      text = text.substr(key_end + 1);
      auto value_end = text.find(';');
      auto value = text.substr(0, value_end);
      text = value_end == std::string_view::npos ? std::string_view{} : text.substr(value_end + 1);
      if (common::iequals(key, "ServerName")) inst.server = value;
      if (common::iequals(key, "InstanceName")) inst.name = value;
      if (common::iequals(key, "Version")) inst.version = value;
      if (common::iequals(key, "tcp")) inst.tcp = value;
    }
    if (!inst.server.empty() || !inst.name.empty()) out.push_back(inst);
  }
  return out;
}

std::string instances_summary(const std::vector<instance>& list) {
  std::string s = "a SQL Server browser";
  if (!list.front().server.empty()) s += " on " + escaped_text(list.front().server, 40);
  s += ": ";
  for (std::size_t i = 0; i < list.size() && i < instances_shown; ++i) {
    if (i > 0) s += ", ";
    s += list[i].name.empty() ? std::string("an unnamed instance") : escaped_text(list[i].name, 40);
    if (!list[i].version.empty()) s += " " + escaped_text(list[i].version, 24);
    if (!list[i].tcp.empty()) s += " (tcp " + escaped_text(list[i].tcp, 8) + ")";
  }
  if (list.size() > instances_shown) {
    s += " and " + std::to_string(list.size() - instances_shown) + " more";
  }
  return s;
}

}  // namespace

std::vector<std::string> mssql_requests() { return {std::string(1, clnt_bcast_ex)}; }

reading mssql_read(std::span<const std::string_view> answers) {
  for (auto d : answers) {
    byte_reader r(d);
    auto type = r.u8();
    auto size = r.u16_le();
    if (!r.ok() || type != svr_resp) continue;
    // A RESP_SIZE past the datagram's end reads what arrived.
    auto data = r.rest().substr(0, size);
    auto list = read_instances(data);
    if (!list.empty()) return {instances_summary(list), "mssql-browser"};
  }
  return {not_protocol_summary(answers, "SQL Server browser"), {}};
}

}  // namespace breakwater::probe::udp::detail
