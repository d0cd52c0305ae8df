/* cluster_mpi.c: the cluster interface over MPI (make MPI=1): plain MPI C
 * calls, bytes gathered on rank 0 (never a reduction of floating point),
 * and one message and one exit code for the whole job. */
#include "cli/cluster.h"

#include <fcntl.h>
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "base/ncgsim.h"
#include "base/status.h"
#include "cli/cli.h"

static int on;          /* 1 after MPI_Init */
static int rank_, size_ = 1;
static int local_ = 1;   /* processes of the job on this machine */
static FILE *held;      /* ranks > 0: their standard error until the end */

/* 1 when a launcher (Open MPI's mpirun, a PMI or PMIx one such as srun)
 * started this process. */
static int launched(void)
{
    const char *names[] = { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (getenv(names[i]))
            return 1;
    return 0;
}

int cluster_start(int *argc, char ***argv)
{
    if (!launched())
        return 0;
    if (MPI_Init(argc, argv) != MPI_SUCCESS) {
        fprintf(stderr, "ncgsim: cannot join the MPI job (MPI_Init failed)\n");
        return NCG_EXIT_RUN;
    }
    on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm node;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0,
                            MPI_INFO_NULL, &node) == MPI_SUCCESS) {
        MPI_Comm_size(node, &local_);
        MPI_Comm_free(&node);
    }
    if (rank_ == 0)
        return 0;
    /* Rank 0 alone speaks: the others' tables go nowhere, and their
     * messages wait in a file until rank 0 asks for the failing one's. */
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
        dup2(null, STDOUT_FILENO);
        close(null);
    }
    held = tmpfile();
    if (held) {
        fflush(stderr);
        dup2(fileno(held), STDERR_FILENO);
    }
    return 0;
}

int cluster_running(void) { return on; }
int cluster_rank(void) { return rank_; }
int cluster_size(void) { return size_; }
int cluster_local_size(void) { return local_; }

/* This rank's messages: what it held back from stderr, then those of D
 * (may be NULL) not yet printed. Malloc'd, NUL-terminated (NULL when out
 * of memory); *LEN its length. */
static char *held_text(const diag *d, size_t *len)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    fflush(stderr);
    if (f && held && fseek(held, 0, SEEK_SET) == 0) {
        char chunk[4096];
        size_t got;
        while ((got = fread(chunk, 1, sizeof chunk, held)) > 0)
            fwrite(chunk, 1, got, f);
    }
    if (f && d)
        diag_print(d, f);
    if (!f || fclose(f) != 0) {
        free(s);
        s = NULL;
        n = 0;
    }
    *len = n;
    return s;
}

/* Collective: returns once every rank has called it, sleeping meanwhile:
 * a rank done with its share must not spin in a blocking collective on a
 * core the others still compute on. */
