/* gp.c: the plot module's one gnuplot back end: scripts that redraw their chart from the folder they sit in, the shared style, running gnuplot and checking what it drew. */
#include "plot/gp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/ncgsim.h"
#include "base/numfmt.h"
#include "io/output.h"
#include "base/status.h"

#ifndef NCGSIM_DATADIR
#define NCGSIM_DATADIR "/usr/local/share/ncgsim"
#endif

/* ------------------------------------------------- text in the scripts -- */

/* Writes S as a gnuplot string expression of single-quoted strings, in
 * which gnuplot expands nothing (no backslash escapes, @macros or
 * backquotes), so scenario text stays text. A quote is joined in as "'":
 * gnuplot 5.4 misreads two doubled quotes in a row ('a''''b'). Control
 * characters, which would end the command at a newline, become spaces.
 * Callers put the result where gnuplot takes an expression. Past MAX
 * characters the text is cut and ends with an ellipsis, for a title that
 * would run off the plot. */
void gp_quote_max(FILE *f, const char *s, size_t max)
{
    size_t chars = 0;
    fputc('\'', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        /* Count characters, not the bytes that continue one in UTF-8. */
        if ((*p & 0xC0) != 0x80 && chars++ == max) {
            fputs("…", f);
            break;
        }
        if (*p == '\'')
            fputs("' . \"'\" . '", f);
        else if (*p < 0x20 || *p == 0x7f)
            fputc(' ', f);
        else
            fputc(*p, f);
    }
    fputc('\'', f);
}

/* S in full as a gnuplot string expression (see gp_quote_max). */
void gp_quote(FILE *f, const char *s)
{
    gp_quote_max(f, s, SIZE_MAX);
}

/* "LABEL (UNIT)", or LABEL alone when UNIT is empty, as a quoted string. */
void gp_label_unit(FILE *f, const char *label, const char *unit)
{
    gp_quote(f, label);
    if (*unit) {
        fputs(" . ' (' . ", f);
        gp_quote(f, unit);
        fputs(" . ')'", f);
    }
}

/* `set title` with a first line FIRST and, when SECOND is not NULL, a second
 * line; enhanced-text markup is off because both come from scenario files. */
void gp_title(FILE *f, const char *first, const char *second)
{
    fputs("set title ", f);
    gp_quote_max(f, first, GP_TITLE_MAX);
    if (second) {
        fputs(" . \"\\n\" . ", f);
        gp_quote_max(f, second, GP_TITLE_MAX);
    }
    fputs(" noenhanced\n", f);
}

/* ------------------------------------------------------------ the style -- */

/* Makes a script find its data beside itself: gnuplot names the script in
 * ARG0 as given on the command line, and `cd` to its folder makes every
 * relative path work wherever gnuplot was started. A script called from
 * all.gp gets a bare name (all.gp has already moved there). */
static const char gp_cd_here[] =
    "ncg_slash(p) = strstrt(p, '/') ? strstrt(p, '/') + ncg_slash(p[strstrt(p, '/') + 1:]) : 0\n"
    "if (ncg_slash(ARG0) > 0) { cd ARG0[1:ncg_slash(ARG0)] }\n";

