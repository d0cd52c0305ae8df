/* scenario.c: reads scenario files (extends, --set, checks) and writes them back out. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/ncgsim.h"
#include "scenario/scenario.h"

enum {
    SCN_MAX_CHAIN = 256,      /* files in one extends chain */
    SCN_MAX_STEPS = 100000,
    /* libconfig checks every new setting against all the others of its
     * group, and names are resolved by scanning the variables: both grow
     * with the square of the count. These bounds keep a check within
     * seconds; real scenarios stay far below them. */
    SCN_MAX_GROUP = 20000,    /* settings directly inside one group */
    SCN_MAX_VARS = 20000,     /* params, events, states and derived */
    SCN_DEFAULT_TRIALS = 10000,
    SCN_DEFAULT_SEED = 1
};
/* A run of more trials than this is a typo, not a plan (days of CPU). */
#define SCN_MAX_TRIALS UINT64_C(1000000000000)
/* A scenario is written by hand; a bigger file is a mistake, and reading
 * it whole would take memory far beyond its size. */
#define SCN_MAX_BYTES ((size_t)16 << 20)
#define SCN_NONE ((size_t)-1)

/* Pseudo file names for values that come from no file (snode.file). */
static const char SCN_FROM_SET[] = "--set";
static const char SCN_FROM_TRIALS[] = "--trials";
static const char SCN_FROM_SEED[] = "--seed";
static const char SCN_FROM_DEFAULT[] = "default";

#define SCN_COUNT(a) (sizeof a / sizeof a[0])

static const char *const scn_top_keys[] = {
    "name", "title", "description", "extends", "simulation",
    "params", "events", "states", "derived", "outputs", "correlations",
    "observations"
};
/* The groups whose children are variables, searched for bare --set names. */
static const char *const scn_var_groups[] = { "params", "events", "states", "derived" };
static const char *const scn_sim_keys[] = {
    "trials", "steps", "step", "start", "seed", "sampler"
};
static const char *const scn_units[] = { "quarter", "month", "year", "step" };
static const char *const scn_samplers[] = { "mc", "lhs", "sobol" };

/* ---- snode ---- */

const snode *snode_get(const snode *group, const char *name)
{
    if (!group || group->type != SNODE_GROUP || !name)
        return NULL;
    for (size_t i = 0; i < group->n_kids; i++)
        if (strcmp(group->kids[i]->name, name) == 0)
            return group->kids[i];
    return NULL;
}

const snode *snode_find(const snode *root, const char *path)
{
    const snode *n = root;
    char name[256];
    while (n && path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        if (len >= sizeof name)
            return NULL;
        memcpy(name, path, len);
        name[len] = 0;
        n = snode_get(n, name);
        path = dot ? dot + 1 : NULL;
    }
    return n;
}

int snode_number(const snode *n, double *out)
{
    if (n && n->type == SNODE_INT) {
        *out = (double)n->v.i;
        return 1;
    }
    if (n && n->type == SNODE_FLOAT) {
        *out = n->v.f;
        return 1;
    }
    return 0;
}

const char *snode_type_name(const snode *n)
{
    if (!n)
        return "nothing";
    switch (n->type) {
    case SNODE_INT: return "an integer";
    case SNODE_FLOAT: return "a number";
    case SNODE_STRING: return "a string";
    case SNODE_BOOL: return "a boolean";
    case SNODE_GROUP: return "a group";
    case SNODE_ARRAY: return "an array";
    case SNODE_LIST: return "a list";
    }
    return "a value";
}

/* A new childless node; NAME is copied (may be NULL). NULL when out of
 * memory. */
static snode *scn_node(const char *name, snode_type type, const char *file,
                       int line)
{
    snode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    if (name && !(n->name = strdup(name))) {
        free(n);
        return NULL;
    }
    n->type = type;
    n->file = file;
    n->line = line;
    return n;
}

/* A new string node holding a copy of TEXT, or NULL when out of memory. */
static snode *scn_string_node(const char *name, const char *text,
                              const char *file, int line)
{
    snode *n = scn_node(name, SNODE_STRING, file, line);
    if (n && !(n->v.s = strdup(text))) {
        free(n->name);
        free(n);
        return NULL;
    }
    return n;
}

static void scn_node_free(snode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_kids; i++)
        scn_node_free(n->kids[i]);
    free(n->kids);
    if (n->type == SNODE_STRING)
        free(n->v.s);
    free(n->name);
    free(n);
}

/* Appends KID to PARENT, taking it: on failure (out of memory) KID is freed
 * and -1 returned. */
static int scn_append(snode *parent, snode *kid)
{
    if (!kid)
        return -1;
    snode **k = realloc(parent->kids, (parent->n_kids + 1) * sizeof *k);
    if (!k) {
        scn_node_free(kid);
        return -1;
    }
    parent->kids = k;
    k[parent->n_kids++] = kid;
    return 0;
}

/* Position of the child NAME in GROUP, or SCN_NONE. */
static size_t scn_index(const snode *group, const char *name)
{
    if (group->type != SNODE_GROUP)
        return SCN_NONE;
    for (size_t i = 0; i < group->n_kids; i++)
        if (strcmp(group->kids[i]->name, name) == 0)
            return i;
    return SCN_NONE;
}

/* Detaches and returns the I-th child of GROUP (the caller frees it). */
static snode *scn_detach(snode *group, size_t i)
{
    snode *kid = group->kids[i];
    memmove(group->kids + i, group->kids + i + 1,
            (group->n_kids - i - 1) * sizeof *group->kids);
    group->n_kids--;
    return kid;
}

/* Moves the child NAME of GROUP, when there, to position TO (which must
 * not be past where it is). */
static void scn_move(snode *group, const char *name, size_t to)
{
    size_t at = scn_index(group, name);
    if (at == SCN_NONE)
        return;
    snode *kid = group->kids[at];
    memmove(group->kids + to + 1, group->kids + to,
            (at - to) * sizeof *group->kids);
    group->kids[to] = kid;
}

static void scn_drop(snode *group, const char *name)
{
    size_t i = scn_index(group, name);
    if (i != SCN_NONE)
        scn_node_free(scn_detach(group, i));
}

static char *scn_vformat(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));
static char *scn_format(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* FMT formatted into a malloc'd string (asprintf is not in C11 or POSIX),
 * or NULL when out of memory. */
static char *scn_vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    char *s = len < 0 ? NULL : malloc((size_t)len + 1);
    if (s)
        vsnprintf(s, (size_t)len + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

static char *scn_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = scn_vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* "PARENT.NAME", "PARENT[I]" (NAME NULL) or NAME alone: malloc'd, or NULL
 * when out of memory. */
static char *scn_path(const char *parent, const char *name, size_t i)
{
    if (!name)
        return scn_format("%s[%zu]", parent ? parent : "", i);
    if (parent && *parent)
        return scn_format("%s.%s", parent, name);
    return strdup(name);
}

/* The shortest text that reads back as exactly V, always looking like a
 * float to libconfig ("28500.0", "-0.0", "1e-300"). BUF holds 40 bytes. */
static void scn_format_float(double v, char *buf)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (!strpbrk(buf, ".en"))
        strcat(buf, ".0");
}

/* ---- loading ---- */

typedef struct scn_loader {
    scenario *s;      /* being built; owns the file names */
    diag *d;          /* where messages go (may be NULL) */
    size_t errors;    /* messages added by this load */
    const char *reading;  /* the file being converted, as shown */
} scn_loader;

static void scn_error(scn_loader *L, const char *file, int line,
                      const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Adds "FILE:LINE: PATH: message" to L's list and counts it. */
static void scn_error(scn_loader *L, const char *file, int line,
                      const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = scn_vformat(fmt, ap);
    va_end(ap);
    diag_add(L->d, file, line, path, "%s", msg ? msg : "out of memory");
    free(msg);
    L->errors++;
}

static void scn_oom(scn_loader *L)
{
    scn_error(L, NULL, 0, NULL, "out of memory");
}

/* The copy of NAME kept in the scenario's file list (added when new), or
 * NULL when out of memory. */
static const char *scn_intern(scn_loader *L, const char *name)
{
    scenario *s = L->s;
    for (size_t i = 0; i < s->n_files; i++)
        if (strcmp(s->files[i], name) == 0)
            return s->files[i];
    char **f = realloc(s->files, (s->n_files + 1) * sizeof *f);
    if (!f)
        return NULL;
    s->files = f;
    if (!(f[s->n_files] = strdup(name)))
        return NULL;
    return f[s->n_files++];
}

/* Reads the whole of PATH into a malloc'd NUL-terminated string *OUT.
 * Returns 0, or the errno value that explains the failure. */
static int scn_slurp(const char *path, char **out)
{
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int err = 0;
    struct stat st;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno;
    /* fopen accepts a folder on Linux; say so rather than "syntax error". */
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        err = EISDIR;
        goto end;
    }
    for (;;) {
        /* Checked while reading: a pipe has no size to stat. */
        if (n > SCN_MAX_BYTES) {
            err = EFBIG;
            goto end;
        }
        if (cap - n < 2) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                err = ENOMEM;
                goto end;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                err = errno ? errno : EIO;
            break;
        }
    }
    buf[n] = 0;
end:
    fclose(f);
    if (err)
        free(buf);
    else
        *out = buf;
    return err;
}

