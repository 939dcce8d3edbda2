// The SQL Server Resolution Protocol ([MC-SQLR]) on UDP 1434: the browser's list of instances.
#include "probe/wire/udp/answer_bytes.hpp"
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
    auto fields = split(data.substr(0, end), ';');
    data = end == std::string_view::npos ? std::string_view{} : data.substr(end + 2);
    instance inst;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      auto key = fields[i], value = fields[i + 1];
      if (common::iequals(key, "ServerName")) inst.server = value;
      if (common::iequals(key, "InstanceName")) inst.name = value;
      if (common::iequals(key, "Version")) inst.version = value;
      if (common::iequals(key, "tcp")) inst.tcp = value;
    }
    if (!inst.server.empty() || !inst.name.empty()) out.push_back(inst);
  }
  return out;
}

std::string instance_text(const instance& inst) {
  std::string s =
      inst.name.empty() ? std::string("an unnamed instance") : escaped_text(inst.name, 40);
  if (!inst.version.empty()) s += " " + escaped_text(inst.version, 24);
  if (!inst.tcp.empty()) s += " (tcp " + escaped_text(inst.tcp, 8) + ")";
  return s;
}

std::optional<std::string> browser_summary(std::string_view d) {
  byte_reader r(d);
  auto type = r.u8();
  auto size = r.u16_le();
  if (!r.ok() || type != svr_resp) return std::nullopt;
  // A RESP_SIZE past the datagram's end reads what arrived.
  auto list = read_instances(r.rest().substr(0, size));
  if (list.empty()) return std::nullopt;
  std::string s = "a SQL Server browser";
  if (!list.front().server.empty()) s += " on " + escaped_text(list.front().server, 40);
  return s + ": " + listed(list, instances_shown, instance_text);
}

}  // namespace

std::vector<std::string> mssql_requests() { return {std::string(1, clnt_bcast_ex)}; }

reading mssql_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "SQL Server browser", "mssql-browser", browser_summary);
}

}  // namespace breakwater::probe::udp::detail
