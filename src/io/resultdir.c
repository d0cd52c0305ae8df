/* resultdir.c: the one result-folder writer: a locked, private temporary folder, checked and fsync'd files, a manifest, one rename into place. */
#define _GNU_SOURCE
#include "io/output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/ncgsim.h"
#include "base/path.h"
#include "base/status.h"
#include "io/sha256.h"

/*
 * A result folder OUT/NAME is written like this:
 *
 * 1. OUT/.NAME.lock is locked (flock, not waiting): a second ncgsim
 *    writing the same folder at the same time refuses at once.
 * 2. Temporary folders OUT/.NAME.tmp-XXXXXX of ncgsim processes that no
 *    longer exist (killed, power loss) are removed. Each one holds a
 *    manifest naming its owner (pid and start time); a folder without one
 *    is not ours and is left alone.
 * 3. OUT/NAME, when it exists, must be a result folder that may be
 *    replaced (output_check_folder): every file in it listed, unchanged,
 *    in its manifest. Anything else stops here, before any work.
 * 4. Every file goes into a fresh OUT/.NAME.tmp-XXXXXX, plots included.
 * 5. output_commit lists every file with its size and SHA-256 in
 *    .ncgsim-manifest, flushes everything to disk, checks OUT/NAME again,
 *    swaps the folders in one rename (RENAME_EXCHANGE) and removes the
 *    old results file by file (only those its manifest lists).
 */

#define MANIFEST_FORMAT 1
#define MANIFEST_HEAD "ncgsim-manifest"

char *output_path(const char *dir, const char *name)
{
    return path_join(dir, name);
}

int output_make_dirs(const char *path)
{
    if (!*path) {
        errno = ENOENT;
        return -1;
    }
    char *p = strdup(path);
    int rc = 0;
    if (!p)
        return -1;
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                rc = -1;
                break;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    free(p);
    return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes PATH and everything under it; 0, or -1 when something stayed. */
static int remove_tree(const char *path)
{
    struct stat st;
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return lstat(path, &st) == 0 ? -1 : 0;
}

void output_sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* ------------------------------------------------------------ manifest -- */

/* One file of a manifest. */
typedef struct mf_entry {
    char *name;             /* file name in the folder (owned) */
    unsigned long long size;
    char sha[65];
} mf_entry;

/* A manifest read from a folder or being built. */
typedef struct manifest {
    mf_entry *e;            /* N entries (owned) */
    size_t n;
    long owner_pid;         /* a temporary folder's owner, or 0 */
    unsigned long long owner_start;
    char kind[32];          /* what wrote it: run, compare, ... ("" unknown) */
} manifest;

static void mf_free(manifest *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->e[i].name);
    free(m->e);
    memset(m, 0, sizeof *m);
}

/* Reads DIR/.ncgsim-manifest into M. 0; -1 when there is none or it is
 * not one (errno ENOENT for a missing file, EINVAL for a wrong one). */
static int mf_read(const char *dir, manifest *m)
{
    char *path = output_path(dir, OUTPUT_MANIFEST), line[4352];
    FILE *f = path ? fopen(path, "r") : NULL;
    int rc = -1, head = 0;
    memset(m, 0, sizeof *m);
    free(path);
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\n");
        unsigned long long size, start;
        long pid;
        int fmt, at = 0;
        char sha[65];
        line[len] = 0;
        if (line[0] == '#' || line[0] == 0)
            continue;
        if (!head) {
            if (sscanf(line, MANIFEST_HEAD " %d", &fmt) != 1 || fmt < 1)
                goto bad;
            head = 1;
        } else if (sscanf(line, "kind %31s", m->kind) == 1) {
            /* stored */
        } else if (sscanf(line, "owner %ld %llu", &pid, &start) == 2) {
            m->owner_pid = pid;
            m->owner_start = start;
        } else if (sscanf(line, "file %64s %llu %n", sha, &size, &at) == 2
                   && at > 0 && line[at]) {
            mf_entry *ne = realloc(m->e, (m->n + 1) * sizeof *ne);
            if (!ne)
                goto bad;
            m->e = ne;
            if (!(ne[m->n].name = strdup(line + at)))
                goto bad;
            ne[m->n].size = size;
            snprintf(ne[m->n].sha, sizeof ne[m->n].sha, "%s", sha);
            m->n++;
        }
        /* Other lines (version ...) are for readers. */
    }
    if (head && !ferror(f))
        rc = 0;
