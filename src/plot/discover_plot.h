/* discover_plot.h: gnuplot charts of scenario discovery (trade-off, box limits, scatter) and of policy robustness (regret, satisficing). */
#ifndef NCG_DISCOVER_PLOT_H
#define NCG_DISCOVER_PLOT_H

#include "analysis/discover.h"
#include "analysis/robust.h"
#include "base/diag.h"
#include "plot/plot.h"

/* Writes into DIR, through the plot module's one back end (gp.h), the
 * scripts tradeoff.gp (coverage against density of every box of each
 * trajectory, coloured by restricted dimensions, the chosen boxes ringed),
 * limits.gp (the chosen box of the first sequence against each restricted
 * input's range, with quasi-p-values) and scatter.gp (the two most
 * significant restricted inputs, cases of interest marked, the box
 * drawn), the small data files they read, all.gp and style.gp; then draws
 * them in O's format. 0, or NCG_ERR_IO with a message saying what failed
 * (gnuplot missing: 0, scripts only, O->result->no_gnuplot set). */
int discover_plot(const discover_result *r, const char *dir,
                  const plot_opts *o, diag *d);

/* The trade-off and limits charts, redrawn from the files of a discovery
 * folder DIR (discovery.csv and boxes.csv; the case of interest is not in
 * them, so the titles do not name it; no scatter: it needs every trial's
 * inputs), written and drawn in DIR. 0, or an ncg_status with a message
 * ("PATH: no column 'x'", a file that cannot be read, what failed while
 * drawing). */
int discover_plot_files(const char *dir, const plot_opts *o, diag *d);

/* The same for a robustness result: regret.gp (per outcome, each
 * policy's mean regret as a bar and its 90th percentile as a mark) and,
 * with conditions, satisficing.gp (each policy's share of trials meeting
 * each condition, with 95% intervals), with the data files regret.dat and
 * satisficing.dat. Returns as discover_plot. */
int discover_plot_robust(const robust_result *r, const char *dir,
                         const plot_opts *o, diag *d);

#endif
