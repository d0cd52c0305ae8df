/* render.h: drawing the plots of several result folders at once, each in
 * its own gnuplot process. */
#ifndef NCG_RENDER_H
#define NCG_RENDER_H

#include <stddef.h>
#include "base/diag.h"

/* How plot_render_dirs draws. */
typedef struct plot_render_opts {
    const char *format; /* "png", "svg" or "pdf"; NULL means "png" */
    int threads;        /* folders drawn at once (>= 1) */
    int quiet;          /* 1: no "plots: ... drawn" line on stdout */
    int optional;       /* 1: a failure is a warning on stderr and 0 is
                         * returned (after a run the data is what counts) */
} plot_render_opts;

/* Draws the plots of the N result folders DIRS (IS_CMP[i]: DIRS[i] is a
 * comparison folder, drawn with plot_compare, else plot_scenario). Up to
 * O->threads folders render at once, each in a child process that reports
 * its own errors on stderr; comparison folders go last, since they read
 * the scenario folders. Returns 0 or NCG_EXIT_IO with a message in D. */
int plot_render_dirs(char *const *dirs, const int *is_cmp, size_t n,
                     const plot_render_opts *o, diag *d);

#endif
