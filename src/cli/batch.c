/* batch.c: loading and running a batch of scenarios, for `run` and
 * `compare`: lockstep groups, result folders, the comparison, plots. */
#include "cli/batch.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "analysis/compare.h"
#include "base/num.h"
#include "base/par.h"
#include "base/status.h"
#include "cli/cli.h"
#include "io/output.h"
#include "io/runpart.h"
#include "plot/render.h"
#include "run/engine.h"

/* Trials of --precision's first round, and the unit its rounds grow by:
 * whole chunks, enough for a first estimate of every half-width, and
 * coarse enough that the 10% margin is not all that keeps a noisy
 * estimate (a percentile read from the histogram) from another round
 * (rounds of 1024 took the median of normal(100, 20) to 0.5 in 20480
 * trials, rounds of 4096 in 12288). */
#define PRECISION_ROUND 4096
_Static_assert(PRECISION_ROUND % ENGINE_CHUNK_TRIALS == 0, "whole chunks");

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void batch_sort_paths(char **list, size_t n)
{
    if (n > 1)
        qsort(list, n, sizeof *list, cmp_str);
}

int batch_expand_inputs(char **args, int n, char ***out, size_t *n_out,
                        diag *d)
{
    return batch_expand_files(args, n, ".cfg", out, n_out, d);
}

int batch_expand_files(char **args, int n, const char *suffix, char ***out,
                       size_t *n_out, diag *d)
{
    size_t sl = strlen(suffix);
    char **list = NULL;
    size_t cnt = 0;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *dir = opendir(args[i]);
            struct dirent *e;
            size_t first = cnt;
            if (!dir) {
                diag_add(d, args[i], 0, NULL, "cannot read folder: %s",
                         strerror(errno));
                rc = NCG_ERR_IO;
                continue;
            }
            while ((e = readdir(dir)) != NULL) {
                size_t len = strlen(e->d_name);
                if (len <= sl || e->d_name[0] == '.'
                    || strcmp(e->d_name + len - sl, suffix) != 0)
                    continue;
                char **nl = realloc(list, (cnt + 1) * sizeof *nl);
                if (!nl)
                    break;
                list = nl;
                list[cnt] = output_path(args[i], e->d_name);
                if (list[cnt])
                    cnt++;
            }
            closedir(dir);
            qsort(list + first, cnt - first, sizeof *list, cmp_str);
            if (cnt == first) {
                diag_add(d, args[i], 0, NULL, "no %s files in this folder",
                         suffix);
                rc = NCG_ERR_IO;
            }
        } else {
            char **nl = realloc(list, (cnt + 1) * sizeof *nl);
            if (!nl)
                break;
            list = nl;
            list[cnt] = strdup(args[i]);
            if (list[cnt])
                cnt++;
        }
    }
    *out = list;
    *n_out = cnt;
    return rc;
}

void batch_free_list(char **list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        free(list[i]);
    free(list);
}

/* Progress on stderr when it is a terminal. */
typedef struct progress {
    const char *what;
    struct timespec start;
    int enabled;
} progress;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress *p = ctx;
    if (!p->enabled)
        return;
    double s = seconds_since(&p->start);
    double rate = s > 0 ? (double)done / s : 0.0;
    double left = rate > 0 ? (double)(total - done) / rate : 0.0;
    fprintf(stderr, "\r%s: %llu/%llu trials, %.3g trials/s, %.0f s left   ",
            p->what, (unsigned long long)done, (unsigned long long)total,
            rate, left);
    if (done == total)
        fputs("\r\033[K", stderr);
}


/* Loads every input; on success *SCS and *MS hold N entries. */
/* The folder name of scenario BASE run with the --set overrides SETS:
 * BASE-set- then each PATH-VALUE (a dotted PATH by its last part), joined
 * by '-', lower-cased, '=' made '-' and every other character than a-z,
 * 0-9, '_' and '-' made '_' (so `--set params.cut_leverage=0.2` on baseline gives
 * baseline-set-cut_leverage-0_2). Longer than 96 characters: cut, with a
 * hash of the whole text after it, so distinct overrides stay distinct. */
