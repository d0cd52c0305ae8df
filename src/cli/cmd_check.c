/* cmd_check.c: `ncgsim check`: check scenario files without running them. */
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include "base/status.h"
#include "cli/batch.h"
#include "cli/cli.h"
#include "model/model.h"

enum { CHECK_SET, CHECK_N_OPTS };

static const opt_spec check_opts[CHECK_N_OPTS] = {
    [CHECK_SET] = CLI_OPT_SET("override a setting after extends; repeatable"),
};

const cli_command cmd_check_def = {
    "check", cmd_check, "check scenario files without running them",
    "ncgsim check FILE|DIR... [--set PATH=VALUE]...",
    "Loads, merges and compiles each scenario and reports every error\n"
    "found, as file:line: setting: message. Exit code 0 when all are\n"
    "fine, 3 when a scenario is wrong, 4 when a file cannot be read.\n",
    NULL, check_opts, CHECK_N_OPTS, OPERANDS_SCENARIOS
};

/* Loads FILE, prints "ok: ..." or "failed: ..." and then its messages. */
static int check_one(const char *file, const scenario_opts *so, diag *d)
{
    scenario *sc = NULL;
    model *m = NULL;
    size_t before = diag_count(d);
    int r = model_load(file, so, &sc, &m, d);
    if (r == 0)
        printf("ok: %s: %s (%zu variables, %zu outputs, %u steps)\n",
               file, sc->name, m->n_vars, m->n_outputs, sc->sim.steps);
    else
        printf("failed: %s (%zu error%s)\n", file, diag_count(d) - before,
               diag_count(d) - before == 1 ? "" : "s");
    /* Each file's messages right after its line. */
    fflush(stdout);
    diag_print(d, stderr);
    diag_clear(d);
    model_free(m);
    scenario_free(sc);
    return r;
}

int cmd_check(int argc, char **argv)
{
    opt_value v[CHECK_N_OPTS];
    scenario_opts so;
    diag *d = diag_alloc();
    char **files = NULL;
    size_t n = 0;
    int rc = opts_parse(&cmd_check_def, argc, argv, v);
    if (rc != 0 || !d)
        goto end;
    cli_scenario_opts(NULL, NULL, &v[CHECK_SET], &so);
    if (optind >= argc) {
        rc = cli_usage(NULL, "check: no scenario given (a .cfg file or a folder)");
        goto end;
    }
    rc = batch_expand_inputs(argv + optind, argc - optind, &files, &n, d);
    for (size_t i = 0; i < n; i++)
        rc = ncg_status_worse(rc, check_one(files[i], &so, d));
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    batch_free_list(files, n);
    opts_values_free(v, CHECK_N_OPTS);
    return rc < 0 ? 0 : rc;
}
