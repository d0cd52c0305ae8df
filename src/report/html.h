/* html.h: text written into HTML safely (escaping, broken UTF-8). */
#ifndef NCG_HTML_H
#define NCG_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Writes S to OUT as HTML text that is safe both between tags and inside a
 * quoted attribute: & < > " ' become character references; bytes that are
 * not valid UTF-8, and control characters other than tab and line break,
 * become U+FFFD. S NULL writes nothing. */
void html_text(FILE *out, const char *s);
/* The same for the first LEN bytes of S. */
void html_text_n(FILE *out, const char *s, size_t len);

/* The length of the valid UTF-8 sequence at S (1 to 4), or 0 when S does
 * not start one (a stray continuation byte, an overlong form, a surrogate,
 * or a sequence cut short by the end of S at S + AVAIL). */
size_t html_utf8_len(const unsigned char *s, size_t avail);

#endif
