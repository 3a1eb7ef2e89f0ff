/*
 * rules_se.c - the Swedish national rules SE-R-001..SE-R-013 of PEPPOL BIS
 * Billing 3.0, ported from the Sweden pattern of OpenPEPPOL's
 * PEPPOL-EN16931-UBL.sch, release 3.0.20: IDs, flags and texts as written
 * there (SE-R-003, -004 and -013 are fatal since that release).
 *
 * Each rule applies only where the schematron says it does, and that is
 * always "the seller is Swedish", in one of three strengths:
 *  - SE-R-001, -002, -006: the seller's postal country is SE and one of
 *    its VAT registrations starts with "SE";
 *  - SE-R-003, -004, -005, -013: the seller's postal country is SE and it
 *    states a legal registration (PartyLegalEntity/CompanyID);
 *  - SE-R-007..-012: the seller's postal country is SE (SE-R-012 also
 *    wants a Swedish buyer).
 * Like rules_peppol.c these are XPath ports over the UBL tree (vctx.xml),
 * and they find their "//" contexts through that file's tree index:
 * the conditions look at every VAT PartyTaxScheme, at PartyTaxSchemes
 * whose scheme is missing, at exact string values - things the canonical
 * model does not keep.  Comparisons are XPath's: "=" is exact, normalize-
 * space() and upper-case() only where the rule applies them, number() is
 * the xs:double lexical space.  Where XPath would stop on a sequence of
 * two, the first element is taken.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "parsers/ns.h"
#include "parsers/validate.h"

#define CAC NS_UBL_CAC
#define CBC NS_UBL_CBC

/* Byte offset of code point k (0-based) in s, or strlen(s) past the end. */
static size_t cp_at(const char *s, size_t k)
{
	size_t i = 0;

	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && k-- == 0)
			return i;
	return i;
}

/*
 * upper-case(s) into buf; false when it does not fit.  Java's (and so
 * Saxon's) mapping for ASCII and Latin-1, with sharp s becoming "SS", plus
 * dotless i and long s, which become ASCII letters; other characters are
 * copied - enough to compare with 'VAT' and 'GODKÄND FÖR F-SKATT'.
 */
static bool upper(char *buf, size_t cap, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k = 0;

	while (*p) {
		if (k + 4 >= cap)
			return false;
		if (*p >= 'a' && *p <= 'z') {
			buf[k++] = (char)(*p++ - 32);
		} else if (p[0] == 0xC3 && p[1] == 0x9F) {              /* ß */
			buf[k++] = 'S';
			buf[k++] = 'S';
			p += 2;
		} else if (p[0] == 0xC3 && p[1] >= 0xA0 && p[1] <= 0xBE && p[1] != 0xB7) {
			buf[k++] = (char)0xC3;                           /* à..þ */
			buf[k++] = (char)(p[1] - 0x20);
			p += 2;
		} else if (p[0] == 0xC3 && p[1] == 0xBF) {              /* ÿ */
			buf[k++] = (char)0xC5;
			buf[k++] = (char)0xB8;
			p += 2;
		} else if (p[0] == 0xC4 && p[1] == 0xB1) {              /* ı */
			buf[k++] = 'I';
			p += 2;
		} else if (p[0] == 0xC5 && p[1] == 0xBF) {              /* ſ */
			buf[k++] = 'S';
			p += 2;
		} else {
			buf[k++] = (char)*p++;
		}
	}
	buf[k] = '\0';
	return true;
}

/* normalize-space(upper-case(s)) = lit */
static bool upper_nspace_eq(const char *s, const char *lit)
{
	char up[512], ns[512];

	return upper(up, sizeof(up), s) && vx_nspace(ns, sizeof(ns), up) && strcmp(ns, lit) == 0;
}

/*
 * Reports r at n with its text and the offending value quoted after
 * `what`; a long value is cut at a character boundary, so that messages
 * stay valid UTF-8 (JSON output refuses anything else).
 */