/* 1 when PATH is a regular file. */
static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The path of the style to copy (malloc'd), or NULL when there is none:
 * $NCGSIM_PLOTS/style.gp when set; else, from the executable's folder,
 * ../share/ncgsim/plots/style.gp (installed under any PREFIX, moved
 * included) or plots/style.gp (a build tree); else the copy installed in
 * NCGSIM_DATADIR. */
static char *style_find(void)
{
    char exe[PATH_MAX], buf[PATH_MAX + 64];
    const char *env = getenv("NCGSIM_PLOTS");
    if (env && *env) {
        snprintf(buf, sizeof buf, "%s/style.gp", env);
        return is_file(buf) ? strdup(buf) : NULL;
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = 0;
        snprintf(buf, sizeof buf, "%s/../share/ncgsim/plots/style.gp", exe);
        if (is_file(buf))
            return strdup(buf);
        snprintf(buf, sizeof buf, "%s/plots/style.gp", exe);
        if (is_file(buf))
            return strdup(buf);
    }
    snprintf(buf, sizeof buf, "%s/plots/style.gp", NCGSIM_DATADIR);
    return is_file(buf) ? strdup(buf) : NULL;
}

/* Copies the style into DIR/style.gp. 1 when copied, 0 when there is no
 * style (one warning per process: the plots then take gnuplot's look),
 * -1 with a message when it cannot be read or written. */
static int style_copy(const char *dir, diag *d)
{
    static int told;
    char *src = style_find(), buf[8192];
    FILE *in = NULL, *out = NULL;
    int rc = -1;
    size_t n;
    if (!src) {
        if (!told)
            fprintf(stderr, "ncgsim: warning: plots/style.gp not found (set "
                    "NCGSIM_PLOTS to its folder); plots use gnuplot's "
                    "default look\n");
        told = 1;
        return 0;
    }
    if (!(in = fopen(src, "re"))) {
        diag_add(d, src, 0, NULL, "cannot read the plot style: %s",
                 strerror(errno));
        goto end;
    }
    if (!(out = output_open(dir, "style.gp", d)))
        goto end;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    if (ferror(in)) {
        diag_add(d, src, 0, NULL, "cannot read the plot style: %s",
                 strerror(errno));
        fclose(out);
        goto end;
    }
    rc = output_close(out, dir, "style.gp", d) == 0 ? 1 : -1;
end:
    if (in)
        fclose(in);
    free(src);
    return rc;
}

/* -------------------------------------------------------- the scripts -- */

int gp_job_begin(gp_job *j, const char *dir, const char *format, diag *d)
{
    memset(j, 0, sizeof *j);
    j->dir = dir;
    j->name = dir;
    j->d = d;
    j->ext = format ? format : "png";
    int styled = style_copy(dir, d);
    if (styled < 0)
        return -1;
    j->styled = styled;
    if (!(j->all = output_open(dir, "all.gp", d)))
        return -1;
    fprintf(j->all, "# all.gp: draws every plot of this folder in one gnuplot "
            "run. Written by ncgsim.\n# Run `gnuplot all.gp` from any folder; "
            "each script listed also runs alone.\n%s", gp_cd_here);
    return 0;
}

FILE *gp_script_open(gp_job *j, const char *stem, const char *purpose, int w,
                     int h)
{
    char name[300];
    char **ns = realloc(j->stems, (j->nplots + 1) * sizeof *ns);
    if (ns)
        j->stems = ns;
    if (!ns || !(ns[j->nplots] = strdup(stem))) {
        diag_add(j->d, j->dir, 0, NULL, "out of memory");
        j->failed = 1;
        return NULL;
    }
    j->nplots++;
    snprintf(name, sizeof name, "%s.gp", stem);
    FILE *f = output_open(j->dir, name, j->d);
    if (!f) {
        j->failed = 1;
        return NULL;
    }
    /* The format is a variable, so that `ncgsim plot --format` and a
     * reader (gnuplot -e "ncg_format='svg'" ...) can redraw the same
     * script in another one. */
    fprintf(f, "# %s: %s. Written by ncgsim.\n"
            "# Redraw with `gnuplot %s` from any folder: the data, style.gp "
            "and the image\n# are beside it; gnuplot -e \"ncg_format='svg'\" "
            "%s draws an SVG (or pdf, png).\n%sreset\n"
            "if (!exists('ncg_format')) ncg_format = '%s'\n"
            "if (ncg_format eq 'svg') {\n"
            "  set terminal svg size %d,%d dynamic noenhanced background rgb 'white'\n"
            "} else {\n  if (ncg_format eq 'pdf') {\n"
            "    set terminal pdfcairo size %.2fin,%.2fin noenhanced\n"
            "  } else {\n    set terminal pngcairo size %d,%d noenhanced\n"
            "  }\n}\n", name, purpose, name, name, gp_cd_here, j->ext, w, h,
            w / 100.0, h / 100.0, w, h);
    if (j->styled)
        fputs("load 'style.gp'\n", f);
    else /* what the scripts take from the style */
        fputs("ncg_band50 = 0.55; ncg_band90 = 0.35; ncg_band_compare = 0.12\n",
              f);
    fprintf(f, "set output '%s.' . ncg_format\nset datafile separator comma\n",
            stem);
    fprintf(j->all, "call '%s'\n", name);
    return f;
}

void gp_script_close(gp_job *j, FILE *f, const char *stem)
{
    char name[300];
    snprintf(name, sizeof name, "%s.gp", stem);
    fputs("unset output\n", f);
    if (output_close(f, j->dir, name, j->d) != 0)
        j->failed = 1;
}

/* ------------------------------------------------------ running gnuplot -- */

/* The full path of the gnuplot executable on PATH (malloc'd), or NULL. */
static char *gnuplot_find(void)
{
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        char buf[PATH_MAX];
        if (n > 0 && n < sizeof buf - 16) {
            snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)n, path);
            if (access(buf, X_OK) == 0 && is_file(buf))
                return strdup(buf);
        }
        path += n + (path[n] == ':');
    }
    return NULL;
}

