/* test_docs.c: the README and docs stay true: quoted commands are run and their output compared, counts are the model's, links lead somewhere. */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "testutil.h"

/*
 * Marks are HTML comments (invisible on GitHub) in README.md and docs/NAME.md:
 *
 *   <!-- example: CMD -->   right before a fenced block: the standard output
 *                           and error of CMD together must be the block's
 *                           lines (the block's indentation removed);
 *   <!-- runs: CMD -->      for a command the text shows without its output:
 *                           CMD must exit with status 0 (a command the text
 *                           says fails is written so, e.g. `! NCGSIM ...` or
 *                           `NCGSIM ...; test $? = 3`);
 *   <!-- file: NAME -->     right before a fenced block: the block is written
 *                           to TMP/NAME, for the commands after it (so a
 *                           scenario the text shows is the one that runs);
 *   <!-- counts: FILE -->   the paragraph after it: every "N params", "N
 *                           random", "N constants", "N computed" (params
 *                           given by an expression), "N events", "N states",
 *                           "N derived", "N variables", "N outputs" and "N
 *                           steps" in it must be scenario FILE's count, as
 *                           `ncgsim show FILE` lists it.
 *
 * The marks of one document run in its order, with sh, from the repository
 * root (make test runs there); NCGSIM stands for the binary under test
 * (absolute path) and TMP for one fresh folder per document. A command that
 * changes a file works on a copy in TMP.
 *
 * Comparing an example, two rules let a long or timed output be quoted:
 *   - a quoted line `...` stands for any number of output lines (a stable
 *     excerpt of a long output: say in the text that lines are left out);
 *   - a duration, "in 95.5 s", matches any duration (machines differ).
 * Nothing else is normalised, and nothing is skipped.
 */
enum docs_mark { DOCS_NONE, DOCS_EXAMPLE, DOCS_RUNS, DOCS_FILE };
static const char *const docs_marks[] = {
    [DOCS_EXAMPLE] = "<!-- example: ", [DOCS_RUNS] = "<!-- runs: ", [DOCS_FILE] = "<!-- file: ",
};
#define DOCS_COUNTS "<!-- counts: "

static const char *docs_bin(void)
{
    static char path[PATH_MAX];
    const char *b = getenv("NCGSIM_BIN");
    if (!realpath(b && *b ? b : "./ncgsim", path))
        return "./ncgsim";
    return path;
}

