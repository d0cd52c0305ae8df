/* extends.c: follows a scenario's `extends` chain and lays each file over its parent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "scenario/scn.h"
#include "base/status.h"

/* Lays CHILD over PARENT (both groups), taking CHILD: settings of both
 * groups merge recursively, any other child value replaces the parent's in
 * its place, new settings follow the parent's. The merged group is where
 * the child put it. Returns 0, or -1 when out of memory. */
int scn_merge(snode *parent, snode *child)
{
    int rc = 0;
    for (size_t i = 0; i < child->n_kids; i++) {
        snode *k = child->kids[i];
        child->kids[i] = NULL;
        size_t at = scn_index(parent, k->name);
        if (at == SCN_NONE) {
            if (scn_append(parent, k) != 0)
                rc = -1;
        } else if (k->type == SNODE_GROUP && parent->kids[at]->type == SNODE_GROUP) {
            if (scn_merge(parent->kids[at], k) != 0)
                rc = -1;
        } else {
            scn_node_free(parent->kids[at]);
            parent->kids[at] = k;
        }
    }
    parent->file = child->file;
    parent->line = child->line;
    child->n_kids = 0;
    scn_node_free(child);
    return rc;
}

/* "cycle: a.cfg -> b.cfg -> a.cfg": SHOWN[FIRST..N-1], then AGAIN. */
static void scn_cycle_error(scn_loader *L, const snode *ext, char **shown,
                            size_t first, size_t n, const char *again)
{
    char *chain = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&chain, &len);
    if (!f) {
        scn_oom(L);
        return;
    }
    for (size_t j = first; j < n; j++)
        fprintf(f, "%s -> ", shown[j]);
    fputs(again, f);
    fclose(f);
    scn_error(L, ext->file, ext->line, "extends", "cycle: %s", chain);
    free(chain);
}

/* Settings that describe a variable rather than define it: kept when a
 * child file redefines the variable. */
static const char *const scn_described_by[] = { "label", "unit", "note",
                                                "source" };

/* Before CHILD is laid over PARENT (both roots): a variable that the child
 * gives a different `dist` is redefined, not merged, so that a constant
 * may become a distribution (the parent's arguments would not fit the new
 * dist, and the error would blame the parent). Only the parent's
 * descriptive settings stay. */
static void scn_redefine(snode *parent, const snode *child)
{
    for (size_t g = 0; g < SCN_COUNT(scn_var_groups); g++) {
        const snode *cg = snode_get(child, scn_var_groups[g]);
        snode *pg = (snode *)snode_get(parent, scn_var_groups[g]);
        if (!cg || !pg || cg->type != SNODE_GROUP || pg->type != SNODE_GROUP)
            continue;
        for (size_t i = 0; i < cg->n_kids; i++) {
            const snode *cd = snode_get(cg->kids[i], "dist");
            snode *pv = (snode *)snode_get(pg, cg->kids[i]->name);
            const snode *pd = snode_get(pv, "dist");
            if (!cd || !pv || pv->type != SNODE_GROUP
                || (pd && pd->type == SNODE_STRING && cd->type == SNODE_STRING
                    && strcmp(pd->v.s, cd->v.s) == 0))
                continue;
            for (size_t k = pv->n_kids; k-- > 0; ) {
                size_t d = 0;
                while (d < SCN_COUNT(scn_described_by)
                       && strcmp(pv->kids[k]->name, scn_described_by[d]) != 0)
                    d++;
                if (d == SCN_COUNT(scn_described_by))
                    scn_node_free(scn_detach(pv, k));
            }
        }
    }
}

/* Before CHILD is laid over PARENT (both roots): marks each variable the
 * child adds, one the parent does not define. */
static void scn_mark_added(const snode *parent, snode *child)
{
    for (size_t g = 0; g < SCN_COUNT(scn_var_groups); g++) {
        const snode *cg = snode_get(child, scn_var_groups[g]);
        if (!cg || cg->type != SNODE_GROUP)
            continue;
        for (size_t i = 0; i < cg->n_kids; i++) {
            int known = 0;
            for (size_t h = 0; h < SCN_COUNT(scn_var_groups) && !known; h++)
                known = snode_get(snode_get(parent, scn_var_groups[h]),
                                  cg->kids[i]->name) != NULL;
            cg->kids[i]->added = !known;
        }
    }
}

/* `outputs_add = [...]` (an extension): its names are appended to the
 * merged `outputs` (once each), then it is removed; with no `outputs` the
 * default already lists every event, state and derived variable. 0, or -1
 * when out of memory. */
static int scn_outputs_add(snode *root)
{
    size_t at = scn_index(root, "outputs_add");
    if (at == SCN_NONE)
        return 0;
    snode *add = root->kids[at];
    snode *out = (snode *)snode_get(root, "outputs");
    if (add->type != SNODE_ARRAY || (out && out->type != SNODE_ARRAY))
        return 0;   /* the checks report the wrong type */
    for (size_t i = 0; i < add->n_kids; i++)
        if (add->kids[i]->type != SNODE_STRING)
            return 0;
    if (out) {
        for (size_t i = 0; i < add->n_kids; i++) {
            const snode *a = add->kids[i];
            int have = 0;
            for (size_t j = 0; a->type == SNODE_STRING && j < out->n_kids; j++)
                have |= out->kids[j]->type == SNODE_STRING
                        && strcmp(out->kids[j]->v.s, a->v.s) == 0;
            if (!have && a->type == SNODE_STRING
                && scn_append(out, scn_string_node(NULL, a->v.s, a->file,
                                                   a->line)) != 0)
                return -1;
        }
    }
    scn_node_free(scn_detach(root, scn_index(root, "outputs_add")));
    return 0;
}

