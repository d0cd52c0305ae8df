/* check.c: checks the top level and `simulation` of a merged scenario and fills in defaults. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "scenario/scn.h"

const char *const scn_var_groups[4] = { "params", "events", "states", "derived" };
static const char *const scn_sim_keys[] = {
    "trials", "steps", "step", "start", "seed", "sampler"
};
static const char *const scn_units[] = { "quarter", "month", "year", "step" };
static const char *const scn_samplers[] = { "mc", "lhs", "sobol" };

/* "unknown setting" for N at PATH, with the closest of KNOWN or the list. */
static void scn_unknown(scn_loader *L, const snode *n, const char *path,
                        const char *const *known, size_t nk)
{
    const char *hint = diag_suggest(n->name, strlen(n->name), known, nk);
    if (hint) {
        scn_error(L, n->file, n->line, path,
                  "unknown setting (did you mean '%s'?)", hint);
        return;
    }
    char list[256] = "";
    for (size_t i = 0; i < nk; i++) {
        if (i)
            strcat(list, ", ");
        strcat(list, known[i]);
    }
    scn_error(L, n->file, n->line, path, "unknown setting (expected one of %s)",
              list);
}

/* 1 when N is TYPE, else 0 after "expected WANT, found ...". */
static int scn_expect(scn_loader *L, const snode *n, const char *path,
                      snode_type type, const char *want)
{
    if (n->type == type)
        return 1;
    scn_error(L, n->file, n->line, path, "expected %s, found %s", want,
              snode_type_name(n));
    return 0;
}

/* The position of N's string among CHOICES, or -1 after a message naming
 * it as WHAT ("unknown unit 'weeks' (expected one of ...)"). */
static int scn_choice(scn_loader *L, const snode *n, const char *path,
                      const char *what, const char *const *choices, size_t nc)
{
    if (!scn_expect(L, n, path, SNODE_STRING, "a string"))
        return -1;
    for (size_t i = 0; i < nc; i++)
        if (strcmp(n->v.s, choices[i]) == 0)
            return (int)i;
    const char *hint = diag_suggest(n->v.s, strlen(n->v.s), choices, nc);
    if (hint) {
        scn_error(L, n->file, n->line, path,
                  "unknown %s '%s' (did you mean '%s'?)", what, n->v.s, hint);
    } else {
        char list[128] = "";
        for (size_t i = 0; i < nc; i++) {
            if (i)
                strcat(list, ", ");
            strcat(list, choices[i]);
        }
        scn_error(L, n->file, n->line, path,
                  "unknown %s '%s' (expected one of %s)", what, n->v.s, list);
    }
    return -1;
}

/* Reads N as a whole number in [MIN, MAX] into *OUT. Accepts an integer, a
 * float with an integral value (1e6) and a string of decimal digits (for
 * seeds past int64, which libconfig cannot hold). 0, or -1 after a
 * message. */
static int scn_uint(scn_loader *L, const snode *n, const char *path,
                    uint64_t min, uint64_t max, uint64_t *out)
{
    char found[40];
    int negative = 0, too_big = 0;
    uint64_t v = 0;
    if (n->type == SNODE_INT) {
        snprintf(found, sizeof found, "%" PRId64, n->v.i);
        negative = n->v.i < 0;
        v = negative ? 0 : (uint64_t)n->v.i;
    } else if (n->type == SNODE_FLOAT) {
        scn_format_float(n->v.f, found);
        if (n->v.f != floor(n->v.f)) {
            scn_error(L, n->file, n->line, path, "must be an integer, found %s",
                      found);
            return -1;
        }
        negative = n->v.f < 0;
        too_big = n->v.f >= 18446744073709551616.0;
        v = negative || too_big ? 0 : (uint64_t)n->v.f;
        /* Past 2^53 a double stands for many whole numbers: which one was
         * meant cannot be known, so ask for the digits. */
        if (!too_big && v <= max && n->v.f >= 9007199254740992.0) {
            scn_error(L, n->file, n->line, path, "%s is past 2^53, where a "
                      "number with a point or an exponent is not exact; "
                      "write its digits (as a string past 2^63)", found);
            return -1;
        }
    } else if (n->type == SNODE_STRING && n->v.s[0] &&
               strspn(n->v.s, "0123456789") == strlen(n->v.s)) {
        snprintf(found, sizeof found, "%.38s", n->v.s);
        errno = 0;
        v = strtoull(n->v.s, NULL, 10);
        too_big = errno == ERANGE;
    } else {
        scn_error(L, n->file, n->line, path, "expected an integer, found %s",
                  snode_type_name(n));
        return -1;
    }
    if (negative || v < min) {
        scn_error(L, n->file, n->line, path, "must be at least %" PRIu64
                  ", found %s", min, found);
        return -1;
    }
    if (too_big || v > max) {
        scn_error(L, n->file, n->line, path, "must be at most %" PRIu64
                  ", found %s", max, found);
        return -1;
    }
    *out = v;
    return 0;
}

