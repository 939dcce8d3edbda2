#include "http/transport/plain_stream.hpp"

namespace breakwater::http {

void plain_stream::cancel() {
  error_code ignored;
  socket_.cancel(ignored);
}

}  // namespace breakwater::http