/* Reports that the number token [P, END) does not fit where libconfig 1.5
 * puts it: that version wraps a too large plain integer around silently
 * (3000000000 reads as -1294967296), so the text is checked instead. */
static void scn_check_int_token(scn_loader *L, const char *file, int line,
                                const char *p, const char *end)
{
    const char *digits = p + (*p == '-' || *p == '+');
    int wide = end[-1] == 'L';
    int len = (int)(end - p);
    int too_big_64, too_big_32;
    errno = 0;
    if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        unsigned long long v = strtoull(digits + 2, NULL, 16);
        too_big_64 = errno == ERANGE || v > INT64_MAX;
        too_big_32 = v > INT32_MAX;
    } else {
        long long v = strtoll(p, NULL, 10);
        too_big_64 = errno == ERANGE;
        too_big_32 = v < INT32_MIN || v > INT32_MAX;
    }
    if (too_big_64)
        scn_error(L, file, line, NULL, "integer %.*s does not fit in 64 bits",
                  len, p);
    else if (too_big_32 && !wide)
        scn_error(L, file, line, NULL,
                  "integer %.*s does not fit in 32 bits (write %.*sL for a "
                  "64-bit integer)", len, p, len, p);
}

/* The end of the number token at P; integers are checked for range. */
static const char *scn_scan_number(scn_loader *L, const char *file, int line,
                                   const char *p)
{
    const char *q = p + (*p == '-' || *p == '+');
    int is_float = 0;
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
        for (q += 2; isxdigit((unsigned char)*q); q++)
            ;
    } else {
        while (isdigit((unsigned char)*q))
            q++;
        if (*q == '.') {
            is_float = 1;
            for (q++; isdigit((unsigned char)*q); q++)
                ;
        }
        if ((*q == 'e' || *q == 'E') &&
            (isdigit((unsigned char)q[1]) ||
             ((q[1] == '+' || q[1] == '-') && isdigit((unsigned char)q[2])))) {
            is_float = 1;
            for (q += 2; isdigit((unsigned char)*q); q++)
                ;
        }
    }
    if (is_float)
        return q;
    while (*q == 'L')
        q++;
    scn_check_int_token(L, file, line, p, q);
    return q;
}

/* Walks TEXT (already parsed by libconfig) as libconfig's scanner does,
 * skipping comments, strings and names, and checks every integer literal.
 * Returns the number of bad ones. */
static size_t scn_check_ints(scn_loader *L, const char *file, const char *text)
{
    size_t before = L->errors;
    int line = 1;
    const char *p = text;
    while (*p) {
        char c = *p;
        if (c == '\n') {
            line++;
            p++;
        } else if (c == '#' || (c == '/' && p[1] == '/')) {
            while (*p && *p != '\n')
                p++;
        } else if (c == '/' && p[1] == '*') {
            for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
                line += *p == '\n';
            p += *p ? 2 : 0;
        } else if (c == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                line += *p == '\n';
            }
            p += *p ? 1 : 0;
        } else if (isalpha((unsigned char)c) || c == '*' || c == '@') {
            for (p++; *p && (isalnum((unsigned char)*p) || strchr("-_*", *p)); p++)
                ;
        } else if (isdigit((unsigned char)c) ||
                   ((c == '-' || c == '+') && isdigit((unsigned char)p[1]))) {
            p = scn_scan_number(L, file, line, p);
        } else {
            p++;
        }
    }
    return L->errors - before;
}

/* Counts the settings directly inside each group of TEXT (before libconfig
 * reads it: a huge group would keep libconfig busy for hours). Skips
 * comments and strings as libconfig's scanner does; every setting has one
 * '=' or ':'. Returns 0, or the line where a group grew past SCN_MAX_GROUP,
 * or -1 when out of memory. */
static int scn_widest_group(const char *text)
{
    size_t cap = 64, depth = 0;
    size_t *count = malloc(cap * sizeof *count);
    int line = 1, found = 0;
    if (!count)
        return -1;
    count[0] = 0;
    for (const char *p = text; *p && !found; p++) {
        char c = *p;
        if (c == '\n') {
            line++;
        } else if (c == '#' || (c == '/' && p[1] == '/')) {
            while (p[1] && p[1] != '\n')
                p++;
        } else if (c == '/' && p[1] == '*') {
            for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
                line += *p == '\n';
            if (!*p)
                break;
            p++;
        } else if (c == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                line += *p == '\n';
            }
            if (!*p)
                break;
        } else if (c == '{') {
            if (depth + 1 == cap) {
                size_t *nc = realloc(count, 2 * cap * sizeof *nc);
                if (!nc) {
                    found = -1;
                    break;
                }
                count = nc;
                cap *= 2;
            }
            count[++depth] = 0;
        } else if (c == '}') {
            depth -= depth > 0;
        } else if ((c == '=' || c == ':') && ++count[depth] > SCN_MAX_GROUP) {
            found = line;
        }
    }
    free(count);
    return found;
}

/* The path of the parent REL named in CHILD: REL itself when absolute,
 * else REL in CHILD's folder. Malloc'd, or NULL when out of memory. */
static char *scn_parent_path(const char *child, const char *rel)
{
    const char *slash = strrchr(child, '/');
    size_t dlen = rel[0] == '/' || !slash ? 0 : (size_t)(slash - child) + 1;
    size_t rlen = strlen(rel);
    char *p = malloc(dlen + rlen + 1);
    if (p) {
        memcpy(p, child, dlen);
        memcpy(p + dlen, rel, rlen + 1);
    }
    return p;
}

/* A copy of libconfig setting CS (and everything under it) as an snode
 * tree; FILE is the file it was read from unless libconfig knows better (an
 * @include), PATH its dotted path for messages. NULL when out of memory. */