static void report_value(vctx *c, const rule_def *r, const xml_node *n, const char *what,
			 const char *value)
{
	char v[48];
	size_t k = strlen(value);

	if (k >= sizeof(v)) {
		k = sizeof(v) - 4;
		while (k > 0 && ((unsigned char)value[k] & 0xC0) == 0x80)
			k--;
		memcpy(v + k, "...", 4);
	} else {
		v[k] = '\0';
	}
	memcpy(v, value, k);
	vreport(c, r, 0, n, "%s (%s'%s')", r->text, what, v);
}

/*
 * number(s) as digits and a power of ten: the value is (neg ? -1 : 1) *
 * digits * 10^exp, digits without leading or trailing zeros ("" for zero).
 * False when s is not in the xs:double lexical space (number() is NaN).
 * INF is reported as a number that equals no finite one.
 */
typedef struct xnum {
	bool neg, inf;
	char digits[40];
	long exp;
} xnum;

static bool number_of(const char *s, xnum *x)
{
	const char *p = s, *end = s + strlen(s);
	bool any = false, plus = false;
	size_t k = 0;
	long e = 0, esign = 1, frac = 0;

	memset(x, 0, sizeof(*x));
	while (p < end && text_is_space(*p))
		p++;
	while (end > p && text_is_space(end[-1]))
		end--;
	if (p < end && (*p == '+' || *p == '-')) {
		x->neg = *p == '-';
		plus = *p++ == '+';
	}
	if (end - p == 3 && memcmp(p, "INF", 3) == 0) {
		x->inf = true;
		return !plus;   /* "+INF" is not in the XSD 1.0 lexical space */
	}
	for (; p < end && ((*p >= '0' && *p <= '9') || *p == '.'); p++) {
		if (*p == '.') {
			if (frac)
				return false;
			frac = 1;
			continue;
		}
		any = true;
		if (frac)
			x->exp--;
		if (k == 0 && *p == '0')
			continue;
		if (k + 1 >= sizeof(x->digits)) {   /* beyond double precision anyway */
			if (!frac)
				x->exp++;
			continue;
		}
		x->digits[k++] = *p;
	}
	if (!any)
		return false;
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			esign = *p++ == '-' ? -1 : 1;
		if (p == end)
			return false;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
		x->exp += esign * e;
	}
	if (p != end)
		return false;
	while (k > 0 && x->digits[k - 1] == '0') {
		x->digits[--k] = '\0';
		x->exp++;
	}
	return true;
}

/* string(number(s)) != 'NaN' */
static bool number_ok(const char *s)
{
	xnum x;

	return number_of(s, &x);
}

/* number(s) = v for a small positive integer v */
static bool number_is(const char *s, unsigned v)
{
	xnum x;
	char want[16];
	long exp = 0;
	size_t n;

	if (!number_of(s, &x) || x.neg || x.inf || v == 0)
		return false;
	n = (size_t)snprintf(want, sizeof(want), "%u", v);
	while (n > 1 && want[n - 1] == '0') {
		want[--n] = '\0';
		exp++;
	}
	return strcmp(x.digits, want) == 0 && x.exp == exp;
}

/*
 * u:checkSEOrgnr: digits only, and the tenth the Luhn check digit of the
 * first nine.  Shorter numbers fail: there is no tenth digit to compare.
 */
static bool luhn_ok(const char *s)
{
	size_t n = strlen(s), i;
	unsigned sum = 0, d;

	if (n < 10 || strspn(s, "0123456789") != n)
		return false;
	for (i = 0; i < 9; i++) {
		d = (unsigned)(s[8 - i] - '0');
		sum += i % 2 == 0 ? (d * 2) % 10 + (d * 2) / 10 : d;
	}
	return (10 - sum % 10) % 10 == (unsigned)(s[9] - '0');
}

/* ---- who is Swedish ------------------------------------------------------ */

/* True when some child ns:name of n has exactly the string value lit. */
static bool child_is(vctx *c, const xml_node *n, const char *ns, const char *name,
		     const char *lit)
{
	const xml_node *k;

	for (k = xml_child(n, ns, name); k; k = xml_next(k, ns, name))
		if (strcmp(vx_string(c, k), lit) == 0)
			return true;
	return false;
}