static void variant_name(const char *base, const char *const *sets, size_t n,
                         char *out, size_t len)
{
    char full[4096];
    size_t k = (size_t)snprintf(full, sizeof full, "%s-set", base);
    for (size_t i = 0; i < n && k < sizeof full; i++) {
        const char *eq = strchr(sets[i], '='), *p = sets[i];
        for (const char *q = sets[i]; eq && q < eq; q++)
            if (*q == '.')
                p = q + 1;
        k += (size_t)snprintf(full + k, sizeof full - k, "-%s", p);
    }
    for (char *q = full + strlen(base); *q; q++) {
        char ch = (char)tolower((unsigned char)*q);
        *q = ch == '=' ? '-'
             : (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'
             ? ch : '_';
    }
    if (strlen(full) <= 96) {
        snprintf(out, len, "%s", full);
        return;
    }
    uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
    for (const char *q = full; *q; q++)
        h = (h ^ (unsigned char)*q) * 1099511628211ULL;
    snprintf(out, len, "%.80s-%016llx", full, (unsigned long long)h);
}

/* 1 when one of SO's overrides names the scenario itself. */
static int sets_name(const scenario_opts *so)
{
    for (size_t i = 0; i < so->n_sets; i++)
        if (strncmp(so->sets[i], "name=", 5) == 0)
            return 1;
    return 0;
}

/* Loads FILE with SO's overrides; a variant (overrides without name=)
 * gets its own name, and so its own folder, from variant_name. */
static int load_one(const char *file, const scenario_opts *so0,
                    scenario **sc, model **m, diag *d)
{
    int rc = model_load(file, so0, sc, m, d);
    if (rc != 0 || so0->n_sets == 0 || sets_name(so0))
        return rc;
    char name[160], set[168];
    variant_name((*sc)->name, so0->sets, so0->n_sets, name, sizeof name);
    snprintf(set, sizeof set, "name=%s", name);
    const char **sets = malloc((so0->n_sets + 1) * sizeof *sets);
    if (!sets) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    memcpy(sets, so0->sets, so0->n_sets * sizeof *sets);
    sets[so0->n_sets] = set;
    scenario_opts so = *so0;
    so.sets = sets;
    so.n_sets = so0->n_sets + 1;
    model_free(*m);
    scenario_free(*sc);
    *m = NULL;
    *sc = NULL;
    rc = model_load(file, &so, sc, m, d);
    free(sets);
    return rc;
}

int batch_load_all(char **files, size_t n, const scenario_opts *so,
                   scenario ***scs, model ***ms, diag *d)
{
    int rc = 0;
    *scs = calloc(n + 1, sizeof **scs);
    *ms = calloc(n + 1, sizeof **ms);
    if (!*scs || !*ms) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        rc = ncg_status_worse(rc, load_one(files[i], so, &(*scs)[i],
                                           &(*ms)[i], d));
    /* Two scenarios with one name would write one folder. */
    for (size_t i = 0; i < n && rc == 0; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp((*scs)[i]->name, (*scs)[j]->name) == 0) {
                diag_add(d, files[i], 0, "name", "'%s' is also the name of "
                         "%s; results would overwrite each other (set a "
                         "different name)", (*scs)[i]->name, files[j]);
                rc = NCG_ERR_SCENARIO;
            }
    /* Several scenarios also write OUT/compare/, which would replace the
     * results of a scenario of that name. */
    for (size_t i = 0; i < n && n > 1 && rc == 0; i++)
        if (strcmp((*scs)[i]->name, "compare") == 0) {
            diag_add(d, files[i], 0, "name", "'compare' is the folder of the "
                     "comparison when several scenarios run together (set a "
                     "different name)");
            rc = NCG_ERR_SCENARIO;
        }
    return rc;
}

void batch_free_all(scenario **scs, model **ms, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        model_free(ms ? ms[i] : NULL);
        scenario_free(scs ? scs[i] : NULL);
    }
    free(scs);
    free(ms);
}

/* One lockstep group in flight: its models (borrowed), results and
 * result folders. Everything is owned here and freed by group_free. */
typedef struct group {
    size_t k;              /* members */
    const size_t *idx;     /* the members' indices in scs/ms (borrowed) */
    model **gm;            /* the members' models (borrowed pointers) */
    engine_result **res;   /* each member's results, once run */
    output_dir *od;        /* each member's folder, once begun */
    FILE **samples;        /* each member's samples.csv, when asked for */
    const double **weights;  /* each conditioned member's weights of the
                                rows being written (borrowed) */
    plot_job *jobs;        /* each member's charts */
    size_t begun;          /* folders begun, to be aborted on failure */
} group;

static void group_free(group *g)
{
    for (size_t i = 0; i < g->k && g->samples; i++)
        if (g->samples[i])
            fclose(g->samples[i]);
    for (size_t i = 0; i < g->begun; i++)
        output_abort(&g->od[i]);
    for (size_t i = 0; i < g->k && g->res; i++)
        engine_result_free(g->res[i]);
    free(g->gm);
    free(g->res);
    free(g->od);
    free(g->samples);
    free(g->weights);
    free(g->jobs);
}

/* Takes G's arrays for the K models IDX of MS. */
static int group_alloc(group *g, model **ms, const size_t *idx, size_t k,
                       diag *d)
{
    *g = (group){ .k = k, .idx = idx };
    g->gm = calloc(k, sizeof *g->gm);
    g->res = calloc(k, sizeof *g->res);
    g->od = calloc(k, sizeof *g->od);
    g->samples = calloc(k, sizeof *g->samples);
    g->weights = calloc(k, sizeof *g->weights);
    g->jobs = calloc(k, sizeof *g->jobs);
    if (!g->gm || !g->res || !g->od || !g->samples || !g->weights
        || !g->jobs) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    for (size_t i = 0; i < k; i++)
        g->gm[i] = ms[idx[i]];
    return 0;
}

