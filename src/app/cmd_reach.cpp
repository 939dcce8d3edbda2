// breakwater reach: does a port forward reach this machine? Run on the machine the forward
// should reach. It gets ready to receive (binds the port, or watches it with a packet
// socket), asks a breakwater server to send a nonce to the address the request comes from,
// and sends back what arrived. Exit 0 reached, 1 not reached (with what it can tell, see
// reach_diagnosis), 2 bad arguments, 3 the test could not run (the server could not be
// asked, or the port could not be bound or watched).
#include "app/api_error.hpp"
#include "app/commands.hpp"
#include "app/exit_code.hpp"
#include "app/nat_hops.hpp"
#include "app/reach_diagnosis.hpp"
#include "app/reach_receiver.hpp"
#include "common/local_addresses.hpp"

#include "common/json_text.hpp"
#include "http/client.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <CLI/CLI.hpp>

#include <chrono>

namespace breakwater::app {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr int exit_not_reached = exit_failure;
constexpr int exit_could_not_run = 3;

struct reach_options {
  std::string server;
  unsigned tcp = 0, udp = 0, local_port = 0;
  bool listen = false, watch = false, json = false;
  bool only_v4 = false, only_v6 = false;
  unsigned timeout_s = 10;
  std::string ca_file;
  bool insecure = false;

  probe::reach_transport transport() const {
    return udp != 0 ? probe::reach_transport::udp : probe::reach_transport::tcp;
  }
  std::uint16_t port() const { return static_cast<std::uint16_t>(udp != 0 ? udp : tcp); }
  std::uint16_t here() const {
    return static_cast<std::uint16_t>(local_port != 0 ? local_port : port());
  }
};

// The test as the server opened it.
struct opened_test {
  std::string id, token, address;
  std::string server;  // the server's address connected to
  http::ip_family family = http::ip_family::any;
};

struct call_failed {
  std::string text;
};

// One API call; the answer's JSON object, or what went wrong.
boost::system::result<std::pair<json::object, std::string>, call_failed> call(
    const reach_options& o, http::ip_family f, std::string method, const std::string& path,
    std::string body, const std::string& token = {}) {
  http::client_request r;
  r.method = std::move(method);
  r.url = o.server + path;
  r.family = f;
  r.ca_file = o.ca_file;
  r.verify = !o.insecure;
  r.timeout = 15s;
  if (!body.empty()) {
    r.body = std::move(body);
    r.content_type = "application/json";
  }
  if (!token.empty()) r.headers.emplace_back("Authorization", "Bearer " + token);
  auto res = http::fetch(r);
  if (!res) return call_failed{res.error()};
  if (res->status >= 300) return call_failed{api_error_text(*res)};
  boost::system::error_code ec;
  json::value v = json::parse(res->body, ec);
  if (ec || !v.is_object()) return call_failed{"the server's answer is not a JSON object"};
  return std::pair{v.as_object(), res->remote};
}

std::string text_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

http::ip_family family_of(const reach_options& o) {
  if (o.only_v4) return http::ip_family::v4;
  if (o.only_v6) return http::ip_family::v6;
  return http::ip_family::any;
}

boost::system::result<opened_test, call_failed> open_test(const reach_options& o) {
  json::object body{{"transport", probe::to_string(o.transport())}, {"port", o.port()}};
  auto answer = call(o, family_of(o), "POST", "/api/v1/reach", common::json_text(body));
  if (!answer) return answer.error();
  const json::object& a = answer->first;
  opened_test t{text_field(a, "id"), text_field(a, "token"), text_field(a, "address"),
                answer->second, http::ip_family::any};
  if (t.id.empty() || t.token.empty() || t.address.empty())
    return call_failed{
        "the server's answer has no id, token or address: is it a breakwater "
        "server with reach tests?"};
  // The confirmation must come from the same address: the same family as the test.
  t.family = t.address.find(':') != std::string::npos ? http::ip_family::v6 : http::ip_family::v4;
  return t;
}

std::string_view proto(const reach_options& o) {
  return o.transport() == probe::reach_transport::udp ? "UDP" : "TCP";
}

int report_reached(const reach_options& o, const opened_test& t, const received_nonce& got,
                   double rtt_ms) {
  if (o.json) {
    print_json(json::object{{"reached", true},
                            {"transport", probe::to_string(o.transport())},
                            {"port", o.port()},
                            {"address", t.address},
                            {"from", got.from},
                            {"rtt_ms", rtt_ms},
                            {"id", t.id}});
  } else {
    // Whole milliseconds, but a tenth below 10 (a LAN or loopback test is faster than 1 ms).
    fmt::print("{} {} reaches this machine (nonce returned in {:.{}f} ms)\n", proto(o), o.port(),
               rtt_ms, rtt_ms < 10 ? 1 : 0);
    fmt::print("The server sent to {}; the message arrived from {}.\n", t.address, got.from);
  }
  return exit_ok;
}

// The nonce did not come: what the server saw, against this machine's addresses.
int report_not_reached(const reach_options& o, const opened_test& t) {
  reach_evidence e;
  e.transport = o.transport();
  e.port = o.port();
  e.local_port = o.here();
  e.watch = o.watch;
  e.server_saw = t.address;
  e.local = local_addresses();
  if (t.family == http::ip_family::v4) e.toward_server = local_address_toward(t.server);
  e.waited_s = o.timeout_s;
  e.server_url = o.server;
  auto state = call(o, t.family, "GET", "/api/v1/reach/" + t.id, {}, t.token);
  if (state) {
    const json::object& s = state->first;
    e.state = text_field(s, "state");
    e.detail = text_field(s, "detail");
    std::string d = text_field(s, "delivery");
    for (auto k : {probe::reach_delivery::sent, probe::reach_delivery::answered,
                   probe::reach_delivery::written, probe::reach_delivery::refused,
                   probe::reach_delivery::unreachable, probe::reach_delivery::no_answer,
                   probe::reach_delivery::failed}) {
      if (probe::to_string(k) == d) e.delivery = k;
    }
    if (const json::value* n = s.if_contains("attempts"); n && n->is_int64())
      e.attempts = static_cast<unsigned>(n->as_int64());
  } else {
    fmt::print(stderr, "warning: cannot read the test's state: {}\n", state.error().text);
  }
  reach_explanation x = explain_timeout(e);
  if (o.json) {
    json::array local, details, next;
    for (const local_address& l : e.local)
      local.push_back(json::object{{"interface", l.interface}, {"address", l.address}});
    for (const std::string& d : x.details) details.emplace_back(d);
    for (const std::string& n : x.next) next.emplace_back(n);
    print_json(json::object{{"reached", false},
                            {"transport", probe::to_string(o.transport())},
                            {"port", o.port()},
                            {"address", t.address},
                            {"id", t.id},
                            {"waited_s", o.timeout_s},
                            {"server", json::object{{"state", e.state},
                                                    {"delivery", probe::to_string(e.delivery)},
                                                    {"attempts", e.attempts}}},
                            {"local_addresses", std::move(local)},
                            {"diagnosis", to_string(x.kind)},
                            {"headline", x.headline},
                            {"details", std::move(details)},
                            {"next", std::move(next)}});
  } else {
    fmt::print("{} {} did not reach this machine within {} s.\n", proto(o), o.port(), o.timeout_s);
    fmt::print("{}\n", x.headline);
    for (const std::string& d : x.details) fmt::print("{}\n", d);
    for (const std::string& n : x.next) fmt::print("Next: {}\n", n);
  }
  return exit_not_reached;
}

int run_reach(const reach_options& o) {
  if ((o.tcp == 0) == (o.udp == 0)) {
    fmt::print(stderr, "error: say which port to test: --tcp PORT or --udp PORT (one of them)\n");
    return exit_bad_input;
  }
  auto receiver =
      o.watch ? open_watcher(o.transport(), o.here()) : open_listener(o.transport(), o.here());
  if (!receiver) {
    fmt::print(stderr, "error: {}\n", receiver.error());
    return exit_could_not_run;
  }
  auto test = open_test(o);
  if (!test) {
    fmt::print(stderr,
               "error: cannot ask the server for a reach test: {}; check the URL and "
               "your connection\n",
               test.error().text);
    return exit_could_not_run;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.timeout_s);
  auto got = (*receiver)->wait(test->id, deadline);
  if (!got) return report_not_reached(o, *test);
  json::object body{{"nonce", got->nonce}};
  auto confirmed = call(o, test->family, "POST", "/api/v1/reach/" + test->id + "/confirm",
                        common::json_text(body), test->token);
  if (!confirmed) {
    fmt::print(stderr,
               "error: the nonce arrived from {}, but the server did not take it back: {}\n",
               got->from, confirmed.error().text);
    return exit_could_not_run;
  }
  const json::value* rtt = confirmed->first.if_contains("rtt_ms");
  return report_reached(o, *test, *got,
                        rtt != nullptr && rtt->is_number() ? rtt->to_number<double>() : 0.0);
}

}  // namespace

