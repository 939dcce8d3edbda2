// Reads one HTTP/1.1 request with Beast's parser into text the session keeps for all its
// requests: no allocation per header field, as beast::http::request<> would make.
// Include only where a session runs: it pulls in Beast's parser.
#pragma once

#include "http/http_types.hpp"

#include <boost/beast/http/basic_parser.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::http {

// One request's text. Cleared, not freed, between requests.
struct request_text {
  request_text() {
    // Room for a browser's request head without growing: one allocation each per connection.
    arena.reserve(960);
    headers.reserve(24);
    field_spans.reserve(24);
  }

  std::string_view method;  // these views point into `arena` once the head is complete
  std::string_view target;
  unsigned version = 11;
  std::vector<header_view> headers;
  std::string body;

  std::string arena;  // method, target and every header name and value, back to back
  struct span {
    std::uint32_t at = 0;
    std::uint32_t size = 0;
  };
  std::vector<std::pair<span, span>> field_spans;
  span method_span, target_span;
};

class request_reader final : public boost::beast::http::basic_parser<true> {
 public:
  explicit request_reader(request_text& text);

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  request_text::span keep(string_view s);
  std::string_view view(request_text::span s) const {
    return std::string_view(text_.arena).substr(s.at, s.size);
  }

  void on_request_impl(boost::beast::http::verb, string_view method, string_view target,
                       int version, error_code&) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field, string_view name, string_view value,
                     error_code&) override;
  void on_header_impl(error_code&) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override;
  std::size_t on_body_impl(string_view body, error_code&) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override;
  void on_finish_impl(error_code&) override {}

  request_text& text_;
};

}  // namespace breakwater::http
