/*
 * validate.h - the business rules, ported from the official schematron to C
 * over the canonical model (and, where a rule is about the XML itself, the
 * document tree).
 *
 * Rules live in tables, one file per rule family (rules_en16931.c,
 * rules_peppol.c, rules_se.c, rules_svefaktura.c), one row per rule: the
 * official ID verbatim, the official flag, the official text, and the
 * function that checks it, written right beside its row's neighbours so a
 * reader finds a rule by its ID.  A new rule release is a local change to
 * those tables.  Findings carry the rule's ID, flag, a message and the
 * location (line and element path) of what they point at.
 */
#ifndef ULF_VALIDATE_H
#define ULF_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/dynbuf.h"
#include "core/err.h"
#include "parsers/invoice.h"
#include "parsers/xml.h"

typedef enum vflag {
	VFLAG_FATAL = 1,
	VFLAG_WARNING = 2
} vflag;

/* Which layer a rule belongs to; also which rules run on which syntax. */
typedef enum vset {
	VSET_EN16931 = 1 << 0,   /* CEN core rules: BR-, BR-CO-, BR-DEC-, BR-<cat>-, BR-CL- */
	VSET_PEPPOL = 1 << 1,    /* PEPPOL-EN16931-*, PEPPOL-COMMON-* */
	VSET_SE = 1 << 2,        /* SE-R-*: Swedish national rules */
	VSET_SVEFAKTURA = 1 << 3,/* SVE-*: ulf's own structural checks for Svefaktura 1.0 */
	VSET_XSD = 1 << 4        /* schema validation (rule id "XSD") */
} vset;

typedef struct finding {
	const char *rule;        /* official ID, verbatim */
	vflag flag;
	const char *message;
	uint32_t line;           /* 0 when unknown */
	const char *location;    /* element path, may be NULL */
} finding;

typedef struct findings {
	finding *items;          /* n of them; moved by the next report */
	size_t n;
	dynbuf buf;              /* holds the items, FINDINGS_MAX at most */
	arena mem;               /* messages and paths */
} findings;

/* The most findings one pass keeps: a hostile document cannot make us
 * hold more; the ones past it are dropped. */
#define FINDINGS_MAX 10000

void findings_init(findings *f);
void findings_release(findings *f);
/* True when some finding is fatal. */
bool findings_fatal(const findings *f);

struct vctx;

typedef struct rule_def {
	const char *id;          /* "BR-CO-10", "PEPPOL-EN16931-R003", "SE-R-005" */
	vflag flag;
	const char *text;        /* the official message text */
	void (*check)(struct vctx *c, const struct rule_def *self);
} rule_def;

/* What a check sees. */
typedef struct vctx {
	const invoice *inv;
	const xml_doc *xml;      /* the document, or NULL when only the model is known */
	findings *out;
	int rc;                  /* first hard failure (out of memory) */
	/* Work shared by the checks of one pass: rules_peppol.c's index of
	 * the document tree, built by the first check that needs it (the
	 * Swedish rules use it too), so that the rules whose contexts match
	 * anywhere in the document do not each walk all of it.  NULL when a
	 * pass starts - whoever makes a vctx zeroes it; it lives in out->mem. */
	void *tree_index;
} vctx;

/*
 * Reports a finding of rule `r` at source line `line` (0 if unknown) and,
 * when `node` is given, its path.  With fmt NULL the rule's official text is
 * the message.  Checks just call this; they never fail themselves.
 */
void vreport(vctx *c, const rule_def *r, uint32_t line, const xml_node *node,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * XPath's view of strings, for the rule families ported from schematron
 * (rules_peppol.c, rules_se.c).  vx_string: string(.) of an element, its
 * descendants' text included, "" when missing (in the findings' arena; out
 * of memory sets c->rc).  vx_nspace: normalize-space(s) into buf, false
 * when it does not fit.  vx_length: string-length(), in code points.
 */
const char *vx_string(vctx *c, const xml_node *n);
bool vx_nspace(char *buf, size_t cap, const char *s);
size_t vx_length(const char *s);

/* The rule tables, defined in the rules_*.c files. */
extern const rule_def rules_en16931[];
extern const size_t rules_en16931_count;
extern const rule_def rules_peppol[];
extern const size_t rules_peppol_count;
extern const rule_def rules_se[];
extern const size_t rules_se_count;
extern const rule_def rules_svefaktura[];
extern const size_t rules_svefaktura_count;

/* Looks a rule up by its ID across all tables; NULL if unknown. */
const rule_def *validate_rule(const char *id);

typedef struct validate_opts {
	unsigned sets;           /* vset bits; 0 = what suits the syntax */
} validate_opts;

/*
 * Runs the rules that apply to the invoice's syntax (UBL: EN 16931 +
 * PEPPOL + SE; Svefaktura: SVE) and appends findings to *out.  `xml` may be
 * NULL (rules about the XML itself are then skipped).  Returns 0 or
 * ULF_ENOMEM; a broken invoice is findings, never an error.
 */
int validate_invoice(findings *out, const invoice *inv, const xml_doc *xml,
		     const validate_opts *opts, ulf_err *err);

#endif