static snode *scn_convert(scn_loader *L, const config_setting_t *cs,
                          const char *file, const char *path)
{
    const char *src = config_setting_source_file(cs);
    if (src) {
        /* libconfig keeps the @include name as written; show where it was
         * found, as for extends. */
        char *shown = scn_parent_path(L->reading, src);
        file = shown ? scn_intern(L, shown) : NULL;
        free(shown);
        if (!file)
            return NULL;
    }
    int line = (int)config_setting_source_line(cs);
    snode *n = NULL;
    switch (config_setting_type(cs)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        if ((n = scn_node(config_setting_name(cs), SNODE_INT, file, line)))
            n->v.i = config_setting_get_int64(cs);
        return n;
    case CONFIG_TYPE_FLOAT:
        if ((n = scn_node(config_setting_name(cs), SNODE_FLOAT, file, line)))
            n->v.f = config_setting_get_float(cs);
        /* 1e999 reads as infinity, which no later stage could use. */
        if (n && !isfinite(n->v.f))
            scn_error(L, file, line, path, "number is too large");
        return n;
    case CONFIG_TYPE_BOOL:
        if ((n = scn_node(config_setting_name(cs), SNODE_BOOL, file, line)))
            n->v.i = config_setting_get_bool(cs) != 0;
        return n;
    case CONFIG_TYPE_STRING:
        return scn_string_node(config_setting_name(cs),
                               config_setting_get_string(cs), file, line);
    case CONFIG_TYPE_GROUP:
        n = scn_node(config_setting_name(cs), SNODE_GROUP, file, line);
        break;
    case CONFIG_TYPE_ARRAY:
        n = scn_node(config_setting_name(cs), SNODE_ARRAY, file, line);
        break;
    case CONFIG_TYPE_LIST:
        n = scn_node(config_setting_name(cs), SNODE_LIST, file, line);
        break;
    default:
        return NULL;
    }
    int count = config_setting_length(cs);
    for (int i = 0; n && i < count; i++) {
        const config_setting_t *kid = config_setting_get_elem(cs, (unsigned)i);
        char *kpath = scn_path(path, config_setting_name(kid), (size_t)i);
        snode *k = kpath ? scn_convert(L, kid, file, kpath) : NULL;
        free(kpath);
        if (scn_append(n, k) != 0) {
            scn_node_free(n);
            n = NULL;
        }
    }
    return n;
}

/* Says that DISPLAY cannot be read: as the file named on the command line
 * when FROM is NULL, else as the parent named by the extends setting at
 * FROM:FROM_LINE. */
static void scn_cannot_read(scn_loader *L, const char *display,
                            const char *from, int from_line, int err)
{
    const char *why = err == EFBIG ? " (a scenario file is at most 16 MB)"
                                   : "";
    if (from)
        scn_error(L, from, from_line, "extends", "cannot read '%s': %s%s",
                  display, strerror(err), why);
    else
        scn_error(L, display, 0, NULL, "cannot read: %s%s", strerror(err),
                  why);
}

/* Reads DISPLAY (a path as the user wrote or reached it) into a new tree
 * *OUT. FROM and FROM_LINE are as for scn_cannot_read. Returns 0, or an
 * exit code after adding the message. */
static int scn_read(scn_loader *L, const char *display, const char *from,
                    int from_line, snode **out)
{
    char *text = NULL, *dir = NULL;
    int rc = 0;
    config_t cfg;
    config_init(&cfg);
    *out = NULL;
    int err = scn_slurp(display, &text);
    if (err) {
        scn_cannot_read(L, display, from, from_line, err);
        rc = NCG_EXIT_IO;
        goto end;
    }
    const char *file = scn_intern(L, display);
    const char *slash = strrchr(display, '/');
    if (!file || !(dir = strdup(display))) {
        scn_oom(L);
        rc = NCG_EXIT_IO;
        goto end;
    }
    /* @include, like extends, is relative to the including file. */
    if (slash) {
        dir[slash - display + (slash == display)] = 0;
        config_set_include_dir(&cfg, dir);
    }
    int wide = scn_widest_group(text);
    if (wide != 0) {
        if (wide < 0)
            scn_oom(L);
        else
            scn_error(L, file, wide, NULL, "more than %d settings in one "
                      "group", SCN_MAX_GROUP);
        rc = wide < 0 ? NCG_EXIT_IO : NCG_EXIT_SCENARIO;
        goto end;
    }
    if (!config_read_string(&cfg, text)) {
        /* An error inside an @include names that file as written. */
        const char *etext = config_error_text(&cfg);
        char *efile = config_error_file(&cfg)
            ? scn_parent_path(display, config_error_file(&cfg)) : NULL;
        if (!etext || strcmp(etext, "syntax error") == 0)
            scn_error(L, efile ? efile : file, config_error_line(&cfg), NULL,
                      "syntax error");
        else
            scn_error(L, efile ? efile : file, config_error_line(&cfg), NULL,
                      "syntax error: %s", etext);
        free(efile);
        rc = NCG_EXIT_SCENARIO;
        goto end;
    }
    /* A wrapped-around integer would only cause confusing later errors. */
    if (scn_check_ints(L, file, text) > 0) {
        rc = NCG_EXIT_SCENARIO;
        goto end;
    }
    L->reading = file;
    *out = scn_convert(L, config_root_setting(&cfg), file, NULL);
    if (!*out) {
        scn_oom(L);
        rc = NCG_EXIT_IO;
        goto end;
    }
    (*out)->file = file;
end:
    config_destroy(&cfg);
    free(text);
    free(dir);
    return rc;
}

/* Lays CHILD over PARENT (both groups), taking CHILD: settings of both
 * groups merge recursively, any other child value replaces the parent's in
 * its place, new settings follow the parent's. The merged group is where
 * the child put it. Returns 0, or -1 when out of memory. */
static int scn_merge(snode *parent, snode *child)
{
    int rc = 0;
    for (size_t i = 0; i < child->n_kids; i++) {
        snode *k = child->kids[i];
        child->kids[i] = NULL;
        size_t at = scn_index(parent, k->name);
        if (at == SCN_NONE) {
            if (scn_append(parent, k) != 0)
                rc = -1;
        } else if (k->type == SNODE_GROUP && parent->kids[at]->type == SNODE_GROUP) {
            if (scn_merge(parent->kids[at], k) != 0)
                rc = -1;
        } else {
            scn_node_free(parent->kids[at]);
            parent->kids[at] = k;
        }
    }
    parent->file = child->file;
    parent->line = child->line;
    child->n_kids = 0;
    scn_node_free(child);
    return rc;
}

/* "cycle: a.cfg -> b.cfg -> a.cfg": SHOWN[FIRST..N-1], then AGAIN. */
static void scn_cycle_error(scn_loader *L, const snode *ext, char **shown,
                            size_t first, size_t n, const char *again)
{
    char *chain = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&chain, &len);
    if (!f) {
        scn_oom(L);
        return;
    }
    for (size_t j = first; j < n; j++)
        fprintf(f, "%s -> ", shown[j]);
    fputs(again, f);
    fclose(f);
    scn_error(L, ext->file, ext->line, "extends", "cycle: %s", chain);
    free(chain);
}

/* Loads PATH and every file it extends, and merges them into *OUT (the
 * top-level `extends`, and the parents' name, title and description, are
 * gone). Returns 0, or an exit code after adding messages. */
