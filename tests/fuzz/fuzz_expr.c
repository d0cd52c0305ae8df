/* fuzz_expr.c: libFuzzer target over the expression compiler and the evaluator it feeds. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "expr/code.h"
#include "random/rng.h"
#include "expr/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A small fixed model: two params, an event, a state and a derived value,
 * so that names, prev(), the self name and params-only rules all apply. */
enum { FZ_P, FZ_Q, FZ_EV, FZ_ST, FZ_DV, FZ_NSYMS };
static const char *const fz_names[FZ_NSYMS] = {"p", "q", "ev", "st", "dv"};
/* Lane values chosen to reach the edges: zero, negative, NaN, huge. */
static const double fz_values[FZ_NSYMS][4] = {
    {0.25, 0.0, 1.0, -1.0},
    {3.0, -2.5, 1e308, 0.5},
    {0.0, 1.0, 1.0, 0.0},
    {100.0, -1e-300, 0.0, 1e18},
    {2.0, NAN, INFINITY, -0.0},
};
#define FZ_LANES 4
#define FZ_STEPS 12

/* The expressions of one input compiled three ways, as the model does:
 * a dynamic expression, a params expression, and a state's `next` at
 * t = 0 (self name and prev() both allowed). */
typedef struct fz_mode { int params_only, self, init_phase; } fz_mode;
static const fz_mode fz_modes[] = {{0, -1, 0}, {1, -1, 0}, {0, FZ_ST, 1}};
#define FZ_NMODES (sizeof fz_modes / sizeof fz_modes[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Expressions are NUL-terminated strings inside the scenario tree:
     * an embedded NUL simply ends the text, as it would there. */
    char *src = malloc(size + 1);
    code_prog *p = code_alloc();
    code_seq q = {0};
    code_deps deps = {0};
    double *mem = NULL, **reg = NULL;
    uint64_t *keys = NULL;
    int64_t clamped[2] = {0, 0};
    gsl_rng *rng = rng_alloc();
    char err[256];
    if (!src || !p || !rng)
        goto end;
    memcpy(src, data, size);
    src[size] = 0;

    code_sym syms[FZ_NSYMS];
    for (int i = 0; i < FZ_NSYMS; i++) {
        int param = i == FZ_P || i == FZ_Q;
        syms[i].name = fz_names[i];
        syms[i].cur = code_new_slot(p);
        syms[i].prev = param ? syms[i].cur : code_new_slot(p);
        syms[i].is_param = param;
    }
    uint32_t slot_t = code_new_slot(p), slot_T = code_new_slot(p);
    int compiled = 0;
    for (size_t k = 0; k < FZ_NMODES; k++) {
        code_env env = {.syms = syms, .n_syms = FZ_NSYMS, .slot_t = slot_t,
                        .slot_T = slot_T,
                        .params_only = fz_modes[k].params_only,
                        .self = fz_modes[k].self,
                        .init_phase = fz_modes[k].init_phase,
                        .source_prefix = "fuzz", .counter = 1};
        uint32_t dst = code_new_slot(p);
        size_t before = q.n;
        if (code_expr(p, &env, src, dst, &q, &deps, err, sizeof err) == 0) {
            compiled = 1;
            /* Every reference must be a real symbol. */
            for (size_t i = 0; i < deps.n_all; i++)
                if (deps.all[i] >= FZ_NSYMS)
                    abort();
        } else if (q.n != before || strncmp(err, "column ", 7) != 0) {
            abort();   /* the contract: nothing appended, "column N: ..." */
        }
        code_deps_clear(&deps);
    }
    if (!compiled)
        goto end;

    /* Every slot, constant and source the code uses must exist in the
     * frame: an out-of-range index shows up as an ASan report. */
    uint32_t n_slots = code_n_slots(p);
    size_t n_src = code_n_sources(p);
    mem = calloc((size_t)n_slots * VM_BLOCK, sizeof *mem);
    reg = calloc(n_slots, sizeof *reg);
    keys = calloc(n_src ? n_src : 1, sizeof *keys);
    if (!mem || !reg || !keys)
        goto end;
    for (uint32_t s = 0; s < n_slots; s++)
        reg[s] = mem + (size_t)s * VM_BLOCK;
    for (size_t i = 0; i < n_src; i++)
        keys[i] = rng_key(7, code_source_name(p, i));
    vm_frame f = {.reg = reg, .lanes = FZ_LANES, .trial0 = 0, .step = 3,
                  .rng = rng, .keys = keys, .clamped = clamped};
    for (size_t i = 0; i < code_n_consts(p); i++)
        vm_fill(&f, code_const_slot(p, i), code_const_value(p, i));
    for (int i = 0; i < FZ_NSYMS; i++)
        for (size_t l = 0; l < FZ_LANES; l++) {
            reg[syms[i].cur][l] = fz_values[i][l];
            reg[syms[i].prev][l] = fz_values[(i + 1) % FZ_NSYMS][l];
        }
    vm_fill(&f, slot_t, 3);
    vm_fill(&f, slot_T, FZ_STEPS);
    vm_run(q.ins, q.n, &f);
end:
    free(src);
    free(mem);
    free(reg);
    free(keys);
    gsl_rng_free(rng);
    code_seq_clear(&q);
    code_free(p);
    return 0;
}
