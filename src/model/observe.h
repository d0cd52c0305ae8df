/* observe.h: the `observations` setting (what already happened), checked and compiled against a model. */
#ifndef NCG_OBSERVE_H
#define NCG_OBSERVE_H

#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"
#include "model/model.h"

/*
 * `observations = ( { var = "x"; at = "2025Q1"; value = 1; }, ... );`
 * (docs/language.md). Each entry becomes one obs_item. At run time the
 * engine visits the items of a phase at its cut (right after the observed
 * variable's own instructions, before anything that reads it) and, in every
 * lane, either clamps the value (events, `how = "impose"`) or multiplies
 * the trial's weight by the likelihood of the record:
 *   - an event: clamped to the observed value; weight x the probability the
 *     model gave to that value at that step (conditioning only);
 *   - `min`/`max`: weight x 1 inside [min, max], 0 outside;
 *   - `value` with `sd`: weight x exp(-((x - value) / sd)^2 / 2), the
 *     normal density up to a constant factor (it cancels in every weighted
 *     estimate);
 *   - `value` without `sd` (numeric): weight x 1 when x == value, else 0;
 *     imposed: x := value.
 */

typedef enum { OBS_CONDITION, OBS_IMPOSE } obs_how;
typedef enum {
    OBS_EVENT,     /* an event's value (0 or 1) */
    OBS_EXACT,     /* a numeric value without sd */
    OBS_RANGE,     /* min and/or max */
    OBS_NOISY      /* a numeric value with sd */
} obs_form;

/* When an item is applied, in the order the engine meets them in a trial. */
typedef enum {
    OBS_DRAWN,     /* random params, right after they are drawn */
    OBS_PARAMS,    /* other params, after every param is evaluated */
    OBS_INIT,      /* events, states, derived at t = 0 */
    OBS_STEP,      /* the same at t = 1 .. T */
    OBS_PHASES
} obs_phase;

/* One observation (one entry of the list). */
typedef struct obs_item {
    size_t var;             /* index into the model's vars */
    size_t entry;           /* 1-based position in `observations` */
    const snode *node;      /* the entry (file and line; borrowed) */
    obs_form form;
    obs_how how;
    double value;           /* OBS_EVENT (0 or 1), OBS_EXACT, OBS_NOISY */
    double min, max;        /* OBS_RANGE: -inf / +inf when not given */
    double sd;              /* OBS_NOISY */
    uint32_t from, to;      /* the steps named: at = from = to; through:
                               1 .. to */
    uint8_t *on;            /* per step 0 .. T: 1 where the item is applied
                               (an event step another entry already
                               observes with the same value is applied once;
                               owned) */
    uint32_t slot;          /* the variable's value slot */
    uint32_t prev_slot;     /* the variable's slot at t - 1 */
    uint32_t p_slot;        /* events: p (init probability at t = 0) */
    uint32_t rec_slot;      /* switch events: recover; else CODE_NOMASK */
    int ev_kind;            /* events: an event_kind */
} obs_item;

/* Items of one phase that share a cut: they run after POS instructions of
 * the phase's code. */
typedef struct obs_cut {
    size_t pos;
    size_t first, n;        /* items order[first .. first + n - 1] */
} obs_cut;

/* The compiled observations of a model. */
typedef struct obs_plan {
    obs_item *items;        /* in file order (owned) */
    size_t n_items;
    size_t *order;          /* item indices grouped by phase, then cut */
    obs_cut *cuts[OBS_PHASES];  /* per phase, by increasing pos (owned) */
    size_t n_cuts[OBS_PHASES];
    int weighted;           /* 1 when some item conditions (not only
                               imposes): the run then carries weights */
    uint32_t as_of;         /* only steps <= as_of were kept */
} obs_plan;

/* Checks the `observations` of M's scenario against M and compiles them.
 * Only observations of steps <= AS_OF are kept (a `through` past AS_OF is
 * cut at AS_OF); pass UINT32_MAX to keep all. Every problem goes to D as
 * "file:line: observations[N].setting: message". Returns 0 with *OUT NULL
 * when there is nothing to observe, 0 with *OUT (free with obs_free), or
 * NCG_ERR_SCENARIO (NCG_ERR_RUN when out of memory) with *OUT NULL. */
int obs_build(const model *m, uint32_t as_of, obs_plan **out, diag *d);
void obs_free(obs_plan *p);

/* Refuses M (loaded from PATH) when it conditions on observations, for
 * COMMAND (e.g. "discover"), which counts every trial as one equally likely
 * case. 0 when M has no observations; else NCG_ERR_USAGE with "PATH: the
 * scenario conditions on observations, so its trials carry weights;
 * COMMAND needs equally weighted trials (...)" in D. */
int obs_refuse_weighted(const model *m, const char *path, const char *command,
                        diag *d);

/* Step T of M's scenario from NODE: a step number 0 .. T or a step label.
 * Returns 0 with *T, or -1 with the reason in ERR (e.g. "unknown step
 * label '2025Q5' (steps run from 2024Q4 to 2026Q4)"). */
int obs_step(const model *m, const snode *node, uint32_t *t, char *err,
             size_t errlen);
/* The same for a string (a label or a number). */
int obs_step_text(const model *m, const char *text, uint32_t *t, char *err,
                  size_t errlen);

/* "observations[N] (var at LABEL)" or "(var through LABEL)", for messages. */
void obs_describe(const model *m, const obs_item *it, char *buf, size_t len);

#endif
