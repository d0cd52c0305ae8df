/* model.c: checks the variables of a scenario and compiles them into a model. */
#include "model/model.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include "model/corr.h"
#include "model/observe.h"
#include "base/ncgsim.h"
#include "base/status.h"

static const char *const group_names[] = { "params", "events", "states",
                                           "derived" };
static const char *const common_settings[] = { "label", "unit", "note",
                                               "source" };
static const char *const event_settings[] = { "p", "kind", "recover", "init",
                                              "label", "unit", "note",
                                              "source" };
static const char *const state_settings[] = { "init", "next", "min", "max",
                                              "label", "unit", "note",
                                              "source" };
static const char *const derived_settings[] = { "value", "label", "unit",
                                                "note", "source" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* What model_build carries while it works. */
typedef struct builder {
    model *m;
    diag *d;
    code_sym *syms;      /* one per variable, same order as m->vars */
    code_deps *init_deps;/* per variable: same-step reads at t = 0 */
    code_deps *step_deps;/* per variable: same-step reads at t >= 1 */
    int failed;
} builder;

const char *model_kind_name(var_kind k)
{
    static const char *const names[] = { "param", "event", "state",
                                         "derived" };
    return names[k];
}

const char *model_event_kind_name(event_kind k)
{
    static const char *const names[] = { "absorbing", "recurrent", "switch" };
    return names[k];
}

void model_var_path(const model_var *v, char *buf, size_t len)
{
    static const char *const groups[] = { "params", "events", "states",
                                          "derived" };
    snprintf(buf, len, "%s.%s", groups[v->kind], v->name);
}

/* Adds "file:line: PATH.SETTING: message" for node N. */
static void fail_at(builder *b, const snode *n, const char *path,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fail_at(builder *b, const snode *n, const char *path,
                    const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_add(b->d, n ? n->file : NULL, n ? n->line : 0, path, "%s", msg);
    b->failed = 1;
}

static int valid_name(const char *s)
{
    if (!s || !(*s == '_' || (*s >= 'a' && *s <= 'z')))
        return 0;
    for (const char *p = s + 1; *p; p++)
        if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            return 0;
    return 1;
}


/* Checks the settings of a variable group G against ALLOWED; reports
 * unknown ones with a suggestion. PATH is the variable's path. */
static void check_settings(builder *b, const snode *g, const char *path,
                           const char *const *allowed, size_t n_allowed)
{
    for (size_t i = 0; i < g->n_kids; i++) {
        const snode *k = g->kids[i];
        size_t j;
        for (j = 0; j < n_allowed; j++)
            if (strcmp(k->name, allowed[j]) == 0)
                break;
        if (j < n_allowed)
            continue;
        char kpath[1100];
        snprintf(kpath, sizeof kpath, "%s.%s", path, k->name);
        const char *s = diag_suggest(k->name, strlen(k->name), allowed,
                                     n_allowed);
        char list[256] = "";
        for (j = 0; j < n_allowed; j++) {
            strncat(list, j ? ", " : "", sizeof list - strlen(list) - 1);
            strncat(list, allowed[j], sizeof list - strlen(list) - 1);
        }
        if (s)
            fail_at(b, k, kpath, "unknown setting (did you mean '%s'?)", s);
        else
            fail_at(b, k, kpath, "unknown setting (known: %s)", list);
    }
}

/* The string setting NAME of group G, checked to be a string; NULL when
 * absent or wrong. */
static const char *string_setting(builder *b, const snode *g,
                                  const char *path, const char *name)
{
    const snode *n = snode_get(g, name);
    if (!n)
        return NULL;
    if (n->type != SNODE_STRING) {
        char kpath[1100];
        snprintf(kpath, sizeof kpath, "%s.%s", path, name);
        fail_at(b, n, kpath, "expected a string, found %s",
                snode_type_name(n));
        return NULL;
    }
    return n->v.s;
}

/* 1 when S contains "judgement" or "judgment" in any case. */
static int says_judgement(const char *s)
{
    for (; *s; s++)
        if (strncasecmp(s, "judgement", 9) == 0
            || strncasecmp(s, "judgment", 8) == 0)
            return 1;
    return 0;
}

/* Reads label, unit, note and source of group G (note and source are only
 * type-checked: they are for people and stay in the resolved scenario). */
static void read_common(builder *b, model_var *v, const snode *g,
                        const char *path)
{
    const char *s;
    if (g && g->type == SNODE_GROUP) {
        if ((s = string_setting(b, g, path, "label")) != NULL)
            v->label = s;
        if ((s = string_setting(b, g, path, "unit")) != NULL)
            v->unit = s;
        static const char *const marks[] = { "note", "source" };
        for (size_t i = 0; i < 2; i++)
            if ((s = string_setting(b, g, path, marks[i])) != NULL)
                v->judgement |= says_judgement(s);
    }
}

/* An expression setting: a string, or a number (a constant expression).
 * Returns the node or NULL (absent or wrong type, reported). */
static const snode *expr_setting(builder *b, const snode *g, const char *path,
                                 const char *name, int required)
{
    const snode *n = snode_get(g, name);
    char kpath[1100];
    snprintf(kpath, sizeof kpath, "%s.%s", path, name);
    if (!n) {
        if (required)
            fail_at(b, g, kpath, "missing (an expression in quotes, e.g. "
                    "%s = \"0.1\";)", name);
        return NULL;
    }
    if (n->type != SNODE_STRING && n->type != SNODE_INT
        && n->type != SNODE_FLOAT) {
        fail_at(b, n, kpath, "expected an expression (a string) or a number, "
                "found %s", snode_type_name(n));
        return NULL;
    }
    return n;
}

/* Records the references of variable TO found in DEPS. */
static void add_edges(builder *b, size_t to, const code_deps *deps)
{
    model *m = b->m;
    for (size_t j = 0; j < deps->n_all; j++) {
        size_t from = deps->all[j];
        int lagged = m->vars[from].kind != VAR_PARAM;
        for (size_t k = 0; k < deps->n_same && lagged; k++)
            if (deps->same[k] == from)
                lagged = 0;
        size_t e;
        for (e = 0; e < m->n_edges; e++)
            if (m->edges[e].from == from && m->edges[e].to == to
                && m->edges[e].lagged == lagged)
                break;
        if (e < m->n_edges)
            continue;
        model_edge *ne = realloc(m->edges, (m->n_edges + 1) * sizeof *ne);
        if (!ne) {
            b->failed = 1;
            return;
        }
        m->edges = ne;
        m->edges[m->n_edges++] = (model_edge){ from, to, lagged };
    }
}

/* The text of an expression node; numbers are printed so they compile to
 * exactly their value. */
static const char *expr_text(const snode *n, char *buf, size_t len)
{
    if (n->type == SNODE_STRING)
        return n->v.s;
    if (n->type == SNODE_INT)
        snprintf(buf, len, "%lld", (long long)n->v.i);
    else
        snprintf(buf, len, "%.17g", n->v.f);
    return buf;
}

/* Compiles the expression in node N (setting PATH) into DST. PROB: the
 * setting is a probability, so an expression that is one number (as
 * written, or folded) must lie in [0, 1]; any other expression is clamped
 * when it runs. */
static int compile(builder *b, const code_env *env, const snode *n,
                   const char *path, uint32_t dst, code_seq *out,
                   code_deps *deps, int prob)
{
    char buf[64], err[512];
    const char *src = expr_text(n, buf, sizeof buf);
    code_deps mine = { 0 };
    int rc = 0;
    if (code_expr(b->m->prog, env, src, dst, out, &mine, err, sizeof err) != 0) {
        fail_at(b, n, path, "%s", err);
        rc = -1;
        goto end;
    }
    if (prob && mine.is_const && !(mine.value >= 0 && mine.value <= 1)) {
        fail_at(b, n, path, "%g is not a probability: give a value from 0 "
                "to 1", mine.value);
        rc = -1;
        goto end;
    }
    add_edges(b, env->counter, &mine);
    /* Accumulate into DEPS: a variable's settings share one entry. */
    for (size_t j = 0; j < mine.n_same; j++) {
        size_t k;
        for (k = 0; k < deps->n_same; k++)
            if (deps->same[k] == mine.same[j])
                break;
        if (k < deps->n_same)
            continue;
        size_t *ns = realloc(deps->same, (deps->n_same + 1) * sizeof *ns);
        if (!ns) {
            b->failed = 1;
            rc = -1;
            goto end;
        }
        deps->same = ns;
        deps->same[deps->n_same++] = mine.same[j];
    }
    deps->uses_random |= mine.uses_random;
end:
    code_deps_clear(&mine);
    return rc;
}

static int push(builder *b, code_seq *q, code_ins ins)
{
    if (code_seq_push(q, ins) != 0) {
        diag_add(b->d, NULL, 0, NULL, "out of memory");
        b->failed = 1;
        return -1;
    }
    return 0;
}

static code_ins ins4(int op, uint32_t d, uint32_t a, uint32_t bb, uint32_t c)
{
    code_ins i = { (uint8_t)op, d, a, bb, c, CODE_NOMASK, 0, 0 };
    return i;
}

/* Reads dist argument K of the param at PATH (a number, or an array or
 * list of numbers) into *ARG, its numbers into *VAL (malloc'd; NULL when
 * none were taken). 0; 1 when K is not made of numbers; -1 when out of
 * memory (messages through B). */
static int read_dist_arg(builder *b, const snode *k, const char *path,
                         dist_arg *arg, double **val)
{
    char apath[1100];
    double x;
    int bad = 0;
    *val = NULL;
    snprintf(apath, sizeof apath, "%s.%s", path, k->name);
    if (snode_number(k, &x)) {
        if (!(*val = malloc(sizeof(double)))) {
            fail_at(b, k, apath, "out of memory");
            return -1;
        }
        (*val)[0] = x;
        *arg = (dist_arg){ k->name, *val, 1, 0 };
        return 0;
    }
    if (k->type != SNODE_ARRAY && k->type != SNODE_LIST) {
        fail_at(b, k, apath, "expected a number, found %s (dist arguments "
                "are numbers, not expressions)", snode_type_name(k));
        return 1;
    }
    if (!(*val = malloc((k->n_kids + 1) * sizeof(double)))) {
        fail_at(b, k, apath, "out of memory");
        return -1;
    }
    for (size_t j = 0; j < k->n_kids; j++)
        if (!snode_number(k->kids[j], &(*val)[j])) {
            fail_at(b, k, apath, "element %zu: expected a number, found %s",
                    j + 1, snode_type_name(k->kids[j]));
            bad = 1;
        }
    *arg = (dist_arg){ k->name, *val, k->n_kids, 1 };
    return bad;
}

/* Makes V's distribution DN (the `dist` setting of group N at PATH) from
 * the NA arguments ARGS, read from the settings ARGN. A problem is
 * reported at the argument it names, else at `dist` or the group. A dist
 * that draws nothing random (e.g. a zero width) makes V a constant. */
static void make_dist(builder *b, model_var *v, const snode *n,
                      const snode *dn, const char *path,
                      const dist_arg *args, const snode *const *argn,
                      size_t na)
{
    char err[512], apath[1100];
    int bad = -1;
    if (dist_make(dn->v.s, args, na, &v->dist, &bad, err, sizeof err) == 0) {
        if (!dist_is_random(&v->dist)) {
            v->form = PARAM_CONST;
            v->value = v->dist.a;
        }
        return;
    }
    if (bad >= 0 && (size_t)bad < na) {
        snprintf(apath, sizeof apath, "%s.%s", path, argn[bad]->name);
        fail_at(b, argn[bad], apath, "%s", err);
    } else if (strstr(err, "unknown dist")) {
        snprintf(apath, sizeof apath, "%s.dist", path);
        fail_at(b, dn, apath, "%s", err);
    } else {
        fail_at(b, n, path, "%s", err);
    }
}

/* Reads the dist group N of the param V at PATH: its `dist` and every
 * other setting but the common ones as the dist's arguments. */
static void read_dist(builder *b, model_var *v, const snode *n,
                      const char *path)
{
    const snode *dn = snode_get(n, "dist");
    if (!dn) {
        fail_at(b, n, path, "missing 'dist' (e.g. dist = \"normal\"; known: "
                "%s)", dist_names());
        return;
    }
    if (dn->type != SNODE_STRING) {
        char dpath[1100];
        snprintf(dpath, sizeof dpath, "%s.dist", path);
        fail_at(b, dn, dpath, "expected a string, found %s",
                snode_type_name(dn));
        return;
    }
    dist_arg *args = calloc(n->n_kids + 1, sizeof *args);
    double **vals = calloc(n->n_kids + 1, sizeof *vals);
    const snode **argn = calloc(n->n_kids + 1, sizeof *argn);
    size_t na = 0;
    int bad_type = 0;
    if (!args || !vals || !argn) {
        fail_at(b, n, path, "out of memory");
        goto end;
    }
    for (size_t i = 0; i < n->n_kids; i++) {
        const snode *k = n->kids[i];
        int common = strcmp(k->name, "dist") == 0;
        for (size_t j = 0; j < COUNT(common_settings); j++)
            common |= strcmp(k->name, common_settings[j]) == 0;
        if (common)
            continue;
        int r = read_dist_arg(b, k, path, &args[na], &vals[na]);
        if (vals[na])
            argn[na++] = k;
        if (r < 0)
            goto end;
        bad_type |= r;
    }
    if (!bad_type)
        make_dist(b, v, n, dn, path, args, argn, na);
end:
    if (vals)
        for (size_t i = 0; i < na; i++)
            free(vals[i]);
    free(vals);
    free(args);
    free(argn);
}

/* Reads one param: a number, an expression over params, or a dist group. */
static void read_param(builder *b, model_var *v, const snode *n,
                       const char *path)
{
    if (n->type == SNODE_INT || n->type == SNODE_FLOAT) {
        v->form = PARAM_CONST;
        snode_number(n, &v->value);
        return;
    }
    if (n->type == SNODE_STRING) {
        v->form = PARAM_EXPR;
        return;
    }
    if (n->type != SNODE_GROUP) {
        fail_at(b, n, path, "expected a number, an expression (a string) or "
                "a group with 'dist', found %s", snode_type_name(n));
        return;
    }
    v->form = PARAM_DIST;
    read_common(b, v, n, path);
    read_dist(b, v, n, path);
}

/* Reads the variables of every group into m->vars (names, kinds, common
 * settings), checking names and settings. */
static int collect_vars(builder *b)
{
    model *m = b->m;
    const snode *root = m->sc->root;
    size_t total = 0;
    for (size_t g = 0; g < COUNT(group_names); g++) {
        const snode *gn = snode_get(root, group_names[g]);
        if (gn && gn->type == SNODE_GROUP)
            total += gn->n_kids;
    }
    m->vars = calloc(total + 1, sizeof *m->vars);
    if (!m->vars)
        return -1;
    for (size_t g = 0; g < COUNT(group_names); g++) {
        const snode *gn = snode_get(root, group_names[g]);
        if (!gn || gn->type != SNODE_GROUP)
            continue;
        for (size_t i = 0; i < gn->n_kids; i++) {
            const snode *n = gn->kids[i];
            model_var *v = &m->vars[m->n_vars];
            char path[512];
            snprintf(path, sizeof path, "%s.%s", group_names[g], n->name);
            if (!valid_name(n->name)) {
                fail_at(b, n, path, "invalid variable name '%s' (use "
                        "lower-case letters, digits and '_', starting with a "
                        "letter or '_')", n->name);
                continue;
            }
            if (code_is_reserved(n->name)) {
                fail_at(b, n, path, "'%s' is a built-in name and cannot name "
                        "a variable", n->name);
                continue;
            }
            size_t j;
            for (j = 0; j < m->n_vars; j++)
                if (strcmp(m->vars[j].name, n->name) == 0)
                    break;
            if (j < m->n_vars) {
                char other[512];
                model_var_path(&m->vars[j], other, sizeof other);
                fail_at(b, n, path, "the name '%s' is already used by %s "
                        "(%s:%d); variable names share one namespace",
                        n->name, other, m->vars[j].node->file,
                        m->vars[j].node->line);
                continue;
            }
            v->name = n->name;
            v->kind = (var_kind)g;
            v->node = n;
            v->label = n->name;
            v->unit = "";
            m->n_vars++;
            switch (v->kind) {
            case VAR_PARAM:
                read_param(b, v, n, path);
                break;
            case VAR_EVENT:
                if (n->type != SNODE_GROUP) {
                    fail_at(b, n, path, "expected a group such as { p = "
                            "\"0.1\"; }, found %s", snode_type_name(n));
                    break;
                }
                check_settings(b, n, path, event_settings,
                               COUNT(event_settings));
                read_common(b, v, n, path);
                break;
            case VAR_STATE:
                if (n->type != SNODE_GROUP) {
                    fail_at(b, n, path, "expected a group such as { init = "
                            "\"0\"; next = \"...\"; }, found %s",
                            snode_type_name(n));
                    break;
                }
                check_settings(b, n, path, state_settings,
                               COUNT(state_settings));
                read_common(b, v, n, path);
                break;
            case VAR_DERIVED:
                if (n->type == SNODE_GROUP) {
                    check_settings(b, n, path, derived_settings,
                                   COUNT(derived_settings));
                    read_common(b, v, n, path);
                } else if (n->type != SNODE_STRING && n->type != SNODE_INT
                           && n->type != SNODE_FLOAT) {
                    fail_at(b, n, path, "expected an expression (a string) "
                            "or a group with 'value', found %s",
                            snode_type_name(n));
                }
                break;
            }
        }
    }
    return 0;
}

/* Checks an event's kind/recover and a state's min/max. */
static void read_dynamics(builder *b, model_var *v, const char *path)
{
    const snode *n = v->node;
    if (n->type != SNODE_GROUP)
        return;
    char kpath[1100];
    if (v->kind == VAR_EVENT) {
        const char *kind = string_setting(b, n, path, "kind");
        v->ev = EV_ABSORBING;
        if (kind) {
            static const char *const kinds[] = { "absorbing", "recurrent",
                                                 "switch" };
            size_t j;
            for (j = 0; j < 3; j++)
                if (strcmp(kind, kinds[j]) == 0)
                    break;
            snprintf(kpath, sizeof kpath, "%s.kind", path);
            if (j == 3) {
                const char *s = diag_suggest(kind, strlen(kind), kinds, 3);
                if (s)
                    fail_at(b, snode_get(n, "kind"), kpath, "unknown kind "
                            "'%s' (did you mean '%s'?)", kind, s);
                else
                    fail_at(b, snode_get(n, "kind"), kpath, "unknown kind "
                            "'%s' (known: absorbing, recurrent, switch)",
                            kind);
            } else {
                v->ev = (event_kind)j;
            }
        }
        const snode *rec = snode_get(n, "recover");
        snprintf(kpath, sizeof kpath, "%s.recover", path);
        if (v->ev == EV_SWITCH && !rec)
            fail_at(b, n, kpath, "missing: a switch event needs recover (the "
                    "probability per step of going back from 1 to 0)");
        if (v->ev != EV_SWITCH && rec)
            fail_at(b, rec, kpath, "only a switch event takes recover (this "
                    "event is %s; add kind = \"switch\";)",
                    model_event_kind_name(v->ev));
    } else if (v->kind == VAR_STATE) {
        const snode *mn = snode_get(n, "min"), *mx = snode_get(n, "max");
        if (mn) {
            snprintf(kpath, sizeof kpath, "%s.min", path);
            if (!snode_number(mn, &v->min) || !isfinite(v->min))
                fail_at(b, mn, kpath, "expected a number, found %s",
                        snode_type_name(mn));
            else
                v->has_min = 1;
        }
        if (mx) {
            snprintf(kpath, sizeof kpath, "%s.max", path);
            if (!snode_number(mx, &v->max) || !isfinite(v->max))
                fail_at(b, mx, kpath, "expected a number, found %s",
                        snode_type_name(mx));
            else
                v->has_max = 1;
        }
        if (v->has_min && v->has_max && v->min > v->max) {
            snprintf(kpath, sizeof kpath, "%s.max", path);
            fail_at(b, mx, kpath, "max (%g) is below min (%g)", v->max,
                    v->min);
        }
    }
}

/* Appends to BUF the cycle through the same-step dependencies DEPS that
 * starts at START among the variables still marked in LEFT. */
static void describe_cycle(const model *m, const code_deps *deps,
                           const unsigned char *left, size_t start,
                           char *buf, size_t len)
{
    /* Walk from START along remaining edges until a variable repeats; the
     * repeated part is the cycle. Every remaining variable has a remaining
     * dependency (else Kahn's algorithm would have taken it). */
    size_t *seen_at = malloc(m->n_vars * sizeof *seen_at);
    size_t *walk = malloc((m->n_vars + 1) * sizeof *walk);
    buf[0] = '\0';
    if (!seen_at || !walk)
        goto end;
    for (size_t i = 0; i < m->n_vars; i++)
        seen_at[i] = SIZE_MAX;
    size_t n = 0, v = start;
    while (seen_at[v] == SIZE_MAX) {
        seen_at[v] = n;
        walk[n++] = v;
        size_t next = SIZE_MAX;
        for (size_t j = 0; j < deps[v].n_same; j++)
            if (left[deps[v].same[j]]) {
                next = deps[v].same[j];
                break;
            }
        assert(next != SIZE_MAX);
        v = next;
    }
    /* walk[seen_at[v]] .. walk[n-1] reads in dependency direction: each
     * needs the next; print as "a -> b -> a" meaning a reads b. */
    for (size_t i = seen_at[v]; i < n; i++) {
        strncat(buf, m->vars[walk[i]].name, len - strlen(buf) - 1);
        strncat(buf, " -> ", len - strlen(buf) - 1);
    }
    strncat(buf, m->vars[v].name, len - strlen(buf) - 1);
end:
    free(seen_at);
    free(walk);
}

/* Orders the variables marked in LEFT so that every same-step dependency
 * (DEPS) comes first, file order among those free to go. Writes the order
 * to ORDER and returns how many it placed; those it could not place (they
 * are in or behind a cycle) stay marked in LEFT. */
static size_t topo_order(const model *m, const code_deps *deps,
                         unsigned char *left, size_t *order)
{
    size_t n = 0;
    /* Simple repeated scans: models have tens of variables, and picking the
     * first ready variable in file order keeps the order predictable. */
    for (;;) {
        size_t i;
        for (i = 0; i < m->n_vars; i++) {
            if (!left[i])
                continue;
            size_t j;
            for (j = 0; j < deps[i].n_same; j++)
                if (left[deps[i].same[j]])
                    break;
            if (j == deps[i].n_same)
                break;
        }
        if (i == m->n_vars)
            return n;
        left[i] = 0;
        order[n++] = i;
    }
}

/* The first variable still marked in LEFT after topo_order, the cycle
 * through it in CYC, and its path in PATH; SIZE_MAX when none is left. */
static size_t find_cycle(const model *m, const code_deps *deps,
                         const unsigned char *left, char *cyc, size_t clen,
                         char *path, size_t plen)
{
    size_t start;
    for (start = 0; start < m->n_vars && !left[start]; start++)
        ;
    if (start == m->n_vars)
        return SIZE_MAX;
    describe_cycle(m, deps, left, start, cyc, clen);
    model_var_path(&m->vars[start], path, plen);
    return start;
}

/* Orders the events, states and derived variables for one phase; on a cycle
 * reports it and returns SIZE_MAX. */
static size_t order_vars(builder *b, const code_deps *deps, size_t *order,
                         const char *phase)
{
    model *m = b->m;
    unsigned char *left = calloc(m->n_vars + 1, 1);
    size_t total = 0;
    if (!left)
        return SIZE_MAX;
    for (size_t i = 0; i < m->n_vars; i++)
        if (m->vars[i].kind != VAR_PARAM) {
            left[i] = 1;
            total++;
        }
    size_t n = topo_order(m, deps, left, order);
    char cyc[1024], path[512];
    size_t start = find_cycle(m, deps, left, cyc, sizeof cyc, path,
                              sizeof path);
    if (start != SIZE_MAX) {
        /* The variable to break it: the one the first in the cycle reads. */
        const char *second = strchr(cyc, '>');
        char brk[128] = "";
        if (second) {
            snprintf(brk, sizeof brk, "%s", second + 2);
            char *sp = strchr(brk, ' ');
            if (sp)
                *sp = '\0';
        }
        /* At t = 0, prev(x) is x itself: only another init breaks it. */
        if (strcmp(phase, "at t = 0") == 0)
            fail_at(b, m->vars[start].node, path, "cycle of same-step "
                    "references at t = 0: %s (at t = 0, prev() reads t = 0 "
                    "too; break the cycle with an init that does not read "
                    "%s)", cyc, brk);
        else
            fail_at(b, m->vars[start].node, path, "cycle of same-step "
                    "references %s: %s (use prev(%s) to read its value at "
                    "t - 1)", phase, cyc, brk);
        n = SIZE_MAX;
    }
    assert(n == SIZE_MAX || n == total);
    free(left);
    return n;
}

/* Builds the symbol table: one slot pair per variable. */
static int make_syms(builder *b)
{
    model *m = b->m;
    b->syms = calloc(m->n_vars + 1, sizeof *b->syms);
    b->init_deps = calloc(m->n_vars + 1, sizeof *b->init_deps);
    b->step_deps = calloc(m->n_vars + 1, sizeof *b->step_deps);
    if (!b->syms || !b->init_deps || !b->step_deps)
        return -1;
    for (size_t i = 0; i < m->n_vars; i++) {
        model_var *v = &m->vars[i];
        v->cur = code_new_slot(m->prog);
        v->prev = v->kind == VAR_PARAM ? v->cur : code_new_slot(m->prog);
        if (v->kind == VAR_EVENT) {
            v->p_slot = code_new_slot(m->prog);
            v->rec_slot = code_new_slot(m->prog);
        }
        b->syms[i] = (code_sym){ v->name, v->cur, v->prev,
                                 v->kind == VAR_PARAM };
    }
    m->slot_t = code_new_slot(m->prog);
    m->slot_T = code_new_slot(m->prog);
    return 0;
}

static code_env make_env(builder *b, size_t var, int params_only,
                         int init_phase, const char *setting, char *prefix,
                         size_t plen)
{
    const model_var *v = &b->m->vars[var];
    snprintf(prefix, plen, "%s.%s", v->name, setting);
    code_env e = { b->syms, b->m->n_vars, b->m->slot_t, b->m->slot_T,
                   params_only, -1, init_phase, prefix, (uint32_t)var,
                   diag_count(b->d) >= DIAG_SHOWN };
    if (!init_phase && v->kind == VAR_STATE && strcmp(setting, "next") == 0)
        e.self = (int)var;
    return e;
}

/* Compiles the params: expression params in dependency order. */
static void compile_params(builder *b)
{
    model *m = b->m;
    code_seq *tmp = calloc(m->n_vars + 1, sizeof *tmp);
    size_t *order = calloc(m->n_vars + 1, sizeof *order);
    char prefix[512], path[512];
    if (!tmp || !order) {
        b->failed = 1;
        goto end;
    }
    for (size_t i = 0; i < m->n_vars; i++) {
        model_var *v = &m->vars[i];
        if (v->kind != VAR_PARAM || v->form != PARAM_EXPR)
            continue;
        code_env e = make_env(b, i, 1, 0, "value", prefix, sizeof prefix);
        model_var_path(v, path, sizeof path);
        compile(b, &e, v->node, path, v->cur, &tmp[i], &b->init_deps[i], 0);
    }
    /* Params are constant within a trial, so the compiler does not count
     * them as same-step reads; among expression params they are exactly
     * that, and the edges recorded say which. */
    for (size_t k = 0; k < m->n_edges; k++) {
        const model_edge *ed = &m->edges[k];
        code_deps *dp = &b->init_deps[ed->to];
        if (m->vars[ed->to].kind != VAR_PARAM
            || m->vars[ed->from].form != PARAM_EXPR)
            continue;
        size_t *ns = realloc(dp->same, (dp->n_same + 1) * sizeof *ns);
        if (!ns) {
            b->failed = 1;
            goto end;
        }
        dp->same = ns;
        dp->same[dp->n_same++] = ed->from;
    }
    if (b->failed)
        goto end;
    /* Order only the expression params: others have no dependencies. */
    size_t n = 0;
    {
        unsigned char *left = calloc(m->n_vars + 1, 1);
        if (!left) {
            b->failed = 1;
            goto end;
        }
        for (size_t i = 0; i < m->n_vars; i++)
            left[i] = m->vars[i].kind == VAR_PARAM
                      && m->vars[i].form == PARAM_EXPR;
        n = topo_order(m, b->init_deps, left, order);
        char cyc[1024];
        size_t start = find_cycle(m, b->init_deps, left, cyc, sizeof cyc,
                                  path, sizeof path);
        if (start != SIZE_MAX)
            fail_at(b, m->vars[start].node, path, "params refer to each "
                    "other in a cycle: %s", cyc);
        free(left);
    }
    if (b->failed)
        goto end;
    m->expr_params = malloc((n + 1) * sizeof *m->expr_params);
    if (!m->expr_params) {
        b->failed = 1;
        goto end;
    }
    for (size_t k = 0; k < n; k++) {
        m->expr_params[k] = order[k];
        if (code_seq_append(&m->param_code, &tmp[order[k]]) != 0)
            b->failed = 1;
    }
    m->n_expr_params = n;
end:
    if (tmp)
        for (size_t i = 0; i < m->n_vars; i++)
            code_seq_clear(&tmp[i]);
    free(tmp);
    free(order);
}

/* Compiles a variable's t = 0 code (INIT) and step code (STEP). */
static void compile_dynamic(builder *b, size_t i, code_seq *init,
                            code_seq *step)
{
    model *m = b->m;
    model_var *v = &m->vars[i];
    const snode *n = v->node;
    char prefix[512], path[512], kpath[1100];
    model_var_path(v, path, sizeof path);
    code_env e;
    uint32_t zero = code_const(m->prog, 0.0);

    if (v->kind == VAR_EVENT) {
        if (n->type != SNODE_GROUP)
            return;
        const snode *p = expr_setting(b, n, path, "p", 1);
        const snode *init_n = expr_setting(b, n, path, "init", 0);
        const snode *rec = snode_get(n, "recover")
                               ? expr_setting(b, n, path, "recover", 0) : NULL;
        if (init_n) {
            snprintf(kpath, sizeof kpath, "%s.init", path);
            e = make_env(b, i, 0, 1, "init", prefix, sizeof prefix);
            if (compile(b, &e, init_n, kpath, v->p_slot, init,
                        &b->init_deps[i], 1) == 0) {
                code_ins ins = ins4(OP_EVINIT, v->cur, v->p_slot, 0, 0);
                ins.s = code_source(m->prog, v->name);
                ins.k = (uint32_t)i;
                push(b, init, ins);
            }
        } else {
            push(b, init, ins4(OP_MOV, v->cur, zero, 0, 0));
        }
        if (p) {
            snprintf(kpath, sizeof kpath, "%s.p", path);
            e = make_env(b, i, 0, 0, "p", prefix, sizeof prefix);
            compile(b, &e, p, kpath, v->p_slot, step, &b->step_deps[i], 1);
        }
        if (rec && v->ev == EV_SWITCH) {
            snprintf(kpath, sizeof kpath, "%s.recover", path);
            e = make_env(b, i, 0, 0, "recover", prefix, sizeof prefix);
            compile(b, &e, rec, kpath, v->rec_slot, step, &b->step_deps[i],
                    1);
        }
        static const int ops[] = { OP_EVABS, OP_EVREC, OP_EVSW };
        code_ins ins = ins4(ops[v->ev], v->cur, v->p_slot, v->rec_slot,
                            v->prev);
        ins.s = code_source(m->prog, v->name);
        ins.k = (uint32_t)i;
        push(b, step, ins);
    } else if (v->kind == VAR_STATE) {
        if (n->type != SNODE_GROUP)
            return;
        const snode *in = expr_setting(b, n, path, "init", 1);
        const snode *nx = expr_setting(b, n, path, "next", 1);
        if (in) {
            snprintf(kpath, sizeof kpath, "%s.init", path);
            e = make_env(b, i, 0, 1, "init", prefix, sizeof prefix);
            compile(b, &e, in, kpath, v->cur, init, &b->init_deps[i], 0);
        }
        if (nx) {
            snprintf(kpath, sizeof kpath, "%s.next", path);
            e = make_env(b, i, 0, 0, "next", prefix, sizeof prefix);
            compile(b, &e, nx, kpath, v->cur, step, &b->step_deps[i], 0);
        }
        /* min/max hold after every step t >= 1; a NaN or an infinite
         * value is kept, so that the run reports it. */
        if (v->has_min || v->has_max)
            push(b, step, ins4(OP_BOUND, v->cur, v->cur,
                               code_const(m->prog, v->has_min ? v->min : -INFINITY),
                               code_const(m->prog, v->has_max ? v->max : INFINITY)));
    } else if (v->kind == VAR_DERIVED) {
        const snode *val = n;
        if (n->type == SNODE_GROUP) {
            val = expr_setting(b, n, path, "value", 1);
            snprintf(kpath, sizeof kpath, "%s.value", path);
        } else {
            snprintf(kpath, sizeof kpath, "%s", path);
        }
        if (!val || val->type == SNODE_GROUP)
            return;
        e = make_env(b, i, 0, 1, "value", prefix, sizeof prefix);
        if (compile(b, &e, val, kpath, v->cur, init, &b->init_deps[i], 0)
            != 0)
            return;   /* one message per mistake, not one per phase */
        e = make_env(b, i, 0, 0, "value", prefix, sizeof prefix);
        compile(b, &e, val, kpath, v->cur, step, &b->step_deps[i], 0);
    }
}

/* Resolves `outputs` (or the default: every event, state and derived). */
static void resolve_outputs(builder *b)
{
    model *m = b->m;
    const snode *o = snode_get(m->sc->root, "outputs");
    if (o && o->type != SNODE_ARRAY) {
        b->failed = 1;   /* reported by the loader */
        return;
    }
    m->outputs = calloc(m->n_vars + (o ? o->n_kids : 0) + 1,
                        sizeof *m->outputs);
    if (!m->outputs) {
        b->failed = 1;
        return;
    }
    if (!o) {
        for (size_t i = 0; i < m->n_vars; i++)
            if (m->vars[i].kind != VAR_PARAM)
                m->outputs[m->n_outputs++] = i;
    } else {
        const char **names = calloc(m->n_vars + 1, sizeof *names);
        if (!names) {
            b->failed = 1;
            return;
        }
        for (size_t i = 0; i < m->n_vars; i++)
            names[i] = m->vars[i].name;
        for (size_t k = 0; k < o->n_kids; k++) {
            const snode *e = o->kids[k];
            if (e->type != SNODE_STRING)
                continue;   /* reported by the loader */
            size_t i;
            for (i = 0; i < m->n_vars; i++)
                if (strcmp(names[i], e->v.s) == 0)
                    break;
            if (i == m->n_vars) {
                const char *s = diag_suggest(e->v.s, strlen(e->v.s), names,
                                             m->n_vars);
                if (s)
                    fail_at(b, e, "outputs", "unknown variable '%s' (did "
                            "you mean '%s'?)", e->v.s, s);
                else
                    fail_at(b, e, "outputs", "unknown variable '%s'", e->v.s);
                continue;
            }
            if (m->vars[i].is_output) {
                fail_at(b, e, "outputs", "'%s' is listed twice", e->v.s);
                continue;
            }
            m->vars[i].is_output = 1;
            m->outputs[m->n_outputs++] = i;
        }
        free(names);
    }
    for (size_t k = 0; k < m->n_outputs; k++) {
        m->vars[m->outputs[k]].is_output = 1;
        m->vars[m->outputs[k]].output_index = k;
    }
    size_t cells = 0;
    for (size_t k = 0; k < m->n_outputs; k++)
        cells += m->vars[m->outputs[k]].kind != VAR_EVENT;
    cells *= m->sc->sim.steps;
    if (cells > MODEL_MAX_SUMMARY_CELLS) {
        diag_add(b->d, m->sc->path, 0, NULL, "%zu numeric outputs x steps "
                 "to summarise (at most %d): list fewer outputs or use "
                 "fewer steps", cells, MODEL_MAX_SUMMARY_CELLS);
        b->failed = 1;
    }
    int loader_said = 0;   /* an element that is no string: reported */
    for (size_t k = 0; o && k < o->n_kids; k++)
        loader_said |= o->kids[k]->type != SNODE_STRING;
    if (m->n_outputs == 0 && !b->failed && !loader_said) {
        diag_add(b->d, o ? o->file : m->sc->path, o ? o->line : 0,
                 o ? "outputs" : NULL, "nothing to summarise: %s",
                 o ? "the list is empty"
                   : "the scenario has no events, states or derived variables");
        b->failed = 1;
    }
}

/* Records where M's sampler is set, so that the engine can name the place
 * in a message without reading the scenario tree. */
static void note_sampler(model *m)
{
    const snode *sn = snode_get(snode_get(m->sc->root, "simulation"),
                                "sampler");
    m->sampler_file = sn ? sn->file : m->sc->path;
    m->sampler_line = sn ? sn->line : 0;
}

/* A variable that a file adds over the scenario it extends, which no
 * expression reads and no output lists, changes nothing: most likely a
 * misspelt name (ncg_ministeral for the parent's ncg_ministerial), which
 * must not pass silently. Reported with the closest existing name. */
static void report_unread_added(builder *b)
{
    model *m = b->m;
    const char **names = malloc((m->n_vars + 1) * sizeof *names);
    if (!names) {
        b->failed = 1;
        return;
    }
    for (size_t i = 0; i < m->n_vars; i++) {
        const model_var *v = &m->vars[i];
        int read = v->is_output;
        for (size_t k = 0; k < m->n_edges && !read; k++)
            read = m->edges[k].from == i && m->edges[k].to != i;
        if (!v->node->added || read)
            continue;
        size_t n = 0;
        for (size_t j = 0; j < m->n_vars; j++)
            if (j != i)
                names[n++] = m->vars[j].name;
        const char *s = diag_suggest(v->name, strlen(v->name), names, n);
        char path[512];
        model_var_path(v, path, sizeof path);
        if (s)
            fail_at(b, v->node, path, "new in this file, and nothing reads "
                    "it (did you mean '%s'?)", s);
        else
            fail_at(b, v->node, path, "new in this file, and nothing reads "
                    "it: use it in an expression, list it in outputs, or "
                    "remove it");
    }
    free(names);
}

/* A constant the file calls a probability must be one. */
static void check_probabilities(builder *b)
{
    const model *m = b->m;
    for (size_t i = 0; i < m->n_vars; i++) {
        const model_var *v = &m->vars[i];
        if (v->kind == VAR_PARAM && v->form == PARAM_CONST && v->unit
            && strcmp(v->unit, "probability") == 0
            && !(v->value >= 0 && v->value <= 1)) {
            char path[512];
            model_var_path(v, path, sizeof path);
            fail_at(b, v->node, path, "%g is not a probability (its unit is "
                    "'probability'): give a value from 0 to 1", v->value);
        }
    }
}

/* Allocates M's orders and lists its random params, which go to the
 * sampler in file order. 0, or -1 when out of memory. */
static int list_random_params(model *m)
{
    m->random_params = calloc(m->n_vars + 1, sizeof *m->random_params);
    m->init_order = calloc(m->n_vars + 1, sizeof *m->init_order);
    m->step_order = calloc(m->n_vars + 1, sizeof *m->step_order);
    if (!m->random_params || !m->init_order || !m->step_order)
        return -1;
    for (size_t i = 0; i < m->n_vars; i++)
        if (m->vars[i].kind == VAR_PARAM && m->vars[i].form == PARAM_DIST) {
            m->vars[i].sample_index = m->n_random_params;
            m->random_params[m->n_random_params++] = i;
        }
    return 0;
}

/* Orders the dynamic variables and joins their code INIT[i] and STEP[i]
 * into the model's init and step programs. Cycles too are reported with
 * the other errors: an expression that failed to compile only hides its
 * references, never adds one; a cycle usually shows in both phases and
 * is reported once. 0, NCG_ERR_SCENARIO when anything failed so far, or
 * NCG_ERR_NOMEM with a message. */
static int link_code(builder *b, const code_seq *init, const code_seq *step)
{
    model *m = b->m;
    if (!b->step_deps || !b->init_deps)
        return NCG_ERR_SCENARIO;
    size_t n2 = order_vars(b, b->step_deps, m->step_order, "in a step");
    size_t n1 = n2 == SIZE_MAX ? SIZE_MAX
        : order_vars(b, b->init_deps, m->init_order, "at t = 0");
    if (b->failed)
        return NCG_ERR_SCENARIO;
    assert(n1 == n2);
    m->n_dyn = n1;
    for (size_t k = 0; k < m->n_dyn; k++) {
        if (code_seq_append(&m->init_code, &init[m->init_order[k]]) != 0
            || code_seq_append(&m->step_code, &step[m->step_order[k]]) != 0) {
            diag_add(b->d, NULL, 0, NULL, "out of memory");
            return NCG_ERR_NOMEM;
        }
    }
    return 0;
}

/* Frees what building took besides the model: B's dependencies, and the
 * code of each variable (INIT and STEP, N of each, may be NULL). */
static void builder_clear(builder *b, code_seq *init, code_seq *step,
                          size_t n)
{
    for (size_t i = 0; init && step && i < n; i++) {
        code_seq_clear(&init[i]);
        code_seq_clear(&step[i]);
    }
    free(init);
    free(step);
    for (size_t i = 0; b->init_deps && i < n; i++) {
        code_deps_clear(&b->init_deps[i]);
        code_deps_clear(&b->step_deps[i]);
    }
    free(b->init_deps);
    free(b->step_deps);
    free(b->syms);
}

int model_build(const scenario *s, model **out, diag *d)
{
    builder b = { 0 };
    model *m = calloc(1, sizeof *m);
    code_seq *init = NULL, *step = NULL;
    int rc = NCG_ERR_NOMEM;
    *out = NULL;
    b.m = m;
    b.d = d;
    if (!m || !(m->prog = code_alloc()))
        goto oom;
    m->sc = s;
    if (collect_vars(&b) != 0 || make_syms(&b) != 0)
        goto oom;
    /* Go on after errors so that `check` reports every one it can. */
    for (size_t i = 0; i < m->n_vars; i++) {
        char path[512];
        model_var_path(&m->vars[i], path, sizeof path);
        read_dynamics(&b, &m->vars[i], path);
    }
    check_probabilities(&b);
    init = calloc(m->n_vars + 1, sizeof *init);
    step = calloc(m->n_vars + 1, sizeof *step);
    if (!init || !step || list_random_params(m) != 0)
        goto oom;
    compile_params(&b);
    for (size_t i = 0; i < m->n_vars; i++)
        if (m->vars[i].kind != VAR_PARAM)
            compile_dynamic(&b, i, &init[i], &step[i]);
    resolve_outputs(&b);
    report_unread_added(&b);
    if ((rc = link_code(&b, init, step)) != 0)
        goto end;
    note_sampler(m);
    /* Last: the correlations name random params by their sample index. */
    rc = corr_build(m, &m->corr, d);
    goto end;
oom:
    diag_add(d, NULL, 0, NULL, "out of memory");
end:
    builder_clear(&b, init, step, m ? m->n_vars : 0);
    if (rc != 0)
        model_free(m);
    else
        *out = m;
    return rc;
}

void model_free(model *m)
{
    if (!m)
        return;
    if (m->vars)
        for (size_t i = 0; i < m->n_vars; i++)
            dist_clear(&m->vars[i].dist);
    free(m->vars);
    code_seq_clear(&m->param_code);
    code_seq_clear(&m->init_code);
    code_seq_clear(&m->step_code);
    free(m->init_order);
    free(m->step_order);
    free(m->expr_params);
    free(m->random_params);
    free(m->outputs);
    free(m->edges);
    code_free(m->prog);
    obs_free(m->obs);
    corr_free(m->corr);
    free(m);
}

/* Writes S as a DOT string literal (quotes, backslashes and newlines
 * escaped, so no scenario text can end the string early). */
static void dot_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        if (*s == '\n')
            fputs("\\n", out);
        else if ((unsigned char)*s >= 0x20)
            fputc(*s, out);
    }
    fputc('"', out);
}

