// What the web layer asks of the reach test ("does my forward reach this machine?"): open a
// test of the requester's own address and one port, read its state, and confirm the nonce
// the requester's machine received. Asio-free, so the API and its tests can use a fake.
#pragma once

#include "probe/reach.hpp"
#include "scan/service.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace breakwater::scan {

struct reach_order {
  probe::reach_transport transport = probe::reach_transport::udp;
  std::uint16_t port = 0;  // 1-65535
};

// What the requester gets: the id and the token that reads and confirms the test. The
// nonce is never handed out: only the packets sent to `address` carry it.
struct reach_ticket {
  std::string id;       // 128 random bits, base64url (as scan ids)
  std::string token;    // 128 more: the bearer token for GET and confirm
  std::string address;  // where the packets go: the address the request came from
  std::chrono::seconds expires_in{0};
};

enum class reach_state : std::uint8_t {
  sending,    // the server is still sending
  sent,       // done sending; waiting for the confirmation
  confirmed,  // the nonce came back
  expired,    // not confirmed in time
};

std::string_view to_string(reach_state s) noexcept;  // "sending", "sent", "confirmed", "expired"

struct reach_view {
  std::string id;
  reach_order order;
  std::string address;
  reach_state state = reach_state::sending;
  unsigned attempts = 0;  // datagrams sent or connections tried so far
  probe::reach_delivery delivery = probe::reach_delivery::none;
  std::string detail;                  // why sending failed, when it did
  std::optional<double> rtt_ms;        // once confirmed: first send to confirmation
  std::chrono::seconds expires_in{0};  // 0 once confirmed or expired
};

struct reach_confirmation {
  double rtt_ms = 0;
};

class reach_service {
 public:
  virtual ~reach_service() = default;

  // Starts sending to `who.address` (and only there), or says why not: the target policy,
  // the open tests of this holder, the server's bound, the probe budget (429 "budget").
  virtual boost::system::result<reach_ticket, refusal> open_reach(const visitor& who,
                                                                  const reach_order& order) = 0;

  // The test, to the address that opened it and the holder of its token: 404 "not_found"
  // for an unknown id or another address, 403 "bad_token" for a wrong token.
  virtual boost::system::result<reach_view, refusal> find_reach(std::string_view id,
                                                                std::string_view token,
                                                                std::string_view address) = 0;

  // The nonce came back: as find_reach, then 403 "wrong_nonce", 409 "already_confirmed",
  // 410 "expired".
  virtual boost::system::result<reach_confirmation, refusal> confirm_reach(
      std::string_view id, std::string_view token, std::string_view address,
      std::string_view nonce) = 0;
};

}  // namespace breakwater::scan