/* CMD with NCGSIM and TMP replaced (malloc'd). */
static char *docs_expand(const char *cmd, const char *tmp)
{
    const char *bin = docs_bin();
    size_t cap = strlen(cmd) * (strlen(bin) + strlen(tmp) + 1) + 1;
    char *out = malloc(cap), *o = out;
    for (const char *p = cmd; *p; ) {
        if (strncmp(p, "NCGSIM", 6) == 0) {
            o += sprintf(o, "%s", bin);
            p += 6;
        } else if (strncmp(p, "TMP", 3) == 0) {
            o += sprintf(o, "%s", tmp);
            p += 3;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    return out;
}

/* The fenced block after FROM, its lines without the fence's indentation
 * (malloc'd), or NULL when there is none; *AFTER is set past its end. */
static char *docs_block(const char *text, const char *from, const char **after)
{
    const char *fence = strstr(from, "```");
    if (!fence)
        return NULL;
    size_t indent = 0;
    while (fence - indent > text && fence[-(long)indent - 1] == ' ')
        indent++;
    const char *body = strchr(fence, '\n');
    const char *close = body ? strstr(body + 1, "```") : NULL;
    if (!close)
        return NULL;
    char *want = calloc(1, (size_t)(close - body) + 1), *w = want;
    for (const char *line = body + 1; line < close - indent; ) {
        const char *nl = strchr(line, '\n');
        size_t skip = 0;
        while (skip < indent && line[skip] == ' ')
            skip++;
        memcpy(w, line + skip, (size_t)(nl - line) - skip + 1);
        w += (size_t)(nl - line) - skip + 1;
        line = nl + 1;
    }
    *w = 0;
    *after = close + 3;
    return want;
}

/* Replaces, in place, the number of every duration " in 12.3 s" by "#". */
static void docs_mask_durations(char *s)
{
    char *w = s;
    for (const char *r = s; *r; ) {
        if (strncmp(r, " in ", 4) == 0 && isdigit((unsigned char)r[4])) {
            size_t n = strspn(r + 4, "0123456789.");
            if (strncmp(r + 4 + n, " s", 2) == 0 && !isalnum((unsigned char)r[6 + n])) {
                memcpy(w, " in #", 5);
                w += 5;
                r += 4 + n;
                continue;
            }
        }
        *w++ = *r++;
    }
    *w = 0;
}

/* Whether output GOT matches the quoted text WANT, where a line "..." of
 * WANT stands for any number of lines of GOT. */
static int docs_lines_match(const char *got, const char *want)
{
    if (!*want)
        return !*got;
    if (strncmp(want, "...\n", 4) == 0) {
        for (const char *g = got; ; g++) {
            if (docs_lines_match(g, want + 4))
                return 1;
            if (!(g = strchr(g, '\n')))
                return 0;
        }
    }
    size_t wl = strcspn(want, "\n"), gl = strcspn(got, "\n");
    if (wl != gl || strncmp(got, want, wl) != 0 || (got[gl] == 0) != (want[wl] == 0))
        return 0;
    return docs_lines_match(got + gl + (got[gl] != 0), want + wl + (want[wl] != 0));
}

/* Runs the marks of the document PATH in order; adds how many were checked
 * to *CHECKED and the failures to *FAILED. */
static void docs_check_file(const char *path, size_t *checked, size_t *failed)
{
    char *text = test_read(path);
    if (!text)
        return;
    char *tmp = test_tmpdir();
    for (const char *m = strstr(text, "<!-- "); m; m = strstr(m, "<!-- ")) {
        enum docs_mark kind = DOCS_NONE;
        for (int k = DOCS_EXAMPLE; k <= DOCS_FILE; k++)
            if (strncmp(m, docs_marks[k], strlen(docs_marks[k])) == 0)
                kind = (enum docs_mark)k;
        const char *end = strstr(m, " -->");
        if (kind == DOCS_NONE || !end) {
            m += 5;
            continue;
        }
        size_t mlen = strlen(docs_marks[kind]);
        char *arg = strndup(m + mlen, (size_t)(end - m) - mlen);
        const char *after = end + 4;
        char *block = kind == DOCS_RUNS ? NULL : docs_block(text, after, &after);
        if (kind != DOCS_RUNS && !block) {
            fprintf(stderr, "\n%s: mark '%s' without its block\n", path, arg);
            ++*failed;
        } else if (kind == DOCS_FILE) {
            char *dir = docs_expand("TMP/", tmp), mk[PATH_MAX + 32];
            snprintf(mk, sizeof mk, "mkdir -p \"$(dirname '%s%s')\"", dir, arg);
            test_run(mk, NULL);
            free(test_write(tmp, arg, block));
            free(dir);
        } else {
            char *full = docs_expand(arg, tmp), *got = NULL;
            int rc = test_run(full, &got);
            ++*checked;
            if (kind == DOCS_RUNS && rc != 0) {
                fprintf(stderr, "\n%s: '%s' exited with %d:\n%s", path, arg, rc,
                        got ? got : "(no output)\n");
                ++*failed;
            } else if (kind == DOCS_EXAMPLE) {
                if (got)
                    docs_mask_durations(got);
                docs_mask_durations(block);
                if (!got || !docs_lines_match(got, block)) {
                    fprintf(stderr, "\n%s: example '%s'\n  output:\n%s  quoted:\n%s",
                            path, arg, got ? got : "(none)\n", block);
                    ++*failed;
                }
            }
            free(got);
            free(full);
        }
        free(block);
        free(arg);
        m = after;
    }
    test_rmrf(tmp);
    free(tmp);
    free(text);
}

/* Calls FN(PATH, ARG) for README.md and every docs/NAME.md. */
static void docs_each(void (*fn)(const char *path, void *arg), void *arg)
{
    fn("README.md", arg);
    DIR *dir = opendir("docs");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    for (struct dirent *e; (e = readdir(dir)); ) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0)
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "docs/%s", e->d_name);
        fn(path, arg);
    }
    closedir(dir);
}

typedef struct docs_tally { size_t checked, failed; } docs_tally;

static void docs_tally_file(const char *path, void *arg)
{
    docs_tally *t = arg;
    docs_check_file(path, &t->checked, &t->failed);
}

static void test_docs__quoted_outputs__match_the_commands(void)
{
    docs_tally t = { 0, 0 };
    docs_each(docs_tally_file, &t);
    if (t.failed || t.checked < 35)
        fprintf(stderr, "\ndocs: %zu of %zu marked commands fail\n", t.failed, t.checked);
    CU_ASSERT(t.checked >= 35);
    CU_ASSERT_EQUAL(t.failed, 0);
}

/* A scenario's sizes as `ncgsim show` lists them. */
typedef struct docs_counts {
    size_t params, random, constants, computed, events, states, derived, outputs, steps;
} docs_counts;

/* Counts the distinct NAMEs of the lines "GROUP.NAME..." of SHOW (the lines
 * of one name are together); with KEY, only the names whose first line goes
 * on with KEY (".dist = \"const\""). */
