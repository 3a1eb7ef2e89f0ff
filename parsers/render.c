/*
 * render.c - JSON and text views of the canonical invoice.  See render.h.
 */
#include <string.h>

#include "parsers/render.h"

/*
 * The JSON view is built with these; each is false when the view cannot be
 * had (out of memory), and the builder then drops what it built and
 * answers NULL.  Text that is not UTF-8 - a file name from the command line
 * can be anything - shows as null, as it always has: a view does not fail
 * on a name it cannot show.
 */
static bool put_str(ujson *o, const char *key, const char *s)
{
	int rc = ujson_set_str(o, key, s);

	if (rc == ULF_EINVAL)
		rc = ujson_set_new(o, key, NULL);
	return rc == 0;
}

/* o[key] = v, v stolen; a NULL v is a part that could not be built. */
static bool put(ujson *o, const char *key, ujson *v)
{
	return v && ujson_set_new(o, key, v) == 0;
}

static bool add(ujson *arr, ujson *v)
{
	return v && ujson_append_new(arr, v) == 0;
}

/* The object, or NULL (freed) when building it failed. */
static ujson *done(ujson *o, bool ok)
{
	if (ok)
		return o;
	ujson_free(o);
	return NULL;
}

static ujson *amount_json(const inv_amount *a)
{
	char buf[DEC_STR_MAX];

	if (!a->set)
		return ujson_null();
	dec_format(buf, sizeof(buf), a->v, 2);
	return ujson_string(buf);
}

static ujson *num_json(dec v, bool set)
{
	char buf[DEC_STR_MAX];

	if (!set)
		return ujson_null();
	dec_format(buf, sizeof(buf), v, 0);
	return ujson_string(buf);
}

static ujson *party_json(const inv_party *p)
{
	ujson *o = ujson_object();

	if (!o)
		return NULL;
	return done(o, put_str(o, "name", p->name.v ? p->name.v : p->trading_name.v) &&
		       put_str(o, "org_number", p->legal_id.v) &&
		       put_str(o, "vat_number", p->vat_id.v) &&
		       put_str(o, "endpoint_id", p->endpoint.v) &&
		       put_str(o, "endpoint_scheme", p->endpoint.scheme));
}

static ujson *totals_json(const inv_totals *t)
{
	ujson *o = ujson_object();

	if (!o)
		return NULL;
	return done(o, put(o, "line_extension", amount_json(&t->line_extension)) &&
		       put(o, "tax_exclusive", amount_json(&t->tax_exclusive)) &&
		       put(o, "tax_amount", amount_json(&t->tax)) &&
		       put(o, "tax_inclusive", amount_json(&t->tax_inclusive)) &&
		       put(o, "allowance_total", amount_json(&t->allowance_total)) &&
		       put(o, "charge_total", amount_json(&t->charge_total)) &&
		       put(o, "prepaid", amount_json(&t->prepaid)) &&
		       put(o, "rounding", amount_json(&t->rounding)) &&
		       put(o, "payable", amount_json(&t->payable)));
}

static ujson *payment_json(const invoice *inv)
{
	const inv_payment *p = invoice_payment(inv);
	ujson *o;

	if (!p)
		return ujson_null();
	o = ujson_object();
	if (!o)
		return NULL;
	return done(o, put_str(o, "means_code", p->means_code.v) &&
		       put_str(o, "account", p->account.id.v ? p->account.id.v : p->card_pan.v) &&
		       put_str(o, "institution", p->account.bic.v) &&
		       put_str(o, "reference", p->remittance.v));
}

static ujson *line_json(const inv_line *l)
{
	ujson *o = ujson_object();
	bool ok;

	if (!o)
		return NULL;
	ok = put_str(o, "id", l->id.v) &&
	     put(o, "quantity", num_json(l->quantity.v, l->quantity.set)) &&
	     put_str(o, "unit", l->quantity.unit) &&
	     put(o, "net_amount", amount_json(&l->net)) &&
	     put(o, "price", amount_json(&l->price)) &&
	     put_str(o, "name", l->item_name.v ? l->item_name.v : l->item_description.v) &&
	     put_str(o, "seller_item_id", l->seller_item_id.v) &&
	     put_str(o, "order_line_reference", l->order_line_ref.v);
	if (ok && l->order_id.v)
		ok = put_str(o, "order_reference", l->order_id.v);
	ok = ok && put_str(o, "vat_category", l->vat_category.v) &&
	     put(o, "vat_rate", num_json(l->vat_rate.v, l->vat_rate.set));
	return done(o, ok);
}

