#include "db/search_index.hpp"

#include "support/test_data.hpp"

#include <gtest/gtest.h>

namespace breakwater::db {
namespace {

std::vector<unsigned> ports(const std::vector<search_hit>& hits) {
  std::vector<unsigned> out;
  for (const auto& h : hits) out.push_back(h.port);
  return out;
}

class search_index_test : public ::testing::Test {
 protected:
  database db_ = testing::small_database();
  search_index index_{db_};
};

TEST_F(search_index_test, exact_service_name_comes_first) {
  auto hits = index_.search("ssh", 10);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].port, 22);
  EXPECT_EQ(hits[0].why, "service name");
  EXPECT_EQ(ports(hits), (std::vector<unsigned>{22, 830}));
}

TEST_F(search_index_test, long_and_repetitive_queries_are_cut) {
  // Repeats count once, and words past the first few are not matched at all: the same
  // answer as the short query, however much follows.
  std::string repeated;
  for (int i = 0; i < 500; ++i) repeated += "ssh ";
  EXPECT_EQ(ports(index_.search(repeated, 10)), ports(index_.search("ssh", 10)));
  std::string tail = "ssh";
  for (int i = 0; i < 20; ++i) tail += " w" + std::to_string(i);
  std::string first_eight = "ssh";
  for (int i = 0; i < 7; ++i) first_eight += " w" + std::to_string(i);
  EXPECT_EQ(ports(index_.search(tail, 10)), ports(index_.search(first_eight, 10)));
  EXPECT_TRUE(index_.search(std::string(8192, 'x'), 10).empty());
}

TEST_F(search_index_test, finds_a_port_number_and_a_range) {
  EXPECT_EQ(ports(index_.search("443", 10)), std::vector<unsigned>{443});
  EXPECT_EQ(ports(index_.search("0-22", 10)), (std::vector<unsigned>{0, 1, 22}))
      << "a range lists the ports that have data, in order";
  EXPECT_EQ(ports(index_.search("5", 10)), std::vector<unsigned>{5}) << "one port, even unassigned";
}

TEST_F(search_index_test, every_word_must_match) {
  EXPECT_EQ(ports(index_.search("window system", 10)), std::vector<unsigned>{6000});
  EXPECT_TRUE(index_.search("window shell", 10).empty());
}

TEST_F(search_index_test, matches_titles_keywords_descriptions_and_bodies) {
  EXPECT_EQ(ports(index_.search("tls", 10)), std::vector<unsigned>{443});
  EXPECT_EQ(ports(index_.search("multiplexer", 10)), std::vector<unsigned>{1});
  EXPECT_EQ(ports(index_.search("consoles", 10)), std::vector<unsigned>{8081});
  EXPECT_EQ(index_.search("WEB ADMIN", 10).front().port, 8081) << "case does not matter";
}

TEST_F(search_index_test, a_prefix_matches_at_lower_rank) {
  auto hits = index_.search("multi", 10);
  ASSERT_EQ(ports(hits), std::vector<unsigned>{1});
  EXPECT_LT(hits[0].score, index_.search("multiplexer", 10)[0].score);
}

TEST_F(search_index_test, a_word_that_matches_nothing_is_searched_as_the_nearest_spelling) {
  std::vector<respelling> respelled;
  EXPECT_EQ(ports(index_.search("multiplexr", 10, &respelled)), std::vector<unsigned>{1});
  ASSERT_EQ(respelled.size(), 1u);
  EXPECT_EQ(respelled[0].asked, "multiplexr");
  EXPECT_EQ(respelled[0].used, "multiplexer");
  respelled.clear();
  EXPECT_EQ(ports(index_.search("Multiplëxr", 10, &respelled)), std::vector<unsigned>{1});
  ASSERT_EQ(respelled.size(), 1u);
  EXPECT_EQ(respelled[0].asked, "Multiplëxr") << "named as the searcher wrote it";
  EXPECT_EQ(respelled[0].used, "multiplexer");
  respelled.clear();
  EXPECT_EQ(ports(index_.search("consloes", 10, &respelled)), std::vector<unsigned>{8081})
      << "two letters swapped";
  respelled.clear();
  EXPECT_EQ(ports(index_.search("windwo system", 10, &respelled)), std::vector<unsigned>{6000});
  ASSERT_EQ(respelled.size(), 1u) << "only the word that matched nothing";
  EXPECT_EQ(respelled[0].used, "window");
  respelled.clear();
  auto hits = index_.search("sshh", 10, &respelled);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].port, 22);
  EXPECT_EQ(hits[0].why, "service name") << "the respelled word is a whole service name";
  EXPECT_EQ(ports(index_.search("sshh", 10)), ports(hits))
      << "the same hits without asking for the respellings";
}

