/* cmd_report.c: the `report` command and `run --report`: a batch's briefing as one HTML file. */
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/status.h"
#include "cli/cli.h"
#include "report/report.h"
#include "run/engine.h"

enum { REPORT_QUIET, REPORT_N_OPTS };

static const opt_spec report_opts_table[REPORT_N_OPTS] = {
    [REPORT_QUIET] = CLI_OPT_QUIET("do not print where the report went"),
};

const cli_command cmd_report_def = {
    "report", cmd_report, "write a batch's briefing as one HTML file",
    "ncgsim report OUT [-q]",
    "Writes OUT/report.html, the briefing of the batch whose results are in\n"
    "OUT (the folder given to `run -o`): one self-contained page that opens\n"
    "in any browser and prints to PDF. In order: the question and the\n"
    "answer (each output per scenario with its paired difference from the\n"
    "reference and 95% interval; events as the probability that they\n"
    "happened by the end, also in words on the ICD 203 scale), what each\n"
    "scenario assumes (every setting it changes against the reference, with\n"
    "sources and notes), the charts (SVG), the method (trials, seed,\n"
    "sampler, model hash, commands to reproduce, Monte Carlo error) and the\n"
    "sources. `ncgsim run ... --report` writes it after the run.\n",
    NULL, report_opts_table, REPORT_N_OPTS, OPERANDS_RESULTS
};

/* ARGV as one shell command line ("ncgsim run a.cfg -o 'my results'"), in
 * a malloc'd string, or NULL when out of memory. */
static char *quote_command(int argc, char **argv)
{
    size_t cap = 16;
    for (int i = 0; i < argc; i++)
        cap += 4 * strlen(argv[i]) + 3;
    char *s = malloc(cap), *w = s;
    if (!s)
        return NULL;
    w += sprintf(w, "ncgsim");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int plain = *a != '\0';
        for (const char *p = a; *p; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789-_./=:,+@%", *p))
                plain = 0;
        *w++ = ' ';
        if (plain) {
            w += sprintf(w, "%s", a);
            continue;
        }
        *w++ = '\'';
        for (const char *p = a; *p; p++) {
            if (*p == '\'') {
                memcpy(w, "'\\''", 4);
                w += 4;
            } else {
                *w++ = *p;
            }
        }
        *w++ = '\'';
        *w = '\0';
    }
    return s;
}

int cmd_report_after_run(const char *out, int argc, char **argv, int quiet,
                         int threads)
{
    diag *d = diag_alloc();
    char *command = quote_command(argc, argv);
    report_opts o = { command, quiet, threads };
    int rc = d ? report_write(out, &o, d) : NCG_ERR_NOMEM;
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    free(command);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    opt_value v[REPORT_N_OPTS];
    int rc = opts_parse(&cmd_report_def, argc, argv, v);
    opts_values_free(v, REPORT_N_OPTS);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (argc - optind > 1)
        return cli_usage("report", "expected one results folder");
    const char *out = optind < argc ? argv[optind] : NULL;
    int quiet = v[REPORT_QUIET].given > 0;
    if (!out || !*out)
        return cli_usage("report", "give the results folder of a batch (the "
                         "folder given to run -o, e.g. results)");
    diag *d = diag_alloc();
    report_opts o = { NULL, quiet, engine_cores() };
    rc = d ? report_write(out, &o, d) : NCG_ERR_NOMEM;
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    return rc;
}
