/* lex.h: splits an expression string into tokens, each with its byte offset. */
#ifndef NCG_LEX_H
#define NCG_LEX_H

#include <stddef.h>

/* Token kinds. The keywords `and`, `or`, `not` share kinds with `&&`,
 * `||`, `!`: the parser never needs to tell them apart. */
typedef enum {
    LEX_END,      /* end of the expression */
    LEX_NUMBER,   /* 1, 1.5, .5, 1e-3, 2.5E+3 */
    LEX_NAME,     /* [A-Za-z_][A-Za-z0-9_]* that is not a keyword */
    LEX_LPAREN, LEX_RPAREN, LEX_COMMA, LEX_QUESTION, LEX_COLON,
    LEX_PLUS, LEX_MINUS, LEX_STAR, LEX_SLASH, LEX_CARET,
    LEX_LT, LEX_LE, LEX_GT, LEX_GE, LEX_EQ, LEX_NE,
    LEX_AND,      /* and && */
    LEX_OR,       /* or || */
    LEX_NOT       /* not ! */
} lex_kind;

/* One token. Its text is SRC[pos .. pos + len) of the lexed string. */
typedef struct lex_token {
    lex_kind kind;
    size_t pos;      /* byte offset of the first character (column - 1) */
    size_t len;      /* bytes of source text; 0 for LEX_END */
    double number;   /* the value of a LEX_NUMBER, else 0 */
} lex_token;

/* A position in a string being lexed. SRC is borrowed: it must outlive
 * the state and the tokens taken from it. */
typedef struct lex_state {
    const char *src;
    size_t pos;      /* offset of the next unread byte */
} lex_state;

/* Starts lexing the NUL-terminated string SRC at its first byte. */
void lex_init(lex_state *ls, const char *src);

/* 1 when WORD is a keyword of the language (and, or, not), else 0. */
int lex_is_keyword(const char *word);

/* Reads the next token into *TOK, skipping blanks. At the end of the string
 * it returns LEX_END tokens forever. Returns 0, or -1 with a message
 * "column N: ..." in ERR (e.g. "column 7: unexpected character '$'");
 * after an error the state is not advanced. */
int lex_next(lex_state *ls, lex_token *tok, char *err, size_t errlen);

/* Describes TOK for messages: "end of expression", or its source text in
 * single quotes ("'<='", "'troops'"), written into BUF (truncated to
 * LEN bytes). Returns BUF. */
const char *lex_describe(const char *src, const lex_token *tok, char *buf,
                         size_t len);

#endif
