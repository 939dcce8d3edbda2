// Small hand-made databases for unit tests: a few registry rows and entries.
#pragma once

#include "db/database.hpp"

#include <string>

namespace breakwater::db::testing {

inline iana_row row(std::string service, unsigned lo, unsigned hi, std::optional<transport> t,
                    std::string description) {
  iana_row r;
  r.service = std::move(service);
  r.has_port = true;
  r.port_lo = static_cast<std::uint16_t>(lo);
  r.port_hi = static_cast<std::uint16_t>(hi);
  r.proto = t;
  r.description = std::move(description);
  r.status = classify(r);
  return r;
}

inline entry make_entry(unsigned port, std::string title, std::string body,
                        std::vector<std::string> keywords = {}) {
  entry e;
  e.port = static_cast<std::uint16_t>(port);
  e.title = std::move(title);
  e.summary = "Summary of " + e.title + ".";
  e.paragraphs = {std::move(body)};
  e.keywords = std::move(keywords);
  e.transports = {transport::tcp};
  e.file = "data/ports/" + std::to_string(port) + ".toml";
  return e;
}

inline database small_database() {
  std::vector<iana_row> rows{
      row("", 0, 0, transport::tcp, "Reserved"),
      row("tcpmux", 1, 1, transport::tcp, "TCP Port Service Multiplexer"),
      row("", 2, 21, std::nullopt, "Unassigned"),
      row("ssh", 22, 22, transport::tcp, "The Secure Shell (SSH) Protocol"),
      row("https", 443, 443, transport::sctp, "HTTPS"),
      row("https", 443, 443, transport::udp, "http protocol over TLS/SSL"),
      row("https", 443, 443, transport::tcp, "http protocol over TLS/SSL"),
      row("netconf-ssh", 830, 830, transport::tcp, "NETCONF over SSH"),
      row("x11", 6000, 6063, transport::tcp, "X Window System"),
  };
  std::vector<entry> entries{
      make_entry(443, "HTTPS", "Web traffic protected by TLS encryption.", {"tls", "web"}),
      make_entry(22, "SSH", "Encrypted remote shell logins for administrators."),
      make_entry(8081, "Web admin", "Device consoles often listen here over plain HTTP."),
  };
  return database(std::move(rows), std::move(entries));
}

}  // namespace breakwater::db::testing
