/* discover.c: scenario discovery on per-trial data: typed columns, the case of interest as an expression, box sequences, result files. */
#include "analysis/discover.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "base/status.h"
#include "expr/code.h"
#include "expr/vm.h"
#include "io/output.h"
#include "model/model.h"
#include "random/rng.h"

void discover_src_free(discover_src *s)
{
    if (!s)
        return;
    for (size_t c = 0; c < s->n_cols; c++) {
        if (s->name)
            free(s->name[c]);
        if (s->cat && s->cat[c]) {
            for (unsigned i = 0; i < s->n_cat[c]; i++)
                free(s->cat[c][i]);
            free(s->cat[c]);
        }
    }
    free(s->name);
    free(s->kind);
    free(s->x);
    free(s->n_cat);
    free(s->cat);
    free(s->line);
    memset(s, 0, sizeof *s);
}

/* Allocates S's arrays for N_COLS columns of N_ROWS rows; 0 or -1. */
static int src_alloc(discover_src *s, const char *origin, size_t n_cols,
                     size_t n_rows)
{
    memset(s, 0, sizeof *s);
    s->origin = origin;
    s->n_cols = n_cols;
    s->n_rows = n_rows;
    size_t nc = n_cols ? n_cols : 1;
    s->name = calloc(nc, sizeof *s->name);
    s->kind = calloc(nc, sizeof *s->kind);
    s->x = malloc(nc * (n_rows ? n_rows : 1) * sizeof *s->x);
    s->n_cat = calloc(nc, sizeof *s->n_cat);
    s->cat = calloc(nc, sizeof *s->cat);
    s->line = calloc(n_rows ? n_rows : 1, sizeof *s->line);
    if (!s->name || !s->kind || !s->x || !s->n_cat || !s->cat || !s->line) {
        discover_src_free(s);
        return -1;
    }
    return 0;
}

