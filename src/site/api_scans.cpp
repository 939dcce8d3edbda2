#include "site/api_scans.hpp"
#include "common/json_object.hpp"
#include "common/json_text.hpp"
#include "site/address_note.hpp"
#include "site/api_answers.hpp"

#include "common/text.hpp"
#include "http/gzip.hpp"
#include "scan/plan.hpp"
#include "site/csrf.hpp"
#include "site/dual_stack.hpp"
#include "site/escape.hpp"
#include "site/scan_json.hpp"
#include "site/udp_words.hpp"
#include "site/visitor.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include <mutex>

namespace breakwater::site {
namespace {

namespace json = boost::json;

// Behind a load balancer a scan lives on one node only: when that node stops, the next
// request reaches another node, which has never heard of the id. The sentence says so, for
// that visitor and for one whose scan expired; a scan of another address gets the same
// answer, so that an id reveals nothing to anyone else.
response no_such_scan() {
  return website::json_error(404, "not_found", std::string(scan_gone_sentence));
}

// {"ports":"common","ping":true}, {"kind":"service","upnp":true}, {"udp":"udp-common"} or
// {"ports":"22,80","udp":"53,123"}: what to scan.
boost::system::result<scan::scan_order, std::string> order_of(std::string_view body) {
  auto parsed = common::parse_json_object(body, R"({"ports":"common"})");
  if (!parsed) return parsed.error();
  const json::object& o = *parsed;
  scan::scan_order order;
  for (const auto& [key, value] : o) {
    if (key == "ping" || key == "upnp") {
      if (!value.is_bool())
        return fmt::format("\"{}\" must be true or false", std::string_view(key));
      (key == "ping" ? order.ping : order.upnp) = value.as_bool();
    } else if (key == "kind" || key == "ports" || key == "udp") {
      if (!value.is_string()) return fmt::format("\"{}\" must be a string", std::string_view(key));
    } else {
      return fmt::format("unknown field \"{}\": use ports, udp, kind, ping and upnp",
                         std::string_view(key));
    }
  }
  if (const json::value* udp = o.if_contains("udp")) order.udp = std::string(udp->as_string());
  const json::value* kind = o.if_contains("kind");
  const json::value* ports = o.if_contains("ports");
  if (kind != nullptr) {
    std::string_view k = kind->as_string();
    if (!scan::parse_scan_kind(k, order.kind)) {
      return fmt::format(
          "unknown kind \"{}\": single, common, service, file-sharing, custom, "
          "full, ping, upnp or udp",
          k);
    }
    if (ports != nullptr) order.ports = std::string(ports->as_string());
    return order;
  }
  if (ports == nullptr) {
    if (!order.udp.empty()) {
      // UDP alone: the named UDP test, or UDP ports of the visitor's choice.
      order.kind = order.udp == "udp-common" ? scan::scan_kind::udp : scan::scan_kind::custom;
      if (order.kind == scan::scan_kind::udp) order.udp.clear();
      return order;
    }
    if (order.ping || order.upnp) {
      order.kind = order.ping ? scan::scan_kind::ping : scan::scan_kind::upnp;
      return order;
    }
    return std::string(
        "say what to scan: {\"ports\":\"common\"}, a port list such as "
        "\"21-23,80\", {\"udp\":\"udp-common\"}, or {\"ping\":true}");
  }
  std::string_view p = ports->as_string();
  if (auto named = scan::kind_named(p)) {
    order.kind = *named;
  } else {
    order.kind = scan::scan_kind::custom;
    order.ports = std::string(p);
  }
  return order;
}

// ?transport= of the check: true for udp, false for tcp (the default); nothing when it is
// neither.
std::optional<bool> check_transport(const request& req) {
  auto raw = query_param(req.query, "transport");
  if (!raw) return false;
  auto value = decode_query_value(*raw);
  if (value == "tcp") return false;
  if (value == "udp") return true;
  return std::nullopt;
}

std::uint64_t resume_point(const request& req) {
  std::string_view text = req.header("last-event-id");
  std::string decoded;
  if (text.empty()) {
    if (auto q = query_param(req.query, "after")) {
      decoded = decode_query_value(*q).value_or("");
      text = decoded;
    }
  }
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || v > (1ULL << 50)) return 0;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

// Server-sent events of one scan, until "done", a batch at a time: the subscription is
// paced, and asks for the next batch only when the session has taken the last one.
class event_stream final : public async_source {
 public:
  explicit event_stream(std::shared_ptr<std::shared_ptr<async_sink>> target,
                        std::unique_ptr<scan::subscription> sub)
      : target_(std::move(target)), sub_(std::move(sub)) {}

