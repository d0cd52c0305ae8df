/* set.c: command-line overrides (--set PATH=VALUE, --trials, --seed). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scenario/scn.h"

/* 1 when [S, S+LEN) is a setting name libconfig can write back. */
static int scn_setting_name_ok(const char *s, size_t len)
{
    if (len == 0 || !isalpha((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
            return 0;
    return 1;
}

/* TEXT as a node: a boolean for "true"/"false", a number when all of it
 * is one (an integer without '.' or exponent, unless it overflows 64 bits:
 * then its digits are kept as a string), else the string itself (an
 * expression, a title...). NULL when out of memory. */
static snode *scn_value_node(const char *text, const char *origin)
{
    snode *n;
    if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
        if ((n = scn_node(NULL, SNODE_BOOL, origin, 0)))
            n->v.i = text[0] == 't';
        return n;
    }
    /* Only plain decimal numbers: strtod alone would also take "inf",
     * "nan", hex and leading blanks. */
    int numeric = *text && strspn(text, "0123456789+-.eE") == strlen(text);
    char *end = NULL;
    double v = numeric ? strtod(text, &end) : 0.0;
    if (!numeric || *end || end == text || !isfinite(v))
        return scn_string_node(NULL, text, origin, 0);
    if (!strpbrk(text, ".eE")) {
        errno = 0;
        long long i = strtoll(text, NULL, 10);
        if (errno == ERANGE)
            return scn_string_node(NULL, text, origin, 0);
        if ((n = scn_node(NULL, SNODE_INT, origin, 0)))
            n->v.i = i;
        return n;
    }
    if ((n = scn_node(NULL, SNODE_FLOAT, origin, 0)))
        n->v.f = v;
    return n;
}

/* Puts VALUE (taken) at dotted PATH under ROOT: an existing setting is
 * replaced in its place, missing groups and the leaf are created with
 * file ORIGIN. Reports "ORIGIN: PATH: ..." when a step is not a group. */
static void scn_set_path(scn_loader *L, snode *root, const char *path,
                         snode *value, const char *origin)
{
    snode *g = root;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        char *name = strndup(p, len);
        if (!name) {
            scn_oom(L);
            break;
        }
        size_t at = scn_index(g, name);
        if (!dot) {
            free(value->name);
            value->name = name;
            if (at == SCN_NONE) {
                if (scn_append(g, value) != 0)
                    scn_oom(L);
            } else {
                scn_node_free(g->kids[at]);
                g->kids[at] = value;
            }
            return;
        }
        if (at == SCN_NONE) {
            snode *ng = scn_node(name, SNODE_GROUP, origin, 0);
            if (scn_append(g, ng) != 0) {
                free(name);
                scn_oom(L);
                break;
            }
            g = ng;
        } else if (g->kids[at]->type != SNODE_GROUP) {
            scn_error(L, origin, 0, path, "%.*s is %s, not a group",
                      (int)(dot - path), path, snode_type_name(g->kids[at]));
            free(name);
            break;
        } else {
            g = g->kids[at];
        }
        free(name);
        p = dot + 1;
    }
    scn_node_free(value);
}

/* Collects the names of every variable of ROOT (for suggestions) into a
 * malloc'd array *OUT of borrowed strings; returns how many. */
size_t scn_var_names(const snode *root, const char ***out)
{
    size_t n = 0;
    const snode *g[SCN_COUNT(scn_var_groups)];
    for (size_t k = 0; k < SCN_COUNT(scn_var_groups); k++) {
        g[k] = snode_get(root, scn_var_groups[k]);
        n += g[k] && g[k]->type == SNODE_GROUP ? g[k]->n_kids : 0;
    }
    const char **names = malloc((n ? n : 1) * sizeof *names);
    n = 0;
    for (size_t k = 0; names && k < SCN_COUNT(scn_var_groups); k++)
        for (size_t i = 0; g[k] && g[k]->type == SNODE_GROUP && i < g[k]->n_kids; i++)
            names[n++] = g[k]->kids[i]->name;
    *out = names;
    return names ? n : 0;
}

/* The dotted path a bare --set NAME stands for, malloc'd; NULL after a
 * message when NAME is unknown, ambiguous, or an event or a state (those
 * have several settings, so the user must say which). */
static char *scn_bare_path(scn_loader *L, const snode *root, const char *name)
{
    const char *found[SCN_COUNT(scn_var_groups)];
    size_t n = 0;
    for (size_t k = 0; k < SCN_COUNT(scn_var_groups); k++)
        if (snode_get(snode_get(root, scn_var_groups[k]), name))
            found[n++] = scn_var_groups[k];
    char *path = NULL;
    if (n == 0) {
        /* Top-level settings other than extends may be set by bare name. */
        if (strcmp(name, "extends") == 0) {
            scn_error(L, SCN_FROM_SET, 0, name,
                      "cannot be set from the command line");
            return NULL;
        }
        if (scn_top_find(name))
            return strdup(name);
        const char **names = NULL;
        size_t nn = scn_var_names(root, &names);
        const char *hint = diag_suggest(name, strlen(name), names, nn);
        if (hint)
            scn_error(L, SCN_FROM_SET, 0, name,
                      "no variable of that name in params, events, states or "
                      "derived (did you mean '%s'?)", hint);
        else
            scn_error(L, SCN_FROM_SET, 0, name,
                      "no variable of that name in params, events, states or "
                      "derived (to add a variable, write --set +params.%s=...)", name);
        free(names);
        return NULL;
    }
    if (n > 1) {
        char *list = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&list, &len);
        if (!f) {
            scn_oom(L);
            return NULL;
        }
        for (size_t k = 0; k < n; k++)
            fprintf(f, "%s%s.%s", k == 0 ? "" : k + 1 == n ? " or " : ", ",
                    found[k], name);
        fclose(f);
        scn_error(L, SCN_FROM_SET, 0, name,
                  "ambiguous, could be %s; write the full path", list);
        free(list);
        return NULL;
    }
    if (strcmp(found[0], "events") == 0) {
        scn_error(L, SCN_FROM_SET, 0, name,
                  "is an event; set one of its settings, e.g. events.%s.p", name);
        return NULL;
    }
    if (strcmp(found[0], "states") == 0) {
        scn_error(L, SCN_FROM_SET, 0, name,
                  "is a state; set one of its settings, e.g. states.%s.init "
                  "or states.%s.next", name, name);
        return NULL;
    }
    /* A derived variable written as a group keeps its label and notes: only
     * its expression changes. */
    const snode *v = snode_get(snode_get(root, found[0]), name);
    path = v->type == SNODE_GROUP && strcmp(found[0], "derived") == 0
        ? scn_format("derived.%s.value", name)
        : scn_format("%s.%s", found[0], name);
    if (!path)
        scn_oom(L);
    return path;
}

