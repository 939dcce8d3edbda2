// breakwater: the port database and probe service, from the command line.
#include "app/commands.hpp"
#include "app/exit_code.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

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
    fmt::print(stderr, "error: {}\nRun with --help for usage.\n", e.what());
    return exit_bad_input;
  }
  return status;
}
