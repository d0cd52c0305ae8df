/* observe.c: checks the `observations` setting against a model and compiles it into cuts the engine applies. */
#include "model/observe.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "base/status.h"

static const char *const obs_keys[] = {
    "var", "at", "through", "value", "min", "max", "sd", "how", "note",
    "source"
};
#define OBS_N_KEYS (sizeof obs_keys / sizeof obs_keys[0])

/* While checking one entry. */
typedef struct obs_ctx {
    const model *m;
    diag *d;
    size_t entry;           /* 1-based */
    int bad;                /* 1 once this entry had an error */
} obs_ctx;

/* "file:line: observations[N].KEY: message" (KEY may be NULL). */
static void obs_fail(obs_ctx *c, const snode *n, const char *key,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void obs_fail(obs_ctx *c, const snode *n, const char *key,
                     const char *fmt, ...)
{
    char path[96], msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(path, sizeof path, "observations[%zu]%s%s", c->entry,
             key ? "." : "", key ? key : "");
    diag_add(c->d, n->file, n->line, path, "%s", msg);
    c->bad = 1;
}

int obs_refuse_weighted(const model *m, const char *path, const char *command,
                        diag *d)
{
    if (!m->obs)
        return 0;
    diag_add(d, path, 0, NULL, "the scenario conditions on observations, so "
             "its trials carry weights; %s needs equally weighted trials "
             "(run it on the scenario without its observations, e.g. the "
             "one it extends)", command);
    return NCG_ERR_USAGE;
}

void obs_free(obs_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->items && i < p->n_items; i++)
        free(p->items[i].on);
    free(p->items);
    free(p->order);
    for (int ph = 0; ph < OBS_PHASES; ph++)
        free(p->cuts[ph]);
    free(p);
}

int obs_step_text(const model *m, const char *text, uint32_t *t, char *err,
                  size_t errlen)
{
    const scenario_sim *sim = &m->sc->sim;
    char label[32], first[32], last[32];
    for (uint32_t s = 0; s <= sim->steps; s++) {
        scenario_step_label(sim, s, label, sizeof label);
        if (strcmp(label, text) == 0) {
            *t = s;
            return 0;
        }
    }
    /* A bare number names the step even when steps have labels. */
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (*text >= '0' && *text <= '9' && *end == 0) {
        if (v <= sim->steps) {
            *t = (uint32_t)v;
            return 0;
        }
        snprintf(err, errlen, "step %s is outside 0 .. %" PRIu32, text,
                 sim->steps);
        return -1;
    }
    scenario_step_label(sim, 0, first, sizeof first);
    scenario_step_label(sim, sim->steps, last, sizeof last);
    snprintf(err, errlen, "unknown step label '%s' (steps run from %s to %s)",
             text, first, last);
    return -1;
}

int obs_step(const model *m, const snode *n, uint32_t *t, char *err,
             size_t errlen)
{
    if (n->type == SNODE_STRING)
        return obs_step_text(m, n->v.s, t, err, errlen);
    if (n->type == SNODE_INT) {
        if (n->v.i >= 0 && (uint64_t)n->v.i <= m->sc->sim.steps) {
            *t = (uint32_t)n->v.i;
            return 0;
        }
        snprintf(err, errlen, "step %lld is outside 0 .. %" PRIu32,
                 (long long)n->v.i, m->sc->sim.steps);
        return -1;
    }
    snprintf(err, errlen, "expected a step label (a string such as "
             "\"2025Q3\") or a step number, found %s", snode_type_name(n));
    return -1;
}

void obs_describe(const model *m, const obs_item *it, char *buf, size_t len)
{
    char label[32];
    scenario_step_label(&m->sc->sim, it->to, label, sizeof label);
    snprintf(buf, len, "observations[%zu] (%s %s %s)", it->entry,
             m->vars[it->var].name,
             it->from != it->to ? "through" : "at", label);
}

