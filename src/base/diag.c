/* diag.c: user-facing error messages of the form "file:line: path: message". */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "base/diag.h"
#include "base/term.h"

struct diag {
    char **msgs;   /* owned strings; NULL where memory ran out */
    size_t n, cap;
    size_t lost;   /* messages counted after msgs could not grow: they
                    * come after the n stored ones, text lost */
};

diag *diag_alloc(void)
{
    return calloc(1, sizeof(diag));
}

void diag_clear(diag *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->msgs[i]);
    d->n = 0;
    d->lost = 0;
}

void diag_free(diag *d)
{
    if (!d)
        return;
    diag_clear(d);
    free(d->msgs);
    free(d);
}

void diag_add(diag *d, const char *file, int line, const char *path,
              const char *fmt, ...)
{
    if (!d)
        return;
    if (d->lost > 0) {
        /* Once one is lost, later ones are too, to keep the order. */
        d->lost++;
        return;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        char **m = realloc(d->msgs, cap * sizeof *m);
        if (!m) {
            /* The promise of diag.h: counted even without memory. */
            d->lost++;
            return;
        }
        d->msgs = m;
        d->cap = cap;
    }
    char prefix[1024] = "";
    size_t used = 0;
    if (file) {
        if (line > 0)
            used = (size_t)snprintf(prefix, sizeof prefix, "%s:%d: ", file, line);
        else
            used = (size_t)snprintf(prefix, sizeof prefix, "%s: ", file);
    }
    if (used < sizeof prefix && path && *path)
        snprintf(prefix + used, sizeof prefix - used, "%s: ", path);

    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int body = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = NULL;
    if (body >= 0) {
        size_t plen = strlen(prefix);
        msg = malloc(plen + (size_t)body + 1);
        if (msg) {
            memcpy(msg, prefix, plen);
            vsnprintf(msg + plen, (size_t)body + 1, fmt, ap2);
        }
    }
    va_end(ap2);
    d->msgs[d->n++] = msg;
}

size_t diag_count(const diag *d)
{
    return d ? d->n + d->lost : 0;
}

const char *diag_get(const diag *d, size_t i)
{
    return i < d->n && d->msgs[i] ? d->msgs[i]
                                  : "(message lost: out of memory)";
}

void diag_print(const diag *d, FILE *out)
{
    size_t n = diag_count(d);
    /* A message may quote text with control characters in it. */
    for (size_t i = 0; i < n && i < DIAG_SHOWN; i++) {
        term_put(out, diag_get(d, i), 1);
        fputc('\n', out);
    }
    if (n > DIAG_SHOWN)
        fprintf(out, "and %zu more error%s\n", n - DIAG_SHOWN,
                n - DIAG_SHOWN == 1 ? "" : "s");
}

/* The edit distance of A and B when it is at most BOUND, else BOUND + 1:
 * the rows stop as soon as every cell exceeds BOUND. Lengths <= 64. */
static unsigned diag_distance_within(const char *a, size_t alen,
                                     const char *b, size_t blen,
                                     unsigned bound)
{
    unsigned row[65];
    for (size_t j = 0; j <= blen; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= alen; i++) {
        unsigned diagv = row[0], low = (unsigned)i;
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= blen; j++) {
            unsigned up = row[j];
            unsigned best = diagv + (a[i - 1] == b[j - 1] ? 0u : 1u);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagv = up;
            low = best < low ? best : low;
        }
        if (low > bound)
            return bound + 1;
    }
    return row[blen] > bound ? bound + 1 : row[blen];
}

unsigned diag_distance(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen > 64 || blen > 64)
        return 255;
    return diag_distance_within(a, alen, b, blen, 255);
}

const char *diag_suggest(const char *word, size_t len,
                         const char *const *candidates, size_t n)
{
    /* A typo is at most a third of the word, and never the whole of it. */
    size_t limit = len / 3 + 1;
    if (limit > 3)
        limit = 3;
    if (len > 64)
        return NULL;
    /* Only names within the limit can win, and only names whose length is
     * that close: most candidates cost one length comparison, so that
     * thousands of unknown names among thousands of variables stay fast. */
    const char *best = NULL;
    unsigned best_d = (unsigned)limit + 1;
    for (size_t i = 0; i < n && best_d > 0; i++) {
        if (!candidates[i])
            continue;
        size_t clen = strnlen(candidates[i], len + limit + 1);
        size_t gap = clen > len ? clen - len : len - clen;
        if (gap >= best_d)
            continue;
        unsigned dist = diag_distance_within(word, len, candidates[i], clen,
                                             best_d - 1);
        if (dist < best_d) {
            best_d = dist;
            best = candidates[i];
        }
    }
    if (best && best_d > 0 && best_d < len)
        return best;
    return NULL;
}