/* Begins each member's temporary result folder, and its samples.csv when
 * --samples asks for it. */
static int group_begin(group *g, scenario **scs, const batch_opts *c,
                       diag *d)
{
    int rc;
    for (size_t i = 0; i < g->k; i++) {
        if ((rc = output_begin(c->out, scs[g->idx[i]]->name, "run",
                               &g->od[i], d)) != 0)
            return rc;
        g->begun++;
        if (c->samples && !(g->samples[i] = output_samples_open(g->gm[i],
                                                                g->od[i].tmp,
                                                                d)))
            return NCG_ERR_IO;
    }
    return 0;
}

/* The names of the outputs whose quantiles C's targets read, into NAMES
 * (at least C->n_targets entries, borrowed); returns how many. */
static size_t quantile_vars(const batch_opts *c, const char **names)
{
    size_t n = 0;
    for (size_t k = 0; k < c->n_targets; k++)
        if (c->targets[k].q >= 0)
            names[n++] = c->targets[k].var;
    return n;
}

/* Writes shard part P of scenario S (the probe of a --precision run when
 * C->probe) into C->out, or hands it to C->part_sink. */
static int shard_put(part *p, const scenario *s, const batch_opts *c,
                     diag *d)
{
    char name[256];
    int rc = 0;
    /* A --precision run's settings travel in its second pass's parts
     * (probes keep them in their own sections), and a probe carries the
     * command that made it. */
    if (c->settings && !c->probe)
        rc = part_add(p, "precision", PART_TEXT, c->settings,
                      strlen(c->settings));
    if (c->probe && c->command_line)
        rc = part_add(p, "command", PART_TEXT, c->command_line,
                      strlen(c->command_line));
    if (rc != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return rc;
    }
    part_file_name(c->probe ? "probe" : "run", s->name, c->shard, c->shards,
                   name, sizeof name);
    rc = c->part_sink ? c->part_sink(c->part_ctx, p, d)
                      : part_write(p, c->out, name, d);
    if (rc == 0 && !c->quiet)
        printf("  part: %s/%s\n", c->out, name);
    return rc;
}

/* --shard I/K: runs shard I of K of models IDX[0 .. K-1] in lockstep and
 * writes each one's part file into OUT (N: scenarios in the job); the
 * results stay in G. With C->probe, the parts are the probes of a
 * --precision run (runpart_probes). */
