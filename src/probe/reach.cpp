#include "probe/reach.hpp"

namespace breakwater::probe {
namespace {

bool is_hex_digit(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

std::string_view to_string(reach_transport t) noexcept {
  return t == reach_transport::udp ? "udp" : "tcp";
}

std::optional<reach_transport> parse_reach_transport(std::string_view text) noexcept {
  if (text == "udp") return reach_transport::udp;
  if (text == "tcp") return reach_transport::tcp;
  return std::nullopt;
}

std::string_view to_string(reach_delivery d) noexcept {
  switch (d) {
    case reach_delivery::none: return "none";
    case reach_delivery::sent: return "sent";
    case reach_delivery::answered: return "answered";
    case reach_delivery::written: return "written";
    case reach_delivery::refused: return "refused";
    case reach_delivery::unreachable: return "unreachable";
    case reach_delivery::no_answer: return "no_answer";
    case reach_delivery::failed: return "failed";
  }
  return "none";
}

bool is_reach_nonce(std::string_view text) noexcept {
  if (text.size() != reach_nonce_length) return false;
  for (char c : text) {
    if (!is_hex_digit(c)) return false;
  }
  return true;
}

std::string reach_message(std::string_view id, std::string_view nonce) {
  std::string out(reach_tag);
  out += ' ';
  out += id;
  out += ' ';
  out += nonce;
  out += '\n';
  return out;
}

std::optional<std::string> find_reach_nonce(std::string_view payload, std::string_view id) {
  if (id.empty()) return std::nullopt;
  std::size_t at = 0;
  while ((at = payload.find(reach_tag, at)) != std::string_view::npos) {
    std::string_view rest = payload.substr(at + reach_tag.size());
    at += reach_tag.size();
    if (rest.size() < 2 + id.size() + reach_nonce_length || rest[0] != ' ') continue;
    if (rest.substr(1, id.size()) != id || rest[1 + id.size()] != ' ') continue;
    std::string_view nonce = rest.substr(2 + id.size(), reach_nonce_length);
    if (!is_reach_nonce(nonce)) continue;
    // The nonce ends there: a longer run of hex digits is not ours.
    std::size_t after = 2 + id.size() + reach_nonce_length;
    if (after < rest.size() && is_hex_digit(rest[after])) continue;
    return std::string(nonce);
  }
  return std::nullopt;
}

std::optional<std::string> find_reach_nonce(std::span<const std::uint8_t> payload,
                                            std::string_view id) {
  std::string_view text(reinterpret_cast<const char*>(payload.data()), payload.size());
  return find_reach_nonce(text, id);
}

}  // namespace breakwater::probe
