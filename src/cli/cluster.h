/* cluster.h: one command over the processes of an MPI job (mpirun, srun):
 * which process this is, bytes gathered on rank 0 in rank order, numbers
 * broadcast from it, and one message when a process fails. Two builds of
 * one interface: cluster_mpi.c (make MPI=1) and cluster_none.c (one
 * process; refuses to run under mpirun). docs/distributed.md. */
#ifndef NCG_CLUSTER_H
#define NCG_CLUSTER_H

#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"
#include "io/part.h"

/* Joins the MPI job when the process was started by mpirun or srun, and
 * does nothing otherwise. In a job, the processes other than rank 0 send
 * standard output to /dev/null and keep their standard error until
 * cluster_finish (rank 0 alone speaks to the user). Returns 0, or an exit
 * code with a message on stderr (started by mpirun with more than one
 * process, but built without MPI: every process would run the whole job
 * and write the same folders). Call once, before anything else. */
int cluster_start(int *argc, char ***argv);

/* 1 inside an MPI job (even of one process), else 0. */
int cluster_running(void);
/* This process's rank, 0 .. cluster_size() - 1 (0 outside a job). */
int cluster_rank(void);
/* The processes of the job (1 outside one). */
int cluster_size(void);
/* The processes of the job on this machine (1 outside a job): a command's
 * default threads are the cores divided among them. */
int cluster_local_size(void);

/* Collective: every rank calls it at the same point with its STATUS (an
 * ncg_status) and LEN bytes at BUF (a part; ignored when STATUS fails).
 * When every rank succeeded, rank 0 gets the bytes concatenated in rank
 * order in *ALL (malloc'd; caller frees) with each rank's length in
 * LENS[0 .. size - 1] (malloc'd *LENS; caller frees), and every rank
 * returns 0 (the others get *ALL = *LENS = NULL). When a rank failed, rank
 * 0 prints the messages of the lowest failing rank (what it wrote on
 * stderr, then its messages in D, which the caller has not printed yet)
 * and ends the whole job with that rank's exit code (MPI_Abort):
 * the call does not return, and nothing is renamed into place. Outside a
 * job: *ALL is a copy of BUF, (*LENS)[0] = LEN, returns STATUS. */
int cluster_gather(int status, const void *buf, size_t len,
                   unsigned char **all, size_t **lens, const diag *d);

/* Collective, over cluster_gather: every rank gives its STATUS and part P
 * (ignored when STATUS fails); when all succeeded, rank 0 decodes each
 * rank's part (named "rank N" in messages) and hands it to TAKE(CTX, part,
 * label, D), in rank order, and returns the first failure of a decode or
 * of TAKE, or 0. The other ranks return 0. A failure of any rank ends the
 * job as cluster_gather says. */
int cluster_gather_parts(int status, const part *p,
                         int (*take)(void *ctx, const part *q,
                                     const char *label, diag *d),
                         void *ctx, diag *d);

/* Collective: *V on every rank becomes rank 0's (decisions such as the
 * next round's trials are taken on rank 0 only). */
void cluster_bcast_u64(uint64_t *v);

/* Ends the job: every rank gives the exit code of its command; rank 0
 * prints the messages of the lowest failing rank when it is not rank 0
 * itself, and every rank returns the exit code of that rank (0 when all
 * succeeded). Outside a job returns CODE. */
int cluster_finish(int code);

/* cluster_gather outside a job (both builds): copies BUF. */
int cluster_gather_one(int status, const void *buf, size_t len,
                       unsigned char **all, size_t **lens);

#endif
