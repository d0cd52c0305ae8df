/* merge_discover.c: the parts of `discover --shard` (a scenario's trials' rows) put together and the boxes found. */
#include "cli/merge.h"

#include <stdlib.h>
#include "analysis/discoverpart.h"
#include "base/status.h"
#include "cli/publish.h"

int merge_discover(part *const *parts, const char *const *labels, size_t n,
                   const merge_opts *o, diag *d)
{
    size_t *order = NULL;
    scenario *sc = NULL;
    model *m = NULL;
    double *rows = NULL;
    discover_src s = { 0 };
    discoverpart_job j = { 0 };
    int rc = merge_begin(parts, labels, n, &order, &sc, &m, d);
    if (rc != 0 || (rc = discoverpart_job_read(parts[order[0]],
                                               labels[order[0]], &j, d)) != 0)
        goto end;
    uint64_t trials = sc->sim.trials;
    size_t cols = discover_model_cols(m);
    if (!(rows = malloc(((size_t)trials * cols + 1) * sizeof *rows))) {
        diag_add(d, NULL, 0, NULL, "out of memory (%llu trials x %zu "
                 "columns)", (unsigned long long)trials, cols);
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = discoverpart_take(parts[order[i]], labels[order[i]], trials,
                               cols, rows, d);
    if (rc != 0)
        goto end;
    if (discover_from_model(&s, j.source, m, (size_t)trials, rows) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    rc = publish_discovery(&s, &j, sc, m, o->out, o->quiet, o->no_plots, d);
end:
    discover_src_free(&s);
    discoverpart_job_clear(&j);
    free(rows);
    model_free(m);
    scenario_free(sc);
    free(order);
    return rc;
}
