/* cmd_show.c: `ncgsim show`: a resolved scenario with where each value
 * came from. */
#include "cli/commands.h"

#include <stdio.h>
#include "cli/cli.h"
#include "expr/code.h"

enum { SHOW_SET, SHOW_CODE, SHOW_N_OPTS };

static const opt_spec show_opts[SHOW_N_OPTS] = {
    [SHOW_SET] = CLI_OPT_SET("override a setting after extends; repeatable"),
    [SHOW_CODE] = { .name = "code", .kind = OPT_FLAG,
                    .help = "also print the compiled instructions" },
};

const cli_command cmd_show_def = {
    "show", cmd_show, "print a resolved scenario with where each value came from",
    "ncgsim show FILE [--set PATH=VALUE]... [--code]",
    "Prints the scenario after extends and --set, one value per line with\n"
    "the file and line it came from. --code also prints the compiled\n"
    "instructions of every expression.\n",
    NULL, show_opts, SHOW_N_OPTS, OPERANDS_SCENARIOS
};

static int show_one(const scenario *sc, const model *m, const opt_value *v)
{
    int rc = scenario_show(sc, stdout);
    if (rc == 0 && v[SHOW_CODE].given) {
        printf("\n# params\n");
        code_dump(m->prog, &m->param_code, stdout);
        printf("\n# t = 0\n");
        code_dump(m->prog, &m->init_code, stdout);
        printf("\n# t >= 1\n");
        code_dump(m->prog, &m->step_code, stdout);
    }
    return rc;
}

int cmd_show(int argc, char **argv)
{
    opt_value v[SHOW_N_OPTS];
    return cli_one_model(&cmd_show_def, argc, argv, v, SHOW_SET, show_one);
}
