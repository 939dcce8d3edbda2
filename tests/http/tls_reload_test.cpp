// Certificate reload as the server does it (tls_identity_store): a connection keeps the
// identity it took before its handshake, connections after the swap get the new one, and a
// certificate that cannot be loaded never replaces the one serving. The whole path, with
// SIGHUP and the real program: tests/e2e/reload_e2e.py.
#include "http/error.hpp"
#include "http/tls_loopback.hpp"

#include <openssl/x509.h>

namespace {

using namespace breakwater::http::testing;
using breakwater::http::tls_identity;
using breakwater::http::tls_identity_store;
using identity_ptr = std::shared_ptr<const tls_identity>;

class tls_reload : public tls_loopback {
 protected:
  static identity_ptr load(const std::string& dir) {
    auto files = breakwater::http::ensure_self_signed(dir);
    EXPECT_TRUE(files) << files.error().message();
    if (!files) return nullptr;
    auto id = breakwater::http::load_tls_identity(files->cert, files->key);
    EXPECT_TRUE(id) << id.error().message();
    return id ? *id : nullptr;
  }

  // Whether the client's handshake showed `id`'s certificate.
  static bool shows(client_stream& c, const identity_ptr& id) {
    X509* peer = SSL_get1_peer_certificate(c.native_handle());
    bool same = peer != nullptr &&
                X509_cmp(peer, SSL_CTX_get0_certificate(id->context->native_handle())) == 0;
    X509_free(peer);
    return same;
  }

  // The server's side of one connection, with the identity it took before the handshake.
  static asio::awaitable<void> serve(tcp::socket s, identity_ptr id) {
    tls_stream stream(std::move(s), id->context->native_handle());
    co_await stream.async_handshake(awaitable);
    co_await answer(stream);
  }

  void SetUp() override {
    tls_loopback::SetUp();
    std::string dir = (std::filesystem::temp_directory_path() / "bw-tls-reload-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    second_dir_ = dir;
    first_ = load(state_dir_);
    second_ = load(second_dir_);
    ASSERT_TRUE(first_ && second_);
    ASSERT_NE(first_->cert.sha256, second_->cert.sha256);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(second_dir_, ignored);
  }

  std::string second_dir_;
  identity_ptr first_, second_;
};

TEST_P(tls_reload, a_connection_keeps_its_certificate_and_new_ones_get_the_new_one) {
  tls_identity_store store(first_);
  event first_ready(ctx_), reloaded(ctx_), second_done(ctx_);
  bool early_saw_first = false, late_saw_second = false;
  std::string early_reply, late_reply;
  error_code early_end = not_run, late_end = not_run;
  auto server = [&]() -> asio::awaitable<void> {
    tcp::socket a = co_await accept();
    asio::co_spawn(ctx_, serve(std::move(a), store.current()), asio::detached);
    tcp::socket b = co_await accept();
    co_await serve(std::move(b), store.current());
  };
  auto early = [&]() -> asio::awaitable<void> {
    client_stream c(ctx_, client_tls_);
    co_await connect_and_handshake(c);
    early_saw_first = shows(c, first_);
    first_ready.set();
    co_await second_done.wait();  // asks only after a connection used the new certificate
    co_await ask(c, early_reply, early_end);
  };
  auto reload = [&]() -> asio::awaitable<void> {
    co_await first_ready.wait();
    store.replace(second_);
    reloaded.set();
  };
  auto late = [&]() -> asio::awaitable<void> {
    co_await reloaded.wait();
    client_stream c(ctx_, client_tls_);
    co_await connect_and_handshake(c);
    late_saw_second = shows(c, second_);
    co_await ask(c, late_reply, late_end);
    second_done.set();
  };
  run(server(), early(), reload(), late());
  EXPECT_TRUE(early_saw_first);
  EXPECT_TRUE(late_saw_second);
  EXPECT_EQ(late_reply, reply_text);
  EXPECT_EQ(early_reply, reply_text);  // the connection from before the reload still works
  EXPECT_EQ(early_end, asio::error::eof) << early_end.message();
  EXPECT_EQ(store.current(), second_);
}

TEST_P(tls_reload, files_that_cannot_be_loaded_give_an_error_and_no_identity) {
  auto first = breakwater::http::ensure_self_signed(state_dir_);
  auto second = breakwater::http::ensure_self_signed(second_dir_);
  ASSERT_TRUE(first && second);
  auto mismatched = breakwater::http::load_tls_identity(second->cert, first->key);
  ASSERT_FALSE(mismatched);
  EXPECT_EQ(mismatched.error(), breakwater::http::errc::cert_unreadable);
  auto missing = breakwater::http::load_tls_identity(second_dir_ + "/none.pem", second->key);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), breakwater::http::errc::cert_unreadable);
}

INSTANTIATE_TEST_SUITE_P(versions, tls_reload, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         version_name);

}  // namespace
