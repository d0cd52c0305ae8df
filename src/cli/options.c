/* options.c: parsing, help, man page and completion from the option table. */
#include "cli/options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "base/diag.h"
#include "base/ncgsim.h"
#include "base/num.h"
#include "cli/cli.h"

/* getopt_long's value for the option at index I (letters stay below). */
#define OPT_BASE 256
#define OPT_HELP_VAL 'h'

/* How an error names option O: as the user wrote it, "-n" or "--name"
 * (LONG_FORM: the long name was used). */
static void opt_label(const opt_spec *o, int long_form, char *buf,
                      size_t size)
{
    if (o->letter && !long_form)
        snprintf(buf, size, "-%c", o->letter);
    else
        snprintf(buf, size, "--%s", o->name);
}

/* The getopt_long tables for CMD: *LONGS (malloc'd, terminated) and the
 * short string SHORTS (room for 3 * n + 4). 0 or -1 (out of memory). */
static int build_tables(const cli_command *cmd, struct option **longs,
                        char *shorts)
{
    struct option *lo = calloc(cmd->n_opts + 2, sizeof *lo);
    char *s = shorts;
    if (!lo)
        return -1;
    *s++ = ':';                           /* ':' for a missing value */
    for (size_t i = 0; i < cmd->n_opts; i++) {
        const opt_spec *o = &cmd->opts[i];
        int has_arg = o->kind == OPT_FLAG ? no_argument : required_argument;
        lo[i].name = o->name;
        lo[i].has_arg = has_arg;
        lo[i].val = OPT_BASE + (int)i;
        if (o->letter) {
            *s++ = o->letter;
            if (has_arg == required_argument)
                *s++ = ':';
        }
    }
    lo[cmd->n_opts].name = "help";
    lo[cmd->n_opts].val = OPT_HELP_VAL;
    *s++ = 'h';
    *s = '\0';
    *longs = lo;
    return 0;
}

/* The index of the option with letter C, or CMD->n_opts. */
static size_t by_letter(const cli_command *cmd, int c)
{
    for (size_t i = 0; i < cmd->n_opts; i++)
        if (cmd->opts[i].letter && cmd->opts[i].letter == c)
            return i;
    return cmd->n_opts;
}

/* The usage error for an option getopt did not know: ARG as typed. */
static int unknown_option(const cli_command *cmd, const char *arg)
{
    if (strncmp(arg, "--", 2) == 0) {
        const char *name = arg + 2;
        size_t len = strcspn(name, "=");
        const char **names = calloc(cmd->n_opts + 1, sizeof *names);
        const char *s = NULL;
        if (names) {
            for (size_t i = 0; i < cmd->n_opts; i++)
                names[i] = cmd->opts[i].name;
            names[cmd->n_opts] = "help";
            s = diag_suggest(name, len, names, cmd->n_opts + 1);
        }
        free(names);
        if (s)
            return cli_usage(cmd->name, "unknown option '--%.*s' (did you "
                             "mean '--%s'?)", (int)len, name, s);
        return cli_usage(cmd->name, "unknown option '--%.*s'", (int)len, name);
    }
    return cli_usage(cmd->name, "unknown option '%s'", arg);
}

/* Reads ARG, the value of option O, into V; 0 or NCG_EXIT_USAGE. */
static int take_value(const cli_command *cmd, const opt_spec *o,
                      int long_form, const char *arg, opt_value *v)
{
    char label[64];
    int ok = 1;
    opt_label(o, long_form, label, sizeof label);
    switch (o->kind) {
    case OPT_FLAG:
        break;
    case OPT_COUNT:
        ok = num_parse_count(arg, o->cmin, o->cmax, &v->u) == 0;
        break;
    case OPT_DOUBLE: {
        double x;
        ok = num_parse_double(arg, &x) == 0
             && (o->open & OPT_OPEN_MIN ? x > o->dmin : x >= o->dmin)
             && (o->open & OPT_OPEN_MAX ? x < o->dmax : x <= o->dmax);
        if (ok)
            v->x = x;
        break;
    }
    case OPT_CHOICE:
        ok = 0;
        for (size_t i = 0; o->choices && o->choices[i]; i++)
            ok |= strcmp(arg, o->choices[i]) == 0;
        break;
    case OPT_DIR:
    case OPT_PATH:
        ok = *arg != '\0';
        break;
    case OPT_STRING:
        break;
    }
    if (!ok)
        return cli_usage(cmd->name, "%s: expected %s, got '%s'", label,
                         o->expect ? o->expect : "a value", arg);
    v->s = arg;
    if (o->repeat) {
        const char **nl = realloc(v->list, (v->n + 1) * sizeof *nl);
        if (!nl)
            return cli_usage(cmd->name, "out of memory");
        nl[v->n++] = arg;
        v->list = nl;
    }
    v->given++;
    return 0;
}

