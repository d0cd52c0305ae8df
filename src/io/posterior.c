/* posterior.c: posterior.csv and posterior_density.csv, what the record taught a conditioned run about its random params. */
#include "io/posterior.h"

#include <math.h>
#include <stdlib.h>
#include "base/ncgsim.h"
#include "base/status.h"
#include "io/output.h"

double posterior_moved(const engine_result *r, size_t j)
{
    double sd = sqrt(stats_moments_var(&r->prior[j]));
    return sd > 0.0 ? fabs(r->post[j].mean - r->prior[j].mean) / sd : 0.0;
}

/* Random-param indices of R, most moved first (ties in file order). */
static size_t *posterior_order(const engine_result *r)
{
    size_t n = r->m->n_random_params;
    size_t *idx = calloc(n + 1, sizeof *idx);
    if (!idx)
        return NULL;
    /* Insertion sort: a stable order, and models have few params. */
    for (size_t i = 0; i < n; i++) {
        size_t k = i;
        double mi = posterior_moved(r, i);
        while (k > 0 && posterior_moved(r, idx[k - 1]) < mi) {
            idx[k] = idx[k - 1];
            k--;
        }
        idx[k] = i;
    }
    return idx;
}

/* mean,sd,p05,p50,p95 of one side: moments M and histogram H. */
static void posterior_side(FILE *f, const stats_moments *m,
                           const stats_hist *h)
{
    static const double ps[] = { 0.05, 0.50, 0.95 };
    fprintf(f, ",%.10g,%.10g", m->mean, sqrt(stats_moments_var(m)));
    for (size_t q = 0; q < 3; q++)
        fprintf(f, ",%.10g", h ? stats_hist_quantile(h, ps[q]) : NAN);
}

/* The density of H in at most POSTERIOR_BINS bins, as rows of
 * posterior_density.csv labelled NAME and WHICH. */
static void posterior_density(FILE *f, const char *name, const char *which,
                              const stats_hist *h)
{
    stats_bin bins[POSTERIOR_BINS];
    size_t nb = h ? stats_hist_coarse(h, bins, POSTERIOR_BINS) : 0;
    double total = h ? stats_hist_weight(h) : 0.0;
    for (size_t b = 0; b < nb && total > 0.0; b++) {
        double share = bins[b].weight / total, w = bins[b].hi - bins[b].lo;
        /* A bin of one value (a discrete param) shows its probability. */
        fprintf(f, "%s,%s,%.10g,%.10g,%.10g\n", name, which, bins[b].lo,
                bins[b].hi, w > 0.0 ? share / w : share);
    }
}

int posterior_write(const engine_result *r, const char *dir, diag *d)
{
    const model *m = r->m;
    size_t *idx = NULL;
    FILE *f = NULL;
    int rc = NCG_ERR_IO;
    if (!r->weighted || !r->prior)
        return 0;
    if (!(idx = posterior_order(r))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    if (!(f = output_open(dir, "posterior.csv", d)))
        goto end;
    fputs("param,moved,prior_mean,prior_sd,prior_p05,prior_p50,prior_p95,"
          "post_mean,post_sd,post_p05,post_p50,post_p95,ess,label\n", f);
    for (size_t k = 0; k < m->n_random_params; k++) {
        size_t j = idx[k];
        const model_var *v = &m->vars[m->random_params[j]];
        fprintf(f, "%s,%.10g", v->name, posterior_moved(r, j));
        posterior_side(f, &r->prior[j], r->prior_hist[j]);
        posterior_side(f, &r->post[j], r->post_hist[j]);
        fprintf(f, ",%.10g,", engine_ess(r));
        output_csv_string(f, v->label);
        fputc('\n', f);
    }
    if ((rc = output_close(f, dir, "posterior.csv", d)) != 0)
        goto end;
    rc = NCG_ERR_IO;
    if (!(f = output_open(dir, "posterior_density.csv", d)))
        goto end;
    fputs("param,which,x_lo,x_hi,density\n", f);
    for (size_t k = 0; k < m->n_random_params && k < POSTERIOR_PLOT_MAX; k++) {
        size_t j = idx[k];
        const char *name = m->vars[m->random_params[j]].name;
        posterior_density(f, name, "prior", r->prior_hist[j]);
        posterior_density(f, name, "posterior", r->post_hist[j]);
    }
    rc = output_close(f, dir, "posterior_density.csv", d);
end:
    free(idx);
    return rc;
}
