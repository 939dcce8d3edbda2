// Which Host names this server answers to, and which Origins are this site. A page that a
// rebinding DNS name (attacker.example -> 127.0.0.1, or -> this server) loads in a
// visitor's browser sends that name as Host: answering only known names (421 to others)
// keeps such a page from reading or driving this server.
#pragma once

#include "http/http_types.hpp"

#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace breakwater::http {

// Lower-cased, without a trailing dot; each a DNS name of letters, digits, '-' and '.'. The
// error is a sentence naming the bad entry.
boost::system::result<std::vector<std::string>, std::string> normalise_server_names(
    const std::vector<std::string>& names);

// The host of a Host header or an Origin's authority: "[::1]:8080" -> "::1",
// "Example.org:443" -> "Example.org".
std::string_view host_part(std::string_view authority) noexcept;

class host_rules {
 public:
  host_rules() = default;
  explicit host_rules(std::vector<std::string> normalised_names)
      : names_(std::move(normalised_names)) {}

  // 0 when the request may be served; 400 for HTTP/1.1 without exactly one Host; 421 for a
  // Host that is neither a configured name, an IP literal nor localhost (any port).
  unsigned check(const request& req) const noexcept;

  // Whether `host` (no port) is a configured server name.
  bool is_server_name(std::string_view host) const noexcept;

  // Whether an authority ("name:port") may be answered: a server name, IP literal, localhost.
  bool answers(std::string_view authority) const noexcept;

  const std::vector<std::string>& names() const noexcept { return names_; }

 private:
  std::vector<std::string> names_;
};

}  // namespace breakwater::http