bad:
    fclose(f);
    if (rc != 0) {
        mf_free(m);
        errno = EINVAL;
    }
    return rc;
}

/* The size and SHA-256 of the regular file DIR/NAME into E, flushing it
 * to disk on the way when SYNC (a file gnuplot wrote is on disk before the
 * folder is renamed). 0, or -1 with errno. */
static int hash_file(const char *dir, const char *name, int sync, mf_entry *e)
{
    char *path = output_path(dir, name);
    int fd = path ? open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
    struct stat st;
    sha256 h;
    unsigned char buf[16384];
    int rc = -1;
    free(path);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        errno = EISDIR;
        goto end;
    }
    sha256_init(&h);
    for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            goto end;
        if (got == 0)
            break;
        sha256_update(&h, buf, (size_t)got);
    }
    e->size = h.bytes;
    sha256_final(&h, e->sha);
    if (sync && fsync(fd) != 0)
        goto end;
    rc = 0;
end:
    close(fd);
    return rc;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const mf_entry *)a)->name, ((const mf_entry *)b)->name);
}

/* The entry of M called NAME, or NULL. */
static const mf_entry *mf_find(const manifest *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->e[i].name, name) == 0)
            return &m->e[i];
    return NULL;
}

/* The formats a chart script draws (its ncg_format). */
static const char *const drawing_exts[] = { "png", "svg", "pdf" };

/* 1 when NAME is an image STEM.png, .svg or .pdf of a chart script
 * STEM.gp that M lists. `gnuplot all.gp` in a result folder draws them
 * (a batch writes its scenarios' scripts undrawn), and the folder's own
 * files draw them again, so they go with the folder like its files. */
static int mf_drawing(const manifest *m, const char *name)
{
    const char *dot = strrchr(name, '.');
    char script[4096];
    int image = 0;
    if (!dot || dot == name || (size_t)(dot - name) + 4 > sizeof script)
        return 0;
    for (size_t i = 0; i < sizeof drawing_exts / sizeof *drawing_exts; i++)
        image |= strcmp(dot + 1, drawing_exts[i]) == 0;
    snprintf(script, sizeof script, "%.*s.gp", (int)(dot - name), name);
    return image && mf_find(m, script) != NULL;
}

/* Writes DIR/.ncgsim-manifest: the head, M's kind, OWNER (pid and start
 * time) when PID is not 0, and M's files. 0 or NCG_ERR_IO with a
 * message. */
static int mf_write(const char *dir, const manifest *m, long pid,
                    unsigned long long start, diag *d)
{
    FILE *f = output_open(dir, OUTPUT_MANIFEST, d);
    if (!f)
        return NCG_ERR_IO;
    fprintf(f, "# The files ncgsim wrote in this result folder, with their "
            "size and SHA-256.\n# A later run replaces the folder only "
            "while every file in it is listed here,\n# unchanged (see "
            "docs/results.md).\n" MANIFEST_HEAD " %d\nversion %s\n",
            MANIFEST_FORMAT, NCGSIM_VERSION);
    if (m->kind[0])
        fprintf(f, "kind %s\n", m->kind);
    if (pid)
        fprintf(f, "owner %ld %llu\n", pid, start);
    for (size_t i = 0; i < m->n; i++)
        fprintf(f, "file %s %llu %s\n", m->e[i].sha, m->e[i].size,
                m->e[i].name);
    return output_close(f, dir, OUTPUT_MANIFEST, d);
}

/* Lists every file in DIR but the manifest into M, sorted, hashing and
 * flushing each. 0, or NCG_ERR_IO with a message (a folder or a link in
 * DIR is not ncgsim's to list). */
static int mf_build(const char *dir, manifest *m, diag *d)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    int rc = 0;
    memset(m, 0, sizeof *m);
    if (!dp) {
        diag_add(d, dir, 0, NULL, "cannot read folder: %s", strerror(errno));
        return NCG_ERR_IO;
    }
    while (rc == 0 && (de = readdir(dp)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0
            || strcmp(de->d_name, OUTPUT_MANIFEST) == 0)
            continue;
        mf_entry *ne = realloc(m->e, (m->n + 1) * sizeof *ne);
        if (!ne || !(ne[m->n].name = strdup(de->d_name))) {
            if (ne)
                m->e = ne;
            diag_add(d, dir, 0, NULL, "out of memory");
            rc = NCG_ERR_NOMEM;
            break;
        }
        m->e = ne;
        m->n++;
        if (hash_file(dir, de->d_name, 1, &ne[m->n - 1]) != 0) {
            char *p = output_path(dir, de->d_name);
            diag_add(d, p ? p : dir, 0, NULL, "cannot read back: %s",
                     strerror(errno));
            free(p);
            rc = NCG_ERR_IO;
        }
    }
    closedir(dp);
    if (rc != 0)
        mf_free(m);
    else if (m->n > 1)   /* qsort takes no NULL array, even empty */
        qsort(m->e, m->n, sizeof *m->e, cmp_entry);
    return rc;
}

