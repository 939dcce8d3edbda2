// The port database: IANA's registrations and our entries, indexed by port.
#pragma once

#include "db/entry.hpp"
#include "db/iana_registry.hpp"
#include "db/port_range.hpp"
#include "db/range_note.hpp"

#include <array>
#include <bitset>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace breakwater::db {

inline constexpr unsigned port_count = 65536;

// Everything known about one port; views into the database that made it.
struct port_info {
  std::uint16_t port = 0;
  port_range range = port_range::system;
  std::vector<const iana_row*> registrations;  // assigned and reserved rows, tcp first
  bool unassigned = false;                     // IANA lists the port as Unassigned
  // IANA's Unassigned rows for the port that say more than that word: a note ("De-registered
  // 08 June 2001"), unauthorized use reported, a date. Shown as IANA publishes them.
  std::vector<const iana_row*> unassigned_notes;
  const entry* ours = nullptr;                // our entry, if written
  std::span<const range_note* const> ranges;  // our notes on ranges holding it, narrowest first
  bool browsers_refuse = false;               // on the Fetch Standard's bad-port list
  std::uint16_t previous = 0;                 // nearest port with data, wrapping
  std::uint16_t next = 0;
};

class database {
 public:
  database(std::vector<iana_row> rows, std::vector<entry> entries,
           std::vector<range_note> ranges = {});
  // The range index points into ranges_: a move keeps those addresses, a copy would not.
  database(const database&) = delete;
  database& operator=(const database&) = delete;
  database(database&&) noexcept = default;
  database& operator=(database&&) noexcept = default;

  port_info lookup(std::uint16_t port) const;

  // Nearest port below/above that has a registration, an entry or lies in the dynamic
  // range; wraps around (0's previous is 65535).
  std::uint16_t previous(std::uint16_t port) const noexcept;
  std::uint16_t next(std::uint16_t port) const noexcept;
  bool has_data(unsigned port) const noexcept { return has_data_[port]; }

  const entry* find_entry(unsigned port) const noexcept;
  // True when IANA lists the port as anything but Unassigned.
  bool has_registration(unsigned port) const noexcept;
  // A name for the port: our title, else the first registered service name.
  std::string_view name_of(unsigned port) const noexcept;

  std::span<const iana_row> rows() const noexcept { return rows_; }
  std::span<const entry> entries() const noexcept { return entries_; }
  std::span<const range_note> ranges() const noexcept { return ranges_; }
  // Our range notes that contain `port`, narrowest first.
  std::span<const range_note* const> ranges_at(unsigned port) const noexcept;
  // Rows that name a service but no port (mostly DNS-SD names), in registry order: no
  // port page can show them, so search finds them by name.
  std::span<const std::uint32_t> rows_without_port() const noexcept { return unported_; }
  // Rows covering `port`, in registry order (Unassigned rows included).
  std::span<const std::uint32_t> rows_at(unsigned port) const noexcept;

 private:
  void index_rows();
  void index_ranges();

  std::vector<iana_row> rows_;
  std::vector<entry> entries_;      // sorted by port
  std::vector<range_note> ranges_;  // sorted by width, then first port
  // The ports split where any range starts or ends: every port of a segment lies in the
  // same notes, so a lookup is a binary search, with no allocation.
  struct range_segment {
    unsigned first_port;
    std::uint32_t begin, end;  // into segment_notes_
  };
  std::vector<range_segment> segments_;
  std::vector<const range_note*> segment_notes_;
  std::vector<std::uint32_t> unported_;     // ids of rows without a port
  std::vector<std::uint32_t> row_offsets_;  // port -> start in row_ids_ (port_count + 1)
  std::vector<std::uint32_t> row_ids_;
  std::vector<std::int32_t> entry_index_;  // port -> index in entries_, or -1
  std::bitset<port_count> has_data_;
};

}  // namespace breakwater::db
