/* sweep.c: parameter sweeps: every point a --set variant of one scenario, run in lockstep batches. */
#include "analysis/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "run/engine.h"
#include "base/ncgsim.h"
#include "io/output.h"
#include "base/numfmt.h"
#include "base/status.h"
#include "analysis/sens.h"


int sweep_parse_axis(const char *arg, sweep_axis *ax, char *err,
                     size_t errlen)
{
    const char *eq = strrchr(arg, '=');
    double v[3];
    const char *p;
    memset(ax, 0, sizeof *ax);
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof ax->path)
        goto bad;
    memcpy(ax->path, arg, (size_t)(eq - arg));
    p = eq + 1;
    for (int i = 0; i < 3; i++) {
        char *end;
        errno = 0;
        v[i] = strtod(p, &end);
        if (end == p || errno || !isfinite(v[i])
            || *end != (i < 2 ? ':' : '\0'))
            goto bad;
        p = end + 1;
    }
    ax->from = v[0];
    ax->to = v[1];
    ax->step = v[2];
    if (ax->step == 0 || (ax->to - ax->from) / ax->step < 0) {
        snprintf(err, errlen, "--vary: STEP must be non-zero and lead from "
                 "FROM to TO, got '%s'", arg);
        return -1;
    }
    /* A hair of slack so that 0:1:0.1 ends at 1 despite rounding. */
    double n = floor((ax->to - ax->from) / ax->step + 1e-9) + 1;
    if (n > SWEEP_MAX_AXIS) {
        snprintf(err, errlen, "--vary: %s gives %.0f points; at most %d per "
                 "axis (use a larger STEP)", arg, n, SWEEP_MAX_AXIS);
        return -1;
    }
    ax->n = (size_t)n;
    return 0;
bad:
    snprintf(err, errlen, "--vary: expected PATH=FROM:TO:STEP (e.g. "
             "params.p_trump=0:1:0.1), got '%s'", arg);
    return -1;
}

double sweep_value(const sweep_axis *ax, size_t i)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.12g", ax->from + (double)i * ax->step);
    return strtod(buf, NULL);
}

double sweep_point_value(const sweep_result *r, size_t p, size_t a)
{
    /* The first axis varies slowest. */
    size_t i = r->n_axes == 2 ? (a == 0 ? p / r->axes[1].n : p % r->axes[1].n)
                              : p;
    return sweep_value(&r->axes[a], i);
}

void sweep_result_free(sweep_result *r)
{
    if (!r)
        return;
    model_free(r->m);
    scenario_free(r->sc);
    free(r->cells);
    free(r);
}

/* Loads point P into *SC and *M. */
static int load_point(const sweep_opts *o, const sweep_result *r, size_t p,
                      scenario **sc, model **m, diag *d)
{
    /* One --set per axis: the first goes through sens_load's EXTRA, the
     * second into a copy of the options. */
    char set[2][320];
    const char **sets = calloc(o->so.n_sets + 2, sizeof *sets);
    scenario_opts so = o->so;
    int rc;
    if (!sets) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    for (size_t a = 0; a < r->n_axes; a++)
        snprintf(set[a], sizeof set[a], "%s=%.12g", r->axes[a].path,
                 sweep_point_value(r, p, a));
    for (size_t i = 0; i < o->so.n_sets; i++)
        sets[i] = o->so.sets[i];
    if (r->n_axes == 2)
        sets[so.n_sets++] = set[1];
    so.sets = sets;
    size_t before = diag_count(d);
    rc = sens_load(o->path, &so, set[0], NULL, sc, m, d);
    if (rc != 0 && diag_count(d) > before)
        diag_add(d, NULL, 0, NULL, "(in the sweep point %s%s%s)", set[0],
                 r->n_axes == 2 ? ", " : "", r->n_axes == 2 ? set[1] : "");
    free(sets);
    return rc;
}

/* Runs points P0 .. P0 + K - 2 in lockstep after point 0 and stores them
 * (and point 0 when P0 is 1). */
