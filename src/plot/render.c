/* render.c: the plots of several result folders, drawn in parallel
 * gnuplot processes. */
#include "plot/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/ncgsim.h"
#include "base/status.h"
#include "plot/plot.h"

/* 1 when an executable NAME is on PATH. */
static int on_path(const char *name)
{
    const char *path = getenv("PATH");
    char buf[4096];
    while (path && *path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        snprintf(buf, sizeof buf, "%.*s/%s", (int)len, len ? path : ".", name);
        if (access(buf, X_OK) == 0)
            return 1;
        path = colon ? colon + 1 : NULL;
    }
    return 0;
}

/* gnuplot is single-threaded, so folders render in parallel processes. */
int plot_render_dirs(char *const *dirs, const int *is_cmp, size_t n,
                     const plot_render_opts *c, diag *d)
{
    plot_opts po = { c->format, 1 };
    int rc = 0;
    size_t running = 0, next = 0, failed = 0;
    if (n == 0)
        return 0;
    if (!on_path("gnuplot") || c->threads <= 1) {
        /* Nothing to run in parallel (or no gnuplot: write the scripts and
         * let plot.c print its one note). */
        for (size_t i = 0; i < n; i++) {
            int r = is_cmp[i] ? plot_compare(dirs[i], &po, d)
                              : plot_scenario(dirs[i], &po, d);
            rc = ncg_status_worse(rc, r);
        }
        goto done;
    }
    fflush(stdout);
    fflush(stderr);
    while (next < n || running > 0) {
        /* A comparison waits until every scenario folder is drawn. */
        int can_start = next < n && (int)running < c->threads
                        && (!is_cmp[next] || running == 0);
        if (can_start) {
            pid_t pid = fork();
            if (pid == 0) {
                diag *cd = diag_alloc();
                int r = is_cmp[next] ? plot_compare(dirs[next], &po, cd)
                                     : plot_scenario(dirs[next], &po, cd);
                if (cd)
                    diag_print(cd, stderr);
                diag_free(cd);
                fflush(stderr);
                _exit(r);
            }
            if (pid < 0) {
                int r = is_cmp[next] ? plot_compare(dirs[next], &po, d)
                                     : plot_scenario(dirs[next], &po, d);
                rc = ncg_status_worse(rc, r);
            } else {
                running++;
            }
            next++;
            continue;
        }
        int st;
        if (wait(&st) < 0)
            break;
        running--;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            failed++;
    }
    if (failed) {
        diag_add(d, NULL, 0, NULL, "plots failed in %zu folder%s (see the "
                 "messages above); the results themselves are complete",
                 failed, failed == 1 ? "" : "s");
        rc = NCG_EXIT_IO;
    }
    if (rc != 0 && c->optional) {
        /* After a run the data is what was asked for: a plot that gnuplot
         * could not draw is reported, and the run still succeeds. */
        fflush(stdout);
        for (size_t i = 0; i < diag_count(d); i++)
            fprintf(stderr, "ncgsim: warning: %s\n", diag_get(d, i));
        diag_clear(d);
        return 0;
    }
done:
    if (rc == 0 && !c->quiet)
        printf("  plots: %s files drawn with gnuplot in each result folder\n",
               c->format ? c->format : "png");
    return rc;
}
