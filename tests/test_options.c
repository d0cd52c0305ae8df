/* test_options.c: the option table: numbers read one way, parsing, errors
 * with "did you mean", seeds exact through every command, help, the man
 * page and the bash completion made from the table. */
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/ncgsim.h"
#include "base/num.h"
#include "cli/options.h"
#include "testutil.h"

#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""

/* num_parse_count over [0, 2^64-1]: exact or refused, case by case. */
static void test_options__seed_values__read_exactly_or_refused(void)
{
    static const struct { const char *s; int ok; uint64_t v; } cases[] = {
        { "0", 1, 0 },
        { "9007199254740993", 1, UINT64_C(9007199254740993) },   /* 2^53+1 */
        { "18446744073709551615", 1, UINT64_MAX },             /* 2^64-1 */
        { "18446744073709551616", 0, 0 },                      /* 2^64 */
        { "18446744073709553663", 0, 0 },                      /* 2^64+2047 */
        { "99999999999999999999999", 0, 0 },
        { "1e6", 1, 1000000 },
        { "2.5e3", 1, 2500 },
        { "1e19", 0, 0 },          /* above 2^53 in exponent form: ambiguous */
        { "-1", 0, 0 },
        { "+5", 0, 0 },
        { "0x10", 0, 0 },
        { "", 0, 0 },
        { " 5", 0, 0 },
        { "5 ", 0, 0 },
        { "1.5", 0, 0 },
        { "inf", 0, 0 },
        { "nan", 0, 0 },
        { "12abc", 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v = 12345;
        int rc = num_parse_count(cases[i].s, 0, UINT64_MAX, &v);
        if ((rc == 0) != cases[i].ok || (cases[i].ok && v != cases[i].v))
            fprintf(stderr, "\nnum_parse_count(\"%s\") = %d, %llu\n",
                    cases[i].s, rc, (unsigned long long)v);
        CU_ASSERT_EQUAL(rc == 0, cases[i].ok);
        if (cases[i].ok) {
            CU_ASSERT_EQUAL(v, cases[i].v);
        } else {
            CU_ASSERT_EQUAL(v, 12345);   /* left alone */
        }
    }
    uint64_t v;
    CU_ASSERT_EQUAL(num_parse_count("0", 1, 10, &v), -1);
    CU_ASSERT_EQUAL(num_parse_count("11", 1, 10, &v), -1);
    CU_ASSERT_EQUAL(num_parse_count("10", 1, 10, &v), 0);
}

static void test_options__doubles__finite_decimals_only(void)
{
    double x = 0;
    CU_ASSERT_EQUAL(num_parse_double("0.005", &x), 0);
    CU_ASSERT_DOUBLE_EQUAL(x, 0.005, 0);
    CU_ASSERT_EQUAL(num_parse_double("-2.5e-3", &x), 0);
    CU_ASSERT_DOUBLE_EQUAL(x, -0.0025, 0);
    const char *bad[] = { "", "inf", "nan", "0x1p3", "1e999", " 1", "1 ",
                          "1,5", "--1", "+1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL(num_parse_double(bad[i], &x), -1);
}

/* A command table of the test's own, to check the parser alone. */
enum { T_TRIALS, T_SEED, T_SET, T_RATE, T_MODE, T_QUIET, T_N };
static const char *const t_modes[] = { "fast", "slow", NULL };
static const opt_spec t_opts[T_N] = {
    [T_TRIALS] = { .name = "trials", .letter = 'n', .kind = OPT_COUNT,
                   .arg = "N", .help = "trials", .expect = "a number of trials",
                   .cmin = 1, .cmax = 100 },
    [T_SEED] = { .name = "seed", .kind = OPT_COUNT, .arg = "S", .help = "seed",
                 .expect = "a seed", .cmin = 0, .cmax = UINT64_MAX },
    [T_SET] = { .name = "set", .kind = OPT_STRING, .arg = "P=V",
                .help = "override", .repeat = 1 },
    [T_RATE] = { .name = "rate", .kind = OPT_DOUBLE, .arg = "R",
                 .help = "a rate\nin (0, 1)", .expect = "a rate",
                 .dmin = 0, .dmax = 1, .open = OPT_OPEN_MIN },
    [T_MODE] = { .name = "mode", .kind = OPT_CHOICE, .arg = "M",
                 .help = "mode", .expect = "fast or slow", .choices = t_modes },
    [T_QUIET] = { .name = "quiet", .letter = 'q', .kind = OPT_FLAG,
                  .help = "quiet" },
};
static int t_fn(int argc, char **argv) { (void)argc; (void)argv; return 0; }
static const cli_command t_cmd = {
    "tcmd", t_fn, "a test command", "ncgsim tcmd [options] FILE",
    "About.\n", "After.\n", t_opts, T_N, OPERANDS_SCENARIOS
};

/* Parses the NULL-terminated ARGS with stderr sent to /dev/null. */
static int t_parse(const char **args, opt_value *v)
{
    char *argv[16];
    int argc = 0;
    while (args[argc] && argc < 15) {
        argv[argc] = (char *)args[argc];
        argc++;
    }
    argv[argc] = NULL;
    /* The usage messages are checked through the binary below. */
    fflush(stderr);
    int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
    if (null >= 0)
        dup2(null, STDERR_FILENO);
    int rc = opts_parse(&t_cmd, argc, argv, v);
    fflush(stderr);
    if (saved >= 0)
        dup2(saved, STDERR_FILENO);
    if (null >= 0)
        close(null);
    if (saved >= 0)
        close(saved);
    return rc;
}

static void test_options__parse__values_lists_and_operands(void)
{
    opt_value v[T_N];
    const char *args[] = { "tcmd", "-n", "7", "--set", "a=1", "x.cfg",
                           "--set=b=2", "--rate", "0.25", "--mode", "slow",
                           "-q", "--seed", "18446744073709551615", NULL };
    CU_ASSERT_EQUAL_FATAL(t_parse(args, v), 0);
    CU_ASSERT_EQUAL(v[T_TRIALS].u, 7);
    CU_ASSERT_EQUAL(v[T_SEED].u, UINT64_MAX);
    CU_ASSERT_EQUAL(v[T_SET].n, 2);
    CU_ASSERT_STRING_EQUAL(v[T_SET].list[0], "a=1");
    CU_ASSERT_STRING_EQUAL(v[T_SET].list[1], "b=2");
    CU_ASSERT_DOUBLE_EQUAL(v[T_RATE].x, 0.25, 0);
    CU_ASSERT_STRING_EQUAL(v[T_MODE].s, "slow");
    CU_ASSERT_EQUAL(v[T_QUIET].given, 1);
    CU_ASSERT_EQUAL(optind, 13);   /* getopt moved the operand last */
    opts_values_free(v, T_N);
}

static void test_options__parse__bad_values_are_usage_errors(void)
{
    static const char *const bad[][4] = {
        { "tcmd", "-n", "0", NULL },       /* below the range */
        { "tcmd", "-n", "101", NULL },     /* above the range */
        { "tcmd", "--seed", "18446744073709551616", NULL },
        { "tcmd", "--seed", "-1", NULL },
        { "tcmd", "--rate", "0", NULL },   /* open at 0 */
        { "tcmd", "--mode", "medium", NULL },
        { "tcmd", "--trails", "5", NULL },
        { "tcmd", "-x", NULL, NULL },
        { "tcmd", "--seed", NULL, NULL },  /* no value */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        opt_value v[T_N];
        const char *args[5] = { bad[i][0], bad[i][1], bad[i][2], bad[i][3],
                                NULL };
        CU_ASSERT_EQUAL(t_parse(args, v), NCG_EXIT_USAGE);
        opts_values_free(v, T_N);
    }
}

/* Through the binary: messages name the option as typed and suggest. */
static void test_options__cli__messages_name_the_option_and_suggest(void)
{
    static const struct { const char *cmd, *want; } cases[] = {
        { " run --trails 5 x.cfg",
          "ncgsim: run: unknown option '--trails' (did you mean '--trials'?)" },
        { " sensitivity --seeed 1 x.cfg",
          "ncgsim: sensitivity: unknown option '--seeed' (did you mean '--seed'?)" },
        { " run --seed 18446744073709551616 x.cfg",
          "ncgsim: run: --seed: expected a whole number from 0 to 2^64-1, "
          "got '18446744073709551616'" },
        { " sweep --seed 18446744073709551616 x.cfg",
          "ncgsim: sweep: --seed: expected a whole number from 0 to 2^64-1, "
          "got '18446744073709551616'" },
        { " sensitivity --seed 0x10 x.cfg",
          "ncgsim: sensitivity: --seed: expected a whole number from 0 to "
          "2^64-1, got '0x10'" },
        { " run --seed '' x.cfg",
          "ncgsim: run: --seed: expected a whole number from 0 to 2^64-1, "
          "got ''" },
        { " run -j 0 x.cfg",
          "ncgsim: run: -j: expected a number of threads from 1 to 1024, got '0'" },
        { " run --format gif x.cfg",
          "ncgsim: run: --format: expected png, svg or pdf, got 'gif'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[256], *out = NULL;
        snprintf(cmd, sizeof cmd, BIN "%s", cases[i].cmd);
        CU_ASSERT_EQUAL(test_run(cmd, &out), NCG_EXIT_USAGE);
        int found = out && strstr(out, cases[i].want) != NULL;
        if (!found)
            fprintf(stderr, "\n%s\n  got: %s\n  want: %s\n", cmd,
                    out ? out : "(nothing)", cases[i].want);
        CU_ASSERT(found);
        free(out);
    }
}

static const char *tiny_model =
    "name = \"tiny\";\n"
    "simulation = { trials = 200; steps = 2; seed = 1; };\n"
    "params = { p = { dist = \"beta\"; a = 2.0; b = 5.0; };\n"
    "           k = { dist = \"const\"; value = 0.5; }; };\n"
    "events = { e = { p = \"p * k\"; kind = \"recurrent\"; }; };\n"
    "states = { s = { init = \"10\"; next = \"s + e\"; }; };\n"
    "outputs = [\"s\", \"e\"];\n";

/* 1 when DIR/SUB/resolved.cfg records SEED (as a 64-bit integer, or as
 * digits in a string above libconfig's signed range). */
static int records_seed(const char *dir, const char *sub, const char *seed)
{
    char path[512], want[64], quoted[64];
    snprintf(path, sizeof path, "%s/%s/resolved.cfg", dir, sub);
    snprintf(want, sizeof want, "seed = %sL;", seed);
    snprintf(quoted, sizeof quoted, "seed = \"%s\";", seed);
    char *text = test_read(path);
    int ok = text && (strstr(text, want) || strstr(text, quoted));
    if (!ok)
        fprintf(stderr, "\n%s: no '%s'\n", path, want);
    free(text);
    return ok;
}

/* 2^53+1 and 2^64-1 reach resolved.cfg unchanged from run, sensitivity
 * and sweep alike (one parser). */
static void test_options__seeds__exact_in_resolved_cfg_for_every_command(void)
{
    static const char *const seeds[] = { "9007199254740993",
                                         "18446744073709551615" };
    char *dir = test_tmpdir();
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char *file = test_write(dir, "tiny.cfg", tiny_model);
    for (size_t i = 0; i < 2; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -o %s/r%zu "
                 "--seed %s %s", dir, i, seeds[i], file);
        CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
        snprintf(cmd, sizeof cmd, BIN " sensitivity -q --no-plots -n 100 "
                 "--bootstrap 2 -o %s/r%zu --seed %s %s", dir, i, seeds[i],
                 file);
        CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
        snprintf(cmd, sizeof cmd, BIN " sweep -q --no-plots -n 100 -o "
                 "%s/r%zu --vary k=0.2:0.4:0.2 --seed %s %s", dir, i,
                 seeds[i], file);
        CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
        char sub[64];
        snprintf(sub, sizeof sub, "r%zu/tiny", i);
        CU_ASSERT(records_seed(dir, sub, seeds[i]));
        snprintf(sub, sizeof sub, "r%zu/tiny-sensitivity", i);
        CU_ASSERT(records_seed(dir, sub, seeds[i]));
        snprintf(sub, sizeof sub, "r%zu/tiny-sweep", i);
        CU_ASSERT(records_seed(dir, sub, seeds[i]));
    }
    free(file);
    test_rmrf(dir);
    free(dir);
}

/* --help and help CMD print the same text, made from the table. */
static void test_options__help__same_from_both_ways(void)
{
    static const char *const cmds[] = { "run", "compare", "check", "show",
                                        "graph", "plot", "sensitivity",
                                        "sweep", "help" };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char a[128], b[128], *x = NULL, *y = NULL;
        snprintf(a, sizeof a, BIN " %s --help", cmds[i]);
        snprintf(b, sizeof b, BIN " help %s", cmds[i]);
        CU_ASSERT_EQUAL(test_run(a, &x), 0);
        CU_ASSERT_EQUAL(test_run(b, &y), 0);
        CU_ASSERT(x && y && strcmp(x, y) == 0);
        CU_ASSERT(x && strncmp(x, "Usage: ncgsim ", 14) == 0);
        free(x);
        free(y);
    }
}

/* The man page has a section per command and every option of each. */
static void test_options__man_page__lists_every_command(void)
{
    char *out = NULL;
    CU_ASSERT_EQUAL_FATAL(test_run(BIN " help --man", &out), 0);
    CU_ASSERT_FATAL(out != NULL);
    CU_ASSERT(strncmp(out, ".TH NCGSIM 1 ", 13) == 0);
    static const char *const want[] = {
        ".SS run\n", ".SS sensitivity\n", ".SS sweep\n", ".SS plot\n",
        "\\fB\\-\\-seed\\fR \\fIS\\fR", "\\fB\\-n\\fR, \\fB\\-\\-trials\\fR",
        ".SH EXIT STATUS\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CU_ASSERT(strstr(out, want[i]) != NULL);
    free(out);
    /* It renders without roff warnings where man is installed. */
    char *dir = test_tmpdir(), cmd[512], *log = NULL;
    snprintf(cmd, sizeof cmd, "command -v man >/dev/null || exit 0; "
             BIN " help --man > %s/ncgsim.1 && MANWIDTH=80 man -l "
             "%s/ncgsim.1 2>&1 >/dev/null", dir, dir);
    CU_ASSERT_EQUAL(test_run(cmd, &log), 0);
    CU_ASSERT(log && *log == '\0');
    free(log);
    test_rmrf(dir);
    free(dir);
}

/* The completion script, loaded in bash, completes commands, options
 * and option values (COMP_WORDS as bash fills them). */
static void test_options__bash_completion__completes_commands_and_options(void)
{
    char *dir = test_tmpdir(), cmd[2048], *out = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    snprintf(cmd, sizeof cmd,
             "command -v bash >/dev/null || { echo 'no bash'; exit 0; }; "
             BIN " help --completion > %s/ncgsim.bash && bash -c '"
             "source %s/ncgsim.bash; complete -p ncgsim; "
             "t() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _ncgsim; "
             "echo \"${COMPREPLY[*]}\"; }; "
             "t ncgsim sw; t ncgsim run --tr; t ncgsim sweep --va; "
             "t ncgsim run --format \"\"; t ncgsim help sen'",
             dir, dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "",
                           "complete -F _ncgsim ncgsim\n"
                           "sweep\n"
                           "--trials\n"
                           "--vary\n"
                           "png svg pdf\n"
                           "sensitivity\n");
    free(out);
    test_rmrf(dir);
    free(dir);
}


/* The README's command reference against the table: every command the
 * binary has is listed, and every option the README shows for a command
 * is one that command's --help lists. */
static void test_options__readme_reference__matches_the_table(void)
{
    char *readme = test_read("README.md");
    CU_ASSERT_PTR_NOT_NULL_FATAL(readme);
    char *start = strstr(readme, "## Command-line reference");
    char *block = start ? strstr(start, "```\n") : NULL;
    char *end = block ? strstr(block + 4, "```") : NULL;
    CU_ASSERT_FATAL(block && end);
    *end = '\0';
    char *overview = NULL;
    CU_ASSERT_EQUAL(test_run(BIN " --help", &overview), 0);
    /* Every command of the overview ("  name  synopsis") is in the block. */
    for (char *l = overview ? strstr(overview, "Commands:\n") : NULL;
         l && (l = strchr(l, '\n')) && l[1] == ' ' && l[2] == ' '; l++) {
        char name[32], want[48];
        if (sscanf(l + 1, "%31s", name) != 1)
            break;
        snprintf(want, sizeof want, "ncgsim %s ", name);
        if (!strstr(block, want))
            fprintf(stderr, "\nREADME: no '%s'\n", want);
        CU_ASSERT(strstr(block, want) != NULL);
    }
    free(overview);
    /* Every option on a command's lines is in that command's --help. */
    char cmd[32] = "", *help = NULL;
    for (char *line = strtok(block + 4, "\n"); line; line = strtok(NULL, "\n")) {
        char *p = line;
        if (strncmp(line, "ncgsim ", 7) == 0 && line[7] != '-') {
            sscanf(line + 7, "%31s", cmd);
            char run[96];
            free(help);
            help = NULL;
            snprintf(run, sizeof run, BIN " %s --help", cmd);
            test_run(run, &help);
            p = line + 7;
        } else if (line[0] != ' ') {
            continue;
        }
        for (; (p = strchr(p, '-')) != NULL; p++) {
            if (p[-1] != ' ' && p[-1] != '[' && p[-1] != '|')
                continue;
            size_t n = strspn(p, "-abcdefghijklmnopqrstuvwxyz");
            if (n < 2 || !*cmd)
                continue;
            char opt[40];
            snprintf(opt, sizeof opt, "%.*s", (int)n, p);
            int found = help && strstr(help, opt) != NULL;
            if (!found)
                fprintf(stderr, "\nREADME: '%s' shows %s, not in its --help\n",
                        cmd, opt);
            CU_ASSERT(found);
            p += n - 1;
        }
    }
    free(help);
    free(readme);
}

void test_options_register(void);
void test_options_register(void)
{
    static const test_case cases[] = {
        { "seed values are read exactly or refused", test_options__seed_values__read_exactly_or_refused },
        { "doubles: finite decimals only", test_options__doubles__finite_decimals_only },
        { "parse: values, lists and operands", test_options__parse__values_lists_and_operands },
        { "parse: bad values are usage errors", test_options__parse__bad_values_are_usage_errors },
        { "CLI messages name the option and suggest", test_options__cli__messages_name_the_option_and_suggest },
        { "seeds are exact in resolved.cfg for every command", test_options__seeds__exact_in_resolved_cfg_for_every_command },
        { "help: the same from both ways", test_options__help__same_from_both_ways },
        { "the man page lists every command", test_options__man_page__lists_every_command },
        { "bash completion completes commands and options", test_options__bash_completion__completes_commands_and_options },
        { "the README's reference matches the table", test_options__readme_reference__matches_the_table },
    };
    TEST_SUITE("options", cases);
}
