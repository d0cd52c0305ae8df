/* merge.c: what the per-command merges share: a part's scenario loaded back. */
#include "cli/merge.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/path.h"
#include "base/status.h"
#include "io/output.h"
#include "io/runpart.h"

int merge_tmp_write(const char *name, const char *text, size_t len,
                    char **path, diag *d)
{
    char tmp[4096];
    const char *td = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/ncgsim-merge-XXXXXX", td && *td ? td
                                                                 : "/tmp");
    *path = NULL;
    if (!mkdtemp(tmp)) {
        diag_add(d, tmp, 0, NULL, "cannot create: %s", strerror(errno));
        return NCG_ERR_IO;
    }
    char *file = path_join(tmp, name);
    FILE *out = file ? fopen(file, "we") : NULL;
    int bad = !out;
    if (out) {
        bad = fwrite(text, 1, len, out) != len;
        bad |= fclose(out) != 0;
    }
    if (bad) {
        diag_add(d, tmp, 0, NULL, "cannot write: %s", strerror(errno));
        merge_tmp_remove(file);
        rmdir(tmp);
        return NCG_ERR_IO;
    }
    *path = file;
    return 0;
}

void merge_tmp_remove(char *path)
{
    if (!path)
        return;
    unlink(path);
    char *slash = strrchr(path, '/');
    if (slash) {
        *slash = '\0';
        rmdir(path);
    }
    free(path);
}

int merge_load_scenario(const part *p, const char *label, scenario **sc,
                        model **m, diag *d)
{
    const part_info *f = part_get_info(p);
    size_t n = 0;
    const char *text = part_find(p, "scenario", PART_TEXT, &n);
    char name[160], *path = NULL;
    int rc;
    *sc = NULL;
    *m = NULL;
    if (!text || memchr(text, '\0', n)) {
        diag_add(d, label, 0, NULL, "malformed part file (no scenario)");
        return NCG_ERR_IO;
    }
    snprintf(name, sizeof name, "%s.cfg", f->scenario);
    if ((rc = merge_tmp_write(name, text, n, &path, d)) != 0)
        return rc;
    scenario_opts so;
    memset(&so, 0, sizeof so);
    if ((rc = model_load(path, &so, sc, m, d)) == 0) {
        char *again = scenario_text(*sc);
        uint64_t h = again ? output_hash(again) : 0;
        free(again);
        if (h != f->model_hash || (*sc)->sim.trials != f->trials) {
            diag_add(d, label, 0, NULL, "its scenario does not load back to "
                     "the model the shard ran (model hash %016" PRIx64 ", now "
                     "%016" PRIx64 ")", f->model_hash, h);
            rc = NCG_ERR_IO;
        }
    }
    merge_tmp_remove(path);
    if (rc != 0) {
        model_free(*m);
        scenario_free(*sc);
        *sc = NULL;
        *m = NULL;
    }
    return rc;
}

int merge_begin(part *const *parts, const char *const *labels, size_t n,
                size_t **order, scenario **sc, model **m, diag *d)
{
    int rc;
    *sc = NULL;
    *m = NULL;
    if (!(*order = calloc(n + 1, sizeof **order))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    if ((rc = runpart_order(parts, labels, n, *order, d)) != 0)
        return rc;
    return merge_load_scenario(parts[(*order)[0]], labels[(*order)[0]], sc, m,
                               d);
}

int merge_check(const engine_result *r, const char *label, diag *d)
{
    diag *sub = diag_alloc();
    if (!sub) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    int rc = engine_result_check(r, sub);
    /* "FILE:LINE: what": the file is gone by now. */
    for (size_t i = 0; i < diag_count(sub); i++) {
        const char *msg = diag_get(sub, i), *cfg = strstr(msg, ".cfg:");
        const char *rest = cfg ? strstr(cfg, ": ") : NULL;
        diag_add(d, label, 0, NULL, "in its scenario: %s",
                 rest ? rest + 2 : msg);
    }
    diag_free(sub);
    return rc;
}
