/* merge_sweep.c: the parts of `sweep --shard` put together into the sweep's folder. */
#include "cli/merge.h"

#include <stdlib.h>
#include "analysis/sweeppart.h"
#include "base/status.h"
#include "cli/publish.h"

int merge_sweep(part *const *parts, const char *const *labels, size_t n,
                const merge_opts *o, diag *d)
{
    size_t *order = NULL;
    sweep_result *r = NULL;
    scenario *sc = NULL;
    model *m = NULL;
    int rc = merge_begin(parts, labels, n, &order, &sc, &m, d);
    if (rc != 0) {
        model_free(m);
        scenario_free(sc);
        goto end;
    }
    if ((rc = sweeppart_result(parts[order[0]], labels[order[0]], sc, m, &r,
                               d)) != 0)
        goto end;
    for (size_t j = 0; j < n && rc == 0; j++)
        rc = sweeppart_take(parts[order[j]], labels[order[j]], r, d);
    if (rc == 0)
        rc = publish_sweep(r, o->out ? o->out : "results", o->format, NULL, 0,
                           o->quiet, o->no_plots, d);
end:
    sweep_result_free(r);
    free(order);
    return rc;
}
