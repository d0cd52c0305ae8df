/* render.c: the plots of several result folders, drawn in parallel gnuplot processes. */
#include "plot/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/ncgsim.h"
#include "base/status.h"

/* Draws job J (its results in J->res) in PROCS gnuplot processes, with
 * messages in D. */
static int draw_one(plot_job *j, const plot_render_opts *o, int procs,
                    diag *d)
{
    plot_opts po = { .format = o->format, .quiet = 1, .name = j->name,
                     .result = &j->res, .scripts_only = o->scripts_only,
                     .procs = procs };
    if (j->kind == PLOT_REDRAW)
        return plot_redraw_folder(j->dir, &po, d);
    if (j->kind == PLOT_COMPARE)
        return plot_compare(j->dir, &po, d);
    return plot_scenario(j->dir, &po, d);
}

int plot_render_dirs(plot_job *jobs, size_t n, const plot_render_opts *o,
                     diag *d)
{
    size_t running = 0, next = 0, failed = 0;
    plot_job *shared = NULL;
    pid_t *pids = NULL;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        memset(&jobs[i].res, 0, sizeof jobs[i].res);
        jobs[i].status = 0;
    }
    /* gnuplot is single-threaded, so folders draw in parallel processes,
     * which write what they drew into memory shared with this one; the
     * charts of a folder drawn alone are shared out among o->threads
     * gnuplot processes, as are those of a comparison (it waits for the
     * folders before it). Several folders at once draw one process each
     * (as many folders as cores keep them busy). */
    int alone = o->threads, each = n >= (size_t)o->threads ? 1
                                  : o->threads / (int)n;
    if (plot_gnuplot_found() && o->threads > 1 && n > 1
        && !o->scripts_only) {
        shared = mmap(NULL, n * sizeof *shared, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        pids = calloc(n, sizeof *pids);
        if (shared == MAP_FAILED || !pids) {
            if (shared != MAP_FAILED)
                munmap(shared, n * sizeof *shared);
            shared = NULL;
        }
    }
    if (!shared) {
        for (size_t i = 0; i < n; i++)
            if ((jobs[i].status = draw_one(&jobs[i], o, alone, d)) != 0)
                failed++;
        goto done;
    }
    memcpy(shared, jobs, n * sizeof *shared);
    fflush(stdout);
    fflush(stderr);
    while (next < n || running > 0) {
        /* A comparison waits until every folder before it is drawn. */
        int can_start = next < n && (int)running < o->threads
                        && (!(jobs[next].after || jobs[next].kind == PLOT_COMPARE)
                            || running == 0);
        if (can_start) {
            pid_t pid = fork();
            if (pid == 0) {
                diag *cd = diag_alloc();
                int after = jobs[next].after
                            || jobs[next].kind == PLOT_COMPARE;
                int r = cd ? draw_one(&shared[next], o, after ? alone : each,
                                      cd)
                           : NCG_ERR_NOMEM;
                if (cd)
                    diag_print(cd, stderr);
                diag_free(cd);
                fflush(stdout);
                fflush(stderr);
                _exit(r);
            }
            if (pid < 0)
                shared[next].status = draw_one(&shared[next], o, 1, d);
            else {
                pids[next] = pid;
                running++;
            }
            next++;
            continue;
        }
        int st;
        pid_t pid = wait(&st);
        if (pid < 0)
            break;
        for (size_t i = 0; i < n; i++)
            if (pids[i] == pid) {
                running--;
                shared[i].status = WIFEXITED(st) ? WEXITSTATUS(st)
                                                 : NCG_ERR_IO;
                pids[i] = 0;
            }
    }
    for (size_t i = 0; i < n; i++) {
        jobs[i].res = shared[i].res;
        if ((jobs[i].status = shared[i].status) != 0)
            failed++;
    }
    munmap(shared, n * sizeof *shared);
    free(pids);
done:
    if (!failed)
        return 0;
    diag_add(d, NULL, 0, NULL, "plots failed in %zu folder%s (see the "
             "messages above); the data files are complete", failed,
             failed == 1 ? "" : "s");
    return NCG_ERR_IO;
}

void plot_render_report(const plot_job *jobs, size_t n, const char *format)
{
    for (size_t i = 0; i < n; i++)
        if (jobs[i].res.drawn > 0)
            printf("  plots: %s/ (%zu %s files)\n", jobs[i].name,
                   jobs[i].res.drawn, format ? format : "png");
}
