#include "http/transport/request_reader.hpp"

namespace breakwater::http {

request_reader::request_reader(request_text& text) : text_(text) {
  text_.arena.clear();
  text_.field_spans.clear();
  text_.headers.clear();
  text_.body.clear();
  text_.method = {};
  text_.target = {};
}

// Offsets, not views: the arena may move while it grows. The header limit keeps it far
// below 4 GiB.
request_text::span request_reader::keep(string_view s) {
  request_text::span at{static_cast<std::uint32_t>(text_.arena.size()),
                        static_cast<std::uint32_t>(s.size())};
  text_.arena.append(s.data(), s.size());
  return at;
}

void request_reader::on_request_impl(boost::beast::http::verb, string_view method,
                                     string_view target, int version, error_code&) {
  text_.method_span = keep(method);
  text_.target_span = keep(target);
  text_.version = version == 10 ? 10u : 11u;
}

void request_reader::on_field_impl(boost::beast::http::field, string_view name, string_view value,
                                   error_code&) {
  // Trailer fields of a chunked body come after the head is complete: the views into the
  // arena are built by then (appending could move it), and RFC 9110 says trailers must not
  // be merged into the header fields anyway. Nothing here reads them.
  if (is_header_done()) return;
  request_text::span n = keep(name);
  text_.field_spans.emplace_back(n, keep(value));
}

void request_reader::on_header_impl(error_code&) {
  text_.method = view(text_.method_span);
  text_.target = view(text_.target_span);
  text_.headers.reserve(text_.field_spans.size());
  for (const auto& [name, value] : text_.field_spans) {
    text_.headers.push_back({view(name), view(value)});
  }
}

void request_reader::on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) {
  // The parser has checked the length against the body limit already.
  if (length) text_.body.reserve(static_cast<std::size_t>(*length));
}

std::size_t request_reader::on_body_impl(string_view body, error_code&) {
  text_.body.append(body.data(), body.size());
  return body.size();
}

std::size_t request_reader::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  text_.body.append(body.data(), body.size());
  return body.size();
}

}  // namespace breakwater::http
