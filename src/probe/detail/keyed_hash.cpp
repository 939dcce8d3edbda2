#include "probe/detail/keyed_hash.hpp"

#include <sys/random.h>

#include <bit>
#include <cerrno>

namespace breakwater::probe {
namespace {

std::uint64_t le64(const std::uint8_t* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

struct sip_state {
  std::uint64_t v0, v1, v2, v3;

  void round() noexcept {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }

  void absorb(std::uint64_t m) noexcept {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

}  // namespace

std::uint64_t siphash24(const siphash_key& key, std::span<const std::uint8_t> message) noexcept {
  std::uint64_t k0 = le64(key.data()), k1 = le64(key.data() + 8);
  sip_state s{k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull, k0 ^ 0x6c7967656e657261ull,
              k1 ^ 0x7465646279746573ull};
  std::size_t whole = message.size() / 8 * 8;
  for (std::size_t i = 0; i < whole; i += 8) s.absorb(le64(message.data() + i));
  // The last block: the leftover bytes, and the message length in the top byte.
  std::uint64_t last = static_cast<std::uint64_t>(message.size()) << 56;
  for (std::size_t i = whole; i < message.size(); ++i) {
    last |= static_cast<std::uint64_t>(message[i]) << (8 * (i - whole));
  }
  s.absorb(last);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

boost::system::error_code fill_random(std::span<std::uint8_t> out) noexcept {
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::getrandom(out.data() + got, out.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return {errno, boost::system::system_category()};
    }
    got += static_cast<std::size_t>(n);
  }
  return {};
}

boost::system::result<siphash_key> random_siphash_key() noexcept {
  siphash_key k{};
  if (auto ec = fill_random(k)) return ec;
  return k;
}

}  // namespace breakwater::probe
