/* part.c: part files: one shard's mergeable summaries, versioned and checksummed. */
#include "io/part.h"

#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_version.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif
#include "base/ncgsim.h"
#include "base/path.h"
#include "base/status.h"
#include "io/output.h"
#include "io/sha256.h"
#include "run/stats.h"

#ifdef __FAST_MATH__
#error "ncgsim must not be built with -ffast-math: results would depend on the build"
#endif

/* Bytes on disk: MAGIC, u32 format, u32 sections, the sections (each a
 * SECTION_HEAD of name[16], u32 type, u32 zero, u64 count, then the
 * elements), then TRAILER and the SHA-256 of everything before it as 64
 * hex digits and a newline. */
static const char MAGIC[8] = { 'N', 'C', 'G', 'P', 'A', 'R', 'T', '\n' };
static const char TRAILER[8] = { 'S', 'H', 'A', '2', '5', '6', ':', ' ' };
#define PREAMBLE 16
#define SECTION_HEAD 32
#define TRAILER_LEN (8 + 64 + 1)
/* The header section, always first. */
#define INFO_NAME "info"

typedef struct section {
    char name[PART_NAME_MAX + 1];
    part_type type;
    size_t n;          /* elements */
    void *data;        /* host order (owned) */
} section;

struct part {
    part_info info;
    section *s;
    size_t n, cap;
};

void part_build_identity(char *b, size_t len)
{
    const char *libc = "libc unknown";
    char lv[64];
#ifdef __GLIBC__
    snprintf(lv, sizeof lv, "glibc %s", gnu_get_libc_version());
    libc = lv;
#else
    (void)lv;
#endif
#if defined(__clang__)
    const char *cc = "clang " __clang_version__;
#elif defined(__GNUC__)
    const char *cc = "gcc " __VERSION__;
#else
    const char *cc = "unknown compiler";
#endif
    /* The Makefile pins -ffp-contract=off for every object; -ffast-math
     * is refused above. The runtime GSL is the one that computes. */
    snprintf(b, len, "%s; gsl %s; %s; fp-contract=off", cc, gsl_version,
             libc);
}

static size_t type_size(part_type t)
{
    switch (t) {
    case PART_U64: case PART_I64: case PART_F64: return 8;
    case PART_U128: return 16;
    case PART_TEXT: return 1;
    }
    return 0;
}

part *part_alloc(const part_info *info)
{
    part *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->info = *info;
    snprintf(p->info.version, sizeof p->info.version, "%s", NCGSIM_VERSION);
    part_build_identity(p->info.build, sizeof p->info.build);
    return p;
}

void part_free(part *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->s[i].data);
    free(p->s);
    free(p);
}

const part_info *part_get_info(const part *p)
{
    return &p->info;
}

static int name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > PART_NAME_MAX)
        return 0;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')
              || *c == '_' || *c == '.'))
            return 0;
    return 1;
}

static section *find(const part *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->s[i].name, name) == 0)
            return &p->s[i];
    return NULL;
}

int part_add(part *p, const char *name, part_type type, const void *data,
             size_t n)
{
    size_t es = type_size(type);
    /* Names are the code's own: a bad one is a programming error. */
    if (!name_ok(name) || find(p, name) || es == 0 || n > SIZE_MAX / es)
        return NCG_ERR_USAGE;
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        section *ns = realloc(p->s, cap * sizeof *ns);
        if (!ns)
            return NCG_ERR_NOMEM;
        p->s = ns;
        p->cap = cap;
    }
    section *s = &p->s[p->n];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->type = type;
    s->n = n;
    if (!(s->data = malloc(n * es + 1)))
        return NCG_ERR_NOMEM;
    if (n)
        memcpy(s->data, data, n * es);
    p->n++;
    return 0;
}

const void *part_find(const part *p, const char *name, part_type type,
                      size_t *n)
{
    const section *s = find(p, name);
    if (!s || s->type != type)
        return NULL;
    *n = s->n;
    return s->data;
}

/* ------------------------------------------------------------ encoding -- */

static void put_u32(unsigned char *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *b)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

static uint64_t get_u64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