static size_t docs_count_group(const char *show, const char *group, const char *key)
{
    size_t n = 0, glen = strlen(group);
    char last[128] = "";
    for (const char *l = show; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
        if (strncmp(l, group, glen) != 0 || l[glen] != '.')
            continue;
        const char *name = l + glen + 1;
        size_t len = strcspn(name, ". =");
        if (len >= sizeof last || (strncmp(name, last, len) == 0 && last[len] == 0))
            continue;
        memcpy(last, name, len);
        last[len] = 0;
        n += !key || strncmp(name + len, key, strlen(key)) == 0;
    }
    return n;
}

/* FILE's counts from `ncgsim show FILE`; 0 when show fails. */
static int docs_scenario_counts(const char *file, docs_counts *c)
{
    char cmd[PATH_MAX * 2], *show = NULL;
    snprintf(cmd, sizeof cmd, "%s show '%s'", docs_bin(), file);
    if (test_run(cmd, &show) != 0 || !show) {
        free(show);
        return 0;
    }
    c->params = docs_count_group(show, "params", NULL);
    c->constants = docs_count_group(show, "params", ".dist = \"const\"");
    c->random = docs_count_group(show, "params", ".dist = ") - c->constants;
    c->computed = c->params - c->random - c->constants;
    c->events = docs_count_group(show, "events", NULL);
    c->states = docs_count_group(show, "states", NULL);
    c->derived = docs_count_group(show, "derived", NULL);
    const char *o = strstr(show, "\noutputs = [");
    c->outputs = 0;
    for (const char *q = o ? o + 12 : NULL; q && *q && *q != ']'; q++)
        c->outputs += *q == '"';
    c->outputs /= 2;
    const char *s = strstr(show, "\nsimulation.steps = ");
    c->steps = s ? strtoul(s + 20, NULL, 10) : 0;
    free(show);
    return 1;
}

/* Checks every "N word" of the paragraph at P against C; returns how many
 * numbers it checked. */
static size_t docs_check_counts(const char *path, const char *file, const char *p,
                                const docs_counts *c, size_t *failed)
{
    static const struct { const char *word; size_t off; } words[] = {
        { "params", offsetof(docs_counts, params) },
        { "random", offsetof(docs_counts, random) },
        { "constants", offsetof(docs_counts, constants) },
        { "computed", offsetof(docs_counts, computed) },
        { "events", offsetof(docs_counts, events) },
        { "states", offsetof(docs_counts, states) },
        { "derived", offsetof(docs_counts, derived) },
        { "outputs", offsetof(docs_counts, outputs) },
        { "steps", offsetof(docs_counts, steps) },
        { "variables", SIZE_MAX },
    };
    const char *end = strstr(p, "\n\n");
    size_t n = 0;
    for (; *p && (!end || p < end); p++) {
        if (!isdigit((unsigned char)*p) || isalnum((unsigned char)p[-1]))
            continue;
        size_t said = 0;
        const char *q = p;
        for (; isdigit((unsigned char)*q) || (*q == ',' && isdigit((unsigned char)q[1])); q++)
            if (*q != ',')
                said = said * 10 + (size_t)(*q - '0');
        if (*q != ' ') {
            p = q;
            continue;
        }
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
            size_t len = strlen(words[i].word);
            if (strncmp(q + 1, words[i].word, len) != 0 || isalpha((unsigned char)q[1 + len]))
                continue;
            size_t real = words[i].off != SIZE_MAX
                        ? *(const size_t *)((const char *)c + words[i].off)
                        : c->params + c->events + c->states + c->derived;
            if (said != real) {
                fprintf(stderr, "\n%s: says %zu %s for %s; ncgsim show counts %zu\n",
                        path, said, words[i].word, file, real);
                ++*failed;
            }
            n++;
        }
        p = q;
    }
    return n;
}

static void docs_counts_file(const char *path, void *arg)
{
    docs_tally *t = arg;
    char *text = test_read(path);
    for (const char *m = text ? strstr(text, DOCS_COUNTS) : NULL; m; m = strstr(m + 1, DOCS_COUNTS)) {
        const char *end = strstr(m, " -->");
        char *file = end ? strndup(m + strlen(DOCS_COUNTS), (size_t)(end - m) - strlen(DOCS_COUNTS)) : NULL;
        docs_counts c;
        if (!file || !docs_scenario_counts(file, &c)) {
            fprintf(stderr, "\n%s: counts of '%s': no such scenario\n", path, file ? file : "?");
            t->failed++;
        } else if (docs_check_counts(path, file, end + 4, &c, &t->failed) == 0) {
            fprintf(stderr, "\n%s: counts of '%s': the paragraph states no count\n", path, file);
            t->failed++;
        }
        t->checked++;
        free(file);
    }
    free(text);
}