static int scn_load_chain(scn_loader *L, const char *path, snode **out)
{
    char *shown[SCN_MAX_CHAIN] = { 0 };  /* paths as written or reached */
    char *real[SCN_MAX_CHAIN] = { 0 };   /* the same, resolved: finds cycles */
    snode *tree[SCN_MAX_CHAIN] = { 0 };
    size_t n = 0;
    int rc = 0;
    snode *ext = NULL;   /* the extends setting that leads to CUR */
    char *cur = strdup(path);
    *out = NULL;
    while (cur) {
        char *rp = realpath(cur, NULL);
        if (!rp) {
            scn_cannot_read(L, cur, ext ? ext->file : NULL, ext ? ext->line : 0,
                            errno);
            rc = NCG_EXIT_IO;
            goto end;
        }
        for (size_t j = 0; j < n; j++) {
            if (strcmp(real[j], rp) == 0) {
                scn_cycle_error(L, ext, shown, j, n, cur);
                free(rp);
                rc = NCG_EXIT_SCENARIO;
                goto end;
            }
        }
        if (n == SCN_MAX_CHAIN) {
            scn_error(L, ext->file, ext->line, "extends",
                      "more than %d files in the chain", SCN_MAX_CHAIN);
            free(rp);
            rc = NCG_EXIT_SCENARIO;
            goto end;
        }
        shown[n] = cur;
        real[n] = rp;
        cur = NULL;
        rc = scn_read(L, shown[n], ext ? ext->file : NULL, ext ? ext->line : 0,
                      &tree[n]);
        n++;
        scn_node_free(ext);
        ext = NULL;
        if (rc)
            goto end;
        size_t at = scn_index(tree[n - 1], "extends");
        if (at == SCN_NONE)
            break;
        ext = scn_detach(tree[n - 1], at);
        if (ext->type != SNODE_STRING) {
            scn_error(L, ext->file, ext->line, "extends",
                      "expected a string, found %s", snode_type_name(ext));
            rc = NCG_EXIT_SCENARIO;
            goto end;
        }
        if (!ext->v.s[0]) {
            scn_error(L, ext->file, ext->line, "extends",
                      "must not be empty");
            rc = NCG_EXIT_SCENARIO;
            goto end;
        }
        if (!(cur = scn_parent_path(shown[n - 1], ext->v.s))) {
            scn_oom(L);
            rc = NCG_EXIT_IO;
            goto end;
        }
    }
    if (!cur && n == 0) {
        scn_oom(L);
        rc = NCG_EXIT_IO;
        goto end;
    }
    /* Oldest ancestor first: each file is laid over all it extends. */
    for (size_t i = n - 1; i > 0; i--) {
        for (size_t k = 0; k < 3; k++)
            scn_drop(tree[i], scn_top_keys[k]);
        int m = scn_merge(tree[i], tree[i - 1]);
        tree[i - 1] = tree[i];
        tree[i] = NULL;
        if (m != 0) {
            scn_oom(L);
            rc = NCG_EXIT_IO;
            goto end;
        }
    }
    *out = tree[0];
    tree[0] = NULL;
end:
    scn_node_free(ext);
    free(cur);
    for (size_t i = 0; i < n; i++) {
        free(shown[i]);
        free(real[i]);
        scn_node_free(tree[i]);
    }
    return rc;
}

/* ---- overrides ---- */

/* 1 when [S, S+LEN) is a setting name libconfig can write back. */
static int scn_setting_name_ok(const char *s, size_t len)
{
    if (len == 0 || !isalpha((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
            return 0;
    return 1;
}

/* TEXT as a node: a boolean for "true"/"false", a number when all of it
 * is one (an integer without '.' or exponent, unless it overflows 64 bits:
 * then its digits are kept as a string), else the string itself (an
 * expression, a title...). NULL when out of memory. */
static snode *scn_value_node(const char *text, const char *origin)
{
    snode *n;
    if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
        if ((n = scn_node(NULL, SNODE_BOOL, origin, 0)))
            n->v.i = text[0] == 't';
        return n;
    }
    /* Only plain decimal numbers: strtod alone would also take "inf",
     * "nan", hex and leading blanks. */
    int numeric = *text && strspn(text, "0123456789+-.eE") == strlen(text);
    char *end = NULL;
    double v = numeric ? strtod(text, &end) : 0.0;
    if (!numeric || *end || end == text || !isfinite(v))
        return scn_string_node(NULL, text, origin, 0);
    if (!strpbrk(text, ".eE")) {
        errno = 0;
        long long i = strtoll(text, NULL, 10);
        if (errno == ERANGE)
            return scn_string_node(NULL, text, origin, 0);
        if ((n = scn_node(NULL, SNODE_INT, origin, 0)))
            n->v.i = i;
        return n;
    }
    if ((n = scn_node(NULL, SNODE_FLOAT, origin, 0)))
        n->v.f = v;
    return n;
}

/* Puts VALUE (taken) at dotted PATH under ROOT: an existing setting is
 * replaced in its place, missing groups and the leaf are created with
 * file ORIGIN. Reports "ORIGIN: PATH: ..." when a step is not a group. */
static void scn_set_path(scn_loader *L, snode *root, const char *path,
                         snode *value, const char *origin)
{
    snode *g = root;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        char *name = strndup(p, len);
        if (!name) {
            scn_oom(L);
            break;
        }
        size_t at = scn_index(g, name);
        if (!dot) {
            free(value->name);
            value->name = name;
            if (at == SCN_NONE) {
                if (scn_append(g, value) != 0)
                    scn_oom(L);
            } else {
                scn_node_free(g->kids[at]);
                g->kids[at] = value;
            }
            return;
        }
        if (at == SCN_NONE) {
            snode *ng = scn_node(name, SNODE_GROUP, origin, 0);
            if (scn_append(g, ng) != 0) {
                free(name);
                scn_oom(L);
                break;
            }
            g = ng;
        } else if (g->kids[at]->type != SNODE_GROUP) {
            scn_error(L, origin, 0, path, "%.*s is %s, not a group",
                      (int)(dot - path), path, snode_type_name(g->kids[at]));
            free(name);
            break;
        } else {
            g = g->kids[at];
        }
        free(name);
        p = dot + 1;
    }
    scn_node_free(value);
}

/* Collects the names of every variable of ROOT (for suggestions) into a
 * malloc'd array *OUT of borrowed strings; returns how many. */
static size_t scn_var_names(const snode *root, const char ***out)
{
    size_t n = 0;
    const snode *g[SCN_COUNT(scn_var_groups)];
    for (size_t k = 0; k < SCN_COUNT(scn_var_groups); k++) {
        g[k] = snode_get(root, scn_var_groups[k]);
        n += g[k] && g[k]->type == SNODE_GROUP ? g[k]->n_kids : 0;
    }
    const char **names = malloc((n ? n : 1) * sizeof *names);
    n = 0;
    for (size_t k = 0; names && k < SCN_COUNT(scn_var_groups); k++)
        for (size_t i = 0; g[k] && g[k]->type == SNODE_GROUP && i < g[k]->n_kids; i++)
            names[n++] = g[k]->kids[i]->name;
    *out = names;
    return names ? n : 0;
}

/* The dotted path a bare --set NAME stands for, malloc'd; NULL after a
 * message when NAME is unknown, ambiguous, or an event or a state (those
 * have several settings, so the user must say which). */
static char *scn_bare_path(scn_loader *L, const snode *root, const char *name)
{
    const char *found[SCN_COUNT(scn_var_groups)];
    size_t n = 0;
    for (size_t k = 0; k < SCN_COUNT(scn_var_groups); k++)
        if (snode_get(snode_get(root, scn_var_groups[k]), name))
            found[n++] = scn_var_groups[k];
    char *path = NULL;
    if (n == 0) {
        /* Top-level settings other than extends may be set by bare name. */
        for (size_t k = 0; k < SCN_COUNT(scn_top_keys); k++)
            if (strcmp(name, scn_top_keys[k]) == 0 && strcmp(name, "extends") != 0)
                return strdup(name);
        if (strcmp(name, "extends") == 0) {
            scn_error(L, SCN_FROM_SET, 0, name,
                      "cannot be set from the command line");
            return NULL;
        }
        const char **names = NULL;
        size_t nn = scn_var_names(root, &names);
        const char *hint = diag_suggest(name, strlen(name), names, nn);
        if (hint)
            scn_error(L, SCN_FROM_SET, 0, name,
                      "no variable of that name in params, events, states or "
                      "derived (did you mean '%s'?)", hint);
        else
            scn_error(L, SCN_FROM_SET, 0, name,
                      "no variable of that name in params, events, states or "
                      "derived (to add a setting, write its full path, e.g. "
                      "params.%s)", name);
        free(names);
        return NULL;
    }
    if (n > 1) {
        char *list = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&list, &len);
        if (!f) {
            scn_oom(L);
            return NULL;
        }
        for (size_t k = 0; k < n; k++)
            fprintf(f, "%s%s.%s", k == 0 ? "" : k + 1 == n ? " or " : ", ",
                    found[k], name);
        fclose(f);
        scn_error(L, SCN_FROM_SET, 0, name,
                  "ambiguous, could be %s; write the full path", list);
        free(list);
        return NULL;
    }
    if (strcmp(found[0], "events") == 0) {
        scn_error(L, SCN_FROM_SET, 0, name,
                  "is an event; set one of its settings, e.g. events.%s.p", name);
        return NULL;
    }
    if (strcmp(found[0], "states") == 0) {
        scn_error(L, SCN_FROM_SET, 0, name,
                  "is a state; set one of its settings, e.g. states.%s.init "
                  "or states.%s.next", name, name);
        return NULL;
    }
    /* A derived variable written as a group keeps its label and notes: only
     * its expression changes. */
    const snode *v = snode_get(snode_get(root, found[0]), name);
    path = v->type == SNODE_GROUP && strcmp(found[0], "derived") == 0
        ? scn_format("derived.%s.value", name)
        : scn_format("%s.%s", found[0], name);
    if (!path)
        scn_oom(L);
    return path;
}

