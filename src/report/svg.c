/* svg.c: inlines an SVG chart in HTML: ids prefixed, references kept inside, text escaped again. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "report/html.h"
#include "report/svg.h"

/* Elements dropped with everything inside them. */
static const char *const svg_dropped[] = { "title", "desc", "script",
                                           "foreignObject", "a" };

/* The whole file PATH in a malloc'd string (*LEN bytes), or NULL with
 * errno set. */
static char *svg_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long size = -1;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0
        && fseek(f, 0, SEEK_SET) == 0
        && (buf = malloc((size_t)size + 1)) != NULL
        && fread(buf, 1, (size_t)size, f) == (size_t)size) {
        buf[size] = '\0';
        *len = (size_t)size;
    } else {
        int e = errno ? errno : EIO;
        free(buf);
        buf = NULL;
        errno = e;
    }
    fclose(f);
    return buf;
}

/* Writes code point CP as UTF-8 (escaped when it is markup). */
static void svg_put_code(FILE *out, unsigned long cp)
{
    char b[5] = { 0 };
    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        cp = 0xfffd;
    if (cp < 0x80) {
        b[0] = (char)cp;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
    } else {
        b[0] = (char)(0xf0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
    }
    html_text(out, b);
}

/* Writes S[0..N) with its character references decoded, then escaped
 * again: whatever the file held, the result is plain, escaped text. */
static void svg_put_text(FILE *out, const char *s, size_t n)
{
    static const struct { const char *name; char c; } named[] = {
        { "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' },
        { "apos;", '\'' } };
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && s[run] != '&')
            run++;
        html_text_n(out, s + i, run - i);
        if (run >= n)
            break;
        i = run + 1;       /* after the '&' */
        int done = 0;
        for (size_t k = 0; k < 5 && !done; k++) {
            size_t len = strlen(named[k].name);
            if (n - i >= len && strncmp(s + i, named[k].name, len) == 0) {
                char c[2] = { named[k].c, 0 };
                html_text(out, c);
                i += len;
                done = 1;
            }
        }
        if (!done && i < n && s[i] == '#') {
            size_t j = i + 1;
            int hex = j < n && (s[j] == 'x' || s[j] == 'X');
            unsigned long cp = 0;
            size_t digits = 0;
            j += (size_t)hex;
            while (j < n && digits < 8
                   && (hex ? isxdigit((unsigned char)s[j])
                           : isdigit((unsigned char)s[j]))) {
                int c = (unsigned char)s[j];
                cp = cp * (hex ? 16u : 10u)
                     + (unsigned long)(isdigit(c) ? c - '0'
                                                  : tolower(c) - 'a' + 10);
                j++;
                digits++;
            }
            if (digits > 0 && j < n && s[j] == ';') {
                svg_put_code(out, cp);
                i = j + 1;
                done = 1;
            }
        }
        if (!done)
            fputs("&amp;", out);   /* a bare ampersand */
    }
}

/* An attribute value written with its references ID-prefixed: each "#x"
 * that follows "url(", and, when HREF (the value is a link), the "#x" that
 * starts it. Anything else ("#ffffff", a colour) is left alone. */
static void svg_put_refs(FILE *out, const char *v, size_t n, const char *id,
                         int href)
{
    size_t i = 0, from = 0;
    for (; i < n; i++) {
        int starts = v[i] == '#' && ((i == 0 && href) || (i >= 4
                                     && strncmp(v + i - 4, "url(", 4) == 0));
        if (starts) {
            svg_put_text(out, v + from, i + 1 - from);
            html_text(out, id);
            fputc('-', out);
            from = i + 1;
        }
    }
    svg_put_text(out, v + from, n - from);
}

/* 1 when the value V[0..N) refers only inside the page: no url( other
 * than url(#...). */
static int svg_refs_local(const char *v, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++)
        if (strncasecmp(v + i, "url(", 4) == 0) {
            size_t j = i + 4;
            while (j < n && (v[j] == ' ' || v[j] == '\'' || v[j] == '"'))
                j++;
            if (j >= n || v[j] != '#')
                return 0;
        }
    return 1;
}

