/* options.h: the one option table. Each command declares its options once
 * (name, letter, kind of value, help); getopt_long parsing, the command's
 * --help, `ncgsim help CMD`, the man page and the bash completion are all
 * produced from these declarations. */
#ifndef NCG_OPTIONS_H
#define NCG_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What an option's value is, which decides how it is read and completed. */
typedef enum opt_kind {
    OPT_FLAG,    /* no value */
    OPT_COUNT,   /* a whole number in [cmin, cmax] (num_parse_count) */
    OPT_DOUBLE,  /* a decimal number in the range dmin..dmax */
    OPT_STRING,  /* any text */
    OPT_CHOICE,  /* one of choices[] */
    OPT_PATH,    /* a file (completed as a file name) */
    OPT_DIR      /* a folder, not empty (completed as a folder name) */
} opt_kind;

/* OPT_DOUBLE ranges: which ends are excluded. */
enum { OPT_OPEN_MIN = 1, OPT_OPEN_MAX = 2 };

/* One option of one command. */
typedef struct opt_spec {
    const char *name;          /* long name, without "--" */
    char letter;               /* short alias ('n' for -n), or 0 */
    opt_kind kind;
    const char *arg;           /* how help names the value ("N"); NULL for flags */
    const char *help;          /* help text; '\n' continues on a new line */
    const char *expect;        /* for errors: "-n: expected EXPECT, got 'x'" */
    uint64_t cmin, cmax;       /* OPT_COUNT range */
    double dmin, dmax;         /* OPT_DOUBLE range */
    unsigned open;             /* OPT_DOUBLE: OPT_OPEN_MIN | OPT_OPEN_MAX */
    const char *const *choices;/* OPT_CHOICE: NULL-terminated */
    int repeat;                /* may be given several times; all kept */
} opt_spec;

/* What the command line said for one option (index as in the table). */
typedef struct opt_value {
    int given;                 /* how many times it was given */
    uint64_t u;                /* OPT_COUNT */
    double x;                  /* OPT_DOUBLE */
    const char *s;             /* text kinds: the last value (borrowed from argv) */
    const char **list;         /* repeat: every value, in order (owned array) */
    size_t n;                  /* entries in list */
} opt_value;

/* What a command takes after its options, for help and completion. */
typedef enum opt_operands {
    OPERANDS_SCENARIOS,        /* .cfg files or folders of them */
    OPERANDS_RESULTS,          /* result folders */
    OPERANDS_PARTS,            /* part files (.ncgpart) */
    OPERANDS_COMMAND           /* a command's name */
} opt_operands;

/* A command: its name, entry point, help and options. */
typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv); /* returns an exit code */
    const char *synopsis;      /* one line for `ncgsim --help` */
    const char *usage;         /* "ncgsim run FILE|DIR... [options]" */
    const char *about;         /* paragraph after the usage line */
    const char *after;         /* paragraph after the options, or NULL */
    const opt_spec *opts;
    size_t n_opts;
    opt_operands operands;
} cli_command;

#define OPT_COUNT_OF(a) (sizeof (a) / sizeof (a)[0])

/* Returned by opts_parse after printing the command's --help. */
#define OPTS_HELP (-1)

/* Parses ARGV (ARGV[0] is the command's name) against CMD's options into
 * VALS (CMD->n_opts entries, zeroed here). On success returns 0 with
 * optind at the first operand; after --help returns OPTS_HELP; otherwise
 * prints a usage error naming the option (with "did you mean" for a
 * mistyped long option) and returns NCG_EXIT_USAGE. Free VALS with
 * opts_values_free in every case. */
int opts_parse(const cli_command *cmd, int argc, char **argv,
               opt_value *vals);

/* Frees the lists in VALS (N entries); VALS itself is the caller's. */
void opts_values_free(opt_value *vals, size_t n);

/* Prints CMD's full help (usage, about, options, after) to OUT. */
void opts_print_help(const cli_command *cmd, FILE *out);

/* The man page ncgsim.1 (roff) for the N commands in CMDS. */
void opts_print_man(const cli_command *const *cmds, size_t n, FILE *out);

/* A bash completion script for the N commands in CMDS. */
void opts_print_bash_completion(const cli_command *const *cmds, size_t n,
                                FILE *out);

#endif
