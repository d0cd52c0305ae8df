/* numfmt.c: numbers as analysts read them: fixed notation, rounded to what the Monte Carlo error supports. */
#include "base/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define NUMFMT_MAX_DEC 6

int numfmt_decimals(double value, double se)
{
    int d;
    if (se > 0 && isfinite(se))
        d = -(int)floor(log10(se));
    else if (value == floor(value) || !isfinite(value))
        d = 0;       /* an exact whole number, e.g. 0 or 28500 */
    else
        d = 3 - (int)floor(log10(fabs(value)));
    if (d > NUMFMT_MAX_DEC)
        d = NUMFMT_MAX_DEC;
    if (d < -15)
        d = -15;
    /* An exact value is never rounded away from what it is. */
    if (!(se > 0) && d < 0)
        d = 0;
    return d;
}

char *numfmt_fixed(char *buf, size_t n, double value, int d, int plus)
{
    if (!isfinite(value) || fabs(value) >= 1e15) {
        snprintf(buf, n, plus ? "%+g" : "%g", value);
        return buf;
    }
    if (d < 0) {
        double unit = pow(10.0, -d);
        value = round(value / unit) * unit;
        d = 0;
    }
    snprintf(buf, n, plus ? "%+.*f" : "%.*f", d, value);
    /* -0.000 and +0.000 read as a sign that is not there. */
    const char *p = buf + (buf[0] == '-' || buf[0] == '+');
    if (strspn(p, "0.") == strlen(p))
        memmove(buf, p, strlen(p) + 1);
    return buf;
}

char *numfmt_est(char *buf, size_t n, double value, double se, int plus)
{
    return numfmt_fixed(buf, n, value, numfmt_decimals(value, se), plus);
}

int numfmt_tic_decimals(double step)
{
    if (!(step > 0) || !isfinite(step))
        return 0;
    int d = -(int)floor(log10(step) + 1e-9);
    /* 0.25 needs two decimals, though its order is 0.1. */
    double scaled = step * pow(10.0, d);
    if (fabs(scaled - round(scaled)) > 1e-6)
        d++;
    return d < 0 ? 0 : d > NUMFMT_MAX_DEC ? NUMFMT_MAX_DEC : d;
}