/* The length of the name at S (letters, digits, : _ - .). */
static size_t svg_name_len(const char *s)
{
    size_t n = 0;
    while (isalnum((unsigned char)s[n]) || s[n] == ':' || s[n] == '_'
           || s[n] == '-' || s[n] == '.')
        n++;
    return n;
}

/* Writes the attributes at *P (up to the tag's end) filtered, leaving *P
 * at the '>' or "/>"; returns 1 when the tag closes itself. */
static int svg_put_attrs(FILE *out, const char **p, const char *id)
{
    const char *s = *p;
    int self = 0;
    for (;;) {
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '\0' || *s == '>')
            break;
        if (*s == '/') {
            self = s[1] == '>';
            s++;
            continue;
        }
        size_t nl = svg_name_len(s);
        if (nl == 0) {           /* junk: skip a byte */
            s++;
            continue;
        }
        const char *name = s, *val = "";
        size_t vl = 0;
        s += nl;
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '=') {
            s++;
            while (isspace((unsigned char)*s))
                s++;
            if (*s == '"' || *s == '\'') {
                char q = *s++;
                val = s;
                while (*s && *s != q)
                    s++;
                vl = (size_t)(s - val);
                if (*s)
                    s++;
            } else {
                val = s;
                while (*s && !isspace((unsigned char)*s) && *s != '>')
                    s++;
                vl = (size_t)(s - val);
            }
        }
        int is_href = (nl == 4 && strncmp(name, "href", 4) == 0)
                      || (nl == 10 && strncmp(name, "xlink:href", 10) == 0);
        int is_id = nl == 2 && strncmp(name, "id", 2) == 0;
        if ((nl >= 2 && strncasecmp(name, "on", 2) == 0)
            || (nl >= 5 && strncmp(name, "xmlns", 5) == 0)
            || (is_href && (vl == 0 || val[0] != '#'))
            || !svg_refs_local(val, vl))
            continue;
        fputc(' ', out);
        if (is_href)
            fputs("href", out);
        else
            fwrite(name, 1, nl, out);
        fputs("=\"", out);
        if (is_id) {
            html_text(out, id);
            fputc('-', out);
            svg_put_text(out, val, vl);
        } else {
            svg_put_refs(out, val, vl, id, is_href);
        }
        fputc('"', out);
    }
    *p = s;
    return self;
}

/* The chart being inlined: where it goes and the elements open. */
typedef struct svg_state {
    FILE *out;
    const char *id, *title, *desc;   /* see svg_inline */
    char open[64][32];               /* names of the elements open,
                                        innermost last */
    int depth;
    int done;                        /* 1: the root element is closed */
} svg_state;

/* Past the end of the comment, doctype or processing instruction at P,
 * or NULL when P starts none of them. */
static const char *svg_skip_markup(const char *p)
{
    const char *e;
    if (strncmp(p, "<!--", 4) == 0) {
        e = strstr(p + 4, "-->");
        return e ? e + 3 : p + strlen(p);
    }
    if (p[1] == '!' || p[1] == '?') {
        e = strchr(p, '>');
        return e ? e + 1 : p + strlen(p);
    }
    return NULL;
}

/* The end tag at P: closes every element up to its match (none when
 * nothing open matches); returns what follows it. */
static const char *svg_end_tag(svg_state *s, const char *p)
{
    size_t nl = svg_name_len(p + 2);
    int k = s->depth - 1;
    while (k >= 0 && (strlen(s->open[k]) != nl
                      || strncmp(s->open[k], p + 2, nl) != 0))
        k--;
    while (k >= 0 && s->depth > k) {
        fprintf(s->out, "</%s>", s->open[--s->depth]);
        s->done = s->depth == 0;
    }
    const char *e = strchr(p, '>');
    return e ? e + 1 : p + strlen(p);
}

/* 1 when element NAME is dropped with its content (svg_dropped). */
static int svg_is_dropped(const char *name)
{
    for (size_t k = 0; k < sizeof svg_dropped / sizeof *svg_dropped; k++)
        if (strcmp(name, svg_dropped[k]) == 0)
            return 1;
    return 0;
}

