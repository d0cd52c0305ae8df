/* discover_plot.h: gnuplot charts of scenario discovery (trade-off, box limits, scatter) and of policy robustness (regret, satisficing). */
#ifndef NCG_DISCOVER_PLOT_H
#define NCG_DISCOVER_PLOT_H

#include "analysis/discover.h"
#include "analysis/robust.h"
#include "base/diag.h"

/* Writes DIR/discover.gp (and the small data files it reads) and runs
 * gnuplot on it: tradeoff.png (coverage against density of every box of
 * each trajectory, coloured by restricted dimensions, the chosen boxes
 * ringed), limits.png (the chosen box of the first sequence against each
 * restricted input's range, with quasi-p-values) and scatter.png (the two
 * most significant restricted inputs, cases of interest marked, the box
 * drawn). 0, or -1 when gnuplot is missing or fails (the script stays). */
int discover_plot(const discover_result *r, const char *dir, diag *d);

/* Writes DIR/robust.gp and runs it: regret.png (per outcome, each
 * policy's mean regret as a bar and its 90th percentile as a mark) and,
 * with conditions, satisficing.png (each policy's share of trials meeting
 * each condition, with 95% intervals). 0 or -1 as above. */
int discover_plot_robust(const robust_result *r, const char *dir, diag *d);

#endif
