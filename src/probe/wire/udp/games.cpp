// Game servers and peer-to-peer nodes that answer anyone by design: Steam's A2S, Minecraft
// Bedrock's RakNet ping and the BitTorrent DHT. Worth knowing about, nothing to fix.
#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/families.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>

namespace breakwater::probe::udp::detail {

// --- Steam A2S_INFO (Valve's Server queries documentation). Since 2020 a server may first
// answer with a challenge ('A') that the query must repeat; that answer names it well enough.

namespace {

constexpr std::string_view a2s_info_request{"\xFF\xFF\xFF\xFFTSource Engine Query\0", 25};
constexpr std::string_view a2s_simple_header{"\xFF\xFF\xFF\xFF", 4};
constexpr std::string_view a2s_split_header{"\xFF\xFF\xFF\xFE", 4};

struct a2s_info {
  std::string_view name, map, game;
  std::uint8_t players = 0, max_players = 0;
};

// 'I' (Source): protocol, name, map, folder, game, app id (2 bytes), players, max players.
// 'm' (GoldSource): address, name, map, folder, game, players, max players.
std::optional<a2s_info> parse_a2s_info(byte_reader r, char kind) {
  a2s_info info;
  if (kind == 'I') r.skip(1);     // protocol
  if (kind == 'm') r.c_string();  // address
  info.name = r.c_string();
  info.map = r.c_string();
  r.c_string();  // folder
  info.game = r.c_string();
  if (kind == 'I') r.skip(2);  // app id
  info.players = r.u8();
  info.max_players = r.u8();
  if (!r.ok()) return std::nullopt;
  return info;
}

std::optional<std::string> a2s_summary(std::string_view answer) {
  if (answer.starts_with(a2s_split_header))
    return "a Steam game server (its answer came in several parts)";
  if (!answer.starts_with(a2s_simple_header)) return std::nullopt;
  byte_reader r(answer, a2s_simple_header.size());
  auto kind = r.u8();
  if (kind == 'A' && r.left() >= 4) return "a Steam game server (it asked for the challenge round)";
  if (kind != 'I' && kind != 'm') return std::nullopt;
  auto info = parse_a2s_info(r, static_cast<char>(kind));
  if (!info) return std::nullopt;
  return fmt::format("a Steam game server {}, map {}, game {}, {}/{} players",
                     quoted(info->name, 50), quoted(info->map, 30), quoted(info->game, 40),
                     info->players, info->max_players);
}

}  // namespace

std::vector<std::string> a2s_requests() { return {std::string(a2s_info_request)}; }

reading a2s_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "Steam A2S", {}, a2s_summary);
}

// --- Minecraft Bedrock: RakNet's unconnected ping (0x01) and pong (0x1c), whose string is
// "MCPE;motd;protocol;version;players;max players;server id;world;mode;...".

namespace {

constexpr std::string_view raknet_magic{
    "\x00\xff\xff\x00\xfe\xfe\xfe\xfe\xfd\xfd\xfd\xfd\x12\x34\x56\x78", 16};
constexpr std::string_view raknet_client_guid = "bwrakgid";

std::optional<std::string> bedrock_summary(std::string_view answer) {
  byte_reader r(answer);
  auto id = r.u8();
  r.skip(16);  // the time of our ping, the server's GUID
  auto magic = r.take(16);
  auto text = r.take(r.u16());
  if (!r.ok() || id != 0x1c || magic != raknet_magic) return std::nullopt;
  auto f = split(text, ';', 8);
  if (f.size() < 6 || (f[0] != "MCPE" && f[0] != "MCEE"))
    return "a RakNet server: " + quoted(text, 80);
  return fmt::format("a Minecraft Bedrock server {}, version {}, {}/{} players", quoted(f[1], 50),
                     quoted(f[3], 20), escaped_text(f[4], 8), escaped_text(f[5], 8));
}

}  // namespace

std::vector<std::string> bedrock_requests() {
  std::string r;
  put_u8(r, 0x01);    // unconnected ping
  r.append(8, '\0');  // the client's time: any value
  r += raknet_magic;
  r += raknet_client_guid;
  return {r};
}

reading bedrock_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "RakNet", {}, bedrock_summary);
}

// --- BitTorrent DHT (BEP 5): a KRPC ping, answered by {"y": "r", "r": {"id": ...}}.