/* Applies one "PATH=VALUE" override to ROOT. */
static void scn_apply_set(scn_loader *L, snode *root, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char *path = eq ? strndup(arg, (size_t)(eq - arg)) : NULL;
    int ok = path != NULL;
    for (const char *p = path; ok && p; ) {
        const char *dot = strchr(p, '.');
        ok = dot ? dot > p : *p != 0;
        p = dot ? dot + 1 : NULL;
    }
    if (!ok) {
        scn_error(L, SCN_FROM_SET, 0, NULL, "'%s': expected PATH=VALUE", arg);
        goto end;
    }
    for (const char *p = path; p; ) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (!scn_setting_name_ok(p, len)) {
            scn_error(L, SCN_FROM_SET, 0, path,
                      "'%.*s' is not a valid setting name (a letter, then "
                      "letters, digits, '_' or '-')", (int)len, p);
            goto end;
        }
        p = dot ? dot + 1 : NULL;
    }
    if (strncmp(path, "observations", 12) == 0
        && (path[12] == 0 || path[12] == '.')) {
        /* The record is data with its own file and lines: an override
         * would leave resolved.cfg unable to say where it came from. */
        scn_error(L, SCN_FROM_SET, 0, path, "observations cannot be changed "
                  "with --set (edit the file, or a file that extends it)");
        goto end;
    }
    if (!strchr(path, '.')) {
        char *full = scn_bare_path(L, root, path);
        if (!full)
            goto end;
        free(path);
        path = full;
    }
    snode *value = scn_value_node(eq + 1, SCN_FROM_SET);
    if (!value) {
        scn_oom(L);
        goto end;
    }
    scn_set_path(L, root, path, value, SCN_FROM_SET);
end:
    free(path);
}

/* Sets simulation.NAME to V from the command-line option ORIGIN. Values
 * past int64 are kept as their digits (a string), which the checks read. */
static void scn_set_uint(scn_loader *L, snode *root, const char *path,
                         uint64_t v, const char *origin)
{
    snode *n;
    if (v > INT64_MAX) {
        char digits[24];
        snprintf(digits, sizeof digits, "%" PRIu64, v);
        n = scn_string_node(NULL, digits, origin, 0);
    } else if ((n = scn_node(NULL, SNODE_INT, origin, 0))) {
        n->v.i = (int64_t)v;
    }
    if (!n) {
        scn_oom(L);
        return;
    }
    scn_set_path(L, root, path, n, origin);
}

/* ---- checks ---- */

/* "unknown setting" for N at PATH, with the closest of KNOWN or the list. */
static void scn_unknown(scn_loader *L, const snode *n, const char *path,
                        const char *const *known, size_t nk)
{
    const char *hint = diag_suggest(n->name, strlen(n->name), known, nk);
    if (hint) {
        scn_error(L, n->file, n->line, path,
                  "unknown setting (did you mean '%s'?)", hint);
        return;
    }
    char list[256] = "";
    for (size_t i = 0; i < nk; i++) {
        if (i)
            strcat(list, ", ");
        strcat(list, known[i]);
    }
    scn_error(L, n->file, n->line, path, "unknown setting (expected one of %s)",
              list);
}

/* 1 when N is TYPE, else 0 after "expected WANT, found ...". */
static int scn_expect(scn_loader *L, const snode *n, const char *path,
                      snode_type type, const char *want)
{
    if (n->type == type)
        return 1;
    scn_error(L, n->file, n->line, path, "expected %s, found %s", want,
              snode_type_name(n));
    return 0;
}

/* The position of N's string among CHOICES, or -1 after a message naming
 * it as WHAT ("unknown unit 'weeks' (expected one of ...)"). */
static int scn_choice(scn_loader *L, const snode *n, const char *path,
                      const char *what, const char *const *choices, size_t nc)
{
    if (!scn_expect(L, n, path, SNODE_STRING, "a string"))
        return -1;
    for (size_t i = 0; i < nc; i++)
        if (strcmp(n->v.s, choices[i]) == 0)
            return (int)i;
    const char *hint = diag_suggest(n->v.s, strlen(n->v.s), choices, nc);
    if (hint) {
        scn_error(L, n->file, n->line, path,
                  "unknown %s '%s' (did you mean '%s'?)", what, n->v.s, hint);
    } else {
        char list[128] = "";
        for (size_t i = 0; i < nc; i++) {
            if (i)
                strcat(list, ", ");
            strcat(list, choices[i]);
        }
        scn_error(L, n->file, n->line, path,
                  "unknown %s '%s' (expected one of %s)", what, n->v.s, list);
    }
    return -1;
}

/* Reads N as a whole number in [MIN, MAX] into *OUT. Accepts an integer, a
 * float with an integral value (1e6) and a string of decimal digits (for
 * seeds past int64, which libconfig cannot hold). 0, or -1 after a
 * message. */
static int scn_uint(scn_loader *L, const snode *n, const char *path,
                    uint64_t min, uint64_t max, uint64_t *out)
{
    char found[40];
    int negative = 0, too_big = 0;
    uint64_t v = 0;
    if (n->type == SNODE_INT) {
        snprintf(found, sizeof found, "%" PRId64, n->v.i);
        negative = n->v.i < 0;
        v = negative ? 0 : (uint64_t)n->v.i;
    } else if (n->type == SNODE_FLOAT) {
        scn_format_float(n->v.f, found);
        if (n->v.f != floor(n->v.f)) {
            scn_error(L, n->file, n->line, path, "must be an integer, found %s",
                      found);
            return -1;
        }
        negative = n->v.f < 0;
        too_big = n->v.f >= 18446744073709551616.0;
        v = negative || too_big ? 0 : (uint64_t)n->v.f;
    } else if (n->type == SNODE_STRING && n->v.s[0] &&
               strspn(n->v.s, "0123456789") == strlen(n->v.s)) {
        snprintf(found, sizeof found, "%.38s", n->v.s);
        errno = 0;
        v = strtoull(n->v.s, NULL, 10);
        too_big = errno == ERANGE;
    } else {
        scn_error(L, n->file, n->line, path, "expected an integer, found %s",
                  snode_type_name(n));
        return -1;
    }
    if (negative || v < min) {
        scn_error(L, n->file, n->line, path, "must be at least %" PRIu64
                  ", found %s", min, found);
        return -1;
    }
    if (too_big || v > max) {
        scn_error(L, n->file, n->line, path, "must be at most %" PRIu64
                  ", found %s", max, found);
        return -1;
    }
    *out = v;
    return 0;
}

/* Reads the leading digits of *P (1 to 4 of them) as a year 1..9999 and
 * moves *P past them; -1 when there is no such year. */
