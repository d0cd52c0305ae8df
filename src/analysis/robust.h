/* robust.h: robustness of policies across uncertainties: regret and satisficing over common trials. */
#ifndef NCG_ROBUST_H
#define NCG_ROBUST_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include "analysis/discover.h"
#include "base/diag.h"
#include "model/model.h"
#include "scenario/scenario.h"

/*
 * Policies are scenario files that extend one parent and set its levers
 * (constant params) differently; the uncertainties are the parent's random
 * params, which every policy must leave as they are. All policies run in
 * lockstep on the same trials with the same seed, so trial i draws the same
 * future for every policy (common random numbers) and per-trial regret is
 * meaningful: for an outcome to maximise, a policy's regret in a trial is
 * the best policy's value there minus its own (to minimise: its own minus
 * the best), as in Rhodium and EMA Workbench.
 */

/* An outcome to judge the policies by. */
typedef struct robust_goal {
    const char *name;   /* an output or <event>_ever column (borrowed) */
    int maximize;       /* 1: more is better; 0: less is better */
} robust_goal;

typedef struct robust_opts {
    const char *const *paths;   /* the policy scenario files */
    size_t n_paths;             /* >= 2 */
    scenario_opts so;           /* --set, trials, seed for every policy */
    const robust_goal *goals;
    size_t n_goals;
    const char *const *conds;   /* satisficing conditions (expressions) */
    size_t n_conds;
    int threads;
    volatile sig_atomic_t *stop;
} robust_opts;

/* Per policy and goal. */
typedef struct robust_cell {
    double mean;          /* the outcome's mean */
    double mean_se;       /* its Monte Carlo standard error */
    double regret_mean;   /* mean regret */
    double regret_se;     /* its Monte Carlo standard error */
    double regret_p90;    /* 90th percentile of regret (type 7) */
    double regret_max;
    double share_best;    /* share of trials with regret 0 */
} robust_cell;

typedef struct robust_result {
    size_t n_pol, n_goals, n_conds;
    char **policy;          /* scenario names (owned) */
    char **path;            /* their files (owned) */
    char **goal;            /* goal names (owned) */
    int *maximize;          /* per goal */
    char **cond;            /* conditions (owned) */
    robust_cell *cell;      /* [p * n_goals + g] */
    double *share;          /* [p * n_conds + c]: trials meeting cond c */
    uint64_t trials;
    uint64_t seed;
    size_t n_uncertain;     /* the shared random params */
    scenario *sc0;          /* the first policy, for resolved.cfg (owned) */
    model *m0;              /* its model (owned) */
} robust_result;

/* Runs every policy on the same trials and computes regret and
 * satisficing. Errors (message in D): a policy file that does not load
 * (its exit code), policies whose trials, steps or seed differ, a policy
 * that changes an uncertain param (NCG_ERR_USAGE, naming both files and
 * the param), an unknown outcome or condition name (NCG_ERR_USAGE). */
int robust_run(const robust_opts *o, robust_result **r, diag *d);
void robust_result_free(robust_result *r);

/* robust.csv and satisficing.csv into DIR. 0 or NCG_ERR_IO. */
int robust_write(const robust_result *r, const char *dir, diag *d);

/* The table of regret and satisficing, in plain words. */
void robust_table(const robust_result *r, FILE *out);

#endif
