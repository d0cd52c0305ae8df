/* testutil.c: the harness the engine-level suites share: a scenario from
 * text, loaded, compiled and run. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model.h"
#include "run/engine.h"
#include "scenario/scenario.h"

int test_ran_text(test_ran *x, const char *text, int threads)
{
    memset(x, 0, sizeof *x);
    x->dir = test_tmpdir();
    x->d = diag_alloc();
    char *path = test_write(x->dir, "m.cfg", text);
    scenario_opts so = { 0 };
    x->rc = model_load(path, &so, &x->sc, &x->m, x->d);
    if (x->rc == 0) {
        engine_opts eo = { .threads = threads };
        x->rc = engine_run(&x->m, 1, &eo, &x->r, x->d);
    }
    if (x->rc != 0)
        diag_print(x->d, stderr);
    free(path);
    return x->rc;
}

void test_ran_free(test_ran *x)
{
    engine_result_free(x->r);
    model_free(x->m);
    scenario_free(x->sc);
    diag_free(x->d);
    test_rmrf(x->dir);
    free(x->dir);
}

size_t test_ran_output(const test_ran *x, const char *name)
{
    for (size_t o = 0; o < x->m->n_outputs; o++)
        if (strcmp(x->m->vars[x->m->outputs[o]].name, name) == 0)
            return o;
    CU_FAIL_FATAL("no such output");
    return 0;
}