TEST_F(search_index_test, words_that_match_as_written_or_are_short_are_not_respelled) {
  std::vector<respelling> respelled;
  EXPECT_EQ(ports(index_.search("multi", 10, &respelled)), std::vector<unsigned>{1});
  EXPECT_TRUE(respelled.empty()) << "a prefix matches as written";
  EXPECT_TRUE(index_.search("shh", 10, &respelled).empty()) << "three letters: too short";
  EXPECT_TRUE(index_.search("mlutiplxr", 10, &respelled).empty()) << "three edits: too far";
  EXPECT_TRUE(index_.search("443x", 10, &respelled).empty()) << "never respelled into a number";
  EXPECT_TRUE(respelled.empty());
}

TEST_F(search_index_test, respects_the_limit_and_finds_nothing_gracefully) {
  EXPECT_EQ(index_.search("ssh", 1).size(), 1u);
  EXPECT_TRUE(index_.search("zzzz", 10).empty());
  EXPECT_TRUE(index_.search("   ", 10).empty());
}

}  // namespace
}  // namespace breakwater::db

namespace breakwater::db {
namespace {

// Software names, range notes and names without a port, beside ordinary registrations.
class search_kinds_test : public ::testing::Test {
 protected:
  static database make() {
    std::vector<iana_row> rows{
        testing::row("plexus", 1000, 1000, transport::tcp, "Plex us"),
        testing::row("media", 1001, 1001, transport::tcp, "Plex media streaming"),
        testing::row("x11", 6000, 6063, transport::tcp, "X Window System"),
    };
    iana_row unported;
    unported.service = "airplay";
    unported.proto = transport::tcp;
    unported.description = "Protocol for streaming of audio/video content";
    unported.line = 9;
    rows.push_back(unported);
    entry plex = testing::make_entry(32400, "Media server", "Streams films.");
    plex.software = {"Plex Media Server"};
    entry airplay = testing::make_entry(7000, "AirPlay receiver", "Apple devices stream here.");
    range_note steam;
    steam.id = "steam";
    steam.lo = 27000;
    steam.hi = 27100;
    steam.title = "Steam game traffic";
    steam.summary = "Valve's client.";
    steam.paragraphs = {"Game traffic."};
    return database(std::move(rows), {plex, airplay}, {steam});
  }
  database db_ = make();
  search_index index_{db_};
};

TEST_F(search_kinds_test, a_software_name_ranks_its_port_first) {
  auto hits = index_.search("plex", 10);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].port, 32400);
  EXPECT_EQ(hits[0].why, "software");
  auto media = index_.search("plex media", 10);
  ASSERT_FALSE(media.empty());
  EXPECT_EQ(media[0].port, 32400);
}

TEST_F(search_kinds_test, range_titles_are_found_as_ranges) {
  auto hits = index_.search("steam", 10);
  ASSERT_EQ(hits.size(), 1u);
  ASSERT_NE(hits[0].range, nullptr);
  EXPECT_EQ(hits[0].range->id, "steam");
  EXPECT_EQ(hits[0].port, 27000);
  EXPECT_EQ(hits[0].why, "range title");
}

TEST_F(search_kinds_test, names_without_a_port_are_found_below_our_entries) {
  auto hits = index_.search("airplay", 10);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].port, 7000) << "our entry's title outranks a port-less name";
  ASSERT_NE(hits[1].unported, nullptr);
  EXPECT_EQ(hits[1].unported->service, "airplay");
  EXPECT_EQ(hits[1].why, "service name");
}

}  // namespace
}  // namespace breakwater::db

