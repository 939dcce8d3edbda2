// The API's JSON of a scan (docs/api.md): id, state, progress and the result in the shape of
// `breakwater probe --json`. Written from a snapshot a piece at a time: a full range's
// document is about 6 MB, and answers that each held theirs whole let a client with a few
// dozen unread requests take gigabytes.
#pragma once

#include "scan/service.hpp"
#include "site/http_names.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <utility>

namespace breakwater::site {

class scan_json_writer {
 public:
  explicit scan_json_writer(scan::scan_snapshot s);

  // Appends the next part of the document to `out`: at least `budget` bytes (whole ports)
  // unless the document ends first. False once the whole document has been given.
  bool next(std::string& out, std::size_t budget);

 private:
  scan::scan_snapshot snap_;
  // The document is texts_[0], the verdicts of ranges_[0] (TCP), texts_[1], those of
  // ranges_[1] (UDP: empty when there is no "udp" array), texts_[2].
  std::array<std::string, 3> texts_;
  std::array<std::pair<std::size_t, std::size_t>, 2> ranges_{};
  unsigned step_ = 0;     // even: texts_[step_ / 2]; odd: ranges_[step_ / 2]; 5: done
  std::size_t next_ = 0;  // in a range: the next verdict of snap_.verdicts
  bool v6_ = false;
};

// The whole document, for small answers and tests.
std::string scan_json(scan::scan_snapshot s);

// GET /api/v1/scans/{id}'s answer: whole up to a few thousand verdicts, streamed beyond
// (gzip'd when `gzip`), so that what a request holds does not grow with the result.
response scan_json_answer(scan::scan_snapshot s, bool gzip);

}  // namespace breakwater::site
