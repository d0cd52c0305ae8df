/* posterior.h: posterior.csv, what the record taught a conditioned run about its random params. */
#ifndef NCG_POSTERIOR_H
#define NCG_POSTERIOR_H

#include "base/diag.h"
#include "run/engine.h"

/* Params drawn in the prior-against-posterior chart: the most moved. */
#define POSTERIOR_PLOT_MAX 4
/* Bins of each density in posterior_density.csv. */
#define POSTERIOR_BINS 40

/* How far the record moved random param J of R: |posterior mean - prior
 * mean| / prior sd (0 when the prior sd is 0). */
double posterior_moved(const engine_result *r, size_t j);

/* For a conditioned run R (R->weighted), writes DIR/posterior.csv: per
 * random param, prior and posterior mean, sd, 5/50/95% quantiles and
 * `moved`, most moved first; and DIR/posterior_density.csv: the prior and
 * posterior densities of the POSTERIOR_PLOT_MAX most moved params
 * (param,which,x_lo,x_hi,density), which the plots draw. Does nothing for
 * a run that is not weighted. 0, or NCG_ERR_IO with a message in D. */
int posterior_write(const engine_result *r, const char *dir, diag *d);

#endif
