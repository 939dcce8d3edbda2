// The sink a session hands to a source that answers later: whatever thread writes, the
// session takes the pieces in the order they were written. (An event stream's ids must come
// in order: a browser resumes after the last id it saw.)
#include "http/transport/http_session.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace breakwater::http {
namespace {

namespace asio = boost::asio;

// A one-thread io_context as a worker's, a session's state and the sink that feeds it.
struct session_sink_bed : ::testing::Test {
  asio::io_context ioc{1};
  std::shared_ptr<async_state> st = std::make_shared<async_state>(ioc.get_executor());
  std::shared_ptr<session_sink> sink = std::make_shared<session_sink>(st, ioc.get_executor());
};

std::vector<std::string> taken(const async_state& st) { return {st.queue.begin(), st.queue.end()}; }

// The case that reordered an event stream: the session's own thread writes (a batch asked
// for by on_drained), and the scan's thread writes the next event while that handler is
// still running.
TEST_F(session_sink_bed, a_write_from_another_thread_does_not_overtake_the_sessions_own) {
  std::promise<void> first;
  std::promise<void> second;
  std::thread other([&] {
    first.get_future().wait();
    sink->write("2");
    sink->end();
    second.set_value();
  });
  asio::post(ioc, [&] {
    sink->write("1");
    first.set_value();
    second.get_future().wait();
  });
  ioc.run();
  other.join();
  EXPECT_EQ(taken(*st), (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(st->ended);
}

// Two threads write numbered pieces, each number taken under one lock as the scan service
// hands out events: the session sees them in number order, none lost.
TEST_F(session_sink_bed, pieces_from_two_threads_arrive_in_the_order_written) {
  constexpr int per_thread = 20000;
  std::mutex service_lock;
  int next = 0;
  auto write_next = [&] {
    std::lock_guard lock(service_lock);
    sink->write(std::to_string(next++));
  };
  // The session's thread writes from handlers, one after another.
  auto guard = asio::make_work_guard(ioc);
  std::promise<void> session_done;
  std::function<void(int)> from_session = [&](int left) {
    write_next();
    if (left == 1) return session_done.set_value();
    asio::post(ioc, [&, left] { from_session(left - 1); });
  };
  asio::post(ioc, [&] { from_session(per_thread); });
  std::thread session([&] { ioc.run(); });
  for (int i = 0; i < per_thread; ++i) write_next();
  session_done.get_future().wait();
  guard.reset();  // run() returns once the handlers still posted have run
  session.join();
  ASSERT_EQ(st->queue.size(), 2u * per_thread);
  for (std::size_t i = 0; i < st->queue.size(); ++i)
    ASSERT_EQ(st->queue[i], std::to_string(i)) << i;
}

// Calls after the session closed the sink (the client went away) are dropped, not posted.
TEST_F(session_sink_bed, a_closed_sink_takes_nothing) {
  sink->close();
  sink->write("late");
  sink->end();
  EXPECT_EQ(ioc.run(), 0u);
  EXPECT_TRUE(st->queue.empty());
  EXPECT_FALSE(st->ended);
}

// What is still in the inbox when the session closes the sink is dropped with it, and the
// handler already on its way takes nothing.
TEST_F(session_sink_bed, pieces_left_at_close_are_dropped) {
  sink->write("unsent");
  sink->end();
  sink->close();
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_TRUE(st->queue.empty());
  EXPECT_FALSE(st->ended);
}

// A deferred answer arrives whole, with what was written before it.
TEST_F(session_sink_bed, a_complete_answer_reaches_the_state) {
  response r;
  r.body = "done";
  sink->complete(std::move(r));
  ioc.run();
  ASSERT_TRUE(st->whole.has_value());
  EXPECT_EQ(st->whole->body, "done");
}

// A session gone without closing its sink (its state freed): the handler finds nothing to
// hand to, shuts the inbox, and later calls post nothing.
TEST_F(session_sink_bed, a_sink_outliving_its_session_posts_nothing_more) {
  st.reset();
  sink->write("1");
  EXPECT_EQ(ioc.run(), 1u);
  ioc.restart();
  sink->write("2");
  sink->end();
  EXPECT_EQ(ioc.run(), 0u);
}

}  // namespace
}  // namespace breakwater::http
