/* extends.c: follows a scenario's `extends` chain and lays each file over its parent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "scenario/scn.h"

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

/* Loads PATH and every file it extends, and merges them into *OUT (the
 * top-level `extends`, and the parents' name, title and description, are
 * gone). Returns 0, or an exit code after adding messages. */
int scn_load_chain(scn_loader *L, const char *path, snode **out)
{
    char *shown[SCN_MAX_CHAIN] = { 0 };  /* paths as written or reached */
    char *real[SCN_MAX_CHAIN] = { 0 };   /* the same, resolved: finds cycles */
    snode *tree[SCN_MAX_CHAIN] = { 0 };
    size_t n = 0;
    int rc = 0;
    snode *ext = NULL;   /* the extends setting that leads to CUR */
    char *cur = strdup(path);
    *out = NULL;
    while (cur) {
        char *rp = realpath(cur, NULL);
        if (!rp) {
            scn_cannot_read(L, cur, ext ? ext->file : NULL, ext ? ext->line : 0,
                            errno);
            rc = NCG_EXIT_IO;
            goto end;
        }
        for (size_t j = 0; j < n; j++) {
            if (strcmp(real[j], rp) == 0) {
                scn_cycle_error(L, ext, shown, j, n, cur);
                free(rp);
                rc = NCG_EXIT_SCENARIO;
                goto end;
            }
        }
        if (n == SCN_MAX_CHAIN) {
            scn_error(L, ext->file, ext->line, "extends",
                      "more than %d files in the chain", SCN_MAX_CHAIN);
            free(rp);
            rc = NCG_EXIT_SCENARIO;
            goto end;
        }
        shown[n] = cur;
        real[n] = rp;
        cur = NULL;
        rc = scn_read(L, shown[n], ext ? ext->file : NULL, ext ? ext->line : 0,
                      &tree[n]);
        n++;
        scn_node_free(ext);
        ext = NULL;
        if (rc)
            goto end;
        size_t at = scn_index(tree[n - 1], "extends");
        if (at == SCN_NONE)
            break;
        ext = scn_detach(tree[n - 1], at);
        if (ext->type != SNODE_STRING) {
            scn_error(L, ext->file, ext->line, "extends",
                      "expected a string, found %s", snode_type_name(ext));
            rc = NCG_EXIT_SCENARIO;
            goto end;
        }
        if (!ext->v.s[0]) {
            scn_error(L, ext->file, ext->line, "extends",
                      "must not be empty");
            rc = NCG_EXIT_SCENARIO;
            goto end;
        }
        if (!(cur = scn_parent_path(shown[n - 1], ext->v.s))) {
            scn_oom(L);
            rc = NCG_EXIT_IO;
            goto end;
        }
    }
    if (!cur && n == 0) {
        scn_oom(L);
        rc = NCG_EXIT_IO;
        goto end;
    }
    /* Oldest ancestor first: each file is laid over all it extends. */
    for (size_t i = n - 1; i > 0; i--) {
        for (size_t k = 0; k < SCN_COUNT(scn_own_keys); k++)
            scn_drop(tree[i], scn_own_keys[k]);
        int m = scn_merge(tree[i], tree[i - 1]);
        tree[i - 1] = tree[i];
        tree[i] = NULL;
        if (m != 0) {
            scn_oom(L);
            rc = NCG_EXIT_IO;
            goto end;
        }
    }
    *out = tree[0];
    tree[0] = NULL;
end:
    scn_node_free(ext);
    free(cur);
    for (size_t i = 0; i < n; i++) {
        free(shown[i]);
        free(real[i]);
        scn_node_free(tree[i]);
    }
    return rc;
}
