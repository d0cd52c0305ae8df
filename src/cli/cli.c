/* cli.c: what every command shares: usage errors, exit codes, signals. */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "base/ncgsim.h"
#include "base/status.h"
#include "model/model.h"

volatile sig_atomic_t cli_interrupted;

const char *const cli_plot_formats[] = { "png", "svg", "pdf", NULL };
const char *const cli_plot_choices[] = { "all", "compare", "none", NULL };

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

int cli_exit_code(int status)
{
    switch (status) {
    case NCG_OK: return NCG_EXIT_OK;
    case NCG_ERR_RUN: return NCG_EXIT_RUN;
    case NCG_ERR_USAGE: return NCG_EXIT_USAGE;
    case NCG_ERR_SCENARIO: return NCG_EXIT_SCENARIO;
    case NCG_ERR_IO: return NCG_EXIT_IO;
    case NCG_ERR_NOMEM: return NCG_EXIT_NOMEM;
    case NCG_ERR_INTERRUPTED: return NCG_EXIT_RUN;
    }
    return NCG_EXIT_RUN;
}

void cli_scenario_opts(const opt_value *trials, const opt_value *seed,
                       const opt_value *sets, scenario_opts *so)
{
    memset(so, 0, sizeof *so);
    if (trials && trials->given) {
        so->has_trials = 1;
        so->trials = trials->u;
    }
    if (seed && seed->given) {
        so->has_seed = 1;
        so->seed = seed->u;
    }
    if (sets) {
        so->sets = sets->list;
        so->n_sets = sets->n;
    }
}

int cli_one_model(const cli_command *cmd, int argc, char **argv,
                  opt_value *v, size_t set_opt, one_model_fn *f)
{
    scenario_opts so;
    diag *d = diag_alloc();
    scenario *sc = NULL;
    model *m = NULL;
    int rc = opts_parse(cmd, argc, argv, v);
    if (rc != 0 || !d)
        goto end;
    cli_scenario_opts(NULL, NULL, &v[set_opt], &so);
    if (optind != argc - 1) {
        rc = cli_usage(NULL, "%s: expected one scenario file", cmd->name);
        goto end;
    }
    rc = model_load(argv[optind], &so, &sc, &m, d);
    if (rc == 0 && (f(sc, m, v) != 0 || fflush(stdout) != 0)) {
        diag_add(d, NULL, 0, NULL, "standard output: %s", strerror(errno));
        rc = NCG_EXIT_IO;
    }
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    model_free(m);
    scenario_free(sc);
    opts_values_free(v, cmd->n_opts);
    return rc < 0 ? 0 : rc;
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
    sigaction(SIGHUP, &sa, NULL);
}

int cli_shard(const char *cmd, const opt_value *v, uint32_t *i, uint32_t *k)
{
    unsigned long a, b;
    int end = 0;
    *i = *k = 0;
    if (!v->given)
        return 0;
    if (sscanf(v->s, "%5lu/%6lu%n", &a, &b, &end) != 2 || v->s[end]
        || !(v->s[0] >= '0' && v->s[0] <= '9') || a < 1 || a > b
        || b > 100000)
        return cli_usage(cmd, "--shard: expected I/K with 1 <= I <= K <= "
                         "100000 (shard I of K), e.g. 2/8, got '%s'", v->s);
    *i = (uint32_t)a;
    *k = (uint32_t)b;
    return 0;
}