static int run_batch(const sweep_opts *o, sweep_result *r, size_t p0,
                     size_t k, diag *d)
{
    scenario **sc = calloc(k, sizeof *sc);
    model **m = calloc(k, sizeof *m);
    engine_result **res = calloc(k, sizeof *res);
    int rc = 0;
    if (!sc || !m || !res) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    for (size_t i = 0; i < k && rc == 0; i++)
        rc = load_point(o, r, i == 0 ? 0 : p0 + i - 1, &sc[i], &m[i], d);
    for (size_t i = 1; i < k && rc == 0; i++)
        if (sc[i]->sim.steps != sc[0]->sim.steps
            || sc[i]->sim.trials != sc[0]->sim.trials) {
            diag_add(d, NULL, 0, NULL, "--vary: every point must have the "
                     "same steps and trials (a sweep of simulation.steps or "
                     "simulation.trials cannot be paired)");
            rc = NCG_ERR_USAGE;
        }
    if (rc != 0)
        goto end;
    /* Means, probabilities and paired differences only (last step). */
    engine_opts eo = { .threads = o->threads, .stop = o->stop,
                       .last_step_only = 1 };
    if ((rc = engine_run(m, k, &eo, res, d)) != 0)
        goto end;
    for (size_t i = 0; i < k; i++) {
        size_t p = i == 0 ? 0 : p0 + i - 1;
        if (i == 0 && p0 != 1)
            continue;
        for (size_t q = 0; q < r->n_out; q++) {
            sweep_cell *c = &r->cells[p * r->n_out + q];
            /* Events by whether they happened by the end; quantities by
             * their mean at the last step. */
            int ev = r->m->vars[r->m->outputs[q]].kind == VAR_EVENT;
            if (ev)
                output_p_by_end(res[i], q, &c->mean, &c->se);
            else
                output_mean_se(res[i], q, sc[i]->sim.steps, &c->mean, &c->se);
            /* Point 0 against itself: exactly 0. A conditioned point's
             * difference is that of the weighted estimates, still paired
             * trial by trial (engine_diff). */
            c->diff = c->diff_se = 0.0;
            if (i)
                engine_diff(res[i], q, ev, &c->diff, &c->diff_se);
            r->weighted |= res[i]->weighted;
        }
    }
end:
    for (size_t i = 0; i < k; i++) {
        if (res)
            engine_result_free(res[i]);
        model_free(m ? m[i] : NULL);
        scenario_free(sc ? sc[i] : NULL);
    }
    free(sc);
    free(m);
    free(res);
    return rc;
}

int sweep_run(const sweep_opts *o, sweep_result **out, diag *d)
{
    sweep_result *r = calloc(1, sizeof *r);
    int rc;
    *out = NULL;
    if (!r) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    r->n_axes = o->n_axes;
    r->n_points = 1;
    for (size_t a = 0; a < o->n_axes; a++) {
        r->axes[a] = o->axes[a];
        r->n_points *= o->axes[a].n;
    }
    if (r->n_points > SWEEP_MAX_POINTS) {
        diag_add(d, NULL, 0, NULL, "--vary: %zu points; at most %d per "
                 "sweep", r->n_points, SWEEP_MAX_POINTS);
        rc = NCG_ERR_USAGE;
        goto end;
    }
    if ((rc = load_point(o, r, 0, &r->sc, &r->m, d)) != 0)
        goto end;
    r->n_out = r->m->n_outputs;
    r->trials = r->sc->sim.trials;
    r->cells = calloc(r->n_points * r->n_out + 1, sizeof *r->cells);
    if (!r->cells) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    size_t lo = o->ranged ? o->first : 0;
    size_t hi = o->ranged && o->first + o->count < r->n_points
                ? o->first + o->count : r->n_points;
    /* Point 0 leads every batch, and is stored by the one that starts at
     * point 1; alone when no such batch runs. */
    if (lo == 0 && hi >= 1 && (r->n_points == 1 || hi == 1))
        rc = run_batch(o, r, 1, 1, d);
    for (size_t p0 = lo > 1 ? lo : 1; p0 < hi && rc == 0;
         p0 += SWEEP_BATCH - 1) {
        size_t left = hi - p0;
        size_t k = 1 + (left < SWEEP_BATCH - 1 ? left : SWEEP_BATCH - 1);
        rc = run_batch(o, r, p0, k, d);
    }
    if (rc != 0)
        goto end;
    *out = r;
    r = NULL;
end:
    sweep_result_free(r);
    return rc;
}

