/* source.c: the text of a scenario file with its @includes expanded, read only from regular files, vetted before libconfig sees it. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/ncgsim.h"
#include "scenario/scn.h"
#include "base/status.h"

/* libconfig 1.5's own limit on nested @includes. */
#define SCN_MAX_INCLUDE_DEPTH 10

const char *scn_read_error(int err)
{
    if (err == SCN_ENOTREG)
        return "not a regular file";
    if (err == SCN_ENUL)
        return "contains a NUL byte (a scenario is text)";
    return strerror(err);
}

/* Reads the whole of PATH into a malloc'd NUL-terminated string *OUT of
 * *LEN bytes. Only a regular file is opened for reading (a FIFO, a
 * terminal or a folder could block or mislead); it is opened without
 * blocking and checked again once open, in case it was swapped. Returns 0,
 * an errno value, or SCN_ENOTREG. */
static int scn_slurp(const char *path, char **out, size_t *len)
{
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int err = 0, fd = -1;
    struct stat st;
    *out = NULL;
    *len = 0;
    if (stat(path, &st) != 0)
        return errno;
    if (S_ISDIR(st.st_mode))
        return EISDIR;
    if (!S_ISREG(st.st_mode))
        return SCN_ENOTREG;
    fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        err = SCN_ENOTREG;
        goto end;
    }
    for (;;) {
        /* Checked while reading: /proc files have no size to stat. */
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
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            goto end;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    buf[n] = 0;
end:
    close(fd);
    if (err) {
        free(buf);
    } else {
        *out = buf;
        *len = n;
    }
    return err;
}

/* Appends [P, P+N) to SRC's text. 0, or -1 when out of memory. */
static int scn_put(scn_source *src, const char *p, size_t n)
{
    if (src->cap - src->len < n + 1) {
        size_t ncap = src->cap ? src->cap : 8192;
        while (ncap - src->len < n + 1)
            ncap *= 2;
        char *nt = realloc(src->text, ncap);
        if (!nt)
            return -1;
        src->text = nt;
        src->cap = ncap;
    }
    memcpy(src->text + src->len, p, n);
    src->len += n;
    src->text[src->len] = 0;
    for (size_t i = 0; i < n; i++)
        src->lines += p[i] == '\n';
    return 0;
}

/* Says that the text from here on is FILE from line LINE. 0, or -1 when
 * out of memory. */
static int scn_span_at(scn_source *src, const char *file, int line)
{
    if (src->n_spans == src->cap_spans) {
        size_t ncap = src->cap_spans ? 2 * src->cap_spans : 16;
        scn_span *ns = realloc(src->spans, ncap * sizeof *ns);
        if (!ns)
            return -1;
        src->spans = ns;
        src->cap_spans = ncap;
    }
    scn_span *s = &src->spans[src->n_spans++];
    s->at = src->lines + 1;
    s->file = file;
    s->line = line;
    return 0;
}

void scn_source_where(const scn_source *src, int line, const char **file,
                      int *fline)
{
    size_t lo = 0, hi = src->n_spans;
    *file = src->n_spans ? src->spans[0].file : NULL;
    *fline = line;
    if (line <= 0 || src->n_spans == 0)
        return;
    /* The last span that starts at or before LINE. */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (src->spans[mid].at <= line)
            lo = mid;
        else
            hi = mid;
    }
    *file = src->spans[lo].file;
    *fline = src->spans[lo].line + (line - src->spans[lo].at);
}

void scn_source_free(scn_source *src)
{
    free(src->text);
    free(src->spans);
    memset(src, 0, sizeof *src);
}

/* The lexical state of libconfig's scanner that matters here. */
typedef enum { SCN_TEXT, SCN_LINE_COMMENT, SCN_BLOCK_COMMENT, SCN_STRING } scn_lex;

/* When P (at the start of a line, outside comments and strings) is an
 * `@include "name"` directive as libconfig 1.5 reads it
 * (^[ \t]*@include[ \t]+"), the position of the opening quote; else
 * NULL. */