static int scn_year(const char **p)
{
    int year = 0, digits = 0;
    while (isdigit((unsigned char)**p) && digits < 5) {
        year = year * 10 + (**p - '0');
        (*p)++;
        digits++;
    }
    return digits >= 1 && digits <= 4 && year >= 1 ? year : -1;
}

/* Checks `start` N against step unit UNIT (index into scn_units) and
 * fills SIM's start fields. */
static void scn_check_start(scn_loader *L, const snode *n, int unit,
                            scenario_sim *sim)
{
    static const char *const shapes[] = {
        "quarter label like 2025Q1 (year 1-9999, quarter 1-4)",
        "month label like 2025-01 (year 1-9999, month 01-12)",
        "year label like 2025 (year 1-9999)"
    };
    const char *path = "simulation.start";
    if (!scn_expect(L, n, path, SNODE_STRING, "a string"))
        return;
    if (strcmp(scn_units[unit], "step") == 0) {
        scn_error(L, n->file, n->line, path,
                  "has no meaning with step = \"step\"; set step to "
                  "\"quarter\", \"month\" or \"year\"");
        return;
    }
    const char *p = n->v.s;
    int year = scn_year(&p), sub = 0, ok = year > 0;
    if (ok && unit == 0) {
        ok = p[0] == 'Q' && p[1] >= '1' && p[1] <= '4' && !p[2];
        sub = ok ? p[1] - '0' : 0;
    } else if (ok && unit == 1) {
        ok = p[0] == '-' && isdigit((unsigned char)p[1]) &&
             isdigit((unsigned char)p[2]) && !p[3];
        sub = ok ? (p[1] - '0') * 10 + (p[2] - '0') : 0;
        ok = ok && sub >= 1 && sub <= 12;
    } else if (ok) {
        ok = !*p;
    }
    if (!ok) {
        scn_error(L, n->file, n->line, path, "'%s' is not a %s", n->v.s,
                  shapes[unit]);
        return;
    }
    sim->has_start = 1;
    sim->start_year = year;
    sim->start_sub = sub;
}

/* Checks the `simulation` group SIM (NULL when missing; TOP names the file
 * for that message) and fills L->s->sim. */
static void scn_check_sim(scn_loader *L, const snode *sim, const char *top)
{
    scenario_sim *out = &L->s->sim;
    out->trials = SCN_DEFAULT_TRIALS;
    out->seed = SCN_DEFAULT_SEED;
    strcpy(out->step_unit, "step");
    strcpy(out->sampler, "mc");
    if (!sim) {
        scn_error(L, top, 0, "simulation",
                  "missing; it must set at least steps (the number of time "
                  "steps)");
        return;
    }
    if (!scn_expect(L, sim, "simulation", SNODE_GROUP, "a group"))
        return;
    for (size_t i = 0; i < sim->n_kids; i++) {
        const snode *k = sim->kids[i];
        size_t which = 0;
        while (which < SCN_COUNT(scn_sim_keys) && strcmp(k->name, scn_sim_keys[which]))
            which++;
        if (which == SCN_COUNT(scn_sim_keys)) {
            char *path = scn_path("simulation", k->name, 0);
            scn_unknown(L, k, path ? path : k->name, scn_sim_keys,
                        SCN_COUNT(scn_sim_keys));
            free(path);
        }
    }
    const snode *n;
    uint64_t v;
    if ((n = snode_get(sim, "trials")))
        scn_uint(L, n, "simulation.trials", 1, SCN_MAX_TRIALS, &out->trials);
    if (!(n = snode_get(sim, "steps")))
        scn_error(L, sim->file, sim->line, "simulation.steps",
                  "missing; set the number of time steps (at least 1)");
    else if (scn_uint(L, n, "simulation.steps", 1, SCN_MAX_STEPS, &v) == 0)
        out->steps = (uint32_t)v;
    int unit = 3;
    if ((n = snode_get(sim, "step"))) {
        unit = scn_choice(L, n, "simulation.step", "unit", scn_units,
                          SCN_COUNT(scn_units));
        if (unit >= 0)
            strcpy(out->step_unit, scn_units[unit]);
    }
    if ((n = snode_get(sim, "start")) && unit >= 0)
        scn_check_start(L, n, unit, out);
    if ((n = snode_get(sim, "seed")))
        scn_uint(L, n, "simulation.seed", 0, UINT64_MAX, &out->seed);
    int sampler;
    if ((n = snode_get(sim, "sampler")) &&
        (sampler = scn_choice(L, n, "simulation.sampler", "sampler",
                              scn_samplers, SCN_COUNT(scn_samplers))) >= 0)
        strcpy(out->sampler, scn_samplers[sampler]);
}

/* 1 when S is a valid scenario name: [a-z0-9_-]+ (so never a path). */
static int scn_name_ok(const char *s)
{
    return *s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(s);
}

/* The shape of `correlations` (an extension, see docs/sensitivity.md): a
 * list of ("param", "param", rho) lists. The names and values are checked
 * against the model by corr.c. */
static void scn_check_correlations(scn_loader *L, const snode *k)
{
    if (!scn_expect(L, k, "correlations", SNODE_LIST,
                    "a list of (\"param\", \"param\", rho) entries"))
        return;
    for (size_t j = 0; j < k->n_kids; j++) {
        const snode *e = k->kids[j];
        double rho;
        if ((e->type == SNODE_LIST || e->type == SNODE_ARRAY)
            && e->n_kids == 3 && e->kids[0]->type == SNODE_STRING
            && e->kids[1]->type == SNODE_STRING
            && snode_number(e->kids[2], &rho))
            continue;
        if ((e->type == SNODE_LIST || e->type == SNODE_ARRAY)
            && e->n_kids == 3)
            scn_error(L, e->file, e->line, "correlations", "entry %zu: "
                      "expected (\"param\", \"param\", rho): two names "
                      "as strings, then a number", j + 1);
        else if (e->type == SNODE_LIST || e->type == SNODE_ARRAY)
            scn_error(L, e->file, e->line, "correlations", "entry %zu: "
                      "expected (\"param\", \"param\", rho), found %s of "
                      "%zu value%s", j + 1, snode_type_name(e), e->n_kids,
                      e->n_kids == 1 ? "" : "s");
        else
            scn_error(L, e->file, e->line, "correlations", "entry %zu: "
                      "expected (\"param\", \"param\", rho), found %s",
                      j + 1, snode_type_name(e));
    }
}

/* Checks every top-level setting of ROOT; TOP is the file given. */
static void scn_check_top(scn_loader *L, const snode *root, const char *top)
{
    for (size_t i = 0; i < root->n_kids; i++) {
        const snode *k = root->kids[i];
        size_t which = 0;
        while (which < SCN_COUNT(scn_top_keys) && strcmp(k->name, scn_top_keys[which]))
            which++;
        if (which == SCN_COUNT(scn_top_keys) || strcmp(k->name, "extends") == 0) {
            scn_unknown(L, k, k->name, scn_top_keys, SCN_COUNT(scn_top_keys));
        } else if (which < 3) {   /* name, title, description */
            if (!scn_expect(L, k, k->name, SNODE_STRING, "a string"))
                continue;
            if (which == 0 && !scn_name_ok(k->v.s))
                scn_error(L, k->file, k->line, "name",
                          "'%s' is not a valid name (use only a-z, 0-9, '_' "
                          "and '-')", k->v.s);
            if (which == 1 && strchr(k->v.s, '\n'))
                scn_error(L, k->file, k->line, "title", "must be one line");
        } else if (strcmp(k->name, "outputs") == 0) {
            if (!scn_expect(L, k, "outputs", SNODE_ARRAY, "an array of strings"))
                continue;
            for (size_t j = 0; j < k->n_kids; j++) {
                if (k->kids[j]->type != SNODE_STRING) {
                    scn_error(L, k->file, k->line, "outputs",
                              "expected an array of strings, found an array "
                              "of which element %zu is %s", j + 1,
                              snode_type_name(k->kids[j]));
                    break;
                }
            }
        } else if (strcmp(k->name, "correlations") == 0) {
            scn_check_correlations(L, k);
        } else if (strcmp(k->name, "observations") == 0) {
            /* Entries are checked against the model (model/observe.c). */
            scn_expect(L, k, "observations", SNODE_LIST,
                       "a list ( { var = ...; at = ...; ... }, ... )");
        } else if (strcmp(k->name, "simulation") != 0) {
            scn_expect(L, k, k->name, SNODE_GROUP, "a group");
        }
    }
    size_t n_vars = 0;
    for (size_t g = 0; g < SCN_COUNT(scn_var_groups); g++) {
        const snode *vg = snode_get(root, scn_var_groups[g]);
        n_vars += vg && vg->type == SNODE_GROUP ? vg->n_kids : 0;
    }
    if (n_vars > SCN_MAX_VARS)
        scn_error(L, top, 0, NULL, "%zu variables: more than %d in params, "
                  "events, states and derived together", n_vars,
                  SCN_MAX_VARS);
    scn_check_sim(L, snode_get(root, "simulation"), top);
}

