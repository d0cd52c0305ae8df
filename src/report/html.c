/* html.c: escapes text for HTML and repairs broken UTF-8 on the way. */
#include <string.h>
#include "report/html.h"

size_t html_utf8_len(const unsigned char *s, size_t avail)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    unsigned long cp = c & (0x7fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void html_text_n(FILE *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + len;
    while (s && p < end) {
        const char *ref = NULL;
        switch (*p) {
        case '&': ref = "&amp;"; break;
        case '<': ref = "&lt;"; break;
        case '>': ref = "&gt;"; break;
        case '"': ref = "&quot;"; break;
        case '\'': ref = "&#39;"; break;
        default: break;
        }
        if (ref) {
            fputs(ref, out);
            p++;
            continue;
        }
        if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f) {
            fputs("\xef\xbf\xbd", out);
            p++;
            continue;
        }
        size_t n = html_utf8_len(p, (size_t)(end - p));
        if (n == 0) {
            fputs("\xef\xbf\xbd", out);
            p++;
            continue;
        }
        fwrite(p, 1, n, out);
        p += n;
    }
}

void html_text(FILE *out, const char *s)
{
    if (s)
        html_text_n(out, s, strlen(s));
}
