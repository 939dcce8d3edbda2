#include "db/iana_registry.hpp"
#include "common/read_file.hpp"

#include "db/database_loader.hpp"
#include "db/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace breakwater::db {
namespace {

std::string fixture() {
  auto text = common::read_file(std::string(BREAKWATER_TEST_FIXTURES) + "/iana_tricky.csv");
  EXPECT_TRUE(text.has_value());
  return text.value();
}

const iana_row* find(const std::vector<iana_row>& rows, std::string_view service,
                     std::optional<transport> t) {
  auto it = std::find_if(rows.begin(), rows.end(),
                         [&](const iana_row& r) { return r.service == service && r.proto == t; });
  return it == rows.end() ? nullptr : &*it;
}

TEST(iana_registry, imports_good_rows_and_reports_bad_ones_by_line) {
  auto parsed = parse_iana_csv(fixture(), "tricky.csv");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->rows.size(), 10u);
  std::vector<std::size_t> lines;
  for (const common::diagnostic& d : parsed->problems) {
    EXPECT_EQ(d.file, "tricky.csv");
    EXPECT_NE(d.message.find("skipped"), std::string::npos) << d.message;
    lines.push_back(d.line);
  }
  EXPECT_EQ(lines, (std::vector<std::size_t>{11, 12, 13, 14, 15}));
  EXPECT_NE(parsed->problems[0].message.find("70000"), std::string::npos);
  EXPECT_NE(parsed->problems[1].message.find("icmp"), std::string::npos);
  EXPECT_NE(parsed->problems[2].message.find("backwards"), std::string::npos);
  EXPECT_NE(parsed->problems[3].message.find("expected 12 fields, found 3"), std::string::npos);
}

TEST(iana_registry, reads_quoted_commas_ranges_and_portless_rows) {
  auto parsed = parse_iana_csv(fixture(), "tricky.csv");
  ASSERT_TRUE(parsed.has_value());
  const auto& rows = parsed->rows;

  const iana_row* https = find(rows, "https", transport::tcp);
  ASSERT_NE(https, nullptr);
  EXPECT_EQ(https->description, "http protocol over TLS/SSL, the secure web");
  EXPECT_EQ(https->line, 6u);

  const iana_row* x11 = find(rows, "x11", transport::tcp);
  ASSERT_NE(x11, nullptr);
  EXPECT_EQ(x11->port_lo, 6000);
  EXPECT_EQ(x11->port_hi, 6063);
  EXPECT_TRUE(x11->covers(6003));
  EXPECT_EQ(x11->unauthorized_use, "Known Unauthorized Use on port 6003");

  const iana_row* nfs = find(rows, "nfs-domainroot", transport::tcp);
  ASSERT_NE(nfs, nullptr);
  EXPECT_FALSE(nfs->has_port);
  EXPECT_EQ(nfs->notes, "Defined TXT keys:\nNone, for \"now\"");
  EXPECT_EQ(nfs->registration_date, "2012-04-24");
}

TEST(iana_registry, classifies_reserved_unassigned_and_withdrawn_rows) {
  auto parsed = parse_iana_csv(fixture(), "tricky.csv");
  ASSERT_TRUE(parsed.has_value());
  auto status_at = [&](unsigned port) {
    for (const iana_row& r : parsed->rows) {
      if (r.covers(port)) return r.status;
    }
    return iana_status::assigned;
  };
  EXPECT_EQ(status_at(0), iana_status::reserved);
  EXPECT_EQ(status_at(4), iana_status::unassigned);
  EXPECT_EQ(status_at(585), iana_status::withdrawn);
  EXPECT_EQ(status_at(22), iana_status::assigned);
}

TEST(iana_registry, rejects_a_file_that_is_not_iana_csv) {
  auto parsed = parse_iana_csv("name,port\nhttp,80\n", "other.csv");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error(), make_error_code(errc::registry_bad_header));
  EXPECT_FALSE(parse_iana_csv("", "empty.csv").has_value());
}

TEST(iana_registry, accepts_a_byte_order_mark_before_the_header) {
  std::string text = "\xEF\xBB\xBF" + fixture();
  auto parsed = parse_iana_csv(text, "bom.csv");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->rows.size(), 10u);
}

}  // namespace
}  // namespace breakwater::db
