#include "db/database.hpp"

#include "common/text.hpp"
#include "db/bad_ports.hpp"

#include <algorithm>

namespace breakwater::db {

database::database(std::vector<iana_row> rows, std::vector<entry> entries,
                   std::vector<range_note> ranges)
    : rows_(std::move(rows)),
      entries_(std::move(entries)),
      ranges_(std::move(ranges)),
      entry_index_(port_count, -1) {
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const entry& a, const entry& b) { return a.port < b.port; });
  // Keep the first entry per port; the loader already reports duplicates.
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const entry& a, const entry& b) { return a.port == b.port; }),
                 entries_.end());
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    entry_index_[entries_[i].port] = static_cast<std::int32_t>(i);
    has_data_.set(entries_[i].port);
  }
  // Narrowest first: the most specific explanation of a port leads its page.
  std::stable_sort(ranges_.begin(), ranges_.end(), [](const range_note& a, const range_note& b) {
    return a.width() != b.width() ? a.width() < b.width() : a.lo < b.lo;
  });
  index_rows();
  index_ranges();
  for (unsigned p = 49152; p < port_count; ++p) has_data_.set(p);
}

// Compressed per-port row lists: count, prefix-sum, fill.
void database::index_rows() {
  row_offsets_.assign(port_count + 1, 0);
  for (std::uint32_t i = 0; i < rows_.size(); ++i) {
    const iana_row& r = rows_[i];
    if (!r.has_port) {
      unported_.push_back(i);
      continue;
    }
    for (unsigned p = r.port_lo; p <= r.port_hi; ++p) ++row_offsets_[p + 1];
  }
  for (unsigned p = 0; p < port_count; ++p) row_offsets_[p + 1] += row_offsets_[p];
  row_ids_.resize(row_offsets_[port_count]);
  std::vector<std::uint32_t> fill(row_offsets_.begin(), row_offsets_.end() - 1);
  for (std::uint32_t i = 0; i < rows_.size(); ++i) {
    const iana_row& r = rows_[i];
    if (!r.has_port) continue;
    for (unsigned p = r.port_lo; p <= r.port_hi; ++p) {
      row_ids_[fill[p]++] = i;
      if (r.status != iana_status::unassigned) has_data_.set(p);
    }
  }
}

std::span<const std::uint32_t> database::rows_at(unsigned port) const noexcept {
  return std::span<const std::uint32_t>(row_ids_).subspan(
      row_offsets_[port], row_offsets_[port + 1] - row_offsets_[port]);
}

void database::index_ranges() {
  std::vector<unsigned> starts{0};
  for (const range_note& r : ranges_) {
    starts.push_back(r.lo);
    if (r.hi + 1u < port_count) starts.push_back(r.hi + 1u);
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  for (unsigned first : starts) {
    auto begin = static_cast<std::uint32_t>(segment_notes_.size());
    for (const range_note& r : ranges_) {
      if (r.contains(first)) segment_notes_.push_back(&r);  // ranges_ is narrowest first
    }
    segments_.push_back({first, begin, static_cast<std::uint32_t>(segment_notes_.size())});
  }
}

std::span<const range_note* const> database::ranges_at(unsigned port) const noexcept {
  auto after =
      std::upper_bound(segments_.begin(), segments_.end(), port,
                       [](unsigned p, const range_segment& s) { return p < s.first_port; });
  if (after == segments_.begin()) return {};
  const range_segment& s = *(after - 1);
  return std::span<const range_note* const>(segment_notes_).subspan(s.begin, s.end - s.begin);
}

const entry* database::find_entry(unsigned port) const noexcept {
  if (port >= port_count || entry_index_[port] < 0) return nullptr;
  return &entries_[static_cast<std::size_t>(entry_index_[port])];
}

bool database::has_registration(unsigned port) const noexcept {
  if (port >= port_count) return false;
  for (std::uint32_t id : rows_at(port)) {
    if (rows_[id].status != iana_status::unassigned) return true;
  }
  return false;
}

std::string_view database::name_of(unsigned port) const noexcept {
  if (const entry* e = find_entry(port)) return e->title;
  if (port >= port_count) return {};
  for (std::uint32_t id : rows_at(port)) {
    if (!rows_[id].service.empty()) return rows_[id].service;
  }
  return {};
}

std::uint16_t database::previous(std::uint16_t port) const noexcept {
  unsigned p = port;
  for (unsigned step = 0; step < port_count; ++step) {
    p = (p + port_count - 1) % port_count;
    if (has_data_[p]) return static_cast<std::uint16_t>(p);
  }
  return port;
}

std::uint16_t database::next(std::uint16_t port) const noexcept {
  unsigned p = port;
  for (unsigned step = 0; step < port_count; ++step) {
    p = (p + 1) % port_count;
    if (has_data_[p]) return static_cast<std::uint16_t>(p);
  }
  return port;
}

namespace {

// Whether an Unassigned row carries anything besides its ports, transport and that word.
bool says_more_than_unassigned(const iana_row& r) {
  for (const std::string* f : {&r.assignee, &r.contact, &r.registration_date, &r.modification_date,
                               &r.reference, &r.service_code, &r.unauthorized_use, &r.notes}) {
    if (!f->empty()) return true;
  }
  return !common::iequals(r.description, "Unassigned");
}

}  // namespace

port_info database::lookup(std::uint16_t port) const {
  port_info info;
  info.port = port;
  info.range = range_of(port);
  for (std::uint32_t id : rows_at(port)) {
    const iana_row& r = rows_[id];
    if (r.status == iana_status::unassigned) {
      info.unassigned = true;
      if (says_more_than_unassigned(r)) info.unassigned_notes.push_back(&r);
    } else {
      info.registrations.push_back(&r);
    }
  }
  // Group by transport (tcp, udp, sctp, dccp), keeping registry order within each.
  std::stable_sort(info.registrations.begin(), info.registrations.end(),
                   [](const iana_row* a, const iana_row* b) {
                     auto key = [](const iana_row* r) { return r->proto ? int(*r->proto) : 9; };
                     return key(a) < key(b);
                   });
  info.ours = find_entry(port);
  info.ranges = ranges_at(port);
  info.browsers_refuse = db::browsers_refuse(port);
  info.previous = previous(port);
  info.next = next(port);
  return info;
}

}  // namespace breakwater::db
