/* scn.h: what the files of the scenario layer share (not for other layers). */
#ifndef NCG_SCN_H
#define NCG_SCN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "scenario/scenario.h"

enum {
    SCN_MAX_CHAIN = 256,      /* files in one extends chain */
    SCN_MAX_STEPS = 100000,
    /* libconfig checks every new setting against all the others of its
     * group, and names are resolved by scanning the variables: both grow
     * with the square of the count. These bounds keep a check within
     * seconds; real scenarios stay far below them. */
    SCN_MAX_GROUP = 20000,    /* settings directly inside one group */
    SCN_MAX_VARS = 20000,     /* params, events, states and derived */
    SCN_DEFAULT_TRIALS = 10000,
    SCN_DEFAULT_SEED = 1
};
/* A run of more trials than this is a typo, not a plan (days of CPU). */
#define SCN_MAX_TRIALS UINT64_C(1000000000000)
/* A scenario is written by hand; a bigger file is a mistake, and reading
 * it whole would take memory far beyond its size. */
#define SCN_MAX_BYTES ((size_t)16 << 20)
#define SCN_NONE ((size_t)-1)

/* Pseudo file names for values that come from no file (snode.file). */
#define SCN_FROM_SET "--set"
#define SCN_FROM_TRIALS "--trials"
#define SCN_FROM_SEED "--seed"
#define SCN_FROM_DEFAULT "default"

#define SCN_COUNT(a) (sizeof a / sizeof a[0])

typedef struct scn_loader scn_loader;

/* The groups whose children are variables, searched for bare --set names. */
extern const char *const scn_var_groups[4];
/* The settings a file never passes to the files that extend it. */
extern const char *const scn_own_keys[3];

/* A top-level setting and the function that checks it in the merged tree
 * (NULL: checked elsewhere). A new top-level setting is one entry in
 * scn_top (top.c) and a check function in a file of its own. */
typedef struct scn_top_setting {
    const char *name;
    void (*check)(scn_loader *L, const snode *k);
} scn_top_setting;
extern const scn_top_setting scn_top[];
extern const size_t scn_n_top;
/* The entry of scn_top called NAME, or NULL. */
const scn_top_setting *scn_top_find(const char *name);

/* ---- nodes (snode.c) ---- */

/* A new childless node; NAME is copied (may be NULL). NULL when out of
 * memory. */
snode *scn_node(const char *name, snode_type type, const char *file, int line);
/* A new string node holding a copy of TEXT, or NULL when out of memory. */
snode *scn_string_node(const char *name, const char *text, const char *file,
                       int line);
/* Frees N and everything under it; NULL does nothing. */
void scn_node_free(snode *n);
/* Appends KID to PARENT, taking it: on failure (out of memory) KID is freed
 * and -1 returned. */
int scn_append(snode *parent, snode *kid);
/* Position of the child NAME in GROUP, or SCN_NONE. */
size_t scn_index(const snode *group, const char *name);
/* Detaches and returns the I-th child of GROUP (the caller frees it). */
snode *scn_detach(snode *group, size_t i);
/* Moves the child NAME of GROUP, when there, to position TO (which must
 * not be past where it is). */
void scn_move(snode *group, const char *name, size_t to);
/* Frees the child NAME of GROUP, when there. */
void scn_drop(snode *group, const char *name);
/* FMT formatted into a malloc'd string, or NULL when out of memory. */
char *scn_vformat(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));
char *scn_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PARENT.NAME", "PARENT[I]" (NAME NULL) or NAME alone: malloc'd, or NULL
 * when out of memory. */
char *scn_path(const char *parent, const char *name, size_t i);
/* The shortest text that reads back as exactly V, always looking like a
 * float to libconfig ("28500.0", "-0.0", "1e-300"). BUF holds 40 bytes. */
void scn_format_float(double v, char *buf);

/* ---- loading (load.c) ---- */

struct scn_loader {
    scenario *s;      /* being built; owns the file names */
    diag *d;          /* where messages go (may be NULL) */
    size_t errors;    /* messages added by this load */
};