namespace {

constexpr std::string_view dht_node_id = "breakwater-dht-probe";  // 20 bytes
constexpr std::string_view dht_transaction = "bw";
constexpr int bencode_depth = 16;

// A byte string "<length>:<bytes>" at `pos`; moves `pos` past it.
bool bencode_string(std::string_view s, std::size_t& pos, std::string_view& out) {
  std::size_t length = 0, digits = 0;
  while (pos + digits < s.size() && s[pos + digits] >= '0' && s[pos + digits] <= '9') {
    if (++digits > 6) return false;  // longer than any datagram
    length = length * 10 + static_cast<std::size_t>(s[pos + digits - 1] - '0');
  }
  std::size_t colon = pos + digits;
  if (digits == 0 || colon >= s.size() || s[colon] != ':' || s.size() - colon - 1 < length)
    return false;
  out = s.substr(colon + 1, length);
  pos = colon + 1 + length;
  return true;
}

// Moves `pos` past the value there (BEP 3: i<n>e, l...e, d...e, strings); false when
// malformed or nested deeper than `depth`.
bool bencode_skip(std::string_view s, std::size_t& pos, int depth) {
  if (pos >= s.size() || depth == 0) return false;
  char kind = s[pos];
  if (kind == 'i') {
    std::size_t end = s.find('e', pos);
    if (end == std::string_view::npos || end == pos + 1) return false;
    pos = end + 1;
    return true;
  }
  if (kind == 'l' || kind == 'd') {
    ++pos;
    while (pos < s.size() && s[pos] != 'e') {
      std::string_view key;
      if (kind == 'd' && !bencode_string(s, pos, key)) return false;
      if (!bencode_skip(s, pos, depth - 1)) return false;
    }
    if (pos >= s.size()) return false;
    ++pos;
    return true;
  }
  std::string_view ignored;
  return bencode_string(s, pos, ignored);
}

// The value of `key` in the dictionary that is all of `s`, as its raw bencoded bytes.
std::optional<std::string_view> bencode_lookup(std::string_view s, std::string_view key) {
  if (s.empty() || s[0] != 'd') return std::nullopt;
  std::size_t pos = 1;
  while (pos < s.size() && s[pos] != 'e') {
    std::string_view k;
    if (!bencode_string(s, pos, k)) return std::nullopt;
    std::size_t start = pos;
    if (!bencode_skip(s, pos, bencode_depth)) return std::nullopt;
    if (k == key) return s.substr(start, pos - start);
  }
  return std::nullopt;
}

// The byte string under `key`, when there is one.
std::optional<std::string_view> bencode_text(std::string_view dict, std::string_view key) {
  auto raw = bencode_lookup(dict, key);
  std::size_t pos = 0;
  std::string_view out;
  if (!raw || !bencode_string(*raw, pos, out) || pos != raw->size()) return std::nullopt;
  return out;
}

std::optional<std::string> dht_summary(std::string_view answer) {
  std::size_t end = 0;
  if (!bencode_skip(answer, end, bencode_depth) || answer[0] != 'd') return std::nullopt;
  std::string_view message = answer.substr(0, end);
  auto y = bencode_text(message, "y");
  if (bencode_text(message, "t") != dht_transaction || !y) return std::nullopt;
  std::string s;
  if (*y == "e") {
    s = "a BitTorrent DHT node (it answered with an error)";
  } else if (*y == "r") {
    auto r = bencode_lookup(message, "r");
    auto id = r ? bencode_text(*r, "id") : std::nullopt;
    if (!id || id->size() != 20) return std::nullopt;
    s = "a BitTorrent DHT node";
  } else {
    return std::nullopt;
  }
  // BEP 5's "v": two letters naming the client, then two bytes of its version.
  if (auto v = bencode_text(message, "v"); v && v->size() >= 2) s += ", client " + quoted(*v, 20);
  return s;
}

}  // namespace

std::vector<std::string> dht_requests() {
  return {fmt::format("d1:ad2:id20:{}e1:q4:ping1:t{}:{}1:y1:qe", dht_node_id,
                      dht_transaction.size(), dht_transaction)};
}

reading dht_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "BitTorrent DHT", {}, dht_summary);
}

}  // namespace breakwater::probe::udp::detail
