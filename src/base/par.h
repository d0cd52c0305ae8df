/* par.h: one function run on several threads at once. */
#ifndef NCG_PAR_H
#define NCG_PAR_H

#include <stddef.h>

/*
 * Calls FN(ARGS + t x SIZE) for t = 0 .. N - 1 (SIZE 0: every call gets
 * ARGS itself) and returns when every call has returned: call 0 on the
 * calling thread, the others each on a thread of its own. A call whose
 * thread cannot be started (or all of them, when there is no memory to
 * keep track of threads) is made on the calling thread after call 0, so
 * every call is made whatever happens; FN must allow that order.
 */
void par_run(int n, void *(*fn)(void *), void *args, size_t size);

#endif
