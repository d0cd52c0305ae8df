/* merge_precision.c: `ncgsim merge` of a sharded --precision run: its
 * probes replay one process's rounds and choose the trials, and the
 * second pass's parts are checked against that choice. */
#include "cli/merge.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/num.h"
#include "base/status.h"
#include "cli/batch.h"
#include "io/runpart.h"
#include "run/engine.h"

/* What the rounds are replayed with. */
typedef struct replay {
    const part **probes;    /* every probe, ordered by scenario and shard
                               (borrowed) */
    const char **labels;    /* their file names */
    size_t n;
    scenario **scs;         /* the job's scenarios (trials: --max-trials) */
    model **ms;
    size_t members;
    uint32_t ref;
    batch_opts c;           /* the run's --precision settings */
    char *keep;             /* the text C's targets point into (owned) */
} replay;

/* batch_measure_fn: the probes' chunks before TRIALS folded into one
 * result per scenario, measured as one process measures a round. */
static int measure_probes(void *ctx, uint64_t trials, batch_measured *got,
                          diag *d)
{
    replay *r = ctx;
    engine_result **res = calloc(r->members + 1, sizeof *res);
    uint64_t chunks = trials / ENGINE_CHUNK_TRIALS;
    int rc = res ? 0 : NCG_ERR_NOMEM;
    for (size_t i = 0; rc == 0 && i < r->members; i++)
        if (!(res[i] = engine_result_alloc(r->ms[i], trials,
                                           r->scs[i]->sim.steps)))
            rc = NCG_ERR_NOMEM;
    if (rc == NCG_ERR_NOMEM)
        diag_add(d, NULL, 0, NULL, "out of memory");
    for (size_t j = 0; rc == 0 && j < r->n; j++)
        rc = runpart_probes_fold(r->probes[j], r->labels[j], chunks,
                                 res[part_get_info(r->probes[j])->member], d);
    /* One process stops at the first round in which no trial explains
     * the record: so does the replay. */
    for (size_t i = 0; rc == 0 && i < r->members; i++)
        rc = engine_result_check(res[i], d);
    batch_opts c = r->c;
    c.given = res;
    if (rc == 0)
        rc = batch_run(r->scs, r->ms, r->members, r->ref, &c, BATCH_MEASURE,
                       got, d);
    for (size_t i = 0; res && i < r->members; i++)
        engine_result_free(res[i]);
    free(res);
    return rc;
}

/* The settings text SET (batch_precision_settings) back into C, whose
 * targets (malloc'd, pointing into SET) the caller frees. 0, or -1 when
 * it is not such a text. */
static int parse_settings(char *set, batch_opts *c)
{
    char *save = NULL;
    for (char *w = strtok_r(set, " ", &save); w;
         w = strtok_r(NULL, " ", &save)) {
        char *val = strtok_r(NULL, " ", &save);
        diag *quiet = diag_alloc();
        int bad = !val || !quiet;
        if (!bad && strcmp(w, "--precision") == 0) {
            bad = num_parse_double(val, &c->precision) != 0;
        } else if (!bad && strcmp(w, "--max-trials") == 0) {
            double m;
            bad = num_parse_double(val, &m) != 0 || !(m >= 1);
            c->max_trials = bad ? 0 : (uint64_t)m;
        } else if (!bad && strcmp(w, "--precision-of") == 0) {
            compare_target *t = realloc(c->targets, (c->n_targets + 1)
                                                    * sizeof *t);
            bad = !t;
            if (t)
                c->targets = t;
            bad = bad || batch_parse_target(val, &t[c->n_targets], quiet);
            c->n_targets += !bad;
        } else {
            bad = 1;
        }
        diag_free(quiet);
        if (bad)
            return -1;
    }
    return c->max_trials > 0 ? 0 : -1;
}

/* 1 when the resolved texts A and B are the same but for the trials of
 * their `simulation` group. */
static int same_but_trials(const char *a, const char *b)
{
    static const char key[] = "\n  trials = ";
    const char *sa = strstr(a, "\nsimulation = {"), *sb = strstr(b,
                                                             "\nsimulation = {");
    const char *ta = sa ? strstr(sa, key) : NULL, *tb = sb ? strstr(sb, key)
                                                          : NULL;
    if (!ta || !tb || ta - a != tb - b || memcmp(a, b, (size_t)(ta - a)) != 0)
        return 0;
    ta = strchr(ta + 1, '\n');
    tb = strchr(tb + 1, '\n');
    return ta && tb && strcmp(ta, tb) == 0;
}

