/* cli.c: what every command's option parsing shares. */
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"

volatile sig_atomic_t cli_interrupted;

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("ncgsim: ", stderr);
    if (cmd)
        fprintf(stderr, "%s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'ncgsim --help' for more information.\n", stderr);
    return NCG_EXIT_USAGE;
}

int cli_count(const char *s, double min, double max, uint64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v >= min && v <= max) || v != floor(v))
        return -1;
    /* Digits beyond 2^53 are read exactly by strtoull. */
    if (v > 9007199254740992.0) {
        unsigned long long u = strtoull(s, &end, 10);
        if (*end)
            return -1;
        *out = u;
    } else {
        *out = (uint64_t)v;
    }
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    cli_interrupted = 1;
}

void cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
