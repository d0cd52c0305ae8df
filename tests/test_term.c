/* test_term.c: CUnit suite for showing file text on a terminal without obeying it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/term.h"
#include "testutil.h"

static void test_term__controls__are_shown_not_obeyed(void)
{
    static const struct { const char *in, *want; } cases[] = {
        { "plain text", "plain text" },
        { "T\x1b]0;pwned\x07", "T\\x1B]0;pwned\\x07" },          /* OSC 0 */
        { "\x1b[2J", "\\x1B[2J" },                                /* clear */
        { "\x1b]52;c;aGk=\x07", "\\x1B]52;c;aGk=\\x07" },         /* clipboard */
        { "a\xc2\x9b" "31m", "a\\xC2\\x9B31m" },                  /* C1 CSI */
        { "caf\xc3\xa9 \xe2\x80\x94 ok", "caf\xc3\xa9 \xe2\x80\x94 ok" },
        { "tab\tcr\rdel\x7f", "tab\\x09cr\\x0Ddel\\x7F" },
        { "two\nlines", "two\\x0Alines" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[128];
        CU_ASSERT_STRING_EQUAL(term_escape(cases[i].in, buf, sizeof buf),
                               cases[i].want);
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        term_put(f, cases[i].in, 0);
        fclose(f);
        CU_ASSERT_STRING_EQUAL(text, cases[i].want);
        free(text);
    }
}

static void test_term__short_buffer__is_cut_between_escapes(void)
{
    char buf[7];
    CU_ASSERT_STRING_EQUAL(term_escape("ab\x1b[2J", buf, sizeof buf), "ab\\x1B");
    CU_ASSERT_STRING_EQUAL(term_escape("abc\x1b[2J", buf, sizeof buf), "abc");
    CU_ASSERT_STRING_EQUAL(term_escape("abcdefgh", buf, sizeof buf), "abcdef");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    term_put(f, "one\ntwo\x1b", 1);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(text, "one\ntwo\\x1B");
    free(text);
}

void test_term_register(void);
void test_term_register(void)
{
    static const test_case cases[] = {
        { "controls__are_shown_not_obeyed", test_term__controls__are_shown_not_obeyed },
        { "short_buffer__is_cut_between_escapes", test_term__short_buffer__is_cut_between_escapes },
    };
    TEST_SUITE("term", cases);
}