static int shard_group(group *g, scenario **scs, size_t n,
                       const batch_opts *c, progress *pr, diag *d)
{
    const size_t *idx = g->idx;
    size_t k = g->k;
    model **gm = g->gm;
    engine_result **res = g->res;
    uint64_t units = runpart_chunks(scs[idx[0]]->sim.trials), first, count;
    runpart_log *log = NULL;
    runpart_probes *probes = NULL;
    const char **hist_vars = calloc(c->n_targets + 1, sizeof *hist_vars);
    int rc = 0;
    part_info info;
    memset(&info, 0, sizeof info);
    snprintf(info.command, sizeof info.command, c->probe ? "probe"
                                                         : "run");
    snprintf(info.unit, sizeof info.unit, "chunk");
    info.job = c->job;
    info.members = (uint32_t)n;
    info.shard = c->shard;
    info.shards = c->shards;
    runpart_range(units, c->shard, c->shards, &first, &count);
    if (!hist_vars
        || (c->probe && !(probes = runpart_probes_alloc(
                              gm, k, first, count, hist_vars,
                              quantile_vars(c, hist_vars))))
        || (!c->probe && !(log = runpart_log_alloc(gm, k, first, count)))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    engine_opts eo = {
        .threads = c->threads, .stop = &cli_interrupted,
        .progress = show_progress, .progress_ctx = pr, .ranged = 1,
        .chunk_first = first, .chunk_count = count,
        .chunk = c->probe ? runpart_probes_chunk : runpart_log_chunk,
        .chunk_ctx = c->probe ? (void *)probes : (void *)log,
        .chunk_counts = c->probe };
    if ((rc = engine_run(gm, k, &eo, res, d)) != 0)
        goto end;
    for (size_t i = 0; i < k; i++) {
        const scenario *s = scs[idx[i]];
        part_info f = info;
        part *p = NULL;
        char *text = scenario_text(s);
        if (!text) {
            diag_add(d, NULL, 0, NULL, "out of memory");
            rc = NCG_ERR_NOMEM;
            goto end;
        }
        snprintf(f.scenario, sizeof f.scenario, "%s", s->name);
        f.model_hash = output_hash(text);
        free(text);
        f.member = (uint32_t)idx[i];
        f.seed = s->sim.seed;
        f.trials = s->sim.trials;
        snprintf(f.sampler, sizeof f.sampler, "%s", s->sim.sampler);
        f.units = units;
        f.first = first;
        f.count = count;
        rc = c->probe ? runpart_probes_build(probes, i, s, res[i], &f,
                                             (uint32_t)c->ref, c->settings,
                                             &p)
                      : runpart_build(log, i, s, res[i], &f,
                                      (uint32_t)c->ref, &p);
        if (rc != 0) {
            diag_add(d, NULL, 0, NULL, "out of memory");
            goto end;
        }
        rc = shard_put(p, s, c, d);
        part_free(p);
        if (rc != 0)
            goto end;
    }
end:
    runpart_log_free(log);
    runpart_probes_free(probes);
    free(hist_vars);
    return rc;
}

/* Runs the group's models in lockstep, with a progress line naming them
 * ("[DONE+1/TOTAL] name"). */
static int group_run(group *g, scenario **scs, const batch_opts *c,
                     size_t done, size_t total, int compare_only, diag *d)
{
    char what[256];
    if (g->k == 1)
        snprintf(what, sizeof what, "[%zu/%zu] %s", done + 1, total,
                 scs[g->idx[0]]->name);
    else
        snprintf(what, sizeof what, "[%zu-%zu/%zu] %s and %zu more",
                 done + 1, done + g->k, total, scs[g->idx[0]]->name,
                 g->k - 1);
    progress pr = { what, { 0, 0 }, !c->quiet && isatty(STDERR_FILENO) };
    clock_gettime(CLOCK_MONOTONIC, &pr.start);
    if (c->shards)
        return shard_group(g, scs, total, c, &pr, d);
    if (c->given) {
        /* merge: the results are made already. */
        for (size_t i = 0; i < g->k; i++) {
            g->res[i] = c->given[g->idx[i]];
            c->given[g->idx[i]] = NULL;
        }
        return 0;
    }
    output_samples samples = { g->samples, g->weights };
    engine_opts eo = {
        .threads = c->threads,
        .rows = c->samples && !compare_only ? output_samples_rows : NULL,
        .weights = output_samples_weights,
        .rows_ctx = &samples, .stop = &cli_interrupted,
        .progress = show_progress, .progress_ctx = &pr };
    return engine_run(g->gm, g->k, &eo, g->res, d);
}

/* Adds every member's results to CMP (PAIRED: the group starts with the
 * reference scenario), with its folder when the results were read back. */
static int group_collect(const group *g, scenario **scs, const batch_opts *c,
                         int paired, compare *cmp, diag *d)
{
    for (size_t i = 0; i < g->k; i++)
        if (compare_add(cmp, g->res[i], scs[g->idx[i]], paired) != 0
            || (c->folders && compare_set_folder(cmp, compare_count(cmp) - 1,
                                                 c->folders[g->idx[i]]) != 0)) {
            diag_add(d, NULL, 0, NULL, "out of memory");
            return NCG_ERR_NOMEM;
        }
    return 0;
}

/* Member I's result files into its temporary folder; its correlation
 * table to TABLE too when not NULL. */
static int member_write(group *g, scenario **scs, size_t i, FILE *table,
                        diag *d)
{
    int rc = output_write(g->res[i], scs[g->idx[i]], g->od[i].tmp, d);
    if (rc == 0)
        rc = output_correlations(g->gm[i], g->res[i]->trials, g->od[i].tmp,
                                 table, d);
    return rc;
}

/* The members' folders written by several threads: each member by one
 * thread into its own folder, with its own messages. */
typedef struct write_share {
    group *g;
    scenario **scs;
    pthread_mutex_t mu;
    size_t next;             /* the next member to take, under mu */
    int *rc;                 /* per member */
    diag **d;                /* per member */
} write_share;

static void *write_members(void *p)
{
    write_share *w = p;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        size_t i = w->next++;
        pthread_mutex_unlock(&w->mu);
        if (i >= w->g->k)
            return NULL;
        w->rc[i] = member_write(w->g, w->scs, i, NULL, w->d[i]);
    }
}

/* Writes the members' folders on up to THREADS threads; 0, or the status
 * and messages of the first member in order that failed, as one thread
 * writing them in order would report it. -1 when the threads' bookkeeping
 * cannot be allocated (nothing written then). */
