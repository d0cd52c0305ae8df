/* parse.c: recursive-descent parser from expression tokens to a small tree. */
#include <stdio.h>
#include <stdlib.h>
#include "expr/parse.h"

/* Deeper nesting than this is certainly a mistake, and refusing it keeps
 * the recursion (here and in the code generator) within the C stack. */
#define PARSE_MAX_DEPTH 200
/* The tallest tree accepted. Nesting alone stays far below it, but a long
 * run of left-associative operators (1 + 1 + ... + 1) builds a tree as
 * tall as the run without any recursion here, and the code generator
 * walks trees recursively: refusing it here keeps that within the stack. */
#define PARSE_MAX_HEIGHT 1000

/* Nodes are taken from chunks so that a tree is freed in a few calls. */
#define PARSE_CHUNK 64

/* A node and the height of its subtree (1 for a leaf). The node comes
 * first, so the address of a node is the address of its entry. */
typedef struct parse_entry {
    parse_node node;
    unsigned height;
} parse_entry;

typedef struct parse_chunk {
    struct parse_chunk *next;
    size_t used;
    parse_entry nodes[PARSE_CHUNK];
} parse_chunk;

struct parse_tree {
    parse_node *root;
    parse_chunk *chunks;    /* newest first; owned */
};

typedef struct parser {
    const char *src;
    lex_state ls;
    lex_token tok;          /* the lookahead token */
    parse_tree *tree;
    int depth;
    char *err;
    size_t errlen;
} parser;

static parse_node *new_node(parser *ps, parse_kind kind, size_t pos)
{
    parse_chunk *c = ps->tree->chunks;
    if (!c || c->used == PARSE_CHUNK) {
        c = calloc(1, sizeof *c);
        if (!c) {
            snprintf(ps->err, ps->errlen, "out of memory");
            return NULL;
        }
        c->next = ps->tree->chunks;
        ps->tree->chunks = c;
    }
    parse_entry *e = &c->nodes[c->used++];
    e->height = 1;
    parse_node *n = &e->node;
    n->kind = kind;
    n->pos = pos;
    n->op_pos = pos;
    return n;
}

static int advance(parser *ps)
{
    return lex_next(&ps->ls, &ps->tok, ps->err, ps->errlen);
}

/* "column N: expected WHAT but found <the lookahead>". */
static void *expected(parser *ps, const char *what)
{
    char found[64];
    snprintf(ps->err, ps->errlen, "column %zu: expected %s but found %s",
             ps->tok.pos + 1, what,
             lex_describe(ps->src, &ps->tok, found, sizeof found));
    return NULL;
}

/* Counts one level of nesting; 0, or -1 with a message when too deep. */
static int enter(parser *ps)
{
    if (++ps->depth <= PARSE_MAX_DEPTH)
        return 0;
    snprintf(ps->err, ps->errlen, "column %zu: expression is nested too deeply",
             ps->tok.pos + 1);
    return -1;
}

static unsigned height_of(const parse_node *n)
{
    return n ? ((const parse_entry *)(const void *)n)->height : 0;
}

/* Records that N sits on top of a subtree of height BELOW; returns N, or
 * NULL with a message at N's operator when the tree is too tall. */
static parse_node *grow(parser *ps, parse_node *n, unsigned below)
{
    if (below >= PARSE_MAX_HEIGHT) {
        snprintf(ps->err, ps->errlen, "column %zu: expression is too long "
                 "(split it into several derived variables)", n->op_pos + 1);
        return NULL;
    }
    ((parse_entry *)(void *)n)->height = below + 1;
    return n;
}

static parse_node *binary(parser *ps, lex_kind op, size_t op_pos,
                                parse_node *a, parse_node *b)
{
    parse_node *n = new_node(ps, PARSE_BINARY, a->pos);
    if (!n)
        return NULL;
    n->op = op;
    n->op_pos = op_pos;
    n->a = a;
    n->b = b;
    unsigned ha = height_of(a), hb = height_of(b);
    return grow(ps, n, ha > hb ? ha : hb);
}

static parse_node *parse_ternary(parser *ps);
static parse_node *parse_unary(parser *ps);