  void start(std::shared_ptr<async_sink> sink) override {
    sink->write("retry: 2000\n\n");
    {
      std::lock_guard lock(mu_);
      *target_ = std::move(sink);
    }
    sub_->resume();
  }
  void on_drained() override { sub_->resume(); }

  // The subscription's callback: runs with the service's lock held, so it only writes to
  // the session (a post) and never calls back into the service.
  static std::function<void(const scan::scan_event&)> writer(
      std::shared_ptr<std::shared_ptr<async_sink>> target) {
    return [target](const scan::scan_event& e) {
      std::shared_ptr<async_sink> sink;
      {
        std::lock_guard lock(mu_);
        sink = *target;
      }
      if (!sink) return;
      sink->write(format_sse(e));
      if (e.name == "done") sink->end();
    };
  }

 private:
  // Guards the sink pointers of every stream (a set once, read per event: no contention).
  static inline std::mutex mu_;
  std::shared_ptr<std::shared_ptr<async_sink>> target_;
  std::unique_ptr<scan::subscription> sub_;
};

// A UDP answer's finding in words, from the one findings table, for pages that show the
// check's answer without a table of their own (probe.js).
void add_finding_words(json::object& out) {
  const json::value* id = out.if_contains("finding");
  const json::value* amplification = out.if_contains("amplification");
  if (id == nullptr || !id->is_string()) return;
  double a = amplification != nullptr && amplification->is_number()
                 ? amplification->to_number<double>()
                 : 0.0;
  auto words = udp_finding_words_of(id->as_string(), a);
  if (!words) return;
  out["finding_words"] = json::object{
      {"sentence", words->sentence}, {"advice", words->advice}, {"reflector", words->reflector}};
}

// The single-port check: the answer once the probe is done.
class check_answer final : public async_source {
 public:
  check_answer(scan::service& svc, std::string id, std::string address, std::uint16_t port)
      : svc_(svc), id_(std::move(id)), address_(std::move(address)), port_(port) {}

  void start(std::shared_ptr<async_sink> sink) override {
    auto verdict = std::make_shared<json::object>();
    std::string address = address_;
    std::uint16_t port = port_;
    std::string id = id_;
    auto sub = svc_.subscribe(id_, address_, 0, [=](const scan::scan_event& e) {
      if (e.name == "verdict") {
        boost::system::error_code ec;
        json::value v = json::parse(e.data, ec);
        if (!ec && v.is_object()) *verdict = v.as_object();
        return;
      }
      if (e.name != "done") return;
      if (verdict->empty()) {
        sink->complete(website::json_error(503, "not_decided",
                                           "The probe ended before the port was decided (the "
                                           "scan was cancelled or failed); try again."));
        return;
      }
      json::object out{{"address", address}, {"port", port}};
      for (const auto& [k, v] : *verdict) {
        if (k != "port") out[k] = v;
      }
      add_finding_words(out);
      out["id"] = id;
      sink->complete(json_answer(200, out));
    });
    if (sub) {
      sub_ = std::move(*sub);
    } else {
      // Nobody will hear the answer (too many streams open, say): stop the probe it started,
      // which gives back what it had not sent.
      svc_.cancel(id_, address_);
      sink->complete(sub.error().status == 404 ? no_such_scan() : refused(sub.error()));
    }
  }

  response timeout_answer() const override {
    return website::json_error(503, "timeout",
                               "The answer did not come in time; try again shortly.");
  }

