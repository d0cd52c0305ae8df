/* cmd_help.c: `ncgsim help`: a command's help, the man page, completion. */
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include "cli/cli.h"

enum { HELP_MAN, HELP_COMPLETION, HELP_N_OPTS };

static const opt_spec help_opts[HELP_N_OPTS] = {
    [HELP_MAN] = { .name = "man", .kind = OPT_FLAG,
                   .help = "print the manual page (roff), as installed\n"
                           "in ncgsim.1" },
    [HELP_COMPLETION] = { .name = "completion", .kind = OPT_FLAG,
                          .help = "print the bash completion script" },
};

const cli_command cmd_help_def = {
    "help", cmd_help, "show help for a command",
    "ncgsim help [COMMAND] [--man | --completion]",
    "Prints the options of COMMAND (the same as 'ncgsim COMMAND --help'),\n"
    "or the list of commands.\n",
    NULL, help_opts, HELP_N_OPTS, OPERANDS_COMMAND
};

int cmd_help(int argc, char **argv)
{
    opt_value v[HELP_N_OPTS];
    int rc = opts_parse(&cmd_help_def, argc, argv, v);
    if (rc != 0)
        goto end;
    if (v[HELP_MAN].given) {
        opts_print_man(cli_commands, cli_n_commands, stdout);
    } else if (v[HELP_COMPLETION].given) {
        opts_print_bash_completion(cli_commands, cli_n_commands, stdout);
    } else if (optind >= argc) {
        cli_print_overview(stdout);
    } else {
        const cli_command *c = cli_find_command(argv[optind]);
        if (!c)
            rc = cli_usage(NULL, "help: unknown command '%s'", argv[optind]);
        else
            opts_print_help(c, stdout);
    }
end:
    opts_values_free(v, HELP_N_OPTS);
    return rc < 0 ? 0 : rc;
}
