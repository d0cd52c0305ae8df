/* lex.c: splits an expression string into tokens, each with its byte offset. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expr/lex.h"

/* Longest number we convert; longer digit strings carry no more precision
 * a double could keep, so they are reported rather than silently cut. */
#define LEX_MAX_NUMBER 64

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c)
{
    return is_name_start(c) || is_digit(c);
}

void lex_init(lex_state *ls, const char *src)
{
    ls->src = src;
    ls->pos = 0;
}

/* Length of the run of digits at S. */
static size_t digits(const char *s)
{
    size_t n = 0;
    while (is_digit(s[n]))
        n++;
    return n;
}

/* Scans the number at S (which starts with a digit or with '.' and a digit):
 * digits ['.' digits] [('e'|'E') ['+'|'-'] digits]. Returns its length, or 0
 * when it is malformed: an exponent without digits, or letters, digits or
 * dots glued to its end (`2x`, `1.2.3`), which are never meant as two
 * tokens. *BAD is then the length of the whole malformed word. */
static size_t scan_number(const char *s, size_t *bad)
{
    size_t n = digits(s);
    if (s[n] == '.')
        n += 1 + digits(s + n + 1);
    if (s[n] == 'e' || s[n] == 'E') {
        size_t e = n + 1;
        if (s[e] == '+' || s[e] == '-')
            e++;
        size_t ed = digits(s + e);
        if (ed == 0)
            goto malformed;
        n = e + ed;
    }
    if (is_name_char(s[n]) || s[n] == '.')
        goto malformed;
    return n;
malformed:
    *bad = n;
    while (is_name_char(s[*bad]) || s[*bad] == '.')
        (*bad)++;
    return 0;
}

/* Operators of one or two characters, longest first where they share a
 * first character. */
static const struct {
    const char *text;
    lex_kind kind;
} operators[] = {
    {"<=", LEX_LE}, {">=", LEX_GE}, {"==", LEX_EQ}, {"!=", LEX_NE},
    {"&&", LEX_AND}, {"||", LEX_OR},
    {"(", LEX_LPAREN}, {")", LEX_RPAREN}, {",", LEX_COMMA},
    {"?", LEX_QUESTION}, {":", LEX_COLON}, {"+", LEX_PLUS},
    {"-", LEX_MINUS}, {"*", LEX_STAR}, {"/", LEX_SLASH}, {"^", LEX_CARET},
    {"<", LEX_LT}, {">", LEX_GT}, {"!", LEX_NOT},
};

static const struct {
    const char *word;
    lex_kind kind;
} keywords[] = {
    {"and", LEX_AND}, {"or", LEX_OR}, {"not", LEX_NOT},
};

int lex_is_keyword(const char *word)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strcmp(word, keywords[i].word) == 0)
            return 1;
    return 0;
}

/* Writes the "unexpected character" message for the byte at S, showing a
 * whole UTF-8 sequence as itself and a control byte as \xNN, with a hint
 * for the single-character forms of '==', '&&' and '||'. */
static void bad_char(const char *s, size_t pos, char *err, size_t errlen)
{
    unsigned char c = (unsigned char)s[0];
    const char *hint = c == '=' ? " (write '==' to compare)"
                     : c == '&' ? " (write '&&' or 'and')"
                     : c == '|' ? " (write '||' or 'or')"
                     : "";
    if (c < 0x20 || c == 0x7f) {
        snprintf(err, errlen, "column %zu: unexpected character '\\x%02x'",
                 pos + 1, (unsigned)c);
        return;
    }
    size_t n = 1;
    if (c >= 0x80)
        while (n < 4 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n++;
    snprintf(err, errlen, "column %zu: unexpected character '%.*s'%s",
             pos + 1, (int)n, s, hint);
}

int lex_next(lex_state *ls, lex_token *tok, char *err, size_t errlen)
{
    const char *src = ls->src;
    size_t pos = ls->pos;
    while (src[pos] == ' ' || src[pos] == '\t' || src[pos] == '\n' ||
           src[pos] == '\r')
        pos++;
    const char *s = src + pos;
    *tok = (lex_token){.kind = LEX_END, .pos = pos};

    if (*s == 0)
        goto done;
    if (is_digit(*s) || (*s == '.' && is_digit(s[1]))) {
        size_t bad = 0;
        size_t n = scan_number(s, &bad);
        if (n == 0) {
            snprintf(err, errlen, "column %zu: malformed number '%.*s'",
                     pos + 1, (int)bad, s);
            return -1;
        }
        if (n >= LEX_MAX_NUMBER) {
            snprintf(err, errlen, "column %zu: number is too long", pos + 1);
            return -1;
        }
        char buf[LEX_MAX_NUMBER];
        memcpy(buf, s, n);
        buf[n] = 0;
        double v = strtod(buf, NULL);
        if (isinf(v)) {
            snprintf(err, errlen, "column %zu: number '%s' is too large",
                     pos + 1, buf);
            return -1;
        }
        tok->kind = LEX_NUMBER;
        tok->len = n;
        tok->number = v;
        goto done;
    }
    if (is_name_start(*s)) {
        size_t n = 1;
        while (is_name_char(s[n]))
            n++;
        tok->kind = LEX_NAME;
        tok->len = n;
        for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
            if (strlen(keywords[i].word) == n &&
                memcmp(keywords[i].word, s, n) == 0)
                tok->kind = keywords[i].kind;
        goto done;
    }
    for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++) {
        size_t n = strlen(operators[i].text);
        if (strncmp(s, operators[i].text, n) == 0) {
            tok->kind = operators[i].kind;
            tok->len = n;
            goto done;
        }
    }
    bad_char(s, pos, err, errlen);
    return -1;
done:
    ls->pos = pos + tok->len;
    return 0;
}

const char *lex_describe(const char *src, const lex_token *tok, char *buf,
                         size_t len)
{
    if (tok->kind == LEX_END)
        snprintf(buf, len, "end of expression");
    else
        snprintf(buf, len, "'%.*s'", (int)tok->len, src + tok->pos);
    return buf;
}