/* Adds "FILE:LINE: PATH: message" to L's list and counts it. */
void scn_error(scn_loader *L, const char *file, int line, const char *path,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void scn_oom(scn_loader *L);
/* The copy of NAME kept in the scenario's file list (added when new), or
 * NULL when out of memory. */
const char *scn_intern(scn_loader *L, const char *name);
/* The path of REL named in file FROM: REL itself when absolute, else REL in
 * FROM's folder. Malloc'd, or NULL when out of memory. */
char *scn_parent_path(const char *from, const char *rel);
/* Says that DISPLAY cannot be read: as the file named on the command line
 * when FROM is NULL, else as the parent named by the extends setting at
 * FROM:FROM_LINE. ERR is an errno value. */
void scn_cannot_read(scn_loader *L, const char *display, const char *from,
                     int from_line, int err);
/* Reads DISPLAY (a path as the user wrote or reached it) with everything
 * it @includes into a new tree *OUT. FROM and FROM_LINE are as for
 * scn_cannot_read. Returns 0, or an exit code after adding the message. */
int scn_read(scn_loader *L, const char *display, const char *from,
             int from_line, snode **out);

/* ---- source text (source.c) ---- */

/* Read failures that have no errno value (scn_read_error words them). */
#define SCN_ENOTREG (-1)   /* a FIFO, a device, a socket: never opened */
#define SCN_ENUL (-2)      /* a NUL byte in the text */

/* Lines of the expanded text from line AT on are FILE's, from LINE on. */
typedef struct scn_span {
    int at;
    const char *file;      /* borrowed from the scenario's file list */
    int line;
} scn_span;

/* A file's text with every @include replaced by the included text. */
typedef struct scn_source {
    char *text;            /* NUL-terminated (owned) */
    size_t len, cap;
    int lines;             /* newlines in text so far */
    scn_span *spans;       /* in order of AT (owned) */
    size_t n_spans, cap_spans;
} scn_source;

/* The words for a read failure ERR (an errno value or SCN_E...). */
const char *scn_read_error(int err);
/* Reads DISPLAY and what it @includes (relative to the including file's
 * folder; absolute paths as they are; nested at most 10 deep) into *SRC.
 * Only regular files are read; a NUL byte, an unreadable include or more
 * than 16 MB in all is an error naming the file and line. FROM and
 * FROM_LINE are as for scn_cannot_read. Returns 0, or an exit code after
 * the message; *SRC is to be freed with scn_source_free either way. */
int scn_source_read(scn_loader *L, const char *display, const char *from,
                    int from_line, scn_source *src);
/* The file and line of line LINE of SRC's text. */
void scn_source_where(const scn_source *src, int line, const char **file,
                      int *fline);
void scn_source_free(scn_source *src);
/* Checks every integer literal of SRC's text (already parsed by libconfig)
 * for what libconfig 1.5 silently wraps around. Returns the number of bad
 * ones (each reported). */
size_t scn_source_check_ints(scn_loader *L, const scn_source *src);
/* Counts the settings directly inside each group of SRC's text (before
 * libconfig reads it: a huge group would keep libconfig busy for hours).
 * Returns 0, or the line of the text where a group grew past
 * SCN_MAX_GROUP, or -1 when out of memory. */
int scn_source_widest_group(const scn_source *src);

/* ---- extends (extends.c) ---- */

/* Lays CHILD over PARENT (both groups), taking CHILD. 0, or -1 when out of
 * memory. */
int scn_merge(snode *parent, snode *child);
/* Loads PATH and every file it extends, and merges them into *OUT (the
 * top-level `extends`, and the parents' name, title and description, are
 * gone). Returns 0, or an exit code after adding messages. */
int scn_load_chain(scn_loader *L, const char *path, snode **out);

/* ---- overrides (set.c) ---- */

/* Applies one "PATH=VALUE" override to ROOT. */
void scn_apply_set(scn_loader *L, snode *root, const char *arg);
/* Sets PATH (under `simulation`) to V from the command-line option ORIGIN. */
void scn_set_uint(scn_loader *L, snode *root, const char *path, uint64_t v,
                  const char *origin);
/* Collects the names of every variable of ROOT (for suggestions) into a
 * malloc'd array *OUT of borrowed strings; returns how many. */
size_t scn_var_names(const snode *root, const char ***out);

/* ---- checks (check.c) ---- */

/* Checks every top-level setting of ROOT; TOP is the file given. */
void scn_check_top(scn_loader *L, const snode *root, const char *top);
/* Checks of top-level settings, for scn_top: a string (name, title,
 * description), a group (params, events, states, derived), `outputs` and
 * `correlations`. */
void scn_check_text(scn_loader *L, const snode *k);
void scn_check_group(scn_loader *L, const snode *k);
void scn_check_outputs(scn_loader *L, const snode *k);
void scn_check_correlations(scn_loader *L, const snode *k);
/* `observations` is a list; its entries are checked against the model
 * (model/observe.c). */
void scn_check_observations(scn_loader *L, const snode *k);
/* Adds what the checks let default (name, title, simulation settings).
 * 0, or -1 when out of memory. */
int scn_fill_defaults(scn_loader *L, snode *root);

#endif
