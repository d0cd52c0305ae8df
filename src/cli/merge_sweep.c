/* merge_sweep.c: the parts of `sweep --shard` put together into the sweep's folder. */
#include "cli/merge.h"

#include <stdlib.h>
#include "analysis/sweeppart.h"
#include "base/status.h"
#include "cli/publish.h"
#include "io/runpart.h"

int merge_sweep(part *const *parts, const char *const *labels, size_t n,
                const merge_opts *o, diag *d)
{
    size_t *order = calloc(n + 1, sizeof *order);
    sweep_result *r = NULL;
    scenario *sc = NULL;
    model *m = NULL;
    int rc;
    if (!order) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    if ((rc = runpart_order(parts, labels, n, order, d)) != 0
        || (rc = merge_load_scenario(parts[order[0]], labels[order[0]], &sc,
                                     &m, d)) != 0
        || (rc = sweeppart_result(parts[order[0]], labels[order[0]], sc, m,
                                  &r, d)) != 0)
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
