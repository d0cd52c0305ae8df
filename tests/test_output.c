/* test_output.c: the result-folder writer (manifest, lock, stale folders) and CSV text guarding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/diag.h"
#include "base/ncgsim.h"
#include "io/output.h"
#include "io/sha256.h"
#include "testutil.h"

/* S as output_csv_string writes it (malloc'd). */
static char *csv_text(const char *s)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return NULL;
    output_csv_string(f, s);
    fclose(f);
    return buf;
}

static void test_output__csv_text__formula_starts_are_guarded_numbers_are_not(void)
{
    static const struct { const char *in, *out; } cases[] = {
        { "=HYPERLINK(1)", "'=HYPERLINK(1)" },
        { "+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0" },
        { "-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0" },
        { "@SUM(1+1)", "'@SUM(1+1)" },
        { "\t=1", "'\t=1" },
        { "\r=1", "\"'\r=1\"" },
        { "-a, b", "\"'-a, b\"" },
        /* Numbers stay numbers. */
        { "-5", "-5" },
        { "-1.5e3", "-1.5e3" },
        { "+7", "+7" },
        { "0.25", "0.25" },
        /* Plain text and a text's own apostrophe. */
        { "troops", "troops" },
        { "it's", "it's" },
        { "'x", "'x" },
        { "'=x", "''=x" },
        { "- a dash", "'- a dash" },
        { "", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = csv_text(cases[i].in);
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        if (strcmp(got, cases[i].out) != 0)
            fprintf(stderr, "\ncsv '%s': got '%s', want '%s'\n", cases[i].in,
                    got, cases[i].out);
        CU_ASSERT_STRING_EQUAL(got, cases[i].out);
        /* A reader gets the text back exactly (unquoted first when the
         * field was quoted). */
        if (got[0] != '"')
            CU_ASSERT_STRING_EQUAL(output_csv_unguard(got), cases[i].in);
        free(got);
    }
}

static void test_output__sha256__matches_the_standard_vectors(void)
{
    static const struct { const char *in, *hex; } cases[] = {
        { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    };
    char hex[65];
    sha256 s;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sha256_init(&s);
        sha256_update(&s, cases[i].in, strlen(cases[i].in));
        sha256_final(&s, hex);
        CU_ASSERT_STRING_EQUAL(hex, cases[i].hex);
    }
    /* A million 'a' fed in uneven pieces crosses every block boundary. */
    static char a[1000];
    memset(a, 'a', sizeof a);
    sha256_init(&s);
    for (size_t fed = 0, k = 1; fed < 1000000; k = k % 997 + 1) {
        size_t n = 1000000 - fed < k ? 1000000 - fed : k;
        sha256_update(&s, a, n);
        fed += n;
    }
    sha256_final(&s, hex);
    CU_ASSERT_STRING_EQUAL(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Writes a result folder OUT/NAME holding FILE with TEXT through the
 * writer; the writer's status. */
static int write_folder(const char *out, const char *name, const char *file,
                        const char *text, diag *d)
{
    output_dir od;
    int rc = output_begin(out, name, "run", &od, d);
    if (rc != 0)
        return rc;
    FILE *f = output_open(od.tmp, file, d);
    if (!f) {
        output_abort(&od);
        return NCG_EXIT_IO;
    }
    fputs(text, f);
    if ((rc = output_close(f, od.tmp, file, d)) != 0) {
        output_abort(&od);
        return rc;
    }
    return output_commit(&od, d);
}

static int exists(const char *dir, const char *name)
{
    char *path = output_path(dir, name);
    struct stat st;
    int yes = path && lstat(path, &st) == 0;
    free(path);
    return yes;
}

/* 1 when D holds a message containing S. */
static int said(const diag *d, const char *s)
{
    for (size_t i = 0; i < diag_count(d); i++)
        if (strstr(diag_get(d, i), s))
            return 1;
    return 0;
}

static void test_output__rerun__replaces_its_own_folder_listed_in_the_manifest(void)
{
    char *dir = test_tmpdir(), res[600];
    diag *d = diag_alloc();
    snprintf(res, sizeof res, "%s/r", dir);
    CU_ASSERT_EQUAL(write_folder(dir, "r", "a.csv", "one\n", d), 0);
    CU_ASSERT_TRUE(exists(res, OUTPUT_MANIFEST));
    char *mf = test_read(strcat(strcpy((char[700]){0}, res), "/" OUTPUT_MANIFEST));
    CU_ASSERT_PTR_NOT_NULL_FATAL(mf);
    /* sha256 of "one\n", its size and its name; no owner once committed. */
    CU_ASSERT_PTR_NOT_NULL(strstr(mf, "ncgsim-manifest 1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(mf, "\nfile 2c8b08da5ce60398e1f19af0e5dccc744df274b826abe585eaba68c525434806 4 a.csv\n"));
    CU_ASSERT_PTR_NULL(strstr(mf, "owner"));
    free(mf);
    CU_ASSERT_EQUAL(write_folder(dir, "r", "b.csv", "two\n", d), 0);
    CU_ASSERT_FALSE(exists(res, "a.csv"));
    CU_ASSERT_TRUE(exists(res, "b.csv"));
    CU_ASSERT_EQUAL(diag_count(d), 0);
    /* Nothing hidden is left beside it, not even the lock file. */
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "ls -A %s", dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "", "r\n");
    free(out);
    diag_free(d);
    test_rmrf(dir);
    free(dir);
}

static void test_output__foreign_or_changed_file__refuses_and_touches_nothing(void)
{
    char *dir = test_tmpdir(), res[600], cmd[2048];
    diag *d = diag_alloc();
    snprintf(res, sizeof res, "%s/r", dir);
    CU_ASSERT_EQUAL_FATAL(write_folder(dir, "r", "a.csv", "one\n", d), 0);
    /* A user's work added to old results. */
    snprintf(cmd, sizeof cmd, "mkdir %s/thesis && echo ch > %s/thesis/ch1.tex",
             res, res);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, NULL), 0);
    CU_ASSERT_EQUAL(write_folder(dir, "r", "b.csv", "two\n", d), NCG_EXIT_IO);
    CU_ASSERT_TRUE(said(d, "/r/thesis: not written by ncgsim (not in "
                        ".ncgsim-manifest); not replacing"));
    CU_ASSERT_TRUE(exists(res, "a.csv"));
    CU_ASSERT_TRUE(exists(res, "thesis/ch1.tex"));
    CU_ASSERT_FALSE(exists(res, "b.csv"));
    diag_clear(d);
    snprintf(cmd, sizeof cmd, "rm -r %s/thesis && echo edited >> %s/a.csv",
             res, res);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, NULL), 0);
    CU_ASSERT_EQUAL(write_folder(dir, "r", "b.csv", "two\n", d), NCG_EXIT_IO);
    CU_ASSERT_TRUE(said(d, "/r/a.csv: changed since ncgsim wrote it; not "
                        "replacing"));
    char *a = test_read(strcat(strcpy((char[700]){0}, res), "/a.csv"));
    CU_ASSERT_STRING_EQUAL(a ? a : "", "one\nedited\n");
    free(a);
    /* No temporary folder stays behind a refusal. */
    char *out = NULL;
    snprintf(cmd, sizeof cmd, "ls -A %s", dir);
    test_run(cmd, &out);
    CU_ASSERT_STRING_EQUAL(out ? out : "", "r\n");
    free(out);
    diag_free(d);
    test_rmrf(dir);
    free(dir);
}

