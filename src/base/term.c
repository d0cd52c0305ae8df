/* term.c: text from files shown on a terminal with its control characters made visible. */
#include <string.h>
#include "base/term.h"

/* The length of the control sequence at P (1 for a C0 code or DEL, 2 for
 * a C1 code in UTF-8), or 0 when P starts ordinary text. */
static size_t term_control(const unsigned char *p)
{
    if (*p < 0x20 || *p == 0x7f)
        return 1;
    if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
        return 2;
    return 0;
}

void term_put(FILE *out, const char *s, int keep_newlines)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; ) {
        size_t n = term_control(p);
        if (n == 0 || (keep_newlines && *p == '\n')) {
            fputc(*p++, out);
            continue;
        }
        for (size_t i = 0; i < n; i++)
            fprintf(out, "\\x%02X", p[i]);
        p += n;
    }
}

char *term_escape(const char *s, char *buf, size_t len)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; p && *p; ) {
        size_t n = term_control(p);
        if (n == 0) {
            if (o + 1 >= len)
                break;
            buf[o++] = (char)*p++;
            continue;
        }
        if (o + 4 * n >= len)
            break;
        for (size_t i = 0; i < n; i++, o += 4)
            snprintf(buf + o, 5, "\\x%02X", p[i]);
        p += n;
    }
    buf[o] = 0;
    return buf;
}
