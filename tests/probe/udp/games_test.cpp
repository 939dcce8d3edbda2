// Steam A2S, Minecraft Bedrock and the BitTorrent DHT: the requests' bytes, libtorrent's
// real DHT answer (captured on loopback), answers built from Valve's server query
// documentation, RakNet's ping layout and BEP 5, truncated and foreign bytes.
#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

// --- A2S

const std::string source_info = from_hex("ffffffff 49 11") + "My Server"s + '\0' + "de_dust2"s +
                                '\0' + "csgo"s + '\0' + "Counter-Strike: Global Offensive"s + '\0' +
                                from_hex("da02 05 10 00 64 6c 00 01") + "1.38.0.0"s + '\0';

TEST(udp_a2s, request_is_a2s_info) {
  auto r = a2s_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], "\xFF\xFF\xFF\xFFTSource Engine Query\0"sv);
  EXPECT_EQ(r[0].size(), 25u);
}

TEST(udp_a2s, reads_source_info) {
  auto r = read_one(a2s_read, source_info);
  EXPECT_EQ(r.summary,
            "a Steam game server \"My Server\", map \"de_dust2\", game \"Counter-Strike: Global "
            "Offensive\", 5/16 players");
  EXPECT_TRUE(r.finding.empty());
}

TEST(udp_a2s, reads_goldsource_info_challenges_and_split_answers) {
  std::string goldsource = from_hex("ffffffff 6d") + "203.0.113.4:27015"s + '\0' + "HL"s + '\0' +
                           "crossfire"s + '\0' + "valve"s + '\0' + "Half-Life"s + '\0' +
                           from_hex("02 10 2f");
  EXPECT_EQ(read_one(a2s_read, goldsource).summary,
            "a Steam game server \"HL\", map \"crossfire\", game \"Half-Life\", 2/16 players");
  EXPECT_EQ(read_one(a2s_read, from_hex("ffffffff 41 0a0b0c0d")).summary,
            "a Steam game server (it asked for the challenge round)");
  EXPECT_EQ(read_one(a2s_read, from_hex("fffffffe 01000000 02 00 e004")).summary,
            "a Steam game server (its answer came in several parts)");
}

TEST(udp_a2s, refuses_truncated_and_foreign_answers) {
  for (std::size_t n = 0; n < source_info.size(); ++n) {
    auto r = read_one(a2s_read, source_info.substr(0, n));
    // Cut after max players: the rest is optional to us.
    if (n >= source_info.size() - 14) continue;
    EXPECT_TRUE(not_the("Steam A2S", r)) << n;
  }
  EXPECT_TRUE(not_the("Steam A2S", read_one(a2s_read, from_hex("ffffffff 41 0a0b"))));
  EXPECT_TRUE(not_the("Steam A2S", read_one(a2s_read, a2s_requests()[0])));  // an echo
}

// --- Minecraft Bedrock

const std::string raknet_magic = from_hex("00ffff00fefefefefdfdfdfd12345678");

std::string pong(std::string_view text) {
  std::string p = from_hex("1c 0000000000000001 1122334455667788") + raknet_magic;
  put_u16(p, text.size());
  return p + std::string(text);
}

TEST(udp_bedrock, request_is_an_unconnected_ping) {
  auto r = bedrock_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], from_hex("01 0000000000000000") + raknet_magic + "bwrakgid");
}

TEST(udp_bedrock, reads_the_pong) {
  auto r =
      read_one(bedrock_read, pong("MCPE;Dedicated Server;390;1.14.60;0;10;13253860892328930865;"
                                  "Bedrock level;Survival;1;19132;19133;"));
  EXPECT_EQ(r.summary,
            "a Minecraft Bedrock server \"Dedicated Server\", version \"1.14.60\", 0/10 players");
  EXPECT_TRUE(r.finding.empty());
  EXPECT_EQ(read_one(bedrock_read, pong("MCEE;Class;1;1.0;3;30")).summary,
            "a Minecraft Bedrock server \"Class\", version \"1.0\", 3/30 players");
  EXPECT_EQ(read_one(bedrock_read, pong("XYZ;a\nb")).summary, "a RakNet server: \"XYZ;a\\nb\"");
}

