/* report.c: the briefing of a batch: one self-contained HTML page written from its result folders. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "analysis/diff.h"
#include "base/ncgsim.h"
#include "base/status.h"
#include "io/output.h"
#include "io/table.h"
#include "plot/discover_plot.h"
#include "plot/plot.h"
#include "plot/sens_plot.h"
#include "report/estimate.h"
#include "report/html.h"
#include "report/report.h"
#include "report/svg.h"
#include "scenario/scenario.h"

/* ------------------------------------------------------------ the data -- */

/* One scenario of the batch. */
typedef struct rp_scen {
    char *name;          /* as in scenarios.csv (owned) */
    char *title;         /* (owned) */
    char *dir;           /* its result folder (owned) */
    scenario *sc;        /* its resolved.cfg, loaded (owned) */
    table *sum;          /* its summary.csv (owned) */
    char hash[24];       /* model hash from resolved.cfg's header, or "" */
    double ess;          /* effective trials of a conditioned run (the
                            `ess` column of summary.csv), or NaN */
    diff_list *diff;     /* settings changed against the reference; NULL
                            for the reference (owned) */
} rp_scen;

/* One output of the batch (from the reference's rows). */
typedef struct rp_out {
    const char *var, *label, *unit;   /* borrowed from the tables */
    int event;           /* 1: shown as P(happened by the end) */
} rp_out;

/* The headline number of one output in one scenario. */
typedef struct rp_cell {
    double v, se, lo, hi;        /* mean, or P(ever) for an event; NaN when
                                    the scenario lacks the output */
    double dv, dse, dlo, dhi;    /* difference from the reference; NaN
                                    when there is none */
    int paired;                  /* 1 when the interval is paired */
} rp_cell;

/* A source cited, and by what. */
typedef struct rp_src {
    const char *text;    /* borrowed from a scenario */
    char *by;            /* "name: path; ..." (owned) */
} rp_src;

typedef struct report {
    const char *out;     /* the results folder */
    int procs;           /* report_opts.procs */
    rp_scen *s;          /* the scenarios, the reference first */
    size_t n;
    table *cmp;          /* compare.csv, or NULL for one scenario */
    char *cmp_dir;       /* OUT/compare, or NULL (owned) */
    rp_out *o;
    size_t n_out;
    rp_cell *cell;       /* n_out x n, output-major */
    rp_src *src;
    size_t n_src;
    char end_label[32];  /* the last step's label */
    int conditioned;     /* 1 when a scenario is conditioned on
                            observations (has effective trials) */
    const char *tmp;     /* the temporary folder (charts, the page) */
    size_t n_extra;      /* folders of other analyses drawn so far */
    FILE *f;             /* the page being written */
    diag *d;
} report;

/* ---- CSV files through io/table, by column name ---- */