/* Copies LABEL into BUF, breaking lines at spaces near every WIDTH
 * characters so graph nodes stay compact. */
static void wrap_label(const char *label, size_t width, char *buf, size_t len)
{
    size_t k = 0, col = 0;
    for (const char *p = label; *p && k + 1 < len; p++) {
        if (*p == ' ' && col >= width) {
            buf[k++] = '\n';
            col = 0;
            continue;
        }
        buf[k++] = *p;
        col++;
    }
    buf[k] = '\0';
}

int model_graph(const model *m, FILE *out, unsigned flags)
{
    int no_params = (flags & MODEL_GRAPH_NO_PARAMS) != 0;
    static const char *const shape[] = { "ellipse", "diamond", "box",
                                         "box" };
    static const char *const style[] = { "filled", "filled", "filled",
                                         "filled,rounded" };
    static const char *const fill[] = { "#dbe9f6", "#fde2c8", "#d9f0d3",
                                        "#eeeeee" };
    fputs("digraph ", out);
    dot_string(out, m->sc->name);
    fputs(" {\n  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, "
          "fontsize=16, label=", out);
    dot_string(out, m->sc->title);
    fputs("];\n  node [fontname=\"Helvetica\", fontsize=10];\n"
          "  edge [color=\"#555555\"];\n", out);
    for (size_t i = 0; i < m->n_vars; i++) {
        const model_var *v = &m->vars[i];
        char label[1024], wrapped[900];
        if (no_params && v->kind == VAR_PARAM)
            continue;
        wrap_label(v->label, 22, wrapped, sizeof wrapped);
        if (strcmp(v->label, v->name) != 0)
            snprintf(label, sizeof label, "%s\n(%s)", wrapped, v->name);
        else
            snprintf(label, sizeof label, "%s", v->name);
        fputs("  ", out);
        dot_string(out, v->name);
        fprintf(out, " [shape=%s, style=\"%s\", fillcolor=\"%s\", %slabel=",
                shape[v->kind], style[v->kind], fill[v->kind],
                v->is_output ? "penwidth=2, " : "");
        dot_string(out, label);
        fputs("];\n", out);
    }
    for (size_t e = 0; e < m->n_edges; e++) {
        if (no_params && m->vars[m->edges[e].from].kind == VAR_PARAM)
            continue;
        fputs("  ", out);
        dot_string(out, m->vars[m->edges[e].from].name);
        fputs(" -> ", out);
        dot_string(out, m->vars[m->edges[e].to].name);
        fputs(m->edges[e].lagged ? " [style=dashed];\n" : ";\n", out);
    }
    fputs("  subgraph cluster_legend {\n    label=\"Legend\"; fontsize=11; "
          "color=\"#999999\";\n", out);
    static const char *const kinds[] = { "param", "event", "state",
                                         "derived" };
    for (int k = no_params ? 1 : 0; k < 4; k++)
        fprintf(out, "    \"legend_%s\" [label=\"%s\", shape=%s, "
                "style=\"%s\", fillcolor=\"%s\"];\n", kinds[k], kinds[k],
                shape[k], style[k], fill[k]);
    fputs("    \"legend_a\" [label=\"x\", shape=plaintext];\n"
          "    \"legend_b\" [label=\"y\", shape=plaintext];\n"
          "    \"legend_a\" -> \"legend_b\" [style=dashed, "
          "label=\" y reads x at t-1\", fontsize=9];\n  }\n}\n", out);
    return ferror(out) ? -1 : 0;
}

int model_load(const char *path, const scenario_opts *opts, scenario **sc,
               model **m, diag *d)
{
    *m = NULL;
    int rc = scenario_load_all(path, opts, sc, d);
    if (rc != 0 && *sc) {
        /* The model's own errors too, in the same pass. */
        model_build(*sc, m, d);
        model_free(*m);
        *m = NULL;
        scenario_free(*sc);
        *sc = NULL;
    }
    if (rc != 0)
        return rc;
    rc = model_build(*sc, m, d);
    if (rc == 0)
        rc = obs_build(*m, UINT32_MAX, &(*m)->obs, d);
    if (rc != 0) {
        model_free(*m);
        *m = NULL;
        scenario_free(*sc);
        *sc = NULL;
    }
    return rc;
}
