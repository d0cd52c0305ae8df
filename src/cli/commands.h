/* commands.h: the subcommands that live in their own cmd_<name>.c files. */
#ifndef NCG_COMMANDS_H
#define NCG_COMMANDS_H

/* ncgsim sensitivity FILE [options]: ARGV[0] is the command's name, as
 * main.c passes it. Returns an NCG_EXIT_ code. */
int cmd_sensitivity(int argc, char **argv);

/* ncgsim sweep FILE --vary PATH=FROM:TO:STEP [--vary ...] [options]. */
int cmd_sweep(int argc, char **argv);

/* ncgsim diff A.cfg B.cfg: the settings B changes against A. */
int cmd_diff(int argc, char **argv);

/* ncgsim report OUT: OUT/report.html for the batch in OUT. */
int cmd_report(int argc, char **argv);

/* After `run ... --report`: OUT/report.html, with ARGV (the run command's
 * arguments, ARGV[0] "run") shown as the command that made the batch.
 * Messages go to stderr. Returns an NCG_EXIT_ code. */
int cmd_report_after_run(const char *out, int argc, char **argv, int quiet);
/* ncgsim discover SOURCE --case EXPR [options]: scenario discovery. */
int cmd_discover(int argc, char **argv);
/* cmd_score.c */
int cmd_score(int argc, char **argv);

/* ncgsim robust POLICY.cfg POLICY.cfg... [options]: regret and
 * satisficing of policies on common trials. */
int cmd_robust(int argc, char **argv);

/* Full help of each, for main.c's command table. */
extern const char cmd_sensitivity_usage[];
extern const char cmd_sweep_usage[];
extern const char cmd_diff_usage[];
extern const char cmd_report_usage[];
extern const char cmd_discover_usage[];
extern const char cmd_robust_usage[];
extern const char cmd_score_usage[];

#endif
