#include "db/csv_reader.hpp"

#include <gtest/gtest.h>

namespace breakwater::db {
namespace {

struct read_result {
  std::vector<csv_record> records;
  std::vector<csv_error> errors;
};

read_result read_all(std::string_view text) {
  csv_reader reader(text);
  read_result out;
  csv_record r;
  csv_error e;
  while (reader.next(r, e)) {
    if (e.line != 0) out.errors.push_back(e);
    out.records.push_back(r);
  }
  return out;
}

using fields = std::vector<std::string>;

TEST(csv_reader, splits_plain_fields_and_counts_lines) {
  auto r = read_all("a,b,c\n1,2,3\n");
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].fields, (fields{"1", "2", "3"}));
  EXPECT_EQ(r.records[1].line, 2u);
  EXPECT_TRUE(r.errors.empty());
}

TEST(csv_reader, keeps_commas_quotes_and_newlines_inside_quotes) {
  auto r = read_all("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext,row\n");
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].fields, (fields{"a,b", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ(r.records[1].line, 3u) << "the quoted line break counts as a line";
}

TEST(csv_reader, accepts_crlf_and_a_missing_final_newline) {
  auto r = read_all("a,b\r\nc,d");
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].fields, (fields{"a", "b"}));
  EXPECT_EQ(r.records[1].fields, (fields{"c", "d"}));
}

TEST(csv_reader, keeps_empty_fields) {
  auto r = read_all(",x,,\n");
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].fields, (fields{"", "x", "", ""}));
}

TEST(csv_reader, reports_text_after_a_closing_quote_and_recovers) {
  auto r = read_all("ok,1\n\"bad\"x,2\nfine,3\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 2u);
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[2].fields, (fields{"fine", "3"}));
  EXPECT_EQ(r.records[2].line, 3u);
}

TEST(csv_reader, reports_an_unclosed_quote_at_the_line_it_opened) {
  auto r = read_all("a\nb,\"never closed\nmore\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_NE(r.errors[0].message.find("never closed"), std::string::npos);
}

TEST(csv_reader, treats_a_stray_quote_in_an_unquoted_field_as_text) {
  auto r = read_all("5\" floppy,x\n");
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].fields[0], "5\" floppy");
}

TEST(csv_reader, empty_input_has_no_records) { EXPECT_TRUE(read_all("").records.empty()); }

}  // namespace
}  // namespace breakwater::db
