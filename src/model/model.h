/* model.h: a loaded scenario compiled into slots, instructions and orders. */
#ifndef NCG_MODEL_H
#define NCG_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "expr/code.h"
#include "base/diag.h"
#include "random/dist.h"
#include "scenario/scenario.h"

typedef enum { VAR_PARAM, VAR_EVENT, VAR_STATE, VAR_DERIVED } var_kind;
typedef enum { EV_ABSORBING, EV_RECURRENT, EV_SWITCH } event_kind;
typedef enum { PARAM_CONST, PARAM_EXPR, PARAM_DIST } param_form;

/* One variable of the model. Strings are borrowed from the scenario tree. */
typedef struct model_var {
    const char *name;
    var_kind kind;
    event_kind ev;          /* events only */
    param_form form;        /* params only */
    const char *label;      /* `label`, or the name */
    const char *unit;       /* `unit`, or "" */
    const snode *node;      /* the variable's setting (file and line) */
    uint32_t cur;           /* slot of the value in this step */
    uint32_t prev;          /* slot of the value at t - 1 (== cur for params) */
    uint32_t p_slot;        /* events: slot of p (and of init at t = 0) */
    uint32_t rec_slot;      /* switch events: slot of recover */
    double value;           /* PARAM_CONST: the constant */
    dist_spec dist;         /* PARAM_DIST: the distribution (owned) */
    size_t sample_index;    /* PARAM_DIST and random: index for the sampler */
    int has_min, has_max;   /* states */
    double min, max;
    int is_output;
    size_t output_index;    /* position in `outputs` when is_output */
    int judgement;          /* 1 when its `source` or `note` says
                               "judgement" (or "judgment"), any case: a
                               number no published fact gives, which
                               sensitivity varies */
} model_var;

/* A reference: variable TO's expressions read FROM; LAGGED when read at
 * t - 1 (prev() or a state's own name in next). */
typedef struct model_edge {
    size_t from, to;
    int lagged;
} model_edge;

typedef struct model {
    const scenario *sc;     /* borrowed: must outlive the model */
    code_prog *prog;        /* slots, constants and random sources (owned) */
    model_var *vars;        /* every variable in file order: params, events,
                               states, derived (owned array) */
    size_t n_vars;
    code_seq param_code;    /* expression params, in dependency order */
    code_seq init_code;     /* t = 0 */
    code_seq step_code;     /* t >= 1 */
    size_t *init_order;     /* non-param variables in evaluation order */
    size_t *step_order;
    size_t n_dyn;           /* length of both orders */
    size_t *expr_params;    /* PARAM_EXPR variables in evaluation order */
    size_t n_expr_params;
    size_t *random_params;  /* PARAM_DIST variables with random dists, by
                               sample_index */
    size_t n_random_params;
    size_t *outputs;        /* variable indices of the outputs, in order */
    size_t n_outputs;
    model_edge *edges;      /* every reference, without duplicates */
    size_t n_edges;
    uint32_t slot_t, slot_T;
    struct obs_plan *obs;   /* the compiled `observations` (observe.h), or
                               NULL when there are none (owned; set by
                               model_load) */
    struct corr *corr;      /* the checked `correlations` (corr.h), or NULL
                               when there are none to impose (owned; set by
                               model_build) */
    const char *sampler_file; /* where simulation.sampler is set, for the */
    int sampler_line;         /* sampler's messages (the file borrowed from
                                 the scenario; line 0 when not written) */
} model;

/* Checks every variable of S and compiles the model, its correlations
 * included: the engine runs the compiled model and never reads S's tree.
 * Every problem is added to D ("file:line: path: message"); returns 0 and
 * *OUT, or NCG_ERR_SCENARIO (NCG_ERR_NOMEM) with *OUT NULL. S must outlive
 * the model. */
int model_build(const scenario *s, model **out, diag *d);
void model_free(model *m);

/* Loads PATH with OPTS (scenario_load), builds its model and checks its
 * correlations: the one way every command gets a runnable model. Returns 0
 * with *SC and *M, or an exit code with both NULL and the messages in D. */
int model_load(const char *path, const scenario_opts *opts, scenario **sc,
               model **m, diag *d);

/* "param", "event", "state" or "derived". */
const char *model_kind_name(var_kind k);
/* "absorbing", "recurrent" or "switch". */
const char *model_event_kind_name(event_kind k);
/* The path of V's setting, e.g. "states.usfk_troops", into BUF. */
void model_var_path(const model_var *v, char *buf, size_t len);

/* Writes the dependency graph in Graphviz DOT: one node per variable,
 * shaped by kind; an edge x -> y when y's expressions read x, dashed when
 * read at t - 1 (prev or a state's own name). FLAGS: MODEL_GRAPH_*.
 * Returns 0 or -1 on a write error. */
/* Numeric outputs x steps a run can summarise (each gets a few histogram
 * bins: see ENGINE_BIN_BUDGET); a model past it is refused by model_build,
 * so that `check` says so before `run` does. */
#define MODEL_MAX_SUMMARY_CELLS 500000
#define MODEL_GRAPH_NO_PARAMS 1   /* leave params (and their edges) out */
int model_graph(const model *m, FILE *out, unsigned flags);

#endif