/* Reads the leading digits of *P (1 to 4 of them) as a year 1..9999 and
 * moves *P past them; -1 when there is no such year. */
static int scn_year(const char **p)
{
    int year = 0, digits = 0;
    while (isdigit((unsigned char)**p) && digits < 5) {
        year = year * 10 + (**p - '0');
        (*p)++;
        digits++;
    }
    return digits >= 1 && digits <= 4 && year >= 1 ? year : -1;
}

/* Checks `start` N against step unit UNIT (index into scn_units) and
 * fills SIM's start fields. */
static void scn_check_start(scn_loader *L, const snode *n, int unit,
                            scenario_sim *sim)
{
    static const char *const shapes[] = {
        "quarter label like 2025Q1 (year 1-9999, quarter 1-4)",
        "month label like 2025-01 (year 1-9999, month 01-12)",
        "year label like 2025 (year 1-9999)"
    };
    const char *path = "simulation.start";
    if (!scn_expect(L, n, path, SNODE_STRING, "a string"))
        return;
    if (strcmp(scn_units[unit], "step") == 0) {
        scn_error(L, n->file, n->line, path,
                  "has no meaning with step = \"step\"; set step to "
                  "\"quarter\", \"month\" or \"year\"");
        return;
    }
    const char *p = n->v.s;
    int year = scn_year(&p), sub = 0, ok = year > 0;
    if (ok && unit == 0) {
        ok = p[0] == 'Q' && p[1] >= '1' && p[1] <= '4' && !p[2];
        sub = ok ? p[1] - '0' : 0;
    } else if (ok && unit == 1) {
        ok = p[0] == '-' && isdigit((unsigned char)p[1]) &&
             isdigit((unsigned char)p[2]) && !p[3];
        sub = ok ? (p[1] - '0') * 10 + (p[2] - '0') : 0;
        ok = ok && sub >= 1 && sub <= 12;
    } else if (ok) {
        ok = !*p;
    }
    if (!ok) {
        scn_error(L, n->file, n->line, path, "'%s' is not a %s", n->v.s,
                  shapes[unit]);
        return;
    }
    sim->has_start = 1;
    sim->start_year = year;
    sim->start_sub = sub;
}

/* Checks the `simulation` group SIM (NULL when missing; TOP names the file
 * for that message) and fills L->s->sim. */
