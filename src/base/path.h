/* path.h: file names built from parts, for every layer. */
#ifndef NCG_PATH_H
#define NCG_PATH_H

/* "DIR/NAME" in a malloc'd string (the caller frees it), or NULL when out
 * of memory. */
char *path_join(const char *dir, const char *name);

#endif