/* The number at KEY of entry E into *OUT; 0 absent, 1 present, -1 wrong. */
static int obs_number(obs_ctx *c, const snode *e, const char *key,
                      double *out)
{
    const snode *n = snode_get(e, key);
    if (!n)
        return 0;
    if (!snode_number(n, out) || !isfinite(*out)) {
        obs_fail(c, n, key, "expected a number, found %s",
                 snode_type_name(n));
        return -1;
    }
    return 1;
}

/* Index of the variable called NAME, or SIZE_MAX. */
static size_t obs_var(const model *m, const char *name)
{
    for (size_t i = 0; i < m->n_vars; i++)
        if (strcmp(m->vars[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

/* 1 when var I is a param with a random dist. */
static int obs_random_param(const model *m, size_t i)
{
    for (size_t j = 0; j < m->n_random_params; j++)
        if (m->random_params[j] == i)
            return 1;
    return 0;
}

/* Unknown settings of entry E, with suggestions. */
static void obs_check_keys(obs_ctx *c, const snode *e)
{
    for (size_t k = 0; k < e->n_kids; k++) {
        const snode *n = e->kids[k];
        size_t j = 0;
        while (j < OBS_N_KEYS && strcmp(n->name, obs_keys[j]) != 0)
            j++;
        if (j < OBS_N_KEYS)
            continue;
        const char *hint = diag_suggest(n->name, strlen(n->name), obs_keys,
                                        OBS_N_KEYS);
        if (hint)
            obs_fail(c, n, n->name, "unknown setting (did you mean '%s'?)",
                     hint);
        else
            obs_fail(c, n, n->name, "unknown setting (expected one of var, "
                     "at, through, value, min, max, sd, how, note, source)");
    }
}

/* The variable of entry E into IT->var; -1 when missing or unknown. */
static int obs_read_var(obs_ctx *c, const snode *e, obs_item *it)
{
    const model *m = c->m;
    const snode *n = snode_get(e, "var");
    if (!n) {
        obs_fail(c, e, NULL, "missing 'var' (the name of the variable "
                 "observed)");
        return -1;
    }
    if (n->type != SNODE_STRING) {
        obs_fail(c, n, "var", "expected a string (a variable name), found %s",
                 snode_type_name(n));
        return -1;
    }
    it->var = obs_var(m, n->v.s);
    if (it->var != SIZE_MAX)
        return 0;
    const char **names = malloc((m->n_vars + 1) * sizeof *names);
    const char *hint = NULL;
    if (names) {
        for (size_t i = 0; i < m->n_vars; i++)
            names[i] = m->vars[i].name;
        hint = diag_suggest(n->v.s, strlen(n->v.s), names, m->n_vars);
    }
    if (hint)
        obs_fail(c, n, "var", "unknown variable '%s' (did you mean '%s'?)",
                 n->v.s, hint);
    else
        obs_fail(c, n, "var", "unknown variable '%s' (not in params, events, "
                 "states or derived)", n->v.s);
    free(names);
    return -1;
}

/* The steps of entry E into IT->from, IT->to; -1 on an error. */
static int obs_read_steps(obs_ctx *c, const snode *e, obs_item *it)
{
    const model_var *v = &c->m->vars[it->var];
    const snode *at = snode_get(e, "at"), *th = snode_get(e, "through");
    char err[256];
    uint32_t t;
    if (!at && !th) {
        obs_fail(c, e, NULL, "needs 'at' (one step) or 'through' (events: "
                 "every step from 1 to it)");
        return -1;
    }
    if (at && th) {
        obs_fail(c, th, "through", "give 'at' or 'through', not both");
        return -1;
    }
    const snode *n = at ? at : th;
    const char *key = at ? "at" : "through";
    if (obs_step(c->m, n, &t, err, sizeof err) != 0) {
        obs_fail(c, n, key, "%s", err);
        return -1;
    }
    if (th && v->kind != VAR_EVENT) {
        obs_fail(c, th, "through", "'through' is only for events (%s is a "
                 "%s): use 'at'", v->name, model_kind_name(v->kind));
        return -1;
    }
    if (th && t == 0) {
        obs_fail(c, th, "through", "must be step 1 or later ('through' "
                 "covers steps 1 .. it)");
        return -1;
    }
    if (v->kind == VAR_PARAM && t != 0 && obs_random_param(c->m, it->var)) {
        obs_fail(c, n, key, "%s is a param with a random dist, drawn once "
                 "before step 1: observe it with at = 0", v->name);
        return -1;
    }
    it->from = th ? 1 : t;
    it->to = t;
    return 0;
}

/* `how` of entry E into IT->how; -1 on an error. */
static int obs_read_how(obs_ctx *c, const snode *e, obs_item *it)
{
    static const char *const hows[] = { "condition", "impose" };
    const snode *n = snode_get(e, "how");
    it->how = OBS_CONDITION;
    if (!n)
        return 0;
    if (n->type == SNODE_STRING && strcmp(n->v.s, "condition") == 0)
        return 0;
    if (n->type == SNODE_STRING && strcmp(n->v.s, "impose") == 0) {
        it->how = OBS_IMPOSE;
        return 0;
    }
    if (n->type != SNODE_STRING) {
        obs_fail(c, n, "how", "expected \"condition\" or \"impose\", found %s",
                 snode_type_name(n));
        return -1;
    }
    const char *hint = diag_suggest(n->v.s, strlen(n->v.s), hows, 2);
    obs_fail(c, n, "how", "expected \"condition\" or \"impose\", found "
             "\"%s\"%s%s%s", n->v.s, hint ? " (did you mean \"" : "",
             hint ? hint : "", hint ? "\"?)" : "");
    return -1;
}

/* value, min, max and sd of entry E into IT (form included). */
static int obs_read_values(obs_ctx *c, const snode *e, obs_item *it)
{
    const model_var *v = &c->m->vars[it->var];
    double value = 0, mn = -INFINITY, mx = INFINITY, sd = 0;
    int hv = obs_number(c, e, "value", &value);
    int hmin = obs_number(c, e, "min", &mn);
    int hmax = obs_number(c, e, "max", &mx);
    int hsd = obs_number(c, e, "sd", &sd);
    if (hv < 0 || hmin < 0 || hmax < 0 || hsd < 0)
        return -1;
    if (v->kind == VAR_EVENT) {
        const char *extra = hmin ? "min" : hmax ? "max" : hsd ? "sd" : NULL;
        if (extra) {
            obs_fail(c, snode_get(e, extra), extra, "not for an event (an "
                     "event is observed as value = 0 or 1)");
            return -1;
        }
        if (!hv) {
            obs_fail(c, e, NULL, "missing 'value' (0 or 1 for an event)");
            return -1;
        }
        if (value != 0.0 && value != 1.0) {
            obs_fail(c, snode_get(e, "value"), "value", "an event is 0 or 1, "
                     "not %g", value);
            return -1;
        }
        it->form = OBS_EVENT;
        it->value = value;
        return 0;
    }
    if (hv && (hmin || hmax)) {
        const char *k = hmin ? "min" : "max";
        obs_fail(c, snode_get(e, k), k, "give 'value' or 'min'/'max', not "
                 "both");
        return -1;
    }
    if (!hv && !hmin && !hmax) {
        obs_fail(c, e, NULL, "needs 'value' (with an optional 'sd') or 'min' "
                 "and/or 'max'");
        return -1;
    }
    if (hsd && !hv) {
        obs_fail(c, snode_get(e, "sd"), "sd", "'sd' goes with 'value' (the "
                 "reading and its noise)");
        return -1;
    }
    if (hsd && !(sd > 0.0)) {
        obs_fail(c, snode_get(e, "sd"), "sd", "must be > 0, not %g", sd);
        return -1;
    }
    if (mn > mx) {
        obs_fail(c, snode_get(e, "max"), "max", "max (%g) is below min (%g)",
                 mx, mn);
        return -1;
    }
    it->form = hv ? (hsd ? OBS_NOISY : OBS_EXACT) : OBS_RANGE;
    it->value = value;
    it->min = mn;
    it->max = mx;
    it->sd = sd;
    if (it->how == OBS_IMPOSE && it->form != OBS_EXACT) {
        obs_fail(c, snode_get(e, "how"), "how", "\"impose\" sets a value: "
                 "give 'value' without 'sd', 'min' or 'max'");
        return -1;
    }
    if (it->how == OBS_IMPOSE && v->kind == VAR_PARAM
        && !obs_random_param(c->m, it->var)) {
        obs_fail(c, snode_get(e, "how"), "how", "%s is not a random param: "
                 "change its value in the file or with --set", v->name);
        return -1;
    }
    return 0;
}

/* The interval an exact or range item allows (noisy: the whole line). */
static void obs_interval(const obs_item *it, double *lo, double *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    if (it->form == OBS_EXACT || it->form == OBS_EVENT)
        *lo = *hi = it->value;
    else if (it->form == OBS_RANGE) {
        *lo = it->min;
        *hi = it->max;
    }
}

/* What IT says of its variable, e.g. "1", "27000 .. 29000", "5". */
static void obs_claim(const obs_item *it, char *buf, size_t len)
{
    if (it->form == OBS_RANGE)
        snprintf(buf, len, "in [%g, %g]", it->min, it->max);
    else
        snprintf(buf, len, "%g", it->value);
}

/* Contradictions between entry B and the earlier entries; an event step
 * both observe with the same value is applied once (by the earlier). */
static void obs_check_pairs(obs_ctx *c, obs_item *items, size_t b)
{
    obs_item *y = &items[b];
    for (size_t a = 0; a < b; a++) {
        const obs_item *x = &items[a];
        if (x->var != y->var || !x->on || !y->on)
            continue;
        for (uint32_t t = y->from; t <= y->to; t++) {
            if (!x->on[t] || !y->on[t])
                continue;
            char label[32], cx[64], cy[64];
            double xl, xh, yl, yh;
            scenario_step_label(&c->m->sc->sim, t, label, sizeof label);
            obs_interval(x, &xl, &xh);
            obs_interval(y, &yl, &yh);
            if (x->how != y->how && (x->how == OBS_IMPOSE
                                     || y->form == OBS_EVENT)) {
                obs_fail(c, y->node, NULL, "contradicts observations[%zu] "
                         "(line %d): %s at %s is both imposed and conditioned "
                         "on", x->entry, x->node->line,
                         c->m->vars[y->var].name, label);
                return;
            }
            if (xh < yl || yh < xl) {
                obs_claim(x, cx, sizeof cx);
                obs_claim(y, cy, sizeof cy);
                obs_fail(c, y->node, NULL, "contradicts observations[%zu] "
                         "(line %d): %s cannot be both %s and %s at %s",
                         x->entry, x->node->line, c->m->vars[y->var].name,
                         cx, cy, label);
                return;
            }
            if (y->form == OBS_EVENT)
                y->on[t] = 0;
        }
    }
}

/* The position after the last instruction of Q that writes SLOT (the end
 * of the variable's own code), or Q's end. */
static size_t obs_cut_pos(const code_seq *q, uint32_t slot)
{
    for (size_t i = q->n; i > 0; i--)
        if (q->ins[i - 1].d == slot)
            return i;
    return q->n;
}

/* The phase of item IT, and its cut position there. */
static obs_phase obs_item_phase(const model *m, const obs_item *it,
                                size_t *pos)
{
    const model_var *v = &m->vars[it->var];
    *pos = 0;
    if (v->kind == VAR_PARAM)
        return obs_random_param(m, it->var) ? OBS_DRAWN : OBS_PARAMS;
    if (it->to == 0) {
        *pos = obs_cut_pos(&m->init_code, v->cur);
        return OBS_INIT;
    }
    *pos = obs_cut_pos(&m->step_code, v->cur);
    return OBS_STEP;
}

/* Groups the items into phases and cuts. An item observed both at t = 0
 * and later (never: through starts at 1) would need two; items are in one
 * phase each. 0 or -1 (out of memory). */
static int obs_group(const model *m, obs_plan *p)
{
    size_t *pos = calloc(p->n_items + 1, sizeof *pos);
    obs_phase *ph = calloc(p->n_items + 1, sizeof *ph);
    size_t k = 0;
    int rc = -1;
    p->order = calloc(p->n_items + 1, sizeof *p->order);
    if (!pos || !ph || !p->order)
        goto end;
    for (size_t i = 0; i < p->n_items; i++)
        ph[i] = obs_item_phase(m, &p->items[i], &pos[i]);
    for (int f = 0; f < OBS_PHASES; f++) {
        p->cuts[f] = calloc(p->n_items + 1, sizeof *p->cuts[f]);
        if (!p->cuts[f])
            goto end;
        /* Selection by increasing position, file order within one. */
        size_t last = 0;
        int any = 0;
        for (;;) {
            size_t best = SIZE_MAX;
            for (size_t i = 0; i < p->n_items; i++)
                if ((int)ph[i] == f && (!any || pos[i] > last)
                    && (best == SIZE_MAX || pos[i] < best))
                    best = pos[i];
            if (best == SIZE_MAX)
                break;
            obs_cut *cut = &p->cuts[f][p->n_cuts[f]++];
            cut->pos = best;
            cut->first = k;
            for (size_t i = 0; i < p->n_items; i++)
                if ((int)ph[i] == f && pos[i] == best)
                    p->order[k++] = i;
            cut->n = k - cut->first;
            last = best;
            any = 1;
        }
    }
    rc = 0;
end:
    free(pos);
    free(ph);
    return rc;
}

/* Checks entry E (number C->entry) into IT; -1 when it is wrong. */
static int obs_read_entry(obs_ctx *c, const snode *e, obs_item *it)
{
    const model *m = c->m;
    if (e->type != SNODE_GROUP) {
        obs_fail(c, e, NULL, "expected a group { var = \"...\"; at = ...; "
                 "value = ...; }, found %s", snode_type_name(e));
        return -1;
    }
    obs_check_keys(c, e);
    if (c->bad || obs_read_var(c, e, it) != 0 || obs_read_how(c, e, it) != 0
        || obs_read_steps(c, e, it) != 0 || obs_read_values(c, e, it) != 0)
        return -1;
    const model_var *v = &m->vars[it->var];
    it->entry = c->entry;
    it->node = e;
    it->slot = v->cur;
    it->prev_slot = v->prev;
    it->p_slot = v->p_slot;
    it->rec_slot = v->kind == VAR_EVENT && v->ev == EV_SWITCH ? v->rec_slot
                                                              : CODE_NOMASK;
    it->ev_kind = (int)v->ev;
    return 0;
}

int obs_build(const model *m, uint32_t as_of, obs_plan **out, diag *d)
{
    const snode *list = snode_get(m->sc->root, "observations");
    obs_plan *p = NULL;
    int rc = NCG_ERR_SCENARIO;
    *out = NULL;
    if (!list || list->type != SNODE_LIST || list->n_kids == 0)
        return 0;
    p = calloc(1, sizeof *p);
    if (!p || !(p->items = calloc(list->n_kids, sizeof *p->items)))
        goto oom;
    p->as_of = as_of;
    size_t errors = diag_count(d);
    for (size_t j = 0; j < list->n_kids; j++) {
        obs_ctx c = { m, d, j + 1, 0 };
        obs_item it;
        memset(&it, 0, sizeof it);
        if (obs_read_entry(&c, list->kids[j], &it) != 0)
            continue;
        if (it.from > as_of)
            continue;               /* after the backtest's cut: unknown */
        if (it.to > as_of)
            it.to = as_of;
        if (!(it.on = calloc((size_t)m->sc->sim.steps + 1, 1)))
            goto oom;
        for (uint32_t t = it.from; t <= it.to; t++)
            it.on[t] = 1;
        p->items[p->n_items++] = it;
        obs_check_pairs(&c, p->items, p->n_items - 1);
    }
    if (diag_count(d) > errors)
        goto end;
    if (p->n_items == 0) {
        rc = 0;
        goto end;
    }
    for (size_t i = 0; i < p->n_items; i++)
        p->weighted |= p->items[i].how == OBS_CONDITION;
    if (obs_group(m, p) != 0)
        goto oom;
    *out = p;
    return 0;
oom:
    diag_add(d, NULL, 0, NULL, "out of memory");
    rc = NCG_ERR_NOMEM;
end:
    obs_free(p);
    return rc;
}
