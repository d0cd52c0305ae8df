/* publish.c: the result folder of an analysis command. */
#include "cli/publish.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "cli/cli.h"
#include "io/output.h"
#include "model/corr.h"

/* Writes DIR/NAME through WRITE(CTX, f); 0 or NCG_EXIT_IO. */
static int write_file(const char *dir, const char *name,
                      int (*write)(const void *ctx, FILE *f), const void *ctx,
                      diag *d)
{
    char *path = output_path(dir, name);
    FILE *f = path ? fopen(path, "w") : NULL;
    int rc = 0;
    if (!f || write(ctx, f) != 0) {
        diag_add(d, path ? path : name, 0, NULL, "cannot write: %s",
                 strerror(errno));
        rc = NCG_EXIT_IO;
    }
    if (f && fclose(f) != 0 && rc == 0) {
        diag_add(d, path, 0, NULL, "write error: %s", strerror(errno));
        rc = NCG_EXIT_IO;
    }
    free(path);
    return rc;
}

static int write_resolved(const void *ctx, FILE *f)
{
    return scenario_write(ctx, "resolved by ncgsim " NCGSIM_VERSION, f);
}

int publish_analysis(const publish_spec *p, const scenario *sc,
                     const model *m, uint64_t trials, const void *res,
                     diag *d)
{
    output_dir od;
    char name[300];
    snprintf(name, sizeof name, "%s-%s", sc->name, p->what);
    int rc = output_begin(p->out, name, &od, d);
    if (rc != 0)
        return rc;
    if ((rc = write_file(od.tmp, p->csv, p->write, res, d)) == 0
        && (rc = write_file(od.tmp, "resolved.cfg", write_resolved, sc, d)) == 0)
        rc = corr_write(m, trials, od.tmp, p->quiet ? NULL : stdout, d);
    if (rc == 0 && !p->no_plots && p->plot(res, od.tmp, d) != 0)
        /* Numbers matter more than charts: say so and keep the folder. */
        fprintf(stderr, "ncgsim: %s: charts not drawn (is gnuplot "
                "installed?)\n", p->what);
    if (rc == 0 && cli_interrupted) {
        diag_add(d, NULL, 0, NULL, "interrupted");
        rc = NCG_EXIT_RUN;
    }
    if (rc != 0) {
        output_abort(&od);
        return rc;
    }
    if ((rc = output_commit(&od, d)) == 0 && !p->quiet)
        printf("  results: %s/%s/\n", p->out, name);
    return rc;
}

