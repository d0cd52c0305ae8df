/* test_lex.c: tokens of the expression language, their offsets and errors. */
#include <string.h>
#include "expr/lex.h"
#include "testutil.h"

/* Lexes all of SRC into KINDS (at most MAX, LEX_END included) and their
 * offsets into POS; returns the count, or -1 with ERR set. */
static int lex_all(const char *src, lex_kind *kinds, size_t *pos, int max,
                   char *err, size_t errlen)
{
    lex_state ls;
    lex_init(&ls, src);
    for (int n = 0; n < max; n++) {
        lex_token t;
        if (lex_next(&ls, &t, err, errlen))
            return -1;
        kinds[n] = t.kind;
        pos[n] = t.pos;
        if (t.kind == LEX_END)
            return n + 1;
    }
    return max;
}

static void test_lex__operators__all_kinds_in_order(void)
{
    const char *src = "( ) , ? : + - * / ^ < <= > >= == != && || ! and or not";
    const lex_kind want[] = {
        LEX_LPAREN, LEX_RPAREN, LEX_COMMA, LEX_QUESTION, LEX_COLON, LEX_PLUS,
        LEX_MINUS, LEX_STAR, LEX_SLASH, LEX_CARET, LEX_LT, LEX_LE, LEX_GT,
        LEX_GE, LEX_EQ, LEX_NE, LEX_AND, LEX_OR, LEX_NOT, LEX_AND, LEX_OR,
        LEX_NOT, LEX_END};
    lex_kind kinds[32];
    size_t pos[32];
    char err[128];
    int n = lex_all(src, kinds, pos, 32, err, sizeof err);
    CU_ASSERT_EQUAL(n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < n; i++)
        CU_ASSERT_EQUAL(kinds[i], want[i]);
}

static void test_lex__tokens__carry_byte_offsets(void)
{
    lex_kind kinds[8];
    size_t pos[8];
    char err[128];
    int n = lex_all("  ab<=\t12 )", kinds, pos, 8, err, sizeof err);
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_EQUAL(kinds[0], LEX_NAME);
    CU_ASSERT_EQUAL(pos[0], 2);
    CU_ASSERT_EQUAL(kinds[1], LEX_LE);
    CU_ASSERT_EQUAL(pos[1], 4);
    CU_ASSERT_EQUAL(kinds[2], LEX_NUMBER);
    CU_ASSERT_EQUAL(pos[2], 7);
    CU_ASSERT_EQUAL(kinds[3], LEX_RPAREN);
    CU_ASSERT_EQUAL(pos[3], 10);
    CU_ASSERT_EQUAL(kinds[4], LEX_END);
    CU_ASSERT_EQUAL(pos[4], 11);
}

static void test_lex__numbers__every_written_form_has_its_value(void)
{
    static const struct { const char *src; double v; size_t len; } cases[] = {
        {"1", 1, 1}, {"1.5", 1.5, 3}, {".5", 0.5, 2}, {"1e-3", 1e-3, 4},
        {"2.5E+3", 2500, 6}, {"7.", 7, 2}, {"0012", 12, 4}, {"3e2", 300, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lex_state ls;
        lex_token t;
        char err[128];
        lex_init(&ls, cases[i].src);
        CU_ASSERT_EQUAL_FATAL(lex_next(&ls, &t, err, sizeof err), 0);
        CU_ASSERT_EQUAL(t.kind, LEX_NUMBER);
        CU_ASSERT_DOUBLE_EQUAL(t.number, cases[i].v, 1e-12 * cases[i].v);
        CU_ASSERT_EQUAL(t.len, cases[i].len);
    }
}

static void test_lex__names__keywords_only_as_whole_words(void)
{
    lex_kind kinds[8];
    size_t pos[8];
    char err[128];
    int n = lex_all("android _x9 Or not_ T", kinds, pos, 8, err, sizeof err);
    CU_ASSERT_EQUAL(n, 6);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(kinds[i], LEX_NAME);
}

static void test_lex__end__repeats_after_the_last_token(void)
{
    lex_state ls;
    lex_token t;
    char err[128];
    lex_init(&ls, "x ");
    CU_ASSERT_EQUAL(lex_next(&ls, &t, err, sizeof err), 0);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(lex_next(&ls, &t, err, sizeof err), 0);
        CU_ASSERT_EQUAL(t.kind, LEX_END);
        CU_ASSERT_EQUAL(t.pos, 2);
    }
}

static void test_lex__bad_input__exact_messages(void)
{
    static const struct { const char *src, *msg; } cases[] = {
        {"a + $b", "column 5: unexpected character '$'"},
        {"a = b", "column 3: unexpected character '=' (write '==' to compare)"},
        {"a & b", "column 3: unexpected character '&' (write '&&' or 'and')"},
        {"a | b", "column 3: unexpected character '|' (write '||' or 'or')"},
        {"x \x01", "column 3: unexpected character '\\x01'"},
        {"2 \xc3\x97 3", "column 3: unexpected character '\xc3\x97'"},
        {"1e", "column 1: malformed number '1e'"},
        {"1 + 2e+x", "column 5: malformed number '2e'"},
        {"2x", "column 1: malformed number '2x'"},
        {"1.2.3", "column 1: malformed number '1.2.3'"},
        {"1e999", "column 1: number '1e999' is too large"},
        {"1234567890123456789012345678901234567890123456789012345678901234567890",
         "column 1: number is too long"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lex_kind kinds[8];
        size_t pos[8];
        char err[128] = "";
        CU_ASSERT_EQUAL(lex_all(cases[i].src, kinds, pos, 8, err, sizeof err), -1);
        CU_ASSERT_STRING_EQUAL(err, cases[i].msg);
    }
}

static void test_lex__describe__quotes_source_text_or_names_the_end(void)
{
    const char *src = "troops <=";
    lex_state ls;
    lex_token t;
    char err[128], buf[64];
    lex_init(&ls, src);
    lex_next(&ls, &t, err, sizeof err);
    CU_ASSERT_STRING_EQUAL(lex_describe(src, &t, buf, sizeof buf), "'troops'");
    lex_next(&ls, &t, err, sizeof err);
    CU_ASSERT_STRING_EQUAL(lex_describe(src, &t, buf, sizeof buf), "'<='");
    lex_next(&ls, &t, err, sizeof err);
    CU_ASSERT_STRING_EQUAL(lex_describe(src, &t, buf, sizeof buf),
                           "end of expression");
}

void test_lex_register(void);
void test_lex_register(void)
{
    static const test_case cases[] = {
        {"operators: all kinds in order", test_lex__operators__all_kinds_in_order},
        {"tokens: carry byte offsets", test_lex__tokens__carry_byte_offsets},
        {"numbers: every written form has its value",
         test_lex__numbers__every_written_form_has_its_value},
        {"names: keywords only as whole words",
         test_lex__names__keywords_only_as_whole_words},
        {"end: repeats after the last token",
         test_lex__end__repeats_after_the_last_token},
        {"bad input: exact messages", test_lex__bad_input__exact_messages},
        {"describe: quotes source text or names the end",
         test_lex__describe__quotes_source_text_or_names_the_end},
    };
    TEST_SUITE("lex", cases);
}
