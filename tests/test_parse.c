/* test_parse.c: the expression grammar: tree shapes, positions, syntax errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expr/parse.h"
#include "testutil.h"

static const char *op_text(lex_kind k)
{
    switch (k) {
    case LEX_PLUS: return "+";
    case LEX_MINUS: return "-";
    case LEX_STAR: return "*";
    case LEX_SLASH: return "/";
    case LEX_CARET: return "^";
    case LEX_LT: return "<";
    case LEX_LE: return "<=";
    case LEX_GT: return ">";
    case LEX_GE: return ">=";
    case LEX_EQ: return "==";
    case LEX_NE: return "!=";
    case LEX_AND: return "and";
    case LEX_OR: return "or";
    case LEX_NOT: return "!";
    default: return "?";
    }
}

/* Writes N as an s-expression: "(op a b)", "(? c a b)", "f(a b)". */
static void show(const parse_node *n, char *buf, size_t len)
{
    size_t used = strlen(buf);
    char *end = buf + used;
    size_t room = len - used;
    switch (n->kind) {
    case PARSE_NUMBER:
        snprintf(end, room, "%g", n->number);
        return;
    case PARSE_NAME:
        snprintf(end, room, "%.*s", (int)n->len, n->name);
        return;
    case PARSE_CALL:
        snprintf(end, room, "%.*s(", (int)n->len, n->name);
        for (const parse_node *a = n->args; a; a = a->next) {
            show(a, buf, len);
            strncat(buf, a->next ? " " : "", len - strlen(buf) - 1);
        }
        strncat(buf, ")", len - strlen(buf) - 1);
        return;
    case PARSE_UNARY:
        snprintf(end, room, "(%s ", op_text(n->op));
        show(n->a, buf, len);
        break;
    case PARSE_BINARY:
        snprintf(end, room, "(%s ", op_text(n->op));
        show(n->a, buf, len);
        strncat(buf, " ", len - strlen(buf) - 1);
        show(n->b, buf, len);
        break;
    case PARSE_COND:
        snprintf(end, room, "(? ");
        show(n->a, buf, len);
        strncat(buf, " ", len - strlen(buf) - 1);
        show(n->b, buf, len);
        strncat(buf, " ", len - strlen(buf) - 1);
        show(n->c, buf, len);
        break;
    }
    strncat(buf, ")", len - strlen(buf) - 1);
}

