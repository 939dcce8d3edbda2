// IANA's service-name and port-number registry: rows and the CSV reader. The importer ships
// IANA's file unchanged (see `db import-iana`), so there is no writer.
#pragma once

#include "common/diagnostic.hpp"
#include "db/transport.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::db {

// What a row says about its ports. Rows without a service name are Reserved,
// Unassigned, De-registered/Removed, or (rarely) a description-only assignment such as
// 87/udp "any private terminal link".
enum class iana_status { assigned, reserved, unassigned, withdrawn };

struct iana_row {
  std::string service;    // empty for Reserved/Unassigned ranges
  bool has_port = false;  // false for service-name-only registrations (DNS-SD names)
  std::uint16_t port_lo = 0;
  std::uint16_t port_hi = 0;
  std::optional<transport> proto;  // absent on Unassigned ranges
  std::string description;
  std::string assignee;
  std::string contact;
  std::string registration_date;
  std::string modification_date;
  std::string reference;
  std::string service_code;
  std::string unauthorized_use;
  std::string notes;
  std::size_t line = 0;                        // where the row stood in its CSV
  iana_status status = iana_status::assigned;  // derived from the service name and description

  bool covers(unsigned port) const noexcept {
    return has_port && port >= port_lo && port <= port_hi;
  }
};

// Reads the status off a row's service name and description.
iana_status classify(const iana_row& row) noexcept;

struct iana_import {
  std::vector<iana_row> rows;
  common::diagnostics problems;  // rows that were skipped, each with its line
};

// Parses IANA's official CSV (service-names-port-numbers.csv). Fails only when the
// header is not IANA's; bad rows are reported in `problems` and skipped.
boost::system::result<iana_import> parse_iana_csv(std::string_view text, std::string_view file);

}  // namespace breakwater::db
