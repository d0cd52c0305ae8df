/* num.h: the one way numbers given by the user (options, grid specs) are
 * read: whole strings only, exact, errno checked. */
#ifndef NCG_NUM_H
#define NCG_NUM_H

#include <stdint.h>

/* Reads S, decimal digits only (no sign, no spaces, no hex), into *OUT,
 * exactly from 0 to 2^64-1. Returns 0, or -1 (and leaves *OUT alone) when
 * S is empty, has any other character or is above 2^64-1. */
int num_parse_u64(const char *s, uint64_t *out);

/* Reads a whole number in [MIN, MAX] into *OUT: decimal digits, read
 * exactly up to 2^64-1, or a decimal or exponent form such as 1e6 or 2.5e3
 * whose value is a whole number no larger than 2^53 (above that a double
 * cannot say which whole number is meant: write the digits). No sign, no
 * spaces, no hex. Returns 0, or -1 and leaves *OUT alone. */
int num_parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Reads a finite decimal number (digits, point, exponent; a leading '-'
 * allowed; no hex, inf or nan, no spaces) from the whole of S into *OUT.
 * Returns 0, or -1 and leaves *OUT alone (also on overflow). */
int num_parse_double(const char *s, double *out);

#endif