/* ---------------------------------------------------- folder checks -- */

/* An article and the words for a folder of KIND, for messages. */
static const char *kind_words(const char *kind)
{
    if (strcmp(kind, "run") == 0)
        return "a scenario's results";
    if (strcmp(kind, "compare") == 0)
        return "a comparison";
    if (strcmp(kind, "sensitivity") == 0)
        return "a sensitivity analysis";
    if (strcmp(kind, "sweep") == 0)
        return "a sweep";
    if (strcmp(kind, "discover") == 0)
        return "a scenario discovery";
    if (strcmp(kind, "robust") == 0)
        return "a robustness analysis";
    if (strcmp(kind, "report") == 0)
        return "a report";
    if (strcmp(kind, "score") == 0)
        return "forecast scores";
    return "results of another kind";
}

int output_check_folder(const char *path, const char *kind, diag *d)
{
    struct stat st;
    manifest m;
    DIR *dp;
    struct dirent *de;
    int rc = 0, any = 0;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : (diag_add(d, path, 0, NULL,
                                      "cannot read: %s", strerror(errno)),
                                      NCG_ERR_IO);
    if (!S_ISDIR(st.st_mode)) {
        diag_add(d, path, 0, NULL, "exists and is not a folder; not "
                 "replacing it (remove or rename it, or choose another -o)");
        return NCG_ERR_IO;
    }
    int have = mf_read(path, &m) == 0;
    if (!(dp = opendir(path))) {
        diag_add(d, path, 0, NULL, "cannot read folder: %s", strerror(errno));
        mf_free(&m);
        return NCG_ERR_IO;
    }
    if (have && kind && strcmp(m.kind, kind) != 0) {
        /* A scenario called "compare" and the comparison folder, say:
         * one must never silently replace the other. */
        diag_add(d, path, 0, NULL, "holds %s, not %s; not replacing it "
                 "(rename the scenario, or choose another -o)",
                 kind_words(m.kind), kind_words(kind));
        rc = NCG_ERR_IO;
    }
    while (rc == 0 && (de = readdir(dp)) != NULL) {
        const char *n = de->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        any = 1;
        if (strcmp(n, OUTPUT_MANIFEST) == 0)
            continue;
        char *p = output_path(path, n);
        const mf_entry *e = have ? mf_find(&m, n) : NULL;
        mf_entry now;
        if (!p) {
            diag_add(d, path, 0, NULL, "out of memory");
            rc = NCG_ERR_NOMEM;
        } else if (!have) {
            /* Reported below, once, for the folder. */
        } else if (mf_drawing(&m, n)) {
            /* Drawn from its script, listed and checked on its own. */
        } else if (!e) {
            diag_add(d, p, 0, NULL, "not written by ncgsim (not in %s); not "
                     "replacing %s (move it elsewhere, or choose another -o "
                     "or name)", OUTPUT_MANIFEST, path);
            rc = NCG_ERR_IO;
        } else if (hash_file(path, n, 0, &now) != 0 || now.size != e->size
                   || strcmp(now.sha, e->sha) != 0) {
            diag_add(d, p, 0, NULL, "changed since ncgsim wrote it; not "
                     "replacing %s (move it elsewhere, or choose another -o "
                     "or name)", path);
            rc = NCG_ERR_IO;
        }
        free(p);
    }
    closedir(dp);
    if (rc == 0 && any && !have) {
        diag_add(d, path, 0, NULL, "exists and is not an ncgsim result folder "
                 "(no %s in it); not replacing it (choose another -o, or "
                 "another name)", OUTPUT_MANIFEST);
        rc = NCG_ERR_IO;
    }
    mf_free(&m);
    return rc;
}

/* The start time of process PID (field 22 of /proc/PID/stat, clock ticks
 * since boot), or 0 when there is no such process. */
static unsigned long long proc_start(long pid)
{
    char path[64], buf[1024];
    unsigned long long start = 0;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    /* The command name (field 2) may hold spaces: count after its ')'. */
    char *p = strrchr(buf, ')');
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p)
        start = strtoull(p + 1, NULL, 10);
    return start;
}

