/* diff.c: the settings one resolved scenario changes against another (ncgsim diff, the report). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/diff.h"
#include "base/term.h"

/* Settings never inherited, so always "changed": shown on their own. */
static const char *const diff_skipped[] = { "name", "title", "description" };

/* ---- values as scenario text ---- */

static void diff_put_string(const char *s, FILE *out)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        case '\r': fputs("\\r", out); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(out, "\\x%02X", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

static void diff_put_value(const snode *n, FILE *out)
{
    const char *open = "[", *close = "]";
    switch (n->type) {
    case SNODE_INT:
        fprintf(out, "%" PRId64, n->v.i);
        return;
    case SNODE_FLOAT: {
        /* Shortest text that reads back exactly, looking like a float. */
        char buf[40];
        int prec = 6;
        do
            snprintf(buf, sizeof buf, "%.*g", prec, n->v.f);
        while (strtod(buf, NULL) != n->v.f && ++prec <= 17);
        fputs(buf, out);
        if (!strpbrk(buf, ".eEn"))
            fputs(".0", out);
        return;
    }
    case SNODE_BOOL:
        fputs(n->v.i ? "true" : "false", out);
        return;
    case SNODE_STRING:
        diff_put_string(n->v.s, out);
        return;
    case SNODE_GROUP:
        open = "{ ";
        close = " }";
        break;
    case SNODE_LIST:
        open = "(";
        close = ")";
        break;
    case SNODE_ARRAY:
        break;
    }
    fputs(open, out);
    for (size_t i = 0; i < n->n_kids; i++) {
        const snode *k = n->kids[i];
        if (n->type == SNODE_GROUP)
            fprintf(out, "%s = ", k->name);
        diff_put_value(k, out);
        if (n->type == SNODE_GROUP)
            fputc(';', out);
        if (i + 1 < n->n_kids)
            fputs(n->type == SNODE_GROUP ? " " : ", ", out);
    }
    fputs(close, out);
}

char *diff_value_text(const snode *n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    diff_put_value(n, f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* 1 when A and B hold the same value (numbers by value). */
static int diff_same(const snode *a, const snode *b)
{
    double x, y;
    if (snode_number(a, &x) && snode_number(b, &y))
        return x == y || (x != x && y != y);
    if (a->type != b->type || a->n_kids != b->n_kids)
        return 0;
    switch (a->type) {
    case SNODE_STRING:
        return strcmp(a->v.s, b->v.s) == 0;
    case SNODE_BOOL:
        return a->v.i == b->v.i;
    case SNODE_GROUP:
        for (size_t i = 0; i < a->n_kids; i++) {
            const snode *k = snode_get(b, a->kids[i]->name);
            if (!k || !diff_same(a->kids[i], k))
                return 0;
        }
        return 1;
    default:
        for (size_t i = 0; i < a->n_kids; i++)
            if (!diff_same(a->kids[i], b->kids[i]))
                return 0;
        return 1;
    }
}

/* ---- walking both trees ---- */

typedef struct diff_walk {
    diff_list *l;
    const snode *stack_a[64], *stack_b[64];  /* groups around the setting */
    int depth;
    int failed;
} diff_walk;

/* The string KEY of the innermost group on STACK (DEPTH deep) that has
 * one, or NULL. */
static const char *diff_nearest(const snode *const *stack, int depth,
                                const char *key)
{
    for (int i = depth - 1; i >= 1; i--) {
        const snode *k = stack[i] ? snode_get(stack[i], key) : NULL;
        if (k && k->type == SNODE_STRING)
            return k->v.s;
    }
    return NULL;
}

static void diff_add(diff_walk *w, const char *path, const snode *a,
                     const snode *b)
{
    diff_list *l = w->l;
    diff_entry *ne = realloc(l->e, (l->n + 1) * sizeof *ne);
    if (!ne) {
        w->failed = 1;
        return;
    }
    l->e = ne;
    diff_entry *e = &l->e[l->n];
    memset(e, 0, sizeof *e);
    e->path = strdup(path);
    e->old_node = a;
    e->new_node = b;
    e->old_value = a ? diff_value_text(a) : NULL;
    e->new_value = b ? diff_value_text(b) : NULL;
    if (!e->path || (a && !e->old_value) || (b && !e->new_value)) {
        free(e->path);
        free(e->old_value);
        free(e->new_value);
        w->failed = 1;
        return;
    }
    e->old_source = diff_nearest(w->stack_a, w->depth, "source");
    e->new_source = diff_nearest(w->stack_b, w->depth, "source");
    e->old_note = diff_nearest(w->stack_a, w->depth, "note");
    e->new_note = diff_nearest(w->stack_b, w->depth, "note");
    e->label = diff_nearest(w->stack_b, w->depth, "label");
    if (!e->label)
        e->label = diff_nearest(w->stack_a, w->depth, "label");
    l->n++;
}

static void diff_node(diff_walk *w, const char *path, const snode *a,
                      const snode *b);

/* The kids of groups A and B (either may be NULL) under PATH. */
static void diff_group(diff_walk *w, const char *path, const snode *a,
                       const snode *b)
{
    if (w->depth >= 63) {      /* deeper than any scenario: one value */
        diff_add(w, path, a, b);
        return;
    }
    w->stack_a[w->depth] = a;
    w->stack_b[w->depth] = b;
    w->depth++;
    for (int side = 0; side < 2 && !w->failed; side++) {
        const snode *g = side ? b : a, *other = side ? a : b;
        for (size_t i = 0; g && i < g->n_kids && !w->failed; i++) {
            const char *name = g->kids[i]->name;
            const snode *o = snode_get(other, name);
            if (side == 1 && o)
                continue;           /* done from A's side */
            if (w->depth == 1) {
                int skip = 0;
                for (size_t s = 0; s < 3; s++)
                    skip |= strcmp(name, diff_skipped[s]) == 0;
                if (skip)
                    continue;
            }
            size_t n = strlen(path) + strlen(name) + 2;
            char *kp = malloc(n);
            if (!kp) {
                w->failed = 1;
                break;
            }
            snprintf(kp, n, "%s%s%s", path, *path ? "." : "", name);
            diff_node(w, kp, side ? o : g->kids[i], side ? g->kids[i] : o);
            free(kp);
        }
    }
    w->depth--;
}

static void diff_node(diff_walk *w, const char *path, const snode *a,
                      const snode *b)
{
    int ga = a && a->type == SNODE_GROUP, gb = b && b->type == SNODE_GROUP;
    if ((ga || !a) && (gb || !b)) {
        diff_group(w, path, a, b);
    } else if (ga || gb) {
        /* A group on one side, a value on the other: both in full. */
        diff_add(w, path, ga ? NULL : a, gb ? NULL : b);
        diff_group(w, path, ga ? a : NULL, gb ? b : NULL);
    } else if (!a || !b || !diff_same(a, b)) {
        diff_add(w, path, a, b);
    }
}

diff_list *diff_scenarios(const scenario *a, const scenario *b)
{
    diff_walk w;
    memset(&w, 0, sizeof w);
    w.l = calloc(1, sizeof *w.l);
    if (!w.l)
        return NULL;
    diff_group(&w, "", a->root, b->root);
    if (w.failed) {
        diff_free(w.l);
        return NULL;
    }
    return w.l;
}

void diff_free(diff_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->e[i].path);
        free(l->e[i].old_value);
        free(l->e[i].new_value);
    }
    free(l->e);
    free(l);
}

/* ---- text output ---- */

static void diff_put_origin(const snode *n, FILE *out)
{
    if (n && n->line > 0)
        fprintf(out, "    # %s:%d", n->file, n->line);
    else if (n && n->file)
        fprintf(out, "    # %s", n->file);
    fputc('\n', out);
}

/* "  WHAT: NOW", and "  WHAT (reference): OLD" when the reference's
 * differs. */
static void diff_put_cited(const char *what, const char *old, const char *now,
                           FILE *out)
{
    if (now)
        fprintf(out, "  %s: %s\n", what, now);
    if (old && (!now || strcmp(old, now) != 0))
        fprintf(out, "  %s (reference): %s\n", what, old);
}

int diff_print(const diff_list *l, const scenario *a, const scenario *b,
               FILE *out)
{
    char ta[1024], tb[1024];
    fprintf(out, "--- %s: %s (reference)\n+++ %s: %s\n", a->path,
            term_escape(a->title, ta, sizeof ta), b->path,
            term_escape(b->title, tb, sizeof tb));
    for (size_t i = 0; i < l->n; i++) {
        const diff_entry *e = &l->e[i];
        fprintf(out, "\n%s\n", e->path);
        if (e->old_value) {
            fprintf(out, "  - %s", e->old_value);
            diff_put_origin(e->old_node, out);
        } else {
            fputs("  - (not set)\n", out);
        }
        if (e->new_value) {
            fprintf(out, "  + %s", e->new_value);
            diff_put_origin(e->new_node, out);
        } else {
            fputs("  + (not set)\n", out);
        }
        diff_put_cited("source", e->old_source, e->new_source, out);
        diff_put_cited("note", e->old_note, e->new_note, out);
    }
    fprintf(out, "\n%zu setting%s differ%s.\n", l->n, l->n == 1 ? "" : "s",
            l->n == 1 ? "s" : "");
    return ferror(out) ? -1 : 0;
}
