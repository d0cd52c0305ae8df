/* plot.h: gnuplot plots of a scenario's result folder and of a comparison folder. */
#ifndef NCG_PLOT_H
#define NCG_PLOT_H

#include "base/diag.h"

/* Variables that get charts of their own (dist, fan, event, cdf, diff)
 * by default; the overview and the events chart show every one. */
#define PLOT_MAX_VARS 100

/* What was drawn, added up over calls. */
typedef struct plot_result {
    size_t scripts;       /* scripts written */
    size_t drawn;         /* images drawn and checked complete */
    size_t vars_skipped;  /* variables past the cap, without own charts */
    int no_gnuplot;       /* 1: gnuplot is not on PATH; scripts only */
} plot_result;

/* How to draw. */
typedef struct plot_opts {
    const char *format; /* "png", "svg" or "pdf"; NULL means "png" */
    int quiet;          /* 1: no line on stdout saying where the plots went */
    size_t max_vars;    /* variables with charts of their own; 0: the
                           NCGSIM_MAX_PLOTS setting, else PLOT_MAX_VARS */
    const char *name;   /* the folder in messages (its final name while
                           drawing in a temporary folder); NULL: DIR */
    plot_result *result;/* where to add what was drawn, or NULL */
    int scripts_only;   /* 1: write the scripts (and all.gp), draw nothing;
                           `gnuplot all.gp` or plot_redraw_folder draws
                           them later */
    int procs;          /* gnuplot processes the charts are shared out
                           among (the scripts in turn); 0 or 1: one */
} plot_opts;

/* Writes a gnuplot script per plot into DIR, a scenario's result folder
 * (summary.csv, timeseries.csv, histograms.csv, events.csv, resolved.cfg),
 * plus all.gp that draws them all, and runs gnuplot once on all.gp:
 * dist_<var>, fan_<var> per numeric output, event_<var> per event, and
 * overview. Each script redraws its plot alone from any folder. Anything
 * gnuplot prints is reported on stderr as a warning. Returns 0, or
 * NCG_ERR_IO with a message in D when a file cannot be read or written or
 * gnuplot fails (NCG_ERR_USAGE when O's format is not plot_format_ok);
 * gnuplot missing from PATH is not an error (the scripts are written and
 * one note per process on stderr says how to install it). Not thread-safe
 * (the once-per-process notes). */
int plot_scenario(const char *dir, const plot_opts *o, diag *d);

/* The same for a comparison folder DIR (compare.csv, scenarios.csv, whose
 * folders, relative to DIR, hold the scenarios' results): cdf_<var> and
 * fan_<var> per numeric output, diff_<var> per output and events. Call it
 * after the scenarios' folders are in place. Returns as plot_scenario. */
int plot_compare(const char *dir, const plot_opts *o, diag *d);

/* What a folder on disk holds, for plot_redraw_folder. */
enum { PLOT_NONE, PLOT_SCENARIO, PLOT_COMPARE, PLOT_SENSITIVITY, PLOT_SWEEP,
       PLOT_DISCOVER, PLOT_SCORE, PLOT_SCRIPTS };
/* The kind of the result folder DIR, by the file that only that command
 * writes: PLOT_COMPARE (compare.csv), PLOT_SCENARIO (summary.csv),
 * PLOT_SENSITIVITY (sensitivity.csv), PLOT_SWEEP (sweep.csv),
 * PLOT_DISCOVER (discovery.csv), PLOT_SCORE (reliability.csv),
 * PLOT_SCRIPTS (robust.csv: charts of the .dat files their scripts read)
 * or PLOT_NONE. */
int plot_folder_kind(const char *dir);

/* Redraws the result folder PATH of any command (`ncgsim plot`) through
 * the result-folder writer: refused, touching nothing, when PATH holds a
 * file ncgsim did not write; the data is carried into a temporary folder,
 * the charts are drawn there in O's format with the current style
 * (their scripts written again from the folder's CSV files, as the
 * command that made it writes them; a robustness folder's scripts run
 * again on their data files) and the folder replaces PATH
 * in one rename. Prints where the plots went unless O->quiet. 0, or
 * NCG_ERR_IO with a message ("no such folder", "not a result folder",
 * what failed while drawing: then the data and every image drawn whole
 * are still committed). */
int plot_redraw_folder(const char *path, const plot_opts *o, diag *d);

/* 1 when gnuplot is on PATH. */
int plot_gnuplot_found(void);

/* The reliability diagram of a score folder DIR (reliability.csv, see
 * analysis/score.h): reliability.png and its script. Returns as
 * plot_scenario. */
int plot_score(const char *dir, const plot_opts *o, diag *d);

/* 1 when FORMAT is "png", "svg" or "pdf", else 0. */
int plot_format_ok(const char *format);

#endif
