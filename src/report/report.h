/* report.h: a batch's briefing, one self-contained HTML file (OUT/report.html). */
#ifndef NCG_REPORT_H
#define NCG_REPORT_H

#include "base/diag.h"

typedef struct report_opts {
    const char *command;  /* the command line that made the batch, shown
                             under Method; NULL when not known */
    int quiet;            /* 1: no line on stdout saying where it went */
    int procs;            /* gnuplot processes a folder's charts are
                             shared out among (0 or 1: one) */
} report_opts;

/* Writes OUT/report.html for the results in OUT: the comparison
 * (OUT/compare: compare.csv, scenarios.csv) and every scenario folder it
 * lists, or, without a comparison, the one scenario folder in OUT. The
 * page holds, in order: the question and the answer (headline table with
 * paired differences from the reference, events in words on the ICD 203
 * scale), what each scenario assumes (its settings against the
 * reference's), charts drawn as SVG by the plot back end and inlined, the
 * method (trials, seed, sampler, model hash, commands, Monte Carlo error)
 * and the sources cited. The file is written into a temporary folder in
 * OUT and renamed into place when complete. Returns 0, NCG_ERR_IO (a
 * file cannot be read or written; OUT is not a result folder) or
 * NCG_ERR_SCENARIO (a resolved.cfg is wrong), with messages in D. */
int report_write(const char *out, const report_opts *o, diag *d);

#endif
