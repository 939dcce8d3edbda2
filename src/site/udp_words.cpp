#include "site/udp_words.hpp"

#include "common/json_text.hpp"
#include "probe/wire/udp/finding.hpp"
#include "probe/wire/udp/protocol.hpp"

#include <fmt/format.h>
#include <boost/json/object.hpp>

#include <cmath>

namespace breakwater::site {

std::string amplification_text(double a) {
  if (a >= 9.95) return fmt::format("x{:.0f}", a);
  std::string s = fmt::format("x{:.1f}", a);
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  return s;
}

std::string_view udp_state_word(probe::port_state s) noexcept {
  switch (s) {
    case probe::port_state::open: return "open";
    case probe::port_state::closed: return "closed";
    case probe::port_state::filtered: return "filtered";
    case probe::port_state::stealth: return "no answer";
  }
  return "no answer";
}

std::string_view udp_protocol_name(std::uint16_t port) noexcept {
  std::string_view name = probe::udp::protocol_for(port).name;
  return name == "generic" ? std::string_view{} : name;
}

std::string udp_port_label(std::uint16_t port) {
  std::string_view name = udp_protocol_name(port);
  if (name.empty()) return fmt::format("UDP port {}", port);
  if (name.find('(') != std::string_view::npos) return fmt::format("UDP port {}, {},", port, name);
  return fmt::format("UDP port {} ({})", port, name);
}

std::string_view udp_silence_note(std::uint16_t port) noexcept {
  return probe::udp::protocol_for(port).silence;
}

std::optional<udp_finding_words> udp_finding_of(const probe::port_result& r) {
  if (r.state != probe::port_state::open || !r.udp) return std::nullopt;
  return udp_finding_words_of(r.udp->finding, r.udp->amplification());
}

std::optional<udp_finding_words> udp_finding_words_of(std::string_view id, double amplification) {
  const probe::udp::finding_info* f = probe::udp::find_finding(id);
  if (f == nullptr) return std::nullopt;
  udp_finding_words w;
  w.reflector = f->reflector;
  w.advice = f->advice;
  w.sentence = fmt::format("Your address {}", f->headline);
  if (f->reflector) {
    w.sentence += fmt::format(": it can be used to attack others (amplification {})",
                              amplification_text(amplification));
  }
  w.sentence += '.';
  return w;
}

std::string icmp_words(const probe::port_result& r, bool v6) {
  if (!r.icmp) return "ICMP error";
  std::string name(probe::icmp_name(*r.icmp, v6));
  for (char& c : name) c = c == '-' ? ' ' : c;
  std::string out = "ICMP " + name;
  if (!r.icmp->from.is_unspecified()) out += " (from " + r.icmp->from.to_string() + ")";
  return out;
}

std::string udp_findings_json() {
  boost::json::object o;
  for (const probe::udp::finding_info& f : probe::udp::findings()) {
    o[f.id] = boost::json::object{
        {"headline", f.headline}, {"advice", f.advice}, {"reflector", f.reflector}};
  }
  return common::json_text(o);
}

}  // namespace breakwater::site