/* Removes OUT/.NAME.tmp-XXXXXX folders whose owner process is gone. The
 * caller holds NAME's lock, so no live ncgsim writes any of them; the
 * owner check keeps folders of other programs and of older versions. */
static void remove_stale(const char *out, const char *name)
{
    DIR *dp = opendir(out);
    struct dirent *de;
    size_t len = strlen(name);
    while (dp && (de = readdir(dp)) != NULL) {
        const char *n = de->d_name;
        manifest m;
        if (n[0] != '.' || strncmp(n + 1, name, len) != 0
            || strncmp(n + 1 + len, ".tmp-", 5) != 0
            || strlen(n + 1 + len + 5) != 6)
            continue;
        char *p = output_path(out, n);
        struct stat st;
        if (p && lstat(p, &st) == 0 && S_ISDIR(st.st_mode)
            && mf_read(p, &m) == 0) {
            if (m.owner_pid > 0 && m.owner_pid != (long)getpid()
                && proc_start(m.owner_pid) != m.owner_start)
                remove_tree(p);
            mf_free(&m);
        }
        free(p);
    }
    if (dp)
        closedir(dp);
}

/* Takes OUT/.NAME.lock for OD; 0, or NCG_ERR_IO with a message naming the
 * process that holds it. The holder removes the file when it is done
 * (drop_lock), so a lock is only good while its file is still the one at
 * the path: otherwise take it again. */