/* atom -> NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')' */
static parse_node *parse_atom(parser *ps)
{
    lex_token t = ps->tok;
    parse_node *n = NULL;
    if (t.kind == LEX_NUMBER) {
        if (!(n = new_node(ps, PARSE_NUMBER, t.pos)) || advance(ps))
            return NULL;
        n->number = t.number;
        return n;
    }
    if (t.kind == LEX_LPAREN) {
        parse_node *inner;
        if (advance(ps) || !(inner = parse_ternary(ps)))
            return NULL;
        if (ps->tok.kind != LEX_RPAREN)
            return expected(ps, "')'");
        return advance(ps) ? NULL : inner;
    }
    if (t.kind != LEX_NAME)
        return expected(ps, "an expression");
    if (!(n = new_node(ps, PARSE_NAME, t.pos)) || advance(ps))
        return NULL;
    n->name = ps->src + t.pos;
    n->len = t.len;
    if (ps->tok.kind != LEX_LPAREN)
        return n;
    n->kind = PARSE_CALL;
    if (advance(ps))
        return NULL;
    /* No function takes zero arguments, but "exp() takes 1 argument, got 0"
     * from the code generator says more than "expected an expression". */
    if (ps->tok.kind == LEX_RPAREN)
        return advance(ps) ? NULL : n;
    const parse_node **link = &n->args;
    unsigned below = 0;
    for (;;) {
        parse_node *arg;
        if (!(arg = parse_ternary(ps)))
            return NULL;
        *link = arg;
        link = &arg->next;
        n->n_args++;
        if (height_of(arg) > below)
            below = height_of(arg);
        if (ps->tok.kind != LEX_COMMA)
            break;
        if (advance(ps))
            return NULL;
    }
    if (ps->tok.kind != LEX_RPAREN)
        return expected(ps, "')'");
    return advance(ps) || !grow(ps, n, below) ? NULL : n;
}

/* pow -> atom ( '^' unary )? */
static parse_node *parse_pow(parser *ps)
{
    parse_node *a = parse_atom(ps), *b;
    if (!a || ps->tok.kind != LEX_CARET)
        return a;
    size_t op_pos = ps->tok.pos;
    /* 1 ^ 1 ^ ... nests to the right: a level like a parenthesis. */
    if (enter(ps) || advance(ps) || !(b = parse_unary(ps)))
        return NULL;
    ps->depth--;
    return binary(ps, LEX_CARET, op_pos, a, b);
}

/* OP operand, where OPERAND is the rule itself (a prefix operator that
 * nests: `- - x`, `not not x`); anything else is left to NEXT. */
static parse_node *prefix(parser *ps, lex_kind op,
                          parse_node *(*operand)(parser *),
                          parse_node *(*next)(parser *))
{
    if (ps->tok.kind != op)
        return next(ps);
    lex_token t = ps->tok;
    parse_node *a;
    if (enter(ps) || advance(ps) || !(a = operand(ps)))
        return NULL;
    ps->depth--;
    parse_node *n = new_node(ps, PARSE_UNARY, t.pos);
    if (!n)
        return NULL;
    n->op = op;
    n->a = a;
    return grow(ps, n, height_of(a));
}

/* operand ( (OP1 | OP2) operand )*, grouping to the left. */
static parse_node *left_assoc(parser *ps, lex_kind op1, lex_kind op2,
                              parse_node *(*operand)(parser *))
{
    parse_node *a = operand(ps), *b;
    while (a && (ps->tok.kind == op1 || ps->tok.kind == op2)) {
        lex_token t = ps->tok;
        if (advance(ps) || !(b = operand(ps)))
            return NULL;
        a = binary(ps, t.kind, t.pos, a, b);
    }
    return a;
}

/* unary -> '-' unary | pow */
static parse_node *parse_unary(parser *ps)
{
    return prefix(ps, LEX_MINUS, parse_unary, parse_pow);
}

/* prod -> unary ( ('*' | '/') unary )* */
static parse_node *parse_prod(parser *ps)
{
    return left_assoc(ps, LEX_STAR, LEX_SLASH, parse_unary);
}

