// STUB: to be written.
#include "probe/wire/udp/protocol.hpp"

namespace breakwater::probe::udp {

std::string escaped_text(std::string_view bytes, std::size_t) { return std::string(bytes); }

}  // namespace breakwater::probe::udp