/* Applies one "PATH=VALUE" override to ROOT. */
/* 0 when the dotted PATH names an existing variable, or a setting below
 * one (its own settings are checked by the model), or no variable at all;
 * -1 after "no variable ... (did you mean ...)" when PATH would create a
 * new variable (GROUP.NAME...) that ADD (the '+' form) does not allow. */
static int scn_set_existing(scn_loader *L, const snode *root, const char *path,
                            int add)
{
    const char *dot = strchr(path, '.');
    if (add || !dot)
        return 0;
    size_t glen = (size_t)(dot - path);
    size_t k = 0;
    while (k < SCN_COUNT(scn_var_groups)
           && !(strlen(scn_var_groups[k]) == glen
                && strncmp(path, scn_var_groups[k], glen) == 0))
        k++;
    if (k == SCN_COUNT(scn_var_groups))
        return 0;
    const char *name = dot + 1;
    size_t nlen = strcspn(name, ".");
    const snode *g = snode_get(root, scn_var_groups[k]);
    for (size_t i = 0; g && g->type == SNODE_GROUP && i < g->n_kids; i++)
        if (strlen(g->kids[i]->name) == nlen
            && strncmp(g->kids[i]->name, name, nlen) == 0)
            return 0;
    const char **names = NULL;
    size_t nn = scn_var_names(root, &names);
    const char *hint = diag_suggest(name, nlen, names, nn);
    if (hint)
        scn_error(L, SCN_FROM_SET, 0, path, "no variable '%.*s' in %s (did "
                  "you mean '%s'?); to add a new one, write --set +%s=...",
                  (int)nlen, name, scn_var_groups[k], hint, path);
    else
        scn_error(L, SCN_FROM_SET, 0, path, "no variable '%.*s' in %s; to "
                  "add a new one, write --set +%s=...", (int)nlen, name,
                  scn_var_groups[k], path);
    free(names);
    return -1;
}

