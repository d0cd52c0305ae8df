/* commands.h: every subcommand, one cmd_<name>.c each: its entry point
 * (ARGV[0] is the command's name; returns a status, which main.c turns
 * into the exit code) and its declaration for the command table. */
#ifndef NCG_COMMANDS_H
#define NCG_COMMANDS_H

#include "cli/options.h"

int cmd_run(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_sensitivity(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_discover(int argc, char **argv);
int cmd_robust(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* After `run ... --report`: OUT/report.html, with ARGV (the run command's
 * arguments, ARGV[0] "run") shown as the command that made the batch,
 * its charts drawn by THREADS gnuplot processes. Messages go to stderr.
 * Returns a status. */
int cmd_report_after_run(const char *out, int argc, char **argv, int quiet,
                         int threads);
int cmd_help(int argc, char **argv);

extern const cli_command cmd_run_def, cmd_compare_def, cmd_check_def,
    cmd_show_def, cmd_graph_def, cmd_plot_def, cmd_sensitivity_def,
    cmd_sweep_def, cmd_diff_def, cmd_report_def, cmd_discover_def, cmd_robust_def,
    cmd_score_def, cmd_merge_def, cmd_help_def;

/* The command table, in the order `ncgsim --help` lists it (main.c). */
extern const cli_command *const cli_commands[];
extern const size_t cli_n_commands;

/* The command called NAME, or NULL. */
const cli_command *cli_find_command(const char *name);

/* `ncgsim --help`: every command with its synopsis, to OUT. */
void cli_print_overview(FILE *out);

#endif
