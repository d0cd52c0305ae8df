/* table.h: a CSV file with a header row read whole, as named columns of text cells. */
#ifndef NCG_TABLE_H
#define NCG_TABLE_H

#include <stddef.h>
#include "base/diag.h"

/* A CSV file read whole (RFC 4180: quoted fields with "" for a quote, CR
 * LF or LF line ends; blank lines skipped). Every string points into TEXT. */
typedef struct table {
    char *path;      /* as given (owned) */
    char *text;      /* the file, cut into NUL-terminated fields (owned) */
    size_t ncol;     /* header fields */
    size_t nrow;     /* data rows (the header not counted) */
    char **name;     /* ncol header fields (owned array) */
    char **cell;     /* nrow * ncol fields, row-major (owned array) */
    int *line;       /* per data row: its line in the file (owned) */
} table;

/* Reads PATH into T. Every row must have as many fields as the header.
 * Returns 0, or NCG_ERR_IO with "PATH: cannot read: why" or
 * "PATH:LINE: N fields where the header has M" in D (T is then empty). */
int table_read(const char *path, table *t, diag *d);
/* The same, skipping lines that start with '#' (comments, as in an
 * outcomes file). */
int table_read_commented(const char *path, table *t, diag *d);

/* Frees T's contents; the struct is the caller's. Safe on a zeroed T. */
void table_free(table *t);

/* Cell (R, C). */
const char *table_cell(const table *t, size_t r, size_t c);

/* The column named NAME, or -1. */
long table_find(const table *t, const char *name);

#endif
