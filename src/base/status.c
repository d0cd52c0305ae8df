/* status.c: combining the statuses of several steps. */
#include "base/status.h"

int ncg_status_worse(int a, int b)
{
    if (a == NCG_ERR_NOMEM || b == NCG_ERR_NOMEM)
        return NCG_ERR_NOMEM;
    if (a == NCG_ERR_IO || b == NCG_ERR_IO)
        return NCG_ERR_IO;
    return a ? a : b;
}
