// breakwater nat: why a port forward does or does not work. Run on the visitor's machine
// (a browser cannot see the LAN): asks the default gateway for its WAN address (UPnP IGD,
// NAT-PMP), the server for the address it sees, and the first hops toward the server where
// the ISP's NAT is; then says which case this is and tests hairpin NAT. Exit 0 when it could
// diagnose (whatever the case), 1 when it could not run.
#include "app/commands.hpp"
#include "app/exit_code.hpp"
#include "app/nat_gateway.hpp"
#include "app/nat_hops.hpp"
#include "app/nat_report.hpp"
#include "app/nat_route.hpp"

#include "http/client.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>

namespace breakwater::app {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

struct nat_options {
  std::string server;
  bool json = false;
  unsigned hairpin_port = 0;
  unsigned max_hops = 6;
  std::string ca_file;
  bool insecure = false;
};

struct seen_address {
  std::string address;  // as the server saw us
  std::string server;   // the server's own address, connected to
};

// GET /api/v1/address over one family: our address as the server sees it.
boost::system::result<seen_address, std::string> ask_server(const nat_options& o,
                                                            http::ip_family f) {
  using result = boost::system::result<seen_address, std::string>;
  http::client_request r;
  r.url = o.server + "/api/v1/address";
  r.family = f;
  r.ca_file = o.ca_file;
  r.verify = !o.insecure;
  r.timeout = 10s;
  auto res = http::fetch(r);
  if (!res) return result(boost::system::in_place_error, res.error());
  boost::system::error_code ec;
  json::value v = json::parse(res->body, ec);
  const json::value* a = !ec && v.is_object() ? v.as_object().if_contains("address") : nullptr;
  if (res->status != 200 || a == nullptr || !a->is_string())
    return result(boost::system::in_place_error,
                  fmt::format("{} answered {} without an address: is it a breakwater server?",
                              r.url, res->status));
  return seen_address{std::string(a->as_string()), res->remote};
}

// A forwarded TCP port to try from inside: the one asked for, else a UPnP mapping's.
std::uint16_t hairpin_port(const nat_options& o, const nat_evidence& e) {
  if (o.hairpin_port != 0) return static_cast<std::uint16_t>(o.hairpin_port);
  auto m = std::find_if(e.mappings.begin(), e.mappings.end(),
                        [](const auto& x) { return x.enabled && x.protocol == "TCP"; });
  return m == e.mappings.end() ? 0 : m->external_port;
}

void test_hairpin(const nat_options& o, nat_evidence& e) {
  std::uint16_t port = hairpin_port(o, e);
  if (!e.server_saw) {
    e.hairpin.detail = "the public address is unknown (the server did not answer)";
  } else if (port == 0) {
    e.hairpin.detail =
        "no forwarded TCP port is known: pass --hairpin-port N, a port your "
        "router forwards to a program that listens";
  } else {
    e.hairpin = try_hairpin(*e.server_saw, port, 3s);
  }
}

void ask_gateway(nat_evidence& e) {
  if (!e.gateway) return;
  upnp_findings upnp = ask_upnp(*e.gateway);
  e.upnp = std::move(upnp.report);
  e.router_name = std::move(upnp.router_name);
  e.mappings = std::move(upnp.mappings);
  if (!upnp.problem.empty())
    fmt::print(stderr,
               "warning: the router answered UPnP, but {}; going on with NAT-PMP and the hops "
               "(check the router's UPnP settings)\n",
               upnp.problem);
  e.nat_pmp = ask_nat_pmp(*e.gateway);
}

int run_nat(const nat_options& o) {
  auto families = http::families_of(o.server);
  if (std::find(families.begin(), families.end(), http::ip_family::v4) == families.end()) {
    fmt::print(stderr,
               "error: {} has no IPv4 address (or cannot be resolved): NAT is about "
               "IPv4; give a server URL whose name has an A record\n",
               o.server);
    return exit_failure;
  }
  auto seen = ask_server(o, http::ip_family::v4);
  if (!seen) {
    fmt::print(stderr,
               "error: cannot ask the server which address it sees: {}; check the URL "
               "and your connection\n",
               seen.error());
    return exit_failure;
  }
  nat_evidence e;
  e.server_saw = seen->address;
  if (std::find(families.begin(), families.end(), http::ip_family::v6) != families.end()) {
    if (auto v6 = ask_server(o, http::ip_family::v6)) e.server_saw_v6 = v6->address;
  }
  if (auto gw = ipv4_default_gateway()) e.gateway = gw->address;
  if (auto gw = ipv6_default_gateway()) e.gateway_v6 = gw->address;
  e.local_address = local_address_toward(seen->server);
  ask_gateway(e);
  e.hops = trace_first_hops(seen->server, o.max_hops, 1s);
  test_hairpin(o, e);
  nat_diagnosis d = diagnose(e);
  if (o.json) {
    print_json(nat_json(e, d));
  } else {
    fmt::print("{}", nat_text(e, d));
  }
  return exit_ok;
}

}  // namespace

void add_nat_command(CLI::App& app, int& status) {
  auto o = std::make_shared<nat_options>();
  CLI::App* cmd = app.add_subcommand(
      "nat",
      "Why port forwarding does or does not work here: your router's WAN address (UPnP, "
      "NAT-PMP), the address a breakwater server sees, carrier-grade or double NAT on the first "
      "hops, the router's UPnP mappings and hairpin NAT. Exit 0 diagnosed, 1 could not run");
  cmd->add_option("--server", o->server, "The server's URL, e.g. https://ports.example.org")
      ->required();
  cmd->add_flag("--json", o->json, "Print one JSON object instead of text");
  cmd->add_option("--hairpin-port", o->hairpin_port,
                  "A TCP port your router forwards, for the hairpin test (default: the first "
                  "UPnP mapping)")
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--max-hops", o->max_hops, "How many hops toward the server to look at (6)")
      ->check(CLI::Range(2, 30));
  cmd->add_option("--ca", o->ca_file, "HTTPS: trust this CA bundle (PEM)");
  cmd->add_flag("--insecure", o->insecure, "HTTPS: do not check the server's certificate");
  cmd->callback([o, &status] { status = run_nat(*o); });
}

}  // namespace breakwater::app
