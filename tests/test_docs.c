/* test_docs.c: every command the README and docs quote with its output is run, and the output compared. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/*
 * A quoted example in README.md or a docs file (docs/NAME.md) is an HTML comment (invisible
 * on GitHub) right before a fenced block:
 *
 *   <!-- example: NCGSIM check scenarios/examples/quickstart.cfg -->
 *   ```
 *   ok: scenarios/examples/quickstart.cfg: quickstart (...)
 *   ```
 *
 * The command runs with sh from the repository root (make test runs there),
 * NCGSIM standing for the binary under test (absolute path) and TMP for a
 * fresh folder; its standard output and error together must be the block's
 * lines exactly (the block's indentation removed). A command that changes a
 * file works on a copy in TMP.
 */
#define DOCS_MARK "<!-- example: "

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

/* Checks every example of the file PATH; returns how many, and adds the
 * failures to *FAILED. */
static size_t docs_check_file(const char *path, size_t *failed)
{
    char *text = test_read(path);
    size_t n = 0;
    if (!text)
        return 0;
    for (char *m = strstr(text, DOCS_MARK); m; m = strstr(m + 1, DOCS_MARK)) {
        char *end = strstr(m, " -->");
        char *fence = end ? strstr(end, "```") : NULL;
        if (!fence) {
            fprintf(stderr, "\n%s: an example mark without its block\n", path);
            ++*failed;
            break;
        }
        size_t indent = 0;
        while (fence - indent > text && fence[-(long)indent - 1] == ' ')
            indent++;
        char *body = strchr(fence, '\n');
        char *close = body ? strstr(body + 1, "```") : NULL;
        if (!close) {
            ++*failed;
            break;
        }
        /* The expected text: the block's lines without the indentation. */
        char *want = calloc(1, (size_t)(close - body) + 1), *w = want;
        for (char *line = body + 1; line < close - indent; ) {
            char *nl = strchr(line, '\n');
            size_t skip = 0;
            while (skip < indent && line[skip] == ' ')
                skip++;
            memcpy(w, line + skip, (size_t)(nl - line) - skip + 1);
            w += (size_t)(nl - line) - skip + 1;
            line = nl + 1;
        }
        *w = 0;
        char *cmd = strndup(m + strlen(DOCS_MARK), (size_t)(end - m) - strlen(DOCS_MARK));
        char *tmp = test_tmpdir();
        char *full = docs_expand(cmd, tmp);
        char *got = NULL;
        test_run(full, &got);
        if (!got || strcmp(got, want) != 0) {
            fprintf(stderr, "\n%s: example '%s'\n  output:\n%s  quoted:\n%s",
                    path, cmd, got ? got : "(none)\n", want);
            ++*failed;
        }
        n++;
        free(got);
        free(full);
        test_rmrf(tmp);
        free(tmp);
        free(cmd);
        free(want);
    }
    free(text);
    return n;
}

static void test_docs__quoted_outputs__match_the_commands(void)
{
    size_t failed = 0, n = docs_check_file("README.md", &failed);
    DIR *dir = opendir("docs");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    for (struct dirent *e; (e = readdir(dir)); ) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0)
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "docs/%s", e->d_name);
        n += docs_check_file(path, &failed);
    }
    closedir(dir);
    if (failed)
        fprintf(stderr, "\ndocs: %zu of %zu examples differ\n", failed, n);
    CU_ASSERT(n >= 3);
    CU_ASSERT_EQUAL(failed, 0);
}

void test_docs_register(void);
void test_docs_register(void)
{
    static const test_case cases[] = {
        { "quoted_outputs__match_the_commands", test_docs__quoted_outputs__match_the_commands },
    };
    TEST_SUITE("docs", cases);
}