/* The default name: the base name of PATH without ".cfg", malloc'd. */
static char *scn_default_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".cfg") == 0)
        len -= 4;
    return strndup(base, len);
}

/* Appends to SIM the default setting NAME, the string S or else the
 * integer I, unless SIM has it. 0, or -1 when out of memory. */
static int scn_add_default(snode *sim, const char *name, int64_t i,
                           const char *s)
{
    if (snode_get(sim, name))
        return 0;
    snode *n = s ? scn_string_node(name, s, SCN_FROM_DEFAULT, 0)
                 : scn_node(name, SNODE_INT, SCN_FROM_DEFAULT, 0);
    if (n && !s)
        n->v.i = i;
    return scn_append(sim, n);
}

/* Adds what the checks let default: name, title, and in `simulation`
 * trials, step, seed and sampler, so that the written scenario says how it
 * runs; name, title and description go first, for the reader. 0, or -1
 * when out of memory. */
static int scn_fill_defaults(scn_loader *L, snode *root)
{
    const char *top = root->file;
    if (!snode_get(root, "name")) {
        char *name = scn_default_name(L->s->path);
        if (!name)
            return -1;
        if (!scn_name_ok(name))
            scn_error(L, top, 0, "name",
                      "'%s' (from the file name) is not a valid name; add "
                      "name = \"...\"; to the file (use only a-z, 0-9, '_' "
                      "and '-')", name);
        int r = scn_append(root, scn_string_node("name", name,
                                                 SCN_FROM_DEFAULT, 0));
        free(name);
        if (r != 0)
            return -1;
    }
    const snode *name = snode_get(root, "name");
    if (!snode_get(root, "title") && name->type == SNODE_STRING &&
        scn_append(root, scn_string_node("title", name->v.s,
                                         SCN_FROM_DEFAULT, 0)) != 0)
        return -1;
    size_t front = 0;
    for (size_t k = 0; k < 3; k++)
        if (snode_get(root, scn_top_keys[k]))
            scn_move(root, scn_top_keys[k], front++);
    snode *sim = (snode *)snode_get(root, "simulation");
    if (!sim || sim->type != SNODE_GROUP)
        return 0;
    const scenario_sim *v = &L->s->sim;
    if (scn_add_default(sim, "trials", SCN_DEFAULT_TRIALS, NULL) != 0 ||
        scn_add_default(sim, "step", 0, v->step_unit) != 0 ||
        scn_add_default(sim, "seed", SCN_DEFAULT_SEED, NULL) != 0 ||
        scn_add_default(sim, "sampler", 0, v->sampler) != 0)
        return -1;
    return 0;
}

int scenario_load(const char *path, const scenario_opts *opts,
                  scenario **out, diag *d)
{
    scn_loader L = { calloc(1, sizeof(scenario)), d, 0, NULL };
    int rc = 0;
    *out = NULL;
    if (!L.s || !(L.s->path = strdup(path))) {
        scn_oom(&L);
        rc = NCG_EXIT_IO;
        goto end;
    }
    rc = scn_load_chain(&L, path, &L.s->root);
    if (rc)
        goto end;
    snode *root = L.s->root;
    for (size_t i = 0; opts && i < opts->n_sets; i++)
        scn_apply_set(&L, root, opts->sets[i]);
    if (opts && opts->has_trials)
        scn_set_uint(&L, root, "simulation.trials", opts->trials, SCN_FROM_TRIALS);
    if (opts && opts->has_seed)
        scn_set_uint(&L, root, "simulation.seed", opts->seed, SCN_FROM_SEED);
    scn_check_top(&L, root, root->file);
    if (scn_fill_defaults(&L, root) != 0) {
        scn_oom(&L);
        rc = NCG_EXIT_IO;
        goto end;
    }
    if (L.errors) {
        rc = NCG_EXIT_SCENARIO;
        goto end;
    }
    L.s->name = snode_get(root, "name")->v.s;
    L.s->title = snode_get(root, "title")->v.s;
    const snode *desc = snode_get(root, "description");
    L.s->description = desc ? desc->v.s : NULL;
    *out = L.s;
    L.s = NULL;
end:
    scenario_free(L.s);
    return rc;
}

void scenario_free(scenario *s)
{
    if (!s)
        return;
    scn_node_free(s->root);
    free(s->path);
    for (size_t i = 0; i < s->n_files; i++)
        free(s->files[i]);
    free(s->files);
    free(s);
}

/* ---- writing ---- */

/* libconfig 1.5 writes doubles with 15 digits, which does not read back
 * the same (0.1 + 0.2). So each float goes to libconfig as a 64-bit
 * integer marker base + k, and the markers are swapped for the float's
 * exact text in libconfig's output. The base is chosen so that no real
 * integer of the tree is a marker. */
typedef struct scn_writer {
    double *floats;   /* by marker order (owned) */
    size_t n;
    int64_t base;     /* the marker of floats[0] */
} scn_writer;

static size_t scn_count_floats(const snode *n)
{
    size_t c = n->type == SNODE_FLOAT;
    for (size_t i = 0; i < n->n_kids; i++)
        c += scn_count_floats(n->kids[i]);
    return c;
}

/* An integer of the tree under N that lies in [BASE, BASE + COUNT), into
 * *HIT; 0 when there is none. */
static int scn_find_int(const snode *n, int64_t base, size_t count,
                        int64_t *hit)
{
    if (n->type == SNODE_INT && (uint64_t)n->v.i - (uint64_t)base < count) {
        *hit = n->v.i;
        return 1;
    }
    for (size_t i = 0; i < n->n_kids; i++)
        if (scn_find_int(n->kids[i], base, count, hit))
            return 1;
    return 0;
}

/* The libconfig type for N; the integers of an array share one type, and
 * floats travel as 64-bit markers. */
static int scn_config_type(const snode *n, const snode *array)
{
    switch (n->type) {
    case SNODE_INT:
        if (array) {
            for (size_t i = 0; i < array->n_kids; i++)
                if (array->kids[i]->v.i != (int32_t)array->kids[i]->v.i)
                    return CONFIG_TYPE_INT64;
            return CONFIG_TYPE_INT;
        }
        return n->v.i == (int32_t)n->v.i ? CONFIG_TYPE_INT : CONFIG_TYPE_INT64;
    case SNODE_FLOAT: return CONFIG_TYPE_INT64;
    case SNODE_STRING: return CONFIG_TYPE_STRING;
    case SNODE_BOOL: return CONFIG_TYPE_BOOL;
    case SNODE_GROUP: return CONFIG_TYPE_GROUP;
    case SNODE_ARRAY: return CONFIG_TYPE_ARRAY;
    case SNODE_LIST: return CONFIG_TYPE_LIST;
    }
    return CONFIG_TYPE_NONE;
}

