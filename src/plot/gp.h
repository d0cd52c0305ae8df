/* gp.h: the plot module's one gnuplot back end: scripts that redraw their chart from the folder they sit in, the shared style, running gnuplot and checking what it drew. */
#ifndef NCG_GP_H
#define NCG_GP_H

#include <stdint.h>
#include <stdio.h>
#include "base/diag.h"
#include "plot/plot.h"

/* The most characters of a title line that fit across a plot. */
enum { GP_TITLE_MAX = 95 };

/* The scripts of one folder being written, then drawn. */
typedef struct gp_job {
    const char *dir;  /* the folder (borrowed) */
    const char *name; /* the folder in messages (borrowed; default DIR) */
    const char *ext;  /* "png", "svg" or "pdf" */
    int styled;       /* 1: DIR/style.gp was written (a copy of the style) */
    FILE *all;        /* all.gp, open while scripts are added */
    char **stems;     /* the scripts' names without ".gp" (owned) */
    size_t nplots;    /* scripts written */
    int failed;       /* a file could not be written (message in D) */
    int scripts_only; /* 1: gp_job_end writes all.gp and draws nothing */
    int procs;        /* gnuplot processes drawing at once (0 or 1: one) */
    diag *d;
} gp_job;

/* Starts a job writing into DIR: copies the plot style into DIR/style.gp
 * (so that the folder redraws wherever it is copied) and opens all.gp.
 * FORMAT is "png", "svg" or "pdf" (NULL: png). 0, or -1 with a message. */
int gp_job_begin(gp_job *j, const char *dir, const char *format, diag *d);
/* Opens DIR/STEM.gp for a W x H chart, writes its preamble (its folder,
 * the terminal of the format chosen, the style, the output file
 * STEM.<format>) and lists it in all.gp. PURPOSE is the script's one-line
 * description. NULL with a message (J then fails). */
FILE *gp_script_open(gp_job *j, const char *stem, const char *purpose, int w,
                     int h);
/* Finishes script F of STEM (closes its output, so that the image is
 * complete when all.gp goes on with the next script). */
void gp_script_close(gp_job *j, FILE *f, const char *stem);
/* Closes all.gp, runs gnuplot on it in DIR (or on its scripts shared out
 * among J->procs processes) and checks every image; an image missing or
 * incomplete (a full disk) is removed. With J->scripts_only, draws
 * nothing (RES counts the scripts). Fills RES (which may be NULL) and
 * frees J's memory. 0, or NCG_ERR_IO with a message
 * naming what failed; gnuplot missing from PATH is 0 with RES->no_gnuplot
 * set and one note per process on stderr. */
int gp_job_end(gp_job *j, plot_result *res);

/* gp_job_begin for a command's charts: O's format, O's name for DIR in
 * messages, O's scripts_only and procs (O may be NULL). 0, or NCG_ERR_IO
 * with a message in D. */
int gp_charts_begin(gp_job *j, const char *dir, const plot_opts *o, diag *d);
/* gp_job_end adding to O's result (when O gives one) and, unless O is
 * quiet, printing "  plots: NAME/ (N EXT files)" for what it drew. */
int gp_charts_end(gp_job *j, const plot_opts *o);

/* Runs `gnuplot -e ncg_format='FORMAT' all.gp` in DIR (scripts already
 * there, the style copied again; with PROCS above 1, the scripts all.gp
 * calls shared out among that many processes) and checks the images of
 * the scripts all.gp calls; as gp_job_end. NAME: DIR in messages. */
int gp_redraw(const char *dir, const char *name, const char *format,
              int procs, plot_result *res, diag *d);

/* Writes S as a gnuplot string expression in which gnuplot expands
 * nothing, cut to MAX characters with an ellipsis (SIZE_MAX: whole). */
void gp_quote_max(FILE *f, const char *s, size_t max);
/* S in full as a gnuplot string expression (see gp_quote_max). */
void gp_quote(FILE *f, const char *s);
/* "LABEL (UNIT)", or LABEL alone when UNIT is empty, as a quoted string. */
void gp_label_unit(FILE *f, const char *label, const char *unit);
/* `set title` with a first line FIRST and, when SECOND is not NULL, a
 * second line; enhanced-text markup off (both come from scenario files). */
void gp_title(FILE *f, const char *first, const char *second);

/* `set format AXIS '%.Nf'` for tics over [LO, HI]: fixed notation (never
 * gnuplot's 1e+06 or 5e-05) with the decimals (numfmt_tic_decimals) that
 * tell apart tics about a tenth of the span apart. A span of 0 or NaN
 * gets the decimals of a span of a fifth of the value (or of 1). */
void gp_axis_format(FILE *f, const char *axis, double lo, double hi);

/* Sets the range of an axis of values between LO and HI when gnuplot's
 * autoscaling would fail or mislead (a constant gets a range around it,
 * a tenth of its size or 1 either side), and its tic format
 * (gp_axis_format). */
void gp_flat_range(FILE *f, const char *axis, double lo, double hi);
/* `set AXISrange` for values in [LO, HI] that respects their scale: when
 * the data span less than a fifth of their largest magnitude, the axis
 * spans that much, centred on the data, but does not cross 0 when the
 * data do not; otherwise as gp_flat_range. With its tic format. */
void gp_scale_range(FILE *f, const char *axis, double lo, double hi);
/* 1 when the unit UNIT ends with a scale "MIN-MAX" (as "index 0-100"),
 * with its ends in *MIN and *MAX; 0 otherwise. */
int gp_unit_bounds(const char *unit, double *min, double *max);
/* As gp_scale_range (narrow spans) or the values with 5% room (wide ones),
 * for a quantity on the scale [MIN, MAX]: tics only inside the scale. */
void gp_bounded_range(FILE *f, const char *axis, double lo, double hi,
                      double min, double max);
/* The same for probabilities in [LO, HI]: never outside [0, 1]; NaN ends
 * give [0, 1]. */
void gp_prob_range(FILE *f, const char *axis, double lo, double hi);

/* gnuplot functions `fixed(x, se)`: X in fixed notation with the
 * decimals of its standard error SE (numfmt_decimals in gnuplot: 0 to
 * 6); an exact X (SE 0) shows a whole number as it is and any other to 4
 * significant digits. Write it into a script before using it. */
extern const char gp_fixed_fn[];

/* 0 when the file at PATH is a complete image of format EXT (PNG: ends
 * with its IEND chunk; SVG: its closing </svg> tag; PDF: %%EOF at the
 * end); -1 with *WHY saying what is wrong. */
int gp_image_complete(const char *path, const char *ext, const char **why);

#endif
