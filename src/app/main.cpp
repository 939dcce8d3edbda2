// breakwater: the port database and probe service, from the command line.
#include "app/commands.hpp"
#include "app/exit_code.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

namespace {

// The first word that should have been a command and is none ("breakwater bogus"), for a
// message that names it and the commands there are (the parser says only that a command is
// required). Empty when there is none.
std::string unknown_command(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--data") {
      ++i;  // its value
      continue;
    }
    if (arg.starts_with('-')) continue;
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (sub->check_name(std::string(arg))) return {};
    }
    return std::string(arg);
  }
  return {};
}

std::string command_names(CLI::App& app) {
  std::string out;
  for (const CLI::App* sub : app.get_subcommands({})) {
    out += (out.empty() ? "" : ", ") + sub->get_name();
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace breakwater::app;
  context ctx;
  int status = exit_ok;
  CLI::App app{"breakwater: what every port is for, and what the internet sees of yours"};
  app.set_version_flag("--version", BREAKWATER_VERSION);
  app.add_option("--data", ctx.data_dir_option,
                 "Data directory (default: $BREAKWATER_DATA or built-in)");
  app.require_subcommand(1);
  add_port_command(app, ctx, status);
  add_search_command(app, ctx, status);
  add_db_commands(app, ctx, status);
  add_probe_command(app, ctx, status);
  add_serve_command(app, ctx, status);
  add_selfcheck_command(app, status);
  add_nat_command(app, status);
  add_reach_command(app, status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (std::string word = unknown_command(app, argc, argv); !word.empty()) {
      fmt::print(stderr,
                 "error: {} is not a command; the commands are {}\nRun with --help for "
                 "usage.\n",
                 word, command_names(app));
      return exit_bad_input;
    }
    fmt::print(stderr, "error: {}\nRun with --help for usage.\n", e.what());
    return exit_bad_input;
  }
  return status;
}