int opts_parse(const cli_command *cmd, int argc, char **argv,
               opt_value *vals)
{
    struct option *longs = NULL;
    char *shorts = malloc(3 * cmd->n_opts + 4);
    int rc = 0, c;
    if (vals)
        memset(vals, 0, cmd->n_opts * sizeof *vals);
    if (!shorts || build_tables(cmd, &longs, shorts) != 0) {
        rc = cli_usage(cmd->name, "out of memory");
        goto end;
    }
    optind = 1;
    opterr = 0;
    int li = -1;
    while (rc == 0 && (c = getopt_long(argc, argv, shorts, longs, &li)) != -1) {
        size_t i;
        int long_form = li >= 0;
        li = -1;
        if (c == OPT_HELP_VAL) {
            opts_print_help(cmd, stdout);
            rc = OPTS_HELP;
        } else if (c == '?') {
            rc = unknown_option(cmd, argv[optind - 1]);
        } else if (c == ':') {
            rc = cli_usage(cmd->name, "option '%s' needs a value",
                           argv[optind - 1]);
        } else {
            i = c >= OPT_BASE ? (size_t)(c - OPT_BASE) : by_letter(cmd, c);
            if (i < cmd->n_opts)
                rc = take_value(cmd, &cmd->opts[i], long_form, optarg,
                                &vals[i]);
        }
    }
end:
    free(longs);
    free(shorts);
    return rc;
}

void opts_values_free(opt_value *vals, size_t n)
{
    for (size_t i = 0; vals && i < n; i++) {
        free(vals[i].list);
        vals[i].list = NULL;
        vals[i].n = 0;
    }
}

/* Column where option help text starts in --help. */
#define HELP_COL 23