/* The part of scenario member MB among the N probes (the first). */
static size_t probe_of(const part *const *probes, size_t n, uint32_t mb)
{
    size_t j = 0;
    while (j + 1 < n && part_get_info(probes[j])->member != mb)
        j++;
    return j;
}

/* Checks the second pass's part P (LABEL) against the probes of R, which
 * chose TRIALS: same settings, scenario, seed and model, TRIALS trials.
 * 0, or NCG_ERR_IO with a message. */
static int check_second(const replay *r, const char *settings, const part *p,
                        const char *label, uint64_t trials, diag *d)
{
    const part_info *f = part_get_info(p);
    size_t j = probe_of(r->probes, r->n, f->member);
    const part_info *g = part_get_info(r->probes[j]);
    const char *pl = r->labels[j];
    char *set = runpart_settings(p), *text = NULL, *ptext = NULL;
    uint32_t ref = 0, pref = 0;
    int rc = NCG_ERR_IO;
    if (strcmp(f->command, "run") != 0)
        diag_add(d, label, 0, NULL, "a part of `%s`, but %s is a probe of a "
                 "sharded `run --precision`", f->command, pl);
    else if (!set)
        diag_add(d, label, 0, NULL, "a part of a run without --precision, "
                 "but %s is a probe of `run %s`: merge the parts of one job",
                 pl, settings);
    else if (strcmp(set, settings) != 0)
        diag_add(d, label, 0, NULL, "a part of `run %s`, but %s is a probe of "
                 "`run %s`: merge the parts of one job", set, pl, settings);
    else if (f->members != g->members || strcmp(f->scenario, g->scenario))
        diag_add(d, label, 0, NULL, "scenario %s, %" PRIu32 " of %" PRIu32
                 " in its job, but %s is of scenario %s, %" PRIu32 " of %"
                 PRIu32 ": merge the parts of one job", f->scenario,
                 f->member + 1, f->members, pl, g->scenario, g->member + 1,
                 g->members);
    else if (f->seed != g->seed)
        diag_add(d, label, 0, NULL, "seed %" PRIu64 ", but its probe %s has "
                 "seed %" PRIu64 ": parts of different runs", f->seed, pl,
                 g->seed);
    else if (!(text = runpart_scenario_text(p, &ref))
             || !(ptext = runpart_scenario_text(r->probes[j], &pref))
             || !same_but_trials(text, ptext))
        diag_add(d, label, 0, NULL, "scenario %s of another model or settings "
                 "than its probe %s: parts of different runs", f->scenario,
                 pl);
    else if (ref != pref)
        diag_add(d, label, 0, NULL, "belongs to another job than %s (other "
                 "scenarios or options)", pl);
    else if (f->trials != trials)
        diag_add(d, label, 0, NULL, "%" PRIu64 " trials, but the probes "
                 "choose %" PRIu64 ": run the second pass again with -n %"
                 PRIu64, f->trials, trials, trials);
    else
        rc = 0;
    free(set);
    free(text);
    free(ptext);
    return rc;
}

/* Prints the second pass that R's probes ask for: TRIALS trials. */
static void print_next(const replay *r, uint64_t trials)
{
    size_t len;
    const char *cmd = part_find(r->probes[0], "command", PART_TEXT, &len);
    printf("  precision: the probes choose %" PRIu64 " trials; nothing is "
           "written yet.\n  Second pass: every shard again with -n %" PRIu64
           " (any K; I = 1 .. K):\n", trials, trials);
    if (cmd)
        printf("    %.*s --shard I/K -n %" PRIu64 "\n", (int)len, cmd, trials);
    printf("  then merge these probes and the new parts together.\n");
}

/* 1 when part P is a probe. */
static int is_probe(const part *p)
{
    return strcmp(part_get_info(p)->command, "probe") == 0;
}

int merge_precision_wanted(part *const *parts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *s = runpart_settings(parts[i]);
        free(s);
        if (s || is_probe(parts[i]))
            return 1;
    }
    return 0;
}

/* The probes of PARTS (N) into R, ordered by scenario and shard and
 * checked as a set, their scenarios loaded and their settings into *SET
 * (malloc'd) and R->c; the other parts into REST (*N_REST, in order). 0,
 * or a status with a message. */