static const char *scn_include_at(const char *p)
{
    p += strspn(p, " \t");
    if (strncmp(p, "@include", 8) != 0)
        return NULL;
    p += 8;
    size_t blanks = strspn(p, " \t");
    return blanks > 0 && p[blanks] == '"' ? p + blanks : NULL;
}

/* Reads the quoted include name at Q (the opening quote; libconfig knows
 * the escapes \\ and \") into a malloc'd *NAME; returns the position after
 * the closing quote, or NULL when the name is not closed on its line (then
 * *NAME is NULL) or out of memory. */
static const char *scn_include_name(const char *q, char **name)
{
    size_t n = 0;
    const char *p = q + 1;
    char *s = malloc(strcspn(p, "\n") + 1);
    *name = NULL;
    if (!s)
        return NULL;
    for (; *p && *p != '"' && *p != '\n'; p++) {
        if (*p == '\\' && (p[1] == '\\' || p[1] == '"'))
            p++;
        s[n++] = *p;
    }
    if (*p != '"') {
        free(s);
        return NULL;
    }
    s[n] = 0;
    *name = s;
    return p + 1;
}

static int scn_expand(scn_loader *L, scn_source *src, const char *file,
                      const char *text, size_t len, int depth);

/* Expands the include of NAME found at FILE:LINE into SRC. Returns 0 or an
 * exit code after the message. */
static int scn_include(scn_loader *L, scn_source *src, const char *file,
                       int line, const char *name, int depth)
{
    char *text = NULL, *path = NULL;
    size_t len = 0;
    int rc = 0;
    if (!name[0]) {
        scn_error(L, file, line, "@include", "empty file name");
        return NCG_ERR_SCENARIO;
    }
    if (depth >= SCN_MAX_INCLUDE_DEPTH) {
        scn_error(L, file, line, "@include", "'%s': more than %d nested "
                  "@includes (does a file include itself?)", name,
                  SCN_MAX_INCLUDE_DEPTH);
        return NCG_ERR_SCENARIO;
    }
    /* Like extends: relative to the including file's folder, an absolute
     * path as it is. */
    const char *shown = (path = scn_parent_path(file, name))
        ? scn_intern(L, path) : NULL;
    if (!shown) {
        scn_oom(L);
        rc = NCG_ERR_IO;
        goto end;
    }
    int err = scn_slurp(shown, &text, &len);
    if (err) {
        scn_error(L, file, line, "@include", "cannot read '%s': %s%s", shown,
                  scn_read_error(err),
                  err == EFBIG ? " (a scenario file is at most 16 MB)" : "");
        rc = NCG_ERR_IO;
        goto end;
    }
    if (src->len + len > SCN_MAX_BYTES) {
        scn_error(L, file, line, "@include", "'%s': more than 16 MB of "
                  "scenario text with what is included", name);
        rc = NCG_ERR_SCENARIO;
        goto end;
    }
    rc = scn_expand(L, src, shown, text, len, depth + 1);
end:
    free(text);
    free(path);
    return rc;
}

/* Appends TEXT (LEN bytes, the content of FILE) to SRC with every
 * @include replaced by the included file's text, scanning as libconfig
 * does (no @include inside a comment or a string). Returns 0 or an exit
 * code after the message. */
