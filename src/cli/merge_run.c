/* merge_run.c: the parts of `run --shard` folded into the run's result folders. */
#include "cli/merge.h"

#include <stdlib.h>
#include <string.h>
#include "base/status.h"
#include "cli/batch.h"
#include "io/runpart.h"
#include "run/engine.h"

/* Folds the parts of each scenario, in chunk order, into RES (one per
 * scenario, the job's order): ORDER lists the N parts by scenario and
 * shard. 0, or a status with a message. */
static int fold_all(part *const *parts, const char *const *labels,
                    const size_t *order, size_t n, model **ms, scenario **scs,
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
    /* ORDER begins each scenario's parts with its first shard. */
    for (size_t j = 0; j < n; j++) {
        const part_info *f = part_get_info(parts[order[j]]);
        int rc = f->shard == 1 ? merge_check(res[f->member],
                                              labels[order[j]], d) : 0;
        if (rc != 0)
            return rc;
    }
    return 0;
}

int merge_run(part *const *parts, const char *const *labels, size_t n,
              const merge_opts *o, diag *d)
{
    size_t members = 0, *order = calloc(n + 1, sizeof *order);
    scenario **scs = NULL;
    model **ms = NULL;
    engine_result **res = NULL;
    uint32_t ref = 0;
    int rc;
    if (!order) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    if ((rc = runpart_order(parts, labels, n, order, d)) != 0)
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
        if (scs[mb])
            continue;
        char *text = runpart_scenario_text(p, &ref);
        int has = text != NULL;
        free(text);
        if (!has) {
            diag_add(d, labels[order[j]], 0, NULL, "malformed part file (no "
                     "scenario)");
            rc = NCG_ERR_IO;
            goto end;
        }
        if ((rc = merge_load_scenario(p, labels[order[j]], &scs[mb], &ms[mb],
                                      d)) != 0)
            goto end;
    }
    if ((rc = fold_all(parts, labels, order, n, ms, scs, res, d)) != 0)
        goto end;
    batch_opts c;
    memset(&c, 0, sizeof c);
    c.out = o->out ? o->out : "results";
    c.format = o->format;
    c.threads = o->threads;
    c.quiet = o->quiet;
    c.plots = o->plots;
    c.given = res;
    rc = batch_run(scs, ms, members, ref < members ? ref : 0, &c,
                   BATCH_WRITE, NULL, d);
end:
    for (size_t i = 0; res && i < members; i++)
        engine_result_free(res[i]);
    free(res);
    batch_free_all(scs, ms, members);
    free(order);
    return rc;
}
