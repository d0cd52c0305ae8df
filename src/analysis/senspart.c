/* senspart.c: a shard of `sensitivity` as a part file, and parts put back into one result. */
#include "analysis/senspart.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/status.h"
#include "io/output.h"
#include "io/runpart.h"
#include "run/engine.h"

/* Numbers per row in a part's "tornado" and "ranks" sections. */
#define TORNADO_VALUES 9
#define RANK_VALUES TORNADO_VALUES

/* The units of R in part range FIRST .. FIRST + COUNT - 1, as the items
 * of its tornado groups (*I0 .. *I1 - 1) and its trials of the design
 * (*T0 .. *T1 - 1; empty when the range has no design chunk). */
typedef struct unit_span {
    size_t i0, i1;
    uint64_t t0, t1;
    int base;                  /* group 0 is in the range */
} unit_span;

static unit_span span_of(const sens_result *r, uint64_t first, uint64_t count)
{
    uint64_t groups = sens_groups(r), end = first + count;
    unit_span s = { 0, 0, 0, 0, first == 0 && count > 0 };
    uint64_t g0 = first < groups ? first : groups;
    uint64_t g1 = end < groups ? end : groups;
    s.i0 = (size_t)g0 * SENS_GROUP < r->n_items ? (size_t)g0 * SENS_GROUP
                                                : r->n_items;
    s.i1 = (size_t)g1 * SENS_GROUP < r->n_items ? (size_t)g1 * SENS_GROUP
                                                : r->n_items;
    if (r->design_y && end > groups) {
        uint64_t c0 = first > groups ? first - groups : 0;
        uint64_t c1 = end - groups;
        s.t0 = c0 * ENGINE_CHUNK_TRIALS;
        s.t1 = c1 * ENGINE_CHUNK_TRIALS < r->trials
               ? c1 * ENGINE_CHUNK_TRIALS : r->trials;
    }
    return s;
}

/* A part's numbers of a row: offsets of sens_row's doubles. */
typedef size_t row_fields[TORNADO_VALUES];
/* A tornado row's differences from the base. */
static const row_fields tornado_fields = {
    offsetof(sens_row, low), offsetof(sens_row, low_lo),
    offsetof(sens_row, low_hi), offsetof(sens_row, high),
    offsetof(sens_row, high_lo), offsetof(sens_row, high_hi),
    offsetof(sens_row, swing), offsetof(sens_row, swing_lo),
    offsetof(sens_row, swing_hi)
};
/* Group 0's numbers of a random param's row: the rank correlation and,
 * for a conditioned scenario, the first-order index. */
static const row_fields rank_fields = {
    offsetof(sens_row, spearman), offsetof(sens_row, sp_lo),
    offsetof(sens_row, sp_hi), offsetof(sens_row, s1),
    offsetof(sens_row, s1_lo), offsetof(sens_row, s1_hi),
    offsetof(sens_row, st), offsetof(sens_row, st_lo),
    offsetof(sens_row, st_hi)
};

static void row_get(const sens_row *w, const row_fields f, double *v)
{
    for (size_t i = 0; i < TORNADO_VALUES; i++)
        memcpy(v + i, (const char *)w + f[i], sizeof *v);
}

static void row_put(sens_row *w, const row_fields f, const double *v)
{
    for (size_t i = 0; i < TORNADO_VALUES; i++)
        memcpy((char *)w + f[i], v + i, sizeof *v);
}

/* Row K of output Q of R, writable (rows are the caller's). */
static sens_row *row_of(sens_result *r, size_t q, size_t k)
{
    return (sens_row *)sens_row_at(r, q, k);
}

/* The hash that ties the parts of one sensitivity together: the model
 * and every option that changes a number. 0 or NCG_ERR_NOMEM. */
static int job_hash(const sens_result *r, uint64_t model_hash, uint64_t *job)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NCG_ERR_NOMEM;
    fprintf(f, "sensitivity model %016llx constants %a bootstrap %u "
            "outputs", (unsigned long long)model_hash, r->const_pct,
            r->bootstrap);
    for (size_t q = 0; q < r->n_out; q++)
        fprintf(f, " %zu", r->outputs[q]);
    if (fclose(f) != 0) {
        free(buf);
        return NCG_ERR_NOMEM;
    }
    *job = output_hash(buf);
    free(buf);
    return 0;
}

