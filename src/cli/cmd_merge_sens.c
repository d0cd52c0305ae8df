/* cmd_merge_sens.c: `ncgsim merge` of the part files of `sensitivity --shard`. */
#include "cli/merge.h"

#include <stdlib.h>
#include "analysis/sens.h"
#include "analysis/senspart.h"
#include "cli/commands.h"

int merge_sensitivity(part *const *parts, char *const *labels,
                      const size_t *order, size_t n, const char *tmp,
                      const merge_out *o, diag *d)
{
    const part *p0 = parts[order[0]];
    const char *l0 = labels[order[0]], **names = NULL;
    scenario *sc = NULL;
    model *m = NULL;
    sens_result *r = NULL;
    sens_opts so;
    uint32_t ref = 0;
    int set_trials = 0;
    int rc = merge_load_member(p0, l0, tmp, &sc, &m, &ref, d);
    if (rc == 0 && (rc = sens_part_options(p0, l0, m, &so, &names,
                                           &set_trials, d)) == 0) {
        so.threads = o->threads;
        rc = sens_prepare_loaded(&so, sc, m, &r, d);
        sc = NULL;
        m = NULL;
    }
    for (size_t j = 0; rc == 0 && j < n; j++)
        rc = sens_part_fold(r, parts[order[j]], labels[order[j]], d);
    if (rc == 0 && (rc = sens_finish(r, d)) == 0) {
        sens_publish po = { o->out, o->format, o->quiet, o->no_plots, 5,
                            set_trials, -1.0 };
        rc = cmd_sensitivity_publish(r, &po, d);
    }
    model_free(m);
    scenario_free(sc);
    sens_result_free(r);
    free(names);
    return rc;
}
