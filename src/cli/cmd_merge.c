/* cmd_merge.c: `ncgsim merge`: the part files of a sharded run into its results. */
#include "cli/commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/ncgsim.h"
#include "base/path.h"
#include "base/status.h"
#include "cli/batch.h"
#include "cli/cli.h"
#include "cli/merge.h"
#include "io/output.h"
#include "io/part.h"
#include "io/runpart.h"
#include "run/engine.h"

enum { MERGE_OUT, MERGE_THREADS, MERGE_FORMAT, MERGE_NO_PLOTS, MERGE_QUIET,
       MERGE_N_OPTS };

static const opt_spec merge_opts[MERGE_N_OPTS] = {
    [MERGE_OUT] = CLI_OPT_OUT("results folder (default: results)"),
    [MERGE_THREADS] = CLI_OPT_THREADS("threads for the plots (default: all "
                                      "cores)"),
    [MERGE_FORMAT] = CLI_OPT_FORMAT("plots as png (default), svg or pdf"),
    [MERGE_NO_PLOTS] = CLI_OPT_NO_PLOTS("write the data and no plots"),
    [MERGE_QUIET] = CLI_OPT_QUIET("no table"),
};

const cli_command cmd_merge_def = {
    "merge", cmd_merge, "merge the part files of a sharded run into its results",
    "ncgsim merge PART... [options]",
    "Reads the part files that `ncgsim run --shard I/K` (or `sensitivity\n"
    "--shard I/K`) wrote (in any order; a folder means every .ncgpart file\n"
    "in it), checks that they are every shard of one job, once, from one\n"
    "version and build, and writes exactly the result folders (and the\n"
    "comparison) that the same command without --shard writes, byte for\n"
    "byte.\n",
    "A part that is missing, repeated, damaged or of another run (seed,\n"
    "model, version, build) is named in the message, and nothing is\n"
    "written. See docs/results.md, \"Shards and merge\".\n",
    merge_opts, MERGE_N_OPTS, OPERANDS_PARTS
};

int merge_load_member(const part *p, const char *label, const char *tmp,
                      scenario **sc, model **m, uint32_t *ref, diag *d)
{
    const part_info *f = part_get_info(p);
    char *text = runpart_scenario_text(p, ref), name[160];
    int rc;
    if (!text) {
        diag_add(d, label, 0, NULL, "malformed part file (no scenario)");
        return NCG_ERR_IO;
    }
    snprintf(name, sizeof name, "%s.cfg", f->scenario);
    char *path = path_join(tmp, name);
    FILE *out = path ? fopen(path, "we") : NULL;
    if (!out || fputs(text, out) < 0 || fclose(out) != 0) {
        diag_add(d, tmp, 0, NULL, "cannot write: %s", strerror(errno));
        free(text);
        free(path);
        return NCG_ERR_IO;
    }
    free(text);
    scenario_opts so;
    memset(&so, 0, sizeof so);
    rc = model_load(path, &so, sc, m, d);
    unlink(path);
    free(path);
    if (rc != 0)
        return rc;
    char *again = scenario_text(*sc);
    unsigned long long h = again ? output_hash(again) : 0;
    free(again);
    if (h != f->model_hash || (*sc)->sim.trials != f->trials) {
        diag_add(d, label, 0, NULL, "its scenario does not load back to the "
                 "model the shard ran (model hash %016llx, now %016llx)",
                 (unsigned long long)f->model_hash, h);
        return NCG_ERR_IO;
    }
    return 0;
}

/* Folds the parts of each scenario, in chunk order, into RES (one per
 * scenario, the job's order): ORDER lists the N parts by scenario and
 * shard. 0, or a status with a message. */
