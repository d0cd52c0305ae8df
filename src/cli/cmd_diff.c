/* cmd_diff.c: the `diff` command: the settings scenario B changes against A. */
#include "cli/commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "analysis/diff.h"
#include "base/ncgsim.h"
#include "base/status.h"
#include "cli/cli.h"
#include "scenario/scenario.h"

const cli_command cmd_diff_def = {
    "diff", cmd_diff, "settings one scenario changes against another",
    "ncgsim diff A.cfg B.cfg",
    "Prints every setting that scenario B changes against scenario A (the\n"
    "reference), both taken after extends: the setting's path, A's value\n"
    "(-) and B's (+), each with the file and line it came from, and the\n"
    "source and note of the variable it belongs to. Name, title and\n"
    "description are left out. Exit code 0 whether or not they differ; 3\n"
    "when a scenario is wrong, 4 when a file cannot be read.\n",
    NULL, NULL, 0, OPERANDS_SCENARIOS
};

int cmd_diff(int argc, char **argv)
{
    diag *d = diag_alloc();
    scenario *a = NULL, *b = NULL;
    diff_list *l = NULL;
    scenario_opts none = { 0 };
    int rc = opts_parse(&cmd_diff_def, argc, argv, NULL);
    if (rc != 0)
        goto end;
    if (!d) {
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    if (argc - optind != 2) {
        rc = cli_usage("diff", "expected two scenario files, A.cfg B.cfg");
        goto end;
    }
    int ra = scenario_load(argv[optind], &none, &a, d);
    int rb = scenario_load(argv[optind + 1], &none, &b, d);
    if (ra != 0 || rb != 0) {
        rc = ncg_status_worse(ra, rb);
        goto end;
    }
    l = diff_scenarios(a, b);
    if (!l) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    if (diff_print(l, a, b, stdout) != 0 || fflush(stdout) != 0) {
        diag_add(d, NULL, 0, NULL, "standard output: %s", strerror(errno));
        rc = NCG_EXIT_IO;
    }
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    diff_free(l);
    scenario_free(a);
    scenario_free(b);
    return rc < 0 ? 0 : rc;
}
