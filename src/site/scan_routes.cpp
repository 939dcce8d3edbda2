#include "site/scan_routes.hpp"

#include "common/text.hpp"
#include "http/responder.hpp"
#include "scan/plan.hpp"
#include "site/api_scans.hpp"
#include "site/escape.hpp"
#include "site/page_scan.hpp"
#include "site/visitor.hpp"

#include <fmt/format.h>

#include <string>

namespace breakwater::site {
namespace {

// Everything the handlers share; owned by the handlers through a shared_ptr.
struct scan_pages {
  website& s;
  scan::service& service;
  const db::database& db;
  scan_page_options options;

  std::chrono::system_clock::time_point now() const { return options.clock(); }

  // Per-visitor pages: never cached, never shared between visitors.
  response private_page(unsigned status, const page& p) const {
    response r = s.html_page(status, p);
    r.cache = cache_policy::no_store;
    r.shareable = false;
    return r;
  }

  static response see_other(std::string location) {
    return website::redirect(303, std::move(location));
  }

  response refused(const scan::refusal& why) const {
    response r = private_page(why.status, render_scan_refusal_page(why));
    if (why.retry_after.count() > 0) {
      r.headers.emplace_back("Retry-After", std::to_string(why.retry_after.count()));
    }
    return r;
  }

  // The CSRF and origin checks every form POST passes; an answer when it fails.
  std::optional<response> reject_form(const request& req, const scan::visitor& who) const {
    if (!same_origin(req)) {
      return private_page(
          403, render_form_rejected_page("The form was sent from another site, which may not start "
                                         "or stop scans here."));
    }
    auto raw = query_param(req.body, "csrf");
    auto token = raw ? decode_query_value(*raw) : std::nullopt;
    if (!token || !options.guard->check(*token, who.address, now())) {
      return private_page(
          403, render_form_rejected_page("The form's security token was missing, too old, or made "
                                         "for another address."));
    }
    return std::nullopt;
  }

  response unknown_client() const {
    return s.error_page(403, "Your address is not known", unknown_client_message);
  }

  response bad_request(std::string_view message) const {
    return s.error_page(400, "That scan cannot start", message);
  }