int sens_part_build(const sens_result *r, uint32_t i, uint32_t k,
                    int set_trials, part **out, diag *d)
{
    char *text = scenario_text(r->sc);
    part_info f;
    part *p = NULL;
    double *tv = NULL, *rv = NULL, *base = NULL, *y = NULL;
    uint64_t *outs = calloc(r->n_out + 1, sizeof *outs);
    int rc = NCG_ERR_NOMEM;
    *out = NULL;
    memset(&f, 0, sizeof f);
    snprintf(f.command, sizeof f.command, "sensitivity");
    snprintf(f.unit, sizeof f.unit, "group+chunk");
    f.members = 1;
    f.shard = i;
    f.shards = k;
    f.units = sens_units(r);
    runpart_range(f.units, i, k, &f.first, &f.count);
    unit_span s = span_of(r, f.first, f.count);
    size_t ni = s.i1 - s.i0, nt = (size_t)(s.t1 - s.t0);
    size_t nm = r->design_y ? r->d + 2 : 0;
    tv = calloc(ni * r->n_out * TORNADO_VALUES + 1, sizeof *tv);
    rv = calloc(r->n_out * r->d * RANK_VALUES + 1, sizeof *rv);
    base = calloc(2 * r->n_out + 2, sizeof *base);
    y = calloc(nm * r->n_out * nt + 1, sizeof *y);
    if (!text || !outs || !tv || !rv || !base || !y)
        goto end;
    snprintf(f.scenario, sizeof f.scenario, "%s", r->sc->name);
    f.model_hash = output_hash(text);
    f.seed = r->sc->sim.seed;
    f.trials = r->trials;
    snprintf(f.sampler, sizeof f.sampler, "%s", r->sc->sim.sampler);
    if (job_hash(r, f.model_hash, &f.job) != 0 || !(p = part_alloc(&f)))
        goto end;
    for (size_t q = 0; q < r->n_out; q++)
        outs[q] = r->outputs[q];
    for (size_t j = 0; j < ni; j++)
        for (size_t q = 0; q < r->n_out; q++)
            row_get(sens_row_at(r, q, r->items[s.i0 + j]), tornado_fields,
                    tv + (j * r->n_out + q) * TORNADO_VALUES);
    for (size_t q = 0; s.base && q < r->n_out; q++) {
        base[q] = r->base_mean[q];
        base[r->n_out + q] = r->base_se[q];
        for (size_t j = 0; j < r->d; j++)
            row_get(sens_row_at(r, q, j), rank_fields,
                    rv + (q * r->d + j) * RANK_VALUES);
    }
    base[2 * r->n_out] = r->ess;
    for (size_t m = 0; m < nm; m++)
        for (size_t q = 0; q < r->n_out; q++)
            memcpy(y + (m * r->n_out + q) * nt,
                   r->design_y + (m * r->n_out + q) * r->trials + s.t0,
                   nt * sizeof *y);
    uint64_t ref[2] = { 0, 0 };
    uint64_t u[4] = { r->bootstrap, (uint64_t)set_trials, r->trial_runs,
                      r->rank_trials };
    if (part_add(p, "scenario", PART_TEXT, text, strlen(text))
        || part_add(p, "reference", PART_U64, ref, 2)
        || part_add(p, "outputs", PART_U64, outs, r->n_out)
        || part_add(p, "constants", PART_F64, &r->const_pct, 1)
        || part_add(p, "counts", PART_U64, u, 4)
        || part_add(p, "tornado", PART_F64, tv, ni * r->n_out * TORNADO_VALUES)
        || part_add(p, "base", PART_F64, base,
                    s.base ? 2 * r->n_out + 1 : 0)
        || part_add(p, "ranks", PART_F64, rv,
                    s.base ? r->n_out * r->d * RANK_VALUES : 0)
        || part_add(p, "design.y", PART_F64, y, nm * r->n_out * nt))
        goto end;
    *out = p;
    p = NULL;
    rc = 0;
end:
    if (rc != 0)
        diag_add(d, NULL, 0, NULL, "out of memory");
    part_free(p);
    free(text);
    free(outs);
    free(tv);
    free(rv);
    free(base);
    free(y);
    return rc;
}