static int write_shared(group *g, scenario **scs, int threads, diag *d)
{
    write_share w = { .g = g, .scs = scs, .next = 0 };
    w.rc = calloc(g->k, sizeof *w.rc);
    w.d = calloc(g->k, sizeof *w.d);
    int ok = w.rc && w.d, rc = 0;
    for (size_t i = 0; ok && i < g->k; i++)
        ok = (w.d[i] = diag_alloc()) != NULL;
    if (ok && pthread_mutex_init(&w.mu, NULL) == 0) {
        /* Every thread takes members from one count: one that runs
         * late finds none left. */
        par_run(threads, write_members, &w, 0);
        pthread_mutex_destroy(&w.mu);
        for (size_t i = 0; i < g->k && rc == 0; i++) {
            if ((rc = w.rc[i]) == 0)
                continue;
            for (size_t m = 0; m < diag_count(w.d[i]); m++) {
                const char *msg = diag_get(w.d[i], m);
                diag_add(d, NULL, 0, NULL, "%s", msg ? msg : "out of memory");
            }
        }
    } else {
        rc = -1;
    }
    for (size_t i = 0; w.d && i < g->k; i++)
        diag_free(w.d[i]);
    free(w.rc);
    free(w.d);
    return rc;
}

/* Writes each member's result files into its temporary folder (several
 * members at once on the run's threads: each folder is its own files);
 * the correlation table goes to stdout for a single scenario unless
 * quiet. */
static int group_write(group *g, scenario **scs, const batch_opts *c,
                       size_t total, diag *d)
{
    int rc;
    for (size_t i = 0; i < g->k; i++) {
        if (g->samples[i]) {
            FILE *f = g->samples[i];
            g->samples[i] = NULL;
            if ((rc = output_close(f, g->od[i].tmp, "samples.csv", d)) != 0)
                return rc;
        }
    }
    int threads = c->threads < 1 ? 1 : c->threads;
    if ((size_t)threads > g->k)
        threads = (int)g->k;
    if (threads > 1 && (rc = write_shared(g, scs, threads, d)) != -1)
        return rc;
    for (size_t i = 0; i < g->k; i++) {
        FILE *table = c->quiet || total > 1 ? NULL : stdout;
        if ((rc = member_write(g, scs, i, table, d)) != 0)
            return rc;
    }
    return 0;
}

/* 1 when the charts of a batch of TOTAL scenarios run with C are only
 * scripted in the scenarios' folders, not drawn. */
static int scripts_only(const batch_opts *c, size_t total)
{
    return c->plots == BATCH_PLOTS_COMPARE
           || (c->plots == BATCH_PLOTS_AUTO && total > 1);
}

/* Draws each member's charts in its temporary folder, before anything is
 * renamed into place: two runs can never mix their files. Of a batch of
 * TOTAL scenarios, only their scripts when scripts_only. */
static int group_plot(group *g, const batch_opts *c, size_t total, diag *d)
{
    for (size_t i = 0; i < g->k; i++)
        g->jobs[i] = (plot_job){ .dir = g->od[i].tmp, .name = g->od[i].final,
                                 .kind = PLOT_SCENARIO };
    plot_render_opts po = { c->format, c->threads,
                            scripts_only(c, total) };
    return plot_render_dirs(g->jobs, g->k, &po, d);
}

/* Renames each member's folder into place and reports it. A chart that
 * failed is exit 4, but the data and the charts drawn whole are kept. */
static int group_commit(group *g, scenario **scs, const batch_opts *c,
                        size_t total, diag *d)
{
    int rc = 0;
    for (size_t i = 0; i < g->k; i++) {
        int crc = output_commit(&g->od[i], d);
        rc = ncg_status_worse(rc, crc);
        if (c->quiet || crc != 0)
            continue;
        const scenario *sc = scs[g->idx[i]];
        if (total == 1)
            output_table(g->res[i], sc, stdout);
        printf("  results: %s/%s/\n", c->out, sc->name);
        if (g->jobs[i].res.drawn > 0)
            printf("  plots: %s/%s/ (%zu %s files)\n", c->out, sc->name,
                   g->jobs[i].res.drawn, c->format ? c->format : "png");
    }
    return rc;
}

/* Runs models IDX[0 .. K-1] in lockstep; unless COMPARE_ONLY, writes each
 * one's results folder. Adds every result to CMP (PAIRED: the group starts
 * with the reference scenario). */
static int run_group(scenario **scs, model **ms, const size_t *idx, size_t k,
                     const batch_opts *c, size_t done, size_t total, int paired,
                     int compare_only, compare *cmp, diag *d)
{
    group g;
    int rc = group_alloc(&g, ms, idx, k, d), prc = 0;
    if (rc == 0 && !compare_only && !c->shards)
        rc = group_begin(&g, scs, c, d);
    if (rc == 0)
        rc = group_run(&g, scs, c, done, total, compare_only, d);
    if (c->shards) {
        group_free(&g);
        return rc;
    }
    if (rc == 0)
        rc = group_collect(&g, scs, c, paired, cmp, d);
    if (rc == 0 && !compare_only)
        rc = group_write(&g, scs, c, total, d);
    if (rc == 0 && !compare_only && c->plots != BATCH_PLOTS_NONE)
        prc = group_plot(&g, c, total, d);
    if (rc == 0 && cli_interrupted) {
        diag_add(d, NULL, 0, NULL, "interrupted");
        rc = NCG_ERR_INTERRUPTED;
    }
    if (rc == 0 && !compare_only)
        rc = ncg_status_worse(group_commit(&g, scs, c, total, d), prc);
    group_free(&g);
    return rc;
}

