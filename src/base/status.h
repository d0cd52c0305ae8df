/* status.h: what library functions (everything outside src/cli) return.
 * The command line alone turns a status into an exit code
 * (cli_exit_code in src/cli/cli.c). */
#ifndef NCG_STATUS_H
#define NCG_STATUS_H

typedef enum ncg_status {
    NCG_OK = 0,            /* everything asked for was done */
    NCG_ERR_RUN = 1,       /* a run failed: NaN, infinity, a model error */
    NCG_ERR_USAGE = 2,     /* the caller asked for something impossible
                            * (a bad value from the command line) */
    NCG_ERR_SCENARIO = 3,  /* a scenario file is wrong */
    NCG_ERR_IO = 4,        /* a file could not be read or written */
    NCG_ERR_NOMEM = 5,     /* out of memory, wherever it happens */
    NCG_ERR_INTERRUPTED = 6 /* stopped by SIGINT, SIGTERM or SIGHUP */
} ncg_status;

/* The status to report when two steps returned A and B: out of memory
 * outranks I/O trouble, which outranks the rest; any failure outranks
 * success; otherwise the first. */
int ncg_status_worse(int a, int b);

#endif