static void scn_check_sim(scn_loader *L, const snode *sim, const char *top)
{
    scenario_sim *out = &L->s->sim;
    out->trials = SCN_DEFAULT_TRIALS;
    out->seed = SCN_DEFAULT_SEED;
    strcpy(out->step_unit, "step");
    strcpy(out->sampler, "mc");
    if (!sim) {
        scn_error(L, top, 0, "simulation",
                  "missing; it must set at least steps (the number of time "
                  "steps)");
        return;
    }
    if (!scn_expect(L, sim, "simulation", SNODE_GROUP, "a group"))
        return;
    for (size_t i = 0; i < sim->n_kids; i++) {
        const snode *k = sim->kids[i];
        size_t which = 0;
        while (which < SCN_COUNT(scn_sim_keys) && strcmp(k->name, scn_sim_keys[which]))
            which++;
        if (which == SCN_COUNT(scn_sim_keys)) {
            char *path = scn_path("simulation", k->name, 0);
            scn_unknown(L, k, path ? path : k->name, scn_sim_keys,
                        SCN_COUNT(scn_sim_keys));
            free(path);
        }
    }
    const snode *n;
    uint64_t v;
    if ((n = snode_get(sim, "trials")))
        scn_uint(L, n, "simulation.trials", 1, SCN_MAX_TRIALS, &out->trials);
    if (!(n = snode_get(sim, "steps")))
        scn_error(L, sim->file, sim->line, "simulation.steps",
                  "missing; set the number of time steps (at least 1)");
    else if (scn_uint(L, n, "simulation.steps", 1, SCN_MAX_STEPS, &v) == 0)
        out->steps = (uint32_t)v;
    int unit = 3;
    if ((n = snode_get(sim, "step"))) {
        unit = scn_choice(L, n, "simulation.step", "unit", scn_units,
                          SCN_COUNT(scn_units));
        if (unit >= 0)
            strcpy(out->step_unit, scn_units[unit]);
    }
    if ((n = snode_get(sim, "start")) && unit >= 0)
        scn_check_start(L, n, unit, out);
    if ((n = snode_get(sim, "seed")))
        scn_uint(L, n, "simulation.seed", 0, UINT64_MAX, &out->seed);
    int sampler;
    if ((n = snode_get(sim, "sampler")) &&
        (sampler = scn_choice(L, n, "simulation.sampler", "sampler",
                              scn_samplers, SCN_COUNT(scn_samplers))) >= 0)
        strcpy(out->sampler, scn_samplers[sampler]);
}

/* 1 when S is a valid scenario name: [a-z0-9_-]+ (so never a path). */
static int scn_name_ok(const char *s)
{
    return *s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(s);
}

void scn_check_observations(scn_loader *L, const snode *k)
{
    scn_expect(L, k, "observations", SNODE_LIST,
               "a list ( { var = ...; at = ...; ... }, ... )");
}

/* The shape of `correlations` (an extension, see docs/sensitivity.md): a
 * list of ("param", "param", rho) lists. The names and values are checked
 * against the model by corr.c. */
void scn_check_correlations(scn_loader *L, const snode *k)
{
    if (!scn_expect(L, k, "correlations", SNODE_LIST,
                    "a list of (\"param\", \"param\", rho) entries"))
        return;
    for (size_t j = 0; j < k->n_kids; j++) {
        const snode *e = k->kids[j];
        double rho;
        if ((e->type == SNODE_LIST || e->type == SNODE_ARRAY)
            && e->n_kids == 3 && e->kids[0]->type == SNODE_STRING
            && e->kids[1]->type == SNODE_STRING
            && snode_number(e->kids[2], &rho))
            continue;
        if ((e->type == SNODE_LIST || e->type == SNODE_ARRAY)
            && e->n_kids == 3)
            scn_error(L, e->file, e->line, "correlations", "entry %zu: "
                      "expected (\"param\", \"param\", rho): two names "
                      "as strings, then a number", j + 1);
        else if (e->type == SNODE_LIST || e->type == SNODE_ARRAY)
            scn_error(L, e->file, e->line, "correlations", "entry %zu: "
                      "expected (\"param\", \"param\", rho), found %s of "
                      "%zu value%s", j + 1, snode_type_name(e), e->n_kids,
                      e->n_kids == 1 ? "" : "s");
        else
            scn_error(L, e->file, e->line, "correlations", "entry %zu: "
                      "expected (\"param\", \"param\", rho), found %s",
                      j + 1, snode_type_name(e));
    }
}

void scn_check_text(scn_loader *L, const snode *k)
{
    if (!scn_expect(L, k, k->name, SNODE_STRING, "a string"))
        return;
    if (strcmp(k->name, "name") == 0 && !scn_name_ok(k->v.s))
        scn_error(L, k->file, k->line, "name",
                  "'%s' is not a valid name (use only a-z, 0-9, '_' "
                  "and '-')", k->v.s);
    if (strcmp(k->name, "title") == 0 && strchr(k->v.s, '\n'))
        scn_error(L, k->file, k->line, "title", "must be one line");
}

void scn_check_group(scn_loader *L, const snode *k)
{
    scn_expect(L, k, k->name, SNODE_GROUP, "a group");
}

