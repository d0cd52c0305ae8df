/* prim.h: scenario discovery with PRIM (peeling, pasting, covering, quasi-p, resampling), as EMA Workbench 3 computes it. */
#ifndef NCG_PRIM_H
#define NCG_PRIM_H

#include <stddef.h>
#include <stdint.h>

/*
 * The Patient Rule Induction Method (Friedman & Fisher 1999) in the form
 * scenario discovery uses it (Bryant & Lempert 2010), with the semantics of
 * EMA Workbench 3's analysis/prim.py so that both give the same boxes on
 * the same rows and columns: candidate order, quantiles (midpoints between
 * adjacent distinct values), objectives, acceptance tests, pasting over
 * the remaining data and quasi-p-values. docs/discovery.md lists every
 * choice this port had to make. Pure computation: no I/O.
 */

/* How an input column is treated (EMA splits a DataFrame by dtype). */
typedef enum {
    PRIM_FLOAT, /* a real number: limits at quantile midpoints */
    PRIM_INT,   /* whole numbers: limits at observed values */
    PRIM_CAT    /* categories 0 .. n_cat - 1: a box keeps a set of them */
} prim_kind;

/* The objective that ranks candidate boxes. */
typedef enum {
    PRIM_LENIENT1, /* gain in mean / points removed (EMA's default) */
    PRIM_LENIENT2, /* points kept x gain in mean / points removed */
    PRIM_ORIGINAL  /* mean of the new box */
} prim_obj;

/* The data, borrowed for the life of every prim object made from it. */
typedef struct prim_data {
    size_t n_rows, n_cols;
    const double *x;          /* x[c * n_rows + r]; PRIM_CAT: the category
                                 index as a double */
    const prim_kind *kind;    /* per column */
    const unsigned *n_cat;    /* per column: categories of a PRIM_CAT
                                 column (ignored for the others) */
    const unsigned char *y;   /* per row: 1 for a case of interest, else 0 */
} prim_data;

typedef struct prim_opts {
    double peel_alpha;   /* share peeled per step, 0 < a < 0.5 (0.05) */
    double paste_alpha;  /* share pasted per step, 0 < a < 0.5 (0.05) */
    double mass_min;     /* smallest box as a share of all rows, 0 .. 1 */
    prim_obj obj;
} prim_opts;

/* One box of a peeling-and-pasting trajectory. */
typedef struct prim_step {
    size_t n;          /* rows in the box (of the remaining rows) */
    size_t k;          /* cases of interest among them */
    double coverage;   /* k / cases of interest in all rows (>= 1) */
    double density;    /* k / n */
    double mass;       /* n / all rows */
    size_t res_dim;    /* columns whose limits differ from the whole data */
} prim_step;

/* A trajectory: box 0 is the whole remaining data, then one box per
 * accepted peel, then one per accepted paste. */
typedef struct prim_traj {
    size_t n_steps;
    prim_step *step;   /* n_steps (owned) */
    double *lim;       /* [s * 2 * n_cols + 2 c] lower, [+1] upper limit of
                          column c in box s; categories: unused (owned) */
    unsigned char *cat;/* [s * cat_total + off(c) + i]: 1 when category i of
                          column c is in box s (owned) */
    size_t n_peel;     /* steps 1 .. n_peel came from peeling */
} prim_traj;

/* A PRIM analysis over a set of rows, holding which rows remain (not in
 * the boxes already found) and its work arrays. */
typedef struct prim prim;

/* A PRIM analysis of rows ROWS[0 .. N - 1] of D (ROWS NULL: every row),
 * with options O (copied). Borrows D. The whole-data box is taken over
 * these rows. Returns NULL when out of memory. */
prim *prim_alloc(const prim_data *d, const size_t *rows, size_t n,
                 const prim_opts *o);
/* prim_free(NULL) does nothing. */
void prim_free(prim *p);

/* The data rows not yet in a chosen box into ROWS (room for every row of
 * the analysis); returns how many, and the cases of interest among them in
 * *K. */
size_t prim_remaining_rows(const prim *p, size_t *rows, size_t *k);

/* Finds the next box on the remaining rows: peels, then pastes, filling T
 * (whose arrays it allocates; free with prim_traj_clear). Returns 0, 1
 * when no row remains (T is left empty), or -1 when out of memory. */
int prim_find_box(prim *p, prim_traj *t);

/* Takes the rows inside box STEP of T (from the latest prim_find_box) out
 * of the remaining rows, so that the next box covers other cases. */
void prim_select(prim *p, const prim_traj *t, size_t step);

/* Quasi-p-values of box STEP of T (Bryant & Lempert 2010): for each column
 * and side whose limit differs from the whole data, the one-sided binomial
 * test P[X >= k], X ~ Bin(n, p), where p is the share of cases of interest
 * among remaining rows in the box with that one side relaxed. QP[2c] is
 * the lower side's, QP[2c + 1] the upper side's (a category column: the
 * set's, in QP[2c]); -1 where not restricted. Call it before prim_select. */
void prim_quasi_p(const prim *p, const prim_traj *t, size_t step,
                  double *qp);

/* 1 when column C's limits in box STEP of T differ from the whole data. */
int prim_restricted(const prim *p, const prim_traj *t, size_t step,
                    size_t c);

/* The whole-data limits of column C: lower and upper for numbers. */
void prim_init_limits(const prim *p, size_t c, double *lo, double *hi);
/* 1 when category I of column C occurs in the rows (the whole-data set). */
int prim_init_has(const prim *p, size_t c, unsigned i);

/* Offset of column C's categories in prim_traj.cat; the total in *TOTAL
 * when C == n_cols. */
size_t prim_cat_offset(const prim *p, size_t c);

/* Resampling stability (EMA's PrimBox.resample): ITER reruns of the first
 * box on a random half (floor(n / 2) rows) of ROWS, each half chosen by
 * keyed uniforms from KEY and the run number (deterministic). For each
 * rerun the step whose coverage is closest to COVERAGE and the one whose
 * density is closest to DENSITY (the first on ties) are found, and
 * PCT_COV[c] / PCT_DEN[c] get the percentage of reruns in which column c
 * is restricted there. 0, or -1 when out of memory. */
int prim_resample(const prim_data *d, const size_t *rows, size_t n,
                  const prim_opts *o, uint64_t key, unsigned iter,
                  double coverage, double density, double *pct_cov,
                  double *pct_den);

/* Frees T's arrays and empties it. */
void prim_traj_clear(prim_traj *t);

/* EMA's get_quantile on the sorted values V[0 .. N - 1] (N >= 1): a
 * midpoint between two adjacent distinct values near quantile Q. */
double prim_quantile(const double *v, size_t n, double q);

#endif
