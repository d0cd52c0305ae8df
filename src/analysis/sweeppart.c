/* sweeppart.c: a range of a sweep's points as a part, and parts put back into one sweep. */
#include "analysis/sweeppart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/status.h"
#include "io/output.h"

/* Values kept per cell in a part: mean, se, diff, diff_se. */
#define CELL_VALUES 4
_Static_assert(sizeof(sweep_cell) == CELL_VALUES * sizeof(double),
               "a sweep cell is its four doubles");

/* R's axes as --vary arguments, one a line, with every digit a double
 * needs to read back as the same bits (malloc'd), or NULL. */
static char *axes_text(const sweep_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    for (size_t a = 0; a < r->n_axes; a++)
        fprintf(f, "%s=%.17g:%.17g:%.17g\n", r->axes[a].path,
                r->axes[a].from, r->axes[a].to, r->axes[a].step);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

int sweeppart_build(const sweep_result *r, size_t first, size_t count,
                    uint32_t i, uint32_t k, part **out)
{
    part_info f;
    char *text = scenario_text(r->sc), *axes = axes_text(r), *job = NULL;
    uint64_t w = (uint64_t)r->weighted;
    part *p = NULL;
    int rc = NCG_ERR_NOMEM;
    *out = NULL;
    if (!text || !axes)
        goto end;
    memset(&f, 0, sizeof f);
    snprintf(f.command, sizeof f.command, "sweep");
    snprintf(f.scenario, sizeof f.scenario, "%s", r->sc->name);
    snprintf(f.unit, sizeof f.unit, "row");
    snprintf(f.sampler, sizeof f.sampler, "%s", r->sc->sim.sampler);
    f.model_hash = output_hash(text);
    size_t jl = strlen(axes) + 64;
    if (!(job = malloc(jl)))
        goto end;
    snprintf(job, jl, "sweep %016llx\n%s",
             (unsigned long long)f.model_hash, axes);
    f.job = output_hash(job);
    f.members = 1;
    f.seed = r->sc->sim.seed;
    f.trials = r->trials;
    f.shard = i;
    f.shards = k;
    f.units = r->n_points;
    f.first = first;
    f.count = count;
    size_t from = first < r->n_points ? first : r->n_points;
    if (!(p = part_alloc(&f))
        || part_add(p, "scenario", PART_TEXT, text, strlen(text)) != 0
        || part_add(p, "axes", PART_TEXT, axes, strlen(axes)) != 0
        || part_add(p, "cells", PART_F64, r->cells + from * r->n_out,
                    count * r->n_out * CELL_VALUES) != 0
        || part_add(p, "weighted", PART_U64, &w, 1) != 0)
        goto end;
    *out = p;
    p = NULL;
    rc = 0;
end:
    part_free(p);
    free(text);
    free(axes);
    free(job);
    return rc;
}

int sweeppart_take(const part *p, const char *label, sweep_result *r,
                   diag *d)
{
    const part_info *f = part_get_info(p);
    size_t nv = 0, nw = 0;
    const double *cells = part_find(p, "cells", PART_F64, &nv);
    const uint64_t *w = part_find(p, "weighted", PART_U64, &nw);
    if (!cells || !w || nw != 1 || f->units != r->n_points
        || f->count > r->n_points || f->first > r->n_points - f->count
        || nv != f->count * r->n_out * CELL_VALUES) {
        diag_add(d, label, 0, NULL, "malformed part file (cells)");
        return NCG_ERR_IO;
    }
    if (nv)
        memcpy(r->cells + f->first * r->n_out, cells, nv * sizeof *cells);
    r->weighted |= w[0] != 0;
    return 0;
}

int sweeppart_result(const part *p, const char *label, scenario *sc,
                     model *m, sweep_result **out, diag *d)
{
    sweep_result *r = calloc(1, sizeof *r);
    size_t n = 0;
    const char *axes = part_find(p, "axes", PART_TEXT, &n);
    char line[512], err[512];
    *out = NULL;
    if (!r) {
        model_free(m);
        scenario_free(sc);
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    r->sc = sc;
    r->m = m;
    r->n_points = 1;
    /* One axis a line: PATH=FROM:TO:STEP, as --vary gave it. */
    for (size_t at = 0; axes && at < n && r->n_axes < 2;) {
        const char *nl = memchr(axes + at, '\n', n - at);
        size_t len = nl ? (size_t)(nl - (axes + at)) : n - at;
        if (!nl || len >= sizeof line)
            break;
        memcpy(line, axes + at, len);
        line[len] = '\0';
        if (sweep_parse_axis(line, &r->axes[r->n_axes], err, sizeof err) != 0)
            break;
        r->n_points *= r->axes[r->n_axes++].n;
        at += len + 1;
        if (at == n)
            axes = NULL;    /* every line read */
    }
    if (axes || r->n_axes == 0 || r->n_points != part_get_info(p)->units) {
        diag_add(d, label, 0, NULL, "malformed part file (axes)");
        sweep_result_free(r);
        return NCG_ERR_IO;
    }
    r->n_out = m->n_outputs;
    r->trials = sc->sim.trials;
    if (!(r->cells = calloc(r->n_points * r->n_out + 1, sizeof *r->cells))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        sweep_result_free(r);
        return NCG_ERR_NOMEM;
    }
    *out = r;
    return 0;
}