/* The header as "key value" lines into a malloc'd string. */
static char *info_text(const part_info *f)
{
    char *t = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&t, &n);
    if (!m)
        return NULL;
    fprintf(m, "version %s\nbuild %s\ncommand %s\nscenario %s\n"
            "model_hash %016" PRIx64 "\njob %016" PRIx64 "\nmember %" PRIu32
            "\nmembers %" PRIu32 "\nseed %" PRIu64 "\ntrials %" PRIu64
            "\nsampler %s\nshard %" PRIu32 "\nshards %" PRIu32 "\nunit %s\n"
            "units %" PRIu64 "\nfirst %" PRIu64 "\ncount %" PRIu64 "\n",
            f->version, f->build, f->command, f->scenario, f->model_hash,
            f->job, f->member, f->members, f->seed, f->trials, f->sampler,
            f->shard, f->shards, f->unit, f->units, f->first, f->count);
    if (fclose(m) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

/* Writes section S at B (which has room for it); returns its bytes. */
static size_t put_section(unsigned char *b, const char *name, part_type type,
                          const void *data, size_t n)
{
    size_t es = type_size(type);
    memset(b, 0, SECTION_HEAD);
    memcpy(b, name, strlen(name));
    put_u32(b + 16, (uint32_t)type);
    put_u64(b + 24, n);
    unsigned char *q = b + SECTION_HEAD;
    if (type == PART_TEXT) {
        if (n)
            memcpy(q, data, n);
    } else if (type == PART_U128) {
        const stats_wsum *x = data;
        for (size_t i = 0; i < n; i++) {
            put_u64(q + 16 * i, (uint64_t)x[i]);
            put_u64(q + 16 * i + 8, (uint64_t)(x[i] >> 64));
        }
    } else {
        const uint64_t *x = data;   /* doubles and int64s: their bits */
        for (size_t i = 0; i < n; i++) {
            uint64_t v;
            memcpy(&v, &x[i], 8);
            put_u64(q + 8 * i, v);
        }
    }
    return SECTION_HEAD + n * es;
}

int part_texts(const part *p, const char *const *names, size_t n,
               char **mem, const char **text, size_t *lens)
{
    size_t room = 1, len = 0;
    for (size_t i = 0; i < n; i++)
        if (part_find(p, names[i], PART_TEXT, &len))
            room += len + 1;
    if (!(*mem = malloc(room)))
        return -1;
    char *at = *mem;
    for (size_t i = 0; i < n; i++) {
        const char *t = part_find(p, names[i], PART_TEXT, &len);
        text[i] = NULL;
        if (lens)
            lens[i] = 0;
        if (!t || memchr(t, '\0', len))
            continue;
        memcpy(at, t, len);
        at[len] = '\0';
        text[i] = at;
        if (lens)
            lens[i] = len;
        at += len + 1;
    }
    return 0;
}

int part_encode(const part *p, unsigned char **buf, size_t *len)
{
    char *info = info_text(&p->info);
    if (!info)
        return NCG_ERR_NOMEM;
    size_t ni = strlen(info);
    size_t total = PREAMBLE + SECTION_HEAD + ni + TRAILER_LEN;
    for (size_t i = 0; i < p->n; i++)
        total += SECTION_HEAD + p->s[i].n * type_size(p->s[i].type);
    unsigned char *b = malloc(total);
    if (!b) {
        free(info);
        return NCG_ERR_NOMEM;
    }
    memcpy(b, MAGIC, 8);
    put_u32(b + 8, PART_FORMAT);
    put_u32(b + 12, (uint32_t)(p->n + 1));
    size_t at = PREAMBLE;
    at += put_section(b + at, INFO_NAME, PART_TEXT, info, ni);
    free(info);
    for (size_t i = 0; i < p->n; i++)
        at += put_section(b + at, p->s[i].name, p->s[i].type, p->s[i].data,
                          p->s[i].n);
    sha256 h;
    char hex[65];
    sha256_init(&h);
    sha256_update(&h, b, at);
    sha256_final(&h, hex);
    memcpy(b + at, TRAILER, 8);
    memcpy(b + at + 8, hex, 64);
    b[at + 72] = '\n';
    *buf = b;
    *len = at + TRAILER_LEN;
    return 0;
}

/* ------------------------------------------------------------ decoding -- */

/* Copies the value of KEY in the "key value" lines TEXT into V (LEN
 * bytes); 0, or -1 when the key is missing or its value too long. */
static int info_value(const char *text, const char *key, char *v, size_t len)
{
    size_t kl = strlen(key);
    for (const char *l = text; *l; ) {
        const char *e = strchr(l, '\n');
        size_t ll = e ? (size_t)(e - l) : strlen(l);
        if (ll > kl && strncmp(l, key, kl) == 0 && l[kl] == ' ') {
            if (ll - kl - 1 >= len)
                return -1;
            memcpy(v, l + kl + 1, ll - kl - 1);
            v[ll - kl - 1] = '\0';
            return 0;
        }
        l += ll + (e != NULL);
    }
    return -1;
}

static int info_u64(const char *text, const char *key, int base, uint64_t *x)
{
    char v[32], *end;
    if (info_value(text, key, v, sizeof v) != 0 || !v[0])
        return -1;
    errno = 0;
    unsigned long long u = strtoull(v, &end, base);
    if (errno || *end || v[0] == '-')
        return -1;
    *x = u;
    return 0;
}

static int info_u32(const char *text, const char *key, uint32_t *x)
{
    uint64_t u;
    if (info_u64(text, key, 10, &u) != 0 || u > UINT32_MAX)
        return -1;
    *x = (uint32_t)u;
    return 0;
}

/* Parses the header lines TEXT into F; the first key missing or bad in
 * *BAD, or NULL. */
static void info_parse(const char *text, part_info *f, const char **bad)
{
    memset(f, 0, sizeof *f);
    *bad = NULL;
#define STR(k) if (!*bad && info_value(text, #k, f->k, sizeof f->k)) *bad = #k
#define U64(k, b) if (!*bad && info_u64(text, #k, b, &f->k)) *bad = #k
#define U32(k) if (!*bad && info_u32(text, #k, &f->k)) *bad = #k
    STR(version); STR(build); STR(command); STR(scenario);
    U64(model_hash, 16); U64(job, 16); U32(member); U32(members);
    U64(seed, 10); U64(trials, 10); STR(sampler); U32(shard); U32(shards);
    STR(unit); U64(units, 10); U64(first, 10); U64(count, 10);
#undef STR
#undef U64
#undef U32
    if (!*bad && (f->shard < 1 || f->shard > f->shards))
        *bad = "shard";
    else if (!*bad && f->member >= f->members)
        *bad = "member";
    else if (!*bad && (f->first > f->units || f->count > f->units - f->first))
        *bad = "count";
}

/* Decodes the elements of one section at Q into S->data (host order). */
static void get_elements(section *s, const unsigned char *q)
{
    if (s->type == PART_TEXT) {
        memcpy(s->data, q, s->n);
    } else if (s->type == PART_U128) {
        stats_wsum *x = s->data;
        for (size_t i = 0; i < s->n; i++)
            x[i] = (stats_wsum)get_u64(q + 16 * i)
                   | (stats_wsum)get_u64(q + 16 * i + 8) << 64;
    } else {
        uint64_t *x = s->data;
        for (size_t i = 0; i < s->n; i++)
            x[i] = get_u64(q + 8 * i);
    }
}

/* The sections of a checksummed body B of LEN bytes into P (its info
 * text into *INFO, malloc'd). 0, or -1 when malformed. */
static int get_sections(const unsigned char *b, size_t len, part *p,
                        char **info)
{
    uint32_t ns = get_u32(b + 12);
    size_t at = PREAMBLE;
    for (uint32_t i = 0; i < ns; i++) {
        if (len - at < SECTION_HEAD)
            return -1;
        char name[PART_NAME_MAX + 1];
        memcpy(name, b + at, PART_NAME_MAX);
        name[PART_NAME_MAX] = '\0';
        part_type t = (part_type)get_u32(b + at + 16);
        uint64_t n = get_u64(b + at + 24);
        size_t es = type_size(t);
        at += SECTION_HEAD;
        if (es == 0 || b[at - SECTION_HEAD + PART_NAME_MAX] != '\0'
            || n > (len - at) / es)
            return -1;
        if (i == 0) {
            if (strcmp(name, INFO_NAME) != 0 || t != PART_TEXT
                || !(*info = malloc(n + 1)))
                return -1;
            memcpy(*info, b + at, n);
            (*info)[n] = '\0';
            if (strlen(*info) != n)
                return -1;
        } else {
            if (part_add(p, name, t, b + at, 0) != 0)
                return -1;
            section *s = &p->s[p->n - 1];
            free(s->data);
            s->n = (size_t)n;
            if (!(s->data = malloc((size_t)n * es + 1)))
                return -1;
            get_elements(s, b + at);
        }
        at += (size_t)n * es;
    }
    return at == len ? 0 : -1;
}

int part_decode(const unsigned char *buf, size_t len, const char *label,
                part **out, diag *d)
{
    *out = NULL;
    if (len < 8 || memcmp(buf, MAGIC, 8) != 0) {
        diag_add(d, label, 0, NULL, "not an ncgsim part file");
        return NCG_ERR_IO;
    }
    if (len >= PREAMBLE && get_u32(buf + 8) != PART_FORMAT) {
        diag_add(d, label, 0, NULL, "part format %" PRIu32 "; this ncgsim "
                 "(%s) reads format %d: merge with the version that wrote "
                 "it", get_u32(buf + 8), NCGSIM_VERSION, PART_FORMAT);
        return NCG_ERR_IO;
    }
    if (len < PREAMBLE + TRAILER_LEN
        || memcmp(buf + len - TRAILER_LEN, TRAILER, 8) != 0
        || buf[len - 1] != '\n') {
        diag_add(d, label, 0, NULL, "incomplete part file (%zu bytes, no "
                 "checksum at the end): truncated or damaged; compute this "
                 "shard again", len);
        return NCG_ERR_IO;
    }
    size_t body = len - TRAILER_LEN;
    sha256 h;
    char hex[65];
    sha256_init(&h);
    sha256_update(&h, buf, body);
    sha256_final(&h, hex);
    if (memcmp(hex, buf + body + 8, 64) != 0) {
        diag_add(d, label, 0, NULL, "checksum mismatch: the part file was "
                 "altered or damaged; compute this shard again");
        return NCG_ERR_IO;
    }
    part_info none;
    memset(&none, 0, sizeof none);
    part *p = part_alloc(&none);
    char *info = NULL;
    const char *bad = NULL;
    if (!p)
        return NCG_ERR_NOMEM;
    if (get_sections(buf, body, p, &info) != 0)
        bad = "sections";
    else
        info_parse(info, &p->info, &bad);
    free(info);
    if (bad) {
        diag_add(d, label, 0, NULL, "malformed part file (%s)", bad);
        part_free(p);
        return NCG_ERR_IO;
    }
    *out = p;
    return 0;
}

/* ---------------------------------------------------------------- files -- */

/* 1 when PATH is absent or a regular file that starts as a part does. */
static int replaceable(const char *path)
{
    struct stat st;
    char head[8];
    if (lstat(path, &st) != 0)
        return errno == ENOENT;
    if (!S_ISREG(st.st_mode))
        return 0;
    FILE *f = fopen(path, "rbe");
    if (!f)
        return 0;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n == sizeof head && memcmp(head, MAGIC, 8) == 0;
}

int part_write(const part *p, const char *dir, const char *name, diag *d)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    char *final = path_join(dir, name), *tmp = NULL;
    int rc = 0, fd = -1;
    if (!final || part_encode(p, &buf, &len) != 0) {
        rc = NCG_ERR_NOMEM;
        diag_add(d, NULL, 0, NULL, "out of memory");
        goto end;
    }
    if (output_make_dirs(dir) != 0) {
        diag_add(d, dir, 0, NULL, "cannot create folder: %s",
                 strerror(errno));
        rc = NCG_ERR_IO;
        goto end;
    }
    if (!replaceable(final)) {
        diag_add(d, final, 0, NULL, "exists and is not an ncgsim part file; "
                 "not replaced (remove it or choose another -o)");
        rc = NCG_ERR_IO;
        goto end;
    }
    size_t tl = strlen(dir) + strlen(name) + 16;
    if (!(tmp = malloc(tl))) {
        rc = NCG_ERR_NOMEM;
        diag_add(d, NULL, 0, NULL, "out of memory");
        goto end;
    }
    snprintf(tmp, tl, "%s/.%s.XXXXXX", dir, name);
    if ((fd = mkstemp(tmp)) < 0) {
        diag_add(d, dir, 0, NULL, "cannot write: %s", strerror(errno));
        rc = NCG_ERR_IO;
        free(tmp);
        tmp = NULL;
        goto end;
    }
    /* mkstemp makes the file private; a part is as readable as any result. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0)
        rc = NCG_ERR_IO;
    for (size_t at = 0; rc == 0 && at < len; ) {
        ssize_t w = write(fd, buf + at, len - at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = NCG_ERR_IO;
            break;
        }
        at += (size_t)w;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = NCG_ERR_IO;
    if (close(fd) != 0)
        rc = NCG_ERR_IO;
    fd = -1;
    if (rc == 0 && rename(tmp, final) != 0)
        rc = NCG_ERR_IO;
    if (rc != 0) {
        diag_add(d, final, 0, NULL, "write error: %s", strerror(errno));
        unlink(tmp);
        goto end;
    }
    output_sync_dir(dir);
end:
    free(tmp);
    free(final);
    free(buf);
    return rc;
}

int part_read(const char *path, part **out, diag *d)
{
    *out = NULL;
    FILE *f = fopen(path, "rbe");
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc;
    if (!f) {
        diag_add(d, path, 0, NULL, "cannot read: %s", strerror(errno));
        return NCG_ERR_IO;
    }
    for (;;) {
        if (len == cap) {
            size_t nc = cap ? 2 * cap : 65536;
            unsigned char *nb = realloc(buf, nc);
            if (!nb) {
                free(buf);
                fclose(f);
                diag_add(d, NULL, 0, NULL, "out of memory");
                return NCG_ERR_NOMEM;
            }
            buf = nb;
            cap = nc;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        diag_add(d, path, 0, NULL, "read error: %s", strerror(errno));
        rc = NCG_ERR_IO;
    } else {
        rc = part_decode(buf, len, path, out, d);
    }
    fclose(f);
    free(buf);
    return rc;
}

void part_file_name(const char *command, const char *name, uint32_t i,
                    uint32_t k, char *b, size_t len)
{
    int run = strcmp(command, "run") == 0;
    snprintf(b, len, "%s%s%s.part-%" PRIu32 "-of-%" PRIu32 PART_SUFFIX, name,
             run ? "" : "-", run ? "" : command, i, k);
}