/* OUT/compare: the comparison CMP's files and plots, through the writer
 * (the scenarios' folders are in place already: its plots read them). */
static int write_comparison(const compare *cmp, const batch_opts *c, diag *d)
{
    output_dir od;
    plot_job job = { 0 };
    char name[160], other[2048];
    /* A comparison of other scenarios in OUT/compare is kept, never
     * replaced: this one gets a folder named by its members. */
    compare_folder_name(cmp, c->out, name, sizeof name, other, sizeof other);
    if (strcmp(name, "compare") != 0 && !c->quiet)
        printf("\n  note: %s/compare/ holds a comparison of other scenarios "
               "(%s), kept as it is; this one goes to %s/%s/\n", c->out,
               other, c->out, name);
    int rc = output_begin(c->out, name, "compare", &od, d), prc = 0;
    if (rc != 0)
        return rc;
    if ((rc = compare_write(cmp, od.tmp, c->out, name, d)) != 0) {
        output_abort(&od);
        return rc;
    }
    if (c->plots != BATCH_PLOTS_NONE) {
        job = (plot_job){ .dir = od.tmp, .name = od.final,
                          .kind = PLOT_COMPARE };
        plot_render_opts po = { c->format, c->threads, 0 };
        prc = plot_render_dirs(&job, 1, &po, d);
    }
    if (cli_interrupted) {
        output_abort(&od);
        diag_add(d, NULL, 0, NULL, "interrupted");
        return NCG_ERR_INTERRUPTED;
    }
    if ((rc = output_commit(&od, d)) == 0 && !c->quiet) {
        compare_table(cmp, stdout);
        printf("  comparison: %s/%s/\n", c->out, name);
        if (job.res.drawn > 0)
            printf("  plots: %s/%s/ (%zu %s files)\n", c->out, name,
                   job.res.drawn, c->format ? c->format : "png");
    }
    return ncg_status_worse(rc, prc);
}

/* The hash that ties the parts of a sharded job together: the command,
 * the reference and every scenario's model hash, in order. */
static int job_hash(scenario **scs, size_t n, size_t ref, uint64_t *job,
                    diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int ok = f != NULL;
    if (f)
        fprintf(f, "run ref %zu", ref);
    for (size_t i = 0; ok && i < n; i++) {
        char *text = scenario_text(scs[i]);
        ok = text != NULL;
        if (ok)
            fprintf(f, " %016llx", output_hash(text));
        free(text);
    }
    if (f && fclose(f) != 0)
        ok = 0;
    if (ok)
        *job = output_hash(buf);
    free(buf);
    if (!ok)
        diag_add(d, NULL, 0, NULL, "out of memory");
    return ok ? 0 : NCG_ERR_NOMEM;
}

int batch_run(scenario **scs, model **ms, size_t n, size_t ref,
              const batch_opts *c, int mode, batch_measured *measured,
              diag *d)
{
    int compare_only = mode != BATCH_WRITE;
    size_t *idx = calloc(n + 1, sizeof *idx);
    unsigned char *taken = calloc(n + 1, 1);
    compare *cmp = compare_alloc();
    int rc = 0;
    size_t done = 0;
    if (!idx || !taken || !cmp) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    for (size_t k = 0; k < c->n_targets && mode == BATCH_MEASURE; k++)
        if (c->targets[k].q >= 0)
            compare_keep_histograms(cmp);
    cli_catch_signals();
    for (size_t pass = 0; pass <= n && rc == 0; pass++) {
        size_t i = pass == 0 ? ref : pass - 1;
        if (taken[i])
            continue;
        size_t k = 0;
        for (size_t j = 0; j <= n; j++) {
            size_t jj = j == 0 ? i : j - 1;
            if (!taken[jj] && scs[jj]->sim.trials == scs[i]->sim.trials
                && scs[jj]->sim.steps == scs[i]->sim.steps) {
                idx[k++] = jj;
                taken[jj] = 1;
            }
        }
        /* Measuring rounds are quiet: only the final run reports. */
        batch_opts quiet = *c;
        quiet.quiet |= mode == BATCH_MEASURE;
        quiet.ref = ref;
        if (c->shards && (rc = job_hash(scs, n, ref, &quiet.job, d)) != 0)
            break;
        rc = run_group(scs, ms, idx, k, &quiet, done, n, pass == 0,
                       compare_only, cmp, d);
        done += k;
    }
    if (rc == 0 && measured)
        measured->ratio = compare_precision_ratio(cmp, c->precision,
                                                  c->targets, c->n_targets,
                                                  measured->which,
                                                  sizeof measured->which);
    if (rc == 0 && n >= 2 && mode != BATCH_MEASURE && !c->shards)
        rc = write_comparison(cmp, c, d);
    if (rc == 0 && mode == BATCH_WRITE && !c->shards && !c->quiet
        && c->plots != BATCH_PLOTS_NONE && scripts_only(c, n))
        printf("  scenario charts: scripts only; draw a folder's with "
               "ncgsim plot %s/%s%s%s, or all with --plots all\n", c->out,
               scs[ref]->name, c->format ? " --format " : "",
               c->format ? c->format : "");
    if (rc == 0 && n == 1 && mode == BATCH_WRITE && !c->shards) {
        /* A comparison that read this scenario's folder now shows other
         * numbers than its plots and CSV: say so. */
        char *cd = output_path(c->out, "compare"), which[PATH_MAX];
        if (cd && compare_stale(cd, which, sizeof which))
            fprintf(stderr, "ncgsim: warning: %s/ is stale: %s/ changed "
                    "since the comparison was made (rerun ncgsim compare, "
                    "or ncgsim run with all its scenarios)\n", cd, which);
        free(cd);
    }
end:
    compare_free(cmp);
    free(idx);
    free(taken);
    return rc;
}

