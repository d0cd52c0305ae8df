/* render.h: drawing the plots of several result folders at once, each in its own gnuplot process. */
#ifndef NCG_RENDER_H
#define NCG_RENDER_H

#include <stddef.h>
#include "base/diag.h"
#include "plot/plot.h"

/* One folder to draw. */
typedef struct plot_job {
    const char *dir;   /* the folder (borrowed): a temporary folder being
                          written (PLOT_SCENARIO, PLOT_COMPARE), or a result
                          folder on disk to redraw (PLOT_REDRAW) */
    const char *name;  /* its final name, for messages (borrowed) */
    int kind;          /* PLOT_SCENARIO, PLOT_COMPARE or PLOT_REDRAW */
    int after;         /* 1: start only when the jobs before it are done
                          (a comparison reads their folders); always so
                          for PLOT_COMPARE */
    plot_result res;   /* what was drawn (filled by plot_render_dirs) */
    int status;        /* 0, or the job's failure status */
} plot_job;

/* plot_job.kind for a folder redrawn with plot_redraw_folder. */
enum { PLOT_REDRAW = 100 };

/* How plot_render_dirs draws. */
typedef struct plot_render_opts {
    const char *format; /* "png", "svg" or "pdf"; NULL means "png" */
    int threads;        /* gnuplot processes at once (>= 1) */
    int scripts_only;   /* 1: write every folder's scripts, draw nothing
                           (one folder after another, in this process) */
} plot_render_opts;

/* Draws the N JOBS, up to O->threads at once, each in a child process
 * that reports its own errors on stderr (one at a time, in this process,
 * when gnuplot is missing, O->threads is 1 or O->scripts_only); comparison
 * folders start only when every folder before them is done, since they
 * read the scenario folders. A folder drawn alone (a single job, or a
 * comparison) shares its charts out among O->threads gnuplot processes;
 * fewer folders than O->threads share the rest. Fills each job's RES and STATUS. Prints nothing on
 * stdout. Returns 0, or NCG_ERR_IO when any job failed (a chart failure
 * is a failure whatever O->threads is), with a message in D. */
int plot_render_dirs(plot_job *jobs, size_t n, const plot_render_opts *o,
                     diag *d);

/* Prints "  plots: NAME/ (N FORMAT files)" for each job that drew
 * something, on stdout. */
void plot_render_report(const plot_job *jobs, size_t n, const char *format);

#endif