static void test_docs__stated_counts__are_the_models(void)
{
    docs_tally t = { 0, 0 };
    docs_each(docs_counts_file, &t);
    CU_ASSERT(t.checked >= 1);
    CU_ASSERT_EQUAL(t.failed, 0);
}

/* The anchor GitHub gives a heading: lower case, spaces to '-', other
 * characters than letters, digits, '-' and '_' dropped. */
static void docs_slug(const char *heading, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        unsigned char ch = (unsigned char)heading[i];
        if (ch == ' ')
            out[n++] = '-';
        else if (isalnum(ch) || ch == '-' || ch == '_' || ch >= 0x80)
            out[n++] = (char)tolower(ch);
    }
    out[n] = 0;
}

/* Whether the Markdown file PATH has a heading whose anchor is ANCHOR. */
static int docs_has_anchor(const char *path, const char *anchor)
{
    char *text = test_read(path);
    int found = 0, fenced = 0;
    for (const char *l = text; l && *l && !found; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
        size_t len = strcspn(l, "\n");
        if (strncmp(l + strspn(l, " "), "```", 3) == 0)
            fenced = !fenced;
        if (fenced || *l != '#')
            continue;
        size_t h = strspn(l, "#");
        char slug[256];
        docs_slug(l + h + 1, len - h - 1, slug, sizeof slug);
        found = strcmp(slug, anchor) == 0;
    }
    free(text);
    return found;
}

static void docs_links_file(const char *path, void *arg)
{
    docs_tally *t = arg;
    char *text = test_read(path), folder[PATH_MAX];
    snprintf(folder, sizeof folder, "%s", path);
    char *slash = strrchr(folder, '/');
    if (slash)
        slash[1] = 0;
    else
        folder[0] = 0;
    int fenced = 0;
    for (char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
        if (strncmp(l + strspn(l, " "), "```", 3) == 0)
            fenced = !fenced;
        size_t len = strcspn(l, "\n");
        for (char *p = l; !fenced && (p = strstr(p, "](")) && p < l + len; p += 2) {
            size_t n = strcspn(p + 2, ") \n");
            char target[PATH_MAX], file[PATH_MAX * 2];
            snprintf(target, sizeof target, "%.*s", (int)n, p + 2);
            if (strstr(target, "://") || strncmp(target, "mailto:", 7) == 0)
                continue;
            char *hash = strchr(target, '#');
            if (hash)
                *hash++ = 0;
            snprintf(file, sizeof file, "%s%s", *target ? folder : "", *target ? target : path);
            struct stat st;
            t->checked++;
            if (stat(file, &st) != 0) {
                fprintf(stderr, "\n%s: link to '%s': no such file\n", path, target);
                t->failed++;
            } else if (hash && !docs_has_anchor(file, hash)) {
                fprintf(stderr, "\n%s: link to '%s#%s': no such heading\n", path, target, hash);
                t->failed++;
            }
        }
        /* A file named in passing, `name.md`, is one the reader can open. */
        for (char *p = l; (p = strstr(p, ".md`")) && p < l + len; p++) {
            char *b = p;
            while (b > l && b[-1] != '`' && b[-1] != ' ')
                b--;
            if (b == l || b[-1] != '`')
                continue;
            char name[PATH_MAX], file[PATH_MAX * 2];
            snprintf(name, sizeof name, "%.*s", (int)(p + 3 - b), b);
            struct stat st;
            snprintf(file, sizeof file, "%s%s", folder, name);
            int found = stat(file, &st) == 0 || stat(name, &st) == 0;
            snprintf(file, sizeof file, "docs/%s", name);
            found = found || stat(file, &st) == 0;
            t->checked++;
            if (!found) {
                fprintf(stderr, "\n%s: names '%s', which is not in the repository\n", path, name);
                t->failed++;
            }
        }
    }
    free(text);
}

static void test_docs__links__lead_to_files_and_headings(void)
{
    docs_tally t = { 0, 0 };
    docs_each(docs_links_file, &t);
    CU_ASSERT(t.checked >= 50);
    CU_ASSERT_EQUAL(t.failed, 0);
}

void test_docs_register(void);
void test_docs_register(void)
{
    static const test_case cases[] = {
        { "quoted outputs match the commands", test_docs__quoted_outputs__match_the_commands },
        { "stated counts are the model's", test_docs__stated_counts__are_the_models },
        { "links lead to files and headings", test_docs__links__lead_to_files_and_headings },
    };
    TEST_SUITE("docs", cases);
}