int batch_plots(const char *cmd, const opt_value *plots,
                const opt_value *no_plots)
{
    int which = BATCH_PLOTS_AUTO;
    for (int i = 0; plots->given && cli_plot_choices[i]; i++)
        if (strcmp(plots->s, cli_plot_choices[i]) == 0)
            which = BATCH_PLOTS_ALL + i;
    if (no_plots->given && plots->given && which != BATCH_PLOTS_NONE) {
        cli_usage(cmd, "--no-plots and --plots %s: give one (--no-plots is "
                  "--plots none)", plots->s);
        return -1;
    }
    return no_plots->given ? BATCH_PLOTS_NONE : which;
}

/* The index of the scenario called NAME (--reference), or 0 when NAME is
 * NULL; SIZE_MAX with a message when there is none. */
size_t batch_find_reference(scenario **scs, size_t n, const char *name,
                            diag *d)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(scs[i]->name, name) == 0)
            return i;
    char names[1024];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof names; i++)
        k += (size_t)snprintf(names + k, sizeof names - k, "%s%s",
                              i ? ", " : "", scs[i]->name);
    diag_add(d, NULL, 0, NULL, "--reference: no scenario called '%s' in this "
             "run (its scenarios: %s)", name, names);
    return SIZE_MAX;
}

int batch_parse_target(const char *text, compare_target *t, diag *d)
{
    const char *colon = strchr(text, ':'), *eq = strchr(text, '=');
    char stat[32], num[64];
    size_t vlen = colon && eq > colon ? (size_t)(eq - colon - 1) : 0;
    memset(t, 0, sizeof *t);
    t->text = text;
    if (!colon || !eq || eq < colon || vlen == 0 || vlen >= sizeof t->var
        || (size_t)(colon - text) >= sizeof stat
        || strlen(eq + 1) >= sizeof num) {
        diag_add(d, NULL, 0, NULL, "--precision-of: '%s': expected "
                 "STAT:OUTPUT=HALFWIDTH, e.g. mean:usfk_troops=50, "
                 "p90:usfk_troops=200 or mean:usfk_troops=1%%", text);
        return NCG_ERR_USAGE;
    }
    snprintf(stat, sizeof stat, "%.*s", (int)(colon - text), text);
    snprintf(t->var, sizeof t->var, "%.*s", (int)vlen, colon + 1);
    snprintf(num, sizeof num, "%s", eq + 1);
    size_t nl = strlen(num);
    if (nl > 0 && num[nl - 1] == '%') {
        t->relative = 1;
        num[nl - 1] = 0;
    }
    double pct;
    if (strcmp(stat, "mean") == 0) {
        t->q = -1;
    } else if (stat[0] == 'p' && num_parse_double(stat + 1, &pct) == 0
               && stat[1] != '-' && pct > 0 && pct < 100) {
        t->q = pct / 100;
    } else {
        diag_add(d, NULL, 0, NULL, "--precision-of: '%s': unknown statistic "
                 "'%s' (mean, or a percentile p1 .. p99 such as p50)", text,
                 stat);
        return NCG_ERR_USAGE;
    }
    if (num_parse_double(num, &t->halfwidth) != 0 || !(t->halfwidth > 0)
        || (t->relative && t->halfwidth >= 100)) {
        diag_add(d, NULL, 0, NULL, "--precision-of: '%s': the half-width "
                 "must be a number above 0 (or a percentage below 100%%), "
                 "e.g. =50 or =1%%", text);
        return NCG_ERR_USAGE;
    }
    if (t->relative)
        t->halfwidth /= 100;
    return 0;
}

