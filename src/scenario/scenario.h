/* scenario.h: loads scenario files (libconfig), merges `extends`, applies
 * --set overrides, checks the top level and `simulation`, writes the result. */
#ifndef NCG_SCENARIO_H
#define NCG_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "base/diag.h"

/* A setting of the merged scenario tree, with the file and line it came from. */
typedef enum {
    SNODE_INT,     /* libconfig int or int64: v.i */
    SNODE_FLOAT,   /* v.f */
    SNODE_STRING,  /* v.s */
    SNODE_BOOL,    /* v.i is 0 or 1 */
    SNODE_GROUP,   /* { ... }: kids are named settings, in file order */
    SNODE_ARRAY,   /* [ ... ]: kids are unnamed scalars */
    SNODE_LIST     /* ( ... ): kids are unnamed values of any type */
} snode_type;

typedef struct snode {
    char *name;            /* NULL inside arrays and lists (owned) */
    snode_type type;
    union { int64_t i; double f; char *s; } v;   /* v.s owned */
    struct snode **kids;   /* owned */
    size_t n_kids;
    const char *file;      /* borrowed from the scenario; for values from no
                              file: "--set", "--trials" or "--seed" (command
                              line) and "default" (filled-in defaults) */
    int line;              /* 1-based; 0 when unknown (--set, default) */
    int added;             /* a variable that its file adds to the scenario
                              it extends (model_build reports it when
                              nothing reads it: likely a misspelt name) */
} snode;

/* The child of GROUP called NAME, or NULL (also when GROUP is NULL or not a
 * group). */
const snode *snode_get(const snode *group, const char *name);
/* The node at dotted PATH ("params.p_trump.a") under ROOT, or NULL. */
const snode *snode_find(const snode *root, const char *path);
/* 1 when N is an int or a float; then *OUT is its value. */
int snode_number(const snode *n, double *out);
/* Human name of N's type: "an integer", "a number", "a string", "a group",
 * "an array", "a list", "a boolean" (for messages). */
const char *snode_type_name(const snode *n);

/* The `simulation` group, checked and with defaults filled in. */
typedef struct scenario_sim {
    uint64_t trials;       /* >= 1; default 10000 */
    uint32_t steps;        /* >= 1; required */
    char step_unit[8];     /* "quarter", "month", "year" or "step" */
    int has_start;
    int start_year;        /* with has_start */
    int start_sub;         /* quarter 1-4, month 1-12, or 0 for years */
    uint64_t seed;         /* default 1 */
    char sampler[8];       /* "mc", "lhs" or "sobol" */
} scenario_sim;

typedef struct scenario {
    snode *root;           /* merged tree: extends removed, overrides applied,
                              name and title set explicitly (owned) */
    char *path;            /* the file as given on the command line */
    const char *name;      /* borrowed from root */
    const char *title;     /* borrowed from root */
    scenario_sim sim;
    char **files;          /* every file read, for snode.file (owned) */
    size_t n_files;
    const char *description; /* borrowed from root, or NULL when not set */
} scenario;

/* Command-line overrides, applied after extends in this order:
 * each SETS[i] ("PATH=VALUE"), then trials and seed when given.
 * PATH is dotted (missing groups and the leaf are created) or a bare name:
 * a variable of params or derived (a derived group gets its `value` set),
 * else a top-level setting. VALUE is true/false, a decimal number (an
 * integer when it has no '.' or exponent and fits 64 bits), or else kept
 * as a string (an expression, a title). */
typedef struct scenario_opts {
    const char *const *sets;
    size_t n_sets;
    int has_trials;
    uint64_t trials;
    int has_seed;
    uint64_t seed;
} scenario_opts;

/* Loads PATH: reads it with libconfig (syntax errors become
 * "file:line: syntax error: ..."), follows `extends` (relative to the
 * including file's folder; a cycle is "file:line: extends: cycle: a.cfg ->
 * b.cfg -> a.cfg"), merges groups setting by setting (other values replace
 * the parent's; name, title and description are never inherited), applies
 * OPTS, then checks the top level (unknown settings, with suggestions),
 * `name` ([a-z0-9_-]+; default the file's base name), `title` (default
 * name), `outputs` (array of strings) and `simulation`. Variables inside
 * params/events/states/derived are not checked here (model.c does that),
 * but each of those four must be a group when present.
 * Every problem is added to D as "file:line: path: message". Returns 0 and
 * *OUT, or NCG_ERR_SCENARIO (bad content) / NCG_ERR_IO (unreadable file)
 * with *OUT NULL. */
int scenario_load(const char *path, const scenario_opts *opts,
                  scenario **out, diag *d);
/* As scenario_load, but when the file was read and only its content is
 * wrong (NCG_ERR_SCENARIO), *OUT is the scenario anyway (name and title
 * "" when they are not strings), so that later stages can report their own
 * errors in the same pass (`check` reports everything at once). The
 * caller frees *OUT whenever it is not NULL, and must not run it. */
int scenario_load_all(const char *path, const scenario_opts *opts,
                      scenario **out, diag *d);
void scenario_free(scenario *s);

/* Writes the resolved scenario as a libconfig file to OUT, after a header
 * comment HEADER (may be NULL; each line that does not start with '#' gets
 * "# " in front, so callers may pass plain text or ready comment lines). The text written is
 * fully determined by the tree: loading it again gives the same tree
 * (same values; `simulation` has trials, steps, step, seed and sampler
 * explicitly). Returns 0, or -1 on a write error. */
int scenario_write(const scenario *s, const char *header, FILE *out);

/* The resolved scenario as text (as scenario_write without header) in a
 * malloc'd string (caller frees), or NULL when out of memory. Used to hash
 * the model. */
char *scenario_text(const scenario *s);

/* Prints the resolved scenario with each value's origin, e.g.
 *   params.p_trump.a = 8.0    # scenarios/base.cfg:12
 * Returns 0 or -1 on a write error. */
int scenario_show(const scenario *s, FILE *out);

/* The label of step T (0 .. steps) under SIM: "2025Q1" for quarter 1 of
 * 2025, "2025-01", "2025", or the number T when there is no start. Step 0
 * is the period before `start`. Writes at most LEN bytes to BUF. */
void scenario_step_label(const scenario_sim *sim, uint32_t t, char *buf,
                         size_t len);

#endif
