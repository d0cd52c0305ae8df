/* merge_sensitivity.c: the parts of `sensitivity --shard` put together into the sensitivity's folder. */
#include "cli/merge.h"

#include <stdlib.h>
#include "analysis/sens.h"
#include "analysis/senspart.h"
#include "base/status.h"
#include "cli/publish.h"

int merge_sensitivity(part *const *parts, const char *const *labels,
                      size_t n, const merge_opts *o, diag *d)
{
    size_t *order = NULL;
    const char **names = NULL;
    sens_result *r = NULL;
    scenario *sc = NULL;
    model *m = NULL;
    sens_opts so;
    int set_trials = 0;
    int rc = merge_begin(parts, labels, n, &order, &sc, &m, d);
    if (rc != 0 || (rc = sens_part_options(parts[order[0]], labels[order[0]],
                                           m, &so, &names, &set_trials,
                                           d)) != 0)
        goto end;
    so.threads = o->threads;
    /* The result takes the scenario and the model over. */
    rc = sens_prepare_loaded(&so, sc, m, &r, d);
    sc = NULL;
    m = NULL;
    for (size_t j = 0; j < n && rc == 0; j++)
        rc = sens_part_fold(r, parts[order[j]], labels[order[j]], d);
    if (rc == 0 && (rc = sens_finish(r, d)) == 0) {
        sens_publish po = { o->out ? o->out : "results", o->format, o->quiet,
                            o->no_plots, 5, set_trials, -1.0 };
        rc = publish_sensitivity(r, &po, d);
    }
end:
    model_free(m);
    scenario_free(sc);
    sens_result_free(r);
    free(names);
    free(order);
    return rc;
}
