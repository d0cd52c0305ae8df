/* discover_plot.h: gnuplot charts of a scenario-discovery result (trade-off, box limits, scatter). */
#ifndef NCG_DISCOVER_PLOT_H
#define NCG_DISCOVER_PLOT_H

#include "analysis/discover.h"
#include "base/diag.h"
#include "plot/plot.h"

/* Writes into DIR, through the plot module's one back end (gp.h), the
 * scripts tradeoff.gp (coverage against density of every box of each
 * trajectory, coloured by restricted dimensions, the chosen boxes ringed),
 * limits.gp (the chosen box of the first sequence against each restricted
 * input's range, with quasi-p-values) and scatter.gp (the two most
 * significant restricted inputs, cases of interest marked, the box
 * drawn), the small data files they read, all.gp and style.gp; then draws
 * them in O's format. 0, or NCG_EXIT_IO with a message saying what failed
 * (gnuplot missing: 0, scripts only, O->result->no_gnuplot set). */
int discover_plot(const discover_result *r, const char *dir,
                  const plot_opts *o, diag *d);

#endif
