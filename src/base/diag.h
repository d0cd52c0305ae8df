/* diag.h: user-facing error messages of the form "file:line: path: message". */
#ifndef NCG_DIAG_H
#define NCG_DIAG_H

#include <stddef.h>
#include <stdio.h>

/* A growing list of formatted messages. Loading and compiling add to it and
 * go on where they can, so that `ncgsim check` reports every error at once. */
typedef struct diag diag;

/* Returns an empty list, or NULL when out of memory. */
diag *diag_alloc(void);
/* Frees the list; diag_free(NULL) does nothing. */
void diag_free(diag *d);

/* Appends "FILE:LINE: PATH: MESSAGE". FILE may be NULL (then "FILE:LINE: "
 * is left out), LINE <= 0 leaves out ":LINE", PATH may be NULL or "" (then
 * "PATH: " is left out). FMT is printf-style. Never fails visibly: when
 * memory runs out the message is counted but its text is lost. */
void diag_add(diag *d, const char *file, int line, const char *path,
              const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Number of messages added so far. */
size_t diag_count(const diag *d);
/* The I-th message (borrowed, valid until diag_free); I < diag_count. */
const char *diag_get(const diag *d, size_t i);
/* diag_print shows this many messages, then how many more there are. */
#define DIAG_SHOWN 50
/* Prints the first DIAG_SHOWN messages, one per line, to OUT, then
 * "and N more errors" when there are more. */
void diag_print(const diag *d, FILE *out);
/* Removes every message. */
void diag_clear(diag *d);

/* Levenshtein distance between A and B, capped at 255 (for "did you mean"). */
unsigned diag_distance(const char *a, size_t alen, const char *b, size_t blen);

/* Of the N strings in CANDIDATES, the closest to WORD (length LEN) when it is
 * close enough to be a plausible typo (at most a third of the word, at most
 * 3 edits, not the whole word), otherwise NULL; the first of equally close
 * ones. Names of a too different length cost one comparison. Borrowed
 * pointer. */
const char *diag_suggest(const char *word, size_t len,
                         const char *const *candidates, size_t n);

#endif