/* Adds the children of N under libconfig setting CS. 0, or -1 when
 * libconfig refuses one (out of memory). */
static int scn_build(scn_writer *w, config_setting_t *cs, const snode *n)
{
    for (size_t i = 0; i < n->n_kids; i++) {
        const snode *k = n->kids[i];
        int type = scn_config_type(k, n->type == SNODE_ARRAY ? n : NULL);
        config_setting_t *c = config_setting_add(cs, k->name, type);
        int ok = c != NULL;
        if (!ok)
            return -1;
        switch (k->type) {
        case SNODE_INT:
            ok = type == CONFIG_TYPE_INT
                ? config_setting_set_int(c, (int)k->v.i)
                : config_setting_set_int64(c, k->v.i);
            break;
        case SNODE_FLOAT:
            ok = config_setting_set_int64(c, w->base + (int64_t)w->n);
            w->floats[w->n++] = k->v.f;
            break;
        case SNODE_STRING:
            ok = config_setting_set_string(c, k->v.s);
            break;
        case SNODE_BOOL:
            ok = config_setting_set_bool(c, (int)k->v.i);
            break;
        default:
            ok = scn_build(w, c, k) == 0;
            break;
        }
        if (!ok)
            return -1;
    }
    return 0;
}

/* Writes TEXT (libconfig's output) to OUT with every float marker of W
 * replaced by the float's exact text. Markers are values, so they only
 * follow a blank outside strings, and end in 'L'. */
static void scn_put_unmarked(const char *text, const scn_writer *w, FILE *out)
{
    int in_string = 0;
    for (const char *p = text; *p; ) {
        if (in_string) {
            if (*p == '\\' && p[1])
                fputc(*p++, out);
            else if (*p == '"')
                in_string = 0;
        } else if (*p == '"') {
            in_string = 1;
        } else if (w->n && p > text && p[-1] == ' ' &&
                   (*p == '-' || isdigit((unsigned char)*p))) {
            char *end;
            errno = 0;
            long long v = strtoll(p, &end, 10);
            uint64_t k = (uint64_t)v - (uint64_t)w->base;
            if (errno == 0 && *end == 'L' && k < w->n) {
                char buf[40];
                scn_format_float(w->floats[k], buf);
                fputs(buf, out);
                p = end + 1;
                continue;
            }
        }
        fputc(*p++, out);
    }
}

/* Writes HEADER as comment lines (see scenario_write). */
static void scn_put_header(const char *header, FILE *out)
{
    while (header && *header) {
        size_t len = strcspn(header, "\n");
        if (header[0] != '#')
            fputs(len ? "# " : "#", out);
        fwrite(header, 1, len, out);
        fputc('\n', out);
        header += len + (header[len] == '\n');
    }
}

int scenario_write(const scenario *s, const char *header, FILE *out)
{
    scn_writer w = { NULL, 0, INT64_MIN };
    config_t cfg;
    char *text = NULL;
    size_t len = 0;
    int rc = -1;
    config_init(&cfg);
    if (!s || !s->root)
        goto end;
    size_t nf = scn_count_floats(s->root);
    int64_t hit;
    while (scn_find_int(s->root, w.base, nf, &hit))
        w.base = hit + 1;
    if (!(w.floats = malloc((nf ? nf : 1) * sizeof *w.floats)))
        goto end;
    if (scn_build(&w, config_root_setting(&cfg), s->root) != 0)
        goto end;
    /* Semicolons and "name = { ... }": the style of the shipped scenarios. */
    config_set_options(&cfg, CONFIG_OPTION_SEMICOLON_SEPARATORS);
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        goto end;
    config_write(&cfg, mem);
    if (fclose(mem) != 0)
        goto end;
    scn_put_header(header, out);
    scn_put_unmarked(text, &w, out);
    rc = ferror(out) ? -1 : 0;
end:
    config_destroy(&cfg);
    free(w.floats);
    free(text);
    return rc;
}

char *scenario_text(const scenario *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    int r = scenario_write(s, NULL, f);
    if (fclose(f) != 0 || r != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Writes the scalar N as scenario text: strings quoted with libconfig's
 * escapes, floats exactly. */
static void scn_put_scalar(const snode *n, FILE *out)
{
    char buf[40];
    switch (n->type) {
    case SNODE_INT:
        fprintf(out, "%" PRId64, n->v.i);
        break;
    case SNODE_FLOAT:
        scn_format_float(n->v.f, buf);
        fputs(buf, out);
        break;
    case SNODE_BOOL:
        fputs(n->v.i ? "true" : "false", out);
        break;
    case SNODE_STRING:
        fputc('"', out);
        for (const unsigned char *p = (const unsigned char *)n->v.s; *p; p++) {
            const char *esc = *p == '"' ? "\\\"" : *p == '\\' ? "\\\\"
                : *p == '\n' ? "\\n" : *p == '\t' ? "\\t" : *p == '\r' ? "\\r"
                : *p == '\f' ? "\\f" : NULL;
            if (esc)
                fputs(esc, out);
            else if (*p < 0x20 || *p == 0x7f)
                fprintf(out, "\\x%02X", *p);
            else
                fputc(*p, out);
        }
        fputc('"', out);
        break;
    default:
        break;
    }
}

/* Prints every leaf under N (called PATH) as "path = value    # origin". */
static int scn_show_node(const snode *n, const char *path, FILE *out)
{
    int leaf = n->type != SNODE_GROUP && n->type != SNODE_LIST;
    if (leaf || n->n_kids == 0) {
        fprintf(out, "%s = ", path);
        if (n->type == SNODE_GROUP)
            fputs("{}", out);
        else if (n->type == SNODE_LIST)
            fputs("()", out);
        else if (n->type == SNODE_ARRAY) {
            fputc('[', out);
            for (size_t i = 0; i < n->n_kids; i++) {
                if (i)
                    fputs(", ", out);
                scn_put_scalar(n->kids[i], out);
            }
            fputc(']', out);
        } else {
            scn_put_scalar(n, out);
        }
        if (n->line > 0)
            fprintf(out, "    # %s:%d\n", n->file, n->line);
        else
            fprintf(out, "    # %s\n", n->file ? n->file : "?");
        return 0;
    }
    for (size_t i = 0; i < n->n_kids; i++) {
        char *kpath = scn_path(path, n->kids[i]->name, i);
        if (!kpath)
            return -1;
        int r = scn_show_node(n->kids[i], kpath, out);
        free(kpath);
        if (r != 0)
            return -1;
    }
    return 0;
}

int scenario_show(const scenario *s, FILE *out)
{
    if (!s || !s->root)
        return -1;
    for (size_t i = 0; i < s->root->n_kids; i++)
        if (scn_show_node(s->root->kids[i], s->root->kids[i]->name, out) != 0)
            return -1;
    return ferror(out) ? -1 : 0;
}

void scenario_step_label(const scenario_sim *sim, uint32_t t, char *buf,
                         size_t len)
{
    if (!buf || len == 0)
        return;
    /* Step 1 is `start`, so step T is T - 1 periods after it. */
    long long k = (long long)t - 1;
    if (!sim->has_start || strcmp(sim->step_unit, "step") == 0) {
        snprintf(buf, len, "%" PRIu32, t);
    } else if (strcmp(sim->step_unit, "quarter") == 0) {
        long long q = (long long)sim->start_year * 4 + sim->start_sub - 1 + k;
        snprintf(buf, len, "%04lldQ%lld", q / 4, q % 4 + 1);
    } else if (strcmp(sim->step_unit, "month") == 0) {
        long long m = (long long)sim->start_year * 12 + sim->start_sub - 1 + k;
        snprintf(buf, len, "%04lld-%02lld", m / 12, m % 12 + 1);
    } else {
        snprintf(buf, len, "%04lld", sim->start_year + k);
    }
}