int plot_gnuplot_found(void)
{
    char *exe = gnuplot_find();
    free(exe);
    return exe != NULL;
}

/* Prints every line of gnuplot's stderr TEXT as a warning about DIR. */
static void report_gnuplot(const char *dir, const char *text)
{
    while (*text) {
        size_t n = strcspn(text, "\n");
        if (n > 0)
            fprintf(stderr, "ncgsim: warning: %s: gnuplot: %.*s\n", dir,
                    (int)n, text);
        text += n + (text[n] == '\n');
    }
}

/* One gnuplot process drawing some of a folder's scripts. */
typedef struct gp_proc {
    char **argv;   /* gnuplot, -e, the format, the scripts (owned) */
    size_t argc;
    FILE *err;     /* its stderr, an unnamed temporary file */
    pid_t pid;     /* 0: not started */
} gp_proc;

/* The argument list of process K of PROCS into P: `EXE -e SET` and every
 * PROCS-th script of STEMS from the K-th (STEM.gp), or all.gp when PROCS
 * is 1. 0, or -1 when out of memory. */
static int proc_args(gp_proc *p, char *exe, char *set, char *const *stems,
                     size_t n, size_t k, size_t procs)
{
    size_t mine = procs == 1 ? 1 : (n - k + procs - 1) / procs;
    p->argc = 0;
    if (!(p->argv = calloc(mine + 4, sizeof *p->argv)))
        return -1;
    p->argv[p->argc++] = exe;
    p->argv[p->argc++] = (char *)"-e";
    p->argv[p->argc++] = set;
    if (procs == 1) {
        p->argv[p->argc++] = (char *)"all.gp";
        return 0;
    }
    for (size_t i = k; i < n; i += procs) {
        size_t len = strlen(stems[i]) + 4;
        if (!(p->argv[p->argc] = malloc(len)))
            return -1;
        snprintf(p->argv[p->argc++], len, "%s.gp", stems[i]);
    }
    return 0;
}

static void proc_free(gp_proc *p, size_t procs)
{
    for (size_t i = 3; procs > 1 && p->argv && i < p->argc; i++)
        free(p->argv[i]);
    free(p->argv);
    if (p->err)
        fclose(p->err);
}

/* Starts P in DIR with its stderr in P->err, stdin and stdout /dev/null.
 * 0, or -1 with errno. */
static int proc_start(gp_proc *p, const char *dir)
{
    if (!(p->err = tmpfile()))
        return -1;
    int err = fileno(p->err);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* Only async-signal-safe calls between fork and exec. */
        int null = open("/dev/null", O_RDWR);
        if (chdir(dir) != 0 || null < 0)
            _exit(126);
        dup2(null, 0);
        dup2(null, 1);
        dup2(err, 2);
        execv(p->argv[0], p->argv);
        _exit(127);
    }
    p->pid = pid;
    return 0;
}

