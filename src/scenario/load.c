/* load.c: reads one scenario file (and what it @includes) into a tree, and scenario_load, which runs every stage. */
#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/ncgsim.h"
#include "scenario/scn.h"
#include "base/status.h"

/* Adds "FILE:LINE: PATH: message" to L's list and counts it. */
void scn_error(scn_loader *L, const char *file, int line,
                      const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = scn_vformat(fmt, ap);
    va_end(ap);
    diag_add(L->d, file, line, path, "%s", msg ? msg : "out of memory");
    free(msg);
    L->errors++;
}

void scn_oom(scn_loader *L)
{
    scn_error(L, NULL, 0, NULL, "out of memory");
}

/* The copy of NAME kept in the scenario's file list (added when new), or
 * NULL when out of memory. */
const char *scn_intern(scn_loader *L, const char *name)
{
    scenario *s = L->s;
    for (size_t i = 0; i < s->n_files; i++)
        if (strcmp(s->files[i], name) == 0)
            return s->files[i];
    char **f = realloc(s->files, (s->n_files + 1) * sizeof *f);
    if (!f)
        return NULL;
    s->files = f;
    if (!(f[s->n_files] = strdup(name)))
        return NULL;
    return f[s->n_files++];
}

/* The path of the parent REL named in CHILD: REL itself when absolute,
 * else REL in CHILD's folder. Malloc'd, or NULL when out of memory. */
char *scn_parent_path(const char *child, const char *rel)
{
    const char *slash = strrchr(child, '/');
    size_t dlen = rel[0] == '/' || !slash ? 0 : (size_t)(slash - child) + 1;
    size_t rlen = strlen(rel);
    char *p = malloc(dlen + rlen + 1);
    if (p) {
        memcpy(p, child, dlen);
        memcpy(p + dlen, rel, rlen + 1);
    }
    return p;
}

/* A copy of libconfig setting CS (and everything under it) as an snode
 * tree, each node with the file and line SRC maps it to; PATH is its
 * dotted path for messages. NULL when out of memory. */
static snode *scn_convert(scn_loader *L, const scn_source *src,
                          const config_setting_t *cs, const char *path)
{
    const char *file;
    int line;
    scn_source_where(src, (int)config_setting_source_line(cs), &file, &line);
    snode *n = NULL;
    switch (config_setting_type(cs)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        if ((n = scn_node(config_setting_name(cs), SNODE_INT, file, line)))
            n->v.i = config_setting_get_int64(cs);
        return n;
    case CONFIG_TYPE_FLOAT:
        if ((n = scn_node(config_setting_name(cs), SNODE_FLOAT, file, line)))
            n->v.f = config_setting_get_float(cs);
        /* 1e999 reads as infinity, which no later stage could use. */
        if (n && !isfinite(n->v.f))
            scn_error(L, file, line, path, "number is too large");
        return n;
    case CONFIG_TYPE_BOOL:
        if ((n = scn_node(config_setting_name(cs), SNODE_BOOL, file, line)))
            n->v.i = config_setting_get_bool(cs) != 0;
        return n;
    case CONFIG_TYPE_STRING:
        return scn_string_node(config_setting_name(cs),
                               config_setting_get_string(cs), file, line);
    case CONFIG_TYPE_GROUP:
        n = scn_node(config_setting_name(cs), SNODE_GROUP, file, line);
        break;
    case CONFIG_TYPE_ARRAY:
        n = scn_node(config_setting_name(cs), SNODE_ARRAY, file, line);
        break;
    case CONFIG_TYPE_LIST:
        n = scn_node(config_setting_name(cs), SNODE_LIST, file, line);
        break;
    default:
        return NULL;
    }
    int count = config_setting_length(cs);
    for (int i = 0; n && i < count; i++) {
        const config_setting_t *kid = config_setting_get_elem(cs, (unsigned)i);
        char *kpath = scn_path(path, config_setting_name(kid), (size_t)i);
        snode *k = kpath ? scn_convert(L, src, kid, kpath) : NULL;
        free(kpath);
        if (scn_append(n, k) != 0) {
            scn_node_free(n);
            n = NULL;
        }
    }
    return n;
}

void scn_cannot_read(scn_loader *L, const char *display, const char *from,
                     int from_line, int err)
{
    const char *why = err == EFBIG ? " (a scenario file is at most 16 MB)"
                                   : "";
    if (from)
        scn_error(L, from, from_line, "extends", "cannot read '%s': %s%s",
                  display, scn_read_error(err), why);
    else
        scn_error(L, display, 0, NULL, "cannot read: %s%s",
                  scn_read_error(err), why);
}

