/* cmd_graph.c: `ncgsim graph`: the model's dependency graph as DOT. */
#include "cli/commands.h"

#include <stdio.h>
#include "cli/cli.h"

enum { GRAPH_SET, GRAPH_NO_PARAMS, GRAPH_N_OPTS };

static const opt_spec graph_opts[GRAPH_N_OPTS] = {
    [GRAPH_SET] = CLI_OPT_SET("override a setting after extends; repeatable"),
    [GRAPH_NO_PARAMS] = { .name = "no-params", .kind = OPT_FLAG,
                          .help = "leave the params out" },
};

const cli_command cmd_graph_def = {
    "graph", cmd_graph, "print the model's dependency graph (Graphviz DOT)",
    "ncgsim graph FILE [--set PATH=VALUE]... [--no-params]",
    "Prints the model as a Graphviz DOT graph: params (ellipses), events\n"
    "(diamonds), states (boxes), derived (rounded boxes), outputs in bold;\n"
    "an arrow x -> y when y reads x, dashed when y reads x at t - 1.\n"
    "--no-params leaves the params out, for a compact picture of the\n"
    "model's dynamics.\n"
    "Render it with: ncgsim graph FILE | dot -Tsvg -o model.svg\n",
    NULL, graph_opts, GRAPH_N_OPTS, OPERANDS_SCENARIOS
};

static int graph_one(const scenario *sc, const model *m, const opt_value *v)
{
    (void)sc;
    return model_graph(m, stdout,
                       v[GRAPH_NO_PARAMS].given ? MODEL_GRAPH_NO_PARAMS : 0);
}

int cmd_graph(int argc, char **argv)
{
    opt_value v[GRAPH_N_OPTS];
    return cli_one_model(&cmd_graph_def, argc, argv, v, GRAPH_SET, graph_one);
}
