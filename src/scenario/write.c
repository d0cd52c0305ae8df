/* write.c: writes a resolved scenario back as libconfig text, shows it with origins, labels steps. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scenario/scn.h"

/* libconfig 1.5 writes doubles with 15 digits, which does not read back
 * the same (0.1 + 0.2). So each float goes to libconfig as a 64-bit
 * integer marker base + k, and the markers are swapped for the float's
 * exact text in libconfig's output. The base is chosen so that no real
 * integer of the tree is a marker. */
typedef struct scn_writer {
    double *floats;   /* by marker order (owned) */
    size_t n;
    int64_t base;     /* the marker of floats[0] */
} scn_writer;

static size_t scn_count_floats(const snode *n)
{
    size_t c = n->type == SNODE_FLOAT;
    for (size_t i = 0; i < n->n_kids; i++)
        c += scn_count_floats(n->kids[i]);
    return c;
}

/* An integer of the tree under N that lies in [BASE, BASE + COUNT), into
 * *HIT; 0 when there is none. */
static int scn_find_int(const snode *n, int64_t base, size_t count,
                        int64_t *hit)
{
    if (n->type == SNODE_INT && (uint64_t)n->v.i - (uint64_t)base < count) {
        *hit = n->v.i;
        return 1;
    }
    for (size_t i = 0; i < n->n_kids; i++)
        if (scn_find_int(n->kids[i], base, count, hit))
            return 1;
    return 0;
}

/* The libconfig type for N; the integers of an array share one type, and
 * floats travel as 64-bit markers. */
static int scn_config_type(const snode *n, const snode *array)
{
    switch (n->type) {
    case SNODE_INT:
        if (array) {
            for (size_t i = 0; i < array->n_kids; i++)
                if (array->kids[i]->v.i != (int32_t)array->kids[i]->v.i)
                    return CONFIG_TYPE_INT64;
            return CONFIG_TYPE_INT;
        }
        return n->v.i == (int32_t)n->v.i ? CONFIG_TYPE_INT : CONFIG_TYPE_INT64;
    case SNODE_FLOAT: return CONFIG_TYPE_INT64;
    case SNODE_STRING: return CONFIG_TYPE_STRING;
    case SNODE_BOOL: return CONFIG_TYPE_BOOL;
    case SNODE_GROUP: return CONFIG_TYPE_GROUP;
    case SNODE_ARRAY: return CONFIG_TYPE_ARRAY;
    case SNODE_LIST: return CONFIG_TYPE_LIST;
    }
    return CONFIG_TYPE_NONE;
}

/* Adds the children of N under libconfig setting CS. 0, or -1 when
 * libconfig refuses one (out of memory). */
static int scn_build(scn_writer *w, config_setting_t *cs, const snode *n)
{
    for (size_t i = 0; i < n->n_kids; i++) {
        const snode *k = n->kids[i];
        int type = scn_config_type(k, n->type == SNODE_ARRAY ? n : NULL);
        config_setting_t *c = config_setting_add(cs, k->name, type);
        int ok = c != NULL;
        if (!ok)
            return -1;
        switch (k->type) {
        case SNODE_INT:
            ok = type == CONFIG_TYPE_INT
                ? config_setting_set_int(c, (int)k->v.i)
                : config_setting_set_int64(c, k->v.i);
            break;
        case SNODE_FLOAT:
            ok = config_setting_set_int64(c, w->base + (int64_t)w->n);
            w->floats[w->n++] = k->v.f;
            break;
        case SNODE_STRING:
            ok = config_setting_set_string(c, k->v.s);
            break;
        case SNODE_BOOL:
            ok = config_setting_set_bool(c, (int)k->v.i);
            break;
        default:
            ok = scn_build(w, c, k) == 0;
            break;
        }
        if (!ok)
            return -1;
    }
    return 0;
}

/* Writes TEXT (libconfig's output) to OUT with every float marker of W
 * replaced by the float's exact text. Markers are values, so they only
 * follow a blank outside strings, and end in 'L'. */
static void scn_put_unmarked(const char *text, const scn_writer *w, FILE *out)
{
    int in_string = 0;
    for (const char *p = text; *p; ) {
        if (in_string) {
            if (*p == '\\' && p[1])
                fputc(*p++, out);
            else if (*p == '"')
                in_string = 0;
        } else if (*p == '"') {
            in_string = 1;
        } else if (w->n && p > text && p[-1] == ' ' &&
                   (*p == '-' || isdigit((unsigned char)*p))) {
            char *end;
            errno = 0;
            long long v = strtoll(p, &end, 10);
            uint64_t k = (uint64_t)v - (uint64_t)w->base;
            if (errno == 0 && *end == 'L' && k < w->n) {
                char buf[40];
                scn_format_float(w->floats[k], buf);
                fputs(buf, out);
                p = end + 1;
                continue;
            }
        }
        fputc(*p++, out);
    }
}

/* Writes HEADER as comment lines (see scenario_write). */
static void scn_put_header(const char *header, FILE *out)
{
    while (header && *header) {
        size_t len = strcspn(header, "\n");
        if (header[0] != '#')
            fputs(len ? "# " : "#", out);
        fwrite(header, 1, len, out);
        fputc('\n', out);
        header += len + (header[len] == '\n');
    }
}