 private:
  scan::service& svc_;
  std::string id_, address_;
  std::uint16_t port_;
  std::unique_ptr<scan::subscription> sub_;
};

}  // namespace

std::string format_sse(const scan::scan_event& e) {
  return fmt::format("id: {}\nevent: {}\ndata: {}\n\n", e.sequence, e.name, e.data);
}

void add_scan_api_routes(website& s, scan::service& service, scan_api_options options) {
  router& r = s.routes();
  r.add(method::post, "/api/v1/scans", [&s, &service](const request& req, const route_params&) {
    if (!is_json(req.header("content-type"))) return not_json();
    if (auto no = refuse_cross_site(req, s.origins())) return std::move(*no);
    auto order = order_of(req.body);
    if (!order) return website::json_error(400, "bad_request", order.error());
    auto who = visitor_of(req);
    if (!who) return unknown_client();
    auto id = service.start(*who, *order);
    if (!id) return refused(id.error());
    auto snap = service.snapshot(*id, who->address);
    if (!snap) return no_such_scan();
    response res;
    res.status = 202;
    res.content_type = json_type;
    res.body = scan_json(std::move(*snap));
    res.headers.emplace_back("Location", "/api/v1/scans/" + *id);
    return res;
  });
  r.add(method::get, "/api/v1/scans/{id}", [&service](const request& req, const route_params& p) {
    auto who = visitor_of(req);
    if (!who) return unknown_client();
    auto snap = service.snapshot(p[0], who->address);
    if (!snap) return no_such_scan();
    return scan_json_answer(std::move(*snap), http::accepts_gzip(req.header("accept-encoding")));
  });
  r.add(method::del, "/api/v1/scans/{id}",
        [&s, &service](const request& req, const route_params& p) {
          if (auto no = refuse_cross_site(req, s.origins())) return std::move(*no);
          auto who = visitor_of(req);
          if (!who) return unknown_client();
          const std::string& address = who->address;
          if (service.cancel(p[0], address)) {
            return json_answer(202, json::object{{"id", p[0]}, {"state", "cancelling"}});
          }
          auto snap = service.snapshot(p[0], address);
          if (!snap) return no_such_scan();
          return website::json_error(
              409, "not_running",
              fmt::format("the scan has already ended ({})", scan::to_string(snap->view.phase)));
        });
  r.add(method::get, "/api/v1/scans/{id}/events",
        [&service, options](const request& req, const route_params& p) {
          auto who = visitor_of(req);
          if (!who) return unknown_client();
          auto target = std::make_shared<std::shared_ptr<async_sink>>();
          auto sub = service.subscribe(p[0], who->address, resume_point(req),
                                       event_stream::writer(target), true);
          if (!sub) return sub.error().status == 404 ? no_such_scan() : refused(sub.error());
          response res;
          res.content_type = "text/event-stream";
          res.later = std::make_shared<event_stream>(target, std::move(*sub));
          res.stream = true;
          res.heartbeat_every = options.heartbeat;
          return res;
        });
  // What the difference between two results (each from its family's origin) means, in
  // words: the dual-stack page sends what it got and shows the answer. It probes nothing and
  // reads no stored result, so it needs neither the visitor's address nor an origin check.
  r.add(method::post, "/api/v1/compare", [](const request& req, const route_params&) {
    if (!is_json(req.header("content-type"))) return not_json();
    auto both = parse_compare_request(req.body);
    if (!both) return website::json_error(400, "bad_request", both.error());
    dual_finding d = compare_families(both->first, both->second);
    json::array details;
    for (const std::string& line : d.details) details.emplace_back(line);
    return json_answer(
        200,
        json::object{{"kind", d.kind}, {"headline", d.headline}, {"details", std::move(details)}});
  });
  // The address the scans of this request would probe, for pages that state it before the
  // visitor confirms (probe.js). Per visitor: never cached (no_store is the default).
  r.add(method::get, "/api/v1/address", [](const request& req, const route_params&) {
    auto who = visitor_of(req);
    if (!who) return unknown_client();
    json::object out{{"address", who->address}, {"scope", scope_name(who->address)}};
    if (auto note = address_note(who->address)) out["note"] = *note;
    return json_answer(200, out);
  });
  // A GET that starts a probe, without a CSRF token: it only ever probes the requester's own
  // address, and a browser's request from another site's page is refused (Sec-Fetch-Site,
  // Origin), so such a page can neither spend the visitor's budget nor time the probe.
  r.add(method::get, "/api/v1/check/{port}",
        [&s, &service, options](const request& req, const route_params& p) {
          auto port = common::parse_port_number(p[0]);
          if (!port) return website::json_error(400, "bad_port", "port must be 0-65535");
          auto udp = check_transport(req);
          if (!udp) {
            return website::json_error(400, "bad_transport",
                                       "transport must be tcp (the default) or udp");
          }
          if (auto no = refuse_cross_site(req, s.origins())) return std::move(*no);
          auto who = visitor_of(req);
          if (!who) return unknown_client();
          scan::scan_order order;
          order.kind = scan::scan_kind::single;
          (*udp ? order.udp : order.ports) = std::to_string(*port);
          auto id = service.start(*who, order);
          if (!id) return refused(id.error());
          response res;
          res.later = std::make_shared<check_answer>(service, *id, who->address,
                                                     static_cast<std::uint16_t>(*port));
          res.wait_limit = options.check_wait;
          return res;
        });
}

}  // namespace breakwater::site
