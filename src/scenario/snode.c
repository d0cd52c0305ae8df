/* snode.c: the scenario tree: nodes, lookups, and the text helpers every stage of loading shares. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "scenario/scn.h"

/* ---- snode ---- */

const snode *snode_get(const snode *group, const char *name)
{
    if (!group || group->type != SNODE_GROUP || !name)
        return NULL;
    for (size_t i = 0; i < group->n_kids; i++)
        if (strcmp(group->kids[i]->name, name) == 0)
            return group->kids[i];
    return NULL;
}

const snode *snode_find(const snode *root, const char *path)
{
    const snode *n = root;
    char name[256];
    while (n && path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        if (len >= sizeof name)
            return NULL;
        memcpy(name, path, len);
        name[len] = 0;
        n = snode_get(n, name);
        path = dot ? dot + 1 : NULL;
    }
    return n;
}

int snode_number(const snode *n, double *out)
{
    if (n && n->type == SNODE_INT) {
        *out = (double)n->v.i;
        return 1;
    }
    if (n && n->type == SNODE_FLOAT) {
        *out = n->v.f;
        return 1;
    }
    return 0;
}

const char *snode_type_name(const snode *n)
{
    if (!n)
        return "nothing";
    switch (n->type) {
    case SNODE_INT: return "an integer";
    case SNODE_FLOAT: return "a number";
    case SNODE_STRING: return "a string";
    case SNODE_BOOL: return "a boolean";
    case SNODE_GROUP: return "a group";
    case SNODE_ARRAY: return "an array";
    case SNODE_LIST: return "a list";
    }
    return "a value";
}

/* A new childless node; NAME is copied (may be NULL). NULL when out of
 * memory. */
snode *scn_node(const char *name, snode_type type, const char *file,
                       int line)
{
    snode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    if (name && !(n->name = strdup(name))) {
        free(n);
        return NULL;
    }
    n->type = type;
    n->file = file;
    n->line = line;
    return n;
}

/* A new string node holding a copy of TEXT, or NULL when out of memory. */
snode *scn_string_node(const char *name, const char *text,
                              const char *file, int line)
{
    snode *n = scn_node(name, SNODE_STRING, file, line);
    if (n && !(n->v.s = strdup(text))) {
        free(n->name);
        free(n);
        return NULL;
    }
    return n;
}

void scn_node_free(snode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_kids; i++)
        scn_node_free(n->kids[i]);
    free(n->kids);
    if (n->type == SNODE_STRING)
        free(n->v.s);
    free(n->name);
    free(n);
}

/* Appends KID to PARENT, taking it: on failure (out of memory) KID is freed
 * and -1 returned. */
int scn_append(snode *parent, snode *kid)
{
    if (!kid)
        return -1;
    snode **k = realloc(parent->kids, (parent->n_kids + 1) * sizeof *k);
    if (!k) {
        scn_node_free(kid);
        return -1;
    }
    parent->kids = k;
    k[parent->n_kids++] = kid;
    return 0;
}

/* Position of the child NAME in GROUP, or SCN_NONE. */
size_t scn_index(const snode *group, const char *name)
{
    if (group->type != SNODE_GROUP)
        return SCN_NONE;
    for (size_t i = 0; i < group->n_kids; i++)
        if (strcmp(group->kids[i]->name, name) == 0)
            return i;
    return SCN_NONE;
}

/* Detaches and returns the I-th child of GROUP (the caller frees it). */
snode *scn_detach(snode *group, size_t i)
{
    snode *kid = group->kids[i];
    memmove(group->kids + i, group->kids + i + 1,
            (group->n_kids - i - 1) * sizeof *group->kids);
    group->n_kids--;
    return kid;
}

/* Moves the child NAME of GROUP, when there, to position TO (which must
 * not be past where it is). */
void scn_move(snode *group, const char *name, size_t to)
{
    size_t at = scn_index(group, name);
    if (at == SCN_NONE)
        return;
    snode *kid = group->kids[at];
    memmove(group->kids + to + 1, group->kids + to,
            (at - to) * sizeof *group->kids);
    group->kids[to] = kid;
}

void scn_drop(snode *group, const char *name)
{
    size_t i = scn_index(group, name);
    if (i != SCN_NONE)
        scn_node_free(scn_detach(group, i));
}

/* FMT formatted into a malloc'd string (asprintf is not in C11 or POSIX),
 * or NULL when out of memory. */
char *scn_vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    char *s = len < 0 ? NULL : malloc((size_t)len + 1);
    if (s)
        vsnprintf(s, (size_t)len + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

char *scn_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = scn_vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* "PARENT.NAME", "PARENT[I]" (NAME NULL) or NAME alone: malloc'd, or NULL
 * when out of memory. */
char *scn_path(const char *parent, const char *name, size_t i)
{
    if (!name)
        return scn_format("%s[%zu]", parent ? parent : "", i);
    if (parent && *parent)
        return scn_format("%s.%s", parent, name);
    return strdup(name);
}

/* The shortest text that reads back as exactly V, always looking like a
 * float to libconfig ("28500.0", "-0.0", "1e-300"). BUF holds 40 bytes. */
void scn_format_float(double v, char *buf)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (!strpbrk(buf, ".en"))
        strcat(buf, ".0");
}
