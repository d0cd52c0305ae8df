/* svg.h: an SVG chart from the plot back end, inlined in an HTML page. */
#ifndef NCG_SVG_H
#define NCG_SVG_H

#include <stdio.h>
#include "base/diag.h"

/* Writes the SVG file PATH to OUT as one inline <svg> element that is
 * well formed and safe to embed:
 * - every id gets the prefix "ID-" (several charts share one page) and
 *   references to it (href="#x", url(#x)) follow; any other reference
 *   (an external file or URL) is dropped, as are event attributes (on...),
 *   <script>, <foreignObject>, and the file's own <title> and <desc>;
 * - xlink:href becomes href and namespace declarations are left to the
 *   HTML parser;
 * - text is decoded and escaped again (a bare & or > from the file is
 *   escaped; broken UTF-8 becomes U+FFFD); elements left open are closed;
 * - TITLE and DESC (UTF-8, escaped here) become the chart's <title> and
 *   <desc>, named by role="img", aria-labelledby and aria-describedby: the
 *   text alternative a screen reader reads.
 * Returns 0, or -1 with "PATH: cannot read: why" or "PATH: not an SVG
 * file" in D (nothing written). */
int svg_inline(FILE *out, const char *path, const char *id, const char *title,
               const char *desc, diag *d);

#endif
