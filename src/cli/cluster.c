/* cluster.c: what both builds of the cluster interface share. */
#include "cli/cluster.h"

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
