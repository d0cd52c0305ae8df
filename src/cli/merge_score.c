/* merge_score.c: the parts of `score --shard` added up into the scores one process writes. */
#include "cli/merge.h"

#include <stdlib.h>
#include <string.h>
#include "analysis/score.h"
#include "analysis/scorepart.h"
#include "base/status.h"
#include "cli/publish.h"
#include "io/runpart.h"

/* The outcomes file of job J read back from its text through a file of
 * its name in a private temporary folder (removed again). 0 with *OUT, or
 * a status with a message. */
static int outcomes_of(const scorepart_job *j, score_outcomes **out,
                       diag *d)
{
    const char *base = strrchr(j->outcomes, '/');
    char *path = NULL;
    int rc = merge_tmp_write(base ? base + 1 : j->outcomes, j->text, j->len,
                             &path, d);
    if (rc == 0)
        rc = score_outcomes_read(path, out, d);
    merge_tmp_remove(path);
    return rc;
}

/* A conditioned scenario in which no trial kept any weight: the message
 * one process gives (the observation no trial could explain), from the
 * scenario of part P (named LABEL) conditioned as job J asks and the
 * observation counts in S. Returns that status. */
static int unexplained(const part *p, const char *label,
                       const scorepart_job *j, const scorepart_sum *s,
                       diag *d)
{
    scenario *sc = NULL;
    model *m = NULL;
    engine_result *r = NULL;
    uint32_t as_of;
    int rc = merge_load_scenario(p, label, &sc, &m, d);
    if (rc == 0)
        rc = score_condition(m, j->as_of, label, &as_of, d);
    if (rc == 0 && !(r = engine_result_alloc(m, s->trials, sc->sim.steps))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
    }
    if (rc == 0 && r->n_obs != s->n_obs) {
        diag_add(d, label, 0, NULL, "malformed part file (observations)");
        rc = NCG_ERR_IO;
    }
    if (rc == 0) {
        memcpy(r->obs_passed, s->passed, s->n_obs * sizeof *s->passed);
        memcpy(r->obs_killed, s->killed, s->n_obs * sizeof *s->killed);
        r->weighted = 1;
        r->qtot = 0;
        rc = merge_check(r, label, d);
    }
    engine_result_free(r);
    model_free(m);
    scenario_free(sc);
    return rc;
}

int merge_score(part *const *parts, const char *const *labels, size_t n,
                const merge_opts *o, diag *d)
{
    size_t *order = calloc(n + 1, sizeof *order);
    scorepart_job j = { 0 };
    scorepart_sum s = { 0 };
    score_outcomes *out = NULL;
    score_table t = { 0 };
    int rc;
    if (!order) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    if ((rc = runpart_order(parts, labels, n, order, d)) != 0
        || (rc = scorepart_job_read(parts[order[0]], labels[order[0]], &j,
                                    d)) != 0
        || (rc = outcomes_of(&j, &out, d)) != 0)
        goto end;
    t.k = part_get_info(parts[0])->members;
    t.n = score_outcomes_count(out);
    t.o = out;
    t.label = j.outcomes;
    t.p = calloc(t.k * t.n + 1, sizeof *t.p);
    t.names = calloc(t.k + 1, sizeof *t.names);
    if (!t.p || !t.names) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    /* ORDER runs through each scenario's shards in turn. */
    for (size_t i = 0; i < n && rc == 0; i++) {
        const part *p = parts[order[i]];
        const part_info *f = part_get_info(p);
        if ((rc = scorepart_add(&s, p, labels[order[i]], t.n, d)) != 0)
            break;
        if (f->shard < f->shards)
            continue;
        if (s.weighted && s.qtot == 0)
            rc = unexplained(p, labels[order[i]], &j, &s, d);
        scorepart_forecasts(&s, t.p + f->member * t.n);
        t.names[f->member] = f->scenario;
        scorepart_sum_clear(&s);
    }
    if (rc == 0)
        rc = publish_score(&t, o->out ? o->out : "results", o->format,
                           o->quiet, o->no_plots, d);
end:
    scorepart_sum_clear(&s);
    scorepart_job_clear(&j);
    score_outcomes_free(out);
    free(t.p);
    free(t.names);
    free(order);
    return rc;
}
