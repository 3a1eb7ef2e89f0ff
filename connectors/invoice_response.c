/*
 * invoice_response.c - PEPPOL Invoice Response (rejection) as XML text.
 * See invoice_response.h.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/invoice_response.h"
#include "core/dynbuf.h"
#include "core/pnr.h"
#include "core/text.h"

#define NS_AR  "urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"
#define NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define CUSTOMIZATION "urn:fdc:peppol.eu:poacc:trns:invoice_response:3"
#define PROFILE "urn:fdc:peppol.eu:poacc:bis:invoice_response:3"

/* The document as it is written; `failed` sticks after the first failure
 * and the writes after it do nothing. */
typedef struct sbuf {
	dynbuf b;
	bool failed;
	int rc;         /* ULF_ELIMIT past the cap; else it was memory */
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	b->rc = dynbuf_add(&b->b, s, n);
	b->failed = b->rc != 0;
}

static void sb_str(sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/*
 * Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0.
 * Overlong forms, surrogates and values above U+10FFFF are not UTF-8.
 * *cp gets the code point.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, c = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, c = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* XML 1.0's Char production. */
static bool xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
	       (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/*
 * Escaped character data or attribute value.  Markup characters become
 * references; CR, and in attributes TAB and LF, become character
 * references so that a parser's normalisation gives them back; what XML
 * cannot hold, or is not UTF-8, becomes U+FFFD.
 */
static void sb_esc(sbuf *b, const char *text, bool attr)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text), i = 0, k;
	uint32_t c;

	while (i < n) {
		k = utf8_seq(s + i, n - i, &c);
		if (k == 0 || !xml_char(c)) {
			sb_str(b, "\xEF\xBF\xBD");
			i += k ? k : 1;
			continue;
		}
		switch (c) {
		case '&': sb_str(b, "&amp;"); break;
		case '<': sb_str(b, "&lt;"); break;
		case '>': sb_str(b, "&gt;"); break;
		case '"': sb_str(b, attr ? "&quot;" : "\""); break;
		case '\r': sb_str(b, "&#13;"); break;
		case '\t': sb_str(b, attr ? "&#9;" : "\t"); break;
		case '\n': sb_str(b, attr ? "&#10;" : "\n"); break;
		default: sb_put(b, (const char *)s + i, k); break;
		}
		i += k;
	}
}

/* <tag>text</tag> on its own line at `indent` tabs. */
static void el(sbuf *b, int indent, const char *tag, const char *text)
{
	while (indent-- > 0)
		sb_str(b, "\t");
	sb_str(b, "<");
	sb_str(b, tag);
	sb_str(b, ">");
	sb_esc(b, text, false);
	sb_str(b, "</");
	sb_str(b, tag);
	sb_str(b, ">\n");
}

/* <tag name="value">text</tag> */
static void el_attr(sbuf *b, int indent, const char *tag, const char *name,
		    const char *value, const char *text)
{
	while (indent-- > 0)
		sb_str(b, "\t");
	sb_str(b, "<");
	sb_str(b, tag);
	sb_str(b, " ");
	sb_str(b, name);
	sb_str(b, "=\"");
	sb_esc(b, value, true);
	sb_str(b, "\">");
	sb_esc(b, text, false);
	sb_str(b, "</");
	sb_str(b, tag);
	sb_str(b, ">\n");
}

static void line(sbuf *b, int indent, const char *text)
{
	while (indent-- > 0)
		sb_str(b, "\t");
	sb_str(b, text);
	sb_str(b, "\n");
}

static bool empty(const char *s)
{
	return !s || !*s;
}

/* Text that holds something besides white space. */
static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!text_is_space(*s))
			return false;
	return true;
}

static bool is_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* The OPStatusReason code list of PEPPOL Invoice Response 3. */
static bool is_reason_code(const char *s)
{
	static const char *const codes[] = {
		"NON", "REF", "LEG", "REC", "QUA", "DEL", "PRI", "QTY", "ITM", "PAY",
		"UNR", "FIN", "PPD", "OTH"
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(s, codes[i]) == 0)
			return true;
	return false;
}

static int check_party(const invoice_response_party *p, const char *who, ulf_err *err)
{
	if (empty(p->endpoint_scheme) || !is_digits(p->endpoint_scheme, 4, 4))
		return ulf_err_set(err, ULF_EINVAL,
				   "invoice response: %s endpoint scheme must be a 4-digit EAS code", who);
	if (blank(p->endpoint_id))
		return ulf_err_set(err, ULF_EINVAL, "invoice response: %s endpoint id is missing", who);
	if (blank(p->name))
		return ulf_err_set(err, ULF_EINVAL, "invoice response: %s name is missing", who);
	return 0;
}