/* 1 when S is digits with an optional sign (pandas reads it as int64). */
static int is_whole(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

/* S as a finite number in *V; 0, or -1 when it is not one. */
static int as_number(const char *s, double *v)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    *v = strtod(s, &end);
    return *end == 0 && isfinite(*v) ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Column C of T as categories: sorted distinct labels, indices in S->x. */
static int categorise(const table *t, size_t c, discover_src *s)
{
    size_t n = t->nrow, u = 0;
    char **lab = malloc((n ? n : 1) * sizeof *lab);
    if (!lab)
        return -1;
    for (size_t r = 0; r < n; r++)
        lab[r] = (char *)table_cell(t, r, c);
    qsort(lab, n, sizeof *lab, cmp_str);
    for (size_t r = 0; r < n; r++)
        if (u == 0 || strcmp(lab[u - 1], lab[r]) != 0)
            lab[u++] = lab[r];
    s->cat[c] = calloc(u ? u : 1, sizeof *s->cat[c]);
    if (!s->cat[c]) {
        free(lab);
        return -1;
    }
    s->n_cat[c] = (unsigned)u;
    for (size_t i = 0; i < u; i++)
        if (!(s->cat[c][i] = strdup(lab[i]))) {
            free(lab);
            return -1;
        }
    for (size_t r = 0; r < n; r++) {
        const char *v = table_cell(t, r, c);
        char **at = bsearch(&v, lab, u, sizeof *lab, cmp_str);
        s->x[c * n + r] = (double)(at - lab);
    }
    free(lab);
    return 0;
}

int discover_from_table(const table *t, discover_src *s, diag *d)
{
    if (src_alloc(s, t->path, t->ncol, t->nrow) != 0) {
        diag_add(d, t->path, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    for (size_t r = 0; r < t->nrow; r++)
        s->line[r] = t->line[r];
    for (size_t c = 0; c < t->ncol; c++) {
        if (!(s->name[c] = strdup(t->name[c])))
            goto oom;
        size_t numeric = 0, whole = 0, empty = 0;
        for (size_t r = 0; r < t->nrow; r++) {
            const char *v = table_cell(t, r, c);
            double x;
            empty += *v == 0;
            if (as_number(v, &x) == 0) {
                numeric++;
                whole += (size_t)is_whole(v);
                s->x[c * t->nrow + r] = x;
            }
        }
        if (numeric + empty == t->nrow && numeric > 0 && empty > 0) {
            for (size_t r = 0; r < t->nrow; r++)
                if (!*table_cell(t, r, c)) {
                    diag_add(d, t->path, t->line[r], NULL,
                             "column '%s': empty cell (every row of a column "
                             "of numbers needs a value)", t->name[c]);
                    return NCG_ERR_USAGE;
                }
        }
        if (numeric == t->nrow && t->nrow > 0) {
            s->kind[c] = whole == t->nrow ? PRIM_INT : PRIM_FLOAT;
        } else {
            s->kind[c] = PRIM_CAT;
            if (categorise(t, c, s) != 0)
                goto oom;
        }
    }
    return 0;
oom:
    diag_add(d, t->path, 0, NULL, "out of memory");
    discover_src_free(s);
    return NCG_ERR_NOMEM;
}

int discover_from_values(discover_src *s, const char *origin,
                         const char *const *names, size_t n_cols,
                         size_t n_rows, const double *values)
{
    if (src_alloc(s, origin, n_cols, n_rows) != 0)
        return -1;
    for (size_t c = 0; c < n_cols; c++) {
        if (!(s->name[c] = strdup(names[c]))) {
            discover_src_free(s);
            return -1;
        }
        int whole = 1;
        for (size_t r = 0; r < n_rows; r++) {
            double v = values[r * n_cols + c];
            s->x[c * n_rows + r] = v;
            whole &= v == trunc(v) && fabs(v) < 9007199254740992.0;
        }
        s->kind[c] = whole ? PRIM_INT : PRIM_FLOAT;
    }
    return 0;
}

size_t discover_model_cols(const model *m)
{
    size_t c = m->n_outputs;
    for (size_t v = 0; v < m->n_vars; v++)
        c += m->vars[v].kind == VAR_PARAM;
    for (size_t o = 0; o < m->n_outputs; o++)
        c += m->vars[m->outputs[o]].kind == VAR_EVENT;
    return c;
}

int discover_from_model(discover_src *s, const char *origin, const model *m,
                        size_t n_rows, const double *values)
{
    size_t cols = discover_model_cols(m), k = 0, e = 0;
    const char **names = malloc((cols ? cols : 1) * sizeof *names);
    char **ever = calloc(m->n_outputs + 1, sizeof *ever);
    int rc = -1;
    if (!names || !ever)
        goto end;
    for (size_t v = 0; v < m->n_vars; v++)
        if (m->vars[v].kind == VAR_PARAM)
            names[k++] = m->vars[v].name;
    for (size_t o = 0; o < m->n_outputs; o++)
        names[k++] = m->vars[m->outputs[o]].name;
    for (size_t o = 0; o < m->n_outputs; o++) {
        const model_var *v = &m->vars[m->outputs[o]];
        if (v->kind != VAR_EVENT)
            continue;
        size_t len = strlen(v->name) + 8;
        if (!(ever[e] = malloc(len)))
            goto end;
        snprintf(ever[e], len, "%s_ever", v->name);
        names[k++] = ever[e++];
    }
    rc = discover_from_values(s, origin, names, cols, n_rows, values);
end:
    for (size_t i = 0; ever && i < e; i++)
        free(ever[i]);
    free(ever);
    free(names);
    return rc;
}

/* NAME as the expression language can write it: itself when it is an
 * identifier, else with every other character as '_' (and a leading '_'
 * before a digit). Into BUF of LEN. */
static void ident_of(const char *name, char *buf, size_t len)
{
    size_t w = 0;
    if (isdigit((unsigned char)*name) && w + 1 < len)
        buf[w++] = '_';
    for (; *name && w + 1 < len; name++)
        buf[w++] = isalnum((unsigned char)*name) ? *name : '_';
    buf[w] = 0;
}

/* The column of S named NAME (as written, or as its identifier), or -1. */
static long find_col(const discover_src *s, const char *name)
{
    char id[256];
    for (size_t c = 0; c < s->n_cols; c++)
        if (strcmp(s->name[c], name) == 0)
            return (long)c;
    for (size_t c = 0; c < s->n_cols; c++) {
        ident_of(s->name[c], id, sizeof id);
        if (strcmp(id, name) == 0)
            return (long)c;
    }
    return -1;
}

/* A case of interest compiled over the numeric columns of a source. */
typedef struct case_prog {
    code_prog *p;
    code_sym *syms;     /* one per numeric column (owned) */
    char **ids;         /* their names as identifiers (owned) */
    size_t *col_of;     /* symbol -> column of the source (owned) */
    size_t ns;          /* symbols */
    code_env env;
    code_seq seq;       /* the compiled condition */
    code_deps deps;     /* the symbols it reads */
    uint32_t dst;       /* the slot of its value */
} case_prog;

static void case_free(case_prog *c)
{
    for (size_t i = 0; i < c->ns; i++)
        free(c->ids[i]);
    free(c->ids);
    free(c->syms);
    free(c->col_of);
    code_seq_clear(&c->seq);
    code_deps_clear(&c->deps);
    code_free(c->p);
}

/* Declares every numeric column of S as a symbol of C's program (the
 * language has numbers only), with the slots t and T. 0, or
 * NCG_ERR_NOMEM (C is then to be freed). */
static int case_symbols(const discover_src *s, case_prog *c)
{
    size_t n = s->n_cols ? s->n_cols : 1;
    c->p = code_alloc();
    c->syms = calloc(n, sizeof *c->syms);
    c->ids = calloc(n, sizeof *c->ids);
    c->col_of = calloc(n, sizeof *c->col_of);
    if (!c->p || !c->syms || !c->ids || !c->col_of)
        return NCG_ERR_NOMEM;
    for (size_t col = 0; col < s->n_cols; col++) {
        if (s->kind[col] == PRIM_CAT)
            continue;
        char id[256];
        ident_of(s->name[col], id, sizeof id);
        if (!(c->ids[c->ns] = strdup(id)))
            return NCG_ERR_NOMEM;
        c->syms[c->ns].name = c->ids[c->ns];
        c->syms[c->ns].cur = c->syms[c->ns].prev = code_new_slot(c->p);
        c->syms[c->ns].is_param = 1;
        c->col_of[c->ns++] = col;
    }
    c->env.syms = c->syms;
    c->env.n_syms = c->ns;
    c->env.slot_t = code_new_slot(c->p);
    c->env.slot_T = code_new_slot(c->p);
    c->env.self = -1;
    c->env.source_prefix = "case";
    c->dst = code_new_slot(c->p);
    return 0;
}

/* Compiles EXPR (given with option OPT) into C and marks the columns it
 * reads in READS. 0, or NCG_ERR_USAGE with a message (not an
 * expression, or it calls a random function). */
static int case_compile(const discover_src *s, case_prog *c, const char *opt,
                        const char *expr, unsigned char *reads, diag *d)
{
    char err[512];
    if (code_expr(c->p, &c->env, expr, c->dst, &c->seq, &c->deps, err,
                  sizeof err) != 0) {
        diag_add(d, NULL, 0, NULL, "%s: %s (in '%s'; the names are the "
                 "columns of %s)", opt, err, expr, s->origin);
        return NCG_ERR_USAGE;
    }
    if (c->deps.uses_random) {
        diag_add(d, NULL, 0, NULL, "%s: '%s' calls a random function; "
                 "it must be a condition on the columns", opt, expr);
        return NCG_ERR_USAGE;
    }
    for (size_t i = 0; i < c->deps.n_all; i++)
        reads[c->col_of[c->deps.all[i]]] = 1;
    return 0;
}

/* Evaluates C over every row of S, a block of rows at a time, into Y.
 * 0, NCG_ERR_NOMEM, or NCG_ERR_USAGE with a message naming the first row
 * where the value is neither 1 nor 0. */
static int case_rows(const discover_src *s, const case_prog *c,
                     const char *opt, const char *expr, unsigned char *y,
                     diag *d)
{
    uint32_t n_slots = code_n_slots(c->p);
    double **reg = calloc(n_slots, sizeof *reg);
    double *lanes = malloc((size_t)n_slots * VM_BLOCK * sizeof *lanes);
    int rc = NCG_ERR_NOMEM;
    if (!reg || !lanes)
        goto end;
    for (uint32_t i = 0; i < n_slots; i++)
        reg[i] = lanes + (size_t)i * VM_BLOCK;
    vm_frame f = { 0 };
    f.reg = reg;
    f.lanes = VM_BLOCK;
    vm_fill(&f, c->env.slot_t, NAN);
    vm_fill(&f, c->env.slot_T, NAN);
    for (size_t i = 0; i < code_n_consts(c->p); i++)
        vm_fill(&f, code_const_slot(c->p, i), code_const_value(c->p, i));
    rc = 0;
    for (size_t r0 = 0; r0 < s->n_rows && rc == 0; r0 += VM_BLOCK) {
        size_t n = s->n_rows - r0 < VM_BLOCK ? s->n_rows - r0 : VM_BLOCK;
        f.lanes = n;
        f.trial0 = r0;
        for (size_t i = 0; i < c->deps.n_all; i++) {
            size_t col = c->col_of[c->deps.all[i]];
            memcpy(reg[c->syms[c->deps.all[i]].cur],
                   s->x + col * s->n_rows + r0, n * sizeof(double));
        }
        vm_run(c->seq.ins, c->seq.n, &f);
        for (size_t l = 0; l < n; l++) {
            double v = reg[c->dst][l];
            if (v != 0 && v != 1) {
                diag_add(d, s->origin, s->line[r0 + l], NULL, "%s: '%s' "
                         "gives %g in row %zu, not true (1) or false (0): "
                         "write a condition, e.g. x < 50 or an event's "
                         "name", opt, expr, v, r0 + l + 1);
                rc = NCG_ERR_USAGE;
                break;
            }
            y[r0 + l] = v == 1;
        }
    }
end:
    free(reg);
    free(lanes);
    return rc;
}

int discover_eval(const discover_src *s, const char *opt, const char *expr,
                  unsigned char *y, unsigned char *reads, diag *d)
{
    case_prog c = { 0 };
    int rc = case_symbols(s, &c);
    if (rc == 0)
        rc = case_compile(s, &c, opt, expr, reads, d);
    if (rc == 0)
        rc = case_rows(s, &c, opt, expr, y, d);
    if (rc == NCG_ERR_NOMEM)
        diag_add(d, NULL, 0, NULL, "out of memory");
    case_free(&c);
    return rc;
}

void discover_result_free(discover_result *r)
{
    if (!r)
        return;
    for (size_t q = 0; q < r->n_seq; q++) {
        prim_traj_clear(&r->seq[q].traj);
        free(r->seq[q].qp);
        free(r->seq[q].pct_cov);
        free(r->seq[q].pct_den);
    }
    free(r->seq);
    prim_free(r->p);
    free(r->case_expr);
    free(r->in);
    free(r->left_out);
    free((void *)r->data.x);
    free((void *)r->data.kind);
    free((void *)r->data.n_cat);
    free((void *)r->data.y);
    free(r);
}

const char *discover_input_name(const discover_result *r, size_t i)
{
    return r->src->name[r->in[i]];
}

/* Picks the inputs into R->in: O's list, or every column the case does not
 * read. 0 or NCG_ERR_USAGE. */
static int pick_inputs(const discover_src *s, const discover_opts *o,
                       const unsigned char *reads, discover_result *r,
                       diag *d)
{
    size_t cap = o->inputs ? o->n_inputs : s->n_cols;
    unsigned char *used = calloc(s->n_cols ? s->n_cols : 1, 1);
    r->in = malloc((cap ? cap : 1) * sizeof *r->in);
    r->left_out = malloc((s->n_cols ? s->n_cols : 1) * sizeof *r->left_out);
    if (!used || !r->in || !r->left_out) {
        free(used);
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    int rc = 0;
    for (size_t i = 0; i < (o->inputs ? o->n_inputs : s->n_cols) && !rc; i++) {
        long c = (long)i;
        if (o->inputs) {
            c = find_col(s, o->inputs[i]);
            if (c < 0) {
                const char *sug = diag_suggest(o->inputs[i],
                                               strlen(o->inputs[i]),
                                               (const char *const *)s->name,
                                               s->n_cols);
                diag_add(d, NULL, 0, NULL, "--inputs: no column '%s' in %s%s%s%s",
                         o->inputs[i], s->origin, sug ? " (did you mean '" : "",
                         sug ? sug : "", sug ? "'?)" : "");
                rc = NCG_ERR_USAGE;
                break;
            }
            if (used[c]) {
                diag_add(d, NULL, 0, NULL, "--inputs: '%s' is listed twice",
                         o->inputs[i]);
                rc = NCG_ERR_USAGE;
                break;
            }
            if (reads[c]) {
                diag_add(d, NULL, 0, NULL, "--inputs: '%s' is read by the "
                         "case '%s'; an input cannot explain itself",
                         o->inputs[i], o->case_expr);
                rc = NCG_ERR_USAGE;
                break;
            }
        } else if (reads[c]) {
            continue;
        }
        used[c] = 1;
        /* A constant column cannot separate cases from the others. */
        int constant = 1;
        const double *x = s->x + (size_t)c * s->n_rows;
        for (size_t row = 1; row < s->n_rows && constant; row++)
            constant = x[row] == x[0];
        if (constant && o->skip_constant) {
            r->left_out[r->n_left_out++] = (size_t)c;
            continue;
        }
        if (constant) {
            diag_add(d, s->origin, 0, NULL, "column '%s' has the same value "
                     "in every row: it cannot tell cases apart (leave it out: "
                     "list the inputs with --inputs)", s->name[c]);
            rc = NCG_ERR_USAGE;
            break;
        }
        r->in[r->n_in++] = (size_t)c;
    }
    free(used);
    if (!rc && r->n_in == 0) {
        diag_add(d, NULL, 0, NULL, "no input column left: every column of %s "
                 "is read by the case or constant", s->origin);
        rc = NCG_ERR_USAGE;
    }
    return rc;
}

/* The densest box whose coverage is at least half the sequence's start
 * (the earliest such on ties). */
static size_t choose(const prim_traj *t)
{
    size_t best = 0;
    double need = 0.5 * t->step[0].coverage;
    for (size_t s = 1; s < t->n_steps; s++)
        if (t->step[s].coverage >= need
            && t->step[s].density > t->step[best].density)
            best = s;
    return best;
}

/* Counts R's cases of interest and refuses data that PRIM cannot work
 * on: no case or only cases, or too few rows for --mass-min. 0, or
 * NCG_ERR_USAGE with a message in D. */
static int check_cases(const discover_src *s, const discover_opts *o,
                       discover_result *r, diag *d)
{
    for (size_t i = 0; i < s->n_rows; i++)
        r->n_cases += r->data.y[i];
    if (r->n_cases == 0 || r->n_cases == s->n_rows) {
        diag_add(d, NULL, 0, NULL, "--case: '%s' holds in %s of the %zu "
                 "rows of %s: there is nothing to tell apart", o->case_expr,
                 r->n_cases ? "every one" : "none", s->n_rows, s->origin);
        return NCG_ERR_USAGE;
    }
    if ((double)s->n_rows * o->prim.mass_min < 1.0) {
        diag_add(d, NULL, 0, NULL, "%s has %zu rows, fewer than 1 / "
                 "--mass-min = %g: a box could hold less than one row (use "
                 "more trials or a larger --mass-min)", s->origin, s->n_rows,
                 1.0 / o->prim.mass_min);
        return NCG_ERR_USAGE;
    }
    return 0;
}

/* Copies the chosen inputs' columns of S into R's data, as PRIM reads
 * them, and takes room for O's sequences. 0, or NCG_ERR_NOMEM. */
static int copy_inputs(const discover_src *s, const discover_opts *o,
                       discover_result *r, diag *d)
{
    size_t n = s->n_rows, ni = r->n_in;
    double *x = malloc(ni * n * sizeof *x);
    prim_kind *kind = malloc(ni * sizeof *kind);
    unsigned *n_cat = malloc(ni * sizeof *n_cat);
    r->data.x = x;
    r->data.kind = kind;
    r->data.n_cat = n_cat;
    r->seq = calloc(o->boxes, sizeof *r->seq);
    if (!x || !kind || !n_cat || !r->seq) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    for (size_t i = 0; i < ni; i++) {
        memcpy(x + i * n, s->x + r->in[i] * n, n * sizeof *x);
        kind[i] = s->kind[r->in[i]];
        n_cat[i] = s->n_cat[r->in[i]];
    }
    r->data.n_rows = n;
    r->data.n_cols = ni;
    return 0;
}

/* Finds sequence Q of R: the peeling trajectory over the N_LEFT rows ROWS
 * not yet covered, its chosen box (--box for the first), the box's
 * quasi-p values and, with --resample, its resampled figures (stream KEY +
 * Q); then takes the box's rows out. 0, or NCG_ERR_USAGE / NCG_ERR_NOMEM
 * with a message in D. */
static int find_sequence(discover_result *r, const discover_opts *o,
                         size_t q, const size_t *rows, size_t n_left,
                         uint64_t key, diag *d)
{
    discover_seq *sq = &r->seq[q];
    size_t ni = r->n_in;
    if (prim_find_box(r->p, &sq->traj) != 0)
        goto oom;
    r->n_seq = q + 1;
    sq->chosen = choose(&sq->traj);
    if (q == 0 && o->pick >= 0) {
        if ((size_t)o->pick >= sq->traj.n_steps) {
            diag_add(d, NULL, 0, NULL, "--box %ld: the first sequence has "
                     "boxes 0 to %zu", o->pick, sq->traj.n_steps - 1);
            return NCG_ERR_USAGE;
        }
        sq->chosen = (size_t)o->pick;
    }
    if (!(sq->qp = malloc(2 * ni * sizeof *sq->qp)))
        goto oom;
    prim_quasi_p(r->p, &sq->traj, sq->chosen, sq->qp);
    if (o->resample > 0) {
        sq->pct_cov = malloc(ni * sizeof *sq->pct_cov);
        sq->pct_den = malloc(ni * sizeof *sq->pct_den);
        const prim_step *st = &sq->traj.step[sq->chosen];
        if (!sq->pct_cov || !sq->pct_den
            || prim_resample(&r->data, rows, n_left, &o->prim, key + q,
                             o->resample, st->coverage, st->density,
                             sq->pct_cov, sq->pct_den) != 0)
            goto oom;
    }
    prim_select(r->p, &sq->traj, sq->chosen);
    return 0;
oom:
    diag_add(d, NULL, 0, NULL, "out of memory");
    return NCG_ERR_NOMEM;
}

int discover_run(const discover_src *s, const discover_opts *o,
                 discover_result **out, diag *d)
{
    int rc = NCG_ERR_NOMEM;
    discover_result *r = calloc(1, sizeof *r);
    unsigned char *reads = calloc(s->n_cols ? s->n_cols : 1, 1);
    unsigned char *y = malloc(s->n_rows ? s->n_rows : 1);
    size_t *rows = malloc((s->n_rows ? s->n_rows : 1) * sizeof *rows);
    *out = NULL;
    if (!r || !reads || !y || !rows || !(r->case_expr = strdup(o->case_expr))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        goto end;
    }
    r->src = s;
    r->data.y = y;
    y = NULL;
    if (s->n_rows == 0) {
        diag_add(d, s->origin, 0, NULL, "no rows of data");
        rc = NCG_ERR_USAGE;
        goto end;
    }
    if ((rc = discover_eval(s, "--case", o->case_expr,
                            (unsigned char *)r->data.y, reads, d))
        || (rc = pick_inputs(s, o, reads, r, d))
        || (rc = check_cases(s, o, r, d))
        || (rc = copy_inputs(s, o, r, d)))
        goto end;
    if (!(r->p = prim_alloc(&r->data, NULL, 0, &o->prim))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    uint64_t key = rng_key(o->seed, "discover.resample");
    for (size_t q = 0; q < o->boxes; q++) {
        size_t k_left, n_left = prim_remaining_rows(r->p, rows, &k_left);
        if (k_left == 0)
            break;     /* no case of interest left to cover */
        if ((rc = find_sequence(r, o, q, rows, n_left, key, d)) != 0)
            goto end;
    }
    *out = r;
    r = NULL;
    rc = 0;
end:
    discover_result_free(r);
    free(reads);
    free(y);
    free(rows);
    return rc;
}

void discover_limit(const discover_result *r, size_t q, size_t step,
                    size_t i, int upper, char *buf, size_t len)
{
    const prim_traj *t = &r->seq[q].traj;
    const discover_src *s = r->src;
    size_t c = r->in[i];
    if (r->data.kind[i] != PRIM_CAT) {
        snprintf(buf, len, "%.17g", t->lim[step * 2 * r->n_in + 2 * i
                                           + (size_t)(upper != 0)]);
        return;
    }
    const unsigned char *in = t->cat + step * prim_cat_offset(r->p, r->n_in)
                              + prim_cat_offset(r->p, i);
    size_t w = 0;
    buf[0] = 0;
    for (unsigned k = 0; k < s->n_cat[c]; k++) {
        if (!in[k])
            continue;
        int m = snprintf(buf + w, len - w, "%s%s", w ? "|" : "",
                         s->cat[c][k]);
        if (m < 0 || (size_t)m >= len - w)
            break;
        w += (size_t)m;
    }
}

static int write_discovery(const discover_result *r, const char *dir,
                           diag *d)
{
    FILE *f = output_open(dir, "discovery.csv", d);
    char buf[1024], col[1100];
    if (!f)
        return NCG_ERR_IO;
    fputs("sequence,box,n,k,coverage,density,mass,res_dim", f);
    for (size_t i = 0; i < r->n_in; i++)
        for (int u = 0; u < 2; u++) {
            snprintf(col, sizeof col, "%s_%s", discover_input_name(r, i),
                     u ? "max" : "min");
            fputc(',', f);
            output_csv_string(f, col);
        }
    fputc('\n', f);
    for (size_t q = 0; q < r->n_seq; q++) {
        const prim_traj *t = &r->seq[q].traj;
        for (size_t s = 0; s < t->n_steps; s++) {
            const prim_step *st = &t->step[s];
            fprintf(f, "%zu,%zu,%zu,%zu,%.17g,%.17g,%.17g,%zu", q + 1, s,
                    st->n, st->k, st->coverage, st->density, st->mass,
                    st->res_dim);
            for (size_t i = 0; i < r->n_in; i++)
                for (int u = 0; u < 2; u++) {
                    discover_limit(r, q, s, i, u, buf, sizeof buf);
                    fputc(',', f);
                    output_csv_string(f, buf);
                }
            fputc('\n', f);
        }
    }
    return output_close(f, dir, "discovery.csv", d);
}

static void write_qp(FILE *f, double qp)
{
    if (qp >= 0)
        fprintf(f, ",%.17g", qp);
    else
        fputc(',', f);
}

static int write_boxes(const discover_result *r, const char *dir, diag *d)
{
    FILE *f = output_open(dir, "boxes.csv", d);
    char lo[1024], hi[1024];
    if (!f)
        return NCG_ERR_IO;
    fputs("sequence,box,n,k,coverage,density,mass,res_dim,input,min,max,"
          "data_min,data_max,qp_lower,qp_upper\n", f);
    for (size_t q = 0; q < r->n_seq; q++) {
        const discover_seq *sq = &r->seq[q];
        const prim_step *st = &sq->traj.step[sq->chosen];
        int any = 0;
        for (size_t i = 0; i <= r->n_in; i++) {
            if (i == r->n_in ? any
                             : !prim_restricted(r->p, &sq->traj, sq->chosen, i))
                continue;
            fprintf(f, "%zu,%zu,%zu,%zu,%.17g,%.17g,%.17g,%zu,", q + 1,
                    sq->chosen, st->n, st->k, st->coverage, st->density,
                    st->mass, st->res_dim);
            if (i == r->n_in) {
                fputs(",,,,,,\n", f);    /* the whole data: no limit */
                continue;
            }
            any = 1;
            output_csv_string(f, discover_input_name(r, i));
            discover_limit(r, q, sq->chosen, i, 0, lo, sizeof lo);
            discover_limit(r, q, sq->chosen, i, 1, hi, sizeof hi);
            fputc(',', f);
            output_csv_string(f, lo);
            fputc(',', f);
            output_csv_string(f, hi);
            discover_limit(r, q, 0, i, 0, lo, sizeof lo);
            discover_limit(r, q, 0, i, 1, hi, sizeof hi);
            if (q > 0 || r->data.kind[i] == PRIM_CAT) {
                /* Whole-data limits, not the later sequences' box 0. */
                double a, b;
                prim_init_limits(r->p, i, &a, &b);
                if (r->data.kind[i] != PRIM_CAT) {
                    snprintf(lo, sizeof lo, "%.17g", a);
                    snprintf(hi, sizeof hi, "%.17g", b);
                }
            }
            fputc(',', f);
            output_csv_string(f, lo);
            fputc(',', f);
            output_csv_string(f, hi);
            write_qp(f, sq->qp[2 * i]);
            write_qp(f, sq->qp[2 * i + 1]);
            fputc('\n', f);
        }
    }
    return output_close(f, dir, "boxes.csv", d);
}

static int write_resample(const discover_result *r, const char *dir,
                          diag *d)
{
    FILE *f = output_open(dir, "resample.csv", d);
    if (!f)
        return NCG_ERR_IO;
    fputs("sequence,input,restricted,reproduce_coverage,"
          "reproduce_density\n", f);
    for (size_t q = 0; q < r->n_seq; q++) {
        const discover_seq *sq = &r->seq[q];
        if (!sq->pct_cov)
            continue;
        for (size_t i = 0; i < r->n_in; i++) {
            fprintf(f, "%zu,", q + 1);
            output_csv_string(f, discover_input_name(r, i));
            fprintf(f, ",%d,%.10g,%.10g\n",
                    prim_restricted(r->p, &sq->traj, sq->chosen, i),
                    sq->pct_cov[i], sq->pct_den[i]);
        }
    }
    return output_close(f, dir, "resample.csv", d);
}

int discover_write(const discover_result *r, const char *dir, diag *d)
{
    int rc;
    if ((rc = write_discovery(r, dir, d)) || (rc = write_boxes(r, dir, d))
        || (rc = write_resample(r, dir, d)))
        return rc;
    return 0;
}

/* Restricted inputs of sequence Q's chosen box, most significant first
 * (smallest quasi-p). Returns how many, into IDX. */
static size_t by_significance(const discover_result *r, size_t q, size_t *idx)
{
    const discover_seq *sq = &r->seq[q];
    size_t m = 0;
    for (size_t i = 0; i < r->n_in; i++)
        if (prim_restricted(r->p, &sq->traj, sq->chosen, i))
            idx[m++] = i;
    for (size_t a = 1; a < m; a++)
        for (size_t b = a; b > 0; b--) {
            double pa = fmin(sq->qp[2 * idx[b]] < 0 ? 2 : sq->qp[2 * idx[b]],
                             sq->qp[2 * idx[b] + 1] < 0 ? 2
                                                        : sq->qp[2 * idx[b] + 1]);
            double pb = fmin(sq->qp[2 * idx[b - 1]] < 0 ? 2
                                                        : sq->qp[2 * idx[b - 1]],
                             sq->qp[2 * idx[b - 1] + 1] < 0
                                 ? 2 : sq->qp[2 * idx[b - 1] + 1]);
            if (!(pa < pb))
                break;
            size_t tmp = idx[b];
            idx[b] = idx[b - 1];
            idx[b - 1] = tmp;
        }
    return m;
}

/* "X >= a", "X <= b", "a <= X <= b" or "X in {p, q}" with 4 digits. */
static void condition(const discover_result *r, size_t q, size_t i, FILE *out)
{
    const discover_seq *sq = &r->seq[q];
    const char *name = discover_input_name(r, i);
    if (r->data.kind[i] == PRIM_CAT) {
        char buf[1024];
        discover_limit(r, q, sq->chosen, i, 0, buf, sizeof buf);
        fprintf(out, "%s in {", name);
        for (char *s = buf; *s; s++)
            fputs(*s == '|' ? ", " : (char[2]){ *s, 0 }, out);
        fputc('}', out);
        return;
    }
    double a, b, lo, hi;
    prim_init_limits(r->p, i, &a, &b);
    const double *lim = sq->traj.lim + sq->chosen * 2 * r->n_in + 2 * i;
    lo = lim[0];
    hi = lim[1];
    if (lo != a && hi != b)
        fprintf(out, "%.4g \u2264 %s \u2264 %.4g", lo, name, hi);
    else if (lo != a)
        fprintf(out, "%s \u2265 %.4g", name, lo);
    else
        fprintf(out, "%s \u2264 %.4g", name, hi);
}

void discover_summary(const discover_result *r, FILE *out)
{
    size_t *idx = malloc((r->n_in ? r->n_in : 1) * sizeof *idx);
    if (!idx)
        return;
    fprintf(out, "'%s' holds in %zu of %zu trials (%.0f%%); inputs: %zu\n",
            r->case_expr, r->n_cases, r->src->n_rows,
            100.0 * (double)r->n_cases / (double)r->src->n_rows, r->n_in);
    for (size_t q = 0; q < r->n_seq; q++) {
        const discover_seq *sq = &r->seq[q];
        const prim_step *st = &sq->traj.step[sq->chosen];
        size_t m = by_significance(r, q, idx);
        fprintf(out, "\nBox %zu (step %zu of %zu):\n  '%s' in %.0f%% of the "
                "%zu trials%s", q + 1, sq->chosen, sq->traj.n_steps - 1,
                r->case_expr, 100.0 * st->density, st->n,
                m ? " where " : "");
        for (size_t j = 0; j < m; j++) {
            fputs(j == 0 ? "" : j + 1 == m ? " and " : ", ", out);
            condition(r, q, idx[j], out);
        }
        fprintf(out, "\n  (%.0f%% of all trials where it holds%s)\n",
                100.0 * st->coverage, q > 0 ? "; outside the earlier boxes"
                                            : "");
        for (size_t j = 0; j < m; j++) {
            size_t i = idx[j];
            fprintf(out, "    %-28s quasi-p", discover_input_name(r, i));
            if (sq->qp[2 * i] >= 0)
                fprintf(out, " %s%.2g", r->data.kind[i] == PRIM_CAT ? ""
                        : "lower ", sq->qp[2 * i]);
            if (sq->qp[2 * i + 1] >= 0)
                fprintf(out, " upper %.2g", sq->qp[2 * i + 1]);
            if (sq->pct_cov)
                fprintf(out, "; restricted in %.0f%% / %.0f%% of half-sample "
                        "reruns", sq->pct_cov[i], sq->pct_den[i]);
            fputc('\n', out);
        }
        if (sq->pct_cov) {
            int first = 1;
            for (size_t i = 0; i < r->n_in; i++) {
                if (prim_restricted(r->p, &sq->traj, sq->chosen, i)
                    || (sq->pct_cov[i] < 30 && sq->pct_den[i] < 30))
                    continue;
                fprintf(out, "%s%s (%.0f%% / %.0f%%)", first
                        ? "  also restricted in reruns: " : ", ",
                        discover_input_name(r, i), sq->pct_cov[i],
                        sq->pct_den[i]);
                first = 0;
            }
            if (!first)
                fputc('\n', out);
        }
    }
    free(idx);
}