/* cac:PostalAddress/cac:Country/cbc:IdentificationCode = 'SE' */
static bool postal_se(vctx *c, const xml_node *party)
{
	const xml_node *a, *k;

	for (a = xml_child(party, CAC, "PostalAddress"); a; a = xml_next(a, CAC, "PostalAddress"))
		for (k = xml_child(a, CAC, "Country"); k; k = xml_next(k, CAC, "Country"))
			if (child_is(c, k, CBC, "IdentificationCode", "SE"))
				return true;
	return false;
}

/* cac:PartyTaxScheme[cac:TaxScheme/cbc:ID = 'VAT'] */
static bool is_vat_scheme(vctx *c, const xml_node *pts)
{
	const xml_node *ts;

	for (ts = xml_child(pts, CAC, "TaxScheme"); ts; ts = xml_next(ts, CAC, "TaxScheme"))
		if (child_is(c, ts, CBC, "ID", "VAT"))
			return true;
	return false;
}

/* The first CompanyID of a VAT PartyTaxScheme, or NULL. */
static const xml_node *vat_id(vctx *c, const xml_node *party)
{
	const xml_node *pts;

	for (pts = xml_child(party, CAC, "PartyTaxScheme"); pts; pts = xml_next(pts, CAC, "PartyTaxScheme"))
		if (is_vat_scheme(c, pts) && xml_child(pts, CBC, "CompanyID"))
			return xml_child(pts, CBC, "CompanyID");
	return NULL;
}

/* exists(cac:PartyLegalEntity/cbc:CompanyID) */
static bool has_legal_id(const xml_node *party)
{
	const xml_node *le;

	for (le = xml_child(party, CAC, "PartyLegalEntity"); le; le = xml_next(le, CAC, "PartyLegalEntity"))
		if (xml_child(le, CBC, "CompanyID"))
			return true;
	return false;
}

/* PartyTaxScheme[VAT]/substring(cbc:CompanyID, 1, 2) = 'SE' */
static bool vat_se(vctx *c, const xml_node *party)
{
	const xml_node *pts;

	for (pts = xml_child(party, CAC, "PartyTaxScheme"); pts; pts = xml_next(pts, CAC, "PartyTaxScheme"))
		if (is_vat_scheme(c, pts) &&
		    strncmp(vx_string(c, xml_child(pts, CBC, "CompanyID")), "SE", 2) == 0)
			return true;
	return false;
}

/*
 * The element ns:name after prev in document order (the first when prev is
 * NULL): a loop over "//ns:name", answered from the tree index that
 * rules_peppol.c keeps for the pass.
 */
const xml_node *rules_tree_next(vctx *c, const char *ns, const char *name, const xml_node *prev);

/* //cac:<role>/cac:Party, one after the other; start with NULL. */
static const xml_node *next_party(vctx *c, const char *role, const xml_node *prev)
{
	const xml_node *n = prev;

	while ((n = rules_tree_next(c, CAC, "Party", n)) != NULL)
		if (xml_is(xml_parent(n), CAC, role))
			return n;
	return NULL;
}

/* //cac:AccountingSupplierParty/cac:Party[postal SE (and VAT SE)] exists */
static bool swedish_seller(vctx *c, bool with_vat)
{
	const xml_node *p;

	for (p = next_party(c, "AccountingSupplierParty", NULL); p;
	     p = next_party(c, "AccountingSupplierParty", p))
		if (postal_se(c, p) && (!with_vat || vat_se(c, p)))
			return true;
	return false;
}

static bool swedish_buyer(vctx *c)
{
	const xml_node *p;

	for (p = next_party(c, "AccountingCustomerParty", NULL); p;
	     p = next_party(c, "AccountingCustomerParty", p))
		if (postal_se(c, p))
			return true;
	return false;
}

/* ---- the seller's VAT number (SE-R-001, -002) ----------------------------- */

typedef void party_fn(vctx *c, const rule_def *r, const xml_node *party);