static int take_lock(const char *out, const char *name, output_dir *od,
                     diag *d)
{
    size_t n = strlen(out) + strlen(name) + 16;
    char buf[32];
    if (!(od->lock = malloc(n))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    snprintf(od->lock, n, "%s/.%s.lock", out, name);
    for (int tries = 0; ; tries++) {
        struct stat a, b;
        od->lock_fd = open(od->lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                           0666);
        if (od->lock_fd < 0) {
            diag_add(d, od->lock, 0, NULL, "cannot create the lock file: %s",
                     strerror(errno));
            goto fail;
        }
        if (flock(od->lock_fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            ssize_t got = pread(od->lock_fd, buf, sizeof buf - 1, 0);
            buf[got > 0 ? got : 0] = 0;
            buf[strcspn(buf, "\n")] = 0;
            if (e == EWOULDBLOCK)
                diag_add(d, od->final, 0, NULL, "another ncgsim%s%s%s is "
                         "writing these results now; not writing them at the "
                         "same time (try again when it has finished)",
                         *buf ? " (pid " : "", buf, *buf ? ")" : "");
            else
                diag_add(d, od->lock, 0, NULL, "cannot lock: %s",
                         strerror(e));
            goto fail;
        }
        if (fstat(od->lock_fd, &a) == 0 && lstat(od->lock, &b) == 0
            && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
            break;
        /* Removed by its last holder between our open and flock. */
        close(od->lock_fd);
        od->lock_fd = -1;
        if (tries == 100) {
            diag_add(d, od->lock, 0, NULL, "cannot lock: the file keeps "
                     "changing");
            goto fail;
        }
    }
    /* Our pid, for the message above in another process. */
    int len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(od->lock_fd, 0) != 0
        || pwrite(od->lock_fd, buf, (size_t)len, 0) != len) {
        /* The lock holds without the pid; only the message is poorer. */
    }
    return 0;
fail:
    if (od->lock_fd >= 0)
        close(od->lock_fd);
    od->lock_fd = -1;
    free(od->lock);
    od->lock = NULL;
    return NCG_ERR_IO;
}

/* Removes the lock file, then releases the lock (in that order: a process
 * waiting on the old file sees it gone and takes the lock again). */
static void drop_lock(output_dir *od)
{
    if (od->lock_fd >= 0) {
        unlink(od->lock);
        close(od->lock_fd);
    }
    od->lock_fd = -1;
    free(od->lock);
    od->lock = NULL;
}

/* 1 when NAME can name a result folder inside OUT. */
static int name_ok(const char *name)
{
    return *name && !strchr(name, '/') && strcmp(name, ".") != 0
           && strcmp(name, "..") != 0;
}

int output_begin_path(const char *path, const char *kind, output_dir *od,
                      diag *d)
{
    char *p = strdup(path);
    int rc;
    if (!p) {
        memset(od, 0, sizeof *od);
        od->lock_fd = -1;
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_IO;
    }
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = 0;
    char *slash = strrchr(p, '/');
    if (!slash)
        rc = output_begin(".", p, kind, od, d);
    else if (slash == p)
        rc = output_begin("/", p + 1, kind, od, d);
    else {
        *slash = 0;
        rc = output_begin(p, slash + 1, kind, od, d);
    }
    free(p);
    return rc;
}

int output_begin(const char *out, const char *name, const char *kind,
                 output_dir *od, diag *d)
{
    manifest none = { 0 };
    int rc;
    memset(od, 0, sizeof *od);
    od->lock_fd = -1;
    if (!*out) {
        diag_add(d, NULL, 0, NULL, "-o: the results folder name is empty");
        return NCG_ERR_IO;
    }
    if (!name_ok(name)) {
        diag_add(d, out, 0, NULL, "'%s' cannot name a result folder", name);
        return NCG_ERR_IO;
    }
    if (output_make_dirs(out) != 0) {
        diag_add(d, out, 0, NULL, "cannot create folder: %s",
                 strerror(errno));
        return NCG_ERR_IO;
    }
    size_t n = strlen(out) + strlen(name) + 32;
    od->final = output_path(out, name);
    od->tmp = malloc(n);
    if (!od->final || !od->tmp) {
        output_abort(od);
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    if ((rc = take_lock(out, name, od, d)) != 0)
        goto fail;
    remove_stale(out, name);
    if ((rc = output_check_folder(od->final, kind, d)) != 0)
        goto fail;
    if (!kind) {
        /* A redraw keeps the kind of the folder it redraws. */
        manifest old;
        if (mf_read(od->final, &old) == 0) {
            snprintf(od->kind, sizeof od->kind, "%s", old.kind);
            mf_free(&old);
        }
    } else
        snprintf(od->kind, sizeof od->kind, "%s", kind);
    snprintf(od->tmp, n, "%s/.%s.tmp-XXXXXX", out, name);
    if (!mkdtemp(od->tmp)) {
        diag_add(d, out, 0, NULL, "cannot create a folder for results: %s",
                 strerror(errno));
        rc = NCG_ERR_IO;
        goto fail;
    }
    chmod(od->tmp, 0755);
    /* The owner, so that a later run can tell a dead process's folder. */
    if ((rc = mf_write(od->tmp, &none, (long)getpid(),
                       proc_start((long)getpid()), d)) != 0)
        goto fail;
    return 0;
fail:
    output_abort(od);
    return rc;
}

/* Removes the old results at OLD (the files its manifest lists and the
 * images drawn from its scripts (mf_drawing), then the manifest and the
 * folder). 0, or -1 when something else is in it (added
 * while the run went on): then the folder stays, renamed to FINAL.kept-PID
 * (visible, so that nothing of the user's hides), with a message. */
static int remove_old(const char *old, const char *final, diag *d)
{
    manifest m;
    if (mf_read(old, &m) == 0) {
        for (size_t i = 0; i < m.n; i++) {
            const char *name = m.e[i].name, *dot = strrchr(name, '.');
            char *p = output_path(old, name);
            if (p)
                unlink(p);
            free(p);
            for (size_t k = 0; dot && strcmp(dot, ".gp") == 0
                               && k < sizeof drawing_exts
                                      / sizeof *drawing_exts; k++) {
                char image[4096];
                snprintf(image, sizeof image, "%.*s.%s", (int)(dot - name),
                         name, drawing_exts[k]);
                if ((p = output_path(old, image)) != NULL)
                    unlink(p);
                free(p);
            }
        }
        mf_free(&m);
    }
    char *p = output_path(old, OUTPUT_MANIFEST);
    if (p)
        unlink(p);
    free(p);
    if (rmdir(old) == 0)
        return 0;
    int e = errno;
    size_t n = strlen(final) + 32;
    char *kept = malloc(n);
    if (kept)
        snprintf(kept, n, "%s.kept-%ld", final, (long)getpid());
    if (kept && rename(old, kept) == 0)
        diag_add(d, final, 0, NULL, "the new results are in place, but the "
                 "old folder held files ncgsim did not write (added while it "
                 "ran?); they are kept in %s", kept);
    else
        diag_add(d, final, 0, NULL, "the new results are in place, but the "
                 "old ones could not be removed from %s: %s", old,
                 strerror(e));
    free(kept);
    return -1;
}

int output_commit(output_dir *od, diag *d)
{
    int rc = 0, moved = 0;
    struct stat st;
    manifest m;
    char *old = NULL;
    if ((rc = mf_build(od->tmp, &m, d)) != 0)
        goto end;
    snprintf(m.kind, sizeof m.kind, "%s", od->kind);
    rc = mf_write(od->tmp, &m, 0, 0, d);
    mf_free(&m);
    if (rc != 0)
        goto end;
    output_sync_dir(od->tmp);
    if (lstat(od->final, &st) != 0) {
        if (rename(od->tmp, od->final) != 0) {
            diag_add(d, od->final, 0, NULL, "cannot create: %s",
                     strerror(errno));
            rc = NCG_ERR_IO;
        } else
            moved = 1;
        goto end;
    }
    /* Changed while the run went on? */
    if ((rc = output_check_folder(od->final, od->kind[0] ? od->kind : NULL,
                                  d)) != 0)
        goto end;
    if (renameat2(AT_FDCWD, od->tmp, AT_FDCWD, od->final,
                  RENAME_EXCHANGE) == 0) {
        /* The old results now sit at the temporary name: never remove
         * them as a whole (output_abort), only file by file. */
        moved = 1;
        if (remove_old(od->tmp, od->final, d) != 0)
            rc = NCG_ERR_IO;
        goto end;
    }
    /* No atomic exchange on this file system: move the old folder aside
     * first, so that a failure leaves it where it was. */
    size_t n = strlen(od->final) + 32;
    if (!(old = malloc(n))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    snprintf(old, n, "%s.old-%ld", od->final, (long)getpid());
    if (rename(od->final, old) != 0) {
        diag_add(d, od->final, 0, NULL, "cannot move the old results aside "
                 "to replace them: %s (nothing was changed)", strerror(errno));
        rc = NCG_ERR_IO;
    } else if (rename(od->tmp, od->final) != 0) {
        diag_add(d, od->final, 0, NULL, "cannot replace: %s (the old "
                 "results are back in place)", strerror(errno));
        rename(old, od->final);
        rc = NCG_ERR_IO;
    } else {
        moved = 1;
        if (remove_old(old, od->final, d) != 0)
            rc = NCG_ERR_IO;
    }
end:
    if (rc == 0) {
        char *parent = strdup(od->final), *slash;
        if (parent && (slash = strrchr(parent, '/')) != NULL) {
            *slash = 0;
            output_sync_dir(*parent ? parent : "/");
        }
        free(parent);
    }
    free(old);
    if (moved) {
        free(od->tmp);
        od->tmp = NULL;
    }
    output_abort(od);
    return rc;
}

int output_place(const output_dir *od, const char *name, diag *d)
{
    int rc = 0;
    struct stat st;
    char *from = output_path(od->tmp, name);
    char *out = strdup(od->final);
    char *slash = out ? strrchr(out, '/') : NULL;
    char *to = NULL;
    if (slash)
        *slash = '\0';
    to = slash ? output_path(out, name) : NULL;
    if (!from || !to) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
    } else if (lstat(to, &st) == 0 && !S_ISREG(st.st_mode)) {
        diag_add(d, to, 0, NULL, "exists and is not a file (remove or "
                 "rename it, or choose another -o)");
        rc = NCG_ERR_IO;
    } else if (rename(from, to) != 0) {
        diag_add(d, to, 0, NULL, "cannot create: %s", strerror(errno));
        rc = NCG_ERR_IO;
    } else {
        output_sync_dir(out);
    }
    free(from);
    free(to);
    free(out);
    return rc;
}

void output_abort(output_dir *od)
{
    if (od->tmp)
        remove_tree(od->tmp);
    drop_lock(od);
    free(od->final);
    free(od->tmp);
    od->final = od->tmp = NULL;
}

FILE *output_open(const char *dir, const char *name, diag *d)
{
    char *p = output_path(dir, name);
    FILE *f = p ? fopen(p, "we") : NULL;
    if (!f)
        diag_add(d, p ? p : name, 0, NULL, "cannot write: %s",
                 strerror(errno));
    free(p);
    return f;
}

int output_close(FILE *f, const char *dir, const char *name, diag *d)
{
    /* On disk before the folder is renamed into place, so that a crash
     * after the rename cannot leave empty files behind a complete name. */
    errno = 0;
    int bad = ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0;
    int e = errno;
    if (fclose(f) != 0) {
        bad = 1;
        if (!e)
            e = errno;
    }
    if (bad) {
        char *p = output_path(dir, name);
        diag_add(d, p ? p : name, 0, NULL, "write error: %s",
                 strerror(e ? e : EIO));
        free(p);
        return NCG_ERR_IO;
    }
    return 0;
}
