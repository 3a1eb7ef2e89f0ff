/* placeholder until the Svefaktura reader lands (being written now) */
#include "svefaktura.h"
bool svefaktura_is_invoice(const xml_doc *doc) { (void)doc; return false; }
bool svefaktura_is_envelope(const xml_doc *doc) { (void)doc; return false; }
int svefaktura_read(invoice **out, const xml_doc *doc, const char *name,
		    const inv_limits *limits, ulf_err *err)
{ (void)doc; (void)limits; *out = NULL; return ulf_err_set(err, ULF_ESYNTAX, "%s: svefaktura", name); }
int svefaktura_envelope_read(sve_envelope **out, const xml_doc *doc, const char *name,
			     const inv_limits *limits, ulf_err *err)
{ (void)doc; (void)limits; *out = NULL; return ulf_err_set(err, ULF_ESYNTAX, "%s: envelope", name); }
void svefaktura_envelope_free(sve_envelope *env) { (void)env; }
bool svefaktura_envelope_matches(const sve_envelope *env, const invoice *inv) { (void)env; (void)inv; return false; }
int svefaktura_envelope_attach(size_t *attached, invoice *inv, sve_envelope *env, ulf_err *err)
{ (void)inv; (void)env; (void)err; *attached = 0; return 0; }