/* Past the element NAME (NL bytes) that starts at P and its matching end
 * tag (same name, nesting counted). */
static const char *svg_skip_element(const char *p, const char *name,
                                    size_t nl)
{
    const char *q = p + 1 + nl;
    while (*q && *q != '>')
        q++;
    int self = q > p && q[-1] == '/';
    p = *q ? q + 1 : q;
    for (int nest = self ? 0 : 1; nest > 0 && *p; p++) {
        if (*p != '<' || svg_name_len(p + 1 + (p[1] == '/')) != nl
            || strncmp(p + 1 + (p[1] == '/'), name, nl) != 0)
            continue;
        const char *e = strchr(p, '>');
        int closes_self = e && e[-1] == '/';
        if (p[1] == '/')
            nest--;
        else if (!closes_self)
            nest++;
        if (nest == 0)
            p = e ? e : p + strlen(p) - 1;
    }
    return p;
}

/* The root's text alternative: its attributes (AFTER 0) or, after the
 * start tag, its <title> and <desc> (AFTER 1). */
static void svg_alt(const svg_state *s, int after)
{
    if (!after) {
        fputs(" role=\"img\" aria-label=\"", s->out);
        html_text(s->out, s->title);
        fputs("\" aria-describedby=\"", s->out);
        html_text(s->out, s->id);
        fputs("-d\"", s->out);
        return;
    }
    fputs("<title>", s->out);
    html_text(s->out, s->title);
    fputs("</title><desc id=\"", s->out);
    html_text(s->out, s->id);
    fputs("-d\">", s->out);
    html_text(s->out, s->desc);
    fputs("</desc>", s->out);
}

/* The start tag of element NAME (NL bytes) at P, attributes filtered, the
 * root given its text alternative; returns what follows it. */
static const char *svg_start_tag(svg_state *s, const char *p,
                                 const char *name, size_t nl)
{
    fprintf(s->out, "<%s", name);
    p += 1 + nl;
    int self = svg_put_attrs(s->out, &p, s->id);
    if (*p == '>')
        p++;
    int root = s->depth == 0;
    if (root)
        svg_alt(s, 0);
    if (self && !root) {
        fputs("/>", s->out);
        return p;
    }
    fputc('>', s->out);
    if (root)
        svg_alt(s, 1);
    if (s->depth < 64)
        memcpy(s->open[s->depth++], name, nl + 1);
    else                        /* nested too deep: keep it flat */
        fprintf(s->out, "</%s>", name);
    return p;
}

/* Writes the text or the markup at P; returns what follows it. */
static const char *svg_step(svg_state *s, const char *p)
{
    const char *next;
    if (*p != '<') {
        const char *e = strchr(p, '<');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        svg_put_text(s->out, p, n);
        return p + n;
    }
    if ((next = svg_skip_markup(p)) != NULL)
        return next;
    if (p[1] == '/')
        return svg_end_tag(s, p);
    size_t nl = svg_name_len(p + 1);
    if (nl == 0 || nl >= sizeof s->open[0]) {   /* a stray '<' */
        fputs("&lt;", s->out);
        return p + 1;
    }
    char name[32];
    memcpy(name, p + 1, nl);
    name[nl] = '\0';
    if (svg_is_dropped(name))
        return svg_skip_element(p, name, nl);
    return svg_start_tag(s, p, name, nl);
}

int svg_inline(FILE *out, const char *path, const char *id, const char *title,
               const char *desc, diag *d)
{
    size_t len = 0;
    char *text = svg_slurp(path, &len);
    if (!text) {
        diag_add(d, path, 0, NULL, "cannot read: %s", strerror(errno));
        return -1;
    }
    const char *p = strstr(text, "<svg");
    if (!p || svg_name_len(p + 1) != 3) {
        diag_add(d, path, 0, NULL, "not an SVG file");
        free(text);
        return -1;
    }
    svg_state s = { .out = out, .id = id, .title = title, .desc = desc };
    while (*p && !s.done)
        p = svg_step(&s, p);
    while (s.depth > 0)
        fprintf(out, "</%s>", s.open[--s.depth]);
    fputc('\n', out);
    free(text);
    return 0;
}