TEST(udp_bedrock, refuses_wrong_magic_and_truncation) {
  std::string p = pong("MCPE;x;1;1;1;1");
  std::string wrong = p;
  wrong[20] = 'X';
  EXPECT_TRUE(not_the("RakNet", read_one(bedrock_read, wrong)));
  for (std::size_t n = 0; n < p.size(); ++n)
    EXPECT_TRUE(not_the("RakNet", read_one(bedrock_read, p.substr(0, n)))) << n;
  EXPECT_TRUE(not_the("RakNet", read_one(bedrock_read, bedrock_requests()[0])));
}

// --- BitTorrent DHT

// libtorrent 2.0.8 (python3-libtorrent) answering the ping, captured.
const std::string libtorrent_answer = from_hex(
    "64323a6970363a7f0000018ffe313a7264323a696432303a42030fc5159b3a75"
    "9e9e256bca3dd93ff59b8989313a706933363836326565313a74323a6277313a"
    "76343a4c540208313a79313a7265");

TEST(udp_dht, request_is_a_bencoded_ping) {
  auto r = dht_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], "d1:ad2:id20:breakwater-dht-probee1:q4:ping1:t2:bw1:y1:qe");
}

TEST(udp_dht, reads_libtorrent) {
  auto r = read_one(dht_read, libtorrent_answer);
  EXPECT_EQ(r.summary, "a BitTorrent DHT node, client \"LT\\x02\\x08\"");
  EXPECT_TRUE(r.finding.empty());
}

TEST(udp_dht, reads_errors_and_skips_unknown_values) {
  EXPECT_EQ(read_one(dht_read, "d1:eli201e23:A Generic Error Ocurrede1:t2:bw1:y1:ee").summary,
            "a BitTorrent DHT node (it answered with an error)");
  EXPECT_EQ(
      read_one(dht_read, "d1:rd2:id20:01234567890123456789e1:t2:bw1:xld1:ai-3eee1:y1:re").summary,
      "a BitTorrent DHT node");
}

TEST(udp_dht, refuses_other_transactions_malformed_and_deep_values) {
  EXPECT_TRUE(not_the("BitTorrent DHT",
                      read_one(dht_read, "d1:rd2:id20:01234567890123456789e1:t2:xx1:y1:re")));
  EXPECT_TRUE(not_the("BitTorrent DHT", read_one(dht_read, "d1:rd2:id3:abce1:t2:bw1:y1:re")));
  EXPECT_TRUE(not_the("BitTorrent DHT", read_one(dht_read, "d1:t2:bw1:y1:qe")));
  EXPECT_TRUE(not_the("BitTorrent DHT", read_one(dht_read, "d1:t2:bw1:y1:r")));
  EXPECT_TRUE(not_the("BitTorrent DHT", read_one(dht_read, "d1:t99999999:bwe")));
  EXPECT_TRUE(not_the("BitTorrent DHT", read_one(dht_read, "d1:xie1:t2:bw1:y1:ee")));
  EXPECT_TRUE(not_the("BitTorrent DHT", read_one(dht_read, dht_requests()[0])));
  std::string deep = "d1:x" + std::string(5000, 'l') + std::string(5000, 'e') + "1:t2:bw1:y1:ee";
  EXPECT_TRUE(not_the("BitTorrent DHT", read_one(dht_read, deep)));
  for (std::size_t n = 0; n < libtorrent_answer.size(); ++n)
    EXPECT_TRUE(not_the("BitTorrent DHT", read_one(dht_read, libtorrent_answer.substr(0, n)))) << n;
}

}  // namespace
}  // namespace breakwater::probe::udp::test
