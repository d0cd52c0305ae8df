/* ncgsim.h: version and the named exit codes shared by every command. */
#ifndef NCGSIM_H
#define NCGSIM_H

#define NCGSIM_VERSION "0.2.0"

/* The 97.5% quantile of the standard normal: every 95% interval in
 * ncgsim is estimate -+ NCG_Z95 standard errors. Defined once here. */
#define NCG_Z95 1.959963984540054

/* The text of a macro's value, e.g. for gnuplot scripts. */
#define NCG_STR_(x) #x
#define NCG_STR(x) NCG_STR_(x)

/* Exit codes: one meaning each, documented in the README. Only src/cli
 * uses them (cli_exit_code); library code returns base/status.h. */
enum {
    NCG_EXIT_OK = 0,       /* everything asked for was done */
    NCG_EXIT_RUN = 1,      /* a run failed (NaN, infinity, interrupted) */
    NCG_EXIT_USAGE = 2,    /* bad command line */
    NCG_EXIT_SCENARIO = 3, /* a scenario file is wrong */
    NCG_EXIT_IO = 4,       /* a file could not be read or written */
    NCG_EXIT_NOMEM = 5     /* out of memory */
};

#endif