static int fold_all(part *const *parts, char *const *labels,
                    const size_t *order,
                    size_t n, model **ms, scenario **scs,
                    engine_result **res, diag *d)
{
    for (size_t j = 0; j < n; j++) {
        const part *p = parts[order[j]];
        const part_info *f = part_get_info(p);
        size_t mb = f->member;
        if (!res[mb] && !(res[mb] = engine_result_alloc(ms[mb],
                              scs[mb]->sim.trials, scs[mb]->sim.steps))) {
            diag_add(d, NULL, 0, NULL, "out of memory");
            return NCG_ERR_NOMEM;
        }
        int rc = runpart_fold(p, labels[order[j]], res[mb], d);
        if (rc != 0)
            return rc;
    }
    for (size_t mb = 0; mb < part_get_info(parts[0])->members; mb++) {
        int rc = engine_result_check(res[mb], d);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* `run`'s parts: each scenario's result folder and the comparison, as
 * `run` writes them (merge_sensitivity's contract). */
static int merge_run(part *const *parts, char *const *labels,
                     const size_t *order, size_t n, const char *tmp,
                     const merge_out *o, diag *d)
{
    size_t members = part_get_info(parts[0])->members;
    scenario **scs = calloc(members + 1, sizeof *scs);
    model **ms = calloc(members + 1, sizeof *ms);
    engine_result **res = calloc(members + 1, sizeof *res);
    uint32_t ref = 0;
    int rc = 0;
    if (!scs || !ms || !res) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    /* ORDER starts each scenario's run of parts with its first shard. */
    for (size_t j = 0; j < n; j++) {
        const part *p = parts[order[j]];
        size_t mb = part_get_info(p)->member;
        if (!scs[mb] && (rc = merge_load_member(p, labels[order[j]], tmp,
                                                &scs[mb], &ms[mb], &ref,
                                                d)) != 0)
            goto end;
    }
    if ((rc = fold_all(parts, labels, order, n, ms, scs, res, d)) != 0)
        goto end;
    batch_opts c;
    memset(&c, 0, sizeof c);
    c.out = o->out;
    c.format = o->format;
    c.threads = o->threads;
    c.quiet = o->quiet;
    c.no_plots = o->no_plots;
    c.given = res;
    rc = batch_run(scs, ms, members, ref < members ? ref : 0, &c,
                   BATCH_WRITE, NULL, d);
end:
    for (size_t i = 0; res && i < members; i++)
        engine_result_free(res[i]);
    free(res);
    batch_free_all(scs, ms, members);
    return rc;
}

/* Each command's merge, by the command its parts name. */
static const struct merger {
    const char *command;
    int (*merge)(part *const *parts, char *const *labels, const size_t *order,
                 size_t n, const char *tmp, const merge_out *o, diag *d);
} mergers[] = {
    { "run", merge_run },
    { "sensitivity", merge_sensitivity },
};

int cmd_merge(int argc, char **argv)
{
    opt_value v[MERGE_N_OPTS];
    diag *d = diag_alloc();
    char **labels = NULL, tmpl[4096];
    size_t n = 0, *order = NULL;
    part **parts = NULL;
    int have_tmp = 0;
    int rc = opts_parse(&cmd_merge_def, argc, argv, v);
    if (rc != 0 || !d)
        goto end;
    if (optind >= argc) {
        rc = cli_usage("merge", "no part files given (the .ncgpart files of "
                       "`ncgsim run --shard`)");
        goto end;
    }
    if ((rc = batch_expand_files(argv + optind, argc - optind, PART_SUFFIX,
                                 &labels, &n, d)) != 0)
        goto end;
    parts = calloc(n + 1, sizeof *parts);
    order = calloc(n + 1, sizeof *order);
    if (!parts || !order) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    for (size_t i = 0; i < n; i++)
        if ((rc = part_read(labels[i], &parts[i], d)) != 0)
            goto end;
    if ((rc = runpart_order(parts, (const char *const *)labels, n, order, d)))
        goto end;
    const char *command = part_get_info(parts[0])->command;
    const struct merger *mg = NULL;
    for (size_t i = 0; i < sizeof mergers / sizeof mergers[0]; i++)
        if (strcmp(mergers[i].command, command) == 0)
            mg = &mergers[i];
    if (!mg) {
        diag_add(d, labels[0], 0, NULL, "a part of `%s`, which this ncgsim "
                 "cannot merge", command);
        rc = NCG_ERR_IO;
        goto end;
    }
    const char *td = getenv("TMPDIR");
    snprintf(tmpl, sizeof tmpl, "%s/ncgsim-merge-XXXXXX", td && *td ? td
                                                                  : "/tmp");
    if (!mkdtemp(tmpl)) {
        diag_add(d, tmpl, 0, NULL, "cannot create: %s", strerror(errno));
        rc = NCG_ERR_IO;
        goto end;
    }
    have_tmp = 1;
    merge_out mo = {
        v[MERGE_OUT].given ? v[MERGE_OUT].s : "results", v[MERGE_FORMAT].s,
        v[MERGE_THREADS].given ? (int)v[MERGE_THREADS].u : engine_cores(),
        v[MERGE_QUIET].given > 0, v[MERGE_NO_PLOTS].given > 0 };
    rc = mg->merge(parts, labels, order, n, tmpl, &mo, d);
    if (rc == 0 && fflush(stdout) != 0) {
        diag_add(d, NULL, 0, NULL, "standard output: %s", strerror(errno));
        rc = NCG_ERR_IO;
    }
end:
    if (have_tmp)
        rmdir(tmpl);
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    for (size_t i = 0; parts && i < n; i++)
        part_free(parts[i]);
    free(parts);
    free(order);
    batch_free_list(labels, n);
    opts_values_free(v, MERGE_N_OPTS);
    return rc < 0 ? 0 : rc;
}