void scn_apply_set(scn_loader *L, snode *root, const char *arg)
{
    /* "+PATH=VALUE" may add a variable; plain PATH must name one. */
    int add = arg[0] == '+';
    arg += add;
    const char *eq = strchr(arg, '=');
    char *path = eq ? strndup(arg, (size_t)(eq - arg)) : NULL;
    int ok = path != NULL;
    for (const char *p = path; ok && p; ) {
        const char *dot = strchr(p, '.');
        ok = dot ? dot > p : *p != 0;
        p = dot ? dot + 1 : NULL;
    }
    if (!ok) {
        scn_error(L, SCN_FROM_SET, 0, NULL, "'%s': expected PATH=VALUE", arg);
        goto end;
    }
    for (const char *p = path; p; ) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (!scn_setting_name_ok(p, len)) {
            scn_error(L, SCN_FROM_SET, 0, path,
                      "'%.*s' is not a valid setting name (a letter, then "
                      "letters, digits, '_' or '-')", (int)len, p);
            goto end;
        }
        p = dot ? dot + 1 : NULL;
    }
    if (strncmp(path, "observations", 12) == 0
        && (path[12] == 0 || path[12] == '.')) {
        /* The record is data with its own file and lines: an override
         * would leave resolved.cfg unable to say where it came from. */
        scn_error(L, SCN_FROM_SET, 0, path, "observations cannot be changed "
                  "with --set (edit the file, or a file that extends it)");
        goto end;
    }
    if (scn_set_existing(L, root, path, add) != 0)
        goto end;
    if (!strchr(path, '.')) {
        char *full = scn_bare_path(L, root, path);
        if (!full)
            goto end;
        free(path);
        path = full;
    }
    snode *value = scn_value_node(eq + 1, SCN_FROM_SET);
    if (!value) {
        scn_oom(L);
        goto end;
    }
    /* A param the file calls a probability keeps that meaning when a
     * constant replaces it: 2 is no probability, whatever the expressions
     * that read it would make of it. */
    const snode *old = snode_find(root, path);
    const snode *unit = snode_get(old, "unit");
    double v;
    if (strncmp(path, "params.", 7) == 0 && unit && unit->type == SNODE_STRING
        && strcmp(unit->v.s, "probability") == 0 && snode_number(value, &v)
        && !(v >= 0 && v <= 1)) {
        scn_error(L, SCN_FROM_SET, 0, path, "%s is not a probability (the "
                  "file gives this param the unit 'probability'): give a "
                  "value from 0 to 1", eq + 1);
        scn_node_free(value);
        goto end;
    }
    scn_set_path(L, root, path, value, SCN_FROM_SET);
end:
    free(path);
}

/* Sets simulation.NAME to V from the command-line option ORIGIN. Values
 * past int64 are kept as their digits (a string), which the checks read. */
void scn_set_uint(scn_loader *L, snode *root, const char *path,
                         uint64_t v, const char *origin)
{
    snode *n;
    if (v > INT64_MAX) {
        char digits[24];
        snprintf(digits, sizeof digits, "%" PRIu64, v);
        n = scn_string_node(NULL, digits, origin, 0);
    } else if ((n = scn_node(NULL, SNODE_INT, origin, 0))) {
        n->v.i = (int64_t)v;
    }
    if (!n) {
        scn_oom(L);
        return;
    }
    scn_set_path(L, root, path, n, origin);
}
