/* parse.h: recursive-descent parser from expression tokens to a small tree. */
#ifndef NCG_PARSE_H
#define NCG_PARSE_H

#include <stddef.h>
#include "expr/lex.h"

typedef enum {
    PARSE_NUMBER,  /* a literal: number */
    PARSE_NAME,    /* a bare name: name, len */
    PARSE_CALL,    /* name(args...): name, len, args, n_args */
    PARSE_UNARY,   /* op a, op is LEX_MINUS or LEX_NOT */
    PARSE_BINARY,  /* a op b, op is an arithmetic, comparison, LEX_AND or
                      LEX_OR token kind */
    PARSE_COND     /* a ? b : c */
} parse_kind;

/* One node of an expression tree. Nodes live in their tree's arena and
 * point into the parsed string; both must outlive any use of the node. */
typedef struct parse_node parse_node;
struct parse_node {
    parse_kind kind;
    lex_kind op;             /* PARSE_UNARY and PARSE_BINARY: the operator */
    size_t pos;              /* byte offset where the node's text starts
                                (for a binary node: its left operand's) */
    size_t op_pos;           /* byte offset of the operator (unary, binary,
                                cond) or of the name (name, call) */
    double number;           /* PARSE_NUMBER */
    const char *name;        /* PARSE_NAME, PARSE_CALL: not NUL-terminated */
    size_t len;              /* ... its length in bytes */
    const parse_node *a, *b, *c; /* operands */
    const parse_node *args;  /* PARSE_CALL: first argument, then ->next */
    const parse_node *next;  /* the following argument of the same call */
    size_t n_args;           /* PARSE_CALL: 0 for `f()`, which the grammar
                                leaves to the code generator to refuse */
};

/* A parsed expression: its root and the arena that holds every node. */
typedef struct parse_tree parse_tree;

/* Parses the whole of SRC by the grammar of the scenario language.
 * Returns a tree (free it with parse_free), or NULL with "column N: message"
 * in ERR, e.g. "column 9: expected ')' but found end of expression",
 * "column 1: empty expression". SRC is borrowed and must outlive the tree. */
parse_tree *parse_expr(const char *src, char *err, size_t errlen);

/* The root node of T (borrowed from T). */
const parse_node *parse_root(const parse_tree *t);

/* Frees T and all its nodes; parse_free(NULL) does nothing. */
void parse_free(parse_tree *t);

#endif
