#include "app/commands.hpp"
#include "app/exit_code.hpp"
#include "app/port_text.hpp"

#include "common/text.hpp"
#include "db/port_json.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

namespace breakwater::app {
namespace {

struct search_options {
  std::vector<std::string> words;
  bool json = false;
  std::size_t limit = 20;
};

int run_search(const search_options& o, context& ctx) {
  std::string query = common::squash_spaces(fmt::format("{}", fmt::join(o.words, " ")));
  if (query.empty()) {
    fmt::print(stderr, "error: the search query is empty; give a service name, a word or a port\n");
    return exit_bad_input;
  }
  const db::database* db = ctx.database();
  if (db == nullptr) return exit_failure;
  std::vector<db::respelling> respelled;
  auto hits = ctx.search().search(query, o.limit, &respelled);
  if (o.json) {
    print_json(db::search_to_json(*db, query, hits, respelled));
    return exit_ok;
  }
  for (const db::respelling& r : respelled) {
    fmt::print("'{}' matched nothing; searched for '{}' instead.\n", r.asked, r.used);
  }
  if (hits.empty()) fmt::print("No port matches '{}'.\n", query);
  for (const db::search_hit& h : hits) {
    if (h.range != nullptr) {
      fmt::print("{:>11}  {:<28} {}\n", fmt::format("{}-{}", h.range->lo, h.range->hi),
                 h.range->title, h.range->summary);
    } else if (h.unported != nullptr) {
      std::string_view proto = h.unported->proto ? db::to_string(*h.unported->proto) : "";
      fmt::print("{:>11}  {:<28} {} (service name without a port{}{})\n", "-", h.unported->service,
                 h.unported->description, proto.empty() ? "" : ", ", proto);
    } else {
      const db::entry* e = db->find_entry(h.port);
      fmt::print("{:>11}  {:<28} {}\n", h.port, db->name_of(h.port), e ? e->summary : h.why);
    }
  }
  return exit_ok;
}

}  // namespace

void add_search_command(CLI::App& app, context& ctx, int& status) {
  auto opts = std::make_shared<search_options>();
  CLI::App* cmd = app.add_subcommand("search", "Find ports by service name, word or number");
  cmd->add_option("QUERY", opts->words, "Service name, words, a port or a range (20-25)")
      ->required();
  cmd->add_flag("--json", opts->json, "Print one JSON object instead of text");
  cmd->add_option("--limit", opts->limit, "Most results to show (1-1000)")
      ->check(CLI::Range(1, 1000));
  cmd->callback([opts, &ctx, &status] { status = run_search(*opts, ctx); });
}

}  // namespace breakwater::app
