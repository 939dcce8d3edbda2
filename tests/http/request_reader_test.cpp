// request_reader: Beast's parser with storage the session reuses. The head's views must
// survive everything that follows it in the same request (body, chunk trailers).
#include "http/transport/request_reader.hpp"

#include <gtest/gtest.h>
#include <boost/asio/buffer.hpp>

#include <string>
#include <vector>

namespace breakwater::http {
namespace {

// Feeds `wire` whole; returns the parser's error.
boost::beast::error_code read_all(request_reader& r, const std::string& wire) {
  r.eager(true);
  boost::beast::error_code ec;
  std::size_t used = r.put(boost::asio::buffer(wire), ec);
  EXPECT_EQ(used, wire.size());
  return ec;
}

TEST(request_reader, head_fields_and_body_are_kept) {
  request_text text;
  request_reader r(text);
  auto ec = read_all(r,
                     "POST /api/v1/scans?x=1 HTTP/1.1\r\nHost: a\r\nX-Two: b\r\n"
                     "Content-Length: 5\r\n\r\nhello");
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(r.is_done());
  EXPECT_EQ(text.method, "POST");
  EXPECT_EQ(text.target, "/api/v1/scans?x=1");
  EXPECT_EQ(text.version, 11u);
  ASSERT_EQ(text.headers.size(), 3u);
  EXPECT_EQ(text.headers[1].name, "X-Two");
  EXPECT_EQ(text.headers[1].value, "b");
  EXPECT_EQ(text.body, "hello");
  EXPECT_TRUE(r.keep_alive());
}

TEST(request_reader, chunk_trailers_leave_the_head_intact) {
  request_text text;
  request_reader r(text);
  // A trailer larger than the arena's reserve would move it if it were stored.
  std::string trailer(3000, 'p');
  auto ec = read_all(r,
                     "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n2\r\nde\r\n0\r\nX-Pad: " +
                         trailer + "\r\n\r\n");
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(r.is_done());
  EXPECT_EQ(text.method, "POST");
  EXPECT_EQ(text.target, "/x");
  ASSERT_EQ(text.headers.size(), 2u);  // trailers are not merged into the head
  EXPECT_EQ(text.headers[0].value, "a");
  EXPECT_EQ(text.headers[1].value, "chunked");
  EXPECT_EQ(text.body, "abcde");
}

// A body framed otherwise than by one final "chunked" (RFC 9112 6.1, 6.3) is refused at
// the head, before any body byte is read: Beast alone reads no body for "xchunked", and the
// body's bytes would be answered as the next request.
TEST(request_reader, transfer_encoding_other_than_chunked_is_refused) {
  const std::string hidden = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n";
  struct framing {
    const char* version;
    std::string te;
    bool ok;
  };
  for (const framing& f :
       std::vector<framing>{{"1.1", "Transfer-Encoding: chunked\r\n", true},
                            {"1.1", "Transfer-Encoding:  Chunked \r\n", true},
                            {"1.1", "Transfer-Encoding: xchunked\r\n", false},
                            {"1.1", "Transfer-Encoding: chunked, gzip\r\n", false},
                            {"1.1", "Transfer-Encoding: gzip, chunked\r\n", false},
                            {"1.1", "Transfer-Encoding: chunked, chunked\r\n", false},
                            {"1.1",
                             "Transfer-Encoding: chunked\r\n"
                             "Transfer-Encoding: chunked\r\n",
                             false},
                            {"1.1", "Transfer-Encoding: \r\n", false},
                            {"1.0", "Transfer-Encoding: chunked\r\n", false}}) {
    SCOPED_TRACE(std::string(f.version) + " " + f.te);
    request_text text;
    request_reader r(text);
    r.eager(true);
    std::string wire = std::string("POST /x HTTP/") + f.version + "\r\nHost: a\r\n" + f.te +
                       "\r\n" + (f.ok ? "0\r\n\r\n" : hidden);
    boost::beast::error_code ec;
    r.put(boost::asio::buffer(wire), ec);
    if (f.ok) {
      EXPECT_FALSE(ec) << ec.message();
      EXPECT_TRUE(r.is_done());
    } else {
      EXPECT_EQ(ec, boost::beast::http::error::bad_transfer_encoding) << ec.message();
    }
  }
}

TEST(request_reader, a_new_request_starts_from_empty_text) {
  request_text text;
  {
    request_reader first(text);
    ASSERT_FALSE(read_all(first, "GET /one HTTP/1.0\r\nA: 1\r\n\r\n"));
    EXPECT_EQ(text.version, 10u);
    EXPECT_FALSE(first.keep_alive());
  }
  request_reader second(text);
  ASSERT_FALSE(read_all(second, "GET /two HTTP/1.1\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(text.target, "/two");
  ASSERT_EQ(text.headers.size(), 1u);
  EXPECT_FALSE(second.keep_alive());
  EXPECT_TRUE(text.body.empty());
}

}  // namespace
}  // namespace breakwater::http
