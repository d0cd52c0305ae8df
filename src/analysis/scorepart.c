/* scorepart.c: a shard of `score` (a range of each scenario's trials) as a part, and the parts of a scenario added up into its forecasts. */
#include "analysis/scorepart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/status.h"
#include "io/output.h"
#include "io/runpart.h"

/* The hash that ties the parts of one score job together: the outcomes
 * and --as-of (the scenarios are checked one by one: model hash). */
static uint64_t job_hash(const scorepart_job *j)
{
    size_t len = j->len + strlen(j->outcomes)
                 + (j->as_of ? strlen(j->as_of) : 0) + 32;
    char *buf = malloc(len);
    uint64_t h = 0;
    if (buf) {
        snprintf(buf, len, "score %s\n%s\n%s", j->as_of ? j->as_of : "-",
                 j->outcomes, j->text);
        h = output_hash(buf);
    }
    free(buf);
    return h;
}

int scorepart_build(const scorepart_job *j, const scenario *sc,
                    const engine_result *r, const int *use, size_t n,
                    uint32_t member, uint32_t members, uint32_t i,
                    uint32_t k, part **out)
{
    part_info f;
    char *text = scenario_text(sc);
    uint64_t *u = calloc(n + 1, sizeof *u), w = (uint64_t)r->weighted;
    part *p = NULL;
    int rc = NCG_ERR_NOMEM;
    *out = NULL;
    if (!text || !u)
        goto end;
    for (size_t q = 0; q < n; q++)
        u[q] = use[q] != 0;
    runpart_info(&f, "score", sc, text, i, k);
    f.job = job_hash(j);
    f.member = member;
    f.members = members;
    if (!(p = part_alloc(&f))
        || part_add(p, "scenario", PART_TEXT, text, strlen(text))
        || part_add(p, "outcomes", PART_TEXT, j->text, j->len)
        || part_add(p, "outcomes.path", PART_TEXT, j->outcomes,
                    strlen(j->outcomes))
        || (j->as_of && part_add(p, "as_of", PART_TEXT, j->as_of,
                                 strlen(j->as_of)))
        || part_add(p, "use", PART_U64, u, n)
        || part_add(p, "count", PART_U64, r->probe_count, n)
        || part_add(p, "q", PART_U128, r->probe_q, n)
        || part_add(p, "qtot", PART_U128, &r->qtot, 1)
        || part_add(p, "weighted", PART_U64, &w, 1)
        || part_add(p, "obs.passed", PART_U64, r->obs_passed, r->n_obs)
        || part_add(p, "obs.killed", PART_U64, r->obs_killed, r->n_obs))
        goto end;
    *out = p;
    p = NULL;
    rc = 0;
end:
    part_free(p);
    free(text);
    free(u);
    return rc;
}

int scorepart_job_read(const part *p, const char *label, scorepart_job *j,
                       diag *d)
{
    static const char *const names[] = { "outcomes", "outcomes.path",
                                         "as_of" };
    const char *text[3];
    size_t lens[3];
    memset(j, 0, sizeof *j);
    if (part_texts(p, names, 3, &j->mem, text, lens) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    j->text = text[0];
    j->len = lens[0];
    j->outcomes = text[1];
    j->as_of = text[2];
    if (!j->text || !j->outcomes) {
        diag_add(d, label, 0, NULL, "malformed part file (outcomes)");
        scorepart_job_clear(j);
        return NCG_ERR_IO;
    }
    return 0;
}

void scorepart_job_clear(scorepart_job *j)
{
    free(j->mem);
    memset(j, 0, sizeof *j);
}

int scorepart_add(scorepart_sum *s, const part *p, const char *label,
                  size_t n, diag *d)
{
    const part_info *f = part_get_info(p);
    size_t nu = 0, nc = 0, nq = 0, nt = 0, nw = 0, np = 0, nk = 0;
    const uint64_t *use = part_find(p, "use", PART_U64, &nu);
    const uint64_t *count = part_find(p, "count", PART_U64, &nc);
    const stats_wsum *q = part_find(p, "q", PART_U128, &nq);
    const stats_wsum *qtot = part_find(p, "qtot", PART_U128, &nt);
    const uint64_t *w = part_find(p, "weighted", PART_U64, &nw);
    const uint64_t *passed = part_find(p, "obs.passed", PART_U64, &np);
    const uint64_t *killed = part_find(p, "obs.killed", PART_U64, &nk);
    if (!s->count) {
        s->n = n;
        s->n_obs = np;
        s->trials = f->trials;
        s->weighted = w && nw == 1 && w[0] != 0;
        s->use = calloc(n + 1, sizeof *s->use);
        s->count = calloc(n + 1, sizeof *s->count);
        s->q = calloc(n + 1, sizeof *s->q);
        s->passed = calloc(np + 1, sizeof *s->passed);
        s->killed = calloc(np + 1, sizeof *s->killed);
        if (!s->use || !s->count || !s->q || !s->passed || !s->killed) {
            diag_add(d, NULL, 0, NULL, "out of memory");
            return NCG_ERR_NOMEM;
        }
        if (use && nu == n)
            memcpy(s->use, use, n * sizeof *use);
    }
    if (!use || !count || !q || !qtot || !w || !passed || !killed
        || nu != n || nc != n || nq != n || nt != 1 || nw != 1
        || np != s->n_obs || nk != s->n_obs || (w[0] != 0) != s->weighted
        || f->trials != s->trials || memcmp(use, s->use, n * sizeof *use)) {
        diag_add(d, label, 0, NULL, "malformed part file (tallies)");
        return NCG_ERR_IO;
    }
    for (size_t i = 0; i < n; i++) {
        s->count[i] += count[i];
        s->q[i] += q[i];
    }
    s->qtot += qtot[0];
    for (size_t i = 0; i < s->n_obs; i++) {
        s->passed[i] += passed[i];
        s->killed[i] += killed[i];
    }
    return 0;
}

void scorepart_forecasts(const scorepart_sum *s, double *p)
{
    /* As the engine turns one run's tallies into shares (probe_p). */
    for (size_t i = 0; i < s->n; i++)
        p[i] = !s->use[i] ? NAN
               : !s->weighted ? (double)s->count[i] / (double)s->trials
               : s->qtot ? (double)s->q[i] / (double)s->qtot : NAN;
}

void scorepart_sum_clear(scorepart_sum *s)
{
    free(s->use);
    free(s->count);
    free(s->q);
    free(s->passed);
    free(s->killed);
    memset(s, 0, sizeof *s);
}