static int scn_expand(scn_loader *L, scn_source *src, const char *file,
                      const char *text, size_t len, int depth)
{
    const char *nul = memchr(text, 0, len);
    if (nul) {
        int line = 1;
        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        scn_error(L, file, line, NULL, "%s", scn_read_error(SCN_ENUL));
        return NCG_ERR_SCENARIO;
    }
    if (scn_span_at(src, file, 1) != 0)
        goto oom;
    scn_lex state = SCN_TEXT;
    int line = 1, bol = 1;
    const char *done = text;   /* copied up to here */
    for (const char *p = text; *p; ) {
        const char *q;
        if (bol && state == SCN_TEXT && (q = scn_include_at(p))) {
            char *name;
            const char *after = scn_include_name(q, &name);
            if (!after) {
                scn_error(L, file, line, "@include",
                          "the file name must be closed by '\"' on its line");
                return NCG_ERR_SCENARIO;
            }
            if (scn_put(src, done, (size_t)(p - done)) != 0) {
                free(name);
                goto oom;
            }
            int rc = scn_include(L, src, file, line, name, depth);
            free(name);
            if (rc)
                return rc;
            /* The rest of the directive's line stays on a line of its own,
             * and still counts as this file's line. */
            if ((src->len && src->text[src->len - 1] != '\n' &&
                 scn_put(src, "\n", 1) != 0) || scn_span_at(src, file, line) != 0)
                goto oom;
            done = p = after;
            bol = 0;
            continue;
        }
        char c = *p;
        bol = c == '\n';
        line += c == '\n';
        switch (state) {
        case SCN_TEXT:
            if (c == '#' || (c == '/' && p[1] == '/'))
                state = SCN_LINE_COMMENT;
            else if (c == '/' && p[1] == '*') {
                state = SCN_BLOCK_COMMENT;
                p++;
            } else if (c == '"')
                state = SCN_STRING;
            break;
        case SCN_LINE_COMMENT:
            if (c == '\n')
                state = SCN_TEXT;
            break;
        case SCN_BLOCK_COMMENT:
            if (c == '*' && p[1] == '/') {
                state = SCN_TEXT;
                p++;
            }
            break;
        case SCN_STRING:
            if (c == '\\' && p[1] && p[1] != '\n')
                p++;
            else if (c == '"')
                state = SCN_TEXT;
            break;
        }
        p++;
    }
    if (scn_put(src, done, (size_t)(text + len - done)) != 0)
        goto oom;
    return 0;
oom:
    scn_oom(L);
    return NCG_ERR_IO;
}

int scn_source_read(scn_loader *L, const char *display, const char *from,
                    int from_line, scn_source *src)
{
    char *text = NULL;
    size_t len = 0;
    int rc;
    memset(src, 0, sizeof *src);
    int err = scn_slurp(display, &text, &len);
    if (err) {
        scn_cannot_read(L, display, from, from_line, err);
        return NCG_ERR_IO;
    }
    const char *file = scn_intern(L, display);
    if (!file) {
        scn_oom(L);
        rc = NCG_ERR_IO;
    } else {
        rc = scn_expand(L, src, file, text, len, 0);
    }
    free(text);
    if (rc == 0 && !src->text)
        rc = scn_put(src, "", 0) == 0 ? 0 : (scn_oom(L), NCG_ERR_IO);
    return rc;
}

/* Reports that the number token [P, END) does not fit where libconfig 1.5
 * puts it: that version wraps a too large plain integer around silently
 * (3000000000 reads as -1294967296), so the text is checked instead. */
static void scn_check_int_token(scn_loader *L, const scn_source *src,
                                int line, const char *p, const char *end)
{
    const char *digits = p + (*p == '-' || *p == '+');
    int wide = end[-1] == 'L';
    int len = (int)(end - p);
    int too_big_64, too_big_32;
    const char *file;
    int fline;
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
    scn_source_where(src, line, &file, &fline);
    if (too_big_64)
        scn_error(L, file, fline, NULL, "integer %.*s does not fit in 64 bits",
                  len, p);
    else if (too_big_32 && !wide)
        scn_error(L, file, fline, NULL,
                  "integer %.*s does not fit in 32 bits (write %.*sL for a "
                  "64-bit integer)", len, p, len, p);
}

/* The end of the number token at P; integers are checked for range. */
static const char *scn_scan_number(scn_loader *L, const scn_source *src,
                                   int line, const char *p)
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
    scn_check_int_token(L, src, line, p, q);
    return q;
}

size_t scn_source_check_ints(scn_loader *L, const scn_source *src)
{
    size_t before = L->errors;
    int line = 1;
    const char *p = src->text;
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
            p = scn_scan_number(L, src, line, p);
        } else {
            p++;
        }
    }
    return L->errors - before;
}

int scn_source_widest_group(const scn_source *src)
{
    size_t cap = 64, depth = 0;
    size_t *count = malloc(cap * sizeof *count);
    int line = 1, found = 0;
    if (!count)
        return -1;
    count[0] = 0;
    for (const char *p = src->text; *p && !found; p++) {
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
