/* discover.h: scenario discovery on per-trial data: typed columns, the case of interest as an expression, box sequences, result files. */
#ifndef NCG_DISCOVER_H
#define NCG_DISCOVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "analysis/prim.h"
#include "base/diag.h"
#include "io/table.h"
#include "model/model.h"

/* Per-trial data: named columns, each numeric or categorical. */
typedef struct discover_src {
    const char *origin;     /* for messages: the file (borrowed) */
    size_t n_rows, n_cols;
    char **name;            /* column names (owned strings) */
    prim_kind *kind;        /* how EMA would type the column (see
                               discover_from_table) */
    double *x;              /* x[c * n_rows + r]: the value, or for a
                               category column the category's index */
    unsigned *n_cat;        /* category columns: how many (else 0) */
    char ***cat;            /* category columns: labels in sorted order
                               (owned), else NULL */
    int *line;              /* per row: its line in the file, or 0 */
} discover_src;

/* Builds S from table T, typing each column as pandas.read_csv would and
 * EMA then splits it: whole numbers in every row (digits with an optional
 * sign) -> PRIM_INT, numbers in every row -> PRIM_FLOAT, anything else ->
 * PRIM_CAT. An empty cell in a column of numbers is an error naming file,
 * line and column. 0, or NCG_ERR_IO / NCG_ERR_USAGE with a message. */
int discover_from_table(const table *t, discover_src *s, diag *d);

/* Makes S with N_COLS numeric columns NAMES (copied) of N_ROWS rows:
 * VALUES[r * n_cols + c] (copied); a column is PRIM_INT when every value
 * is a whole number, else PRIM_FLOAT. 0 or -1 (out of memory). */
int discover_from_values(discover_src *s, const char *origin,
                         const char *const *names, size_t n_cols,
                         size_t n_rows, const double *values);

/* The columns of the engine's per-trial rows of M (engine_opts.rows):
 * every param, every output, then <event>_ever per event output. */
size_t discover_model_cols(const model *m);

/* Makes S from N_ROWS such rows of M (VALUES, row-major), named as
 * samples.csv names them. 0 or -1 (out of memory). */
int discover_from_model(discover_src *s, const char *origin, const model *m,
                        size_t n_rows, const double *values);

void discover_src_free(discover_src *s);

/* Evaluates condition EXPR (the expression language over S's numeric
 * columns: a name as written when it is an identifier, else with every
 * other character as '_') for every row into Y (1 when it holds), and sets
 * READS[c] = 1 for each column it reads. 0, or NCG_ERR_USAGE with a
 * message starting with OPT (the option that gave it) naming the expression (an unknown name, a random call, a value
 * that is not 0 or 1, e.g. "'a + 1' gives 1.25 in row 1 ..."). */
int discover_eval(const discover_src *s, const char *opt, const char *expr,
                  unsigned char *y, unsigned char *reads, diag *d);

/* What to find. */
typedef struct discover_opts {
    const char *case_expr;     /* the condition, in the expression language */
    const char *const *inputs; /* --inputs names, or NULL for every column
                                  the condition does not read */
    size_t n_inputs;
    int skip_constant;         /* 1: leave constant columns out (a run's
                                  fixed params); 0: they are an error */
    prim_opts prim;
    size_t boxes;              /* sequences wanted (>= 1) */
    long pick;                 /* --box: the step to choose, -1 for the
                                  rule (densest with coverage >= half the
                                  sequence's start) */
    unsigned resample;         /* half-sample reruns (0: none) */
    uint64_t seed;             /* keys the half-samples */
} discover_opts;

/* One box sequence: its trajectory and the box chosen on it. */
typedef struct discover_seq {
    prim_traj traj;
    size_t chosen;        /* step of the chosen box */
    double *qp;           /* 2 per input: quasi-p of the chosen box */
    double *pct_cov;      /* per input: % of half-sample reruns restricting
                             it at the same coverage (NULL: not resampled) */
    double *pct_den;      /* ... at the same density */
} discover_seq;

typedef struct discover_result {
    const discover_src *src;   /* borrowed */
    char *case_expr;           /* owned copy */
    size_t n_in;               /* inputs */
    size_t *in;                /* their columns in SRC (owned) */
    prim_data data;            /* over the inputs (arrays owned) */
    prim *p;                   /* whole-data limits and categories */
    size_t n_cases;            /* rows where the case holds */
    size_t n_seq;
    discover_seq *seq;         /* n_seq (owned) */
    size_t n_left_out;         /* constant columns skipped */
    size_t *left_out;          /* their columns (owned) */
} discover_result;

/* Evaluates the case, picks the inputs, and finds up to O->boxes boxes,
 * each on the rows outside the chosen boxes before it. Errors (exit
 * NCG_ERR_USAGE, message in D): an unknown name in the case or in
 * --inputs, a case that is not a condition, a case that every row or no
 * row meets, a constant input, fewer rows than 1 / mass_min. */
int discover_run(const discover_src *s, const discover_opts *o,
                 discover_result **r, diag *d);
void discover_result_free(discover_result *r);

/* discovery.csv, boxes.csv and resample.csv into DIR. 0 or NCG_ERR_IO. */
int discover_write(const discover_result *r, const char *dir, diag *d);

/* Plain-words summary of each sequence's chosen box. */
void discover_summary(const discover_result *r, FILE *out);

/* The name of input I as written in the source. */
const char *discover_input_name(const discover_result *r, size_t i);

/* Writes box STEP of sequence Q's limits of input I as text: a number, or
 * for categories the labels joined by '|'. */
void discover_limit(const discover_result *r, size_t q, size_t step,
                    size_t i, int upper, char *buf, size_t len);

#endif
