/* discoverpart.c: a shard of `discover` on a scenario (its trials' rows) as a part, with what decides its boxes. */
#include "analysis/discoverpart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/status.h"
#include "io/output.h"
#include "io/runpart.h"
#include "run/engine.h"

void discoverpart_trials(uint64_t trials, uint64_t first, uint64_t count,
                         uint64_t *t0, uint64_t *n)
{
    uint64_t a = first * ENGINE_CHUNK_TRIALS;
    uint64_t b = (first + count) * ENGINE_CHUNK_TRIALS;
    a = a < trials ? a : trials;
    b = b < trials ? b : trials;
    *t0 = a;
    *n = b - a;
}

/* The numbers of J as stored: "prim" and "opts". */
static void job_numbers(const discoverpart_job *j, double pv[3],
                        uint64_t opts[6])
{
    pv[0] = j->prim.peel_alpha;
    pv[1] = j->prim.paste_alpha;
    pv[2] = j->prim.mass_min;
    opts[0] = (uint64_t)j->prim.obj;
    opts[1] = j->boxes;
    opts[2] = (uint64_t)(j->pick + 1);
    opts[3] = j->resample;
    opts[4] = j->seed;
    opts[5] = j->inputs != NULL;
}

/* The hash that ties the parts of one discovery together: the model and
 * every option, exactly. */
static uint64_t job_hash(const discoverpart_job *j, uint64_t model_hash)
{
    double pv[3];
    uint64_t opts[6];
    char *buf = NULL;
    size_t len = 0;
    uint64_t h = 0;
    job_numbers(j, pv, opts);
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return 0;
    fprintf(f, "discover %016llx\n%s\n%s\n%s\n%a %a %a", (unsigned long long)
            model_hash, j->source, j->case_expr, j->inputs ? j->inputs : "",
            pv[0], pv[1], pv[2]);
    for (size_t i = 0; i < 6; i++)
        fprintf(f, " %llu", (unsigned long long)opts[i]);
    if (fclose(f) == 0)
        h = output_hash(buf);
    free(buf);
    return h;
}

int discoverpart_build(const discoverpart_job *j, const scenario *sc,
                       size_t cols, const double *rows, uint32_t i,
                       uint32_t k, part **out)
{
    part_info f;
    char *text = scenario_text(sc);
    double pv[3];
    uint64_t opts[6], t0, n;
    part *p = NULL;
    *out = NULL;
    if (!text)
        return NCG_ERR_NOMEM;
    runpart_info(&f, "discover", sc, text, i, k);
    f.job = job_hash(j, f.model_hash);
    discoverpart_trials(f.trials, f.first, f.count, &t0, &n);
    job_numbers(j, pv, opts);
    int bad = !(p = part_alloc(&f))
              || part_add(p, "scenario", PART_TEXT, text, strlen(text))
              || part_add(p, "source", PART_TEXT, j->source, strlen(j->source))
              || part_add(p, "case", PART_TEXT, j->case_expr,
                          strlen(j->case_expr))
              || (j->inputs && part_add(p, "inputs", PART_TEXT, j->inputs,
                                        strlen(j->inputs)))
              || part_add(p, "prim", PART_F64, pv, 3)
              || part_add(p, "opts", PART_U64, opts, 6)
              || part_add(p, "rows", PART_F64, rows, (size_t)n * cols);
    free(text);
    if (bad) {
        part_free(p);
        return NCG_ERR_NOMEM;
    }
    *out = p;
    return 0;
}

int discoverpart_job_read(const part *p, const char *label,
                          discoverpart_job *j, diag *d)
{
    static const char *const names[] = { "source", "case", "inputs" };
    const char *text[3];
    size_t np = 0, no = 0;
    memset(j, 0, sizeof *j);
    if (part_texts(p, names, 3, &j->mem, text, NULL) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    const double *pv = part_find(p, "prim", PART_F64, &np);
    const uint64_t *opts = part_find(p, "opts", PART_U64, &no);
    j->source = text[0];
    j->case_expr = text[1];
    j->inputs = text[2];
    if (!j->source || !j->case_expr || !pv || np != 3 || !opts || no != 6
        || opts[0] > PRIM_ORIGINAL || (opts[5] != 0) != (j->inputs != NULL)) {
        diag_add(d, label, 0, NULL, "malformed part file (options)");
        discoverpart_job_clear(j);
        return NCG_ERR_IO;
    }
    j->prim = (prim_opts){ pv[0], pv[1], pv[2], (prim_obj)opts[0] };
    j->boxes = (size_t)opts[1];
    j->pick = (long)opts[2] - 1;
    j->resample = (unsigned)opts[3];
    j->seed = opts[4];
    return 0;
}

void discoverpart_job_clear(discoverpart_job *j)
{
    free(j->mem);
    memset(j, 0, sizeof *j);
}

int discoverpart_take(const part *p, const char *label, uint64_t trials,
                      size_t cols, double *rows, diag *d)
{
    const part_info *f = part_get_info(p);
    uint64_t t0, n;
    size_t nv = 0;
    const double *v = part_find(p, "rows", PART_F64, &nv);
    discoverpart_trials(trials, f->first, f->count, &t0, &n);
    if (!v || f->trials != trials || nv != n * cols) {
        diag_add(d, label, 0, NULL, "malformed part file (rows)");
        return NCG_ERR_IO;
    }
    if (nv)
        memcpy(rows + t0 * cols, v, nv * sizeof *v);
    return 0;
}
