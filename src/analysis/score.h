/* score.h: forecasts of resolved questions (an outcomes file) scored with Brier and log scores; reliability; ranking of scenarios. */
#ifndef NCG_SCORE_H
#define NCG_SCORE_H

#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"
#include "model/model.h"
#include "run/engine.h"

/* Forecasts are clipped into [SCORE_CLIP, 1 - SCORE_CLIP] for the log
 * score, so that one confident miss costs at most -log(1e-6) = 13.8. */
#define SCORE_CLIP 1e-6
/* Bins of the reliability diagram: [0, 0.1), ..., [0.9, 1]. */
#define SCORE_BINS 10

/* One resolved question of an outcomes file (docs/results.md). Strings
 * point into the file's table (borrowed from score_outcomes). */
typedef struct score_question {
    const char *id, *var, *at, *through, *from, *question;
    const char *op;          /* "", "<", "<=", ">" or ">=" */
    double threshold;        /* with op */
    int outcome;             /* 0 or 1 */
    double base_rate;        /* NAN when not given */
    int line;                /* in the outcomes file */
} score_question;

typedef struct score_outcomes score_outcomes;

/* Reads and checks the outcomes file PATH (CSV with a header; '#' lines are
 * comments): columns by name, ids unique and [A-Za-z0-9_.-]+, outcome 0 or
 * 1, base_rate in [0, 1], exactly one of at and through, op one of < <= >
 * >= with a numeric threshold. Every problem goes to D as "PATH:LINE:
 * column: message". 0 with *OUT (free with score_outcomes_free),
 * NCG_ERR_IO (unreadable) or NCG_ERR_SCENARIO (a bad file). */
int score_outcomes_read(const char *path, score_outcomes **out, diag *d);
void score_outcomes_free(score_outcomes *o);
size_t score_outcomes_count(const score_outcomes *o);
const score_question *score_outcomes_get(const score_outcomes *o, size_t i);
const char *score_outcomes_path(const score_outcomes *o);

/* The probes that answer O's questions in model M: PROBES[i] and USE[i]
 * per question (USE[i] = 0 when the question resolves at or before AS_OF,
 * which is then not scored; AS_OF = UINT32_MAX scores everything). A
 * `through` window starts at `from`, else the step after AS_OF, else 1.
 * Problems (an unknown step or variable, a variable that is not an output,
 * op on an event, no op on a numeric variable, through on a non-event) go
 * to D naming the outcomes file, line and scenario. 0, or
 * NCG_ERR_SCENARIO. */
int score_probes(const score_outcomes *o, const model *m, uint32_t as_of,
                 engine_probe *probes, int *use, diag *d);

/* Conditions M on its observations up to step AS_OF (a step label or
 * number), or on none when AS_OF is NULL (*STEP = UINT32_MAX then, else
 * the step): what `score` scores against. PATH names the scenario in
 * messages. 0, or a status with a message ("PATH: --as-of: ..."). */
int score_condition(model *m, const char *as_of, const char *path,
                    uint32_t *step, diag *d);

/* Brier score (p - y)^2 and log score -log(p or 1 - p, clipped). */
double score_brier(double p, int y);
double score_log(double p, int y);

/* The scores of K scenarios on the same N questions. */
typedef struct score_table {
    size_t k, n;
    const char **names;      /* per scenario (borrowed) */
    double *p;               /* [s * n + q]: forecast, NAN when not scored */
    const score_outcomes *o; /* borrowed */
    const char *label;       /* the outcomes file as the user named it, for
                                the table (NULL: O's path) */
} score_table;

/* Writes into DIR: score.csv (one row per scenario and question scored),
 * score_summary.csv (per scenario: questions, mean Brier and log score,
 * the same for a coin flip and the base rate where given, rank by Brier,
 * and the paired difference from the best scenario with its 95%
 * interval), reliability.csv (per scenario and bin: mean forecast,
 * observed frequency, questions) and prints a table to OUT (may be
 * NULL). 0, or NCG_ERR_IO with a message in D. */
int score_write(const score_table *t, const char *dir, FILE *out,
                diag *d);

#endif
