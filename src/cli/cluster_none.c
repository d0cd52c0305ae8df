/* cluster_none.c: the cluster interface of a build without MPI: one
 * process, which refuses to run as one of many under mpirun or srun. */
#include "cli/cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include "base/ncgsim.h"
#include "base/status.h"

/* The first of the variables NAMES[0], NAMES[1] set by the launcher that
 * started this process (Open MPI's mpirun, or a PMI one such as srun), or
 * DFLT. */
static long launcher_value(const char *const names[2], long dflt)
{
    for (size_t i = 0; i < 2; i++) {
        const char *s = getenv(names[i]);
        if (s && *s)
            return strtol(s, NULL, 10);
    }
    return dflt;
}

static long launched_size(void)
{
    static const char *const names[2] = { "OMPI_COMM_WORLD_SIZE",
                                          "PMI_SIZE" };
    return launcher_value(names, 1);
}

static long launched_rank(void)
{
    static const char *const names[2] = { "OMPI_COMM_WORLD_RANK",
                                          "PMI_RANK" };
    return launcher_value(names, 0);
}

int cluster_start(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (launched_size() > 1) {
        /* One message for the job: the first process says it. */
        if (launched_rank() != 0)
            return NCG_EXIT_USAGE;
        fprintf(stderr, "ncgsim: started as one of %ld processes (mpirun "
                "or srun), but this ncgsim was built without MPI: each "
                "process would run the whole job and write the same "
                "folders (build with make MPI=1; see "
                "docs/distributed.md)\n", launched_size());
        return NCG_EXIT_USAGE;
    }
    return 0;
}

int cluster_running(void) { return 0; }
int cluster_rank(void) { return 0; }
int cluster_size(void) { return 1; }
int cluster_local_size(void) { return 1; }

int cluster_gather(int status, const void *buf, size_t len,
                   unsigned char **all, size_t **lens, const diag *d)
{
    (void)d;
    return cluster_gather_one(status, buf, len, all, lens);
}

void cluster_bcast_u64(uint64_t *v)
{
    (void)v;
}

int cluster_finish(int code)
{
    return code;
}
