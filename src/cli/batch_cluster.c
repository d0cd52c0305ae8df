/* batch_cluster.c: a batch over the processes of an MPI job: every rank
 * computes its shard of every scenario into part bytes in memory, rank 0
 * gathers them (bytes, never a reduction of floating point), folds them in
 * chunk order and writes what one process writes. */
#include "cli/batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/status.h"
#include "cli/cluster.h"
#include "io/part.h"
#include "io/runpart.h"

/* This rank's parts, as bytes, in the order the batch made them (the same
 * on every rank). */
typedef struct held_parts {
    unsigned char **buf;
    size_t *len;
    size_t n;
} held_parts;

/* batch_opts.part_sink: keeps P's bytes. */
static int hold_part(void *ctx, const part *p, diag *d)
{
    held_parts *h = ctx;
    unsigned char **nb = realloc(h->buf, (h->n + 1) * sizeof *nb);
    if (nb)
        h->buf = nb;
    size_t *nl = nb ? realloc(h->len, (h->n + 1) * sizeof *nl) : NULL;
    if (nl)
        h->len = nl;
    if (!nb || !nl || part_encode(p, &h->buf[h->n], &h->len[h->n]) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    h->n++;
    return 0;
}

static void held_free(held_parts *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->buf[i]);
    free(h->buf);
    free(h->len);
}

/* Rank 0: folds the N parts PARTS (named LABELS) into RES (one result per
 * scenario of SCS/MS, the job's order), checked as `ncgsim merge` checks
 * part files. 0, or a status with a message in D. */
static int fold_parts(part **parts, char **labels, size_t n, scenario **scs,
                      model **ms, engine_result **res, diag *d)
{
    size_t *order = calloc(n + 1, sizeof *order);
    int rc = order ? 0 : NCG_ERR_NOMEM;
    if (rc == 0)
        rc = runpart_order(parts, (const char *const *)labels, n, order, d);
    for (size_t j = 0; rc == 0 && j < n; j++) {
        const part *p = parts[order[j]];
        size_t mb = part_get_info(p)->member;
        if (!res[mb] && !(res[mb] = engine_result_alloc(ms[mb],
                              scs[mb]->sim.trials, scs[mb]->sim.steps)))
            rc = NCG_ERR_NOMEM;
        if (rc == 0)
            rc = runpart_fold(p, labels[order[j]], res[mb], d);
    }
    for (size_t mb = 0; rc == 0 && mb < part_get_info(parts[0])->members;
         mb++)
        rc = engine_result_check(res[mb], d);
    if (rc == NCG_ERR_NOMEM)
        diag_add(d, NULL, 0, NULL, "out of memory");
    free(order);
    return rc;
}

/* Gathers every rank's parts H (N scenarios) on rank 0 into PARTS (N x
 * size, labelled "rank R" in LABELS). A failed STATUS on any rank ends the
 * job in cluster_gather. 0, or a status with a message in D (rank 0). */
static int gather_parts(int status, const held_parts *h, size_t n,
                        part **parts, char **labels, diag *d)
{
    int size = cluster_size(), rc = status;
    for (size_t j = 0; j < (n ? n : 1); j++) {
        unsigned char *all = NULL;
        size_t *lens = NULL, off = 0;
        int ok = rc == 0 && j < h->n;
        rc = cluster_gather(ok ? 0 : rc ? rc : NCG_ERR_RUN,
                            ok ? h->buf[j] : NULL, ok ? h->len[j] : 0,
                            &all, &lens, d);
        for (int r = 0; rc == 0 && all && r < size; r++) {
            size_t k = j * (size_t)size + (size_t)r;
            char label[32];
            snprintf(label, sizeof label, "rank %d", r);
            if (!(labels[k] = strdup(label)))
                rc = NCG_ERR_NOMEM;
            else
                rc = part_decode(all + off, lens[r], label, &parts[k], d);
            off += lens[r];
        }
        free(all);
        free(lens);
    }
    return rc;
}

int batch_run_cluster(scenario **scs, model **ms, size_t n, size_t ref,
                      const batch_opts *c, int mode,
                      batch_measured *measured, diag *d)
{
    if (!cluster_running())
        return batch_run(scs, ms, n, ref, c, mode, measured, d);
    size_t size = (size_t)cluster_size(), np = n * size;
    held_parts h = { NULL, NULL, 0 };
    part **parts = calloc(np + 1, sizeof *parts);
    char **labels = calloc(np + 1, sizeof *labels);
    engine_result **res = calloc(n + 1, sizeof *res);
    batch_opts shard = *c;
    shard.shard = (uint32_t)cluster_rank() + 1;
    shard.shards = (uint32_t)size;
    shard.quiet = 1;
    shard.plots = BATCH_PLOTS_NONE;
    shard.part_sink = hold_part;
    shard.part_ctx = &h;
    int rc = parts && labels && res ? 0 : NCG_ERR_NOMEM;
    if (rc == 0)
        rc = batch_run(scs, ms, n, ref, &shard, BATCH_WRITE, NULL, d);
    rc = gather_parts(rc, &h, n, parts, labels, d);
    if (cluster_rank() == 0) {
        if (rc == 0)
            rc = fold_parts(parts, labels, np, scs, ms, res, d);
        batch_opts whole = *c;
        whole.given = res;
        if (rc == 0)
            rc = batch_run(scs, ms, n, ref, &whole, mode, measured, d);
    }
    if (mode == BATCH_MEASURE) {
        /* Every rank takes rank 0's decision. */
        uint64_t s = (uint64_t)rc, bits = 0;
        if (measured)
            memcpy(&bits, &measured->ratio, sizeof bits);
        cluster_bcast_u64(&s);
        cluster_bcast_u64(&bits);
        rc = (int)s;
        if (measured)
            memcpy(&measured->ratio, &bits, sizeof bits);
    }
    for (size_t i = 0; i < n && res; i++)
        engine_result_free(res[i]);
    for (size_t i = 0; i < np && parts; i++) {
        part_free(parts[i]);
        free(labels[i]);
    }
    free(res);
    free(parts);
    free(labels);
    held_free(&h);
    return rc;
}