/* Waits for P and reports what it printed as warnings about NAME. 0 when
 * it drew to the end, -1 with a message saying what failed (WHAT names
 * what it ran). */
static int proc_wait(gp_proc *p, const char *name, const char *what, diag *d)
{
    int status = 0;
    char line[4096];
    while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
        ;
    rewind(p->err);
    while (fgets(line, sizeof line, p->err))
        report_gnuplot(name, line);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
        diag_add(d, name, 0, NULL, "cannot run gnuplot in this folder");
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        diag_add(d, name, 0, NULL, "cannot run %s", p->argv[0]);
    else if (!WIFEXITED(status))
        diag_add(d, name, 0, NULL, "gnuplot was stopped while drawing %s: "
                 "%s", what, WIFSIGNALED(status)
                 ? strsignal(WTERMSIG(status)) : "no exit status");
    else if (WEXITSTATUS(status) != 0)
        diag_add(d, name, 0, NULL, "gnuplot stopped with an error in %s "
                 "(exit status %d; its message is above)", what,
                 WEXITSTATUS(status));
    else
        return 0;
    return -1;
}

/* Runs gnuplot in DIR without a shell on the N scripts STEMS that DIR/all.gp
 * calls, in FORMAT (`-e "ncg_format='FORMAT'"`): one process on all.gp, or,
 * with PROCS above 1, up to PROCS processes at once, each on every PROCS-th
 * script (charts of a kind sit together in all.gp, so each process gets
 * its share of every kind). Each script sets everything it draws with, so
 * the images are those all.gp draws. 0 when every process ran (whatever
 * gnuplot printed is reported as warnings), 1 when gnuplot is not
 * installed (one note per process), -1 with a message saying what failed.
 * NAME: DIR in messages. */
static int gnuplot_run(const char *dir, const char *name, const char *format,
                       char *const *stems, size_t n, int procs, diag *d)
{
    static int told_missing;
    char *exe = gnuplot_find(), set[64];
    size_t np = procs > 1 && n > 1 ? (size_t)procs : 1;
    gp_proc *p = NULL;
    int rc = 0;
    if (!exe) {
        if (!told_missing)
            fprintf(stderr, "ncgsim: gnuplot not found: plot scripts written "
                    "but not drawn (install it: sudo apt-get install "
                    "gnuplot-nox)\n");
        told_missing = 1;
        return 1;
    }
    if (np > n)
        np = n;
    snprintf(set, sizeof set, "ncg_format='%s'", format);
    if (!(p = calloc(np, sizeof *p))) {
        diag_add(d, name, 0, NULL, "out of memory");
        free(exe);
        return -1;
    }
    for (size_t k = 0; k < np && rc == 0; k++) {
        if (proc_args(&p[k], exe, set, stems, n, k, np) != 0) {
            diag_add(d, name, 0, NULL, "out of memory");
            rc = -1;
        } else if (proc_start(&p[k], dir) != 0) {
            diag_add(d, name, 0, NULL, "cannot run gnuplot: %s",
                     strerror(errno));
            rc = -1;
        }
    }
    /* Every process started is waited for, whatever happened to others. */
    for (size_t k = 0; k < np; k++) {
        if (p[k].pid > 0 && proc_wait(&p[k], name, np == 1 ? "all.gp"
                                      : "one of its scripts", d) != 0)
            rc = -1;
        proc_free(&p[k], np);
    }
    free(p);
    free(exe);
    return rc;
}

