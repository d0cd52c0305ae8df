/* par.c: one function run on several threads at once. */
#include "base/par.h"
#include <pthread.h>
#include <stdlib.h>

void par_run(int n, void *(*fn)(void *), void *args, size_t size)
{
    char *a = args;
    pthread_t *tid = n > 1 ? calloc((size_t)n, sizeof *tid) : NULL;
    int started = 0;
    for (int t = 1; tid && t < n; t++) {
        if (pthread_create(&tid[t], NULL, fn, a + (size_t)t * size) != 0)
            break;
        started = t;
    }
    fn(a);
    for (int t = started + 1; t < n; t++)
        fn(a + (size_t)t * size);
    for (int t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    free(tid);
}