static int check(const invoice_response *r, ulf_err *err)
{
	int rc;

	if (blank(r->id))
		return ulf_err_set(err, ULF_EINVAL, "invoice response: id is missing");
	if (empty(r->issue_date) || !text_is_date(r->issue_date))
		return ulf_err_set(err, ULF_EINVAL, "invoice response: issue date must be YYYY-MM-DD");
	rc = check_party(&r->sender, "sender", err);
	if (rc == 0)
		rc = check_party(&r->receiver, "receiver", err);
	if (rc)
		return rc;
	if (blank(r->invoice_number))
		return ulf_err_set(err, ULF_EINVAL, "invoice response: invoice number is missing");
	if (!empty(r->invoice_issue_date) && !text_is_date(r->invoice_issue_date))
		return ulf_err_set(err, ULF_EINVAL,
				   "invoice response: invoice issue date must be YYYY-MM-DD");
	if (empty(r->type_code) || !is_digits(r->type_code, 3, 3))
		return ulf_err_set(err, ULF_EINVAL,
				   "invoice response: type code must be a UNCL 1001 code such as 380");
	if (!empty(r->reason_code) && !is_reason_code(r->reason_code))
		return ulf_err_set(err, ULF_EINVAL,
				   "invoice response: '%s' is not an OPStatusReason code", r->reason_code);
	if (blank(r->reason))
		return ulf_err_set(err, ULF_EINVAL, "invoice response: the reason is missing");
	return 0;
}

/* <tag>text</tag> for free text, which goes to the supplier: personal
 * identity numbers masked (a handler's reason may quote a line). */
static void el_text(sbuf *b, int indent, const char *tag, const char *text)
{
	char *masked = NULL;

	if (pnr_mask_dup(&masked, text)) {
		b->failed = true;
		return;
	}
	el(b, indent, tag, masked);
	free(masked);
}

static void party(sbuf *b, const char *tag, const invoice_response_party *p)
{
	char open[64], close[64];

	snprintf(open, sizeof(open), "<cac:%s>", tag);
	snprintf(close, sizeof(close), "</cac:%s>", tag);
	line(b, 1, open);
	el_attr(b, 2, "cbc:EndpointID", "schemeID", p->endpoint_scheme, p->endpoint_id);
	line(b, 2, "<cac:PartyLegalEntity>");
	el_text(b, 3, "cbc:RegistrationName", p->name);
	line(b, 2, "</cac:PartyLegalEntity>");
	line(b, 1, close);
}

int invoice_response_rejection(char **out, size_t *out_len, const invoice_response *r,
			       ulf_err *err)
{
	sbuf b;
	int rc;

	*out = NULL;
	*out_len = 0;
	rc = check(r, err);
	if (rc)
		return rc;
	dynbuf_init(&b.b, INVOICE_RESPONSE_MAX_BYTES);
	b.failed = false;
	b.rc = 0;
	sb_str(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<ApplicationResponse xmlns=\"" NS_AR "\"\n"
		   "\txmlns:cac=\"" NS_CAC "\"\n"
		   "\txmlns:cbc=\"" NS_CBC "\">\n");
	el(&b, 1, "cbc:CustomizationID", CUSTOMIZATION);
	el(&b, 1, "cbc:ProfileID", PROFILE);
	el(&b, 1, "cbc:ID", r->id);
	el(&b, 1, "cbc:IssueDate", r->issue_date);
	party(&b, "SenderParty", &r->sender);
	party(&b, "ReceiverParty", &r->receiver);
	line(&b, 1, "<cac:DocumentResponse>");
	line(&b, 2, "<cac:Response>");
	el(&b, 3, "cbc:ResponseCode", "RE");
	line(&b, 3, "<cac:Status>");
	el_attr(&b, 4, "cbc:StatusReasonCode", "listID", "OPStatusReason",
		empty(r->reason_code) ? "OTH" : r->reason_code);
	el_text(&b, 4, "cbc:StatusReason", r->reason);
	line(&b, 3, "</cac:Status>");
	line(&b, 2, "</cac:Response>");
	line(&b, 2, "<cac:DocumentReference>");
	el(&b, 3, "cbc:ID", r->invoice_number);
	if (!empty(r->invoice_issue_date))
		el(&b, 3, "cbc:IssueDate", r->invoice_issue_date);
	el(&b, 3, "cbc:DocumentTypeCode", r->type_code);
	line(&b, 2, "</cac:DocumentReference>");
	line(&b, 1, "</cac:DocumentResponse>");
	sb_str(&b, "</ApplicationResponse>\n");
	if (!b.failed)
		b.failed = dynbuf_take(out, out_len, &b.b) != 0;
	dynbuf_release(&b.b);
	if (b.failed && b.rc == ULF_ELIMIT)
		return ulf_err_set(err, ULF_ELIMIT, "invoice response: longer than %u bytes",
				   INVOICE_RESPONSE_MAX_BYTES);
	if (b.failed)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	return 0;
}
