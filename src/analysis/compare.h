/* compare.h: side-by-side results of several scenarios, with paired differences. */
#ifndef NCG_COMPARE_H
#define NCG_COMPARE_H

#include <stdio.h>
#include "base/diag.h"
#include "run/engine.h"
#include "scenario/scenario.h"

/* The last-step summaries of every scenario of a batch, kept after each
 * scenario's full results are freed. */
typedef struct compare compare;

compare *compare_alloc(void);
void compare_free(compare *c);

/* Adds the results R of scenario S. The first scenario added is the
 * reference. PAIRED is 1 when R was run in lockstep with the reference
 * (R's diff fields then hold paired differences). 0 or -1 (out of memory). */
int compare_add(compare *c, const engine_result *r, const scenario *s,
                int paired);
/* Number of scenarios added. */
size_t compare_count(const compare *c);

/* Writes compare.csv and scenarios.csv into DIR (the temporary folder of
 * OUT/compare, see output_begin: the scenarios' folders are named
 * relative to it, ../<name>). Returns 0 or NCG_EXIT_IO with a message in
 * D. */
int compare_write(const compare *c, const char *dir, diag *d);

/* The largest 95% half-width (1.96 se) over every event probability and
 * every paired difference of an event from the reference; 0 when there is
 * no event. */
double compare_max_halfwidth(const compare *c);

/* Prints a table of every output (rows) by scenario (columns) to OUT, with
 * differences from the reference marked when their 95% interval excludes 0. */
void compare_table(const compare *c, FILE *out);

#endif