/* PATH read into a malloc'd table, or NULL with a message in D. */
static table *rp_tread(const char *path, diag *d)
{
    table *t = calloc(1, sizeof *t);
    if (!t) {
        diag_add(d, path, 0, NULL, "out of memory");
        return NULL;
    }
    if (table_read(path, t, d) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

static void rp_tfree(table *t)
{
    if (t)
        table_free(t);
    free(t);
}

static size_t rp_trows(const table *t)
{
    return t->nrow;
}

/* The column named NAME, or -1 (a file from before the column existed). */
static int rp_tcol(const table *t, const char *name)
{
    return (int)table_find(t, name);
}

/* Cell (R, C), or "" when C is -1. */
static const char *rp_tget(const table *t, size_t r, int c)
{
    return c < 0 || (size_t)c >= t->ncol || r >= t->nrow
           ? "" : table_cell(t, r, (size_t)c);
}

/* Cell (R, C) as a number; NaN when empty, not a number, or C is -1. */
static double rp_tnum(const table *t, size_t r, int c)
{
    const char *s = rp_tget(t, r, c);
    char *end;
    double v = strtod(s, &end);
    return *s && *end == '\0' ? v : NAN;
}

static int rp_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static rp_cell *rp_at(const report *r, size_t o, size_t i)
{
    return &r->cell[o * r->n + i];
}

/* 1 when PATH is a regular file. */
static int rp_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The folder REL given relative to OUT/compare (or absolute): "../x"
 * becomes OUT/x, so that paths shown read plainly. */
static char *rp_resolve(const char *out, const char *cmp_dir, const char *rel)
{
    if (rel[0] == '/')
        return strdup(rel);
    if (strncmp(rel, "../", 3) == 0 && !strstr(rel + 3, ".."))
        return output_path(out, rel + 3);
    return output_path(cmp_dir, rel);
}

/* The model hash in the header of DIR/resolved.cfg into BUF (24 bytes). */
static void rp_read_hash(const char *dir, char *buf)
{
    static const char mark[] = "# Model hash";
    char *p = output_path(dir, "resolved.cfg"), line[512];
    FILE *f = p ? fopen(p, "r") : NULL;
    buf[0] = '\0';
    while (f && fgets(line, sizeof line, f) && line[0] == '#') {
        char *colon = strrchr(line, ':');
        if (strncmp(line, mark, sizeof mark - 1) == 0 && colon) {
            size_t n = strspn(colon + 2, "0123456789abcdef");
            if (n > 0 && n < 24) {
                memcpy(buf, colon + 2, n);
                buf[n] = '\0';
            }
        }
    }
    if (f)
        fclose(f);
    free(p);
}

/* Adds scenario NAME (folder DIR, owned by the callee from now on). */
static int rp_add_scen(report *r, const char *name, const char *title,
                       char *dir)
{
    rp_scen *ns = realloc(r->s, (r->n + 1) * sizeof *ns);
    if (!ns) {
        free(dir);
        return -1;
    }
    r->s = ns;
    rp_scen *s = &r->s[r->n++];
    memset(s, 0, sizeof *s);
    s->dir = dir;
    s->name = strdup(name);
    s->title = strdup(title);
    return dir && s->name && s->title ? 0 : -1;
}

/* Finds the batch in OUT: OUT/compare/scenarios.csv, else the one
 * scenario folder in OUT. */
static int rp_find(report *r)
{
    r->cmp_dir = output_path(r->out, "compare");
    char *list = r->cmp_dir ? output_path(r->cmp_dir, "scenarios.csv") : NULL;
    int rc = 0;
    if (list && rp_is_file(list)) {
        table *t = rp_tread(list, r->d);
        if (!t) {
            free(list);
            return NCG_ERR_IO;
        }
        int cn = rp_tcol(t, "scenario"), ct = rp_tcol(t, "title"),
            cf = rp_tcol(t, "folder");
        if (cn < 0 || cf < 0) {
            diag_add(r->d, list, 0, NULL, "no column 'scenario' or 'folder'");
            rc = NCG_ERR_IO;
        }
        for (size_t i = 0; rc == 0 && i < rp_trows(t); i++)
            if (rp_add_scen(r, rp_tget(t, i, cn), rp_tget(t, i, ct),
                            rp_resolve(r->out, r->cmp_dir, rp_tget(t, i, cf))) != 0)
                rc = NCG_ERR_IO;
        rp_tfree(t);
        char *cmp = rc == 0 ? output_path(r->cmp_dir, "compare.csv") : NULL;
        if (cmp && !(r->cmp = rp_tread(cmp, r->d)))
            rc = NCG_ERR_IO;
        free(cmp);
        free(list);
        return rc;
    }
    free(list);
    free(r->cmp_dir);
    r->cmp_dir = NULL;
    /* No comparison: OUT is one scenario's folder, or holds exactly one. */
    char *res = output_path(r->out, "resolved.cfg");
    if (res && rp_is_file(res)) {
        free(res);
        const char *base = strrchr(r->out, '/');
        return rp_add_scen(r, base && base[1] ? base + 1 : r->out, "",
                           strdup(r->out)) ? NCG_ERR_IO : 0;
    }
    free(res);
    DIR *dir = opendir(r->out);
    struct dirent *e;
    char *found = NULL, *found_name = NULL;
    size_t count = 0;
    while (dir && (e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *sub = output_path(r->out, e->d_name);
        char *sum = sub ? output_path(sub, "summary.csv") : NULL;
        if (sum && rp_is_file(sum) && count++ == 0) {
            found = sub;
            found_name = strdup(e->d_name);
            sub = NULL;
        }
        free(sum);
        free(sub);
    }
    if (dir)
        closedir(dir);
    if (count != 1) {
        diag_add(r->d, r->out, 0, NULL, count ? "%zu scenario folders and "
                 "no comparison (OUT/compare): run them together to compare "
                 "them" : "not a result folder (no compare/scenarios.csv and "
                 "no scenario folder with summary.csv)", count);
        free(found);
        free(found_name);
        return NCG_ERR_IO;
    }
    rc = rp_add_scen(r, found_name ? found_name : "", "", found);
    free(found_name);
    return rc ? NCG_ERR_IO : 0;
}

/* Loads each scenario's resolved.cfg and summary.csv, and its diff. */
static int rp_load(report *r)
{
    scenario_opts none = { 0 };
    for (size_t i = 0; i < r->n; i++) {
        rp_scen *s = &r->s[i];
        char *cfg = output_path(s->dir, "resolved.cfg");
        char *sum = output_path(s->dir, "summary.csv");
        int rc = cfg && sum ? scenario_load(cfg, &none, &s->sc, r->d)
                            : NCG_ERR_IO;
        if (rc == 0 && !(s->sum = rp_tread(sum, r->d)))
            rc = NCG_ERR_IO;
        free(cfg);
        free(sum);
        if (rc != 0)
            return rc;
        if (!s->title[0]) {
            free(s->title);
            s->title = strdup(s->sc->title);
            if (!s->title)
                return NCG_ERR_IO;
        }
        rp_read_hash(s->dir, s->hash);
        s->ess = rp_tnum(s->sum, 0, rp_tcol(s->sum, "ess"));
        if (isfinite(s->ess))
            r->conditioned = 1;
        if (i > 0 && !(s->diff = diff_scenarios(r->s[0].sc, s->sc))) {
            diag_add(r->d, NULL, 0, NULL, "out of memory");
            return NCG_ERR_NOMEM;
        }
    }
    scenario_step_label(&r->s[0].sc->sim, r->s[0].sc->sim.steps,
                        r->end_label, sizeof r->end_label);
    return 0;
}

/* The first of the columns NAMES (NULL-terminated) that T has, or -1. */
static int rp_col(const table *t, const char *const *names)
{
    for (; *names; names++) {
        int c = rp_tcol(t, *names);
        if (c >= 0)
            return c;
    }
    return -1;
}

/* The row of summary.csv of scenario S for VAR, or SIZE_MAX. */
static size_t rp_sum_row(const rp_scen *s, const char *var)
{
    int cv = rp_tcol(s->sum, "variable");
    for (size_t i = 0; i < rp_trows(s->sum); i++)
        if (strcmp(rp_tget(s->sum, i, cv), var) == 0)
            return i;
    return (size_t)-1;
}

/* Column names of the headline numbers, newest first: compare.csv names
 * each figure's columns after it (mean_*, p_by_end_*); older files had
 * bare names for the mean and p_ever in summary.csv. */
static const char *const c_pev[] = { "p_by_end", "p_ever", NULL };
static const char *const c_pev_se[] = { "p_by_end_se", "p_ever_se",
                                        "se_ever", NULL };
static const char *const c_pev_lo[] = { "p_by_end_lo95", "p_ever_lo95", NULL };
static const char *const c_pev_hi[] = { "p_by_end_hi95", "p_ever_hi95", NULL };
static const char *const c_pev_d[] = { "p_by_end_diff", "p_ever_diff", NULL };
static const char *const c_pev_dse[] = { "p_by_end_diff_se",
                                         "p_ever_diff_se", NULL };
static const char *const c_pev_dlo[] = { "p_by_end_diff_lo95",
                                         "p_ever_diff_lo95", NULL };
static const char *const c_pev_dhi[] = { "p_by_end_diff_hi95",
                                         "p_ever_diff_hi95", NULL };
static const char *const c_mean_lo[] = { "mean_lo95", "lo95", NULL };
static const char *const c_mean_hi[] = { "mean_hi95", "hi95", NULL };
static const char *const c_mean_d[] = { "mean_diff", "diff", NULL };
static const char *const c_mean_dse[] = { "mean_diff_se", "diff_se", NULL };
static const char *const c_mean_dlo[] = { "mean_diff_lo95", "diff_lo95",
                                          NULL };
static const char *const c_mean_dhi[] = { "mean_diff_hi95", "diff_hi95",
                                          NULL };

/* The outputs, from the reference's summary.csv. 0, or an ncg_status
 * with a message. */
static int rp_outputs(report *r)
{
    const table *ref = r->s[0].sum;
    int cv = rp_tcol(ref, "variable"), ck = rp_tcol(ref, "kind"),
        cl = rp_tcol(ref, "label"), cu = rp_tcol(ref, "unit");
    if (cv < 0 || ck < 0) {
        char *f = output_path(r->s[0].dir, "summary.csv");
        diag_add(r->d, f ? f : "summary.csv", 0, NULL, "no column "
                 "'variable' or 'kind'");
        free(f);
        return NCG_ERR_IO;
    }
    r->n_out = rp_trows(ref);
    r->o = calloc(r->n_out ? r->n_out : 1, sizeof *r->o);
    r->cell = calloc(r->n_out * r->n + 1, sizeof *r->cell);
    if (!r->o || !r->cell)
        return NCG_ERR_IO;
    for (size_t k = 0; k < r->n_out; k++) {
        r->o[k].var = rp_tget(ref, k, cv);
        r->o[k].label = rp_tget(ref, k, cl);
        r->o[k].unit = rp_tget(ref, k, cu);
        r->o[k].event = strcmp(rp_tget(ref, k, ck), "event") == 0;
    }
    return 0;
}

/* Each scenario's own headline numbers, from its summary.csv: the mean
 * (P(happened by the end) for an event) with its standard error. */
static void rp_own_cells(report *r)
{
    /* From each scenario's summary: mean or P(ever) with its se. */
    for (size_t i = 0; i < r->n; i++) {
        const table *t = r->s[i].sum;
        int cm = rp_tcol(t, "mean"), cs = rp_tcol(t, "se"),
            cp = rp_col(t, c_pev), cps = rp_col(t, c_pev_se);
        for (size_t k = 0; k < r->n_out; k++) {
            rp_cell *c = rp_at(r, k, i);
            size_t row = rp_sum_row(&r->s[i], r->o[k].var);
            c->v = c->se = c->lo = c->hi = NAN;
            c->dv = c->dse = c->dlo = c->dhi = NAN;
            if (row == (size_t)-1)
                continue;
            c->v = rp_tnum(t, row, r->o[k].event ? cp : cm);
            c->se = rp_tnum(t, row, r->o[k].event ? cps : cs);
            c->lo = c->v - NCG_Z95 * c->se;
            c->hi = c->v + NCG_Z95 * c->se;
        }
    }
}

/* The paired differences from the reference, from compare.csv. 0, or
 * NCG_ERR_IO with a message. */
static int rp_paired_cells(report *r)
{
    /* Paired differences from compare.csv. */
    const table *t = r->cmp;
    int xv = rp_tcol(t, "variable"), xs = rp_tcol(t, "scenario"),
        xd = rp_col(t, c_mean_d), xds = rp_col(t, c_mean_dse),
        xlo = rp_col(t, c_mean_dlo), xhi = rp_col(t, c_mean_dhi),
        xp = rp_tcol(t, "paired"), xlo_v = rp_col(t, c_mean_lo),
        xhi_v = rp_col(t, c_mean_hi),
        ep = rp_col(t, c_pev), eps = rp_col(t, c_pev_se),
        elo = rp_col(t, c_pev_lo), ehi = rp_col(t, c_pev_hi),
        ed = rp_col(t, c_pev_d), eds = rp_col(t, c_pev_dse),
        edlo = rp_col(t, c_pev_dlo), edhi = rp_col(t, c_pev_dhi);
    if (xv < 0 || xs < 0) {
        char *f = output_path(r->cmp_dir, "compare.csv");
        diag_add(r->d, f ? f : "compare.csv", 0, NULL, "no column "
                 "'variable' or 'scenario'");
        free(f);
        return NCG_ERR_IO;
    }
    for (size_t row = 0; row < rp_trows(t); row++) {
        const char *var = rp_tget(t, row, xv), *sn = rp_tget(t, row, xs);
        size_t k = 0, i = 0;
        while (k < r->n_out && strcmp(r->o[k].var, var) != 0)
            k++;
        while (i < r->n && strcmp(r->s[i].name, sn) != 0)
            i++;
        if (k == r->n_out || i == r->n)
            continue;
        rp_cell *c = rp_at(r, k, i);
        if (!r->o[k].event) {
            c->lo = rp_tnum(t, row, xlo_v);
            c->hi = rp_tnum(t, row, xhi_v);
            c->dv = rp_tnum(t, row, xd);
            c->dse = rp_tnum(t, row, xds);
            c->dlo = rp_tnum(t, row, xlo);
            c->dhi = rp_tnum(t, row, xhi);
            c->paired = xp < 0 || rp_tnum(t, row, xp) == 1.0;
        } else if (ed >= 0) {
            /* Paired differences of P(happened by the end). */
            if (ep >= 0) {
                c->v = rp_tnum(t, row, ep);
                c->se = rp_tnum(t, row, eps);
            }
            if (elo >= 0 && ehi >= 0) {
                c->lo = rp_tnum(t, row, elo);
                c->hi = rp_tnum(t, row, ehi);
            }
            c->dv = rp_tnum(t, row, ed);
            c->dse = rp_tnum(t, row, eds);
            c->dlo = rp_tnum(t, row, edlo);
            c->dhi = rp_tnum(t, row, edhi);
            c->paired = xp < 0 || rp_tnum(t, row, xp) == 1.0;
        }
    }
    return 0;
}

/* Probabilities and their differences stay in [0, 1] and [-1, 1]; events
 * that compare.csv gives no paired difference (older files) get the
 * difference of the two estimates, with an unpaired (wider) interval. */
static void rp_event_cells(report *r)
{
    int paired = rp_col(r->cmp, c_pev_d) >= 0;
    /* Probabilities and their differences stay in [0, 1] and [-1, 1]. */
    for (size_t k = 0; k < r->n_out; k++)
        for (size_t i = 0; i < r->n && r->o[k].event; i++) {
            rp_cell *c = rp_at(r, k, i);
            c->lo = c->lo < 0 ? 0 : c->lo;
            c->hi = c->hi > 1 ? 1 : c->hi;
        }
    /* Events without paired P(ever) differences in compare.csv: the
     * difference of the two estimates with an unpaired (wider) interval. */
    for (size_t k = 0; k < r->n_out; k++) {
        const rp_cell *c0 = rp_at(r, k, 0);
        for (size_t i = 1; i < r->n && r->o[k].event && !paired; i++) {
            rp_cell *c = rp_at(r, k, i);
            c->dv = c->v - c0->v;
            c->dse = sqrt(c->se * c->se + c0->se * c0->se);
            c->dlo = fmax(-1.0, c->dv - NCG_Z95 * c->dse);
            c->dhi = fmin(1.0, c->dv + NCG_Z95 * c->dse);
            c->paired = 0;
        }
        if (r->n > 1) {
            rp_cell *c = rp_at(r, k, 0);
            c->dv = c->dse = c->dlo = c->dhi = NAN;
        }
    }
}

/* Fills the outputs and the headline cells. */
static int rp_cells(report *r)
{
    int rc = rp_outputs(r);
    if (rc != 0)
        return rc;
    rp_own_cells(r);
    if (!r->cmp)               /* one scenario: nothing to compare */
        return 0;
    if ((rc = rp_paired_cells(r)) != 0)
        return rc;
    rp_event_cells(r);
    return 0;
}

/* The `source` of variable VAR in S, or NULL. */
static const char *rp_var_source(const scenario *s, const char *var)
{
    static const char *const groups[] = { "params", "events", "states",
                                          "derived" };
    for (size_t g = 0; g < 4; g++) {
        const snode *v = snode_get(snode_get(s->root, groups[g]), var);
        const snode *src = snode_get(v, "source");
        if (src && src->type == SNODE_STRING)
            return src->v.s;
    }
    return NULL;
}

/* Records that WHO cites source TEXT; returns its number (1-based), or 0
 * when TEXT is NULL or empty or memory ran out. */
static size_t rp_cite(report *r, const char *text, const char *who)
{
    if (!text || !*text)
        return 0;
    size_t i = 0;
    while (i < r->n_src && strcmp(r->src[i].text, text) != 0)
        i++;
    if (i == r->n_src) {
        rp_src *ns = realloc(r->src, (r->n_src + 1) * sizeof *ns);
        if (!ns)
            return 0;
        r->src = ns;
        r->src[i].text = text;
        r->src[i].by = NULL;
        r->n_src++;
    }
    rp_src *s = &r->src[i];
    size_t have = s->by ? strlen(s->by) : 0;
    if (who && (!s->by || !strstr(s->by, who))) {
        char *nb = realloc(s->by, have + strlen(who) + 3);
        if (nb) {
            snprintf(nb + have, strlen(who) + 3, "%s%s", have ? "; " : "",
                     who);
            s->by = nb;
        }
    }
    return i + 1;
}

/* Numbers every source in the order the page shows them: changed
 * settings (section 2) first, then the outputs' own. */
static void rp_sources(report *r)
{
    char who[512];
    for (size_t i = 1; i < r->n; i++) {
        const diff_list *l = r->s[i].diff;
        for (size_t j = 0; l && j < l->n; j++) {
            snprintf(who, sizeof who, "%s: %s", r->s[i].name, l->e[j].path);
            rp_cite(r, l->e[j].new_source, who);
            snprintf(who, sizeof who, "%s: %s", r->s[0].name, l->e[j].path);
            rp_cite(r, l->e[j].old_source, who);
        }
    }
    for (size_t k = 0; k < r->n_out; k++)
        for (size_t i = 0; i < r->n; i++) {
            snprintf(who, sizeof who, "%s: %s", r->s[i].name, r->o[k].var);
            rp_cite(r, rp_var_source(r->s[i].sc, r->o[k].var), who);
        }
}

/* --------------------------------------------------------- formatting -- */

#define MINUS "\xe2\x88\x92"    /* U+2212, the typographic minus */

static void rp_text(report *r, const char *s)
{
    html_text(r->f, s);
}

/* User text (titles, labels): escaped and isolated from the surrounding
 * text's direction (right-to-left titles do not reorder a sentence). */
static void rp_user(report *r, const char *s)
{
    fputs("<bdi>", r->f);
    html_text(r->f, s);
    fputs("</bdi>", r->f);
}

/* Decimals that show a value whose 95% half-width is HW down to the first
 * significant digit of that half-width (0 to 4): the last digit shown is
 * the first uncertain one. */
static int rp_decimals(double hw, double v)
{
    if (!(hw > 0) || !isfinite(hw)) {
        double a = fabs(v);   /* exact: four significant digits */
        return a >= 1000 || a == floor(a) ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 3;
    }
    int dec = -(int)floor(log10(hw));
    return dec < 0 ? 0 : dec > 4 ? 4 : dec;
}

/* V with DEC decimals, a typographic minus, and a '+' when SIGN. */
static void rp_num(report *r, double v, int dec, int sign)
{
    char buf[64];
    if (!isfinite(v)) {
        fputs("n/a", r->f);
        return;
    }
    snprintf(buf, sizeof buf, "%.*f", dec, fabs(v));
    int zero = strspn(buf, "0.") == strlen(buf);
    if (v < 0 && !zero)
        fputs(MINUS, r->f);
    else if (sign)
        fputs(zero ? "\xc2\xb1" : "+", r->f);
    fputs(buf, r->f);
}

/* The headline value of cell C (a percentage for an event). */
static void rp_value(report *r, const rp_out *o, const rp_cell *c)
{
    double k = o->event ? 100.0 : 1.0;
    rp_num(r, k * c->v, rp_decimals(k * NCG_Z95 * c->se, k * c->v), 0);
    if (o->event && isfinite(c->v))
        fputs("%", r->f);
}

/* 1 when the difference's 95% interval excludes 0. */
static int rp_excludes_zero(const rp_cell *c)
{
    return isfinite(c->dlo) && isfinite(c->dhi) && (c->dlo > 0 || c->dhi < 0);
}

/* "+1.2 [0.8, 1.6]" (percentage points for events). */
static void rp_delta(report *r, const rp_out *o, const rp_cell *c)
{
    double k = o->event ? 100.0 : 1.0;
    int dec = rp_decimals(k * NCG_Z95 * c->dse, k * c->dv);
    fputs("<span class=\"d\">", r->f);
    if (rp_excludes_zero(c))
        fputs(c->dv > 0 ? "\xe2\x96\xb2 " : "\xe2\x96\xbc ", r->f);
    rp_num(r, k * c->dv, dec, 1);
    if (o->event)
        fputs("&#8239;pp", r->f);
    if (rp_excludes_zero(c))
        fputs("<b class=\"sig\" title=\"95% interval excludes 0\">*</b>",
              r->f);
    fputs("</span> <span class=\"ci\">[", r->f);
    rp_num(r, k * c->dlo, dec, 0);
    fputs(", ", r->f);
    rp_num(r, k * c->dhi, dec, 0);
    fputs("]", r->f);
    if (!c->paired)
        fputs("<sup title=\"not paired\">u</sup>", r->f);
    fputs("</span>", r->f);
}

/* A name (scenario, variable) escaped, with a line-break opportunity
 * after each '_' so that long names wrap in narrow columns. */
static void rp_name(report *r, const char *s)
{
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, "_");
        html_text_n(r->f, p, n);
        p += n;
        if (*p == '_') {
            fputs("_<wbr>", r->f);
            p++;
        }
    }
}

/* The output's label, falling back to its name. */
static const char *rp_label(const rp_out *o)
{
    return o->label && *o->label ? o->label : o->var;
}

/* ------------------------------------------------------------ the page -- */

static const char rp_style[] =
    ":root{--ink:#1a1a1a;--muted:#555;--rule:#c8c8c8;--band:#f3f3f3;"
    "--accent:#0b4f8a}\n"
    "*{box-sizing:border-box}\n"
    "html{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',"
    "'DejaVu Sans',sans-serif;font-size:16px;line-height:1.45;color:var(--ink);"
    "background:#fff}\n"
    "body{margin:0 auto;max-width:100rem;padding:1rem 1.2rem 3rem}\n"
    "h1{font-size:1.5rem;line-height:1.2;margin:.2rem 0 .4rem}\n"
    "h2{font-size:1.35rem;border-bottom:2px solid var(--ink);padding-bottom:"
    ".2rem;margin:2.2rem 0 .8rem}\n"
    "h3{font-size:1.1rem;margin:1.6rem 0 .4rem}\n"
    "p,li,dd{max-width:52rem;overflow-wrap:anywhere}\n"
    "h1,h2,h3,caption,table.scen td,table.diff td,ol.src li{"
    "overflow-wrap:anywhere}\n"
    ".meta{color:var(--muted);margin:.2rem 0 1rem}\n"
    ".lead{font-size:1.08rem}\n"
    "nav ol{display:flex;flex-wrap:wrap;gap:.3rem 1.4rem;padding:0;margin:.4rem 0;"
    "list-style:none}\n"
    "a{color:var(--accent)}\n"
    ".scroll{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;font-variant-numeric:tabular-nums;"
    "margin:.4rem 0 1rem}\n"
    "th,td{border-bottom:1px solid var(--rule);padding:.3rem .5rem;"
    "text-align:left;vertical-align:top;overflow-wrap:break-word}\n"
    "thead th{border-bottom:2px solid var(--ink);vertical-align:bottom}\n"
    "caption{text-align:left;font-weight:600;padding:.2rem 0}\n"
    "table.head{font-size:.88rem}\n"
    "table.head th,table.head td{padding:.25rem .35rem}\n"
    "table.head td.c{text-align:right}\n"
    "table.head .v,table.head .d{white-space:nowrap}\n"
    "table.head tbody th{min-width:10rem;max-width:15rem;font-weight:600}\n"
    "table.head th.s{text-align:right;font-size:.8rem}\n"
    "table.head td.ref{background:var(--band)}\n"
    ".v{font-weight:600;font-size:1.02rem}\n"
    ".w{display:block;font-size:.82rem;color:var(--muted);font-style:italic}\n"
    ".d{display:block;font-size:.86rem}\n"
    ".ci{display:block;font-size:.78rem;color:var(--muted)}\n"
    ".sig{font-weight:800;margin-left:.1rem}\n"
    ".unit{color:var(--muted);font-size:.85rem}\n"
    ".key{font-size:.88rem;color:var(--muted);max-width:60rem}\n"
    "table.diff{width:100%;font-size:.9rem}\n"
    "table.diff td.val{font-family:ui-monospace,'DejaVu Sans Mono',monospace;"
    "font-size:.85rem;max-width:18rem}\n"
    "table.diff td.note{max-width:24rem;color:var(--muted)}\n"
    "code,pre{font-family:ui-monospace,'DejaVu Sans Mono',monospace;"
    "font-size:.88rem}\n"
    "pre{background:var(--band);padding:.6rem .8rem;white-space:pre-wrap;"
    "overflow-wrap:anywhere;max-width:100%}\n"
    "figure{margin:1rem 0 1.6rem;break-inside:avoid}\n"
    "figure svg{display:block;width:100%;max-width:60rem;height:auto;"
    "border:1px solid var(--rule)}\n"
    "figcaption{font-size:.92rem;color:var(--muted);max-width:56rem;"
    "margin-top:.3rem}\n"
    ".charts{display:block}\n"
    "ol.src li{margin:.3rem 0}\n"
    ".lab{display:block;font-size:.85rem}\n"
    "table.extra{font-size:.85rem}\n"
    "table.extra td.n{text-align:right}\n"
    ".by{display:block;font-size:.82rem;color:var(--muted)}\n"
    ".scale td,.scale th{padding:.15rem .6rem}\n"
    "@media print{\n"
    "  @page{margin:14mm 12mm}\n"
    "  @page wide{size:landscape}\n"
    "  html{font-size:10pt}\n"
    "  body{max-width:none;padding:0}\n"
    "  nav{display:none}\n"
    "  section{break-before:page}\n"
    "  header,section#answer{page:wide}\n"
    "  section#answer{break-before:auto}\n"
    "  h2,h3{break-after:avoid}\n"
    "  .analysis{break-before:page}\n"
    "  .scroll{overflow:visible}\n"
    "  table.head{font-size:8pt}\n"
    "  table.head th.s{min-width:0}\n"
    "  thead{display:table-header-group}\n"
    "  tr,figure{break-inside:avoid}\n"
    "  figure svg{max-width:17cm;max-height:22cm}\n"
    "  a{color:inherit;text-decoration:none}\n"
    "}\n";

static void rp_head(report *r)
{
    /* The date of the results (when the reference's summary was written),
     * not of this page: the same results give the same page, byte for
     * byte. */
    char *sum = output_path(r->s[0].dir, "summary.csv");
    struct stat st;
    time_t now = sum && stat(sum, &st) == 0 ? st.st_mtime : time(NULL);
    free(sum);
    struct tm tm;
    char date[64];
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, "
          "initial-scale=1\">\n<meta name=\"generator\" content=\"ncgsim "
          NCGSIM_VERSION "\">\n<title>", r->f);
    rp_text(r, "Briefing: ");
    rp_text(r, r->s[0].title);
    fprintf(r->f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", rp_style);
    fputs("<header>\n<h1>", r->f);
    if (r->n > 1)
        fprintf(r->f, "%zu scenario%s against the reference: ", r->n - 1,
                r->n == 2 ? "" : "s");
    else
        fputs("Scenario: ", r->f);
    rp_user(r, r->s[0].title);
    fputs("</h1>\n<p class=\"meta\">", r->f);
    fprintf(r->f, "Results of %s, ncgsim %s, in <code>", date,
            NCGSIM_VERSION);
    rp_text(r, r->out);
    fputs("</code>. Outcomes by the end of the horizon, ", r->f);
    rp_text(r, r->end_label);
    fputs(".</p>\n<nav aria-label=\"Sections\"><ol>"
          "<li><a href=\"#answer\">1. Question and answer</a></li>"
          "<li><a href=\"#assumptions\">2. What each scenario assumes</a></li>"
          "<li><a href=\"#charts\">3. Charts</a></li>"
          "<li><a href=\"#method\">4. Method</a></li>"
          "<li><a href=\"#sources\">5. Sources</a></li></ol></nav>\n"
          "</header>\n<main>\n", r->f);
}

/* Scenarios per headline table, after the reference. */
#define RP_COLS 8

/* One headline table: the reference and scenarios FIRST to LAST - 1 (part
 * PART of PARTS). */
static void rp_headline(report *r, size_t first, size_t last, size_t part,
                        size_t parts)
{
    fputs("<div class=\"scroll\"><table class=\"head\"><caption>Headline: "
          "each output by scenario at ", r->f);
    rp_text(r, r->end_label);
    fputs(r->n > 1 ? ", with the difference from the reference and its 95% "
          "interval" : "", r->f);
    if (parts > 1)
        fprintf(r->f, " (part %zu of %zu: scenarios %zu to %zu)", part + 1,
                parts, first + 1, last);
    fputs("</caption>\n<thead><tr><th scope=\"col\">Output</th>", r->f);
    for (size_t i = 0; i < last; i = i == 0 ? first : i + 1) {
        fprintf(r->f, "<th scope=\"col\" class=\"s\">[%zu]<br><code>", i + 1);
        rp_name(r, r->s[i].name);
        fputs("</code>", r->f);
        if (i == 0 && r->n > 1)
            fputs("<br>(reference)", r->f);
        fputs("</th>", r->f);
    }
    fputs("</tr></thead>\n<tbody>\n", r->f);
    for (int ev = 0; ev < 2; ev++)
        for (size_t k = 0; k < r->n_out; k++) {
            const rp_out *o = &r->o[k];
            if (o->event != ev)
                continue;
            fputs("<tr><th scope=\"row\">", r->f);
            rp_user(r, rp_label(o));
            if (o->event) {
                fputs(" <span class=\"unit\">(happened by the end)</span>",
                      r->f);
            } else if (o->unit && *o->unit) {
                fputs(" <span class=\"unit\">(", r->f);
                rp_user(r, o->unit);
                fputs(", mean)</span>", r->f);
            } else {
                fputs(" <span class=\"unit\">(mean)</span>", r->f);
            }
            fputs("<br><code class=\"unit\">", r->f);
            rp_name(r, o->var);
            fputs("</code></th>", r->f);
            for (size_t i = 0; i < last; i = i == 0 ? first : i + 1) {
                const rp_cell *c = rp_at(r, k, i);
                fprintf(r->f, "<td class=\"c%s\"><span class=\"v\">",
                        i == 0 && r->n > 1 ? " ref" : "");
                rp_value(r, o, c);
                fputs("</span>", r->f);
                if (o->event && estimate_words(c->v)) {
                    fputs("<span class=\"w\">", r->f);
                    rp_text(r, estimate_words(c->v));
                    fputs("</span>", r->f);
                }
                if (i > 0 && isfinite(c->dv))
                    rp_delta(r, o, c);
                fputs("</td>", r->f);
            }
            fputs("</tr>\n", r->f);
        }
    fputs("</tbody></table></div>\n", r->f);
}

/* The (up to three) events whose chance of happening by the end moves
 * most from the reference in scenario I, among those whose interval
 * excludes 0, into BEST (SIZE_MAX where there is none). */
static void rp_top_events(const report *r, size_t i, size_t best[3])
{
    best[0] = best[1] = best[2] = (size_t)-1;
    for (size_t k = 0; k < r->n_out; k++) {
        const rp_cell *c = rp_at(r, k, i);
        /* 0% or 100% on either side: set by an assumption (a
         * lever), not an outcome to report. */
        double p0 = rp_at(r, k, 0)->v;
        int fixed = c->v == 0 || c->v == 1 || p0 == 0 || p0 == 1;
        if (!r->o[k].event || !rp_excludes_zero(c) || fixed)
            continue;
        for (size_t b = 0; b < 3; b++)
            if (best[b] == (size_t)-1
                || fabs(c->dv) > fabs(rp_at(r, best[b], i)->dv)) {
                for (size_t m = 2; m > b; m--)
                    best[m] = best[m - 1];
                best[b] = k;
                break;
            }
    }
}

/* Scenario I's line of the answer in brief. */
static void rp_brief_line(report *r, size_t i)
{
    size_t best[3];
    rp_top_events(r, i, best);
    fputs("<li><strong>", r->f);
    rp_user(r, r->s[i].title);
    fputs("</strong>: ", r->f);
    if (best[0] == (size_t)-1)
        fputs("no event's chance changes beyond Monte Carlo error", r->f);
    for (size_t b = 0; b < 3 && best[b] != (size_t)-1; b++) {
        const rp_out *o = &r->o[best[b]];
        const rp_cell *c0 = rp_at(r, best[b], 0),
                      *c = rp_at(r, best[b], i);
        fputs(b ? "; " : "", r->f);
        rp_user(r, rp_label(o));
        fputs(" ", r->f);
        rp_value(r, o, c0);
        fputs(" \xe2\x86\x92 ", r->f);
        rp_value(r, o, c);
        fputs(" (", r->f);
        rp_text(r, estimate_words(c->v));
        fputs(")", r->f);
    }
    fputs(".</li>\n", r->f);
}

/* The answer in brief: per scenario, the events whose chance moved most. */
static void rp_brief(report *r)
{
    fputs("<p><strong>Answer in brief:</strong> the events whose chance "
          "of happening by the end moves most from the reference "
          "(largest changes whose 95% interval excludes 0; an event at "
          "exactly 0% or 100% on either side is set by an assumption "
          "and left out).</p>\n<ul>\n", r->f);
    for (size_t i = 1; i < r->n; i++)
        rp_brief_line(r, i);
    fputs("</ul>\n", r->f);
}

/* The key under the headline tables. */
static void rp_key(report *r)
{
    fputs("<p class=\"key\">", r->f);
    fputs("Numbers are means over the trials at the last step; events are the "
          "probability that the event happened at least once by the end. "
          "Digits follow each number's Monte Carlo error (section 4). ", r->f);
    if (r->n > 1)
        fputs("Under each value: its difference from the reference "
              "(events in percentage points, pp) and the 95% interval of the "
              "difference, paired trial by trial (common random numbers). "
              "<b>\xe2\x96\xb2</b>/<b>\xe2\x96\xbc</b> and <b>*</b> mark a "
              "difference whose interval excludes 0. <sup>u</sup> marks an "
              "interval that is not paired (wider than a paired one). ",
              r->f);
    fputs("Probabilities in words: see the scale below.</p>\n", r->f);
}

/* The list of scenarios with their titles and trials. */
static void rp_scenario_list(report *r)
{
    fputs("<table class=\"scen\"><caption>Scenarios</caption><thead><tr>"
          "<th scope=\"col\">#</th><th scope=\"col\">Name</th>"
          "<th scope=\"col\">Title</th><th scope=\"col\">Trials</th></tr>"
          "</thead><tbody>\n", r->f);
    for (size_t i = 0; i < r->n; i++) {
        fprintf(r->f, "<tr><td>%zu</td><td><code>", i + 1);
        rp_text(r, r->s[i].name);
        fputs("</code></td><td>", r->f);
        rp_user(r, r->s[i].title);
        if (i == 0 && r->n > 1)
            fputs(" <strong>(reference)</strong>", r->f);
        fprintf(r->f, "</td><td>%llu", (unsigned long long)r->s[i].sc->sim.trials);
        if (isfinite(r->s[i].ess))
            fprintf(r->f, " (effective %.0f: conditioned on observations)",
                    r->s[i].ess);
        fputs("</td></tr>\n", r->f);
    }
    fputs("</tbody></table>\n<p class=\"key\">Probabilities in words follow "
          "the scale of estimative language of US Intelligence Community "
          "Directive 203, <cite>Analytic Standards</cite> (ODNI, 2015):</p>\n",
          r->f);
}

/* The scale of words for probabilities (ICD 203). */
static void rp_scale(report *r)
{
    fputs("<table class=\"scale\"><caption>Words for probabilities (ICD 203)"
          "</caption><thead><tr><th scope=\"col\">Probability</th>"
          "<th scope=\"col\">Words</th></tr></thead><tbody>\n", r->f);
    for (size_t b = 0; b < estimate_n; b++) {
        const estimate_band *e = &estimate_scale[b];
        fprintf(r->f, "<tr><td>%s%g%% to below %g%%</td><td>",
                b ? "" : "above ", 100 * e->lo, 100 * e->hi);
        rp_text(r, e->words);
        fputs("</td></tr>\n", r->f);
    }
    fputs("<tr><td>exactly 0% or 100%</td><td>in no trial / in every trial "
          "(fixed by the model's assumptions)</td></tr>\n</tbody></table>\n",
          r->f);
}

/* Section 1: the question, the headline tables, the answer in brief, the
 * scenarios and the scale of words. */
static void rp_answer(report *r)
{
    fputs("<section id=\"answer\" aria-labelledby=\"h-answer\">\n"
          "<h2 id=\"h-answer\">1. Question and answer</h2>\n<p class=\"lead\">",
          r->f);
    if (r->n > 1) {
        fputs("<strong>Question:</strong> how would each scenario change the "
              "outcomes by ", r->f);
        rp_text(r, r->end_label);
        fputs(" against the reference, <bdi>", r->f);
        rp_text(r, r->s[0].title);
        fputs("</bdi>?</p>\n", r->f);
    } else {
        fputs("<strong>Question:</strong> what does this scenario give by ",
              r->f);
        rp_text(r, r->end_label);
        fputs("?</p>\n", r->f);
    }
    /* The headline: one table per RP_COLS scenarios after the reference
     * (repeated in each), so that every table fits a laptop screen and a
     * landscape page. */
    size_t per = RP_COLS, parts = r->n > 1 ? (r->n - 2) / per + 1 : 1;
    for (size_t part = 0; part < parts; part++) {
        size_t first = 1 + part * per;
        size_t last = first + per < r->n ? first + per : r->n; /* excluded */
        rp_headline(r, first, last, part, parts);
    }
    rp_key(r);
    if (r->n > 1)
        rp_brief(r);
    rp_scenario_list(r);
    rp_scale(r);
    fputs("</section>\n", r->f);
}

/* A source's number as a link to section 5, or nothing. */
static void rp_src_ref(report *r, const char *text)
{
    for (size_t i = 0; text && i < r->n_src; i++)
        if (strcmp(r->src[i].text, text) == 0)
            fprintf(r->f, "<a href=\"#src-%zu\">[%zu]</a>", i + 1, i + 1);
}

/* A table cell with a setting's value as scenario text, or "not set". */
static void rp_setting_value(report *r, const char *value)
{
    fputs("<td class=\"val\">", r->f);
    if (value)
        rp_text(r, value);
    else
        fputs("<em>not set</em>", r->f);
    fputs("</td>", r->f);
}

/* 1 when the reference's OLD (a source or note) is set and is not NOW. */
static int rp_differs(const char *old, const char *now)
{
    return old && (!now || strcmp(old, now) != 0);
}

/* Section 2: each scenario's title, description and changed settings. */
static void rp_assumptions(report *r)
{
    fputs("<section id=\"assumptions\" aria-labelledby=\"h-assumptions\">\n"
          "<h2 id=\"h-assumptions\">2. What each scenario assumes</h2>\n",
          r->f);
    if (r->n > 1)
        fputs("<p>Each scenario's settings after <code>extends</code> and "
              "<code>--set</code>, against the reference's: every setting it "
              "changes, with the source and note of the variable it belongs "
              "to. The same list comes from <code>ncgsim diff REFERENCE.cfg "
              "SCENARIO.cfg</code>.</p>\n", r->f);
    for (size_t i = 0; i < r->n; i++) {
        const rp_scen *s = &r->s[i];
        fprintf(r->f, "<article id=\"scen-%zu\">\n<h3>[%zu] ", i + 1, i + 1);
        rp_user(r, s->title);
        fputs("</h3>\n<p class=\"meta\">Name <code>", r->f);
        rp_text(r, s->name);
        fputs("</code>", r->f);
        if (i == 0 && r->n > 1)
            fputs("; the reference: the others are compared with it", r->f);
        fputs(".</p>\n", r->f);
        if (s->sc->description) {
            fputs("<p dir=\"auto\">", r->f);
            rp_text(r, s->sc->description);
            fputs("</p>\n", r->f);
        }
        if (i == 0) {
            fputs("</article>\n", r->f);
            continue;
        }
        const diff_list *l = s->diff;
        if (l->n == 0) {
            fputs("<p>It changes no setting of the reference.</p>\n", r->f);
            fputs("</article>\n", r->f);
            continue;
        }
        fprintf(r->f, "<div class=\"scroll\"><table class=\"diff\"><caption>"
                "%zu setting%s changed against the reference</caption>"
                "<thead><tr><th scope=\"col\">Setting</th><th scope=\"col\">"
                "Reference</th><th scope=\"col\">This scenario</th>"
                "<th scope=\"col\">Source</th><th scope=\"col\">Note</th>"
                "</tr></thead><tbody>\n", l->n, l->n == 1 ? "" : "s");
        for (size_t j = 0; j < l->n; j++) {
            const diff_entry *e = &l->e[j];
            fputs("<tr><td><code>", r->f);
            rp_name(r, e->path);
            fputs("</code>", r->f);
            if (e->label) {
                fputs("<span class=\"lab\" dir=\"auto\">", r->f);
                rp_text(r, e->label);
                fputs("</span>", r->f);
            }
            fputs("</td>", r->f);
            rp_setting_value(r, e->old_value);
            rp_setting_value(r, e->new_value);
            fputs("<td>", r->f);
            rp_src_ref(r, e->new_source);
            if (rp_differs(e->old_source, e->new_source)) {
                fputs(" reference: ", r->f);
                rp_src_ref(r, e->old_source);
            }
            fputs("</td><td class=\"note\" dir=\"auto\">", r->f);
            rp_text(r, e->new_note);
            if (rp_differs(e->old_note, e->new_note)) {
                fputs(" <em>Reference:</em> ", r->f);
                rp_text(r, e->old_note);
            }
            fputs("</td></tr>\n", r->f);
        }
        fputs("</tbody></table></div>\n</article>\n", r->f);
    }
    fputs("</section>\n", r->f);
}

/* ------------------------------------------------------------- charts -- */

typedef struct rp_chart {
    char *stem;          /* file name without ".svg" (owned) */
    size_t out;          /* the output it shows, or n_out for all */
    size_t key;          /* sort key: 0 for all outputs, else out + 1 */
    int order;           /* position of its kind */
} rp_chart;

/* Known kinds of chart, in the order shown, with what they show. */
static const struct { const char *prefix, *what; } rp_kinds[] = {
    { "events", "Probability that each event happened by the end, by "
      "scenario" },
    { "fan", "Fan chart over time with the central band of the trials (the "
      "chart's title names the line)" },
    { "event", "Probability that the event happened by each step" },
    { "diff", "Paired difference from the reference with its 95% interval" },
    { "cdf", "Distribution at the last step (cumulative share of trials), by "
      "scenario" },
    { "overview", "Overview: every output of the scenario over time" },
    { "dist", "Distribution at the last step (share of trials)" },
};
#define RP_KINDS (sizeof rp_kinds / sizeof rp_kinds[0])

static int rp_chart_cmp(const void *a, const void *b)
{
    const rp_chart *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? 1 : -1;
    if (x->order != y->order)
        return x->order - y->order;
    return strcmp(x->stem, y->stem);
}

/* Copies FROM/NAME to TO/NAME (through the checked writer). 0, or
 * NCG_ERR_IO with a message; a missing file is an error only when
 * REQUIRED. */
static int rp_copy(report *r, const char *from_dir, const char *name,
                   const char *to_dir, int required)
{
    char *from = output_path(from_dir, name), buf[65536];
    FILE *in = from ? fopen(from, "rb") : NULL;
    FILE *to = NULL;
    size_t n;
    int rc = 0;
    if (!in) {
        if (required) {
            diag_add(r->d, from ? from : name, 0, NULL, "cannot read: %s",
                     strerror(errno));
            rc = NCG_ERR_IO;
        }
        free(from);
        return rc;
    }
    if (!(to = output_open(to_dir, name, r->d)))
        rc = NCG_ERR_IO;
    while (to && (n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, to);
    if (ferror(in)) {
        diag_add(r->d, from, 0, NULL, "cannot read: %s", strerror(errno));
        rc = NCG_ERR_IO;
    }
    fclose(in);
    if (to && output_close(to, to_dir, name, r->d) != 0)
        rc = NCG_ERR_IO;
    free(from);
    return rc;
}

/* Draws the comparison charts as SVG in the temporary folder, from copies
 * of compare.csv and scenarios.csv (a sibling of OUT/compare, so the
 * scenario folders are where scenarios.csv says). */
static int rp_draw(report *r)
{
    int rc = rp_copy(r, r->cmp_dir, "compare.csv", r->tmp, 1);
    if (rc == 0)
        rc = rp_copy(r, r->cmp_dir, "scenarios.csv", r->tmp, 1);
    if (rc != 0)
        return rc;
    plot_opts po = { .format = "svg", .quiet = 1, .procs = r->procs };
    return plot_compare(r->tmp, &po, r->d);
}

/* The charts drawn in FROM (a folder in the temporary one), sorted by
 * output and kind; posterior charts are left to their own heading. */
static size_t rp_list_charts(report *r, const char *from, rp_chart **out)
{
    DIR *dir = opendir(from);
    struct dirent *e;
    rp_chart *list = NULL;
    size_t n = 0;
    while (dir && (e = readdir(dir)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".svg") != 0
            || strncmp(e->d_name, "posterior", 9) == 0)
            continue;
        rp_chart *nl = realloc(list, (n + 1) * sizeof *nl);
        if (!nl)
            break;
        list = nl;
        rp_chart *c = &list[n];
        c->stem = strndup(e->d_name, len - 4);
        if (!c->stem)
            break;
        c->out = r->n_out;
        size_t best = 0;
        for (size_t k = 0; k < r->n_out; k++) {
            size_t vl = strlen(r->o[k].var), sl = len - 4;
            if (vl + 1 < sl && vl > best && c->stem[sl - vl - 1] == '_'
                && strcmp(c->stem + sl - vl, r->o[k].var) == 0) {
                best = vl;
                c->out = k;
            }
        }
        c->key = c->out == r->n_out ? 0 : c->out + 1;  /* all first */
        c->order = (int)RP_KINDS;
        for (size_t k = 0; k < RP_KINDS; k++) {
            size_t pl = strlen(rp_kinds[k].prefix);
            if (strncmp(c->stem, rp_kinds[k].prefix, pl) == 0
                && (c->stem[pl] == '_' || c->stem[pl] == '\0'))
                c->order = (int)k;
        }
        n++;
    }
    if (dir)
        closedir(dir);
    if (n > 1)
        qsort(list, n, sizeof *list, rp_chart_cmp);
    *out = list;
    return n;
}

/* The text alternative of chart C: what it shows and the numbers behind
 * it, in a malloc'd string. */
static char *rp_chart_desc(const report *r, const rp_chart *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    const char *what = c->order < (int)RP_KINDS ? rp_kinds[c->order].what
                                                 : c->stem;
    fprintf(f, "%s.", what);
    for (size_t k = 0; k < r->n_out; k++) {
        if (c->out != r->n_out && k != c->out)
            continue;
        if (c->out == r->n_out && !r->o[k].event
            && strcmp(c->stem, "overview") != 0)
            continue;
        const rp_out *o = &r->o[k];
        fprintf(f, " %s, %s by %s:", rp_label(o),
                o->event ? "probability it happened" : "mean", r->end_label);
        for (size_t i = 0; i < r->n; i++) {
            const rp_cell *x = rp_at(r, k, i);
            double m = o->event ? 100.0 : 1.0;
            fprintf(f, "%s %s %.*f%s", i ? ";" : "", r->s[i].name,
                    rp_decimals(m * NCG_Z95 * x->se, m * x->v), m * x->v,
                    o->event ? "%" : "");
            if (i > 0 && isfinite(x->dv))
                fprintf(f, " (difference %+.*f%s%s)",
                        rp_decimals(m * NCG_Z95 * x->dse, m * x->dv), m * x->dv,
                        o->event ? " pp" : "",
                        rp_excludes_zero(x) ? ", interval excludes 0" : "");
        }
        fputc('.', f);
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void rp_extras_section(report *r);

/* The folder rp_draw_scenario uses for scenario I (malloc'd). */
static char *rp_scen_tmp(const report *r, size_t i)
{
    char name[32];
    snprintf(name, sizeof name, "scen-%zu", i + 1);
    return output_path(r->tmp, name);
}

/* The plot back end could not draw charts from the copies in COPY of the
 * files in ORIG: each message in D (the copy's path replaced by ORIG's)
 * goes into the page and, as a warning, to stderr; D is cleared. */
static void rp_no_charts(report *r, const char *copy, const char *orig)
{
    fputs("<p><strong>No charts here:</strong> the plot back end could not "
          "draw them from these results:</p>\n<ul>\n", r->f);
    for (size_t i = 0; i < diag_count(r->d); i++) {
        const char *m = diag_get(r->d, i), *rest = m, *shown = "";
        size_t cl = copy ? strlen(copy) : 0;
        if (cl && strncmp(m, copy, cl) == 0) {
            rest = m + cl;
            shown = orig;
        }
        fputs("<li><code>", r->f);
        rp_text(r, shown);
        rp_text(r, rest);
        fputs("</code></li>\n", r->f);
        fprintf(stderr, "ncgsim: warning: report: no charts: %s%s\n", shown,
                rest);
    }
    fputs("</ul>\n", r->f);
    diag_clear(r->d);
}

/* Copies scenario I's result files into a folder of the temporary one
 * and draws its charts there as SVG with the plot back end (the results
 * themselves are left untouched); the folder in *DIR (malloc'd). 0, or
 * NCG_ERR_IO with a message. */
static int rp_draw_scenario(report *r, size_t i, char **dir_out)
{
    static const char *const files[] = { "summary.csv", "timeseries.csv",
        "histograms.csv", "events.csv", "resolved.cfg", "posterior.csv",
        "posterior_density.csv" };
    int rc = 0;
    char *dir = rp_scen_tmp(r, i);
    *dir_out = NULL;
    if (!dir || mkdir(dir, 0755) != 0) {
        diag_add(r->d, dir ? dir : r->tmp, 0, NULL, "cannot create folder: %s",
                 strerror(errno));
        free(dir);
        return NCG_ERR_IO;
    }
    for (size_t k = 0; k < sizeof files / sizeof *files && rc == 0; k++)
        rc = rp_copy(r, r->s[i].dir, files[k], dir, k < 5);
    plot_opts po = { .format = "svg", .quiet = 1, .procs = r->procs };
    if (rc == 0)
        rc = plot_scenario(dir, &po, r->d);
    if (rc != 0) {
        free(dir);
        return rc;
    }
    *dir_out = dir;
    return 0;
}

/* The posterior chart of each conditioned scenario (a folder with
 * posterior.csv), drawn by rp_draw_scenario and inlined. 0, or
 * NCG_ERR_IO with a message. */
static int rp_posteriors(report *r)
{
    int rc = 0;
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        char *post = output_path(r->s[i].dir, "posterior.csv"), *dir = NULL;
        int has = post && rp_is_file(post);
        free(post);
        if (!has)
            continue;
        char id[32];
        snprintf(id, sizeof id, "post%zu", i + 1);
        if (r->cmp_dir || i > 0)
            rc = rp_draw_scenario(r, i, &dir);
        else            /* one scenario: already drawn */
            dir = rp_scen_tmp(r, 0);
        if (rc != 0) {  /* a note in the page, not a failed page */
            char *copy = rp_scen_tmp(r, i);
            fputs("<h3>Conditioned posterior: ", r->f);
            rp_user(r, r->s[i].title);
            fputs("</h3>\n", r->f);
            rp_no_charts(r, copy, r->s[i].dir);
            free(copy);
            rc = 0;
            continue;
        }
        char *svg = rc == 0 && dir ? output_path(dir, "posterior.svg") : NULL;
        if (svg && rp_is_file(svg)) {
            char title[300];
            snprintf(title, sizeof title, "%s: what the observations taught: "
                     "prior and conditioned densities of the most moved "
                     "params", r->s[i].name);
            fputs("<h3>Conditioned posterior: ", r->f);
            rp_user(r, r->s[i].title);
            fputs("</h3>\n<figure>\n", r->f);
            if (svg_inline(r->f, svg, id, title, "Prior (before the "
                           "observations) and posterior (after) density of "
                           "each of the params the observations moved most; "
                           "the table posterior.csv below lists them all.",
                           r->d) != 0)
                rc = NCG_ERR_IO;
            fputs("<figcaption>Prior and conditioned densities of the params "
                  "the observations moved most (<code>posterior</code>)."
                  "</figcaption>\n</figure>\n", r->f);
        }
        free(svg);
        free(dir);
    }
    return rc;
}

/* Section 3: every chart, grouped by output. */
static int rp_charts(report *r)
{
    int rc = 0;
    rp_chart *list = NULL;
    size_t n = 0;
    fputs("<section id=\"charts\" aria-labelledby=\"h-charts\">\n"
          "<h2 id=\"h-charts\">3. Charts</h2>\n", r->f);
    char *from = NULL;
    if (r->cmp_dir) {
        rc = rp_draw(r);
        from = strdup(r->tmp);
    } else {
        rc = rp_draw_scenario(r, 0, &from);   /* one scenario: its charts */
    }
    if (rc != 0 || !from) {
        /* The page goes on without charts: say why, here and on stderr. */
        char *copy = r->cmp_dir ? strdup(r->tmp) : rp_scen_tmp(r, 0);
        rp_no_charts(r, copy, r->cmp_dir ? r->cmp_dir : r->s[0].dir);
        free(copy);
        rc = 0;
        goto end;
    }
    n = rp_list_charts(r, from, &list);
    if (n == 0) {
        fputs("<p>No charts: gnuplot could not draw them here (see the "
              "messages of the command).</p>\n", r->f);
        goto end;
    }
    fputs("<p>Drawn by ncgsim's plot back end (gnuplot) as SVG. Scenarios are "
          "told apart by line pattern and marker as well as colour; each "
          "chart's text alternative lists the numbers it shows.</p>\n", r->f);
    size_t group = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        rp_chart *c = &list[i];
        if (c->out != group) {
            if (group != (size_t)-1)
                fputs("</div>\n", r->f);
            group = c->out;
            fputs("<h3>", r->f);
            if (group == r->n_out)
                fputs(r->cmp_dir ? "All events" : "All outputs", r->f);
            else
                rp_user(r, rp_label(&r->o[group]));
            fputs("</h3>\n<div class=\"charts\">\n", r->f);
        }
        char *path = NULL, *desc = rp_chart_desc(r, c), id[32], file[300];
        snprintf(file, sizeof file, "%s.svg", c->stem);
        snprintf(id, sizeof id, "ch%zu", i + 1);
        path = output_path(from, file);
        const char *what = c->order < (int)RP_KINDS ? rp_kinds[c->order].what
                                                     : c->stem;
        char title[512];
        snprintf(title, sizeof title, "%s: %s",
                 group != r->n_out ? rp_label(&r->o[group])
                 : r->cmp_dir ? "All events" : "All outputs", what);
        fputs("<figure>\n", r->f);
        if (!path || !desc
            || svg_inline(r->f, path, id, title, desc, r->d) != 0)
            rc = NCG_ERR_IO;
        fputs("<figcaption>", r->f);
        rp_text(r, what);
        fputs(" (<code>", r->f);
        rp_text(r, c->stem);
        fputs("</code>).</figcaption>\n</figure>\n", r->f);
        free(path);
        free(desc);
        if (rc != 0)
            break;
    }
    fputs("</div>\n", r->f);
end:
    for (size_t i = 0; i < n; i++)
        free(list[i].stem);
    free(list);
    free(from);
    if (rc == 0)
        rc = rp_posteriors(r);
    if (rc == 0)
        rp_extras_section(r);
    fputs("</section>\n", r->f);
    return rc;
}

/* ------------------------------------------------- other analyses -- */

/* Draws the charts of an analysis folder DIR from the files in it (see
 * plot/sens_plot.h, plot/discover_plot.h, plot/plot.h). */
typedef int (*rp_draw_fn)(const char *dir, const plot_opts *o, diag *d);

/* A result file of another analysis that may sit in OUT, and what of it
 * the page shows. */
typedef struct rp_extra {
    const char *file;           /* its name in a subfolder of OUT */
    const char *title;          /* the heading */
    const char *what;           /* one sentence on what the table holds */
    const char *const *cols;    /* the columns shown (those present), or
                                   NULL for every column */
    const char *top_col;        /* show only rows where this column is at
                                   most RP_TOP (a rank), or NULL */
    rp_draw_fn draw;            /* draws its charts, or NULL */
    const char *const *copy;    /* the files DRAW reads (NULL-terminated;
                                   the first is required) */
    const char *key_col;        /* the column naming a chart's output: the
                                   rows whose value ends the chart's name
                                   are its text alternative; NULL: none */
    const char *const *desc_cols;   /* the columns of those rows listed */
} rp_extra;

#define RP_TOP 5
#define RP_MAX_ROWS 60
/* Rows of a result file listed in one chart's text alternative. */
#define RP_DESC_ROWS 12

/* (Older files: output and kind, shown when present.) */
static const char *const rp_sens_cols[] = { "variable", "output", "param",
    "perturbation", "kind", "rank", "swing", "swing_lo95", "swing_hi95",
    "spearman", "s1", "st", NULL };
static const char *const rp_box_cols[] = { "sequence", "box", "coverage",
    "density", "mass", "input", "min", "max", "qp_lower", "qp_upper", NULL };
static const char *const rp_sens_copy[] = { "sensitivity.csv", "resolved.cfg",
                                            NULL };
static const char *const rp_sens_desc[] = { "param", "base_mean", "low_diff",
    "high_diff", "s1", "st", NULL };
static const char *const rp_sweep_copy[] = { "sweep.csv", NULL };
static const char *const rp_sweep_desc[] = { "point", "value", "lo95", "hi95",
                                             NULL };
/* scatter.dat is there when discover drew its charts: its head names the
 * case and the two inputs, its rows the trials (the scatter chart). */
static const char *const rp_box_copy[] = { "discovery.csv", "boxes.csv",
                                           "scatter.dat", NULL };
static const char *const rp_score_copy[] = { "reliability.csv", NULL };

static const rp_extra rp_extras[] = {
    { "posterior.csv", "Conditioned posterior", "The inputs after "
      "conditioning on the observations.", NULL, NULL, NULL, NULL, NULL,
      NULL },
    { "score.csv", "Forecast scores", "Brier and log scores of the model's "
      "forecasts against what happened.", NULL, NULL, plot_score,
      rp_score_copy, NULL, NULL },
    { "sensitivity.csv", "Sensitivity", "For each output, the params with the "
      "largest swing (mean with the param at its low and its high value, "
      "paired 95% interval), their rank correlation and Sobol indices (first "
      "order s1, total st); the five largest per output.", rp_sens_cols,
      "rank", sens_plot_sensitivity_files, rp_sens_copy, "variable",
      rp_sens_desc },
    { "sweep.csv", "Sweep", "Each output's mean (probability for events) at "
      "every point of the grid, with its 95% interval and its paired "
      "difference from the first point.", NULL, NULL, sens_plot_sweep_files,
      rp_sweep_copy, "variable", rp_sweep_desc },
    { "boxes.csv", "Scenario discovery: chosen boxes", "The chosen boxes' "
      "limits on each restricted input, with coverage, density and "
      "quasi-p-values.", rp_box_cols, NULL, discover_plot_files, rp_box_copy,
      NULL, NULL },
};
#define RP_EXTRAS (sizeof rp_extras / sizeof rp_extras[0])

/* A table cell: a number right-aligned to four significant digits, text
 * escaped. */
static void rp_cell_text(report *r, const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (*s && *end == '\0' && isfinite(v) && v != 0 && fabs(v) < 1e-4) {
        /* A tiny number (a quasi-p of 1e-23) would read as 0.0000. */
        char buf[32];
        snprintf(buf, sizeof buf, "%.2e", fabs(v));
        fprintf(r->f, "<td class=\"n\">%s%s", v < 0 ? MINUS : "", buf);
    } else if (*s && *end == '\0' && isfinite(v)) {
        fputs("<td class=\"n\">", r->f);
        rp_num(r, v, fabs(v) >= 1000 || v == floor(v) ? 0
                     : fabs(v) >= 100 ? 1 : fabs(v) >= 10 ? 2
                     : fabs(v) >= 1 ? 3 : 4, 0);
    } else {
        fputs("<td>", r->f);
        rp_text(r, s);
    }
    fputs("</td>", r->f);
}

/* The heading of file E in folder NAME and its sentence. */
static void rp_extra_heading(report *r, const rp_extra *e, const char *name)
{
    fputs("<h3>", r->f);
    rp_text(r, e->title);
    fputs(" <span class=\"unit\">(<code>", r->f);
    rp_text(r, name);
    fputs("/", r->f);
    rp_text(r, e->file);
    fputs("</code>)</span></h3>\n<p>", r->f);
    rp_text(r, e->what);
    fputs("</p>\n", r->f);
}

/* Writes table T of file E (at most RP_MAX_ROWS rows). */
static void rp_extra_table(report *r, const rp_extra *e, const table *t)
{
    int cols[64];
    size_t nc = 0;
    for (size_t c = 0; c < t->ncol && nc < 64; c++) {
        int keep = !e->cols;
        for (const char *const *k = e->cols; k && *k; k++)
            keep |= strcmp(t->name[c], *k) == 0;
        if (keep)
            cols[nc++] = (int)c;
    }
    int top = e->top_col ? rp_tcol(t, e->top_col) : -1;
    fputs("<div class=\"scroll\"><table class=\"extra\"><thead><tr>", r->f);
    for (size_t c = 0; c < nc; c++) {
        fputs("<th scope=\"col\">", r->f);
        rp_name(r, t->name[cols[c]]);
        fputs("</th>", r->f);
    }
    fputs("</tr></thead><tbody>\n", r->f);
    size_t shown = 0, rows = 0;
    for (size_t i = 0; i < t->nrow; i++) {
        if (top >= 0 && !(rp_tnum(t, i, top) <= RP_TOP))
            continue;
        rows++;
        if (shown >= RP_MAX_ROWS)
            continue;
        shown++;
        fputs("<tr>", r->f);
        for (size_t c = 0; c < nc; c++)
            rp_cell_text(r, rp_tget(t, i, cols[c]));
        fputs("</tr>\n", r->f);
    }
    fputs("</tbody></table></div>\n", r->f);
    if (rows > shown)
        fprintf(r->f, "<p class=\"key\">The first %zu of %zu rows; the rest "
                "are in the file.</p>\n", shown, rows);
}

/* The text alternative of chart STEM drawn from file E of folder NAME
 * (table T): what it is and the numbers behind it, the rows of T whose
 * E->key_col ends STEM ("tornado-troops": output troops). Malloc'd. */
static char *rp_extra_desc(const rp_extra *e, const table *t,
                           const char *name, const char *stem)
{
    char *buf = NULL;
    size_t len = 0, listed = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fprintf(f, "Chart %s, drawn from %s/%s", stem, name, e->copy[0]);
    const char *dash = strchr(stem, '-');
    int key = e->key_col ? rp_tcol(t, e->key_col) : -1;
    for (size_t i = 0; dash && key >= 0 && i < t->nrow; i++) {
        if (strcmp(rp_tget(t, i, key), dash + 1) != 0)
            continue;
        if (listed++ == RP_DESC_ROWS)
            break;
        fputs(listed == 1 ? ". " : "; ", f);
        for (const char *const *c = e->desc_cols; *c; c++)
            fprintf(f, "%s%s %s", c == e->desc_cols ? "" : ", ", *c,
                    rp_tget(t, i, rp_tcol(t, *c)));
    }
    fputs(listed > RP_DESC_ROWS ? "; the rest are in the table." :
          listed ? "." : "; the table that follows has the numbers of "
          "the analysis.", f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The charts of other analyses, in the order shown for each output, with
 * the words their title starts with. */
static const struct { const char *prefix, *words; } rp_extra_kinds[] = {
    { "tornado", "The largest effects on" },
    { "sobol", "Sobol indices of the random params for" },
    { "sweep", "Sweep of" },
    { "tradeoff", "Coverage and density of every box found" },
    { "limits", "Box 1's limits against each input's range" },
    { "scatter", "Box 1 over every trial on its two most significant "
      "inputs" },
    { "reliability", "Reliability of the forecasts" },
};
#define RP_EXTRA_KINDS (sizeof rp_extra_kinds / sizeof rp_extra_kinds[0])

/* The kind of chart STEM (its index in rp_extra_kinds, or
 * RP_EXTRA_KINDS). */
static size_t rp_extra_kind(const char *stem)
{
    size_t k = 0;
    while (k < RP_EXTRA_KINDS
           && strncmp(stem, rp_extra_kinds[k].prefix,
                      strlen(rp_extra_kinds[k].prefix)) != 0)
        k++;
    return k;
}

/* Charts by output (the name after the '-'), then by kind. */
static int rp_extra_cmp(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    const char *dx = strchr(x, '-'), *dy = strchr(y, '-');
    int c = strcmp(dx ? dx : "", dy ? dy : "");
    if (c != 0)
        return c;
    size_t kx = rp_extra_kind(x), ky = rp_extra_kind(y);
    return kx != ky ? (kx < ky ? -1 : 1) : strcmp(x, y);
}

/* The SVG files in DIR, sorted by output and kind (malloc'd names); how
 * many. */
static size_t rp_svgs(const char *dir, char ***out)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    char **v = NULL;
    size_t n = 0;
    while (dp && (e = readdir(dp)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".svg") != 0)
            continue;
        char **nv = realloc(v, (n + 1) * sizeof *nv);
        if (!nv)
            break;
        v = nv;
        if ((v[n] = strndup(e->d_name, len - 4)) != NULL)
            n++;
    }
    if (dp)
        closedir(dp);
    if (n > 1)
        qsort(v, n, sizeof *v, rp_extra_cmp);
    *out = v;
    return n;
}

/* Copies E's files from SUB into a new folder of the temporary one
 * (malloc'd into *COPY) and draws its charts there as SVG. 0, or an
 * ncg_status with a message. */
static int rp_extra_draw(report *r, const rp_extra *e, const char *sub,
                         char **copy)
{
    char name[32];
    snprintf(name, sizeof name, "extra-%zu", ++r->n_extra);
    char *dir = *copy = output_path(r->tmp, name);
    if (!dir || mkdir(dir, 0755) != 0) {
        diag_add(r->d, dir ? dir : r->tmp, 0, NULL, "cannot create folder: "
                 "%s", strerror(errno));
        return NCG_ERR_IO;
    }
    int rc = 0;
    for (const char *const *c = e->copy; *c && rc == 0; c++)
        rc = rp_copy(r, sub, *c, dir, c == e->copy);
    plot_opts po = { .format = "svg", .quiet = 1, .procs = r->procs };
    return rc ? rc : e->draw(dir, &po, r->d);
}

/* The charts of file E (table T) in folder SUB (named NAME), redrawn as
 * SVG from its files and inlined, each with its text alternative; a
 * note in their place when they cannot be drawn. */
static void rp_extra_charts(report *r, const rp_extra *e, const table *t,
                            const char *sub, const char *name)
{
    char *copy = NULL, **stems = NULL;
    size_t n = 0;
    if (rp_extra_draw(r, e, sub, &copy) != 0) {
        rp_no_charts(r, copy, sub);
        free(copy);
        return;
    }
    n = rp_svgs(copy, &stems);
    for (size_t i = 0; i < n; i++) {
        char file[300], id[48], title[400];
        snprintf(file, sizeof file, "%s.svg", stems[i]);
        snprintf(id, sizeof id, "x%zu-%zu", r->n_extra, i + 1);
        size_t k = rp_extra_kind(stems[i]);
        const char *dash = strchr(stems[i], '-');
        snprintf(title, sizeof title, "%s%s%s (%s)", k < RP_EXTRA_KINDS
                 ? rp_extra_kinds[k].words : stems[i], dash ? " " : "",
                 dash ? dash + 1 : "", name);
        char *path = output_path(copy, file);
        char *desc = rp_extra_desc(e, t, name, stems[i]);
        fputs("<figure>\n", r->f);
        if (!path || !desc
            || svg_inline(r->f, path, id, title, desc, r->d) != 0) {
            diag_print(r->d, stderr);   /* a warning: the table stays */
            diag_clear(r->d);
        }
        fputs("<figcaption><code>", r->f);
        rp_text(r, name);
        fputs("/", r->f);
        rp_text(r, stems[i]);
        fputs("</code>, redrawn from ", r->f);
        /* The files copied (an optional one may be absent). */
        for (const char *const *c = e->copy; *c; c++) {
            char *there = output_path(copy, *c);
            struct stat st;
            if (c == e->copy || (there && stat(there, &st) == 0)) {
                fputs(c == e->copy ? "<code>" : " and <code>", r->f);
                rp_text(r, *c);
                fputs("</code>", r->f);
            }
            free(there);
        }
        fputs(".</figcaption>\n</figure>\n", r->f);
        free(path);
        free(desc);
        free(stems[i]);
    }
    free(stems);
    free(copy);
}

/* The charts and the table of file E in folder DIR (named NAME). 0 or -1
 * when the file cannot be read (a message in D). */
static int rp_extra_show(report *r, const rp_extra *e, const char *dir,
                         const char *name)
{
    char *path = output_path(dir, e->file);
    table *t = path ? rp_tread(path, r->d) : NULL;
    free(path);
    if (!t)
        return -1;
    /* One block per analysis: printed from a new page, so that its
     * heading is never left at the foot of a page without its chart. */
    fputs("<div class=\"analysis\">\n", r->f);
    rp_extra_heading(r, e, name);
    if (e->draw)
        rp_extra_charts(r, e, t, dir, name);
    rp_extra_table(r, e, t);
    fputs("</div>\n", r->f);
    rp_tfree(t);
    return 0;
}

/* The names in folder DIR that do not start with '.', sorted (a stable
 * page); how many, into *OUT (malloc'd). */
static size_t rp_subfolders(const char *dir, char ***out)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    char **v = NULL;
    size_t n = 0;
    while (dp && (e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char **nv = realloc(v, (n + 1) * sizeof *nv);
        if (!nv)
            break;
        v = nv;
        if ((v[n] = strdup(e->d_name)) != NULL)
            n++;
    }
    if (dp)
        closedir(dp);
    if (n > 1)
        qsort(v, n, sizeof *v, rp_strcmp);
    *out = v;
    return n;
}

/* Other analyses found in OUT's subfolders (and the scenarios' own
 * folders): their charts and a table each, under one heading; nothing
 * when there is none. */
static void rp_extras_section(report *r)
{
    char **subs = NULL;
    size_t n = rp_subfolders(r->out, &subs);
    int heading = 0;
    for (size_t k = 0; k < RP_EXTRAS; k++)
        for (size_t i = 0; i < n; i++) {
            char *sub = output_path(r->out, subs[i]);
            char *file = sub ? output_path(sub, rp_extras[k].file) : NULL;
            if (file && rp_is_file(file)) {
                if (!heading)
                    fputs("<h3 class=\"part\">Other analyses in this results "
                          "folder</h3>\n<p>The result files of other ncgsim "
                          "commands run into the same folder: their charts, "
                          "redrawn here as SVG from those files, and their "
                          "numbers as tables.</p>\n", r->f);
                heading = 1;
                if (rp_extra_show(r, &rp_extras[k], sub, subs[i]) != 0) {
                    diag_print(r->d, stderr);   /* a warning: skip it */
                    diag_clear(r->d);
                }
            }
            free(file);
            free(sub);
        }
    for (size_t i = 0; i < n; i++)
        free(subs[i]);
    free(subs);
}

/* ------------------------------------------------------ method, sources -- */

/* The table of runs: trials, effective trials, steps, seed, sampler and
 * model hash per scenario. */
static void rp_runs(report *r)
{
    fputs("<div class=\"scroll\"><table><caption>Runs</caption><thead>"
          "<tr><th scope=\"col\">Scenario</th><th scope=\"col\">Trials</th>",
          r->f);
    if (r->conditioned)
        fputs("<th scope=\"col\">Effective trials (ESS)</th>", r->f);
    fputs("<th scope=\"col\">Steps</th><th scope=\"col\">Seed</th>"
          "<th scope=\"col\">Sampler</th><th scope=\"col\">Model hash</th>"
          "</tr></thead><tbody>\n", r->f);
    for (size_t i = 0; i < r->n; i++) {
        const scenario_sim *sim = &r->s[i].sc->sim;
        fputs("<tr><td><code>", r->f);
        rp_text(r, r->s[i].name);
        fprintf(r->f, "</code></td><td>%llu</td>",
                (unsigned long long)sim->trials);
        if (r->conditioned && isfinite(r->s[i].ess))
            fprintf(r->f, "<td>%.1f</td>", r->s[i].ess);
        else if (r->conditioned)
            fputs("<td>not conditioned</td>", r->f);
        fprintf(r->f, "<td>%u %s</td><td>%llu</td><td>", sim->steps,
                sim->step_unit, (unsigned long long)sim->seed);
        rp_text(r, sim->sampler);
        fputs("</td><td><code>", r->f);
        rp_text(r, r->s[i].hash[0] ? r->s[i].hash : "unknown");
        fputs("</code></td></tr>\n", r->f);
    }
    fputs("</tbody></table></div>\n", r->f);
}

/* How to reproduce the batch: the command that made it (O's, when
 * known) and one from the resolved.cfg files alone. */
static void rp_reproduce(report *r, const report_opts *o)
{
    if (o && o->command) {
        fputs("<p>The command that made this batch:</p>\n<pre>", r->f);
        rp_text(r, o->command);
        fputs("</pre>\n", r->f);
    }
    fputs("<p>From the resolved scenarios kept with the results (they hold "
          "every setting, so the original files are not needed):</p>\n<pre>"
          "ncgsim run", r->f);
    for (size_t i = 0; i < r->n; i++) {
        char *p = output_path(r->s[i].dir, "resolved.cfg");
        fputs(" \\\n    ", r->f);
        rp_text(r, p ? p : "?");
        free(p);
    }
    if (r->n > 1) {
        fputs(" \\\n    --reference ", r->f);
        rp_text(r, r->s[0].name);
    }
    fputs(" -o rerun --report</pre>\n", r->f);
}

/* The Monte Carlo standard error of every headline number and
 * difference, the largest over the scenarios. */
static void rp_mc_error(report *r)
{
    fputs("<h3>Monte Carlo error of the headline numbers</h3>\n<p>The "
          "standard error from the finite number of trials (the 95% "
          "intervals above are &#177;1.96 standard errors). Largest over the "
          "scenarios:</p>\n<div class=\"scroll\"><table><thead><tr>"
          "<th scope=\"col\">Output</th><th scope=\"col\">Standard error of "
          "the value</th>", r->f);
    if (r->n > 1)
        fputs("<th scope=\"col\">Standard error of the difference</th>", r->f);
    fputs("</tr></thead><tbody>\n", r->f);
    for (size_t k = 0; k < r->n_out; k++) {
        const rp_out *ou = &r->o[k];
        double se = 0, dse = 0, m = ou->event ? 100.0 : 1.0;
        for (size_t i = 0; i < r->n; i++) {
            const rp_cell *c = rp_at(r, k, i);
            if (isfinite(c->se) && c->se > se)
                se = c->se;
            if (isfinite(c->dse) && c->dse > dse)
                dse = c->dse;
        }
        fputs("<tr><td>", r->f);
        rp_user(r, rp_label(ou));
        fputs("</td><td>", r->f);
        rp_num(r, m * se, rp_decimals(m * se, m * se) + 1, 0);
        fputs(ou->event ? "&#8239;pp" : "", r->f);
        if (r->n > 1) {
            fputs("</td><td>", r->f);
            rp_num(r, m * dse, rp_decimals(m * dse, m * dse) + 1, 0);
            fputs(ou->event ? "&#8239;pp" : "", r->f);
        }
        fputs("</td></tr>\n", r->f);
    }
    fputs("</tbody></table></div>\n</section>\n", r->f);
}

/* Section 4: how the numbers were made and how to make them again. */
static void rp_method(report *r, const report_opts *o)
{
    fputs("<section id=\"method\" aria-labelledby=\"h-method\">\n"
          "<h2 id=\"h-method\">4. Method</h2>\n<p>Each scenario is a Monte "
          "Carlo simulation: every trial draws the uncertain inputs once and "
          "steps the model through the horizon. ", r->f);
    if (r->n > 1)
        fputs("The scenarios ran in lockstep with the reference on the same "
              "random numbers (common random numbers), so differences are "
              "paired trial by trial and their intervals are much narrower "
              "than the scenarios' own spread.", r->f);
    fputs("</p>\n", r->f);
    rp_runs(r);
    if (r->conditioned)
        fputs("<p>A conditioned scenario weights its trials by how well they "
              "match its observations (likelihood weighting); its effective "
              "number of trials (ESS, Kish) is what its standard errors and "
              "intervals rest on, and it is smaller than the trials run. "
              "Its differences from the reference stay paired trial by "
              "trial, each side with its own weights (delta-method "
              "standard errors).</p>\n",
              r->f);
    fputs("<p>The model hash is FNV-1a 64 of the "
          "resolved scenario (<code>resolved.cfg</code>: every "
          "<code>extends</code> and <code>--set</code> applied); the same "
          "hash, trials, seed and sampler give the same numbers, byte for "
          "byte, on any number of threads.</p>\n<h3>To reproduce</h3>\n",
          r->f);
    rp_reproduce(r, o);
    rp_mc_error(r);
}

static void rp_sources_section(report *r)
{
    fputs("<section id=\"sources\" aria-labelledby=\"h-sources\">\n"
          "<h2 id=\"h-sources\">5. Sources</h2>\n", r->f);
    if (r->n_src == 0) {
        fputs("<p>No value shown and no setting changed cites a source.</p>\n",
              r->f);
    } else {
        fputs("<p>Every source cited by a value shown or a setting changed "
              "(the <code>source</code> of its variable), with what cites "
              "it.</p>\n<ol class=\"src\">\n", r->f);
        for (size_t i = 0; i < r->n_src; i++) {
            fprintf(r->f, "<li id=\"src-%zu\" dir=\"auto\">", i + 1);
            rp_text(r, r->src[i].text);
            fputs("<span class=\"by\">Cited by ", r->f);
            rp_text(r, r->src[i].by ? r->src[i].by : "");
            fputs("</span></li>\n", r->f);
        }
        fputs("</ol>\n", r->f);
    }
    fputs("</section>\n</main>\n<footer><p class=\"meta\">ncgsim " NCGSIM_VERSION
          ". This page is self-contained: it loads nothing else.</p></footer>\n"
          "</body>\n</html>\n", r->f);
}

/* ---------------------------------------------------------------- main -- */

static void rp_free(report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->s[i].name);
        free(r->s[i].title);
        free(r->s[i].dir);
        scenario_free(r->s[i].sc);
        rp_tfree(r->s[i].sum);
        diff_free(r->s[i].diff);
    }
    free(r->s);
    rp_tfree(r->cmp);
    free(r->cmp_dir);
    free(r->o);
    free(r->cell);
    for (size_t i = 0; i < r->n_src; i++)
        free(r->src[i].by);
    free(r->src);
}

