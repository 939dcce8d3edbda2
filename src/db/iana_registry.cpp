#include "db/iana_registry.hpp"

#include "common/text.hpp"
#include "db/csv_reader.hpp"
#include "db/error.hpp"

#include <fmt/format.h>

#include <array>

namespace breakwater::db {
namespace {

constexpr std::array<std::string_view, 12> columns{
    "Service Name", "Port Number",  "Transport Protocol",        "Description",
    "Assignee",     "Contact",      "Registration Date",         "Modification Date",
    "Reference",    "Service Code", "Unauthorized Use Reported", "Assignment Notes"};

bool is_header(const csv_record& r) {
  if (r.fields.size() != columns.size()) return false;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    // IANA's file has started with a byte-order mark in some years.
    std::string_view f = common::trim(r.fields[i]);
    if (i == 0 && f.starts_with("\xEF\xBB\xBF")) f.remove_prefix(3);
    if (!common::iequals(f, columns[i])) return false;
  }
  return true;
}

// "443" or "6000-6063"; the error names what is wrong.
std::optional<std::string> parse_ports(std::string_view text, iana_row& row) {
  std::string_view lo = text, hi = text;
  if (auto dash = text.find('-'); dash != std::string_view::npos) {
    lo = common::trim(text.substr(0, dash));
    hi = common::trim(text.substr(dash + 1));
  }
  auto a = common::parse_port_number(lo);
  auto b = common::parse_port_number(hi);
  if (!a || !b) return fmt::format("port '{}' is not a number or range within 0-65535", text);
  if (*a > *b) return fmt::format("port range '{}' runs backwards", text);
  row.has_port = true;
  row.port_lo = static_cast<std::uint16_t>(*a);
  row.port_hi = static_cast<std::uint16_t>(*b);
  return std::nullopt;
}

std::optional<std::string> fill_row(const csv_record& r, iana_row& row) {
  if (r.fields.size() != columns.size()) {
    return fmt::format("expected {} fields, found {}", columns.size(), r.fields.size());
  }
  auto field = [&](std::size_t i) { return std::string(common::trim(r.fields[i])); };
  row.service = field(0);
  row.description = field(3);
  row.assignee = field(4);
  row.contact = field(5);
  row.registration_date = field(6);
  row.modification_date = field(7);
  row.reference = field(8);
  row.service_code = field(9);
  row.unauthorized_use = field(10);
  row.notes = field(11);
  row.line = r.line;
  if (std::string ports = field(1); !ports.empty()) {
    if (auto bad = parse_ports(ports, row)) return bad;
  }
  if (std::string proto = field(2); !proto.empty()) {
    row.proto = parse_transport(proto);
    if (!row.proto) return fmt::format("unknown transport protocol '{}'", proto);
  }
  if (!row.has_port && row.service.empty()) return "row has neither a service name nor a port";
  if (row.service.empty() && row.description.empty()) {
    return "row has a port but neither a service name nor a description";
  }
  row.status = classify(row);
  return std::nullopt;
}

}  // namespace

iana_status classify(const iana_row& row) noexcept {
  if (!row.service.empty()) return iana_status::assigned;
  std::string_view d = common::trim(row.description);
  if (common::iequals(d, "Unassigned")) return iana_status::unassigned;
  if (common::iequals(d, "Reserved") || common::iequals(d, "IANA Reserved"))
    return iana_status::reserved;
  if (common::iequals(d, "De-registered") || common::iequals(d, "Removed"))
    return iana_status::withdrawn;
  return iana_status::assigned;
}

boost::system::result<iana_import> parse_iana_csv(std::string_view text, std::string_view file) {
  csv_reader reader(text);
  csv_record record;
  csv_error error;
  if (!reader.next(record, error) || error.line != 0 || !is_header(record)) {
    return make_error_code(errc::registry_bad_header);
  }
  iana_import out;
  while (reader.next(record, error)) {
    if (error.line != 0) {
      out.problems.push_back({std::string(file), error.line, error.message});
      continue;
    }
    if (record.fields.size() == 1 && common::trim(record.fields[0]).empty())
      continue;  // blank line
    iana_row row;
    if (auto bad = fill_row(record, row)) {
      out.problems.push_back({std::string(file), record.line, *bad + "; row skipped"});
      continue;
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace breakwater::db