/* Each seller party with a Swedish address and a Swedish VAT number. */
static void each_vat_seller(vctx *c, const rule_def *r, party_fn *fn)
{
	const xml_node *p;

	for (p = next_party(c, "AccountingSupplierParty", NULL); p && !c->rc;
	     p = next_party(c, "AccountingSupplierParty", p))
		if (postal_se(c, p) && vat_se(c, p))
			fn(c, r, p);
}

static void party_se_r001(vctx *c, const rule_def *r, const xml_node *party)
{
	const xml_node *id = vat_id(c, party);
	char buf[512];

	if (!vx_nspace(buf, sizeof(buf), vx_string(c, id)) || vx_length(buf) != 14)
		report_value(c, r, id ? id : party, "", vx_string(c, id));
}

static void check_se_r001(vctx *c, const rule_def *r)
{
	each_vat_seller(c, r, party_se_r001);
}

/* number(substring(VAT, 3, 12)) */
static void party_se_r002(vctx *c, const rule_def *r, const xml_node *party)
{
	const xml_node *id = vat_id(c, party);
	const char *s = vx_string(c, id);
	char part[64];
	size_t from = cp_at(s, 2), to = cp_at(s, 14);

	if (to - from < sizeof(part)) {
		memcpy(part, s + from, to - from);
		part[to - from] = '\0';
		if (number_ok(part))
			return;
	}
	report_value(c, r, id ? id : party, "", s);
}

static void check_se_r002(vctx *c, const rule_def *r)
{
	each_vat_seller(c, r, party_se_r002);
}

/* ---- the seller's organisation number (SE-R-003, -004, -013) -------------- */

typedef bool orgnr_fn(const char *companyid);

/*
 * Each //cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity
 * [../cac:PostalAddress/cac:Country/cbc:IdentificationCode = 'SE' and
 * cbc:CompanyID]: its CompanyID must pass ok.
 */
static void each_legal_entity(vctx *c, const rule_def *r, orgnr_fn *ok)
{
	const xml_node *p, *le, *id;

	for (p = next_party(c, "AccountingSupplierParty", NULL); p && !c->rc;
	     p = next_party(c, "AccountingSupplierParty", p)) {
		if (!postal_se(c, p))
			continue;
		for (le = xml_child(p, CAC, "PartyLegalEntity"); le;
		     le = xml_next(le, CAC, "PartyLegalEntity")) {
			id = xml_child(le, CBC, "CompanyID");
			if (id && !ok(vx_string(c, id)))
				report_value(c, r, id, "", vx_string(c, id));
		}
	}
}

static void check_se_r003(vctx *c, const rule_def *r)
{
	each_legal_entity(c, r, number_ok);
}

static bool ten_characters(const char *s)
{
	char buf[512];

	return vx_nspace(buf, sizeof(buf), s) && vx_length(buf) == 10;
}

static void check_se_r004(vctx *c, const rule_def *r)
{
	each_legal_entity(c, r, ten_characters);
}

static bool luhn_normalized(const char *s)
{
	char buf[512];

	return vx_nspace(buf, sizeof(buf), s) && luhn_ok(buf);
}

static void check_se_r013(vctx *c, const rule_def *r)
{
	each_legal_entity(c, r, luhn_normalized);
}

/* ---- F-skatt (SE-R-005) ----------------------------------------------------- */

/*
 * //cac:AccountingSupplierParty/cac:Party[postal SE and
 * exists(cac:PartyLegalEntity/cbc:CompanyID)]/cac:PartyTaxScheme
 * [normalize-space(upper-case(cac:TaxScheme/cbc:ID)) != 'VAT']/cbc:CompanyID
 * - a scheme that is missing counts as not VAT.
 */
static void check_se_r005(vctx *c, const rule_def *r)
{
	const xml_node *p, *pts, *id;

	for (p = next_party(c, "AccountingSupplierParty", NULL); p && !c->rc;
	     p = next_party(c, "AccountingSupplierParty", p)) {
		if (!postal_se(c, p) || !has_legal_id(p))
			continue;
		for (pts = xml_child(p, CAC, "PartyTaxScheme"); pts;
		     pts = xml_next(pts, CAC, "PartyTaxScheme")) {
			if (upper_nspace_eq(vx_string(c, xml_child(xml_child(pts, CAC, "TaxScheme"), CBC, "ID")),
					    "VAT"))
				continue;
			for (id = xml_child(pts, CBC, "CompanyID"); id; id = xml_next(id, CBC, "CompanyID"))
				if (!upper_nspace_eq(vx_string(c, id), "GODKÄND FÖR F-SKATT"))
					report_value(c, r, id, "", vx_string(c, id));
		}
	}
}

