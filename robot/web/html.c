/*
 * html.c - the escaping HTML writer.  See html.h.
 *
 * The page grows in a dynbuf capped at the html's cap, behind
 * buf_put/buf_putc/buf_reset, which turn its failures into the html's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dynbuf.h"
#include "core/pnr.h"
#include "core/text.h"
#include "robot/web/html.h"

#define HTML_TAG_MAX 16     /* longest tag name, NUL included */
#define HTML_ATTR_MAX 32    /* longest attribute name, NUL included */
#define HTML_INVALID_URL "#invalid-url"

struct html {
	dynbuf page;            /* the page so far, `cap` bytes at most */
	size_t cap;
	int status;             /* 0 or the first failure */
	char msg[160];          /* its message */
	int pending;            /* a start tag is written up to its attributes */
	size_t depth;           /* open elements */
	char open[HTML_DEPTH_MAX][HTML_TAG_MAX];
};

static void fail(html *h, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(html *h, int code, const char *fmt, ...)
{
	va_list ap;

	if (h->status)
		return;
	h->status = code;
	va_start(ap, fmt);
	vsnprintf(h->msg, sizeof(h->msg), fmt, ap);
	va_end(ap);
}

/* ---- the buffer ------------------------------------------------------ */

static void buf_put(html *h, const char *s, size_t n)
{
	int rc;

	if (h->status)
		return;
	rc = dynbuf_add(&h->page, s, n);
	if (rc == ULF_ELIMIT)
		fail(h, ULF_ELIMIT, "html: page larger than %zu bytes", h->cap);
	else if (rc)
		fail(h, ULF_ENOMEM, "html: out of memory at %zu bytes",
		     dynbuf_len(&h->page) + n + 1);
}

static void buf_putc(html *h, char c)
{
	buf_put(h, &c, 1);
}

static void buf_reset(html *h)
{
	dynbuf_release(&h->page);
}

/* ---- names ------------------------------------------------------------ */

/* Elements the browser does not parse as HTML inside, so that escaping
 * cannot protect what is written there. */
static const char *const raw_text_tags[] = {
	"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript",
	"plaintext", "template", "object", "embed", NULL
};

static const char *const void_tags[] = {
	"area", "base", "br", "col", "hr", "img", "input", "link", "meta",
	"source", "track", "wbr", NULL
};

/* Attributes whose value is a URL and must not carry a script scheme. */
static const char *const url_attrs[] = {
	"href", "src", "action", "formaction", "cite", "poster", "data",
	"background", "ping", "manifest", NULL
};

/* Attributes outside data must never fill, whatever the escaping: they
 * hold style, markup or several URLs. */
static const char *const refused_attrs[] = {
	"style", "srcdoc", "srcset", "http-equiv", NULL
};

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* Lower-case letter first, then lower-case letters, digits and '-', at
 * most max - 1 characters. */
static int name_ok(const char *s, size_t max)
{
	size_t i;

	if (!s || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (i = 0; s[i]; i++) {
		char c = s[i];
		if (i + 1 >= max)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

static int tag_ok(html *h, const char *tag)
{
	if (!name_ok(tag, HTML_TAG_MAX) || strchr(tag, '-') || in_list(raw_text_tags, tag)) {
		tag = tag ? tag : "(null)";
		fail(h, ULF_EINVAL, "html: element name \"%.*s\" refused", text_quote_len(tag, 20),
		     tag);
		return 0;
	}
	return 1;
}

static int attr_name_ok(html *h, const char *name)
{
	if (!name_ok(name, HTML_ATTR_MAX) || strncmp(name, "on", 2) == 0 ||
	    in_list(refused_attrs, name)) {
		name = name ? name : "(null)";
		fail(h, ULF_EINVAL, "html: attribute name \"%.*s\" refused",
		     text_quote_len(name, 40), name);
		return 0;
	}
	return 1;
}

/*
 * Whether a URL may go into an href: relative (no scheme before the first
 * '/', '?' or '#'), or http, https or mailto.  A "scheme" with anything
 * but letters in it ("java\tscript", " javascript") is refused too:
 * browsers strip such characters and would see javascript:.
 */
static int url_ok(const char *v)
{
	static const char *const schemes[] = { "http", "https", "mailto", NULL };
	size_t i, n = strcspn(v, ":/?#");
	char scheme[8];

	if (v[n] != ':')
		return 1;
	if (n == 0 || n >= sizeof(scheme))
		return 0;
	for (i = 0; i < n; i++) {
		char c = v[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!(c >= 'a' && c <= 'z'))
			return 0;
		scheme[i] = c;
	}
	scheme[n] = '\0';
	return in_list(schemes, scheme);
}

/* ---- escaping --------------------------------------------------------- */

static const char replacement[] = "\xEF\xBF\xBD";   /* U+FFFD */

/*
 * Length of the valid UTF-8 sequence at s[0..n) (Unicode table 3-7: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 0 when it is
 * invalid; then *bad is the length of its maximal invalid subpart (at
 * least 1), which becomes one U+FFFD.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0];
	size_t need, i;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c >= 0xC2 && c <= 0xDF)
		need = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i < need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xBF;
	}
	return need;
}

/* s[0..n) escaped for text and for a double-quoted attribute value. */
static void put_escaped(html *h, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, k, bad;

	while (i < n && !h->status) {
		unsigned char c = u[i];
		const char *rep = NULL;
		size_t adv = 1;

		if (c >= 0x80) {
			k = utf8_seq(u + i, n - i, &bad);
			if (k == 0) {
				rep = replacement;
				adv = bad;
			} else if (c == 0xC2 && u[i + 1] < 0xA0) {
				rep = replacement;          /* C1 control */
				adv = 2;
			} else {
				i += k;
				run += k;
				continue;
			}
		} else if (c == '&') {
			rep = "&amp;";
		} else if (c == '<') {
			rep = "&lt;";
		} else if (c == '>') {
			rep = "&gt;";
		} else if (c == '"') {
			rep = "&quot;";
		} else if (c == '\'') {
			rep = "&#39;";
		} else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
			rep = replacement;
		} else {
			i++;
			run++;
			continue;
		}
		buf_put(h, s + i - run, run);
		run = 0;
		buf_put(h, rep, strlen(rep));
		i += adv;
	}
	buf_put(h, s + i - run, run);
}

/* Ends a start tag left open for html_attr. */
static void end_start_tag(html *h)
{
	if (h->pending) {
		h->pending = 0;
		buf_putc(h, '>');
	}
}

/* ---- the writer ------------------------------------------------------- */

html *html_new(size_t cap)
{
	html *h = calloc(1, sizeof(*h));

	if (h) {
		h->cap = cap ? cap : HTML_CAP_DEFAULT;
		dynbuf_init(&h->page, h->cap);
	}
	return h;
}

void html_free(html *h)
{
	if (!h)
		return;
	buf_reset(h);
	free(h);
}

int html_status(const html *h)
{
	return h->status;
}

int html_take(char **out, size_t *out_len, html *h, ulf_err *err)
{
	int rc;

	*out = NULL;
	*out_len = 0;
	end_start_tag(h);
	if (h->depth)
		fail(h, ULF_EINVAL, "html: <%s> not closed", h->open[h->depth - 1]);
	rc = h->status;
	if (rc) {
		ulf_err_set(err, rc, "%s", h->msg);
		buf_reset(h);
	} else if (dynbuf_take(out, out_len, &h->page) != 0) {
		/* nothing was written, and not even "" could be allocated */
		rc = ulf_err_set(err, ULF_ENOMEM, "html: out of memory");
	}
	h->status = 0;
	h->msg[0] = '\0';
	h->pending = 0;
	h->depth = 0;
	return rc;
}

/* s[0..n) escaped, personal identity numbers masked (core/pnr.h). */
static void put_masked(html *h, const char *s, size_t n)
{
	pnr_span sp;
	size_t at = 0;

	while (!h->status && pnr_find(&sp, s, n, at)) {
		put_escaped(h, s + at, sp.start - at);
		put_escaped(h, s + sp.start, sp.date_len);
		buf_put(h, "-****", 5);
		at = sp.start + sp.len;
	}
	put_escaped(h, s + at, n - at);
}

void html_text_n(html *h, const char *s, size_t len)
{
	if (h->status || !s)
		return;
	end_start_tag(h);
	put_masked(h, s, len);
}

void html_text(html *h, const char *s)
{
	if (s)
		html_text_n(h, s, strlen(s));
}

void html_text_unmasked(html *h, const char *s)
{
	if (h->status || !s)
		return;
	end_start_tag(h);
	put_escaped(h, s, strlen(s));
}

void html_attr(html *h, const char *name, const char *value)
{
	if (h->status)
		return;
	if (!h->pending) {
		name = name ? name : "(null)";
		fail(h, ULF_EINVAL, "html: attribute \"%.*s\" outside a start tag",
		     text_quote_len(name, 40), name);
		return;
	}
	if (!attr_name_ok(h, name) || !value)
		return;
	if (in_list(url_attrs, name) && !url_ok(value))
		value = HTML_INVALID_URL;
	buf_putc(h, ' ');
	buf_put(h, name, strlen(name));
	buf_put(h, "=\"", 2);
	put_masked(h, value, strlen(value));
	buf_putc(h, '"');
}

void html_open_(html *h, const char *const *tag_and_attrs, size_t n)
{
	const char *tag = n ? tag_and_attrs[0] : NULL;
	size_t i;

	if (h->status)
		return;
	end_start_tag(h);
	if (!tag_ok(h, tag))
		return;
	if (!in_list(void_tags, tag)) {
		if (h->depth >= HTML_DEPTH_MAX) {
			fail(h, ULF_ELIMIT, "html: elements nested deeper than %d",
			     HTML_DEPTH_MAX);
			return;
		}
		/* tag_ok bounds the length */
		memcpy(h->open[h->depth], tag, strlen(tag) + 1);
		h->depth++;
	}
	buf_putc(h, '<');
	buf_put(h, tag, strlen(tag));
	h->pending = 1;
	for (i = 1; i + 1 < n; i += 2)
		html_attr(h, tag_and_attrs[i], tag_and_attrs[i + 1]);
}

void html_close(html *h, const char *tag)
{
	if (h->status)
		return;
	end_start_tag(h);
	if (!tag || h->depth == 0 || strcmp(h->open[h->depth - 1], tag) != 0) {
		tag = tag ? tag : "(null)";
		fail(h, ULF_EINVAL, "html: </%.*s> closes %s%s%s",
		     text_quote_len(tag, 20), tag, h->depth ? "<" : "nothing",
		     h->depth ? h->open[h->depth - 1] : "", h->depth ? ">" : "");
		return;
	}
	h->depth--;
	buf_put(h, "</", 2);
	buf_put(h, tag, strlen(tag));
	buf_putc(h, '>');
}

void html_elem(html *h, const char *tag, const char *text)
{
	const char *list[1] = { tag };

	html_open_(h, list, 1);
	html_text(h, text);
	html_close(h, tag);
}

void html_raw_(html *h, const char *literal, size_t len)
{
	if (h->status)
		return;
	end_start_tag(h);
	buf_put(h, literal, len);
}

/* ---- numbers ---------------------------------------------------------- */

size_t html_format_dec(char *out, size_t n, dec a, int min_places, enum html_num_style style)
{
	char plain[DEC_STR_MAX], res[HTML_NUM_MAX];
	size_t len, int_len, i, r = 0;
	const char *digits, *point;

	len = dec_format(plain, sizeof(plain), a, min_places);
	if (style == HTML_NUM_PLAIN) {
		if (len + 1 > n) {
			if (n)
				out[0] = '\0';
			return 0;
		}
		memcpy(out, plain, len + 1);
		return len;
	}
	digits = plain;
	if (*digits == '-') {
		res[r++] = '-';
		digits++;
	}
	point = strchr(digits, '.');
	int_len = point ? (size_t)(point - digits) : strlen(digits);
	for (i = 0; i < int_len; i++) {
		if (i > 0 && (int_len - i) % 3 == 0) {
			res[r++] = '\xC2';      /* U+00A0 no-break space */
			res[r++] = '\xA0';
		}
		res[r++] = digits[i];
	}
	if (point) {
		res[r++] = ',';
		for (i = 1; point[i]; i++)
			res[r++] = point[i];
	}
	res[r] = '\0';
	if (r + 1 > n) {
		if (n)
			out[0] = '\0';
		return 0;
	}
	memcpy(out, res, r + 1);
	return r;
}

void html_dec(html *h, dec a, int min_places, enum html_num_style style)
{
	char buf[HTML_NUM_MAX];
	size_t n;

	if (h->status)
		return;
	end_start_tag(h);
	n = html_format_dec(buf, sizeof(buf), a, min_places, style);
	buf_put(h, buf, n);
}

void html_int(html *h, int64_t v, enum html_num_style style)
{
	html_dec(h, dec_make(v, 0), 0, style);
}

/* ---- URLs ------------------------------------------------------------- */

int html_url_param(char *out, size_t out_size, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (out_size == 0)
		return ULF_ELIMIT;
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '.' ||
			   c == '_' || c == '~';
		size_t need = keep ? 1 : 3;

		if (o + need + 1 > out_size) {
			out[0] = '\0';
			return ULF_ELIMIT;
		}
		if (keep) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return 0;
}
