/* cli.h: what every command shares: usage errors, the exit codes, the
 * options common to several commands, and the interrupt flag. */
#ifndef NCG_CLI_H
#define NCG_CLI_H

#include <signal.h>
#include <stdint.h>
#include "cli/options.h"
#include "model/model.h"
#include "scenario/scenario.h"

/* Prints "ncgsim: [CMD: ]MESSAGE" and the --help hint on stderr; returns
 * NCG_EXIT_USAGE. CMD may be NULL. */
int cli_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The exit code for a library status (base/status.h): the one place where
 * statuses become exit codes. 0 ok, 1 run failed or interrupted, 2 usage,
 * 3 scenario, 4 I/O, 5 out of memory. */
int cli_exit_code(int status);

/* Set to 1 by SIGINT, SIGTERM or SIGHUP once cli_catch_signals has run. */
extern volatile sig_atomic_t cli_interrupted;
void cli_catch_signals(void);

/* SO's trials, seed and --set values from the options given (each may
 * be NULL when the command has no such option); the sets are borrowed
 * from SETS's list. */
void cli_scenario_opts(const opt_value *trials, const opt_value *seed,
                       const opt_value *sets, scenario_opts *so);

/* What `show` and `graph` do with the one model they load: 0, or -1 when
 * writing to stdout failed. V holds the command's option values. */
typedef int one_model_fn(const scenario *sc, const model *m,
                         const opt_value *v);

/* The frame of a command that loads one scenario (show, graph): parses
 * ARGV against CMD into V (CMD->n_opts entries; SET_OPT is the index of
 * its --set), loads the file and calls F. Returns the command's status. */
int cli_one_model(const cli_command *cmd, int argc, char **argv,
                  opt_value *v, size_t set_opt, one_model_fn *f);

/* Options several commands share; HELP is each command's own text. */
#define CLI_OPT_OUT(help_) \
    { .name = "out", .letter = 'o', .kind = OPT_DIR, .arg = "DIR", \
      .help = help_, .expect = "a folder name" }
#define CLI_OPT_TRIALS(help_) \
    { .name = "trials", .letter = 'n', .kind = OPT_COUNT, .arg = "N", \
      .help = help_, .expect = "a whole number of trials from 1 to 1e12", \
      .cmin = 1, .cmax = UINT64_C(1000000000000) }
#define CLI_OPT_SEED(help_) \
    { .name = "seed", .kind = OPT_COUNT, .arg = "S", .help = help_, \
      .expect = "a whole number from 0 to 2^64-1", \
      .cmin = 0, .cmax = UINT64_MAX }
#define CLI_OPT_SET(help_) \
    { .name = "set", .kind = OPT_STRING, .arg = "PATH=VALUE", \
      .help = help_, .repeat = 1 }
#define CLI_OPT_THREADS(help_) \
    { .name = "threads", .letter = 'j', .kind = OPT_COUNT, .arg = "N", \
      .help = help_, .expect = "a number of threads from 1 to 1024", \
      .cmin = 1, .cmax = 1024 }
#define CLI_OPT_FORMAT(help_) \
    { .name = "format", .kind = OPT_CHOICE, .arg = "FMT", .help = help_, \
      .expect = "png, svg or pdf", .choices = cli_plot_formats }
#define CLI_OPT_REFERENCE \
    { .name = "reference", .kind = OPT_STRING, .arg = "NAME", \
      .help = "compare the others with this scenario\n(default: the first)" }
#define CLI_OPT_NO_PLOTS(help_) \
    { .name = "no-plots", .kind = OPT_FLAG, .help = help_ }
/* --plots all|compare|none of the commands that write a batch's folders
 * (batch_plots reads it). */
#define CLI_OPT_PLOTS \
    { .name = "plots", .kind = OPT_CHOICE, .arg = "WHICH", \
      .help = "charts to draw: all, compare (the comparison's;\n" \
              "each scenario's folder gets its scripts, drawn\n" \
              "later by ncgsim plot OUT/NAME) or none (as\n" \
              "--no-plots). Default: all for one scenario,\n" \
              "compare for several (docs/performance.md)", \
      .expect = "all, compare or none", .choices = cli_plot_choices }
#define CLI_OPT_QUIET(help_) \
    { .name = "quiet", .letter = 'q', .kind = OPT_FLAG, .help = help_ }

#define CLI_OPT_SHARD(help_) \
    { .name = "shard", .kind = OPT_STRING, .arg = "I/K", .help = help_ }

/* --shard I/K from V (not given: *I = *K = 0): 0, or a usage error
 * (NCG_EXIT_USAGE, printed) for CMD when it is not two whole numbers
 * with 1 <= I <= K <= 100000. */
int cli_shard(const char *cmd, const opt_value *v, uint32_t *i, uint32_t *k);

/* The values --format takes, NULL-terminated. */
extern const char *const cli_plot_formats[];
/* The values --plots takes, NULL-terminated, in the order of
 * BATCH_PLOTS_ALL .. BATCH_PLOTS_NONE. */
extern const char *const cli_plot_choices[];

#endif
