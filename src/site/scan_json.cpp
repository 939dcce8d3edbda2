#include "site/scan_json.hpp"

#include "common/json_text.hpp"
#include "http/gzip.hpp"
#include "probe/result_json.hpp"
#include "site/api_answers.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <memory>

namespace breakwater::site {
namespace {

namespace json = boost::json;

constexpr std::size_t whole_up_to = 4096;       // verdicts; larger documents are streamed
constexpr std::size_t piece_bytes = 32 * 1024;  // of JSON text per streamed piece

std::string iso_time(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                     std::chrono::time_point_cast<std::chrono::seconds>(t));
}

// The result object without "target" and its verdict arrays, in the order scan_to_json writes
// it, its summaries counted from the snapshot's verdicts.
json::object result_rest(const scan::scan_snapshot& s) {
  json::object rest;
  const json::value whole = probe::scan_to_json(s.view.result, false);
  for (const auto& [key, value] : whole.as_object()) {
    if (key == "target" || key == "ports" || key == "udp" || key == "udp_summary") continue;
    if (key != "summary") {
      rest[key] = value;
      continue;
    }
    rest["summary"] = probe::scan_summary_json(s.verdicts.tcp_summary(), false);
    if (s.verdicts.udp_count() > 0) {
      rest["udp_summary"] = probe::scan_summary_json(s.verdicts.udp_summary(), true);
    }
  }
  return rest;
}

}  // namespace

// The skeleton is put together by hand around the two arrays rather than found in a whole
// document by searching: text a target sent (a UPnP header) is in the document too, and may
// spell anything. The result's keys keep scan_to_json's order: target, ports, udp, the rest.
scan_json_writer::scan_json_writer(scan::scan_snapshot s) : snap_(std::move(s)) {
  const scan::scan_view& v = snap_.view;
  v6_ = v.result.target.is_v6();
  json::object o{{"id", v.id},
                 {"state", scan::to_string(v.phase)},
                 {"kind", scan::to_string(v.kind)},
                 {"target", v.target},
                 {"ports", v.ports.to_string()},
                 {"udp", v.udp_ports.to_string()},
                 {"ping", v.ping},
                 {"upnp", v.upnp},
                 {"progress", {{"decided", v.decided}, {"total", v.total_ports()}}},
                 {"estimate_ms", v.estimate.count()},
                 {"started", iso_time(v.started)},
                 {"expires", iso_time(v.expires)},
                 {"error", v.error.empty() ? json::value(nullptr) : json::value(v.error)}};
  std::string head = common::json_text(o);
  head.pop_back();  // the closing brace: "result" follows
  head += ",\"result\":{\"target\":";
  head += common::json_text(json::value(v.result.target.to_string()));
  texts_[0] = head + ",\"ports\":[";
  std::string rest = common::json_text(result_rest(snap_));  // {...}, or {} when empty
  std::string close = rest.size() > 2 ? "," + rest.substr(1) : std::string("}");  // with its }
  close += "}\n";
  const std::size_t tcp = snap_.verdicts.tcp_count();
  ranges_[0] = {0, tcp};
  if (!v.udp_ports.empty() || snap_.verdicts.udp_count() > 0) {
    texts_[1] = "],\"udp\":[";
    ranges_[1] = {tcp, snap_.verdicts.size()};
    texts_[2] = "]" + close;
  } else {
    texts_[1] = "]" + close;
    ranges_[1] = {tcp, tcp};
  }
}

bool scan_json_writer::next(std::string& out, std::size_t budget) {
  const std::size_t start = out.size();
  while (step_ < 5 && out.size() - start < budget) {
    if (step_ % 2 == 0) {
      out += texts_[step_ / 2];
      if (++step_ < 5) next_ = ranges_[step_ / 2].first;
      continue;
    }
    const auto [first, end] = ranges_[step_ / 2];
    for (; next_ < end && out.size() - start < budget; ++next_) {
      if (next_ > first) out += ',';
      out += common::json_text(probe::port_to_json(snap_.verdicts[next_], v6_));
    }
    if (next_ == end) ++step_;
  }
  return out.size() > start;
}

std::string scan_json(scan::scan_snapshot s) {
  scan_json_writer w(std::move(s));
  std::string out;
  while (w.next(out, std::size_t(-1) / 2)) {
  }
  return out;
}

namespace {

// Writes the next piece each time the session has taken the last: a client that stops
// reading holds two pieces (the one being sent and the next; and the snapshot's order, 4
// bytes a port), never the document.
// Called on the session's thread only.
class scan_json_source final : public async_source {
 public:
  scan_json_source(scan::scan_snapshot s, bool gzip) : writer_(std::move(s)) {
    if (gzip) gzip_ = std::make_unique<http::gzip_stream>();
  }

  void start(std::shared_ptr<async_sink> sink) override {
    sink_ = std::move(sink);
    write_next();
  }
  void on_drained() override { write_next(); }

 private:
  // A piece is at least 16 KB (what the session sends without waiting to gather more),
  // unless the document ends: gzip'd, that takes several pieces of text.
  void write_next() {
    if (!sink_ || ended_) return;
    std::string piece;
    while (!ended_ && piece.size() < piece_bytes / 2) {
      std::string text;
      ended_ = !writer_.next(text, piece_bytes);
      piece += gzip_ ? gzip_->add(text, ended_) : text;
    }
    if (!piece.empty()) sink_->write(std::move(piece));
    if (ended_) sink_->end();
  }

  scan_json_writer writer_;
  std::unique_ptr<http::gzip_stream> gzip_;
  std::shared_ptr<async_sink> sink_;
  bool ended_ = false;
};

}  // namespace

response scan_json_answer(scan::scan_snapshot s, bool gzip) {
  response res;
  res.content_type = json_type;
  if (s.verdicts.size() <= whole_up_to) {
    res.body = scan_json(std::move(s));
    return res;
  }
  res.later = std::make_shared<scan_json_source>(std::move(s), gzip);
  res.stream = true;
  res.heartbeat.clear();  // never: the source writes as fast as the client reads
  res.heartbeat_every = std::chrono::hours(1);
  if (gzip) res.headers.emplace_back("Content-Encoding", "gzip");
  res.headers.emplace_back("Vary", "Accept-Encoding");
  return res;
}

}  // namespace breakwater::site