namespace breakwater::db {
namespace {

// A name IANA registered against the tag our own entry gives another port ("nomad", IANA's
// at 5209, HashiCorp Nomad's keyword at 4646).
class search_tags_test : public ::testing::Test {
 protected:
  static database make() {
    std::vector<iana_row> rows{
        testing::row("nomad", 5209, 5209, transport::tcp, "Nomad"),
        testing::row("oracle", 2005, 2005, transport::udp, "oracle"),
        testing::row("ncube-lm", 1521, 1521, transport::tcp, "nCube License Manager"),
        testing::row("ssh", 22, 22, transport::tcp, "The Secure Shell (SSH) Protocol"),
        testing::row("sftp", 115, 115, transport::tcp, "Simple File Transfer Protocol"),
        testing::row("whois++", 63, 63, transport::tcp, "whois++"),
        testing::row("nicname", 43, 43, transport::tcp, "Who Is"),
        testing::row("ics", 5639, 5639, transport::tcp, "ICS"),
    };
    std::vector<entry> entries{
        testing::make_entry(4646, "HashiCorp Nomad HTTP API", "The scheduler's API.",
                            {"nomad", "hashicorp"}),
        testing::make_entry(2005, "berknet and oracle (legacy)", "Names without owners.",
                            {"berknet"}),
        testing::make_entry(1521, "Oracle Database listener", "Oracle Net.", {"oracle", "tns"}),
        testing::make_entry(22, "SSH", "Remote shells and file transfer.", {"sftp", "scp"}),
        testing::make_entry(115, "Simple File Transfer Protocol", "An old protocol.", {"sftp"}),
        testing::make_entry(43, "WHOIS", "Domain lookups.", {"whois"}),
    };
    // A tag many entries share: a category, not a name.
    for (unsigned port : {502u, 20000u, 44818u, 2404u, 4840u}) {
      entries.push_back(testing::make_entry(port, "Industrial protocol " + std::to_string(port),
                                            "Plant floor.", {"ics"}));
    }
    return database(std::move(rows), std::move(entries), {});
  }
  database db_ = make();
  search_index index_{db_};
};

TEST_F(search_tags_test, a_name_at_a_port_we_did_not_write_about_yields_to_our_tag) {
  EXPECT_EQ(ports(index_.search("nomad", 10)), (std::vector<unsigned>{4646, 5209}));
}

TEST_F(search_tags_test, a_name_our_own_entry_does_not_take_up_yields_to_our_tag) {
  auto hits = index_.search("oracle", 10);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].port, 1521);
}

TEST_F(search_tags_test, a_respelled_name_is_tagged_as_well) {
  std::vector<respelling> respelled;
  auto hits = index_.search("nomadd", 10, &respelled);
  ASSERT_EQ(respelled.size(), 1u);
  EXPECT_EQ(ports(hits), (std::vector<unsigned>{4646, 5209}));
}

TEST_F(search_tags_test, a_name_that_is_not_the_tag_as_written_keeps_its_place) {
  // "whois++" is indexed as the word whois, 43's tag; the name asked is not that tag.
  auto hits = index_.search("whois++", 10);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].port, 63);
}

TEST_F(search_tags_test, a_tag_on_many_ports_puts_only_a_few_before_the_name) {
  auto hits = index_.search("ics", 10);
  ASSERT_EQ(hits.size(), 6u);
  EXPECT_EQ(hits[3].port, 5639) << "three tagged ports, then the registered one";
  EXPECT_EQ(hits[3].why, "service name");
}

TEST_F(search_tags_test, a_name_our_entry_takes_up_keeps_its_place) {
  // 115's entry tags itself sftp: IANA's name stays first, the other tag after it.
  EXPECT_EQ(ports(index_.search("sftp", 10)), (std::vector<unsigned>{115, 22}));
  EXPECT_EQ(ports(index_.search("scp", 10)), std::vector<unsigned>{22}) << "no name: words";
}

}  // namespace
}  // namespace breakwater::db

