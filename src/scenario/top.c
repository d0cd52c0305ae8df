/* top.c: the top-level settings of the scenario language, each with its check. */
#include <string.h>
#include "scenario/scn.h"

const char *const scn_own_keys[3] = { "name", "title", "description" };

/* In the order a reader meets them; `simulation` is checked by
 * scn_check_top itself (it also fills the run settings); `extends` is
 * followed and removed while loading (extends.c). */
const scn_top_setting scn_top[] = {
    { "name", scn_check_text },
    { "title", scn_check_text },
    { "description", scn_check_text },
    { "extends", NULL },
    { "simulation", NULL },
    { "params", scn_check_group },
    { "events", scn_check_group },
    { "states", scn_check_group },
    { "derived", scn_check_group },
    { "outputs", scn_check_outputs },
    { "outputs_add", scn_check_outputs },   /* merged away when well formed */
    { "correlations", scn_check_correlations },
    { "observations", scn_check_observations },
};
const size_t scn_n_top = SCN_COUNT(scn_top);

const scn_top_setting *scn_top_find(const char *name)
{
    for (size_t i = 0; i < scn_n_top; i++)
        if (strcmp(scn_top[i].name, name) == 0)
            return &scn_top[i];
    return NULL;
}