void scn_check_outputs(scn_loader *L, const snode *k)
{
    if (!scn_expect(L, k, k->name, SNODE_ARRAY, "an array of strings"))
        return;
    for (size_t j = 0; j < k->n_kids; j++) {
        if (k->kids[j]->type != SNODE_STRING) {
            scn_error(L, k->file, k->line, k->name,
                      "expected an array of strings, found an array "
                      "of which element %zu is %s", j + 1,
                      snode_type_name(k->kids[j]));
            break;
        }
    }
}

/* Checks every top-level setting of ROOT; TOP is the file given. */
void scn_check_top(scn_loader *L, const snode *root, const char *top)
{
    const char *known[64];
    size_t nk = 0;
    for (size_t i = 0; i < scn_n_top && nk < SCN_COUNT(known); i++)
        known[nk++] = scn_top[i].name;
    for (size_t i = 0; i < root->n_kids; i++) {
        const snode *k = root->kids[i];
        const scn_top_setting *t = scn_top_find(k->name);
        if (!t)
            scn_unknown(L, k, k->name, known, nk);
        else if (t->check)
            t->check(L, k);
    }
    size_t n_vars = 0;
    for (size_t g = 0; g < SCN_COUNT(scn_var_groups); g++) {
        const snode *vg = snode_get(root, scn_var_groups[g]);
        n_vars += vg && vg->type == SNODE_GROUP ? vg->n_kids : 0;
    }
    if (n_vars > SCN_MAX_VARS)
        scn_error(L, top, 0, NULL, "%zu variables: more than %d in params, "
                  "events, states and derived together", n_vars,
                  SCN_MAX_VARS);
    scn_check_sim(L, snode_get(root, "simulation"), top);
}

/* The default name: the base name of PATH without ".cfg", malloc'd. */
static char *scn_default_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".cfg") == 0)
        len -= 4;
    return strndup(base, len);
}

/* Appends to SIM the default setting NAME, the string S or else the
 * integer I, unless SIM has it. 0, or -1 when out of memory. */
static int scn_add_default(snode *sim, const char *name, int64_t i,
                           const char *s)
{
    if (snode_get(sim, name))
        return 0;
    snode *n = s ? scn_string_node(name, s, SCN_FROM_DEFAULT, 0)
                 : scn_node(name, SNODE_INT, SCN_FROM_DEFAULT, 0);
    if (n && !s)
        n->v.i = i;
    return scn_append(sim, n);
}

/* Adds what the checks let default: name, title, and in `simulation`
 * trials, step, seed and sampler, so that the written scenario says how it
 * runs; name, title and description go first, for the reader. 0, or -1
 * when out of memory. */
int scn_fill_defaults(scn_loader *L, snode *root)
{
    const char *top = root->file;
    if (!snode_get(root, "name")) {
        char *name = scn_default_name(L->s->path);
        if (!name)
            return -1;
        if (!scn_name_ok(name))
            scn_error(L, top, 0, "name",
                      "'%s' (from the file name) is not a valid name; add "
                      "name = \"...\"; to the file (use only a-z, 0-9, '_' "
                      "and '-')", name);
        int r = scn_append(root, scn_string_node("name", name,
                                                 SCN_FROM_DEFAULT, 0));
        free(name);
        if (r != 0)
            return -1;
    }
    const snode *name = snode_get(root, "name");
    if (!snode_get(root, "title") && name->type == SNODE_STRING &&
        scn_append(root, scn_string_node("title", name->v.s,
                                         SCN_FROM_DEFAULT, 0)) != 0)
        return -1;
    size_t front = 0;
    for (size_t k = 0; k < SCN_COUNT(scn_own_keys); k++)
        if (snode_get(root, scn_own_keys[k]))
            scn_move(root, scn_own_keys[k], front++);
    snode *sim = (snode *)snode_get(root, "simulation");
    if (!sim || sim->type != SNODE_GROUP)
        return 0;
    const scenario_sim *v = &L->s->sim;
    if (scn_add_default(sim, "trials", SCN_DEFAULT_TRIALS, NULL) != 0 ||
        scn_add_default(sim, "step", 0, v->step_unit) != 0 ||
        scn_add_default(sim, "seed", SCN_DEFAULT_SEED, NULL) != 0 ||
        scn_add_default(sim, "sampler", 0, v->sampler) != 0)
        return -1;
    return 0;
}
