/* diff.h: the settings one resolved scenario changes against another. */
#ifndef NCG_DIFF_H
#define NCG_DIFF_H

#include <stdio.h>
#include "scenario/scenario.h"

/* One setting that differs between scenario A (the reference) and B. A
 * setting is a value that is not a group: a number, string, boolean, or a
 * whole array or list. */
typedef struct diff_entry {
    char *path;              /* dotted path, e.g. "params.p_x.value" (owned) */
    char *old_value;         /* A's value as scenario text, NULL when A has
                                no such setting (owned) */
    char *new_value;         /* B's, NULL when B has none (owned) */
    const snode *old_node;   /* A's setting (its file and line), or NULL
                                (borrowed from A) */
    const snode *new_node;   /* B's, or NULL (borrowed from B) */
    const char *old_source;  /* `source` of the nearest group around the
                                setting in A that has one, or NULL
                                (borrowed from A) */
    const char *new_source;  /* the same in B (borrowed from B) */
    const char *old_note;    /* `note`, found the same way (borrowed) */
    const char *new_note;
    const char *label;       /* `label` found the same way, B's, else A's,
                                or NULL (borrowed) */
} diff_entry;

typedef struct diff_list {
    diff_entry *e;           /* N entries in A's order, B's additions after
                                the settings of their group (owned) */
    size_t n;
} diff_list;

/* Every setting of the merged scenario B (after extends and --set) whose
 * value differs from the same setting of A, or that only one of them has.
 * Numbers compare by value (1 and 1.0 are the same); name, title and
 * description are left out (never inherited, shown on their own). The
 * result borrows from A and B, which must outlive it. Returns the list
 * (free with diff_free), or NULL when out of memory. */
diff_list *diff_scenarios(const scenario *a, const scenario *b);
/* diff_free(NULL) does nothing. */
void diff_free(diff_list *l);

/* The value N as scenario text (strings quoted with libconfig's escapes,
 * numbers exactly, arrays in [ ], lists in ( ), groups in { }), in a
 * malloc'd string; NULL when out of memory. */
char *diff_value_text(const snode *n);

/* Prints L as text: a header naming both scenarios, then per setting its
 * path, "- old" and "+ new" with where each came from (file:line), and
 * the source and note; last, how many settings differ. Returns 0, or -1
 * on a write error. */
int diff_print(const diff_list *l, const scenario *a, const scenario *b,
               FILE *out);

#endif