static void test_parse__precedence_and_associativity__follow_the_grammar(void)
{
    static const struct { const char *src, *tree; } cases[] = {
        {"1+2*3", "(+ 1 (* 2 3))"},
        {"1-2-3", "(- (- 1 2) 3)"},
        {"8/4/2", "(/ (/ 8 4) 2)"},
        {"(1 + 2) * 3", "(* (+ 1 2) 3)"},
        {"2^3^2", "(^ 2 (^ 3 2))"},
        {"-2^2", "(- (^ 2 2))"},
        {"2^-1", "(^ 2 (- 1))"},
        {"-x*y", "(* (- x) y)"},
        {"1 - -1", "(- 1 (- 1))"},
        {"a < b + 1", "(< a (+ b 1))"},
        {"a >= b", "(>= a b)"},
        {"not a == b", "(! (== a b))"},
        {"not not a", "(! (! a))"},
        {"!a and b or c", "(or (and (! a) b) c)"},
        {"a || b && !c", "(or a (and b (! c)))"},
        {"a and b and c", "(and (and a b) c)"},
        {"a ? b : c ? d : e", "(? a b (? c d e))"},
        {"a ? b ? c : d : e", "(? a (? b c d) e)"},
        {"a > b ? 1 : 0", "(? (> a b) 1 0)"},
        {"max(1, x, f(y))", "max(1 x f(y))"},
        {"f(a ? b : c, -d)", "f((? a b c) (- d))"},
        {"x()", "x()"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[128] = "", buf[256] = "";
        parse_tree *t = parse_expr(cases[i].src, err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        show(parse_root(t), buf, sizeof buf);
        CU_ASSERT_STRING_EQUAL(buf, cases[i].tree);
        if (strcmp(buf, cases[i].tree) != 0)
            fprintf(stderr, "\n%s: got %s\n", cases[i].src, buf);
        parse_free(t);
    }
}

static void test_parse__nodes__know_where_they_start(void)
{
    char err[128];
    parse_tree *t = parse_expr(" ab + cd(2, x)", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    const parse_node *root = parse_root(t);
    CU_ASSERT_EQUAL(root->pos, 1);
    CU_ASSERT_EQUAL(root->op_pos, 4);
    CU_ASSERT_EQUAL(root->b->kind, PARSE_CALL);
    CU_ASSERT_EQUAL(root->b->pos, 6);
    CU_ASSERT_EQUAL(root->b->n_args, 2);
    CU_ASSERT_EQUAL(root->b->args->next->pos, 12);
    parse_free(t);
}

static void test_parse__syntax_errors__exact_messages(void)
{
    static const struct { const char *src, *msg; } cases[] = {
        {"", "column 1: empty expression"},
        {"   ", "column 1: empty expression"},
        {"(1 + 2", "column 7: expected ')' but found end of expression"},
        {"max(1 2)", "column 7: expected ')' but found '2'"},
        {"(a, b)", "column 3: expected ')' but found ','"},
        {"f(1,)", "column 5: expected an expression but found ')'"},
        {"1 +", "column 4: expected an expression but found end of expression"},
        {"* 2", "column 1: expected an expression but found '*'"},
        {"a b", "column 3: unexpected 'b' after the end of the expression"},
        {"1 )", "column 3: unexpected ')' after the end of the expression"},
        {"a ? b", "column 6: expected ':' but found end of expression"},
        {"1 < 2 == 1", "column 7: unexpected '==': comparisons do not chain "
                       "(join them with 'and')"},
        {"(a < b < c)", "column 8: unexpected '<': comparisons do not chain "
                        "(join them with 'and')"},
        {"a $ b", "column 3: unexpected character '$'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[128] = "";
        CU_ASSERT_PTR_NULL(parse_expr(cases[i].src, err, sizeof err));
        CU_ASSERT_STRING_EQUAL(err, cases[i].msg);
    }
}

static void test_parse__deep_nesting__is_refused_not_overflowed(void)
{
    char src[1000], err[128] = "";
    size_t n = 300;
    memset(src, '(', n);
    src[n] = '1';
    memset(src + n + 1, ')', n);
    src[2 * n + 1] = 0;
    CU_ASSERT_PTR_NULL(parse_expr(src, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "column 201: expression is nested too deeply");
}

static void test_parse__many_nodes__span_several_arena_chunks(void)
{
    /* 1+1+...+1 with 500 terms: 999 nodes, freed in one parse_free. */
    char *src = malloc(1000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    for (int i = 0; i < 999; i++)
        src[i] = i % 2 ? '+' : '1';
    src[999] = 0;
    char err[128];
    parse_tree *t = parse_expr(src, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(t);
    const parse_node *n = parse_root(t);
    int depth = 0;
    while (n->kind == PARSE_BINARY) {
        n = n->a;
        depth++;
    }
    CU_ASSERT_EQUAL(depth, 499);
    parse_free(t);
    parse_free(NULL);
    free(src);
}

void test_parse_register(void);
void test_parse_register(void)
{
    static const test_case cases[] = {
        {"precedence and associativity: follow the grammar",
         test_parse__precedence_and_associativity__follow_the_grammar},
        {"nodes: know where they start", test_parse__nodes__know_where_they_start},
        {"syntax errors: exact messages", test_parse__syntax_errors__exact_messages},
        {"deep nesting: is refused, not overflowed",
         test_parse__deep_nesting__is_refused_not_overflowed},
        {"many nodes: span several arena chunks",
         test_parse__many_nodes__span_several_arena_chunks},
    };
    TEST_SUITE("parse", cases);
}
