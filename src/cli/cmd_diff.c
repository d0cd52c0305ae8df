/* cmd_diff.c: the `diff` command: the settings scenario B changes against A. */
#include "cli/commands.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "analysis/diff.h"
#include "base/ncgsim.h"
#include "cli/cli.h"
#include "scenario/scenario.h"

const char cmd_diff_usage[] =
    "Usage: ncgsim diff A.cfg B.cfg\n"
    "Prints every setting that scenario B changes against scenario A (the\n"
    "reference), both taken after extends: the setting's path, A's value\n"
    "(-) and B's (+), each with the file and line it came from, and the\n"
    "source and note of the variable it belongs to. Name, title and\n"
    "description are left out. Exit code 0 whether or not they differ; 3\n"
    "when a scenario is wrong, 4 when a file cannot be read.\n";

int cmd_diff(int argc, char **argv)
{
    diag *d = diag_alloc();
    scenario *a = NULL, *b = NULL;
    diff_list *l = NULL;
    scenario_opts none = { 0 };
    int rc = 0;
    if (!d)
        return NCG_EXIT_RUN;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(cmd_diff_usage, stdout);
            goto end;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            rc = cli_usage("diff", "unknown option '%s'", argv[i]);
            goto end;
        }
    }
    if (argc != 3) {
        rc = cli_usage("diff", "expected two scenario files, A.cfg B.cfg");
        goto end;
    }
    int ra = scenario_load(argv[1], &none, &a, d);
    int rb = scenario_load(argv[2], &none, &b, d);
    if (ra != 0 || rb != 0) {
        /* I/O trouble outranks a scenario error. */
        rc = ra == NCG_EXIT_IO || rb == NCG_EXIT_IO ? NCG_EXIT_IO
             : ra ? ra : rb;
        goto end;
    }
    l = diff_scenarios(a, b);
    if (!l) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_RUN;
        goto end;
    }
    if (diff_print(l, a, b, stdout) != 0 || fflush(stdout) != 0) {
        diag_add(d, NULL, 0, NULL, "standard output: %s", strerror(errno));
        rc = NCG_EXIT_IO;
    }
end:
    diag_print(d, stderr);
    diag_free(d);
    diff_free(l);
    scenario_free(a);
    scenario_free(b);
    return rc;
}