int scn_read(scn_loader *L, const char *display, const char *from,
             int from_line, snode **out)
{
    scn_source src;
    config_t cfg;
    config_init(&cfg);
    *out = NULL;
    int rc = scn_source_read(L, display, from, from_line, &src);
    if (rc)
        goto end;
    /* Every @include is expanded already; should libconfig still meet one,
     * it must not open anything: under a regular file, no path exists. */
    config_set_include_dir(&cfg, display);
    int wide = scn_source_widest_group(&src);
    if (wide != 0) {
        const char *file;
        int line;
        scn_source_where(&src, wide, &file, &line);
        if (wide < 0)
            scn_oom(L);
        else
            scn_error(L, file, line, NULL, "more than %d settings in one "
                      "group", SCN_MAX_GROUP);
        rc = wide < 0 ? NCG_ERR_IO : NCG_ERR_SCENARIO;
        goto end;
    }
    if (!config_read_string(&cfg, src.text)) {
        const char *etext = config_error_text(&cfg);
        const char *file;
        int line;
        scn_source_where(&src, config_error_line(&cfg), &file, &line);
        if (!etext || strcmp(etext, "syntax error") == 0)
            scn_error(L, file, line, NULL, "syntax error");
        else
            scn_error(L, file, line, NULL, "syntax error: %s", etext);
        rc = NCG_ERR_SCENARIO;
        goto end;
    }
    /* A wrapped-around integer would only cause confusing later errors. */
    if (scn_source_check_ints(L, &src) > 0) {
        rc = NCG_ERR_SCENARIO;
        goto end;
    }
    *out = scn_convert(L, &src, config_root_setting(&cfg), NULL);
    if (!*out) {
        scn_oom(L);
        rc = NCG_ERR_IO;
        goto end;
    }
    (*out)->file = src.spans[0].file;
    (*out)->line = 0;
end:
    config_destroy(&cfg);
    scn_source_free(&src);
    return rc;
}

/* scenario_load; with KEEP, content errors (exit NCG_ERR_SCENARIO after
 * the whole file was read) still give *OUT. */
static int scn_load(const char *path, const scenario_opts *opts,
                    scenario **out, diag *d, int keep)
{
    scn_loader L = { calloc(1, sizeof(scenario)), d, 0 };
    int rc = 0;
    *out = NULL;
    if (!L.s || !(L.s->path = strdup(path))) {
        scn_oom(&L);
        rc = NCG_ERR_IO;
        goto end;
    }
    rc = scn_load_chain(&L, path, &L.s->root);
    if (rc)
        goto end;
    snode *root = L.s->root;
    for (size_t i = 0; opts && i < opts->n_sets; i++)
        scn_apply_set(&L, root, opts->sets[i]);
    if (opts && opts->has_trials)
        scn_set_uint(&L, root, "simulation.trials", opts->trials, SCN_FROM_TRIALS);
    if (opts && opts->has_seed)
        scn_set_uint(&L, root, "simulation.seed", opts->seed, SCN_FROM_SEED);
    scn_check_top(&L, root, root->file);
    if (scn_fill_defaults(&L, root) != 0) {
        scn_oom(&L);
        rc = NCG_ERR_IO;
        goto end;
    }
    if (L.errors && !keep) {
        rc = NCG_ERR_SCENARIO;
        goto end;
    }
    const snode *name = snode_get(root, "name");
    const snode *title = snode_get(root, "title");
    const snode *desc = snode_get(root, "description");
    L.s->name = name && name->type == SNODE_STRING ? name->v.s : "";
    L.s->title = title && title->type == SNODE_STRING ? title->v.s : "";
    L.s->description = desc && desc->type == SNODE_STRING ? desc->v.s : NULL;
    rc = L.errors ? NCG_ERR_SCENARIO : 0;
    *out = L.s;
    L.s = NULL;
end:
    scenario_free(L.s);
    return rc;
}

int scenario_load(const char *path, const scenario_opts *opts,
                  scenario **out, diag *d)
{
    return scn_load(path, opts, out, d, 0);
}

int scenario_load_all(const char *path, const scenario_opts *opts,
                      scenario **out, diag *d)
{
    return scn_load(path, opts, out, d, 1);
}

void scenario_free(scenario *s)
{
    if (!s)
        return;
    scn_node_free(s->root);
    free(s->path);
    for (size_t i = 0; i < s->n_files; i++)
        free(s->files[i]);
    free(s->files);
    free(s);
}
