#include "http/client.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <optional>

namespace breakwater::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct target {
  bool https = false;
  std::string host;  // without brackets
  std::string port;
  std::string path;  // with its query
};

boost::system::result<target, std::string> parse_target(const std::string& url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u) return fmt::format("'{}' is not a URL: give http://HOST[:PORT] or https://...", url);
  target t;
  if (u->scheme() == "https") {
    t.https = true;
  } else if (u->scheme() != "http") {
    return fmt::format("'{}': only http:// and https:// URLs are supported", url);
  }
  t.host = u->host_address();
  if (t.host.empty()) return fmt::format("'{}' names no host", url);
  t.port = u->has_port() ? std::string(u->port()) : (t.https ? "443" : "80");
  t.path = std::string(u->encoded_target());
  if (t.path.empty()) t.path = "/";
  return t;
}

bool in_family(const tcp::endpoint& ep, ip_family f) {
  return f == ip_family::any || (f == ip_family::v4) == ep.address().is_v4();
}

std::vector<tcp::endpoint> resolve(asio::io_context& ioc, const target& t, ip_family f,
                                   std::string& error) {
  tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto results = resolver.resolve(t.host, t.port, ec);
  if (ec) {
    error = fmt::format("cannot resolve {}: {}", t.host, ec.message());
    return {};
  }
  std::vector<tcp::endpoint> out;
  for (const auto& r : results)
    if (in_family(r.endpoint(), f)) out.push_back(r.endpoint());
  if (out.empty()) error = fmt::format("{} has no {} address", t.host, to_string(f));
  return out;
}

bhttp::request<bhttp::string_body> make_request(const client_request& r, const target& t) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(r.method);
  req.target(t.path);
  req.version(11);
  bool default_port = t.port == (t.https ? "443" : "80");
  bool v6 = t.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + t.host + "]" : t.host;
  req.set(bhttp::field::host, default_port ? host : host + ":" + t.port);
  req.set(bhttp::field::user_agent, "breakwater");
  req.set(bhttp::field::connection, "close");
  for (const auto& [name, value] : r.headers) req.set(name, value);
  if (!r.body.empty() || r.method == "POST") {
    if (!r.content_type.empty()) req.set(bhttp::field::content_type, r.content_type);
    req.body() = r.body;
    req.prepare_payload();
  }
  return req;
}

// One exchange on a connected stream; the deadline is the tcp_stream's, set by the caller.
template <typename Stream>
asio::awaitable<client_response> exchange(Stream& stream, bhttp::request<bhttp::string_body>& req) {
  co_await bhttp::async_write(stream, req, asio::use_awaitable);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_client_body);
  co_await bhttp::async_read(stream, buffer, parser, asio::use_awaitable);
  auto& res = parser.get();
  client_response out;
  out.status = res.result_int();
  out.body = std::move(res.body());
  out.content_type = std::string(res[bhttp::field::content_type]);
  co_return out;
}

asio::awaitable<client_response> run(const client_request& r, const target& t,
                                     std::vector<tcp::endpoint> endpoints, std::string& step) {
  auto ex = co_await asio::this_coro::executor;
  beast::tcp_stream tcp_stream(ex);
  auto req = make_request(r, t);
  tcp_stream.expires_after(r.timeout);
  step = "connecting to " + t.host;
  auto ep = co_await tcp_stream.async_connect(endpoints, asio::use_awaitable);
  std::string remote = ep.address().to_string();
  if (!t.https) {
    step = "talking to " + remote;
    client_response res = co_await exchange(tcp_stream, req);
    res.remote = remote;
    co_return res;
  }
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  if (r.verify) {
    if (r.ca_file.empty()) {
      ctx.set_default_verify_paths();
    } else {
      ctx.load_verify_file(r.ca_file);
    }
    ctx.set_verify_mode(asio::ssl::verify_peer);
  } else {
    ctx.set_verify_mode(asio::ssl::verify_none);
  }
  beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp_stream), ctx);
  // SNI, and the name the certificate must carry (an IP literal is checked as an address).
  SSL_ctrl(tls.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           static_cast<void*>(const_cast<char*>(t.host.c_str())));
  if (r.verify) tls.set_verify_callback(asio::ssl::host_name_verification(t.host));
  step = "the TLS handshake with " + remote;
  co_await tls.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  step = "talking to " + remote;
  client_response res = co_await exchange(tls, req);
  res.remote = remote;
  co_return res;
}

}  // namespace

std::string_view to_string(ip_family f) noexcept {
  switch (f) {
    case ip_family::any: return "any";
    case ip_family::v4: return "IPv4";
    case ip_family::v6: return "IPv6";
  }
  return "any";
}

boost::system::result<client_response, std::string> fetch(const client_request& request) {
  auto t = parse_target(request.url);
  if (!t) return t.error();
  asio::io_context ioc;
  std::string error;
  auto endpoints = resolve(ioc, *t, request.family, error);
  if (endpoints.empty()) return error;
  std::optional<client_response> answer;
  std::string step;
  asio::co_spawn(ioc, run(request, *t, std::move(endpoints), step),
                 [&](std::exception_ptr e, client_response res) {
                   if (!e) {
                     answer = std::move(res);
                     return;
                   }
                   try {
                     std::rethrow_exception(e);
                   } catch (const boost::system::system_error& s) {
                     bool late = s.code() == beast::error::timeout;
                     error = fmt::format("{} failed: {}", step,
                                         late ? "no answer in time" : s.code().message());
                   } catch (const std::exception& x) {
                     error = fmt::format("{} failed: {}", step, x.what());
                   }
                 });
  ioc.run();
  if (!answer) return error;
  return std::move(*answer);
}

std::vector<ip_family> families_of(const std::string& url) {
  auto t = parse_target(url);
  if (!t) return {};
  asio::io_context ioc;
  std::string error;
  bool v4 = false, v6 = false;
  for (const tcp::endpoint& ep : resolve(ioc, *t, ip_family::any, error)) {
    (ep.address().is_v4() ? v4 : v6) = true;
  }
  std::vector<ip_family> out;
  if (v4) out.push_back(ip_family::v4);
  if (v6) out.push_back(ip_family::v6);
  return out;
}

}  // namespace breakwater::http