int sweep_write_csv(const sweep_result *r, FILE *f)
{
    fputs("point", f);
    for (size_t a = 0; a < r->n_axes; a++) {
        fputc(',', f);
        output_csv_string(f, r->axes[a].path);
    }
    fputs(",variable,kind,measure,value,se,lo95,hi95,diff,diff_se,diff_lo95,"
          "diff_hi95\n", f);
    for (size_t p = 0; p < r->n_points; p++)
        for (size_t q = 0; q < r->n_out; q++) {
            const sweep_cell *c = &r->cells[p * r->n_out + q];
            const model_var *v = &r->m->vars[r->m->outputs[q]];
            fprintf(f, "%zu", p + 1);
            for (size_t a = 0; a < r->n_axes; a++)
                fprintf(f, ",%.12g", sweep_point_value(r, p, a));
            fputc(',', f);
            output_csv_string(f, v->name);
            fprintf(f, ",%s,%s,%.6g,%.4g,%.6g,%.6g,%.6g,%.4g,%.6g,%.6g\n",
                    model_kind_name(v->kind),
                    v->kind == VAR_EVENT ? "p_by_end" : "mean", c->mean, c->se,
                    c->mean - NCG_Z95 * c->se, c->mean + NCG_Z95 * c->se, c->diff,
                    c->diff_se, c->diff - NCG_Z95 * c->diff_se,
                    c->diff + NCG_Z95 * c->diff_se);
        }
    return ferror(f) ? -1 : 0;
}

void sweep_table(const sweep_result *r, const char *const *names, size_t n,
                 FILE *out)
{
    for (size_t q = 0; q < r->n_out; q++) {
        const model_var *v = &r->m->vars[r->m->outputs[q]];
        int want = n == 0;
        for (size_t i = 0; i < n && !want; i++)
            want = strcmp(names[i], v->name) == 0;
        if (!want)
            continue;
        fprintf(out, "\n%s (%s; difference from the first point, %s):\n",
                v->name, v->kind == VAR_EVENT ? "probability that it happened "
                "by the end" : "mean at the last step",
                r->weighted ? "paired, of the weighted estimates: the "
                "scenario is conditioned" : "paired");
        for (size_t p = 0; p < r->n_points; p++) {
            const sweep_cell *c = &r->cells[p * r->n_out + q];
            fputs("  ", out);
            for (size_t a = 0; a < r->n_axes; a++)
                fprintf(out, "%s=%-10.6g ", r->axes[a].path,
                        sweep_point_value(r, p, a));
            char a[40], b[40], e[40], g[40], h[40], k[40];
            fprintf(out, "%10s [%s, %s]   %s [%s, %s]\n",
                    numfmt_est(a, sizeof a, c->mean, c->se, 0),
                    numfmt_est(b, sizeof b, c->mean - NCG_Z95 * c->se, c->se, 0),
                    numfmt_est(e, sizeof e, c->mean + NCG_Z95 * c->se, c->se, 0),
                    numfmt_est(g, sizeof g, c->diff, c->diff_se, 1),
                    numfmt_est(h, sizeof h, c->diff - NCG_Z95 * c->diff_se,
                               c->diff_se, 1),
                    numfmt_est(k, sizeof k, c->diff + NCG_Z95 * c->diff_se,
                               c->diff_se, 1));
        }
    }
}
