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
#include "cli/merge_precision.h"
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
    "Reads the part files that `ncgsim run --shard I/K` wrote (in any\n"
    "order; a folder means every .ncgpart file in it), checks that they\n"
    "are every shard of one job, once, from one version and build, and\n"
    "writes exactly the result folders (and the comparison) that the same\n"
    "run without --shard writes, byte for byte.\n",
    "A part that is missing, repeated, damaged or of another run (seed,\n"
    "model, version, build) is named in the message, and nothing is\n"
    "written. See docs/results.md, \"Shards and merge\".\n"
    "The probes of a sharded --precision run replay its rounds: alone,\n"
    "merge prints the -n of the second pass; with that pass's parts, it\n"
    "checks them and writes the results (docs/distributed.md).\n",
    merge_opts, MERGE_N_OPTS, OPERANDS_PARTS
};

/* The scenario of part P (file LABEL) loaded back, into *SC and *M,
 * through a file in the private folder TMP; it must be the model the
 * shard ran (same hash). 0, or a status with a message. */
static int load_member(const part *p, const char *label, const char *tmp,
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
static int fold_all(part **parts, char **labels, const size_t *order,
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

int cmd_merge(int argc, char **argv)
{
    opt_value v[MERGE_N_OPTS];
    diag *d = diag_alloc();
    char **labels = NULL, tmpl[4096];
    size_t n = 0, members = 0, *order = NULL;
    part **parts = NULL;
    scenario **scs = NULL;
    model **ms = NULL;
    engine_result **res = NULL;
    uint32_t ref = 0;
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
    const char *td = getenv("TMPDIR");
    snprintf(tmpl, sizeof tmpl, "%s/ncgsim-merge-XXXXXX", td && *td ? td
                                                                  : "/tmp");
    if (!mkdtemp(tmpl)) {
        diag_add(d, tmpl, 0, NULL, "cannot create: %s", strerror(errno));
        rc = NCG_ERR_IO;
        goto end;
    }
    have_tmp = 1;
    /* A sharded --precision run: its probes choose the trials. */
    merge_precision_opts mp = { load_member, tmpl, v[MERGE_QUIET].given > 0 };
    int done = 0;
    if ((rc = merge_precision(parts, labels, &n, &mp, &done, d)) != 0 || done)
        goto end;
    if ((rc = runpart_order(parts, (const char *const *)labels, n, order, d)))
        goto end;
    members = part_get_info(parts[0])->members;
    scs = calloc(members + 1, sizeof *scs);
    ms = calloc(members + 1, sizeof *ms);
    res = calloc(members + 1, sizeof *res);
    if (!scs || !ms || !res) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    /* ORDER starts each scenario's run of parts with its first shard. */
    for (size_t j = 0; j < n; j++) {
        const part *p = parts[order[j]];
        size_t mb = part_get_info(p)->member;
        if (!scs[mb] && (rc = load_member(p, labels[order[j]], tmpl, &scs[mb],
                                          &ms[mb], &ref, d)) != 0)
            goto end;
    }
    if ((rc = fold_all(parts, labels, order, n, ms, scs, res, d)) != 0)
        goto end;
    batch_opts c;
    memset(&c, 0, sizeof c);
    c.out = v[MERGE_OUT].given ? v[MERGE_OUT].s : "results";
    c.format = v[MERGE_FORMAT].s;
    c.threads = v[MERGE_THREADS].given ? (int)v[MERGE_THREADS].u
                                       : engine_cores();
    c.quiet = v[MERGE_QUIET].given > 0;
    c.no_plots = v[MERGE_NO_PLOTS].given > 0;
    c.given = res;
    rc = batch_run(scs, ms, members, ref < members ? ref : 0, &c,
                   BATCH_WRITE, NULL, d);
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
    for (size_t i = 0; res && i < members; i++)
        engine_result_free(res[i]);
    free(res);
    batch_free_all(scs, ms, members);
    for (size_t i = 0; parts && i < n; i++)
        part_free(parts[i]);
    free(parts);
    free(order);
    batch_free_list(labels, n);
    opts_values_free(v, MERGE_N_OPTS);
    return rc < 0 ? 0 : rc;
}