namespace breakwater::db {
namespace {

// Numbers among words, words that only announce a number, ranges in order, and the
// prominence our own entries give a port by naming it as related.
class search_numbers_test : public ::testing::Test {
 protected:
  static database make() {
    std::vector<iana_row> rows{
        testing::row("ssh", 22, 22, transport::tcp, "The Secure Shell (SSH) Protocol"),
        testing::row("http", 80, 80, transport::tcp, "World Wide Web HTTP"),
        testing::row("", 222, 222, transport::tcp, "Unassigned"),
        testing::row("x11", 6000, 6063, transport::tcp, "X Window System"),
    };
    std::vector<entry> entries{
        testing::make_entry(22, "SSH", "Remote shell logins."),
        testing::make_entry(80, "HTTP", "Plain web traffic."),
        testing::make_entry(222, "Alternative SSH port", "SSH moved off 22 to 222."),
        testing::make_entry(2222, "Alternative SSH port", "SSH moved off 22 to 2222."),
        testing::make_entry(8080, "Alternative HTTP port", "Moved off port 80, often."),
        testing::make_entry(6007, "X11 display 7", "An X display."),
        testing::make_entry(6008, "X11 display 8", "An X display."),
    };
    // A viewer's software name is one field class above the server's title; the server is
    // the port the others point to.
    entry viewer = testing::make_entry(5500, "Viewer listen mode", "Reverse connections.");
    viewer.software = {"VNC viewer"};
    entry server = testing::make_entry(5900, "VNC server", "Remote desktop, seen in a viewer.");
    entries.push_back(viewer);
    entries.push_back(server);
    for (unsigned p : {5800u, 5801u, 5901u, 5902u}) {
      entry e = testing::make_entry(p, "Display " + std::to_string(p), "Another display.");
      e.related = {{5900, "The server."}};
      entries.push_back(e);
    }
    return database(std::move(rows), std::move(entries));
  }
  database db_ = make();
  search_index index_{db_};
};

TEST_F(search_numbers_test, words_that_announce_a_number_are_dropped) {
  for (const char* q : {"port 80", "80/tcp", "tcp 80", "TCP port 80", "udp/80"}) {
    EXPECT_EQ(ports(index_.search(q, 10)), std::vector<unsigned>{80}) << q;
  }
  EXPECT_EQ(ports(index_.search("ports 6007-6008", 10)), (std::vector<unsigned>{6007, 6008}));
  EXPECT_EQ(ports(index_.search("80 22", 10)), (std::vector<unsigned>{80, 22}))
      << "only numbers: those ports, in the order asked";
  EXPECT_EQ(ports(index_.search("6007-6009 22", 10)), (std::vector<unsigned>{6007, 6008, 6009, 22}))
      << "ranges among them stay ranges";
  EXPECT_EQ(ports(index_.search("ports 6007 - 6009", 10)),
            (std::vector<unsigned>{6007, 6008, 6009}));
  EXPECT_FALSE(index_.search("port", 10).empty()) << "without a number, port is a word";
}

TEST_F(search_numbers_test, a_number_among_words_is_that_port_first_never_a_prefix) {
  auto hits = index_.search("ssh 22", 10);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].port, 22);
  // The others hold both words ("22" in a text), never "2222" as a prefix of 22.
  EXPECT_EQ(ports(hits), (std::vector<unsigned>{22, 222, 2222}));
  EXPECT_EQ(index_.search("22 ssh", 10).front().port, 22) << "in either order";
}

// A port we wrote about gets no place ahead of its neighbours in a range (6007 and 6008
// have entries; the rest only IANA's x11 row).
TEST_F(search_numbers_test, a_hit_of_several_words_names_its_best_field) {
  auto hits = index_.search("remote vnc", 10);  // a body word and a title word
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].port, 5900);
  EXPECT_EQ(hits[0].why, "title");
  EXPECT_EQ(index_.search("22 ssh", 10).front().why, "port number");
}

TEST_F(search_numbers_test, a_range_lists_its_ports_in_order_entries_or_not) {
  EXPECT_EQ(ports(index_.search("6005-6010", 10)),
            (std::vector<unsigned>{6005, 6006, 6007, 6008, 6009, 6010}));
}

TEST_F(search_numbers_test, the_port_other_entries_name_comes_first_among_close_matches) {
  auto hits = index_.search("vnc", 10);
  ASSERT_GE(hits.size(), 2u);
  EXPECT_EQ(hits[0].port, 5900) << "four entries name it related";
  EXPECT_EQ(hits[1].port, 5500);
  EXPECT_EQ(hits[1].why, "software");
  // But never over a field two classes up: its body's word stays below another's title.
  EXPECT_EQ(ports(index_.search("viewer", 10)), (std::vector<unsigned>{5500, 5900}));
}

}  // namespace
}  // namespace breakwater::db