int gp_image_complete(const char *path, const char *ext, const char **why)
{
    static const unsigned char iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D',
                                            0xAE, 0x42, 0x60, 0x82 };
    unsigned char tail[1024];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t got = 0;
    *why = NULL;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *why = "not drawn";
        goto end;
    }
    if (st.st_size == 0) {
        *why = "empty file";
        goto end;
    }
    off_t from = st.st_size > (off_t)sizeof tail ? st.st_size
                 - (off_t)sizeof tail : 0;
    got = pread(fd, tail, (size_t)(st.st_size - from), from);
    if (got != st.st_size - from) {
        *why = "cannot read it back";
        goto end;
    }
    /* Trailing white space after the last tag or marker is allowed. */
    size_t n = (size_t)got;
    if (strcmp(ext, "png") != 0)  /* PNG bytes are not text */
        while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r'
                         || tail[n - 1] == ' '))
            n--;
    if (strcmp(ext, "png") == 0) {
        if ((size_t)got < sizeof iend
            || memcmp(tail + got - 12, iend, sizeof iend) != 0)
            *why = "truncated PNG (no IEND chunk at its end)";
    } else if (strcmp(ext, "svg") == 0) {
        if (n < 6 || memcmp(tail + n - 6, "</svg>", 6) != 0)
            *why = "truncated SVG (no </svg> at its end)";
    } else if (n < 5 || memcmp(tail + n - 5, "%%EOF", 5) != 0) {
        *why = "truncated PDF (no %%EOF at its end)";
    }
end:
    if (fd >= 0)
        close(fd);
    return *why ? -1 : 0;
}

/* Checks the image of each of the N scripts STEMS in DIR; removes those
 * that are incomplete, each with a message. Missing ones are named when
 * gnuplot succeeded (STOPPED 0), counted in one message when it stopped
 * part way. The number drawn whole. */
static size_t check_images(const char *dir, const char *name,
                           char *const *stems, size_t n, const char *ext,
                           int stopped, diag *d)
{
    size_t good = 0, missing = 0;
    for (size_t i = 0; i < n; i++) {
        char file[320];
        const char *why;
        snprintf(file, sizeof file, "%s.%s", stems[i], ext);
        char *path = output_path(dir, file), *shown = output_path(name, file);
        if (!path || !shown)
            diag_add(d, dir, 0, NULL, "out of memory");
        else if (gp_image_complete(path, ext, &why) == 0)
            good++;
        else if (strcmp(why, "not drawn") == 0 && stopped)
            missing++;
        else {
            diag_add(d, shown, 0, NULL, "%s%s", why, strcmp(why, "not drawn")
                     ? " (a full disk?); removed" : "");
            unlink(path);
        }
        free(path);
        free(shown);
    }
    if (missing)
        diag_add(d, name, 0, NULL, "%zu of %zu charts not drawn (gnuplot "
                 "stopped before them)", missing, n);
    return good;
}

/* Draws the N scripts STEMS listed in DIR/all.gp in PROCS processes
 * (gnuplot_run) and checks the images. Fills RES; 0 or NCG_ERR_IO. */
static int draw(const char *dir, const char *name, const char *ext,
                char *const *stems, size_t n, int procs, plot_result *res,
                diag *d)
{
    size_t before = diag_count(d);
    int r = gnuplot_run(dir, name, ext, stems, n, procs, d);
    if (res)
        res->scripts += n;
    if (r == 1) {
        if (res)
            res->no_gnuplot = 1;
        return 0;
    }
    /* gnuplot may stop part way (an error, a full disk): what it drew
     * before that is checked as well, so each message names a file. */
    size_t good = check_images(dir, name, stems, n, ext, r != 0, d);
    if (res)
        res->drawn += good;
    return r == 0 && diag_count(d) == before ? 0 : NCG_ERR_IO;
}

static void free_stems(char **stems, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(stems[i]);
    free(stems);
}

int gp_job_end(gp_job *j, plot_result *res)
{
    int rc = NCG_ERR_IO;
    if (output_close(j->all, j->dir, "all.gp", j->d) != 0)
        j->failed = 1;
    if (!j->failed && j->scripts_only) {
        if (res)
            res->scripts += j->nplots;
        rc = 0;
    } else if (!j->failed)
        rc = draw(j->dir, j->name, j->ext, j->stems, j->nplots, j->procs,
                  res, j->d);
    free_stems(j->stems, j->nplots);
    j->stems = NULL;
    return rc;
}