int scenario_write(const scenario *s, const char *header, FILE *out)
{
    scn_writer w = { NULL, 0, INT64_MIN };
    config_t cfg;
    char *text = NULL;
    size_t len = 0;
    int rc = -1;
    config_init(&cfg);
    if (!s || !s->root)
        goto end;
    size_t nf = scn_count_floats(s->root);
    int64_t hit;
    while (scn_find_int(s->root, w.base, nf, &hit))
        w.base = hit + 1;
    if (!(w.floats = malloc((nf ? nf : 1) * sizeof *w.floats)))
        goto end;
    if (scn_build(&w, config_root_setting(&cfg), s->root) != 0)
        goto end;
    /* Semicolons and "name = { ... }": the style of the shipped scenarios. */
    config_set_options(&cfg, CONFIG_OPTION_SEMICOLON_SEPARATORS);
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        goto end;
    config_write(&cfg, mem);
    if (fclose(mem) != 0)
        goto end;
    scn_put_header(header, out);
    scn_put_unmarked(text, &w, out);
    rc = ferror(out) ? -1 : 0;
end:
    config_destroy(&cfg);
    free(w.floats);
    free(text);
    return rc;
}

char *scenario_text(const scenario *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    int r = scenario_write(s, NULL, f);
    if (fclose(f) != 0 || r != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Writes the scalar N as scenario text: strings quoted with libconfig's
 * escapes, floats exactly. */
static void scn_put_scalar(const snode *n, FILE *out)
{
    char buf[40];
    switch (n->type) {
    case SNODE_INT:
        fprintf(out, "%" PRId64, n->v.i);
        break;
    case SNODE_FLOAT:
        scn_format_float(n->v.f, buf);
        fputs(buf, out);
        break;
    case SNODE_BOOL:
        fputs(n->v.i ? "true" : "false", out);
        break;
    case SNODE_STRING:
        fputc('"', out);
        for (const unsigned char *p = (const unsigned char *)n->v.s; *p; p++) {
            const char *esc = *p == '"' ? "\\\"" : *p == '\\' ? "\\\\"
                : *p == '\n' ? "\\n" : *p == '\t' ? "\\t" : *p == '\r' ? "\\r"
                : *p == '\f' ? "\\f" : NULL;
            if (esc)
                fputs(esc, out);
            else if (*p < 0x20 || *p == 0x7f)
                fprintf(out, "\\x%02X", *p);
            else
                fputc(*p, out);
        }
        fputc('"', out);
        break;
    default:
        break;
    }
}

/* Prints every leaf under N (called PATH) as "path = value    # origin". */
static int scn_show_node(const snode *n, const char *path, FILE *out)
{
    int leaf = n->type != SNODE_GROUP && n->type != SNODE_LIST;
    if (leaf || n->n_kids == 0) {
        fprintf(out, "%s = ", path);
        if (n->type == SNODE_GROUP)
            fputs("{}", out);
        else if (n->type == SNODE_LIST)
            fputs("()", out);
        else if (n->type == SNODE_ARRAY) {
            fputc('[', out);
            for (size_t i = 0; i < n->n_kids; i++) {
                if (i)
                    fputs(", ", out);
                scn_put_scalar(n->kids[i], out);
            }
            fputc(']', out);
        } else {
            scn_put_scalar(n, out);
        }
        if (n->line > 0)
            fprintf(out, "    # %s:%d\n", n->file, n->line);
        else
            fprintf(out, "    # %s\n", n->file ? n->file : "?");
        return 0;
    }
    for (size_t i = 0; i < n->n_kids; i++) {
        char *kpath = scn_path(path, n->kids[i]->name, i);
        if (!kpath)
            return -1;
        int r = scn_show_node(n->kids[i], kpath, out);
        free(kpath);
        if (r != 0)
            return -1;
    }
    return 0;
}

int scenario_show(const scenario *s, FILE *out)
{
    if (!s || !s->root)
        return -1;
    for (size_t i = 0; i < s->root->n_kids; i++)
        if (scn_show_node(s->root->kids[i], s->root->kids[i]->name, out) != 0)
            return -1;
    return ferror(out) ? -1 : 0;
}

void scenario_step_label(const scenario_sim *sim, uint32_t t, char *buf,
                         size_t len)
{
    if (!buf || len == 0)
        return;
    /* Step 1 is `start`, so step T is T - 1 periods after it. */
    long long k = (long long)t - 1;
    if (!sim->has_start || strcmp(sim->step_unit, "step") == 0) {
        snprintf(buf, len, "%" PRIu32, t);
    } else if (strcmp(sim->step_unit, "quarter") == 0) {
        long long q = (long long)sim->start_year * 4 + sim->start_sub - 1 + k;
        snprintf(buf, len, "%04lldQ%lld", q / 4, q % 4 + 1);
    } else if (strcmp(sim->step_unit, "month") == 0) {
        long long m = (long long)sim->start_year * 12 + sim->start_sub - 1 + k;
        snprintf(buf, len, "%04lld-%02lld", m / 12, m % 12 + 1);
    } else {
        snprintf(buf, len, "%04lld", sim->start_year + k);
    }
}
