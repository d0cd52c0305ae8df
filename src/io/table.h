/* table.h: a CSV file read whole, its columns found by header name. */
#ifndef NCG_TABLE_H
#define NCG_TABLE_H

#include <stddef.h>
#include "base/diag.h"

/* A CSV file (RFC 4180: quoted fields with "" for a quote may hold commas
 * and line breaks) held in memory. Row 0 is the header; rows 1 .. n_rows
 * are the data. Lines starting with '#' before the header are comments. */
typedef struct table table;

/* Reads PATH. Returns the table, or NULL with "PATH: cannot read: why",
 * "PATH:LINE: N fields where the header has M" or "PATH: empty file" in D.
 * The caller frees it with table_free. */
table *table_read(const char *path, diag *d);
/* table_free(NULL) does nothing. */
void table_free(table *t);

/* Number of data rows (the header not counted). */
size_t table_rows(const table *t);
/* The index of the column whose header is NAME, or -1 when there is none
 * (a file written before the column existed). */
int table_col(const table *t, const char *name);
/* The field of data row R (0-based, < table_rows) in column C; "" when C
 * is -1. Borrowed: valid until table_free. */
const char *table_get(const table *t, size_t r, int c);
/* The same as a number; NAN when the field is empty, not a number, or C
 * is -1. */
double table_num(const table *t, size_t r, int c);

#endif