/* "LABEL: malformed part file (WHAT)"; NCG_ERR_IO. */
static int malformed(const char *label, const char *what, diag *d)
{
    diag_add(d, label, 0, NULL, "malformed part file (%s)", what);
    return NCG_ERR_IO;
}

int sens_part_options(const part *p, const char *label, const model *m,
                      sens_opts *o, const char ***names, int *set_trials,
                      diag *d)
{
    size_t no = 0, nc = 0, nu = 0;
    const uint64_t *outs = part_find(p, "outputs", PART_U64, &no);
    const double *pct = part_find(p, "constants", PART_F64, &nc);
    const uint64_t *u = part_find(p, "counts", PART_U64, &nu);
    sens_opts z = { 0 };
    *o = z;
    *names = NULL;
    if (!outs || !pct || nc != 1 || !u || nu != 4 || no == 0
        || !(pct[0] >= 0 && pct[0] < 100) || u[0] < 2)
        return malformed(label, "options", d);
    const char **list = calloc(no + 1, sizeof *list);
    if (!list) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    for (size_t q = 0; q < no; q++) {
        if (outs[q] >= m->n_outputs) {
            free(list);
            return malformed(label, "outputs", d);
        }
        list[q] = m->vars[m->outputs[outs[q]]].name;
    }
    o->outputs = list;
    o->n_outputs = no;
    o->const_pct = pct[0];
    o->bootstrap = (unsigned)u[0];
    *set_trials = u[1] != 0;
    *names = list;
    return 0;
}

int sens_part_fold(sens_result *r, const part *p, const char *label, diag *d)
{
    const part_info *f = part_get_info(p);
    size_t nt = 0, nb = 0, nr = 0, ny = 0, nu = 0;
    const double *tv = part_find(p, "tornado", PART_F64, &nt);
    const double *base = part_find(p, "base", PART_F64, &nb);
    const double *rv = part_find(p, "ranks", PART_F64, &nr);
    const double *y = part_find(p, "design.y", PART_F64, &ny);
    const uint64_t *u = part_find(p, "counts", PART_U64, &nu);
    if (f->units != sens_units(r) || f->trials != r->trials)
        return malformed(label, "its units do not fit the scenario", d);
    unit_span s = span_of(r, f->first, f->count);
    size_t ni = s.i1 - s.i0, n = (size_t)(s.t1 - s.t0);
    size_t nm = r->design_y ? r->d + 2 : 0;
    if (!tv || !base || !rv || !y || !u || nu != 4
        || nt != ni * r->n_out * TORNADO_VALUES
        || nb != (s.base ? 2 * r->n_out + 1 : 0)
        || nr != (s.base ? r->n_out * r->d * RANK_VALUES : 0)
        || ny != nm * r->n_out * n)
        return malformed(label, "summaries do not fit the scenario", d);
    for (size_t j = 0; j < ni; j++)
        for (size_t q = 0; q < r->n_out; q++)
            row_put(row_of(r, q, r->items[s.i0 + j]), tornado_fields,
                    tv + (j * r->n_out + q) * TORNADO_VALUES);
    if (s.base) {
        for (size_t q = 0; q < r->n_out; q++) {
            r->base_mean[q] = base[q];
            r->base_se[q] = base[r->n_out + q];
            for (size_t j = 0; j < r->d; j++)
                row_put(row_of(r, q, j), rank_fields,
                        rv + (q * r->d + j) * RANK_VALUES);
        }
        r->ess = base[2 * r->n_out];
        r->rank_trials = u[3];
    }
    for (size_t m = 0; m < nm; m++)
        for (size_t q = 0; q < r->n_out; q++)
            memcpy(r->design_y + (m * r->n_out + q) * r->trials + s.t0,
                   y + (m * r->n_out + q) * n, n * sizeof *y);
    r->trial_runs += u[2];
    return 0;
}
