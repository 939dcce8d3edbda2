#include "db/entry_loader.hpp"

#include <gtest/gtest.h>

namespace breakwater::db {
namespace {

// A complete, valid entry; tests append or replace lines to break it.
const std::string valid = R"toml(port = 22
title = "SSH (Secure Shell)"
summary = "Encrypted remote login."
transports = ["tcp"]
keywords = ["OpenSSH", "sftp"]
body = """
First paragraph
spans two lines.

Second paragraph.
"""

[exposure]
level = "restricted"
advice = "Allow it only from known addresses."

[[related]]
port = 23
reason = "Telnet, the unencrypted login SSH replaced."

[[incidents]]
year = 2024
summary = "regreSSHion in OpenSSH's sshd."
source = "CVE-2024-6387"

[[references]]
id = "RFC 4253"
title = "The Secure Shell (SSH) Transport Layer Protocol"
)toml";

std::string replace(std::string text, std::string_view from, std::string_view to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

// The one problem reported, as "file:line: message".
std::string only_problem(const entry_load& r) {
  EXPECT_FALSE(r.value.has_value());
  EXPECT_EQ(r.problems.size(), 1u);
  return r.problems.empty() ? "" : to_string(r.problems.front());
}

TEST(entry_loader, reads_every_field) {
  entry_load r = parse_entry(valid, "data/ports/22.toml");
  ASSERT_TRUE(r.value.has_value()) << (r.problems.empty() ? "" : to_string(r.problems[0]));
  const entry& e = *r.value;
  EXPECT_EQ(e.port, 22);
  EXPECT_EQ(e.title, "SSH (Secure Shell)");
  EXPECT_EQ(e.transports, std::vector<transport>{transport::tcp});
  EXPECT_EQ(e.keywords, (std::vector<std::string>{"openssh", "sftp"}));
  ASSERT_EQ(e.paragraphs.size(), 2u);
  EXPECT_EQ(e.paragraphs[0], "First paragraph spans two lines.");
  EXPECT_EQ(e.exposure, exposure_level::restricted);
  ASSERT_EQ(e.related.size(), 1u);
  EXPECT_EQ(e.related[0].port, 23);
  EXPECT_EQ(e.related[0].line, 17u);
  ASSERT_EQ(e.incidents.size(), 1u);
  EXPECT_EQ(e.incidents[0].source, "CVE-2024-6387");
  ASSERT_EQ(e.references.size(), 1u);
  EXPECT_EQ(e.references[0].id, "RFC 4253");
  EXPECT_EQ(e.body_words(), 7u);
  EXPECT_EQ(e.file, "data/ports/22.toml");
}

TEST(entry_loader, rejects_unknown_keys_with_their_line) {
  auto r = parse_entry(valid + "colour = \"red\"\n", "data/ports/22.toml");
  // A key after [[references]] belongs to that table.
  EXPECT_EQ(only_problem(r),
            "data/ports/22.toml:29: unknown key 'colour' in a [[references]] item (allowed: id, "
            "title)");
  auto top =
      parse_entry(replace(valid, "title = ", "titel = \"x\"\ntitle = "), "data/ports/22.toml");
  ASSERT_FALSE(top.problems.empty());
  EXPECT_EQ(
      to_string(top.problems[0]),
      "data/ports/22.toml:2: unknown key 'titel' in the entry (allowed: port, title, summary, "
      "transports, keywords, software, body, exposure, related, incidents, references)");
}

TEST(entry_loader, keeps_software_names_as_written_and_rejects_empty_ones) {
  std::string text =
      replace(valid, "keywords = ", "software = [\"OpenSSH\", \" Dropbear  SSH \"]\nkeywords = ");
  entry_load r = parse_entry(text, "data/ports/22.toml");
  ASSERT_TRUE(r.value.has_value()) << (r.problems.empty() ? "" : to_string(r.problems[0]));
  EXPECT_EQ(r.value->software, (std::vector<std::string>{"OpenSSH", "Dropbear SSH"}));
  EXPECT_EQ(r.value->keywords, (std::vector<std::string>{"openssh", "sftp"}));
  EXPECT_EQ(
      only_problem(parse_entry(replace(valid, "keywords = ", "software = [\"\"]\nkeywords = "),
                               "data/ports/22.toml")),
      "data/ports/22.toml:5: 'software' has an empty item");
}

TEST(entry_loader, rejects_ports_out_of_range_or_not_matching_the_file) {
  EXPECT_EQ(only_problem(parse_entry(replace(valid, "port = 22", "port = 70000"), "d/22.toml")),
            "d/22.toml:1: port 70000 is out of range 0-65535");
  EXPECT_EQ(only_problem(parse_entry(valid, "d/23.toml")),
            "d/23.toml:1: port 22 does not match the file name (expected 23)");
  EXPECT_EQ(only_problem(parse_entry(valid, "d/ssh.toml")),
            "d/ssh.toml: entry files must be named N.toml, N the port");
}

TEST(entry_loader, rejects_bad_related_ports) {
  EXPECT_EQ(only_problem(parse_entry(replace(valid, "port = 23", "port = 22"), "d/22.toml")),
            "d/22.toml:17: port 22 is listed as related to itself");
  EXPECT_EQ(only_problem(parse_entry(replace(valid, "port = 23", "port = -5"), "d/22.toml")),
            "d/22.toml:17: related port -5 is out of range 0-65535");
  std::string twice = valid + "\n[[related]]\nport = 23\nreason = \"again\"\n";
  auto r = parse_entry(twice, "d/22.toml");
  EXPECT_EQ(only_problem(r), "d/22.toml:30: related port 23 is listed twice");
}

TEST(entry_loader, requires_the_required_keys) {
  auto r = parse_entry(replace(valid, "summary = \"Encrypted remote login.\"\n", ""), "d/22.toml");
  EXPECT_EQ(only_problem(r), "d/22.toml:1: missing required key 'summary' (string) in the entry");
  auto s = parse_entry(replace(valid, "source = \"CVE-2024-6387\"\n", ""), "d/22.toml");
  ASSERT_FALSE(s.problems.empty());
  EXPECT_NE(to_string(s.problems[0]).find("missing required key 'source'"), std::string::npos);
}

TEST(entry_loader, checks_values) {
  EXPECT_EQ(
      only_problem(parse_entry(replace(valid, "\"restricted\"", "\"sometimes\""), "d/22.toml")),
      "d/22.toml:14: exposure level 'sometimes' is not one of public, restricted, never, "
      "varies");
  EXPECT_EQ(only_problem(parse_entry(replace(valid, "year = 2024", "year = 1812"), "d/22.toml"))
                .substr(0, 51),
            "d/22.toml:21: incident year 1812 is not between 197");
  EXPECT_EQ(only_problem(parse_entry(replace(valid, "\"RFC 4253\"", "\"RFC4253\""), "d/22.toml")),
            "d/22.toml:26: write RFC references as 'RFC N', not 'RFC4253'");
  EXPECT_EQ(
      only_problem(parse_entry(replace(valid, "[\"tcp\"]", "[\"tcp\", \"icmp\"]"), "d/22.toml")),
      "d/22.toml:4: transports must be \"tcp\", \"udp\", \"sctp\" or \"dccp\"");
  EXPECT_EQ(only_problem(parse_entry(replace(valid, "port = 22", "port = \"22\""), "d/22.toml")),
            "d/22.toml:1: 'port' must be a whole number");
  std::string long_summary(200, 'x');
  auto r = parse_entry(replace(valid, "Encrypted remote login.", long_summary), "d/22.toml");
  EXPECT_NE(only_problem(r).find("'summary' must be one line of 1-160 characters"),
            std::string::npos);
}

TEST(entry_loader, reports_toml_syntax_errors_with_their_line) {
  auto r = parse_entry(replace(valid, "[exposure]", "[exposure"), "d/22.toml");
  std::string p = only_problem(r);
  EXPECT_EQ(p.substr(0, 33), "d/22.toml:13: TOML syntax error: ");
}

}  // namespace
}  // namespace breakwater::db
