/* plot_dir.c: redraws a result folder already on disk, of any command, through the result-folder writer. */
#include "plot/plot.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/ncgsim.h"
#include "io/output.h"
#include "plot/discover_plot.h"
#include "plot/gp.h"
#include "plot/sens_plot.h"
#include "base/status.h"

/* 1 when DIR/NAME is a regular file. */
static int has_file(const char *dir, const char *name)
{
    char *p = output_path(dir, name);
    struct stat st;
    int ok = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return ok;
}

/* Each kind of result folder, by the file only its command writes; the
 * first that matches wins (a scenario's folder may hold a comparison's
 * files of no other kind). */
static const struct folder_kind {
    const char *file;
    int kind;
} folder_kinds[] = {
    { "compare.csv", PLOT_COMPARE },
    { "summary.csv", PLOT_SCENARIO },
    { "sensitivity.csv", PLOT_SENSITIVITY },
    { "sweep.csv", PLOT_SWEEP },
    { "discovery.csv", PLOT_DISCOVER },
    { "reliability.csv", PLOT_SCORE },
    { "robust.csv", PLOT_SCRIPTS },
};

int plot_folder_kind(const char *dir)
{
    for (size_t i = 0; i < sizeof folder_kinds / sizeof *folder_kinds; i++)
        if (has_file(dir, folder_kinds[i].file))
            return folder_kinds[i].kind;
    return PLOT_NONE;
}

/* 1 when NAME, in a folder of KIND, is drawn again rather than carried:
 * an image, the style, a script (unless KIND runs its scripts again) or
 * the data file a discovery's limits chart is drawn from (written again
 * from boxes.csv). */
static int is_drawing(const char *name, int kind)
{
    const char *dot = strrchr(name, '.');
    if (strcmp(name, "style.gp") == 0
        || (kind == PLOT_DISCOVER && strcmp(name, "limits.dat") == 0))
        return 1;
    if (!dot)
        return 0;
    return strcmp(dot, ".png") == 0 || strcmp(dot, ".svg") == 0
           || strcmp(dot, ".pdf") == 0
           || (kind != PLOT_SCRIPTS && strcmp(dot, ".gp") == 0);
}

/* Puts SRC/NAME into DST/NAME: a hard link (instant, even for a large
 * samples.csv), else a copy flushed to disk. 0 or NCG_ERR_IO. */
static int carry(const char *src, const char *dst, const char *name, diag *d)
{
    char *from = output_path(src, name), *to = output_path(dst, name);
    char buf[65536];
    FILE *in = NULL, *out = NULL;
    int rc = NCG_ERR_IO;
    size_t n;
    if (!from || !to) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        goto end;
    }
    if (link(from, to) == 0) {
        rc = 0;
        goto end;
    }
    if (!(in = fopen(from, "re"))) {
        diag_add(d, from, 0, NULL, "cannot read: %s", strerror(errno));
        goto end;
    }
    if (!(out = output_open(dst, name, d)))
        goto end;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    if (ferror(in)) {
        diag_add(d, from, 0, NULL, "cannot read: %s", strerror(errno));
        fclose(out);
        goto end;
    }
    rc = output_close(out, dst, name, d);
end:
    if (in)
        fclose(in);
    free(from);
    free(to);
    return rc;
}

/* Splits PATH into its parent folder and its last name (both malloc'd);
 * trailing slashes ignored. 0, or -1 when PATH names no folder inside
 * another ("/", ".", ".."). */
static int split_path(const char *path, char **parent, char **name)
{
    char *p = strdup(path), *slash;
    size_t len = p ? strlen(p) : 0;
    *parent = *name = NULL;
    if (!p)
        return -1;
    while (len > 1 && p[len - 1] == '/')
        p[--len] = 0;
    slash = strrchr(p, '/');
    const char *base = slash ? slash + 1 : p;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        free(p);
        return -1;
    }
    *name = strdup(base);
    if (!slash)
        *parent = strdup(".");
    else if (slash == p)
        *parent = strdup("/");
    else {
        *slash = 0;
        *parent = strdup(p);
    }
    free(p);
    return *parent && *name ? 0 : -1;
}

