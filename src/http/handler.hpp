// What the HTTP engine serves: one object that turns a request into a response. The engine
// (responder, session, server) knows nothing else of the application behind it.
#pragma once

#include "http/http_types.hpp"

#include <cstddef>
#include <string_view>

namespace breakwater::http {

// A handler's answer and which of its routes made it (for logs and per-route metrics).
struct handled {
  response res;
  std::size_t route = static_cast<std::size_t>(-1);  // route id, or -1 when none matched
};

// Called from every worker thread at once: implementations are immutable after start-up
// or lock what they share.
class handler {
 public:
  virtual ~handler() = default;

  virtual handled handle(const request& req) const = 0;

  // The page for an error the engine answers itself, before any route ran (a malformed
  // request, a timeout, a wrong Host, too many connections). `heading` and `message` are
  // plain text, written by the engine for that status.
  virtual response error_page(unsigned status, std::string_view heading,
                              std::string_view message) const = 0;
};

}  // namespace breakwater::http