static ujson *attachment_json(const char *id, const inv_attachment *a)
{
	ujson *o = ujson_object();

	if (!o)
		return NULL;
	return done(o, put_str(o, "id", id) &&
		       put_str(o, "mime", a->mime) &&
		       put_str(o, "filename", a->filename) &&
		       ujson_set_int(o, "size", (int64_t)a->size) == 0);
}

static ujson *vat_json(const inv_vat *v)
{
	ujson *o = ujson_object();

	if (!o)
		return NULL;
	return done(o, put_str(o, "category", v->category.v) &&
		       put(o, "rate", num_json(v->rate.v, v->rate.set)) &&
		       put(o, "taxable", amount_json(&v->taxable)) &&
		       put(o, "tax", amount_json(&v->tax)));
}

static ujson *problem_json(const inv_problem *p)
{
	ujson *o = ujson_object();

	if (!o)
		return NULL;
	return done(o, ujson_set_int(o, "line", p->line) == 0 &&
		       put_str(o, "element", p->element) &&
		       put_str(o, "message", p->msg));
}

static ujson *vat_list(const invoice *inv)
{
	ujson *arr = ujson_array();
	bool ok = arr != NULL;
	size_t i;

	for (i = 0; ok && i < inv->nvat; i++)
		ok = add(arr, vat_json(&inv->vat[i]));
	return done(arr, ok);
}

static ujson *line_list(const invoice *inv)
{
	ujson *arr = ujson_array();
	bool ok = arr != NULL;
	size_t i;

	for (i = 0; ok && i < inv->nlines; i++)
		ok = add(arr, line_json(&inv->lines[i]));
	return done(arr, ok);
}

static ujson *attachment_list(const invoice *inv)
{
	ujson *arr = ujson_array();
	bool ok = arr != NULL;
	size_t i;

	for (i = 0; ok && i < inv->ndocs; i++)
		if (inv->docs[i].attachment)
			ok = add(arr, attachment_json(inv->docs[i].id.v, inv->docs[i].attachment));
	return done(arr, ok);
}

static ujson *problem_list(const invoice *inv)
{
	ujson *arr = ujson_array();
	bool ok = arr != NULL;
	const inv_problem *p;

	for (p = inv->problems; ok && p; p = p->next)
		ok = add(arr, problem_json(p));
	return done(arr, ok);
}

ujson *render_invoice_json(const invoice *inv, const char *file)
{
	ujson *o = ujson_object();
	bool ok;

	if (!o)
		return NULL;
	ok = put_str(o, "file", file) &&
	     put_str(o, "syntax", invoice_syntax_name(inv->syntax)) &&
	     put_str(o, "document_type", invoice_kind_name(inv->kind)) &&
	     put_str(o, "id", inv->id.v) &&
	     put_str(o, "issue_date", inv->issue_date.v) &&
	     put_str(o, "due_date", inv->due_date.v) &&
	     put_str(o, "type_code", inv->type_code.v) &&
	     put_str(o, "currency", inv->currency.v) &&
	     put_str(o, "buyer_reference", inv->buyer_reference.v) &&
	     put_str(o, "order_reference", inv->order_ref.v) &&
	     put(o, "seller", party_json(&inv->seller)) &&
	     put(o, "buyer", party_json(&inv->buyer)) &&
	     put(o, "payment", payment_json(inv)) &&
	     put(o, "totals", totals_json(&inv->totals)) &&
	     put(o, "vat_breakdown", vat_list(inv)) &&
	     put(o, "lines", line_list(inv)) &&
	     put(o, "attachments", attachment_list(inv));
	if (ok && inv->nproblems)
		ok = put(o, "problems", problem_list(inv));
	return done(o, ok);
}

static ujson *object_json(const sve_object *ob)
{
	ujson *o = ujson_object();

	if (!o)
		return NULL;
	return done(o, put_str(o, "id", ob->id) &&
		       put_str(o, "mime", ob->mime) &&
		       put_str(o, "filename", ob->filename) &&
		       ujson_set_int(o, "size", (int64_t)ob->size) == 0);
}

static ujson *object_list(const sve_envelope *env)
{
	ujson *arr = ujson_array();
	bool ok = arr != NULL;
	size_t i;

	for (i = 0; ok && i < env->nobjects; i++)
		ok = add(arr, object_json(&env->objects[i]));
	return done(arr, ok);
}

