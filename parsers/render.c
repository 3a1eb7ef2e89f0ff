/*
 * render.c - JSON and text views of the canonical invoice.  See render.h.
 */
#include <string.h>

#include "parsers/render.h"

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
	ujson_set_str(o, "name", p->name.v ? p->name.v : p->trading_name.v);
	ujson_set_str(o, "org_number", p->legal_id.v);
	ujson_set_str(o, "vat_number", p->vat_id.v);
	ujson_set_str(o, "endpoint_id", p->endpoint.v);
	ujson_set_str(o, "endpoint_scheme", p->endpoint.scheme);
	return o;
}

static ujson *totals_json(const inv_totals *t)
{
	ujson *o = ujson_object();

	if (!o)
		return NULL;
	ujson_set_new(o, "line_extension", amount_json(&t->line_extension));
	ujson_set_new(o, "tax_exclusive", amount_json(&t->tax_exclusive));
	ujson_set_new(o, "tax_amount", amount_json(&t->tax));
	ujson_set_new(o, "tax_inclusive", amount_json(&t->tax_inclusive));
	ujson_set_new(o, "allowance_total", amount_json(&t->allowance_total));
	ujson_set_new(o, "charge_total", amount_json(&t->charge_total));
	ujson_set_new(o, "prepaid", amount_json(&t->prepaid));
	ujson_set_new(o, "rounding", amount_json(&t->rounding));
	ujson_set_new(o, "payable", amount_json(&t->payable));
	return o;
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
	ujson_set_str(o, "means_code", p->means_code.v);
	ujson_set_str(o, "account", p->account.id.v ? p->account.id.v : p->card_pan.v);
	ujson_set_str(o, "institution", p->account.bic.v);
	ujson_set_str(o, "reference", p->remittance.v);
	return o;
}

static ujson *line_json(const inv_line *l)
{
	ujson *o = ujson_object();

	if (!o)
		return NULL;
	ujson_set_str(o, "id", l->id.v);
	ujson_set_new(o, "quantity", num_json(l->quantity.v, l->quantity.set));
	ujson_set_str(o, "unit", l->quantity.unit);
	ujson_set_new(o, "net_amount", amount_json(&l->net));
	ujson_set_new(o, "price", amount_json(&l->price));
	ujson_set_str(o, "name", l->item_name.v ? l->item_name.v : l->item_description.v);
	ujson_set_str(o, "seller_item_id", l->seller_item_id.v);
	ujson_set_str(o, "order_line_reference", l->order_line_ref.v);
	if (l->order_id.v)
		ujson_set_str(o, "order_reference", l->order_id.v);
	ujson_set_str(o, "vat_category", l->vat_category.v);
	ujson_set_new(o, "vat_rate", num_json(l->vat_rate.v, l->vat_rate.set));
	return o;
}

static ujson *attachment_json(const char *id, const inv_attachment *a)
{
	ujson *o = ujson_object();

	if (!o)
		return NULL;
	ujson_set_str(o, "id", id);
	ujson_set_str(o, "mime", a->mime);
	ujson_set_str(o, "filename", a->filename);
	ujson_set_int(o, "size", (int64_t)a->size);
	return o;
}

ujson *render_invoice_json(const invoice *inv, const char *file)
{
	ujson *o = ujson_object(), *arr;
	size_t i;

	if (!o)
		return NULL;
	ujson_set_str(o, "file", file);
	ujson_set_str(o, "syntax", invoice_syntax_name(inv->syntax));
	ujson_set_str(o, "document_type", invoice_kind_name(inv->kind));
	ujson_set_str(o, "id", inv->id.v);
	ujson_set_str(o, "issue_date", inv->issue_date.v);
	ujson_set_str(o, "due_date", inv->due_date.v);
	ujson_set_str(o, "type_code", inv->type_code.v);
	ujson_set_str(o, "currency", inv->currency.v);
	ujson_set_str(o, "buyer_reference", inv->buyer_reference.v);
	ujson_set_str(o, "order_reference", inv->order_ref.v);
	ujson_set_new(o, "seller", party_json(&inv->seller));
	ujson_set_new(o, "buyer", party_json(&inv->buyer));
	ujson_set_new(o, "payment", payment_json(inv));
	ujson_set_new(o, "totals", totals_json(&inv->totals));

	arr = ujson_array();
	for (i = 0; arr && i < inv->nvat; i++) {
		const inv_vat *v = &inv->vat[i];
		ujson *e = ujson_object();
		if (!e)
			break;
		ujson_set_str(e, "category", v->category.v);
		ujson_set_new(e, "rate", num_json(v->rate.v, v->rate.set));
		ujson_set_new(e, "taxable", amount_json(&v->taxable));
		ujson_set_new(e, "tax", amount_json(&v->tax));
		ujson_append_new(arr, e);
	}
	ujson_set_new(o, "vat_breakdown", arr);

	arr = ujson_array();
	for (i = 0; arr && i < inv->nlines; i++)
		ujson_append_new(arr, line_json(&inv->lines[i]));
	ujson_set_new(o, "lines", arr);

	arr = ujson_array();
	for (i = 0; arr && i < inv->ndocs; i++)
		if (inv->docs[i].attachment)
			ujson_append_new(arr, attachment_json(inv->docs[i].id.v,
							      inv->docs[i].attachment));
	ujson_set_new(o, "attachments", arr);

	if (inv->nproblems) {
		const inv_problem *p;
		arr = ujson_array();
		for (p = inv->problems; arr && p; p = p->next) {
			ujson *e = ujson_object();
			if (!e)
				break;
			ujson_set_int(e, "line", p->line);
			ujson_set_str(e, "element", p->element);
			ujson_set_str(e, "message", p->msg);
			ujson_append_new(arr, e);
		}
		ujson_set_new(o, "problems", arr);
	}
	return o;
}

ujson *render_envelope_json(const sve_envelope *env, const char *file,
			    const char *attached_to)
{
	ujson *o = ujson_object(), *arr;
	size_t i;

	if (!o)
		return NULL;
	ujson_set_str(o, "file", file);
	ujson_set_str(o, "syntax", "svefaktura-1.0");
	ujson_set_str(o, "document_type", "object-envelope");
	ujson_set_str(o, "document_id", env->document_id);
	ujson_set_str(o, "issuer_id", env->issuer_id);
	arr = ujson_array();
	for (i = 0; arr && i < env->nobjects; i++) {
		const sve_object *ob = &env->objects[i];
		ujson *e = ujson_object();
		if (!e)
			break;
		ujson_set_str(e, "id", ob->id);
		ujson_set_str(e, "mime", ob->mime);
		ujson_set_str(e, "filename", ob->filename);
		ujson_set_int(e, "size", (int64_t)ob->size);
		ujson_append_new(arr, e);
	}
	ujson_set_new(o, "objects", arr);
	ujson_set_str(o, "attached_to", attached_to);
	return o;
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
