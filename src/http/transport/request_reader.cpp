#include "http/transport/request_reader.hpp"

#include "common/text.hpp"

#include <boost/beast/http/error.hpp>

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

namespace {

// Whether a request's Transfer-Encoding frames its body as this server reads it: absent, or
// exactly one "chunked" (all field lines together) on HTTP/1.1. Anything else is refused
// (RFC 9112 6.1 and 6.3: a final coding other than chunked leaves the length unknown, and
// the parser would take the body's bytes for the next request; Transfer-Encoding on
// HTTP/1.0 is faulty framing; no other coding is understood here). A proxy in front might
// read such a request otherwise, so answering it could answer a request hidden in a body.
bool transfer_encoding_ok(const std::vector<header_view>& headers, unsigned version) {
  bool seen = false;
  unsigned codings = 0;
  bool only_chunked = true;
  for (const header_view& h : headers) {
    if (!common::iequals(h.name, "transfer-encoding")) continue;
    seen = true;
    std::string_view rest = h.value;
    while (true) {
      std::size_t comma = rest.find(',');
      std::string_view coding = common::trim(rest.substr(0, comma));
      if (!coding.empty()) {
        ++codings;
        only_chunked = only_chunked && common::iequals(coding, "chunked");
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return !seen || (version >= 11 && codings == 1 && only_chunked);
}

}  // namespace

void request_reader::on_header_impl(error_code& ec) {
  text_.method = view(text_.method_span);
  text_.target = view(text_.target_span);
  text_.headers.reserve(text_.field_spans.size());
  for (const auto& [name, value] : text_.field_spans) {
    text_.headers.push_back({view(name), view(value)});
  }
  if (!transfer_encoding_ok(text_.headers, text_.version)) {
    ec = boost::beast::http::error::bad_transfer_encoding;
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