static void test_output__folder_with_only_result_names__is_not_replaceable(void)
{
    /* compare.csv or resolved.cfg alone prove nothing: no manifest, no
     * replacing. An empty folder holds nothing to lose. */
    char *dir = test_tmpdir(), cmd[1024];
    diag *d = diag_alloc();
    snprintf(cmd, sizeof cmd, "mkdir -p %s/s/thesis %s/t %s/e && "
             "touch %s/s/compare.csv %s/t/resolved.cfg", dir, dir, dir, dir,
             dir);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, NULL), 0);
    CU_ASSERT_EQUAL(write_folder(dir, "s", "a.csv", "x\n", d), NCG_EXIT_IO);
    CU_ASSERT_TRUE(said(d, "/s: exists and is not an ncgsim result folder "
                        "(no .ncgsim-manifest in it); not replacing it"));
    CU_ASSERT_EQUAL(write_folder(dir, "t", "a.csv", "x\n", d), NCG_EXIT_IO);
    CU_ASSERT_EQUAL(write_folder(dir, "e", "a.csv", "x\n", d), 0);
    CU_ASSERT_TRUE(exists(dir, "s/thesis"));
    CU_ASSERT_TRUE(exists(dir, "s/compare.csv"));
    diag_free(d);
    test_rmrf(dir);
    free(dir);
}

static void test_output__second_writer_of_a_folder__is_refused_while_the_first_holds_it(void)
{
    char *dir = test_tmpdir();
    diag *d = diag_alloc();
    output_dir first, second;
    CU_ASSERT_EQUAL_FATAL(output_begin(dir, "r", "run", &first, d), 0);
    /* Another process trying the same folder meanwhile. */
    pid_t pid = fork();
    if (pid == 0) {
        diag *cd = diag_alloc();
        int rc = output_begin(dir, "r", "run", &second, cd);
        int ok = rc == NCG_EXIT_IO && said(cd, "another ncgsim (pid ")
                 && said(cd, "is writing these results now");
        _exit(ok ? 0 : 1);
    }
    int st = -1;
    waitpid(pid, &st, 0);
    CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CU_ASSERT_EQUAL(output_commit(&first, d), 0);
    /* Released by the commit. */
    CU_ASSERT_EQUAL(output_begin(dir, "r", "run", &second, d), 0);
    output_abort(&second);
    diag_free(d);
    test_rmrf(dir);
    free(dir);
}