/* sum -> prod ( ('+' | '-') prod )* */
static parse_node *parse_sum(parser *ps)
{
    return left_assoc(ps, LEX_PLUS, LEX_MINUS, parse_prod);
}

static int is_comparison(lex_kind k)
{
    return k == LEX_LT || k == LEX_LE || k == LEX_GT || k == LEX_GE ||
           k == LEX_EQ || k == LEX_NE;
}

/* cmp -> sum ( ('<' | '<=' | '>' | '>=' | '==' | '!=') sum )? */
static parse_node *parse_cmp(parser *ps)
{
    parse_node *a = parse_sum(ps), *b;
    if (!a || !is_comparison(ps->tok.kind))
        return a;
    lex_token t = ps->tok;
    if (advance(ps) || !(b = parse_sum(ps)))
        return NULL;
    if (is_comparison(ps->tok.kind)) {
        /* `a < b < c` means something else in every language that accepts
         * it; say so here rather than "expected ')'" further up. */
        char found[64];
        snprintf(ps->err, ps->errlen,
                 "column %zu: unexpected %s: comparisons do not chain "
                 "(join them with 'and')", ps->tok.pos + 1,
                 lex_describe(ps->src, &ps->tok, found, sizeof found));
        return NULL;
    }
    return binary(ps, t.kind, t.pos, a, b);
}

/* not -> ('not' | '!') not | cmp */
static parse_node *parse_not(parser *ps)
{
    return prefix(ps, LEX_NOT, parse_not, parse_cmp);
}

/* and -> not ( ('and' | '&&') not )* */
static parse_node *parse_and(parser *ps)
{
    return left_assoc(ps, LEX_AND, LEX_AND, parse_not);
}

/* or -> and ( ('or' | '||') and )* */
static parse_node *parse_or(parser *ps)
{
    return left_assoc(ps, LEX_OR, LEX_OR, parse_and);
}

/* expr -> or ( '?' expr ':' expr )? */
static parse_node *parse_ternary(parser *ps)
{
    parse_node *a, *b, *c;
    if (enter(ps) || !(a = parse_or(ps)))
        return NULL;
    if (ps->tok.kind == LEX_QUESTION) {
        size_t op_pos = ps->tok.pos;
        if (advance(ps) || !(b = parse_ternary(ps)))
            return NULL;
        if (ps->tok.kind != LEX_COLON)
            return expected(ps, "':'");
        if (advance(ps) || !(c = parse_ternary(ps)))
            return NULL;
        parse_node *n = new_node(ps, PARSE_COND, a->pos);
        if (!n)
            return NULL;
        n->op_pos = op_pos;
        n->a = a;
        n->b = b;
        n->c = c;
        unsigned below = height_of(a);
        if (height_of(b) > below)
            below = height_of(b);
        if (height_of(c) > below)
            below = height_of(c);
        if (!(a = grow(ps, n, below)))
            return NULL;
    }
    ps->depth--;
    return a;
}

parse_tree *parse_expr(const char *src, char *err, size_t errlen)
{
    parser ps = {.src = src, .err = err, .errlen = errlen};
    ps.tree = calloc(1, sizeof *ps.tree);
    if (!ps.tree) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    lex_init(&ps.ls, src);
    if (advance(&ps))
        goto fail;
    if (ps.tok.kind == LEX_END) {
        snprintf(err, errlen, "column 1: empty expression");
        goto fail;
    }
    if (!(ps.tree->root = parse_ternary(&ps)))
        goto fail;
    if (ps.tok.kind != LEX_END) {
        char found[64];
        snprintf(err, errlen,
                 "column %zu: unexpected %s after the end of the expression",
                 ps.tok.pos + 1,
                 lex_describe(src, &ps.tok, found, sizeof found));
        goto fail;
    }
    return ps.tree;
fail:
    parse_free(ps.tree);
    return NULL;
}

const parse_node *parse_root(const parse_tree *t)
{
    return t->root;
}

void parse_free(parse_tree *t)
{
    if (!t)
        return;
    parse_chunk *c = t->chunks;
    while (c) {
        parse_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(t);
}