/* The files of an extends chain, as read: the scenario first, then the
 * file it extends, and so on. */
typedef struct scn_chain {
    char *shown[SCN_MAX_CHAIN];  /* paths as written or reached (owned) */
    char *real[SCN_MAX_CHAIN];   /* the same, resolved: finds cycles (owned) */
    snode *tree[SCN_MAX_CHAIN];  /* each file's tree (owned) */
    size_t n;
} scn_chain;

/* Reads CUR (owned: taken by C, or freed) as the next file of C, reached
 * by the extends setting EXT (NULL for the scenario itself). 0, or an
 * exit code after adding messages (a file that cannot be read, a cycle,
 * too long a chain). */
static int chain_read(scn_loader *L, scn_chain *c, char *cur,
                      const snode *ext)
{
    char *rp = realpath(cur, NULL);
    if (!rp) {
        scn_cannot_read(L, cur, ext ? ext->file : NULL, ext ? ext->line : 0,
                        errno);
        free(cur);
        return NCG_ERR_IO;
    }
    for (size_t j = 0; j < c->n; j++) {
        if (strcmp(c->real[j], rp) == 0) {
            scn_cycle_error(L, ext, c->shown, j, c->n, cur);
            free(rp);
            free(cur);
            return NCG_ERR_SCENARIO;
        }
    }
    if (c->n == SCN_MAX_CHAIN) {
        scn_error(L, ext->file, ext->line, "extends",
                  "more than %d files in the chain", SCN_MAX_CHAIN);
        free(rp);
        free(cur);
        return NCG_ERR_SCENARIO;
    }
    c->shown[c->n] = cur;
    c->real[c->n] = rp;
    return scn_read(L, cur, ext ? ext->file : NULL, ext ? ext->line : 0,
                    &c->tree[c->n++]);
}

/* Takes the `extends` setting out of the last file read into *EXT and
 * the path of the file it names into *NEXT (malloc'd); both NULL when
 * the last file extends nothing. 0, or an exit code after adding
 * messages. */
static int chain_parent(scn_loader *L, scn_chain *c, snode **ext,
                        char **next)
{
    size_t at = scn_index(c->tree[c->n - 1], "extends");
    *ext = NULL;
    *next = NULL;
    if (at == SCN_NONE)
        return 0;
    *ext = scn_detach(c->tree[c->n - 1], at);
    if ((*ext)->type != SNODE_STRING) {
        scn_error(L, (*ext)->file, (*ext)->line, "extends",
                  "expected a string, found %s", snode_type_name(*ext));
        return NCG_ERR_SCENARIO;
    }
    if (!(*ext)->v.s[0]) {
        scn_error(L, (*ext)->file, (*ext)->line, "extends",
                  "must not be empty");
        return NCG_ERR_SCENARIO;
    }
    if (!(*next = scn_parent_path(c->shown[c->n - 1], (*ext)->v.s))) {
        scn_oom(L);
        return NCG_ERR_IO;
    }
    return 0;
}

/* Lays each file of C over all it extends, oldest ancestor first, into
 * *OUT (C keeps nothing). 0, or an exit code after adding messages. */
static int chain_merge(scn_loader *L, scn_chain *c, snode **out)
{
    for (size_t i = c->n - 1; i > 0; i--) {
        for (size_t k = 0; k < SCN_COUNT(scn_own_keys); k++)
            scn_drop(c->tree[i], scn_own_keys[k]);
        scn_mark_added(c->tree[i], c->tree[i - 1]);
        scn_redefine(c->tree[i], c->tree[i - 1]);
        int m = scn_merge(c->tree[i], c->tree[i - 1]);
        c->tree[i - 1] = c->tree[i];
        c->tree[i] = NULL;
        if (m != 0) {
            scn_oom(L);
            return NCG_ERR_IO;
        }
    }
    if (scn_outputs_add(c->tree[0]) != 0) {
        scn_oom(L);
        return NCG_ERR_IO;
    }
    *out = c->tree[0];
    c->tree[0] = NULL;
    return 0;
}

/* Loads PATH and every file it extends, and merges them into *OUT (the
 * top-level `extends`, and the parents' name, title and description, are
 * gone). Returns 0, or an exit code after adding messages. */
int scn_load_chain(scn_loader *L, const char *path, snode **out)
{
    scn_chain c = { 0 };
    snode *ext = NULL;   /* the extends setting that leads to CUR */
    char *cur = strdup(path);
    int rc = 0;
    *out = NULL;
    if (!cur) {
        scn_oom(L);
        return NCG_ERR_IO;
    }
    while (cur && rc == 0) {
        rc = chain_read(L, &c, cur, ext);
        scn_node_free(ext);
        ext = NULL;
        cur = NULL;
        if (rc == 0)
            rc = chain_parent(L, &c, &ext, &cur);
    }
    if (rc == 0)
        rc = chain_merge(L, &c, out);
    scn_node_free(ext);
    free(cur);
    for (size_t i = 0; i < c.n; i++) {
        free(c.shown[i]);
        free(c.real[i]);
        scn_node_free(c.tree[i]);
    }
    return rc;
}
