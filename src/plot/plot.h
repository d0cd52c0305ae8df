/* plot.h: gnuplot plots of a scenario's result folder and of a comparison folder. */
#ifndef NCG_PLOT_H
#define NCG_PLOT_H

#include "base/diag.h"

/* How to draw. */
typedef struct plot_opts {
    const char *format; /* "png", "svg" or "pdf"; NULL means "png" */
    int quiet;          /* 1: no line on stdout saying where the plots went */
} plot_opts;

/* Writes a gnuplot script per plot into DIR, a scenario's result folder
 * (summary.csv, timeseries.csv, histograms.csv, events.csv, resolved.cfg),
 * plus all.gp that draws them all, and runs gnuplot once on all.gp:
 * dist_<var>, fan_<var> per numeric output, event_<var> per event, and
 * overview. Each script redraws its plot alone from any folder. Anything
 * gnuplot prints is reported on stderr as a warning. Returns 0, or
 * NCG_EXIT_IO with a message in D when a file cannot be read or written or
 * gnuplot fails (NCG_EXIT_USAGE when O's format is not plot_format_ok);
 * gnuplot missing from PATH is not an error (the scripts are written and
 * one note per process on stderr says how to install it). Not thread-safe
 * (the once-per-process notes). */
int plot_scenario(const char *dir, const plot_opts *o, diag *d);

/* The same for a comparison folder DIR (compare.csv, scenarios.csv, whose
 * folders, relative to DIR, hold the scenarios' results): cdf_<var> and
 * fan_<var> per numeric output, diff_<var> per output and events. Call it
 * after the scenarios' folders are in place. Returns as plot_scenario. */
int plot_compare(const char *dir, const plot_opts *o, diag *d);

/* The reliability diagram of a score folder DIR (reliability.csv, see
 * analysis/score.h): reliability.png and its script. Returns as
 * plot_scenario. */
int plot_score(const char *dir, const plot_opts *o, diag *d);

/* 1 when FORMAT is "png", "svg" or "pdf", else 0. */
int plot_format_ok(const char *format);

#endif
