// The API's JSON of a scan (docs/api.md): id, state, progress and the result in the shape of
// `breakwater probe --json`. Written from a snapshot a piece at a time: a full range's
// document is about 6 MB, and answers that each held theirs whole let a client with a few
// dozen unread requests take gigabytes.
#pragma once

#include "scan/service.hpp"
#include "site/http_names.hpp"

#include <cstddef>
#include <string>

namespace breakwater::site {

class scan_json_writer {
 public:
  explicit scan_json_writer(scan::scan_snapshot s);

  // Appends the next part of the document to `out`: at least `budget` bytes (whole ports)
  // unless the document ends first. False once the whole document has been given.
  bool next(std::string& out, std::size_t budget);

 private:
  void add_verdicts(std::string& out, std::size_t first, std::size_t end, std::size_t budget,
                    std::size_t start);

  scan::scan_snapshot snap_;
  // The document with its "ports" and "udp" arrays empty; a verdict list goes in at each
  // cut (`cuts_[1]` is npos when there is no "udp" array).
  std::string skeleton_;
  std::size_t cuts_[2] = {0, 0};
  unsigned step_ = 0;     // 0 text, 1 TCP verdicts, 2 text, 3 UDP verdicts, 4 text, 5 done
  std::size_t next_ = 0;  // in steps 1 and 3: the next verdict of snap_.verdicts
  bool v6_ = false;
};

// The whole document, for small answers and tests.
std::string scan_json(scan::scan_snapshot s);

// GET /api/v1/scans/{id}'s answer: whole up to a few thousand verdicts, streamed beyond
// (gzip'd when `gzip`), so that what a request holds does not grow with the result.
response scan_json_answer(scan::scan_snapshot s, bool gzip);

}  // namespace breakwater::site
