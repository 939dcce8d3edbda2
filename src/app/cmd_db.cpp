#include "app/commands.hpp"
#include "app/exit_code.hpp"
#include "common/read_file.hpp"
#include "common/write_file.hpp"

#include "db/data_checks.hpp"
#include "db/error.hpp"
#include "db/iana_registry.hpp"
#include "db/registry_sums.hpp"
#include "db/sha256.hpp"

#include <fmt/format.h>
#include <boost/json/object.hpp>

#include <CLI/CLI.hpp>

#include <map>

namespace breakwater::app {
namespace {

int run_check(context& ctx) {
  ctx.quiet_problems = true;
  const db::database* db = ctx.database();
  if (db == nullptr) return exit_failure;
  common::diagnostics problems = db::check_data(*ctx.loaded(), ctx.data_dir());
  for (const common::diagnostic& d : problems) fmt::print("{}\n", common::to_string(d));
  fmt::print("checked {} registry rows, {} entries and {} ranges in {}: {} problem(s)\n",
             db->rows().size(), db->entries().size(), db->ranges().size(), ctx.data_dir().string(),
             problems.size());
  return problems.empty() ? exit_ok : exit_failure;
}

bool write_atomically(const std::filesystem::path& path, std::string_view text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  return common::write_file_atomically(path, text).has_value();
}

struct import_options {
  std::string file;
  std::string out_dir;
};

// The registry is shipped exactly as IANA publishes it, so that anyone can compare it with
// IANA's own file: the import validates every row, then copies the bytes and records their
// sha256. A row breakwater cannot read stops the import instead of being dropped.
int run_import(const import_options& o, context& ctx) {
  auto text = common::read_file(o.file);
  if (!text) {
    fmt::print(stderr, "error: cannot read {}: check the path and permissions\n", o.file);
    return exit_bad_input;
  }
  auto parsed = db::parse_iana_csv(*text, o.file);
  if (!parsed) {
    fmt::print(stderr, "error: {}: {}; download service-names-port-numbers.csv from IANA\n", o.file,
               parsed.error().message());
    return exit_bad_input;
  }
  for (const common::diagnostic& d : parsed->problems)
    fmt::print(stderr, "{}\n", common::to_string(d));
  if (!parsed->problems.empty()) {
    fmt::print(stderr,
               "error: {}: {} bad row(s); nothing was imported (the registry is shipped exactly "
               "as IANA publishes it, so every row must be readable)\n",
               o.file, parsed->problems.size());
    return exit_failure;
  }
  if (parsed->rows.empty()) {
    fmt::print(stderr, "error: {}: {}\n", o.file,
               make_error_code(db::errc::no_valid_rows).message());
    return exit_failure;
  }
  if (o.out_dir.empty() && ctx.data_dir_is_installed()) {
    fmt::print(stderr,
               "error: without --out this would write into {}, the package's own data, which "
               "an upgrade replaces. Copy that directory somewhere of your own, import into its "
               "iana/ with --out DIR/iana, and run breakwater with --data DIR (or "
               "BREAKWATER_DATA=DIR)\n",
               ctx.data_dir().string());
    return exit_bad_input;
  }
  std::filesystem::path dir =
      o.out_dir.empty() ? ctx.data_dir() / "iana" : std::filesystem::path(o.out_dir);
  auto target = dir / std::filesystem::path(db::registry_file).filename();
  auto sums = dir / std::filesystem::path(db::registry_sums_file).filename();
  std::string sha = db::sha256_hex(*text);
  if (!write_atomically(target, *text) || !write_atomically(sums, db::registry_sums_text(sha))) {
    fmt::print(stderr, "error: cannot write {}: check that the directory is writable\n",
               dir.string());
    return exit_failure;
  }
  std::size_t without_port = 0;
  for (const db::iana_row& r : parsed->rows) without_port += r.has_port ? 0 : 1;
  fmt::print(
      "imported {} unchanged into {}: {} rows ({} without a port); sha256 {} recorded in {}\n",
      o.file, target.string(), parsed->rows.size(), without_port, sha, sums.string());
  return exit_ok;
}

boost::json::object stats_of(const db::database& db) {
  std::map<std::string, std::size_t> by_transport;
  std::size_t name_only = 0, ports_with_registrations = 0;
  for (const db::iana_row& r : db.rows()) {
    if (!r.has_port) ++name_only;
    if (r.has_port && r.proto && r.status == db::iana_status::assigned) {
      ++by_transport[std::string(db::to_string(*r.proto))];
    }
  }
  for (unsigned p = 0; p < db::port_count; ++p) {
    for (std::uint32_t id : db.rows_at(p)) {
      if (db.rows()[id].status == db::iana_status::assigned) {
        ++ports_with_registrations;
        break;
      }
    }
  }
  std::size_t words = 0, incidents = 0, range_words = 0;
  for (const db::entry& e : db.entries()) {
    words += e.body_words();
    incidents += e.incidents.size();
  }
  for (const db::range_note& r : db.ranges()) range_words += r.body_words();
  boost::json::object t;
  for (db::transport tr : db::all_transports)
    t[db::to_string(tr)] = by_transport[std::string(db::to_string(tr))];
  return {{"iana_rows", db.rows().size()},
          {"registrations", std::move(t)},
          {"ports_with_registrations", ports_with_registrations},
          {"service_names_without_port", name_only},
          {"entries", db.entries().size()},
          {"entry_words", words},
          {"incidents", incidents},
          {"ranges", db.ranges().size()},
          {"range_words", range_words}};
}

int run_stats(bool json, context& ctx) {
  const db::database* db = ctx.database();
  if (db == nullptr) return exit_failure;
  boost::json::object s = stats_of(*db);
  if (json) {
    print_json(s);
    return exit_ok;
  }
  auto n = [&s](std::string_view key) { return s.at(key).as_uint64(); };
  const auto& t = s["registrations"].as_object();
  fmt::print("IANA rows: {}\n", n("iana_rows"));
  fmt::print("IANA registrations (assigned, with a port): tcp {}, udp {}, sctp {}, dccp {}\n",
             t.at("tcp").as_uint64(), t.at("udp").as_uint64(), t.at("sctp").as_uint64(),
             t.at("dccp").as_uint64());
  fmt::print("ports with a registration: {}\n", n("ports_with_registrations"));
  fmt::print("service names without a port: {}\n", n("service_names_without_port"));
  fmt::print("our entries: {} ({} words, {} incidents)\n", n("entries"), n("entry_words"),
             n("incidents"));
  fmt::print("our range notes: {} ({} words)\n", n("ranges"), n("range_words"));
  return exit_ok;
}

}  // namespace

void add_db_commands(CLI::App& app, context& ctx, int& status) {
  CLI::App* group = app.add_subcommand("db", "Check, import and count the port database");
  group->require_subcommand(1);

  group->add_subcommand("check", "Validate every data file; exit 1 on any problem")
      ->callback([&ctx, &status] { status = run_check(ctx); });

  auto imp = std::make_shared<import_options>();
  CLI::App* import = group->add_subcommand(
      "import-iana",
      "Check IANA's service-names-port-numbers.csv and copy it, unchanged, into the data "
      "directory with its sha256");
  import->add_option("FILE.csv", imp->file, "IANA's CSV file")->required();
  import->add_option("--out", imp->out_dir, "Directory to write to (default: DATA/iana)");
  import->callback([imp, &ctx, &status] { status = run_import(*imp, ctx);
});

auto json = std::make_shared<bool>(false);
CLI::App* stats = group->add_subcommand("stats", "Count registrations, entries and ranges");
stats->add_flag("--json", *json, "Print one JSON object");
stats->callback([json, &ctx, &status] { status = run_stats(*json, ctx); });
}  // namespace breakwater::app

}  // namespace breakwater::app
