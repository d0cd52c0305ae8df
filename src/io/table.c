/* table.c: a CSV file with a header row read whole, as named columns of text cells. */
#include "io/table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "base/status.h"

void table_free(table *t)
{
    free(t->path);
    free(t->text);
    free(t->name);
    free(t->cell);
    free(t->line);
    memset(t, 0, sizeof *t);
}

const char *table_cell(const table *t, size_t r, size_t c)
{
    return t->cell[r * t->ncol + c];
}

long table_find(const table *t, const char *name)
{
    for (size_t c = 0; c < t->ncol; c++)
        if (strcmp(t->name[c], name) == 0)
            return (long)c;
    return -1;
}

/* Reads all of F into a NUL-terminated buffer; NULL when out of memory. */
static char *slurp(FILE *f)
{
    size_t n = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (feof(f) || ferror(f))
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            return NULL;
        }
        buf = nb;
        cap *= 2;
    }
    if (buf)
        buf[n] = 0;
    return buf;
}

/* The field at *P, unquoted in place and NUL-terminated; *P moves past it
 * and *END gets what ended it: ',' for another field, '\n' for the end of
 * the row, 0 at the end of the text. *LINE counts line breaks crossed. */
static char *next_field(char **p, char *end, int *line)
{
    char *s = *p, *w = s, *start = s;
    if (*s == '"') {
        for (s++; *s; s++) {
            if (*s == '"') {
                if (s[1] != '"') {
                    s++;
                    break;
                }
                s++;
            } else if (*s == '\n') {
                (*line)++;
            }
            *w++ = *s;
        }
    }
    while (*s && *s != ',' && *s != '\n' && *s != '\r')
        *w++ = *s++;
    char e = *s;
    if (e == '\r')
        s += s[1] == '\n';
    if (e == '\r' || e == '\n') {
        e = '\n';
        (*line)++;
    }
    *w = 0;
    *p = e ? s + 1 : s;
    *end = e;
    return start;
}

/* table_read, and with COMMENTS lines that start with '#' skipped. */
static int table_load(const char *path, table *t, diag *d, int comments)
{
    size_t cap = 0, n = 0, rows_cap = 0;
    int line = 1;
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_add(d, path, 0, NULL, "cannot read: %s", strerror(errno));
        return NCG_ERR_IO;
    }
    t->text = slurp(f);
    int bad = ferror(f);
    fclose(f);
    t->path = strdup(path);
    if (!t->text || !t->path || bad) {
        diag_add(d, path, 0, NULL, "cannot read: %s",
                 bad ? strerror(EIO) : "out of memory");
        goto fail;
    }
    char *p = t->text;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB
        && (unsigned char)p[2] == 0xBF)
        p += 3;               /* a spreadsheet's byte-order mark */
    char **cells = NULL;
    while (*p) {
        if (comments && *p == '#') {
            while (*p && *p != '\n')
                p++;
            p += *p == '\n';
            line++;
            continue;
        }
        int row_line = line;
        size_t start = n;
        char end = ',';
        while (end == ',') {
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 1024;
                char **g = realloc(cells, nc * sizeof *g);
                if (!g) {
                    free(cells);
                    diag_add(d, path, 0, NULL, "out of memory");
                    goto fail;
                }
                cells = g;
                cap = nc;
            }
            cells[n++] = next_field(&p, &end, &line);
        }
        size_t width = n - start;
        if (width == 1 && cells[start][0] == 0) {
            n = start;        /* a blank line */
            continue;
        }
        if (start == 0) {
            t->ncol = width;
        } else {
            if (width != t->ncol) {
                free(cells);
                diag_add(d, path, row_line, NULL,
                         "%zu fields where the header has %zu", width,
                         t->ncol);
                goto fail;
            }
            if (t->nrow == rows_cap) {
                rows_cap = rows_cap ? 2 * rows_cap : 256;
                int *g = realloc(t->line, rows_cap * sizeof *g);
                if (!g) {
                    free(cells);
                    diag_add(d, path, 0, NULL, "out of memory");
                    goto fail;
                }
                t->line = g;
            }
            t->line[t->nrow++] = row_line;
        }
    }
    if (n == 0) {
        free(cells);
        diag_add(d, path, 0, NULL, "empty file (no header row)");
        goto fail;
    }
    /* The header's pointers go in NAME, the rest in CELL. */
    t->name = malloc(t->ncol * sizeof *t->name);
    t->cell = malloc((n - t->ncol + 1) * sizeof *t->cell);
    if (!t->name || !t->cell) {
        free(cells);
        diag_add(d, path, 0, NULL, "out of memory");
        goto fail;
    }
    memcpy(t->name, cells, t->ncol * sizeof *t->name);
    memcpy(t->cell, cells + t->ncol, (n - t->ncol) * sizeof *t->cell);
    free(cells);
    return 0;
fail:
    table_free(t);
    return NCG_ERR_IO;
}

int table_read(const char *path, table *t, diag *d)
{
    return table_load(path, t, d, 0);
}

int table_read_commented(const char *path, table *t, diag *d)
{
    return table_load(path, t, d, 1);
}
