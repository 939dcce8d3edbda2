#include "db/port_lists.hpp"

#include "support/test_data.hpp"

#include <gtest/gtest.h>

namespace breakwater::db {
namespace {

std::vector<std::string> messages(const common::diagnostics& ds) {
  std::vector<std::string> out;
  for (const common::diagnostic& d : ds) out.push_back(to_string(d));
  return out;
}

port_list list(std::string_view text, std::string_view file) {
  common::diagnostics problems;
  port_list l = parse_port_list(text, file, problems);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(messages(problems));
  return l;
}

// Entries for 22 and 443; nothing else.
database two_entries() {
  return database({},
                  {testing::make_entry(22, "SSH", "x"), testing::make_entry(443, "HTTPS", "y")});
}

// A top list of `n` ports starting at 1000, none of which has an entry.
std::string many(unsigned n) {
  std::string out;
  for (unsigned p = 1000; p < 1000 + n; ++p) out += std::to_string(p) + "\n";
  return out;
}

TEST(port_lists, parses_ports_notes_and_comments) {
  common::diagnostics problems;
  port_list l = parse_port_list("# comment\n\n22\n1880  # Node-RED\n  443\tHTTPS over TLS \nabc\n",
                                "lists/modern.txt", problems);
  ASSERT_EQ(l.ports.size(), 3u);
  EXPECT_EQ(l.ports[0].port, 22u);
  EXPECT_EQ(l.ports[0].line, 3u);
  EXPECT_EQ(l.ports[1].note, "# Node-RED");
  EXPECT_EQ(l.ports[2].note, "HTTPS over TLS");
  EXPECT_EQ(messages(problems),
            (std::vector<std::string>{"lists/modern.txt:6: 'abc' is not a port number "
                                      "(0-65535); a line holds one port, then optionally text"}));
  problems.clear();
  parse_port_list("70000\n", "x.txt", problems);
  EXPECT_EQ(problems.size(), 1u);
}

TEST(port_lists, every_promised_port_has_an_entry_or_is_excluded_or_pending) {
  port_lists lists{list("22\n443\n3\n" + many(30), "top-tcp.txt"), list("4\n", "top-udp.txt"),
                   list("1880  # Node-RED\n", "modern.txt"),
                   list("4  nothing to say\n", "excluded.txt"),
                   list("3\n443\n" + many(30), "pending.txt")};
  // 443 is pending and already has an entry: writers land entries before the list shrinks.
  auto found = messages(check_port_lists(two_entries(), lists));
  EXPECT_EQ(found, (std::vector<std::string>{
                       "modern.txt:1: port 1880 has no entry in ports/ and is neither in "
                       "excluded.txt (with a reason) nor in pending.txt"}));
}

TEST(port_lists, excluded_ports_need_a_reason_and_no_entry) {
  port_lists lists{list(many(100), "top-tcp.txt"), list("", "top-udp.txt"), list("", "modern.txt"),
                   list("1000\n22  has an entry after all\n", "excluded.txt"),
                   list(many(100), "pending.txt")};
  EXPECT_EQ(messages(check_port_lists(two_entries(), lists)),
            (std::vector<std::string>{
                "excluded.txt:1: port 1000 needs a reason after the number",
                "excluded.txt:2: port 22 has an entry in ports/; remove it from this list"}));
}

TEST(port_lists, at_most_five_percent_of_the_top_lists_are_excluded) {
  std::string excluded;
  for (unsigned p = 1000; p < 1006; ++p) excluded += std::to_string(p) + "  obscure\n";
  port_lists lists{list(many(100), "top-tcp.txt"), list("1000\n", "top-udp.txt"),
                   list("", "modern.txt"), list(excluded, "excluded.txt"),
                   list(many(100), "pending.txt")};
  EXPECT_EQ(messages(check_port_lists(two_entries(), lists)),
            (std::vector<std::string>{"excluded.txt: 6 ports are left out; at most 5 may be (5% "
                                      "of the 100 ports of the two top lists): write entries for "
                                      "the rest"}));
  lists.excluded =
      list("1000  obscure\n1001  obscure\n1002  x\n1003  x\n1004  x\n", "excluded.txt");
  EXPECT_TRUE(check_port_lists(two_entries(), lists).empty());
}

TEST(port_lists, a_port_listed_twice_is_reported) {
  port_lists lists{list("22\n22\n", "top-tcp.txt"), list("", "top-udp.txt"), list("", "modern.txt"),
                   list("", "excluded.txt"), list("", "pending.txt")};
  EXPECT_EQ(messages(check_port_lists(two_entries(), lists)),
            (std::vector<std::string>{"top-tcp.txt:2: port 22 is listed twice"}));
}

}  // namespace
}  // namespace breakwater::db
