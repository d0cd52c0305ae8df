/* part.h: part files: one shard's mergeable summaries, versioned and checksummed. */
#ifndef NCG_PART_H
#define NCG_PART_H

#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"

/*
 * A part holds what one shard of a job computed: a header that says which
 * job and which slice of it (part_info), then named, typed sections of
 * numbers (the accumulators), then a SHA-256 of every byte before it.
 * The byte layout is in docs/results.md ("Part files"); every integer is
 * little-endian and a double is its IEEE-754 bits, so a part reads the
 * same on any machine, and the same shard computed again gives the same
 * bytes.
 */

/* The format version written; a reader refuses any other. 2: chunks of
 * 1024 trials (ncgsim 0.2), whose moments merge in another order than
 * format 1's chunks of 4096. */
#define PART_FORMAT 2
/* The file name suffix of a part. */
#define PART_SUFFIX ".ncgpart"

/* Which job a part belongs to and which slice of it it holds. */
typedef struct part_info {
    char version[32];     /* ncgsim version of the writer */
    char build[256];      /* build identity (part_build_identity) */
    char command[16];     /* "run", "sensitivity", ... */
    char scenario[128];   /* the scenario's name */
    uint64_t model_hash;  /* FNV-1a 64 of the resolved scenario text */
    uint64_t job;         /* a hash of everything the job's parts share
                             (every member's model hash, the options) */
    uint32_t member;      /* this scenario's place in the job, 0-based */
    uint32_t members;     /* scenarios in the job */
    uint64_t seed, trials;
    char sampler[16];
    uint32_t shard;       /* I, 1 .. shards */
    uint32_t shards;      /* K */
    char unit[16];        /* what is sliced: "chunk" or "row" */
    uint64_t units;       /* units of the whole job */
    uint64_t first;       /* this part's units: first .. first + count - 1 */
    uint64_t count;
} part_info;

/* The element types of a section. */
typedef enum part_type {
    PART_U64 = 1,    /* uint64_t */
    PART_I64 = 2,    /* int64_t */
    PART_F64 = 3,    /* double, its exact bits */
    PART_U128 = 4,   /* unsigned __int128 (stats_wsum), low word first */
    PART_TEXT = 5    /* bytes (no terminating NUL stored) */
} part_type;

/* Longest section name. */
#define PART_NAME_MAX 15

typedef struct part part;

/* Fills B (LEN bytes) with this binary's build identity: compiler and
 * version, GSL version, C library version and the floating-point policy
 * (e.g. "gcc 12.2.0; gsl 2.7.1; glibc 2.36; fp-contract=off"). Parts of
 * different builds are refused by the merge: libm and compilers may round
 * differently. */
void part_build_identity(char *b, size_t len);

/* A new, empty part with header INFO (copied; version and build are
 * filled in here). NULL when out of memory. Free with part_free. */
part *part_alloc(const part_info *info);
/* part_free(NULL) does nothing. */
void part_free(part *p);
/* The part's header (borrowed). */
const part_info *part_get_info(const part *p);

/* Appends section NAME (at most PART_NAME_MAX characters of [a-z0-9_.],
 * unique in the part) of N elements of TYPE copied from DATA (PART_TEXT:
 * N bytes). 0, or NCG_ERR_NOMEM. */
int part_add(part *p, const char *name, part_type type, const void *data,
             size_t n);
/* Section NAME's elements (borrowed, host order) and their count in *N,
 * or NULL when there is no such section or it has another TYPE. */
const void *part_find(const part *p, const char *name, part_type type,
                      size_t *n);

/* Copies the text sections NAMES[0 .. N-1] of P, each NUL-terminated,
 * into one malloc'd block *MEM (the caller frees it): TEXT[i] points at
 * section i's copy, or is NULL when P has no such text section or it
 * holds a NUL byte; LENS[i] (LENS may be NULL) is its length. 0, or -1
 * when out of memory (*MEM NULL). */
int part_texts(const part *p, const char *const *names, size_t n,
               char **mem, const char **text, size_t *lens);

/* The part as bytes (header, sections, checksum): a malloc'd buffer in
 * *BUF of *LEN bytes, for a file or a message between processes. 0, or
 * NCG_ERR_NOMEM. */
int part_encode(const part *p, unsigned char **buf, size_t *len);
/* Reads LEN bytes at BUF as a part into *OUT. LABEL names the bytes in
 * messages (the file's path). 0, or NCG_ERR_IO with "LABEL: what is
 * wrong" in D (not a part, another format version, truncated, checksum
 * mismatch, malformed), or NCG_ERR_NOMEM. */
int part_decode(const unsigned char *buf, size_t len, const char *label,
                part **out, diag *d);

/* Writes P to DIR/NAME atomically: a temporary file in DIR, flushed to
 * disk, renamed over NAME (which must be absent or a part file; anything
 * else is refused and left alone). 0, or NCG_ERR_IO with a message. */
int part_write(const part *p, const char *dir, const char *name, diag *d);
/* Reads the part file PATH into *OUT (part_decode's checks and messages);
 * also NCG_ERR_IO when PATH cannot be read. */
int part_read(const char *path, part **out, diag *d);

/* The part file name of shard I of K of scenario NAME written by COMMAND:
 * "NAME.part-I-of-K.ncgpart" for run, else "NAME-COMMAND.part-I-of-K.ncgpart"
 * (so that the parts of a run and of a sweep of one scenario can share a
 * folder), into B (LEN bytes). */
void part_file_name(const char *command, const char *name, uint32_t i,
                    uint32_t k, char *b, size_t len);

#endif
