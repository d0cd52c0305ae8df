/* table.c: reads a CSV file into memory and finds its columns by header name. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/table.h"

struct table {
    char *text;      /* every field, NUL-terminated, one after another */
    size_t *start;   /* offset of each field in TEXT, row by row */
    size_t n_fields, cap_fields;
    size_t width;    /* fields per row (the header's) */
};

/* Appends byte C to the text under construction. 0 or -1 (no memory). */
static int table_putc(char **text, size_t *len, size_t *cap, char c)
{
    if (*len == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4096;
        char *nt = realloc(*text, ncap);
        if (!nt)
            return -1;
        *text = nt;
        *cap = ncap;
    }
    (*text)[(*len)++] = c;
    return 0;
}

static int table_field(table *t, size_t at)
{
    if (t->n_fields == t->cap_fields) {
        size_t ncap = t->cap_fields ? t->cap_fields * 2 : 256;
        size_t *ns = realloc(t->start, ncap * sizeof *ns);
        if (!ns)
            return -1;
        t->start = ns;
        t->cap_fields = ncap;
    }
    t->start[t->n_fields++] = at;
    return 0;
}

table *table_read(const char *path, diag *d)
{
    FILE *f = fopen(path, "rb");
    table *t = calloc(1, sizeof *t);
    size_t len = 0, cap = 0, row_first = 0, line = 1, row_line = 1;
    int c, quoted = 0, at_field_start = 1, header_done = 0, comment = 0;
    if (!f || !t) {
        diag_add(d, path, 0, NULL, "cannot read: %s",
                 f ? "out of memory" : strerror(errno));
        goto fail;
    }
    if (table_field(t, 0) != 0)
        goto oom;
    for (;;) {
        c = getc(f);
        if (comment) {          /* '#' line before the header */
            if (c == '\n' || c == EOF)
                comment = 0;
            if (c == '\n')
                line++;
            if (c != EOF)
                continue;
        }
        if (c == '#' && !header_done && at_field_start && len == 0
            && t->n_fields == 1) {
            comment = 1;
            continue;
        }
        if (quoted && c == EOF)
            quoted = 0;     /* an unterminated quote ends with the file */
        if (quoted) {
            if (c == '"') {
                int next = getc(f);
                if (next != '"') {
                    quoted = 0;
                    if (next != EOF)
                        ungetc(next, f);
                    continue;
                }
            }
            if (c == '\n')
                line++;
            if (table_putc(&t->text, &len, &cap, (char)c) != 0)
                goto oom;
            continue;
        }
        if (c == '"' && at_field_start) {
            quoted = 1;
            at_field_start = 0;
            continue;
        }
        if (c == '\r')
            continue;
        if (c == ',' || c == '\n' || c == EOF) {
            int empty_line = c != ',' && t->n_fields - row_first == 1
                             && len == t->start[row_first] && at_field_start;
            if (empty_line) {
                if (c == EOF)
                    break;
                line++;
                row_line = line;
                continue;
            }
            if (table_putc(&t->text, &len, &cap, '\0') != 0)
                goto oom;
            at_field_start = 1;
            if (c == ',') {
                if (table_field(t, len) != 0)
                    goto oom;
                continue;
            }
            size_t width = t->n_fields - row_first;
            if (!header_done) {
                t->width = width;
                header_done = 1;
            } else if (width != t->width) {
                diag_add(d, path, (int)row_line, NULL,
                         "%zu fields where the header has %zu", width,
                         t->width);
                goto fail;
            }
            if (c == EOF)
                break;
            line++;
            row_line = line;
            row_first = t->n_fields;
            if (table_field(t, len) != 0)
                goto oom;
            continue;
        }
        at_field_start = 0;
        if (table_putc(&t->text, &len, &cap, (char)c) != 0)
            goto oom;
    }
    if (ferror(f)) {
        diag_add(d, path, 0, NULL, "cannot read: %s", strerror(errno));
        goto fail;
    }
    /* The slot opened for a row that never started. */
    if (t->n_fields > row_first && row_first > 0 && t->n_fields - row_first == 1
        && t->start[row_first] == len)
        t->n_fields = row_first;
    if (!header_done || t->width == 0) {
        diag_add(d, path, 0, NULL, "empty file (no header)");
        goto fail;
    }
    fclose(f);
    return t;
oom:
    diag_add(d, path, 0, NULL, "out of memory");
fail:
    if (f)
        fclose(f);
    table_free(t);
    return NULL;
}

void table_free(table *t)
{
    if (!t)
        return;
    free(t->text);
    free(t->start);
    free(t);
}

size_t table_rows(const table *t)
{
    return t->n_fields / t->width - 1;
}

int table_col(const table *t, const char *name)
{
    for (size_t c = 0; c < t->width; c++)
        if (strcmp(t->text + t->start[c], name) == 0)
            return (int)c;
    return -1;
}

const char *table_get(const table *t, size_t r, int c)
{
    if (c < 0 || (size_t)c >= t->width || r >= table_rows(t))
        return "";
    return t->text + t->start[(r + 1) * t->width + (size_t)c];
}

double table_num(const table *t, size_t r, int c)
{
    const char *s = table_get(t, r, c);
    char *end;
    double v = strtod(s, &end);
    return *s && *end == '\0' ? v : NAN;
}