int batch_check_targets(model **ms, size_t n, const batch_opts *c, diag *d)
{
    int rc = 0;
    for (size_t k = 0; k < c->n_targets; k++) {
        const char *var = c->targets[k].var, *best = NULL;
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            for (size_t o = 0; o < ms[i]->n_outputs && !found; o++) {
                const model_var *v = &ms[i]->vars[ms[i]->outputs[o]];
                found = v->kind != VAR_EVENT && strcmp(v->name, var) == 0;
            }
        if (found)
            continue;
        for (size_t i = 0; i < n && !best; i++) {
            const char **names = calloc(ms[i]->n_outputs + 1, sizeof *names);
            if (!names)
                break;
            for (size_t o = 0; o < ms[i]->n_outputs; o++)
                names[o] = ms[i]->vars[ms[i]->outputs[o]].name;
            best = diag_suggest(var, strlen(var), names, ms[i]->n_outputs);
            free(names);
        }
        if (best)
            diag_add(d, NULL, 0, NULL, "--precision-of: '%s': no numeric "
                     "output '%s' (did you mean '%s'?)", c->targets[k].text,
                     var, best);
        else
            diag_add(d, NULL, 0, NULL, "--precision-of: '%s': no numeric "
                     "output '%s' in this run (event probabilities are "
                     "covered by --precision)", c->targets[k].text, var);
        rc = NCG_ERR_USAGE;
    }
    return rc;
}

void batch_precision_settings(const batch_opts *c, char *buf, size_t len)
{
    size_t k = (size_t)snprintf(buf, len, "--precision %.15g --max-trials "
                                "%llu", c->precision,
                                (unsigned long long)c->max_trials);
    for (size_t i = 0; i < c->n_targets && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, " --precision-of %s",
                              c->targets[i].text);
}

int batch_precision_rounds(const batch_opts *c, batch_measure_fn measure,
                           void *ctx, uint64_t *chosen, diag *d)
{
    const uint64_t unit = PRECISION_ROUND;
    uint64_t trials = unit < c->max_trials ? unit : c->max_trials;
    int rc = 0;
    while (trials < c->max_trials) {
        batch_measured got = { 0 };
        if ((rc = measure(ctx, trials, &got, d)) != 0)
            return rc;
        if (!c->quiet)
            fprintf(stderr, "precision: %llu trials: the widest 95%% interval "
                    "(%s) is %.3g times its target\n",
                    (unsigned long long)trials, got.which, got.ratio);
        if (got.ratio <= 1)
            break;
        /* Half-widths shrink as 1/sqrt(trials): aim 10% past the estimate,
         * at least double, in whole units. */
        double want = (double)trials * got.ratio * got.ratio * 1.1;
        uint64_t next = want > (double)c->max_trials ? c->max_trials
                                                     : (uint64_t)want;
        if (next < 2 * trials)
            next = 2 * trials;
        next = (next + unit - 1) / unit * unit;
        trials = next < c->max_trials ? next : c->max_trials;
    }
    if (!c->quiet && trials >= c->max_trials)
        fprintf(stderr, "precision: stopped at --max-trials %llu; the "
                "target may not be met (see the se columns)\n",
                (unsigned long long)trials);
    *chosen = trials;
    return 0;
}

/* What a round of batch_find_trials measures with. */
typedef struct find_ctx {
    scenario ***scs;
    model ***ms;
    char **files;
    size_t n, ref;
    batch_opts *c;
} find_ctx;

/* Reloads the scenarios with TRIALS trials (so the sampler and the
 * resolved text are those of a run of that many). */
static int reload(find_ctx *f, uint64_t trials, diag *d)
{
    batch_free_all(*f->scs, *f->ms, f->n);
    *f->scs = NULL;
    *f->ms = NULL;
    f->c->so.has_trials = 1;
    f->c->so.trials = trials;
    return batch_load_all(f->files, f->n, &f->c->so, f->scs, f->ms, d);
}

/* batch_measure_fn of batch_find_trials: a whole run of TRIALS trials. */
static int measure_run(void *ctx, uint64_t trials, batch_measured *got,
                       diag *d)
{
    find_ctx *f = ctx;
    int rc = reload(f, trials, d);
    return rc ? rc : batch_run_cluster(*f->scs, *f->ms, f->n, f->ref, f->c,
                                       BATCH_MEASURE, got, d);
}

/* --precision: runs rounds of growing size (results not written) until
 * the 95% half-width of every event probability, and of every paired
 * difference from the reference, is at most c->precision, or until
 * --max-trials; then reloads the scenarios with that many trials, so the
 * final run and its resolved.cfg record the number used. Deterministic:
 * each round's size depends only on the previous round's results. */
int batch_find_trials(scenario ***scs, model ***ms, char **files, size_t n,
                      size_t ref, batch_opts *c, diag *d)
{
    find_ctx f = { scs, ms, files, n, ref, c };
    uint64_t trials;
    int rc = batch_precision_rounds(c, measure_run, &f, &trials, d);
    return rc ? rc : reload(&f, trials, d);
}
