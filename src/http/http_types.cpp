#include "http/http_types.hpp"

#include "common/text.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace breakwater::http {

method parse_method(std::string_view text) noexcept {
  if (text == "GET") return method::get;
  if (text == "HEAD") return method::head;
  if (text == "POST") return method::post;
  if (text == "PUT") return method::put;
  if (text == "DELETE") return method::del;
  if (text == "OPTIONS") return method::options;
  return method::other;
}

std::string_view to_string(method m) noexcept {
  switch (m) {
    case method::get: return "GET";
    case method::head: return "HEAD";
    case method::post: return "POST";
    case method::put: return "PUT";
    case method::del: return "DELETE";
    case method::options: return "OPTIONS";
    case method::other: return "OTHER";
  }
  return "OTHER";
}

std::uint32_t measure_rtt_us(const connection_info& c) noexcept {
  if (c.native_socket < 0) return 0;
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(c.native_socket, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return 0;
  return info.tcpi_rtt;
}

std::string_view request::header(std::string_view name) const noexcept {
  for (const header_view& h : headers) {
    if (common::iequals(h.name, name)) return h.value;
  }
  return {};
}

response async_source::timeout_answer() const {
  response r;
  r.status = 503;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "The answer did not come in time; try again shortly.\n";
  return r;
}

}  // namespace breakwater::http
