#include "db/database.hpp"

#include "db/bad_ports.hpp"

#include "support/test_data.hpp"

#include <gtest/gtest.h>

namespace breakwater::db {
namespace {

TEST(database, lookup_groups_registrations_by_transport) {
  database db = testing::small_database();
  port_info info = db.lookup(443);
  ASSERT_EQ(info.registrations.size(), 3u);
  EXPECT_EQ(info.registrations[0]->proto, transport::tcp);
  EXPECT_EQ(info.registrations[1]->proto, transport::udp);
  EXPECT_EQ(info.registrations[2]->proto, transport::sctp);
  ASSERT_NE(info.ours, nullptr);
  EXPECT_EQ(info.ours->title, "HTTPS");
  EXPECT_EQ(info.range, port_range::system);
}

TEST(database, range_rows_cover_every_port_in_the_range) {
  database db = testing::small_database();
  EXPECT_EQ(db.lookup(6000).registrations.size(), 1u);
  EXPECT_EQ(db.lookup(6063).registrations.size(), 1u);
  EXPECT_TRUE(db.lookup(6064).registrations.empty());
  EXPECT_EQ(db.name_of(6010), "x11");
}

TEST(database, unassigned_ports_are_marked_and_skipped_by_navigation) {
  database db = testing::small_database();
  port_info four = db.lookup(4);
  EXPECT_TRUE(four.unassigned);
  EXPECT_TRUE(four.registrations.empty());
  EXPECT_FALSE(db.has_data(4));
  EXPECT_EQ(db.next(1), 22);
  EXPECT_EQ(db.previous(22), 1);
}

// IANA's Unassigned rows that say more than the word are kept to show, as IANA publishes
// them; a bare Unassigned row is only the flag.
TEST(database, unassigned_rows_with_notes_are_kept_to_show) {
  iana_row deregistered = testing::row("", 4501, 4501, std::nullopt, "Unassigned");
  deregistered.assignee = "[IANA]";
  deregistered.notes = "De-registered 08 June 2001";
  iana_row withdrawn = testing::row("", 44323, 44323, transport::udp, "Unassigned");
  withdrawn.notes = "assignment withdrawn";
  iana_row plain = testing::row("", 4502, 4502, std::nullopt, "Unassigned");
  database db({deregistered, withdrawn, plain,
               testing::row("pmwebapi", 44323, 44323, transport::tcp, "PCP API")},
              {});
  port_info a = db.lookup(4501);
  EXPECT_TRUE(a.unassigned);
  EXPECT_TRUE(a.registrations.empty());
  ASSERT_EQ(a.unassigned_notes.size(), 1u);
  EXPECT_EQ(a.unassigned_notes[0]->notes, "De-registered 08 June 2001");
  EXPECT_TRUE(db.lookup(4502).unassigned_notes.empty()) << "nothing but the word";
  port_info both = db.lookup(44323);
  ASSERT_EQ(both.registrations.size(), 1u);
  ASSERT_EQ(both.unassigned_notes.size(), 1u) << "beside a registration of another transport";
  EXPECT_EQ(both.unassigned_notes[0]->proto, transport::udp);
}

TEST(database, navigation_wraps_around_the_port_space) {
  database db = testing::small_database();
  EXPECT_EQ(db.previous(0), 65535);
  EXPECT_EQ(db.next(65535), 0);
  EXPECT_EQ(db.next(0), 1);
  EXPECT_EQ(db.next(49151), 49152) << "dynamic ports always have a page";
  EXPECT_EQ(db.previous(49152), 8081) << "an entry gives 8081 a page";
  EXPECT_EQ(db.lookup(0).previous, 65535);
  EXPECT_EQ(db.lookup(443).next, 830);
}

TEST(database, entries_give_data_to_ports_without_registrations) {
  database db = testing::small_database();
  EXPECT_TRUE(db.has_data(8081));
  EXPECT_EQ(db.name_of(8081), "Web admin");
  EXPECT_EQ(db.lookup(8081).ours->port, 8081);
  EXPECT_EQ(db.find_entry(8080), nullptr);
}

TEST(database, browsers_refuse_exactly_the_fetch_standards_bad_ports) {
  for (unsigned p : {0u, 1u, 25u, 465u, 587u, 1719u, 4190u, 5060u, 6000u, 6697u, 10080u}) {
    EXPECT_TRUE(browsers_refuse(p)) << p;
  }
  for (unsigned p : {80u, 443u, 6001u, 6063u, 8080u, 3389u, 65535u}) {
    EXPECT_FALSE(browsers_refuse(p)) << p;
  }
  database db = testing::small_database();
  EXPECT_TRUE(db.lookup(22).browsers_refuse);
  EXPECT_FALSE(db.lookup(443).browsers_refuse);
}

}  // namespace
}  // namespace breakwater::db
