/* numfmt.h: numbers as analysts read them: fixed notation, rounded to what the Monte Carlo error supports. */
#ifndef NCG_NUMFMT_H
#define NCG_NUMFMT_H

#include <stddef.h>

/* Decimals that show an estimate with standard error SE to its first
 * uncertain digit: -floor(log10(SE)), clamped to [-15, 6]. A negative
 * count rounds to tens, hundreds, ... For SE 0 (exact) or not finite,
 * the decimals that show VALUE to 4 significant digits (at most 6). */
int numfmt_decimals(double value, double se);

/* Writes VALUE into BUF (N bytes) in fixed notation (never 1e+04 or
 * 5e-05) with numfmt_decimals(VALUE, SE) decimals, rounded to tens etc.
 * when that is negative; "-0" prints as "0". Values beyond 1e15 in size,
 * NaN and infinities print with %g. PLUS 1 puts a '+' before positive
 * numbers (differences). Returns BUF. */
char *numfmt_est(char *buf, size_t n, double value, double se, int plus);

/* Writes VALUE with D decimals (D < 0: rounded to 10^-D) in fixed
 * notation into BUF, as numfmt_est does. Returns BUF. */
char *numfmt_fixed(char *buf, size_t n, double value, int d, int plus);

/* Decimals for axis tics a distance STEP apart: enough to tell two tics
 * apart, never negative (0 to 6). */
int numfmt_tic_decimals(double step);

#endif