/* ---- VAT rates (SE-R-006) --------------------------------------------------- */

/* Each //cac:<name>[cbc:ID = 'S'] has a rate of 25, 12 or 6. */
static void standard_rates(vctx *c, const rule_def *r, const char *name)
{
	const xml_node *n, *pct;
	const char *s;

	for (n = rules_tree_next(c, CAC, name, NULL); n && !c->rc; n = rules_tree_next(c, CAC, name, n)) {
		if (!child_is(c, n, CBC, "ID", "S"))
			continue;
		pct = xml_child(n, CBC, "Percent");
		s = vx_string(c, pct);
		if (number_is(s, 25) || number_is(s, 12) || number_is(s, 6))
			continue;
		if (!pct)
			vreport(c, r, 0, n, "%s (no rate)", r->text);
		else
			report_value(c, r, pct, "", s);
	}
}

/* Standard-rated categories of the document and of the lines. */
static void check_se_r006(vctx *c, const rule_def *r)
{
	if (!swedish_seller(c, true))
		return;
	standard_rates(c, r, "TaxCategory");
	standard_rates(c, r, "ClassifiedTaxCategory");
}

/* ---- giro accounts (SE-R-007..-010) ----------------------------------------- */

typedef bool account_fn(const char *normalized);

/*
 * //cac:PaymentMeans[Swedish seller and normalize-space(PaymentMeansCode)
 * = '30' and normalize-space(PayeeFinancialAccount/FinancialInstitutionBranch/
 * ID) = giro]/cac:PayeeFinancialAccount/cbc:ID: each must pass ok.
 */
static void each_giro_account(vctx *c, const rule_def *r, const char *giro, account_fn *ok)
{
	const xml_node *n, *acct, *id;
	char code[64], branch[64], value[512];

	if (!swedish_seller(c, false))
		return;
	for (n = rules_tree_next(c, CAC, "PaymentMeans", NULL); n && !c->rc;
	     n = rules_tree_next(c, CAC, "PaymentMeans", n)) {
		acct = xml_child(n, CAC, "PayeeFinancialAccount");
		if (!vx_nspace(code, sizeof(code), vx_string(c, xml_child(n, CBC, "PaymentMeansCode"))) ||
		    strcmp(code, "30") != 0 ||
		    !vx_nspace(branch, sizeof(branch), vx_string(c, xml_child(xml_child(acct, CAC,
			"FinancialInstitutionBranch"), CBC, "ID"))) || strcmp(branch, giro) != 0)
			continue;
		for (; acct; acct = xml_next(acct, CAC, "PayeeFinancialAccount"))
			for (id = xml_child(acct, CBC, "ID"); id; id = xml_next(id, CBC, "ID"))
				if (!vx_nspace(value, sizeof(value), vx_string(c, id)) || !ok(value))
					report_value(c, r, id, "", vx_string(c, id));
	}
}

static bool numeric(const char *s)
{
	return number_ok(s);
}

static bool two_to_eight(const char *s)
{
	return vx_length(s) >= 2 && vx_length(s) <= 8;
}

static bool seven_or_eight(const char *s)
{
	return vx_length(s) == 7 || vx_length(s) == 8;
}

static void check_se_r007(vctx *c, const rule_def *r)
{
	each_giro_account(c, r, "SE:PLUSGIRO", numeric);
}

static void check_se_r010(vctx *c, const rule_def *r)
{
	each_giro_account(c, r, "SE:PLUSGIRO", two_to_eight);
}

static void check_se_r008(vctx *c, const rule_def *r)
{
	each_giro_account(c, r, "SE:BANKGIRO", numeric);
}

