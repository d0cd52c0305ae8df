/* cmd_merge.c: `ncgsim merge`: the part files of a sharded run into its results. */
#include "cli/commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/ncgsim.h"
#include "base/status.h"
#include "cli/batch.h"
#include "cli/cli.h"
#include "io/part.h"
#include "cli/merge.h"
#include "run/engine.h"

enum { MERGE_OUT, MERGE_THREADS, MERGE_FORMAT, MERGE_PLOTS, MERGE_NO_PLOTS,
       MERGE_QUIET, MERGE_N_OPTS };

static const opt_spec merge_opts_table[MERGE_N_OPTS] = {
    [MERGE_OUT] = CLI_OPT_OUT("results folder (default: results)"),
    [MERGE_THREADS] = CLI_OPT_THREADS("threads for the plots (default: all "
                                      "cores)"),
    [MERGE_FORMAT] = CLI_OPT_FORMAT("plots as png (default), svg or pdf"),
    [MERGE_PLOTS] = CLI_OPT_PLOTS,
    [MERGE_NO_PLOTS] = CLI_OPT_NO_PLOTS("write the data and no plots"),
    [MERGE_QUIET] = CLI_OPT_QUIET("no table"),
};

const cli_command cmd_merge_def = {
    "merge", cmd_merge, "merge the part files of a sharded job into its results",
    "ncgsim merge PART... [options]",
    "Reads the part files that a command run with --shard I/K wrote (run,\n"
    "sweep, sensitivity, discover, score; in any order; a folder means\n"
    "every .ncgpart file in it), checks that they are every shard of one\n"
    "job, once, from one version and build, and writes exactly the results\n"
    "that the same command without --shard writes with -o OUT (run: the\n"
    "result folders and the comparison; sweep: OUT/<name>-sweep/;\n"
    "sensitivity: OUT/<name>-sensitivity/; discover: the folder OUT\n"
    "itself; score: OUT/score/), byte for byte.\n",
    "A part that is missing, repeated, damaged, of another run (seed,\n"
    "model, version, build) or of another command is named in the message,\n"
    "and nothing is written. See docs/results.md, \"Shards and merge\", and\n"
    "docs/distributed.md.\n"
    "The probes of a sharded run --precision replay its rounds: alone,\n"
    "merge prints the -n of the second pass; with that pass's parts, it\n"
    "checks them and writes the results (docs/distributed.md).\n",
    merge_opts_table, MERGE_N_OPTS, OPERANDS_PARTS
};

/* The commands whose parts merge, each with its merge. */
static const struct {
    const char *command;
    merge_fn merge;
} mergers[] = {
    { "run", merge_run },
    { "sweep", merge_sweep },
    { "sensitivity", merge_sensitivity },
    { "discover", merge_discover },
    { "score", merge_score },
};

/* The merge of the command that wrote part P (named LABEL), or NULL with
 * a message. */
static merge_fn merger_of(const part *p, const char *label, diag *d)
{
    const char *cmd = part_get_info(p)->command;
    for (size_t i = 0; i < sizeof mergers / sizeof mergers[0]; i++)
        if (strcmp(cmd, mergers[i].command) == 0)
            return mergers[i].merge;
    diag_add(d, label, 0, NULL, "a part of `%s`, which `ncgsim merge` does "
             "not merge", cmd);
    return NULL;
}

int cmd_merge(int argc, char **argv)
{
    opt_value v[MERGE_N_OPTS];
    diag *d = diag_alloc();
    char **labels = NULL;
    size_t n = 0;
    part **parts = NULL;
    int rc = opts_parse(&cmd_merge_def, argc, argv, v);
    if (rc != 0 || !d)
        goto end;
    int plots = batch_plots("merge", &v[MERGE_PLOTS], &v[MERGE_NO_PLOTS]);
    if (plots < 0) {
        rc = NCG_EXIT_USAGE;
        goto end;
    }
    if (optind >= argc) {
        rc = cli_usage("merge", "no part files given (the .ncgpart files of "
                       "a command run with --shard)");
        goto end;
    }
    if ((rc = batch_expand_files(argv + optind, argc - optind, PART_SUFFIX,
                                 &labels, &n, d)) != 0)
        goto end;
    if (!(parts = calloc(n + 1, sizeof *parts))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    for (size_t i = 0; i < n; i++)
        if ((rc = part_read(labels[i], &parts[i], d)) != 0)
            goto end;
    /* The probes of a sharded --precision run come with run parts. */
    merge_fn merge = merge_precision_wanted(parts, n) ? merge_precision
                     : n ? merger_of(parts[0], labels[0], d) : merge_run;
    if (!merge) {
        rc = NCG_ERR_IO;
        goto end;
    }
    merge_opts mo = {
        .out = v[MERGE_OUT].given ? v[MERGE_OUT].s : NULL,
        .format = v[MERGE_FORMAT].s,
        .threads = v[MERGE_THREADS].given ? (int)v[MERGE_THREADS].u
                                          : engine_cores(),
        .quiet = v[MERGE_QUIET].given > 0,
        .no_plots = plots == BATCH_PLOTS_NONE, .plots = plots };
    rc = merge(parts, (const char *const *)labels, n, &mo, d);
    if (rc == 0 && fflush(stdout) != 0) {
        diag_add(d, NULL, 0, NULL, "standard output: %s", strerror(errno));
        rc = NCG_ERR_IO;
    }
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    for (size_t i = 0; parts && i < n; i++)
        part_free(parts[i]);
    free(parts);
    batch_free_list(labels, n);
    opts_values_free(v, MERGE_N_OPTS);
    return rc < 0 ? 0 : rc;
}
