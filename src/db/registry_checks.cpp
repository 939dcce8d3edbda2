#include "db/registry_checks.hpp"
#include "common/read_file.hpp"

#include "common/text.hpp"
#include "db/csv_reader.hpp"
#include "db/database_loader.hpp"
#include "db/registry_sums.hpp"
#include "db/sha256.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace breakwater::db {
namespace {

void check_checksum(const registry_files& files, common::diagnostics& out) {
  if (!files.sums) {
    out.push_back({std::string(files.sums_name), 0,
                   "missing: it records the sha256 of IANA's file; re-run 'breakwater db "
                   "import-iana' to write it"});
    return;
  }
  auto recorded = recorded_registry_sha256(*files.sums);
  if (!recorded) {
    out.push_back(
        {std::string(files.sums_name), 0, "has no 'SHA256  service-names-port-numbers.csv' line"});
    return;
  }
  if (std::string actual = sha256_hex(files.csv); actual != *recorded) {
    out.push_back(
        {std::string(files.csv_name), 0,
         fmt::format("sha256 is {} but {} records {}: the file is not the copy of IANA's registry "
                     "that was imported; re-import it with 'breakwater db import-iana'",
                     actual, files.sums_name, *recorded)});
  }
}

// "x11 6000-6063/tcp" for messages.
std::string describe_row(const csv_record& r) {
  auto field = [&](std::size_t i) {
    return i < r.fields.size() ? std::string(common::trim(r.fields[i])) : std::string{};
  };
  std::string name = field(0).empty() ? fmt::format("({})", field(3)) : field(0);
  std::string where = field(1).empty() ? "no port" : field(1);
  if (!field(2).empty()) where += "/" + field(2);
  return fmt::format("'{} {}'", name, where);
}

bool same_row(const csv_record& r, const iana_row& row) {
  if (r.fields.size() != 12) return false;
  return common::trim(r.fields[0]) == row.service && common::trim(r.fields[3]) == row.description &&
         common::trim(r.fields[4]) == row.assignee && common::trim(r.fields[8]) == row.reference &&
         common::trim(r.fields[10]) == row.unauthorized_use &&
         common::trim(r.fields[11]) == row.notes;
}

// Where readers meet the row: each covered port's lookup (an Unassigned row as the port's
// "unassigned" flag), or the list of rows without a port.
bool reachable(const database& db, std::uint32_t id) {
  const iana_row& row = db.rows()[id];
  if (!row.has_port) {
    auto unported = db.rows_without_port();
    return std::find(unported.begin(), unported.end(), id) != unported.end();
  }
  for (unsigned p = row.port_lo; p <= row.port_hi; ++p) {
    port_info info = db.lookup(static_cast<std::uint16_t>(p));
    if (row.status == iana_status::unassigned) {
      if (!info.unassigned) return false;
      continue;
    }
    if (std::find(info.registrations.begin(), info.registrations.end(), &row) ==
        info.registrations.end()) {
      return false;
    }
  }
  return true;
}

void check_rows(const database& db, const registry_files& files, common::diagnostics& out) {
  std::unordered_map<std::size_t, std::uint32_t> by_line;
  for (std::uint32_t i = 0; i < db.rows().size(); ++i) by_line.emplace(db.rows()[i].line, i);
  // The file is read again with the plain CSV reader, independently of the importer, so
  // a row the importer lost or changed shows up here.
  csv_reader reader(files.csv);
  csv_record record;
  csv_error error;
  bool header = true;
  while (reader.next(record, error)) {
    if (std::exchange(header, false)) continue;
    if (record.fields.size() == 1 && common::trim(record.fields[0]).empty()) continue;
    std::string file(files.csv_name);
    auto found = by_line.find(record.line);
    if (error.line != 0 || found == by_line.end()) {
      out.push_back({file, record.line,
                     fmt::format("row {} is not in the database (the loader skipped it)",
                                 describe_row(record))});
    } else if (!same_row(record, db.rows()[found->second])) {
      out.push_back({file, record.line,
                     fmt::format("row {} was loaded with different text", describe_row(record))});
    } else if (!reachable(db, found->second)) {
      out.push_back({file, record.line,
                     fmt::format("row {} is loaded but missing from the ports it covers",
                                 describe_row(record))});
    }
  }
}

}  // namespace

common::diagnostics check_registry(const database& db, const registry_files& files) {
  common::diagnostics out;
  check_checksum(files, out);
  check_rows(db, files, out);
  return out;
}

common::diagnostics check_registry(const database& db, const std::filesystem::path& data_dir) {
  std::string csv_name = (data_dir.filename() / registry_file).string();
  std::string sums_name = (data_dir.filename() / registry_sums_file).string();
  auto csv = common::read_file(data_dir / registry_file);
  if (!csv) return {{csv_name, 0, csv.error().message()}};
  auto sums = common::read_file(data_dir / registry_sums_file);
  registry_files files{*csv, csv_name, std::nullopt, sums_name};
  if (sums) files.sums = *sums;
  return check_registry(db, files);
}

}  // namespace breakwater::db