static void check_se_r009(vctx *c, const rule_def *r)
{
	each_giro_account(c, r, "SE:BANKGIRO", seven_or_eight);
}

/* ---- payment means codes (SE-R-011, -012) ----------------------------------- */

/* Each cac:PaymentMeans whose PaymentMeansCode is exactly one of codes. */
static void each_means_code(vctx *c, const rule_def *r, const char *const *codes)
{
	const xml_node *n;
	size_t i;

	for (n = rules_tree_next(c, CAC, "PaymentMeans", NULL); n && !c->rc;
	     n = rules_tree_next(c, CAC, "PaymentMeans", n)) {
		for (i = 0; codes[i]; i++)
			if (child_is(c, n, CBC, "PaymentMeansCode", codes[i])) {
				vreport(c, r, 0, n, "%s (code %s)", r->text, codes[i]);
				break;
			}
	}
}

/* Bankgiro/Plusgiro as codes 50/56 rather than 30 with SE:BANKGIRO/SE:PLUSGIRO */
static void check_se_r011(vctx *c, const rule_def *r)
{
	static const char *const codes[] = { "50", "56", NULL };

	if (swedish_seller(c, false))
		each_means_code(c, r, codes);
}

/* Domestic credit transfer as code 31 rather than 30 */
static void check_se_r012(vctx *c, const rule_def *r)
{
	static const char *const codes[] = { "31", NULL };

	if (swedish_seller(c, false) && swedish_buyer(c))
		each_means_code(c, r, codes);
}

/* ---- the table, in the order of the schematron ------------------------------ */

const rule_def rules_se[] = {
	{ "SE-R-001", VFLAG_FATAL,
	  "For Swedish suppliers, Swedish VAT-numbers must consist of 14 characters.",
	  check_se_r001 },
	{ "SE-R-002", VFLAG_FATAL,
	  "For Swedish suppliers, the Swedish VAT-numbers must have the trailing 12 characters "
	  "in numeric form", check_se_r002 },
	{ "SE-R-003", VFLAG_FATAL,
	  "Swedish organisation numbers should be numeric.", check_se_r003 },
	{ "SE-R-004", VFLAG_FATAL,
	  "Swedish organisation numbers consist of 10 characters.", check_se_r004 },
	{ "SE-R-013", VFLAG_FATAL,
	  "The last digit of a Swedish organization number must be valid according to the "
	  "Luhn algorithm.", check_se_r013 },
	{ "SE-R-005", VFLAG_FATAL,
	  "For Swedish suppliers, when using Seller tax registration identifier, 'Godkänd för "
	  "F-skatt' must be stated", check_se_r005 },
	{ "SE-R-006", VFLAG_FATAL,
	  "For Swedish suppliers, only standard VAT rate of 6, 12 or 25 are used",
	  check_se_r006 },
	{ "SE-R-007", VFLAG_WARNING,
	  "For Swedish suppliers using Plusgiro, the Account ID must be numeric",
	  check_se_r007 },
	{ "SE-R-010", VFLAG_WARNING,
	  "For Swedish suppliers using Plusgiro, the Account ID must have 2-8 characters",
	  check_se_r010 },
	{ "SE-R-008", VFLAG_WARNING,
	  "For Swedish suppliers using Bankgiro, the Account ID must be numeric",
	  check_se_r008 },
	{ "SE-R-009", VFLAG_WARNING,
	  "For Swedish suppliers using Bankgiro, the Account ID must have 7-8 characters",
	  check_se_r009 },
	{ "SE-R-011", VFLAG_WARNING,
	  "For Swedish suppliers using Swedish Bankgiro or Plusgiro, the proper way to indicate "
	  "this is to use Code 30 for PaymentMeans and FinancialInstitutionBranch ID with code "
	  "SE:BANKGIRO or SE:PLUSGIRO", check_se_r011 },
	{ "SE-R-012", VFLAG_WARNING,
	  "For domestic transactions between Swedish trading partners, credit transfer should "
	  "be indicated by PaymentMeansCode=\"30\"", check_se_r012 },
};

const size_t rules_se_count = sizeof(rules_se) / sizeof(rules_se[0]);
