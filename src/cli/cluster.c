/* cluster.c: what both builds of the cluster interface share. */
#include "cli/cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/status.h"

int cluster_gather_one(int status, const void *buf, size_t len,
                       unsigned char **all, size_t **lens)
{
    *all = malloc(len + 1);
    *lens = malloc(sizeof **lens);
    if (!*all || !*lens) {
        free(*all);
        free(*lens);
        *all = NULL;
        *lens = NULL;
        return status ? status : NCG_ERR_NOMEM;
    }
    if (len)
        memcpy(*all, buf, len);
    (*lens)[0] = len;
    return status;
}

int cluster_gather_parts(int status, const part *p,
                         int (*take)(void *ctx, const part *q,
                                     const char *label, diag *d),
                         void *ctx, diag *d)
{
    unsigned char *buf = NULL, *all = NULL;
    size_t len = 0, *lens = NULL, off = 0;
    int rc = status;
    if (rc == 0 && part_encode(p, &buf, &len) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
    }
    rc = cluster_gather(rc, buf, len, &all, &lens, d);
    free(buf);
    for (int k = 0; rc == 0 && all && k < cluster_size(); k++) {
        part *q = NULL;
        char label[32];
        snprintf(label, sizeof label, "rank %d", k);
        rc = part_decode(all + off, lens[k], label, &q, d);
        off += lens[k];
        if (rc == 0)
            rc = take(ctx, q, label, d);
        part_free(q);
    }
    free(all);
    free(lens);
    return rc;
}