static void wait_all(void)
{
    MPI_Request req;
    int done = 0;
    struct timespec nap = { 0, 2000000 };   /* 2 ms */
    MPI_Ibarrier(MPI_COMM_WORLD, &req);
    while (MPI_Test(&req, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done)
        nanosleep(&nap, NULL);
}

/* Collective: every rank's exit CODE to rank 0. When one is not 0, rank 0
 * prints the messages of the lowest failing rank (held_text: rank 0's own
 * stderr is not held, so for rank 0 only D's) and *FAILED gets that
 * rank's code on every rank. D: the messages not printed yet, or NULL. */
static void agree(int code, const diag *d, int *failed)
{
    int *codes = rank_ == 0 ? calloc((size_t)size_, sizeof *codes) : NULL;
    int first = -1, worst = 0;
    wait_all();
    MPI_Gather(&code, 1, MPI_INT, codes, 1, MPI_INT, 0, MPI_COMM_WORLD);
    for (int r = 0; codes && r < size_ && first < 0; r++)
        if (codes[r] != 0)
            first = r;
    if (rank_ == 0 && first >= 0)
        worst = codes[first];
    int msg[2] = { first, worst };
    MPI_Bcast(msg, 2, MPI_INT, 0, MPI_COMM_WORLD);
    *failed = msg[1];
    if (msg[0] == 0 && rank_ == 0 && d)
        diag_print(d, stderr);
    if (msg[0] > 0) {
        /* The failing rank sends its messages to rank 0. */
        if (rank_ == msg[0]) {
            size_t n;
            char *s = held_text(d, &n);
            int len = n > INT_MAX ? INT_MAX : (int)n;
            MPI_Send(s ? s : "", len, MPI_CHAR, 0, 1, MPI_COMM_WORLD);
            free(s);
        } else if (rank_ == 0) {
            MPI_Status st;
            int len = 0;
            MPI_Probe(msg[0], 1, MPI_COMM_WORLD, &st);
            MPI_Get_count(&st, MPI_CHAR, &len);
            char *s = malloc((size_t)len + 1);
            MPI_Recv(s, s ? len : 0, MPI_CHAR, msg[0], 1, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            if (s) {
                s[len] = '\0';
                fputs(s, stderr);
                if (len > 0 && s[len - 1] != '\n')
                    fputc('\n', stderr);
            }
            free(s);
        }
    }
    free(codes);
}

int cluster_gather(int status, const void *buf, size_t len,
                   unsigned char **all, size_t **lens, const diag *d)
{
    *all = NULL;
    *lens = NULL;
    if (!on)
        return cluster_gather_one(status, buf, len, all, lens);
    int code = cli_exit_code(status), failed;
    if (code == 0 && len > INT_MAX) {
        fprintf(stderr, "ncgsim: rank %d: a part of %zu bytes is more than "
                "one MPI message holds; use more ranks\n", rank_, len);
        code = NCG_EXIT_RUN;
    }
    agree(code, d, &failed);
    if (failed) {
        /* Rank 0 has told why and ends the job; the others wait for it
         * (an abort of theirs could come before rank 0's message).
         * Nothing was renamed into place. */
        fflush(stdout);
        fflush(stderr);
        if (rank_ == 0)
            MPI_Abort(MPI_COMM_WORLD, failed);
        MPI_Barrier(MPI_COMM_WORLD);
        exit(failed);
    }
    int n = (int)len, *counts = NULL, *displs = NULL;
    long long total = 0;
    if (rank_ == 0) {
        counts = calloc((size_t)size_, sizeof *counts);
        displs = calloc((size_t)size_, sizeof *displs);
        *lens = calloc((size_t)size_, sizeof **lens);
    }
    MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    for (int r = 0; counts && displs && r < size_; r++) {
        displs[r] = total > INT_MAX ? INT_MAX : (int)total;
        total += counts[r];
    }
    if (rank_ == 0 && (!counts || !displs || !*lens || total > INT_MAX
                       || !(*all = malloc((size_t)total + 1)))) {
        fprintf(stderr, "ncgsim: rank 0 cannot hold the %lld bytes of the "
                "parts (out of memory, or more than one MPI message "
                "holds)\n", total);
        MPI_Abort(MPI_COMM_WORLD, NCG_EXIT_NOMEM);
    }
    MPI_Gatherv(buf, n, MPI_BYTE, *all, counts, displs, MPI_BYTE, 0,
                MPI_COMM_WORLD);
    for (int r = 0; *lens && r < size_; r++)
        (*lens)[r] = (size_t)counts[r];
    free(counts);
    free(displs);
    return 0;
}

void cluster_bcast_u64(uint64_t *v)
{
    if (on)
        MPI_Bcast(v, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
}

int cluster_finish(int code)
{
    if (!on)
        return code;
    int failed;
    agree(code, NULL, &failed);
    if (held)
        fclose(held);
    held = NULL;
    MPI_Finalize();
    on = 0;
    return failed;
}
