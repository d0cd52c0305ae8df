/* main.c: the ncgsim command line: the command table and dispatch. Each
 * command lives in cmd_<name>.c and declares its options there. */
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "base/diag.h"
#include "base/ncgsim.h"
#include "cli/cli.h"
#include "cli/cluster.h"
#include "cli/commands.h"

const cli_command *const cli_commands[] = {
    &cmd_run_def, &cmd_compare_def, &cmd_check_def, &cmd_show_def,
    &cmd_graph_def, &cmd_plot_def, &cmd_sensitivity_def, &cmd_sweep_def,
    &cmd_diff_def, &cmd_report_def, &cmd_discover_def, &cmd_robust_def,
    &cmd_score_def, &cmd_merge_def,
    &cmd_help_def,
};
const size_t cli_n_commands = sizeof cli_commands / sizeof cli_commands[0];

void cli_print_overview(FILE *out)
{
    fprintf(out, "ncgsim %s: Monte Carlo scenarios of the South Korea-US "
            "alliance's extended deterrence\n\n"
            "Usage: ncgsim COMMAND [options] [files]\n\nCommands:\n",
            NCGSIM_VERSION);
    for (size_t i = 0; i < cli_n_commands; i++)
        fprintf(out, "  %-11s %s\n", cli_commands[i]->name,
                cli_commands[i]->synopsis);
    fprintf(out, "\nRun 'ncgsim help COMMAND' for a command's options.\n"
            "Exit codes: 0 ok, 1 run failed, 2 usage, 3 scenario error, "
            "4 I/O error, 5 out of memory.\n");
}

const cli_command *cli_find_command(const char *name)
{
    for (size_t i = 0; i < cli_n_commands; i++)
        if (strcmp(cli_commands[i]->name, name) == 0)
            return cli_commands[i];
    return NULL;
}

/* The usage error for an unknown command, with "did you mean". */
static int unknown_command(const char *name)
{
    const char *names[sizeof cli_commands / sizeof cli_commands[0]];
    for (size_t i = 0; i < cli_n_commands; i++)
        names[i] = cli_commands[i]->name;
    const char *s = diag_suggest(name, strlen(name), names, cli_n_commands);
    if (s)
        return cli_usage(NULL, "unknown command '%s' (did you mean '%s'?)",
                         name, s);
    return cli_usage(NULL, "unknown command '%s'", name);
}

/* GSL's default handler aborts; ours lets the caller see the status. */
static void gsl_quiet(const char *reason, const char *file, int line,
                      int gsl_errno)
{
    (void)reason;
    (void)file;
    (void)line;
    (void)gsl_errno;
}

/* The commands that split their work over the processes of an MPI job;
 * the others run on rank 0 while the rest wait. */
static int distributed(const cli_command *c)
{
    return c == &cmd_run_def || c == &cmd_sweep_def
           || c == &cmd_sensitivity_def || c == &cmd_discover_def
           || c == &cmd_score_def;
}

/* The command line's command; its exit code. */
static int dispatch(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage(NULL, "no command given");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cli_print_overview(stdout);
        return fflush(stdout) == 0 ? 0 : NCG_EXIT_IO;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("ncgsim %s\n", NCGSIM_VERSION);
        return fflush(stdout) == 0 ? 0 : NCG_EXIT_IO;
    }
    const cli_command *c = cli_find_command(argv[1]);
    if (!c)
        return unknown_command(argv[1]);
    if (cluster_size() > 1 && !distributed(c)) {
        if (cluster_rank() != 0)
            return 0;
        fprintf(stderr, "ncgsim: note: %s runs in one process; the "
                "other %d of the MPI job wait (docs/distributed.md)\n",
                c->name, cluster_size() - 1);
    }
    int rc = cli_exit_code(c->fn(argc - 1, argv + 1));
    if (fflush(stdout) != 0 && rc == 0)
        rc = NCG_EXIT_IO;
    return rc;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler(gsl_quiet);
    int rc = cluster_start(&argc, &argv);
    if (rc != 0)
        return rc;
    return cluster_finish(dispatch(argc, argv));
}
