/*
 * html.h - the one way the workbench writes HTML.  Every page is built
 * through an html writer, whose API is shaped so that outside data (an
 * invoice's text, a supplier's name, a search term) cannot reach the page
 * unescaped:
 *
 *   - text and attribute values are always escaped (& < > " ' become
 *     entities), and invalid UTF-8 and control characters become U+FFFD;
 *   - markup that is not escaped can only be a string literal written in
 *     the source (html_raw_literal does not compile with a variable);
 *   - tag and attribute names are checked: no <script>, <style> or other
 *     element whose content the browser does not parse as HTML, no on*
 *     event handler, style, srcdoc or srcset attribute;
 *   - a URL attribute (href, src, action, ...) whose value has a scheme
 *     other than http, https or mailto (javascript:, data:, ...) is
 *     replaced by "#invalid-url";
 *   - elements are closed in order (html_close names what it closes), so
 *     a page is well-formed or fails;
 *   - a page has a size cap;
 *   - personal identity numbers in text and attribute values are masked
 *     (core/pnr.h: "19121212-****"); only html_text_unmasked shows one,
 *     for a role that may see patients, its caller auditing the view.
 *
 * Errors are sticky: the writer functions return nothing, the first
 * failure (cap reached, a name refused, a close that does not match, out
 * of memory) stops all later writing, and html_take reports it.  A page
 * is therefore written straight through and checked once at the end.
 *
 *	html *h = html_new(0);
 *	html_raw_literal(h, "<!DOCTYPE html>");
 *	html_open(h, "a", "href", url, "class", "supplier");
 *	html_text(h, supplier_name);
 *	html_close(h, "a");
 *	rc = html_take(&page, &len, h, err);
 */
#ifndef ULF_WEB_HTML_H
#define ULF_WEB_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "core/dec.h"
#include "core/err.h"

typedef struct html html;

/* The page size cap when html_new is given 0. */
#define HTML_CAP_DEFAULT ((size_t)4 * 1024 * 1024)
/* How deep elements may nest. */
#define HTML_DEPTH_MAX 64

/* A new, empty writer whose page may grow to `cap` bytes (0: the
 * default).  NULL when out of memory. */
html *html_new(size_t cap);
void html_free(html *h);

/* 0, or the first failure's code (see the top of this file). */
int html_status(const html *h);

/*
 * Hands over the page: *out is malloc'd, NUL-terminated, owned by the
 * caller, *out_len its length.  An open element not yet closed is a
 * failure.  Returns 0, or the first failure (ULF_ELIMIT for the cap,
 * ULF_EINVAL for a refused name or a mismatched close, ULF_ENOMEM) with
 * its message in err; *out is then NULL.  Either way the writer is empty
 * afterwards and can write the next page.
 */
int html_take(char **out, size_t *out_len, html *h, ulf_err *err);

/* Text content, escaped; NULL writes nothing.  html_text_n takes s[0..len),
 * NULs included (they become U+FFFD). */
void html_text(html *h, const char *s);
void html_text_n(html *h, const char *s, size_t len);

/* Text content escaped but not masked: a patient's identity shown to a
 * care handler who asked to see it (the caller checks the role and
 * writes the audit record).  NULL writes nothing. */
void html_text_unmasked(html *h, const char *s);

/*
 * A start tag with attributes given as name, value pairs:
 *	html_open(h, "td", "class", "amount", "title", note);
 * Names are literals in practice and are checked (lower-case letters,
 * digits, '-'; see the top of this file); values are escaped, and a NULL
 * value leaves its attribute out.  An odd number of names and values does
 * not compile, nor does a value that is not a string.  A void element
 * (br, img, input, meta, ...) is complete; any other must be closed by
 * html_close.  Until the next write, html_attr may add attributes.
 */
#define html_open(h, ...) \
	html_open_((h), HTML_LIST_(__VA_ARGS__), \
		   HTML_COUNT_(__VA_ARGS__) + 0 * sizeof(char[HTML_COUNT_(__VA_ARGS__) % 2 ? 1 : -1]))
#define HTML_LIST_(...) ((const char *const[]){ __VA_ARGS__ })
#define HTML_COUNT_(...) (sizeof(HTML_LIST_(__VA_ARGS__)) / sizeof(const char *))
void html_open_(html *h, const char *const *tag_and_attrs, size_t n);

/* One more attribute of the start tag html_open just wrote (a failure
 * anywhere else).  The value is escaped; NULL leaves the attribute out. */
void html_attr(html *h, const char *name, const char *value);

/* The end tag of the innermost open element, which must be `tag`. */
void html_close(html *h, const char *tag);

/* <tag>text</tag>, the text escaped. */
void html_elem(html *h, const char *tag, const char *text);

/*
 * Markup written as it is - only ever a string literal from the source
 * ("<!DOCTYPE html>", "<meta charset=\"utf-8\">").  The macro pastes ""
 * around its argument, so a variable is a syntax error at compile time:
 *	html_raw_literal(h, "<hr>");      compiles
 *	html_raw_literal(h, name);        does not (tests/cli/html_literal.sh)
 */
#define html_raw_literal(h, s) html_raw_((h), "" s "", sizeof("" s "") - 1)
void html_raw_(html *h, const char *literal, size_t len);

/* How numbers are shown: Swedish ("1 234 567,50", a no-break space
 * between thousands, a decimal comma, a hyphen-minus so a copied amount
 * pastes into a spreadsheet or the ERP), or plain ("1234567.50", for
 * form values and machine-read cells). */
enum html_num_style { HTML_NUM_SV, HTML_NUM_PLAIN };

/* Longest text html_format_dec writes, NUL included. */
#define HTML_NUM_MAX 64

/*
 * a with at least min_places decimals (padded with zeros, never rounded)
 * in `style` into out[0..n) (n >= HTML_NUM_MAX is always enough), UTF-8.
 * Returns the length, or 0 with out empty when n is too small.
 */
size_t html_format_dec(char *out, size_t n, dec a, int min_places, enum html_num_style style);

/* A number or an exact decimal as text (html_format_dec). */
void html_int(html *h, int64_t v, enum html_num_style style);
void html_dec(html *h, dec a, int min_places, enum html_num_style style);

/*
 * s percent-encoded for a query parameter or a path segment (everything
 * but A-Z a-z 0-9 - . _ ~ becomes %XX, UTF-8 bytes included) into
 * out[0..out_size).  The result is then put into a URL that goes through
 * html_open/html_attr like any value.  Returns 0, or ULF_ELIMIT with out
 * empty when it does not fit.
 */
int html_url_param(char *out, size_t out_size, const char *s);

#endif