  // The choice of tests again, with what was wrong and the ports as typed: a visitor who
  // mistyped a port list mends it there instead of starting over.
  response choose_again(const request& req, std::string message, std::string_view ports) const {
    auto who = visitor_of(req);
    if (!who) return unknown_client();
    choice_problem problem{std::move(message), std::string(ports)};
    return private_page(400, render_scan_choice_page(who->address, &problem));
  }
};

std::optional<std::string> form_value(std::string_view body, std::string_view key) {
  auto raw = query_param(body, key);
  if (!raw) return std::nullopt;
  return decode_query_value(*raw);
}

bool form_flag(std::string_view body, std::string_view key) {
  auto v = form_value(body, key);
  return v && (*v == "1" || *v == "on" || *v == "true");
}

// The form's wording of why an order has no plan.
std::string form_message(const scan::plan_refusal& no) {
  switch (no.problem) {
    case scan::plan_problem::no_ports:
      return "Type the ports to test, for example 22, 80, 8000-8100.";
    case scan::plan_problem::not_one_port:
      return "A single-port probe takes one port number, 0 to 65535.";
    case scan::plan_problem::bad_spec: break;
  }
  return no.said.message;
}

// What a form (or the confirm link) chose, before it is checked.
struct form_choice {
  std::string_view kind;
  std::string_view ports;
  std::string_view transport;  // single: "tcp" (also when empty), "udp" or "both"
  bool ping = false;
  bool upnp = false;
  bool udp = false;  // "also the UDP services": the udp-common set beside the TCP ports
};

struct made_order {
  scan::scan_order order;
  std::size_t tcp_ports = 0;
  std::size_t udp_ports = 0;
};

// A single-port probe's transports: TCP, UDP or both on its one port.
bool set_transport(std::string_view transport, scan::scan_order& order) {
  if (transport.empty() || transport == "tcp") return true;
  if (transport != "udp" && transport != "both") return false;
  order.udp = order.ports;
  if (transport == "udp") order.ports.clear();
  return true;
}

// The order a visitor chose, checked: kind known, ports given where typed and parseable.
// Returns it with its port counts; on failure a sentence for the 400 page.
boost::system::result<made_order, std::string> make_order(const form_choice& c) {
  scan::scan_order order;
  if (!scan::parse_scan_kind(c.kind, order.kind)) {
    return std::string("Unknown test. Choose one from the list on the scan page.");
  }
  if (scan::typed_ports(order.kind)) order.ports = common::squash_spaces(common::trim(c.ports));
  bool extras = scan::takes_extras(order.kind);
  order.ping = order.kind == scan::scan_kind::ping || (extras && c.ping);
  order.upnp = order.kind == scan::scan_kind::upnp || (extras && c.upnp);
  if (extras && c.udp) order.udp = "udp-common";
  if (order.kind == scan::scan_kind::single && !set_transport(c.transport, order)) {
    return std::string(
        "A single-port probe is for TCP, UDP or both: choose one on the port's page.");
  }
  auto plan = scan::plan_of(order);
  if (!plan) return form_message(plan.error());
  return made_order{order, plan->ports.size(), plan->udp_ports.size()};
}

// The confirm page offers ping and UPnP ticked, the UDP services not (they add a few dozen
// probes of their own).
response confirm(const scan_pages& sp, const request& req, std::string_view kind,
                 std::string_view ports, std::string_view transport = {}) {
  auto made = make_order({kind, ports, transport, true, true, false});
  if (!made) return sp.choose_again(req, made.error(), ports);
  auto visitor = visitor_of(req);
  if (!visitor) return sp.unknown_client();
  const scan::visitor& who = *visitor;
  scan_confirmation c;
  c.order = made->order;
  c.port_count = made->tcp_ports;
  c.udp_count = made->udp_ports;
  c.address = who.address;
  c.retention = sp.options.retention;
  c.origins = sp.s.origins();
  auto estimate = sp.service.estimate(who, c.order);
  if (!estimate) return sp.refused(estimate.error());
  c.estimate = *estimate;
  c.token = sp.options.guard->issue(who.address, sp.now());
  response r = sp.private_page(200, render_scan_confirm_page(c));
  // dual.js calls the scan API on both sibling origins.
  if (c.origins.dual()) {
    r.headers.emplace_back("Content-Security-Policy",
                           http::content_security_policy(c.origins.ipv4 + " " + c.origins.ipv6));
  }
  return r;
}

response start(const scan_pages& sp, const request& req) {
  auto visitor = visitor_of(req);
  if (!visitor) return sp.unknown_client();
  const scan::visitor& who = *visitor;
  if (auto rejected = sp.reject_form(req, who)) return std::move(*rejected);
  std::string kind = form_value(req.body, "kind").value_or("");
  std::string ports = form_value(req.body, "ports").value_or("");
  std::string transport = form_value(req.body, "transport").value_or("");
  auto made = make_order({kind, ports, transport, form_flag(req.body, "ping"),
                          form_flag(req.body, "upnp"), form_flag(req.body, "udp")});
  if (!made) return sp.choose_again(req, made.error(), ports);
  auto id = sp.service.start(who, made->order);
  if (!id) return sp.refused(id.error());
  return scan_pages::see_other("/scan/" + encode_query_value(*id));
}

response no_such_scan(const scan_pages& sp) {
  // The API's sentence (api_scans.hpp), so that a page and a script tell the same story.
  return sp.s.error_page(404, "No such scan", std::string(scan_gone_sentence));
}

response result(const scan_pages& sp, const request& req, std::string_view id) {
  auto visitor = visitor_of(req);
  if (!visitor) return sp.unknown_client();
  const scan::visitor& who = *visitor;
  auto view = sp.service.find(id, who.address);
  if (!view) return no_such_scan(sp);
  if (view->kind == scan::scan_kind::single) {
    return sp.private_page(200, render_port_probe_page(*view, sp.db, sp.s.context_of(req)));
  }
  std::string token = sp.options.guard->issue(who.address, sp.now());
  return sp.private_page(200, render_scan_result_page(*view, sp.db, token, sp.s.origins().dual()));
}

response cancel(const scan_pages& sp, const request& req, std::string_view id) {
  auto visitor = visitor_of(req);
  if (!visitor) return sp.unknown_client();
  const scan::visitor& who = *visitor;
  if (auto rejected = sp.reject_form(req, who)) return std::move(*rejected);
  // A running scan is stopped without a snapshot, which would pack all its verdicts; one
  // that is not running (ended, or not this visitor's) is looked for only then. An ended
  // scan is shown either way.
  if (!sp.service.cancel(id, who.address) && !sp.service.snapshot(id, who.address)) {
    return no_such_scan(sp);
  }
  return scan_pages::see_other("/scan/" + encode_query_value(id));
}

}  // namespace

void add_scan_page_routes(website& s, scan::service& service, const db::database& db,
                          scan_page_options options) {
  if (!options.clock) options.clock = [] { return std::chrono::system_clock::now(); };
  if (!options.guard) options.guard = std::make_shared<csrf_guard>();
  auto sp = std::make_shared<scan_pages>(scan_pages{s, service, db, std::move(options)});
  router& r = s.routes();
  r.add(method::get, "/scan", [sp](const request& req, const route_params&) {
    auto who = visitor_of(req);
    if (!who) return sp->unknown_client();
    return sp->private_page(200, render_scan_choice_page(who->address));
  });
  r.add(method::post, "/scan",
        [sp](const request& req, const route_params&) { return start(*sp, req); });
  r.add(method::get, "/scan/confirm", [sp](const request& req, const route_params&) {
    auto kind = query_param(req.query, "kind");
    auto ports = query_param(req.query, "ports");
    auto k = kind ? decode_query_value(*kind) : std::nullopt;
    auto p = ports ? decode_query_value(*ports) : std::nullopt;
    if (k && *k == "single") return sp->bad_request("Probe one port from its page: /port/N.");
    return confirm(*sp, req, k.value_or(""), p.value_or(""));
  });
  r.add(method::get, "/scan/{id}",
        [sp](const request& req, const route_params& p) { return result(*sp, req, p[0]); });
  r.add(method::post, "/scan/{id}/cancel",
        [sp](const request& req, const route_params& p) { return cancel(*sp, req, p[0]); });
  r.add(method::get, "/port/{n}/probe", [sp](const request& req, const route_params& p) {
    auto n = common::parse_port_number(p[0]);
    if (!n) {
      return sp->s.error_page(404, "No such port", "Ports are numbered 0 to 65535.");
    }
    // Given, it must name a transport (the buttons of /port/N send tcp or udp).
    auto t = query_param(req.query, "transport");
    std::string transport = t ? decode_query_value(*t).value_or("") : std::string();
    if (t && transport.empty()) transport = "?";
    return confirm(*sp, req, "single", std::to_string(*n), transport);
  });
  r.add(method::get, "/headers", [sp](const request& req, const route_params&) {
    return sp->private_page(200, render_headers_page(req.headers, sp->options.hidden_headers));
  });
  s.add_nav({"/scan", "Scan", "scan"});
  s.enable_scan_links();
}

}  // namespace breakwater::site