int report_write(const char *out, const report_opts *o, diag *d)
{
    report r;
    output_dir od = { 0 };
    memset(&r, 0, sizeof r);
    r.out = out;
    r.d = d;
    r.procs = o ? o->procs : 0;
    int rc = rp_find(&r);
    if (rc == 0)
        rc = rp_load(&r);
    if (rc == 0)
        rc = rp_cells(&r);
    if (rc != 0)
        goto end;
    rp_sources(&r);
    if ((rc = output_begin(out, ".report", "report", &od, d)) != 0)
        goto end;
    r.tmp = od.tmp;
    if (!(r.f = output_open(od.tmp, "report.html", d))) {
        rc = NCG_ERR_IO;
        goto end;
    }
    rp_head(&r);
    rp_answer(&r);
    rp_assumptions(&r);
    rc = rp_charts(&r);
    rp_method(&r, o);
    rp_sources_section(&r);
    int wrc = output_close(r.f, od.tmp, "report.html", d);
    r.f = NULL;
    if (rc == 0)
        rc = wrc;
    if (rc == 0)
        rc = output_place(&od, "report.html", d);
    if (rc == 0 && !(o && o->quiet)) {
        char *p = output_path(out, "report.html");
        printf("  report: %s\n", p ? p : out);
        free(p);
    }
end:
    if (r.f)
        fclose(r.f);
    if (od.tmp)
        output_abort(&od);
    rp_free(&r);
    return rc;
}