int gp_redraw(const char *dir, const char *name, const char *format,
              int procs, plot_result *res, diag *d)
{
    char *path = output_path(dir, "all.gp"), line[512];
    FILE *f = path ? fopen(path, "re") : NULL;
    char **stems = NULL;
    size_t n = 0;
    int rc = NCG_ERR_IO;
    if (!f) {
        diag_add(d, path ? path : dir, 0, NULL, "cannot read: %s",
                 strerror(errno));
        goto end;
    }
    /* The scripts all.gp calls: `call 'STEM.gp'`. */
    while (fgets(line, sizeof line, f)) {
        char stem[320];
        int len = 0;
        if (sscanf(line, "call '%300[^']'%n", stem, &len) != 1 || len == 0)
            continue;
        size_t sl = strlen(stem);
        if (sl < 4 || strcmp(stem + sl - 3, ".gp") != 0 || strchr(stem, '/'))
            continue;
        stem[sl - 3] = 0;
        char **ns = realloc(stems, (n + 1) * sizeof *ns);
        if (!ns || !(ns[n] = strdup(stem))) {
            if (ns)
                stems = ns;
            diag_add(d, dir, 0, NULL, "out of memory");
            goto end;
        }
        stems = ns;
        n++;
    }
    if ((rc = style_copy(dir, d)) < 0) {
        rc = NCG_ERR_IO;
        goto end;
    }
    rc = draw(dir, name, format ? format : "png", stems, n, procs, res, d);
end:
    if (f)
        fclose(f);
    free(path);
    free_stems(stems, n);
    return rc;
}

int gp_charts_begin(gp_job *j, const char *dir, const plot_opts *o, diag *d)
{
    if (gp_job_begin(j, dir, o ? o->format : NULL, d) != 0)
        return NCG_ERR_IO;
    if (o && o->name)
        j->name = o->name;
    if (o) {
        j->scripts_only = o->scripts_only;
        j->procs = o->procs;
    }
    return 0;
}

int gp_charts_end(gp_job *j, const plot_opts *o)
{
    plot_result mine = { 0 }, *res = o && o->result ? o->result : &mine;
    size_t before = res->drawn;
    /* Borrowed strings, still valid once the job's memory is freed. */
    const char *name = j->name;
    const char *ext = j->ext;
    int rc = gp_job_end(j, res);
    if (!(o && o->quiet) && res->drawn > before)
        printf("  plots: %s/ (%zu %s files)\n", name, res->drawn - before,
               ext);
    return rc;
}

void gp_axis_format(FILE *f, const char *axis, double lo, double hi)
{
    double span = hi - lo;
    if (!(span > 0) || !isfinite(span))
        span = isfinite(lo) && lo != 0 ? fabs(lo) * 0.2 : 1;
    /* gnuplot steps its tics by 1, 2 or 5 times a power of ten, about a
     * tenth of the span or more: the power of ten below a tenth of the
     * span has as many decimals as any of them needs. */
    double step = pow(10, floor(log10(span / 10)));
    fprintf(f, "set format %s '%%.%df'\n", axis, numfmt_tic_decimals(step));
}

/* ------------------------------------------------------- honest axes -- */

const char gp_fixed_fn[] =
    "fixed_dec(x, se) = se > 0 ? (-floor(log10(se)) < 0 ? 0 : "
    "-floor(log10(se)) > 6 ? 6 : int(-floor(log10(se)))) : "
    "(x == int(x) ? 0 : 3 - floor(log10(abs(x))) < 0 ? 0 : "
    "3 - floor(log10(abs(x))) > 6 ? 6 : int(3 - floor(log10(abs(x)))))\n"
    "fixed(x, se) = sprintf(sprintf('%%.%df', fixed_dec(x, se)), x)\n";

void gp_flat_range(FILE *f, const char *axis, double lo, double hi)
{
    if (!(hi > lo) && isfinite(lo)) {
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1;
        lo -= pad;
        hi += pad;
        fprintf(f, "set %srange [%.10g:%.10g]\n", axis, lo, hi);
    }
    gp_axis_format(f, axis, lo, hi);
}

/* The share of the largest magnitude shown that an axis of values spans
 * at least: a drift of 135 on 28,400 should read as half a percent, not as
 * a collapse that fills the chart. */
