/* cmd_compare.c: `ncgsim compare`: compare results already on disk. */
#include "cli/commands.h"

#include <stdint.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "cli/batch.h"
#include "cli/cli.h"
#include "io/output.h"
#include "run/engine.h"

enum {
    CMP_OUT, CMP_REFERENCE, CMP_THREADS, CMP_FORMAT, CMP_NO_PLOTS, CMP_QUIET,
    CMP_N_OPTS
};

static const opt_spec compare_opts[CMP_N_OPTS] = {
    [CMP_OUT] = CLI_OPT_OUT("write OUT/compare/ (default: the folder holding\n"
                            "the first OUTDIR)"),
    [CMP_REFERENCE] = CLI_OPT_REFERENCE,
    [CMP_THREADS] = CLI_OPT_THREADS("threads (default: all cores)"),
    [CMP_FORMAT] = CLI_OPT_FORMAT("plots as png (default), svg or pdf"),
    [CMP_NO_PLOTS] = CLI_OPT_NO_PLOTS("write the data and no plots"),
    [CMP_QUIET] = CLI_OPT_QUIET("no table"),
};

const cli_command cmd_compare_def = {
    "compare", cmd_compare, "compare results already on disk",
    "ncgsim compare OUTDIR OUTDIR... [options]",
    "Writes OUT/compare/ (default OUT: the folder holding the first\n"
    "OUTDIR) for the given result folders. Paired differences need every\n"
    "trial, so each OUTDIR/resolved.cfg is simulated again in lockstep\n"
    "(same seed, same numbers as the original run); the scenario folders\n"
    "themselves are not touched.\n",
    NULL, compare_opts, CMP_N_OPTS, OPERANDS_RESULTS
};

/* The folder holding DIR (malloc'd in *BUF when it is not "/" or "."). */
static const char *parent_of(const char *dir, char **buf)
{
    char *first = strdup(dir);
    char *slash = first ? strrchr(first, '/') : NULL;
    while (slash && slash > first && slash[1] == '\0') {
        *slash = '\0';
        slash = strrchr(first, '/');
    }
    if (slash)
        *slash = '\0';
    *buf = first;
    return slash == first ? "/" : slash ? first : ".";
}

int cmd_compare(int argc, char **argv)
{
    opt_value v[CMP_N_OPTS];
    batch_opts c;
    diag *d = diag_alloc();
    char **files = NULL, *out_buf = NULL;
    size_t n = 0, ref;
    scenario **scs = NULL;
    model **ms = NULL;
    scenario_opts none = { 0 };
    int rc = opts_parse(&cmd_compare_def, argc, argv, v);
    if (rc != 0 || !d)
        goto end;
    memset(&c, 0, sizeof c);
    c.reference = v[CMP_REFERENCE].s;
    c.format = v[CMP_FORMAT].s;
    c.threads = v[CMP_THREADS].given ? (int)v[CMP_THREADS].u : engine_cores();
    c.quiet = v[CMP_QUIET].given > 0;
    c.plots = v[CMP_NO_PLOTS].given ? BATCH_PLOTS_NONE : BATCH_PLOTS_AUTO;
    if (argc - optind < 2) {
        rc = cli_usage(NULL, "compare: give two or more result folders");
        goto end;
    }
    n = (size_t)(argc - optind);
    files = calloc(n, sizeof *files);
    if (!files) {
        rc = NCG_EXIT_RUN;
        goto end;
    }
    for (size_t i = 0; i < n; i++)
        files[i] = output_path(argv[optind + (int)i], "resolved.cfg");
    /* The resolved scenarios rerun exactly; only the comparison is kept. */
    rc = batch_load_all(files, n, &none, &scs, &ms, d);
    if (rc != 0)
        goto end;
    c.out = v[CMP_OUT].given ? v[CMP_OUT].s : parent_of(argv[optind], &out_buf);
    if ((ref = batch_find_reference(scs, n, c.reference, d)) == SIZE_MAX) {
        rc = NCG_EXIT_USAGE;
        goto end;
    }
    c.folders = argv + optind;   /* exactly the folders named */
    rc = batch_run(scs, ms, n, ref, &c, BATCH_COMPARE, NULL, d);
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    batch_free_all(scs, ms, n);
    batch_free_list(files, n);
    free(out_buf);
    opts_values_free(v, CMP_N_OPTS);
    return rc < 0 ? 0 : rc;
}
