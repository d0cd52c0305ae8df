/* cli.h: what every command's option parsing shares: usage errors, whole
 * numbers, and the interrupt flag set by SIGINT/SIGTERM. */
#ifndef NCG_CLI_H
#define NCG_CLI_H

#include <signal.h>
#include <stdint.h>

/* Prints "ncgsim: [CMD: ]MESSAGE" and the --help hint on stderr; returns
 * NCG_EXIT_USAGE. CMD may be NULL. */
int cli_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A whole number in [MIN, MAX], written as digits or like 1e6, into *OUT;
 * digits beyond 2^53 are read exactly. 0, or -1 when S is not one. */
int cli_count(const char *s, double min, double max, uint64_t *out);

/* Set to 1 by SIGINT or SIGTERM once cli_catch_signals has run. */
extern volatile sig_atomic_t cli_interrupted;
void cli_catch_signals(void);

#endif