#define SCALE_MIN_SPAN 0.2

/* [*A, *B] for values in [LO, HI] (finite): at least SCALE_MIN_SPAN of
 * the largest magnitude, centred on the data, not crossing 0 when the
 * data do not; a flat 0 gets [-1, 1]. */
static void scale_ends(double lo, double hi, double *a, double *b)
{
    double mag = fmax(fabs(lo), fabs(hi));
    double mid = (lo + hi) / 2, half = SCALE_MIN_SPAN * mag / 2;
    *a = lo;
    *b = hi;
    if (mag == 0) {
        *a = -1;
        *b = 1;
    } else if (hi - lo < SCALE_MIN_SPAN * mag) {
        *a = mid - half;
        *b = mid + half;
        if (lo >= 0 && *a < 0) {
            *b -= *a;
            *a = 0;
        } else if (hi <= 0 && *b > 0) {
            *a -= *b;
            *b = 0;
        }
    }
}

void gp_scale_range(FILE *f, const char *axis, double lo, double hi)
{
    double a, b;
    if (!isfinite(lo) || !isfinite(hi) || !(hi - lo < SCALE_MIN_SPAN
                                            * fmax(fabs(lo), fabs(hi)))) {
        gp_flat_range(f, axis, lo, hi);
        return;
    }
    scale_ends(lo, hi, &a, &b);
    fprintf(f, "set %srange [%.10g:%.10g]\n", axis, a, b);
    gp_axis_format(f, axis, a, b);
}

/* A round step for about five tics over SPAN: 1, 2 or 5 times a power
 * of ten. */
static double nice_step(double span)
{
    double raw = span / 5, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

int gp_unit_bounds(const char *unit, double *min, double *max)
{
    const char *last = unit ? strrchr(unit, ' ') : NULL;
    int used = 0;
    last = last ? last + 1 : unit;
    if (!last || sscanf(last, "%lf-%lf%n", min, max, &used) != 2
        || last[used] != 0 || !(*min < *max) || !isfinite(*min)
        || !isfinite(*max))
        return 0;
    return 1;
}

void gp_bounded_range(FILE *f, const char *axis, double lo, double hi,
                      double min, double max)
{
    double a, b, mag = fmax(fabs(lo), fabs(hi));
    if (!isfinite(lo) || !isfinite(hi) || !(hi > lo)) {
        gp_scale_range(f, axis, lo, hi);
        return;
    }
    if (hi - lo < SCALE_MIN_SPAN * mag) {
        scale_ends(lo, hi, &a, &b);
    } else {
        a = lo - 0.05 * (hi - lo);
        b = hi + 0.05 * (hi - lo);
    }
    /* Room beyond a bound keeps a line at the bound off the border, but
     * no tic promises a value the scale does not have (1.04 on 0-1). */
    fprintf(f, "set %srange [%.10g:%.10g]\n", axis, a, b);
    gp_axis_format(f, axis, a, b);
    if (a < min || b > max) {
        double step = nice_step(b - a);
        double first = ceil(fmax(a, min) / step - 1e-9) * step;
        double last = floor(fmin(b, max) / step + 1e-9) * step;
        fprintf(f, "set %stics %.10g, %.10g, %.10g\n", axis, first, step,
                last);
    }
}

void gp_prob_range(FILE *f, const char *axis, double lo, double hi)
{
    double a = 0, b = 1;
    if (isfinite(lo) && isfinite(hi)) {
        lo = fmax(0, fmin(1, lo));
        hi = fmax(lo, fmin(1, hi));
        scale_ends(lo, hi, &a, &b);
        /* Pushed back inside [0, 1], keeping the width when it fits. */
        if (a < 0) {
            b = fmin(1, b - a);
            a = 0;
        }
        if (b > 1) {
            a = fmax(0, a - (b - 1));
            b = 1;
        }
    }
    fprintf(f, "set %srange [%.10g:%.10g]\n", axis, a, b);
    gp_axis_format(f, axis, a, b);
}