static void test_output__stale_temporary_folders__only_dead_owners_are_removed(void)
{
    char *dir = test_tmpdir(), cmd[2048];
    diag *d = diag_alloc();
    /* A dead process: a child that has exited and been reaped. */
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0);
    char pid1_start[64] = "0";
    FILE *f = fopen("/proc/1/stat", "r");
    if (f) {
        /* Field 22 of pid 1: a live owner. */
        char buf[1024];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        char *p = strrchr(buf, ')');
        for (int field = 2; p && field < 22; field++)
            p = strchr(p + 1, ' ');
        if (p)
            snprintf(pid1_start, sizeof pid1_start, "%llu",
                     strtoull(p + 1, NULL, 10));
        fclose(f);
    }
    snprintf(cmd, sizeof cmd,
             "cd %s && mkdir .r.tmp-dead01 .r.tmp-live01 .r.tmp-other1 .q.tmp-dead02 && "
             "printf 'ncgsim-manifest 1\\nowner %ld 1\\n' > .r.tmp-dead01/.ncgsim-manifest && "
             "dd if=/dev/zero of=.r.tmp-dead01/samples.csv bs=1k count=64 2>/dev/null && "
             "printf 'ncgsim-manifest 1\\nowner 1 %s\\n' > .r.tmp-live01/.ncgsim-manifest && "
             "echo mine > .r.tmp-other1/notes && "
             "cp .r.tmp-dead01/.ncgsim-manifest .q.tmp-dead02/",
             dir, (long)dead, pid1_start);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, NULL), 0);
    CU_ASSERT_EQUAL(write_folder(dir, "r", "a.csv", "x\n", d), 0);
    CU_ASSERT_FALSE(exists(dir, ".r.tmp-dead01"));
    CU_ASSERT_TRUE(exists(dir, ".r.tmp-live01"));   /* owner alive */
    CU_ASSERT_TRUE(exists(dir, ".r.tmp-other1/notes")); /* not ncgsim's */
    CU_ASSERT_TRUE(exists(dir, ".q.tmp-dead02"));   /* another folder's */
    diag_free(d);
    test_rmrf(dir);
    free(dir);
}

static void test_output__scenario_called_compare__is_never_replaced_by_a_comparison(void)
{
    char *dir = test_tmpdir();
    diag *d = diag_alloc();
    output_dir od;
    /* `ncgsim run compare.cfg` alone wrote OUT/compare. */
    CU_ASSERT_EQUAL_FATAL(write_folder(dir, "compare", "summary.csv", "x\n", d), 0);
    CU_ASSERT_EQUAL(output_begin(dir, "compare", "compare", &od, d), NCG_EXIT_IO);
    CU_ASSERT_TRUE(said(d, "/compare: holds a scenario's results, not a "
                        "comparison; not replacing it"));
    CU_ASSERT_TRUE(exists(dir, "compare/summary.csv"));
    diag_clear(d);
    /* And the other way round. */
    CU_ASSERT_EQUAL_FATAL(output_begin(dir, "cmp", "compare", &od, d), 0);
    CU_ASSERT_EQUAL_FATAL(output_commit(&od, d), 0);
    CU_ASSERT_EQUAL(output_begin(dir, "cmp", "run", &od, d), NCG_EXIT_IO);
    CU_ASSERT_TRUE(said(d, "/cmp: holds a comparison, not a scenario's "
                        "results"));
    /* A redraw (no kind given) keeps the folder's kind. */
    CU_ASSERT_EQUAL_FATAL(output_begin(dir, "cmp", NULL, &od, d), 0);
    CU_ASSERT_EQUAL_FATAL(output_commit(&od, d), 0);
    char *mf = test_read(strcat(strcpy((char[700]){0}, dir), "/cmp/" OUTPUT_MANIFEST));
    CU_ASSERT_PTR_NOT_NULL(mf ? strstr(mf, "\nkind compare\n") : NULL);
    free(mf);
    diag_free(d);
    test_rmrf(dir);
    free(dir);
}

void test_output_register(void);
void test_output_register(void)
{
    static const test_case cases[] = {
        { "CSV text: formula starts are guarded, numbers are not", test_output__csv_text__formula_starts_are_guarded_numbers_are_not },
        { "sha256 matches the standard vectors", test_output__sha256__matches_the_standard_vectors },
        { "a rerun replaces its own folder listed in the manifest", test_output__rerun__replaces_its_own_folder_listed_in_the_manifest },
        { "a foreign or changed file refuses and touches nothing", test_output__foreign_or_changed_file__refuses_and_touches_nothing },
        { "a folder with only result names is not replaceable", test_output__folder_with_only_result_names__is_not_replaceable },
        { "a second writer of a folder is refused while the first holds it", test_output__second_writer_of_a_folder__is_refused_while_the_first_holds_it },
        { "stale temporary folders: only dead owners are removed", test_output__stale_temporary_folders__only_dead_owners_are_removed },
        { "a scenario called compare is never replaced by a comparison", test_output__scenario_called_compare__is_never_replaced_by_a_comparison },
    };
    TEST_SUITE("output", cases);
}
