#include "site/api_reach.hpp"

#include "common/json_object.hpp"

#include "common/text.hpp"
#include "site/api_answers.hpp"
#include "site/visitor.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

namespace breakwater::site {
namespace {

namespace json = boost::json;

// The token from "Authorization: Bearer TOKEN" (RFC 6750 2.1), or empty.
std::string_view bearer_token(const request& req) {
  std::string_view h = req.header("authorization");
  constexpr std::string_view scheme = "bearer ";
  if (h.size() <= scheme.size() ||
      common::to_lower(std::string(h.substr(0, scheme.size()))) != scheme) {
    return {};
  }
  h.remove_prefix(scheme.size());
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  return h;
}

response missing_token() {
  return website::json_error(403, "missing_token",
                             "Send the token that the POST to /api/v1/reach answered, as the "
                             "header Authorization: Bearer TOKEN.");
}

// {"transport":"udp","port":51820}: what to test.
boost::system::result<scan::reach_order, std::string> order_of(std::string_view body) {
  auto parsed = common::parse_json_object(body, R"({"transport":"udp","port":51820})");
  if (!parsed) return parsed.error();
  scan::reach_order order;
  bool have_transport = false, have_port = false;
  for (const auto& [key, value] : *parsed) {
    if (key == "transport") {
      auto t = value.is_string() ? probe::parse_reach_transport(value.as_string()) : std::nullopt;
      if (!t) return std::string("\"transport\" must be \"udp\" or \"tcp\"");
      order.transport = *t;
      have_transport = true;
    } else if (key == "port") {
      std::int64_t n = value.is_int64() ? value.as_int64() : -1;  // 1.5, "80", 2^64: no
      if (n < 1 || n > 65535) return std::string("\"port\" must be a whole number from 1 to 65535");
      order.port = static_cast<std::uint16_t>(n);
      have_port = true;
    } else {
      return fmt::format("unknown field \"{}\": use transport and port", std::string_view(key));
    }
  }
  if (!have_transport || !have_port)
    return std::string("say what to test: {\"transport\":\"udp\" or \"tcp\",\"port\":1-65535}");
  return order;
}

// {"nonce":"..."}: the nonce, or why the body is not that. Both are text, so each side is
// named (in_place_value, in_place_error).
boost::system::result<std::string, std::string> nonce_of(std::string_view body) {
  using boost::system::in_place_error;
  auto parsed = common::parse_json_object(body, R"({"nonce":"..."})");
  if (!parsed) return {in_place_error, parsed.error()};
  const json::value* n = parsed->if_contains("nonce");
  if (n == nullptr || !n->is_string() || parsed->size() != 1)
    return {in_place_error, "the body must be {\"nonce\":\"...\"}, the nonce that arrived"};
  if (!probe::is_reach_nonce(n->as_string()))
    return {in_place_error,
            "a nonce is 32 hex digits (0-9, a-f): the last word of the line \"breakwater-reach "
            "ID NONCE\" that arrived"};
  return {boost::system::in_place_value, std::string(n->as_string())};
}

json::object view_json(const scan::reach_view& v) {
  json::object o{{"id", v.id},
                 {"transport", probe::to_string(v.order.transport)},
                 {"port", v.order.port},
                 {"address", v.address},
                 {"state", scan::to_string(v.state)},
                 {"attempts", v.attempts},
                 {"delivery", probe::to_string(v.delivery)},
                 {"expires_in_s", v.expires_in.count()}};
  if (!v.detail.empty()) o["detail"] = v.detail;
  if (v.rtt_ms) o["rtt_ms"] = *v.rtt_ms;
  return o;
}

}  // namespace

void add_reach_routes(website& s, scan::reach_service& service) {
  router& r = s.routes();
  r.add(method::post, "/api/v1/reach", [&s, &service](const request& req, const route_params&) {
    if (!is_json(req.header("content-type"))) return not_json();
    if (auto no = refuse_cross_site(req, s.origins())) return std::move(*no);
    auto order = order_of(req.body);
    if (!order) return website::json_error(400, "bad_request", order.error());
    auto who = visitor_of(req);  // the connection's own client: never a parameter
    if (!who) return unknown_client();
    auto ticket = service.open_reach(*who, *order);
    if (!ticket) return refused(ticket.error());
    response res = json_answer(201, json::object{{"id", ticket->id},
                                                 {"token", ticket->token},
                                                 {"address", ticket->address},
                                                 {"transport", probe::to_string(order->transport)},
                                                 {"port", order->port},
                                                 {"expires_in_s", ticket->expires_in.count()}});
    res.headers.emplace_back("Location", "/api/v1/reach/" + ticket->id);
    return res;
  });
  r.add(method::get, "/api/v1/reach/{id}", [&service](const request& req, const route_params& p) {
    std::string_view token = bearer_token(req);
    if (token.empty()) return missing_token();
    auto who = visitor_of(req);
    if (!who) return unknown_client();
    auto view = service.find_reach(p[0], token, who->address);
    if (!view) return refused(view.error());
    return json_answer(200, view_json(*view));
  });
  r.add(method::post, "/api/v1/reach/{id}/confirm",
        [&s, &service](const request& req, const route_params& p) {
          if (!is_json(req.header("content-type"))) return not_json();
          if (auto no = refuse_cross_site(req, s.origins())) return std::move(*no);
          std::string_view token = bearer_token(req);
          if (token.empty()) return missing_token();
          auto nonce = nonce_of(req.body);
          if (!nonce) return website::json_error(400, "bad_request", nonce.error());
          auto who = visitor_of(req);
          if (!who) return unknown_client();
          auto done = service.confirm_reach(p[0], token, who->address, *nonce);
          if (!done) return refused(done.error());
          return json_answer(200, json::object{{"reached", true}, {"rtt_ms", done->rtt_ms}});
        });
  r.add(method::get, "/reach", [&s](const request& req, const route_params&) {
    auto who = visitor_of(req);
    response res = s.html_page(200, render_reach_page(s.context_of(req), who ? who->address : ""));
    res.cache = cache_policy::no_store;  // it names the visitor's address
    res.shareable = false;
    return res;
  });
}

}  // namespace breakwater::site
