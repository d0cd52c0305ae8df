/* num.c: numbers given by the user, read whole and exactly. */
#include "base/num.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 1 when S is a non-empty run of decimal digits. */
static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* 1 when S looks like a decimal number strtod may read: a sign only at the
 * start (and after an exponent), digits, one point, an exponent. Keeps out
 * what strtod would also accept: spaces, hex, inf, nan. */
static int decimal_shape(const char *s)
{
    size_t n = strspn(s, "+-0123456789.eE");
    return *s && s[n] == '\0' && strpbrk(s, "0123456789") != NULL;
}

int num_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !all_digits(s))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > UINT64_MAX)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int num_parse_double(const char *s, double *out)
{
    if (!s || !decimal_shape(s) || *s == '+')
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int num_parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v;
    if (!s || *s == '-' || *s == '+')
        return -1;
    if (all_digits(s)) {
        if (num_parse_u64(s, &v) != 0)
            return -1;
    } else {
        double x;
        if (num_parse_double(s, &x) != 0 || x != floor(x)
            || !(x >= 0 && x <= 9007199254740992.0))
            return -1;
        v = (uint64_t)x;
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}
