// /reach: the reach test explained, with the command line and the curl equivalent.
#include "site/address_note.hpp"
#include "site/api_reach.hpp"
#include "site/html.hpp"

#include <fmt/format.h>

namespace breakwater::site {
namespace {

// This server as the visitor reached it: "https://ports.example.org" or "http://[::1]:8080".
std::string server_url(const page_context& ctx) {
  std::optional<std::uint16_t> port = ctx.https ? ctx.https_port : ctx.http_port;
  std::uint16_t usual = ctx.https ? 443 : 80;
  bool v6 = ctx.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + ctx.host + "]" : ctx.host;
  std::string p = !port || *port == usual ? std::string() : ":" + std::to_string(*port);
  return fmt::format("{}://{}{}", ctx.https ? "https" : "http", host, p);
}

void command(html& h, std::string_view text) {
  h.raw("<pre><code>").text(text).raw("</code></pre>");
}

}  // namespace

page render_reach_page(const page_context& ctx, std::string_view address) {
  std::string url = server_url(ctx);
  html h;
  h.raw("<h1>Does my port forward reach this machine?</h1><p class=\"summary\">");
  h.text(
      "A port scan from outside says whether something answers on a port of your address: "
      "perhaps the machine you meant, perhaps the router itself or another device. It cannot "
      "tell at all for UDP services that stay silent to strangers, such as WireGuard. This "
      "test can: the server sends a secret (a random nonce) to your address and the port, and "
      "only the machine that receives it can send it back.");
  h.raw("</p><p class=\"target\">The address the test sends to: <strong id=\"target\">");
  h.text(address.empty() ? "(unknown)" : address).raw("</strong>. ");
  h.text(
      "That is the address your connection to this server comes from; the test sends to no "
      "other address.");
  h.raw("</p>");
  if (auto note = address_note(address)) h.raw("<p class=\"note\">").text(*note).raw("</p>");

  h.raw("<h2>With breakwater on that machine</h2><p>");
  h.text(
      "Run it on the machine the forward should reach. With --listen (the default) it takes "
      "the port itself, so stop the real service first; with --watch the service keeps "
      "running and breakwater sees the test's packets arrive (root or CAP_NET_RAW).");
  h.raw("</p>");
  command(h, fmt::format("breakwater reach --server {} --udp 51820 --watch     # WireGuard keeps "
                         "running (sudo)\nbreakwater reach --server {} --tcp 8080            "
                         "# the service stopped: breakwater listens",
                         url, url));
  h.raw("<p>");
  h.text(
      "It prints \u201cUDP 51820 reaches this machine\u201d, or, when nothing arrived, what "
      "it can tell: whether the address the server saw is this machine's own (then its "
      "firewall, or nothing listening), a router's (then the forward is missing or points "
      "elsewhere), or carrier-grade NAT (then no forward on your router can work). Exit "
      "status 0: reached; 1: not reached; 3: the test could not run.");
  h.raw("</p>");

  h.raw("<h2>With curl, for a TCP service that logs what it receives</h2><p>");
  h.text(
      "The server connects to the port and writes one line, \u201cbreakwater-reach ID "
      "NONCE\u201d. A service that logs what it is sent (a web server's access log, a "
      "listener such as nc -l) shows it; send the nonce back within a few minutes, from the "
      "same address.");
  h.raw("</p>");
  command(h,
          fmt::format("curl -sS -X POST -H 'Content-Type: application/json' \\\n"
                      "     -d '{{\"transport\":\"tcp\",\"port\":8080}}' {}/api/v1/reach\n"
                      "# {{\"id\":\"ID\",\"token\":\"TOKEN\",\"address\":\"...\",...}}\n"
                      "# then look for the line in the service's log:  breakwater-reach ID NONCE\n"
                      "curl -sS -X POST -H 'Content-Type: application/json' \\\n"
                      "     -H 'Authorization: Bearer TOKEN' -d '{{\"nonce\":\"NONCE\"}}' \\\n"
                      "     {}/api/v1/reach/ID/confirm\n"
                      "# {{\"reached\":true,\"rtt_ms\":...}}",
                      url, url));
  h.raw("<p>");
  h.text(
      "GET /api/v1/reach/ID with the same token says how far the test got (sending, sent, "
      "confirmed or expired) and what the server saw: a connection refused, no answer, or the "
      "line written to something that accepted it.");
  h.raw("</p><h2>Fair use</h2><p>");
  h.text(
      "Each test is a few packets to one port of your own address, counted in the same hourly "
      "probe budget as the scans. A few tests may be open at once per address; a test expires "
      "after a few minutes, and a nonce counts once.");
  h.raw("</p><p><a href=\"/scan\">Scan your connection</a></p>");
  return {"Does my port forward reach this machine?", "scan", {}, h.take()};
}

}  // namespace breakwater::site