static int take_probes(part *const *parts, const char *const *labels,
                       size_t n, replay *r, char **set, const part **rest,
                       const char **rest_labels, size_t *n_rest, diag *d)
{
    part **probes = calloc(n + 1, sizeof *probes);
    const char **pl = calloc(n + 1, sizeof *pl);
    size_t *order = calloc(n + 1, sizeof *order), np = 0;
    int rc = NCG_ERR_NOMEM;
    *n_rest = 0;
    if (!probes || !pl || !order || !r->probes || !r->labels)
        goto end;
    for (size_t i = 0; i < n; i++) {
        if (is_probe(parts[i])) {
            probes[np] = parts[i];
            pl[np++] = labels[i];
        } else {
            rest[*n_rest] = parts[i];
            rest_labels[(*n_rest)++] = labels[i];
        }
    }
    if (np == 0) {
        /* A second pass alone cannot show that its trials are the ones
         * its probes choose. */
        diag_add(d, rest_labels[0], 0, NULL, "a part of a sharded run with "
                 "--precision: give its probes too (%s-probe.part-I-of-K"
                 PART_SUFFIX "), which choose the trials",
                 part_get_info(rest[0])->scenario);
        rc = NCG_ERR_IO;
        goto end;
    }
    if ((rc = runpart_order(probes, pl, np, order, d)) != 0)
        goto end;
    for (size_t j = 0; j < np; j++) {
        r->probes[j] = probes[order[j]];
        r->labels[j] = pl[order[j]];
    }
    r->n = np;
    r->members = part_get_info(r->probes[0])->members;
    r->scs = calloc(r->members + 1, sizeof *r->scs);
    r->ms = calloc(r->members + 1, sizeof *r->ms);
    char *settings = runpart_settings(r->probes[0]);
    *set = settings ? strdup(settings) : NULL;
    if (!r->scs || !r->ms || (settings && !*set)) {
        free(settings);
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    rc = settings && parse_settings(settings, &r->c) == 0
         && r->c.max_trials == part_get_info(r->probes[0])->trials
         ? 0 : NCG_ERR_IO;
    r->keep = settings;
    if (rc != 0) {
        diag_add(d, r->labels[0], 0, NULL, "malformed part file (precision)");
        goto end;
    }
    for (size_t j = 0; j < r->n && rc == 0; j++) {
        char *s = runpart_settings(r->probes[j]);
        if (!s || strcmp(s, *set) != 0) {
            diag_add(d, r->labels[j], 0, NULL, "a probe of `run %s`, but %s "
                     "is a probe of `run %s`: merge the parts of one job",
                     s ? s : "?", r->labels[0], *set);
            rc = NCG_ERR_IO;
        }
        free(s);
        size_t mb = part_get_info(r->probes[j])->member;
        char *text = rc ? NULL : runpart_scenario_text(r->probes[j], &r->ref);
        free(text);
        if (rc == 0 && !r->scs[mb])
            rc = merge_load_scenario(r->probes[j], r->labels[j], &r->scs[mb],
                                     &r->ms[mb], d);
    }
    if (r->ref >= r->members)
        r->ref = 0;
end:
    if (rc == NCG_ERR_NOMEM)
        diag_add(d, NULL, 0, NULL, "out of memory");
    free(probes);
    free(pl);
    free(order);
    return rc;
}

int merge_precision(part *const *parts, const char *const *labels, size_t n,
                    const merge_opts *o, diag *d)
{
    replay r;
    const part **rest = calloc(n + 1, sizeof *rest);
    const char **rest_labels = calloc(n + 1, sizeof *rest_labels);
    char *set = NULL;
    size_t n_rest = 0;
    uint64_t trials = 0;
    memset(&r, 0, sizeof r);
    r.probes = calloc(n + 1, sizeof *r.probes);
    r.labels = calloc(n + 1, sizeof *r.labels);
    int rc = rest && rest_labels ? 0 : NCG_ERR_NOMEM;
    if (rc == 0)
        rc = take_probes(parts, labels, n, &r, &set, rest, rest_labels,
                         &n_rest, d);
    else
        diag_add(d, NULL, 0, NULL, "out of memory");
    r.c.quiet = o->quiet;
    r.c.threads = 1;
    if (rc == 0)
        rc = batch_precision_rounds(&r.c, measure_probes, &r, &trials, d);
    for (size_t i = 0; rc == 0 && i < n_rest; i++)
        rc = check_second(&r, set, rest[i], rest_labels[i], trials, d);
    if (rc == 0 && n_rest == 0)
        print_next(&r, trials);
    else if (rc == 0)
        rc = merge_run((part *const *)rest, rest_labels, n_rest, o, d);
    free(rest);
    free(rest_labels);
    free(r.probes);
    free(r.labels);
    free(r.c.targets);
    free(r.keep);
    free(set);
    batch_free_all(r.scs, r.ms, r.members);
    return rc;
}