/* Draws the charts of the result folder DIR of KIND (plot_folder_kind)
 * from its data, as the command that wrote it draws them. */
static int redraw_kind(const char *dir, int kind, const plot_opts *o,
                       diag *d)
{
    switch (kind) {
    case PLOT_COMPARE:
        return plot_compare(dir, o, d);
    case PLOT_SCENARIO:
        return plot_scenario(dir, o, d);
    case PLOT_SENSITIVITY:
        return sens_plot_sensitivity_files(dir, o, d);
    case PLOT_SWEEP:
        return sens_plot_sweep_files(dir, o, d);
    case PLOT_DISCOVER:
        return discover_plot_files(dir, o, d);
    case PLOT_SCORE:
        return plot_score(dir, o, d);
    default:
        return gp_redraw(dir, o->name, o->format, o->procs, o->result, d);
    }
}

int plot_redraw_folder(const char *path, const plot_opts *o, diag *d)
{
    struct stat st;
    char *out = NULL, *name = NULL;
    output_dir od = { 0 };
    DIR *dp = NULL;
    struct dirent *de;
    int rc = NCG_ERR_IO, kind;
    od.lock_fd = -1;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            diag_add(d, path, 0, NULL, "no such folder");
        else
            diag_add(d, path, 0, NULL, "cannot read: %s", strerror(errno));
        return NCG_ERR_IO;
    }
    if (!S_ISDIR(st.st_mode)) {
        diag_add(d, path, 0, NULL, "not a folder (give a result folder, "
                 "e.g. results/baseline)");
        return NCG_ERR_IO;
    }
    if ((kind = plot_folder_kind(path)) == PLOT_NONE) {
        diag_add(d, path, 0, NULL, "not a result folder (no summary.csv, "
                 "compare.csv, sensitivity.csv, sweep.csv, discovery.csv, "
                 "reliability.csv or robust.csv in it)");
        return NCG_ERR_IO;
    }
    /* "." and "results/x/.." name a folder too: by its real path. */
    char *real = realpath(path, NULL);
    int resolved = real != NULL, split = -1;
    if (resolved)
        split = split_path(real, &out, &name);
    free(real);
    if (split != 0) {
        diag_add(d, path, 0, NULL, "cannot redraw this folder: %s",
                 resolved ? "it is the root folder" : strerror(errno));
        goto end;
    }
    /* The writer refuses a folder with anything it did not write. */
    if ((rc = output_begin(out, name, NULL, &od, d)) != 0)
        goto end;
    if (!(dp = opendir(path))) {
        diag_add(d, path, 0, NULL, "cannot read folder: %s", strerror(errno));
        rc = NCG_ERR_IO;
        goto end;
    }
    /* The data, without the old drawings. */
    while ((de = readdir(dp)) != NULL) {
        const char *n = de->d_name;
        if (n[0] == '.' || is_drawing(n, kind))
            continue;
        if ((rc = carry(path, od.tmp, n, d)) != 0)
            goto end;
    }
    plot_opts po = o ? *o : (plot_opts){ 0 };
    po.name = od.final;
    po.quiet = 1;
    plot_result mine = { 0 };
    if (!po.result)
        po.result = &mine;
    size_t before = po.result->drawn;
    rc = redraw_kind(od.tmp, kind, &po, d);
    /* Data and what was drawn whole are kept even when a chart failed
     * (the failure is reported and is the exit status). */
    int crc = output_commit(&od, d);
    if (crc != 0)
        rc = crc;
    else if (!(o && o->quiet) && po.result->drawn > before)
        printf("  plots: %s/ (%zu %s files)\n", path,
               po.result->drawn - before, po.format ? po.format : "png");
end:
    if (dp)
        closedir(dp);
    output_abort(&od);
    free(out);
    free(name);
    return rc;
}