void opts_print_help(const cli_command *cmd, FILE *out)
{
    fprintf(out, "Usage: %s\n%s", cmd->usage, cmd->about);
    if (cmd->n_opts)
        fputc('\n', out);
    for (size_t i = 0; i < cmd->n_opts; i++) {
        const opt_spec *o = &cmd->opts[i];
        char left[96];
        int len;
        if (o->letter)
            len = snprintf(left, sizeof left, "  -%c, --%s%s%s", o->letter,
                           o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        else
            len = snprintf(left, sizeof left, "      --%s%s%s", o->name,
                           o->arg ? " " : "", o->arg ? o->arg : "");
        fputs(left, out);
        if (len < HELP_COL)
            fprintf(out, "%*s", HELP_COL - len, "");
        else
            fputs("  ", out);
        for (const char *h = o->help; *h; h++) {
            fputc(*h, out);
            if (*h == '\n')
                fprintf(out, "%*s", HELP_COL, "");
        }
        fputc('\n', out);
    }
    if (cmd->after)
        fprintf(out, "\n%s", cmd->after);
}

/* TEXT for roff: '\n' becomes a space, '-' and '\' are escaped, and a line
 * never starts with '.' or '\''. */
static void roff_text(const char *text, FILE *out)
{
    int at_start = 1;
    for (const char *t = text; *t; t++) {
        if (at_start && (*t == '.' || *t == '\''))
            fputs("\\&", out);
        at_start = 0;
        if (*t == '\n') {
            fputc('\n', out);
            at_start = 1;
        } else if (*t == '-') {
            fputs("\\-", out);
        } else if (*t == '\\') {
            fputs("\\e", out);
        } else {
            fputc(*t, out);
        }
    }
}

/* An option as the man page's tagged paragraph. */
static void man_option(const opt_spec *o, FILE *out)
{
    fputs(".TP\n", out);
    if (o->letter)
        fprintf(out, "\\fB\\-%c\\fR, ", o->letter);
    fputs("\\fB\\-\\-", out);
    roff_text(o->name, out);
    fputs("\\fR", out);
    if (o->arg) {
        fputs(" \\fI", out);
        roff_text(o->arg, out);
        fputs("\\fR", out);
    }
    fputc('\n', out);
    for (const char *h = o->help; *h; h++) {
        /* Continuation lines of the help join into one paragraph (a word
         * broken after its hyphen joins without a space). */
        if (*h == '\n' && h > o->help && h[-1] == '-')
            continue;
        char one[2] = { *h == '\n' ? ' ' : *h, '\0' };
        roff_text(one, out);
    }
    fputc('\n', out);
}

void opts_print_man(const cli_command *const *cmds, size_t n, FILE *out)
{
    fprintf(out, ".TH NCGSIM 1 \"\" \"ncgsim %s\" \"User Commands\"\n"
            ".SH NAME\nncgsim \\- Monte Carlo scenarios of the South "
            "Korea\\-US alliance's extended deterrence\n"
            ".SH SYNOPSIS\n.B ncgsim\n.I COMMAND\n[\\fIoptions\\fR] "
            "[\\fIfiles\\fR]\n.br\n.B ncgsim\n\\-\\-help | \\-\\-version\n"
            ".SH DESCRIPTION\nncgsim runs policy scenarios written as "
            "libconfig files, many times over with random draws, and writes "
            "the distributions of their outcomes as CSV files and gnuplot "
            "charts.\nEach command takes \\fB\\-\\-help\\fR; "
            "\\fBncgsim help\\fR \\fICOMMAND\\fR prints the same.\n"
            ".SH COMMANDS\n", NCGSIM_VERSION);
    for (size_t c = 0; c < n; c++) {
        const cli_command *cmd = cmds[c];
        fputs(".SS ", out);
        roff_text(cmd->name, out);
        fputs("\n.B ", out);
        roff_text(cmd->usage, out);
        fputs("\n.PP\n", out);
        roff_text(cmd->about, out);
        for (size_t i = 0; i < cmd->n_opts; i++)
            man_option(&cmd->opts[i], out);
        if (cmd->after) {
            fputs(".PP\n", out);
            roff_text(cmd->after, out);
        }
    }
    fputs(".SH EXIT STATUS\n"
          ".TP\n0\neverything asked for was done\n"
          ".TP\n1\na run failed (NaN, infinity) or was interrupted\n"
          ".TP\n2\nbad command line\n"
          ".TP\n3\na scenario file is wrong\n"
          ".TP\n4\na file could not be read or written\n"
          ".SH ENVIRONMENT\n.TP\nNCGSIM_PLOTS\n"
          "the folder holding the plot style (style.gp) to use instead of "
          "the installed one\n"
          ".SH FILES\n.TP\nOUT/NAME/\n"
          "one result folder per scenario: summary.csv, timeseries.csv, "
          "histograms.csv, events.csv, counts.csv, clamped.csv, "
          "resolved.cfg and the plots (a batch's: their scripts, see "
          "\\-\\-plots)\n"
          ".SH SEE ALSO\n.BR gnuplot (1),\n.BR dot (1)\n", out);
}

/* The words bash offers after option O (a shell fragment), or NULL. */
static void completion_values(const opt_spec *o, FILE *out)
{
    switch (o->kind) {
    case OPT_DIR:
        fputs("COMPREPLY=($(compgen -d -- \"$cur\")); return;;\n", out);
        break;
    case OPT_PATH:
        fputs("COMPREPLY=($(compgen -f -- \"$cur\")); return;;\n", out);
        break;
    case OPT_CHOICE:
        fputs("COMPREPLY=($(compgen -W '", out);
        for (size_t i = 0; o->choices[i]; i++)
            fprintf(out, "%s%s", i ? " " : "", o->choices[i]);
        fputs("' -- \"$cur\")); return;;\n", out);
        break;
    default:
        fputs("return;;\n", out);
        break;
    }
}

void opts_print_bash_completion(const cli_command *const *cmds, size_t n,
                                FILE *out)
{
    fputs("# bash completion for ncgsim (generated by `ncgsim help "
          "--completion`)\n_ncgsim()\n{\n"
          "    local cur prev cmd i\n"
          "    cur=${COMP_WORDS[COMP_CWORD]}\n"
          "    prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    COMPREPLY=()\n"
          "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
          "        COMPREPLY=($(compgen -W '", out);
    for (size_t c = 0; c < n; c++)
        fprintf(out, "%s%s", c ? " " : "", cmds[c]->name);
    fputs(" --help --version' -- \"$cur\"))\n        return\n    fi\n"
          "    cmd=${COMP_WORDS[1]}\n    case \"$cmd\" in\n", out);
    for (size_t c = 0; c < n; c++) {
        const cli_command *cmd = cmds[c];
        fprintf(out, "    %s)\n        case \"$prev\" in\n", cmd->name);
        for (size_t i = 0; i < cmd->n_opts; i++) {
            const opt_spec *o = &cmd->opts[i];
            if (o->kind == OPT_FLAG)
                continue;
            fprintf(out, "        --%s", o->name);
            if (o->letter)
                fprintf(out, "|-%c", o->letter);
            fputs(") ", out);
            completion_values(o, out);
        }
        fputs("        esac\n        if [[ $cur == -* ]]; then\n"
              "            COMPREPLY=($(compgen -W '", out);
        for (size_t i = 0; i < cmd->n_opts; i++) {
            fprintf(out, "--%s ", cmd->opts[i].name);
            if (cmd->opts[i].letter)
                fprintf(out, "-%c ", cmd->opts[i].letter);
        }
        fputs("--help' -- \"$cur\"))\n            return\n        fi\n", out);
        switch (cmd->operands) {
        case OPERANDS_SCENARIOS:
            fputs("        COMPREPLY=($(compgen -d -- \"$cur\") "
                  "$(compgen -f -X '!*.cfg' -- \"$cur\"))\n", out);
            break;
        case OPERANDS_RESULTS:
            fputs("        COMPREPLY=($(compgen -d -- \"$cur\"))\n", out);
            break;
        case OPERANDS_PARTS:
            fputs("        COMPREPLY=($(compgen -d -- \"$cur\") "
                  "$(compgen -f -X '!*.ncgpart' -- \"$cur\"))\n", out);
            break;
        case OPERANDS_COMMAND:
            fputs("        COMPREPLY=($(compgen -W '", out);
            for (size_t k = 0; k < n; k++)
                fprintf(out, "%s%s", k ? " " : "", cmds[k]->name);
            fputs("' -- \"$cur\"))\n", out);
            break;
        }
        fputs("        ;;\n", out);
    }
    fputs("    esac\n}\ncomplete -F _ncgsim ncgsim\n", out);
}