ujson *render_envelope_json(const sve_envelope *env, const char *file,
			    const char *attached_to)
{
	ujson *o = ujson_object();

	if (!o)
		return NULL;
	return done(o, put_str(o, "file", file) &&
		       put_str(o, "syntax", "svefaktura-1.0") &&
		       put_str(o, "document_type", "object-envelope") &&
		       put_str(o, "document_id", env->document_id) &&
		       put_str(o, "issuer_id", env->issuer_id) &&
		       put(o, "objects", object_list(env)) &&
		       put_str(o, "attached_to", attached_to));
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static const char *fmt_amount(char *buf, const inv_amount *a)
{
	if (!a->set)
		return "-";
	dec_format(buf, DEC_STR_MAX, a->v, 2);
	return buf;
}

static void party_text(FILE *out, const char *role, const inv_party *p)
{
	fprintf(out, "  %-7s %s", role, or_dash(p->name.v ? p->name.v : p->trading_name.v));
	if (p->legal_id.v)
		fprintf(out, ", org %s", p->legal_id.v);
	if (p->vat_id.v)
		fprintf(out, ", VAT %s", p->vat_id.v);
	if (p->endpoint.v)
		fprintf(out, ", endpoint %s%s%s", p->endpoint.scheme ? p->endpoint.scheme : "",
			p->endpoint.scheme ? ":" : "", p->endpoint.v);
	fputc('\n', out);
}

void render_invoice_text(FILE *out, const invoice *inv, const char *file)
{
	char a[DEC_STR_MAX], b[DEC_STR_MAX], c[DEC_STR_MAX];
	const inv_payment *pay = invoice_payment(inv);
	const inv_problem *p;
	size_t i;

	fprintf(out, "%s: %s %s %s (type %s), issued %s, due %s, %s\n", file,
		invoice_syntax_name(inv->syntax), invoice_kind_name(inv->kind),
		or_dash(inv->id.v), or_dash(inv->type_code.v), or_dash(inv->issue_date.v),
		or_dash(inv->due_date.v), or_dash(inv->currency.v));
	party_text(out, "seller", &inv->seller);
	party_text(out, "buyer", &inv->buyer);
	fprintf(out, "  order %s, buyer reference %s\n", or_dash(inv->order_ref.v),
		or_dash(inv->buyer_reference.v));
	fprintf(out, "  %zu line%s, line total %s, allowances %s, charges %s\n", inv->nlines,
		inv->nlines == 1 ? "" : "s", fmt_amount(a, &inv->totals.line_extension),
		fmt_amount(b, &inv->totals.allowance_total),
		fmt_amount(c, &inv->totals.charge_total));
	for (i = 0; i < inv->nvat; i++) {
		const inv_vat *v = &inv->vat[i];
		char r[DEC_STR_MAX] = "-";
		if (v->rate.set)
			dec_format(r, sizeof(r), v->rate.v, 0);
		fprintf(out, "  VAT %s %s%%: %s on %s\n", or_dash(v->category.v), r,
			fmt_amount(a, &v->tax), fmt_amount(b, &v->taxable));
	}
	fprintf(out, "  total %s excl. VAT, %s incl. VAT, payable %s\n",
		fmt_amount(a, &inv->totals.tax_exclusive),
		fmt_amount(b, &inv->totals.tax_inclusive), fmt_amount(c, &inv->totals.payable));
	if (pay)
		fprintf(out, "  payment means %s to %s%s%s, reference %s\n",
			or_dash(pay->means_code.v), or_dash(pay->account.id.v),
			pay->account.bic.v ? " " : "", pay->account.bic.v ? pay->account.bic.v : "",
			or_dash(pay->remittance.v));
	for (i = 0; i < inv->ndocs; i++) {
		const inv_attachment *at = inv->docs[i].attachment;
		if (!at)
			continue;
		fprintf(out, "  attachment %s: %s, %s, %zu bytes\n", or_dash(inv->docs[i].id.v),
			or_dash(at->filename), or_dash(at->mime), at->size);
	}
	for (p = inv->problems; p; p = p->next)
		fprintf(out, "  problem at line %u (%s): %s\n", p->line, or_dash(p->element), p->msg);
}

void render_envelope_text(FILE *out, const sve_envelope *env, const char *file,
			  const char *attached_to)
{
	fprintf(out, "%s: svefaktura-1.0 object envelope for invoice %s from %s, %zu object%s",
		file, or_dash(env->document_id), or_dash(env->issuer_id), env->nobjects,
		env->nobjects == 1 ? "" : "s");
	if (attached_to)
		fprintf(out, ", attached to %s\n", attached_to);
	else
		fprintf(out, ", no matching invoice among the files given\n");
}
