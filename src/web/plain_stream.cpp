#include "web/plain_stream.hpp"

namespace breakwater::web {

void plain_stream::cancel() {
  error_code ignored;
  socket_.cancel(ignored);
}

}  // namespace breakwater::web