void add_reach_command(CLI::App& app, int& status) {
  auto o = std::make_shared<reach_options>();
  CLI::App* cmd = app.add_subcommand(
      "reach",
      "Does a port forward reach this machine? A breakwater server sends a nonce to your "
      "address and the port (TCP or UDP), and this machine sends back what arrived. Exit 0 "
      "reached, 1 not reached (with what it can tell), 3 the test could not run");
  cmd->add_option("--server", o->server, "The server's URL, e.g. https://ports.example.org")
      ->required();
  auto* tcp = cmd->add_option("--tcp", o->tcp, "Test this TCP port")->check(CLI::Range(1, 65535));
  auto* udp = cmd->add_option("--udp", o->udp, "Test this UDP port")->check(CLI::Range(1, 65535));
  tcp->excludes(udp);
  auto* listen = cmd->add_flag(
      "--listen", o->listen,
      "Bind the port and receive the test here (the default; stop the real service first)");
  auto* watch = cmd->add_flag(
      "--watch", o->watch,
      "Leave the service running and see the test's packets arrive (packet socket: root or "
      "CAP_NET_RAW)");
  listen->excludes(watch);
  cmd->add_option("--local-port", o->local_port,
                  "The port the forward leads to on this machine, when it is not the same")
      ->check(CLI::Range(1, 65535));
  cmd->add_flag("--json", o->json, "Print one JSON object instead of text");
  cmd->add_option("--timeout", o->timeout_s, "Seconds to wait for the nonce (default 10)")
      ->check(CLI::Range(1, 600));
  auto* v4 = cmd->add_flag("-4", o->only_v4, "Test over IPv4");
  auto* v6 = cmd->add_flag("-6", o->only_v6, "Test over IPv6");
  v4->excludes(v6);
  cmd->add_option("--ca", o->ca_file, "HTTPS: trust this CA bundle (PEM)");
  cmd->add_flag("--insecure", o->insecure, "HTTPS: do not check the server's certificate");
  cmd->callback([o, &status] { status = run_reach(*o); });
}

}  // namespace breakwater::app
