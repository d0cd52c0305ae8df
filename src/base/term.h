/* term.h: text from files shown on a terminal with its control characters made visible. */
#ifndef NCG_TERM_H
#define NCG_TERM_H

#include <stddef.h>
#include <stdio.h>

/* Writes S to OUT with every control character shown as \xNN: C0 codes
 * (ESC, BEL, CR, NUL's neighbours, TAB too), DEL, and the C1 codes
 * U+0080..U+009F written in UTF-8 (\xC2\x9B is a CSI on many terminals).
 * Text from a scenario or a result file (titles, labels, units, names in
 * messages) can then never move the cursor, clear the screen, set the
 * window title or write the clipboard. Other bytes, UTF-8 included, pass
 * unchanged. KEEP_NEWLINES leaves '\n' as it is. */
void term_put(FILE *out, const char *s, int keep_newlines);

/* S escaped as term_put does (newlines too) into BUF of LEN bytes, cut
 * short when it does not fit; returns BUF. LEN >= 1. */
char *term_escape(const char *s, char *buf, size_t len);

#endif
