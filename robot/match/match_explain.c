/*
 * match_explain.c - the explanation a match job builds as it goes: reasons,
 * rules fired, checks with their tolerance computations, and the number
 * formats they are written in.  Private to robot/match (match_int.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/match/match_int.h"
#include "robot/match/mtext.h"

/* The result of a JSON setter, kept: the first that fails (out of memory)
 * fails the job. */
static void kept(match_job *j, int rc)
{
	if (rc && !j->rc)
		j->rc = ulf_err_set(j->err, rc, "out of memory");
}

void mj_set_str(match_job *j, ujson *o, const char *key, const char *s)
{
	kept(j, ujson_set_str(o, key, s));
}

void mj_set_int(match_job *j, ujson *o, const char *key, int64_t v)
{
	kept(j, ujson_set_int(o, key, v));
}

void mj_set_bool(match_job *j, ujson *o, const char *key, bool v)
{
	kept(j, ujson_set_bool(o, key, v));
}

void mj_set_new(match_job *j, ujson *o, const char *key, ujson *v)
{
	/* every value the job sets is meant: NULL is a failed allocation */
	if (!v) {
		kept(j, ULF_ENOMEM);
		return;
	}
	kept(j, ujson_set_new(o, key, v));
}

void mj_append(match_job *j, ujson *arr, ujson *v)
{
	if (!v) {
		kept(j, ULF_ENOMEM);
		return;
	}
	kept(j, ujson_append_new(arr, v));
}

const char *mj_str(match_job *j, const char *s)
{
	char *p;

	if (!s || !*s)
		return "";
	p = arena_strdup(&j->res->mem, s);
	if (!p) {
		kept(j, ULF_ENOMEM);
		return "";
	}
	return p;
}

const char *mj_fmt(match_job *j, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = mtext_vformat(&j->res->mem, fmt, ap);
	va_end(ap);
	if (!p) {
		kept(j, ULF_ENOMEM);
		return "";
	}
	return p;
}

void mj_reason(match_job *j, const char *code, const char *line_id, const char *fmt, ...)
{
	match_result *r = j->res;
	match_reason *mr;
	va_list ap;
	char *msg;

	if (r->nreasons == MATCH_MAX_REASONS)
		return;   /* the first 64 are enough to send it to a person */
	mr = &r->reasons[r->nreasons++];
	mr->code = code;
	mr->line_id = mj_str(j, line_id);
	va_start(ap, fmt);
	msg = mtext_vformat(&r->mem, fmt, ap);
	va_end(ap);
	if (!msg)
		kept(j, ULF_ENOMEM);
	mr->message = msg ? msg : "";
}

/* Notes a rule that took part in the decision, once. */
void mj_fired(match_job *j, const char *kind, const char *name, unsigned line, const char *why)
{
	size_t i;
	ujson *o;

	for (i = 0; i < ujson_array_size(j->fired); i++) {
		ujson *e = ujson_array_get(j->fired, i);
		const char *k = ujson_get_str(e, "kind"), *r = ujson_get_str(e, "rule");
		/* null where a name was not UTF-8 (a rules file is not checked) */
		if (k && r && !strcmp(k, kind) && !strcmp(r, name))
			return;
	}
	o = ujson_object();
	mj_set_str(j, o, "kind", kind);
	mj_set_str(j, o, "rule", name);
	mj_set_int(j, o, "line", line);
	mj_set_str(j, o, "why", why);
	mj_append(j, j->fired, o);
}

void mj_fmt_dec(char *buf, size_t n, dec v)
{
	dec r;
	size_t len;

	/* up to 4 decimals, at least 2: unit prices per base quantity have more */
	if (dec_round(&r, v, 4))
		r = v;
	len = dec_format(buf, n, r, 2);
	while (len > 0 && strchr(buf, '.') && buf[len - 1] == '0' &&
	       (size_t)(strchr(buf, '.') - buf) + 3 < len)
		buf[--len] = '\0';
}

/* A quantity as written: no padding to two decimals. */
void mj_fmt_qty(char *buf, size_t n, dec v)
{
	dec_format(buf, n, v, 0);
}

ujson *mj_jdec(dec v)
{
	char buf[DEC_STR_MAX];

	mj_fmt_dec(buf, sizeof(buf), v);
	return ujson_string(buf);
}

/*
 * A tolerance check: is |actual - expected| within what the tolerance of
 * kind k allows, computed on `base`?  Appends the computation to `arr`
 * and returns whether it held.
 */
bool mj_tol_check(match_job *j, ujson *arr, rules_tol_kind k, const char *what, dec actual,
		      dec expected, dec base, dec *out_diff, dec *out_allowed, char *text, size_t tn)
{
	rules_tol t;
	dec diff, allowed;
	char a[DEC_STR_MAX], e[DEC_STR_MAX], d[DEC_STR_MAX], al[DEC_STR_MAX], tt[64];
	ujson *o;
	bool ok;

	rules_tolerance(&t, j->m->rules, k, &j->who);
	if (dec_sub(&diff, actual, expected) || rules_tol_allowed(&allowed, &t, base)) {
		j->rc = ulf_err_set(j->err, ULF_ERANGE, "%s: amounts out of range", what);
		return false;
	}
	diff = dec_abs(diff);
	ok = dec_cmp(diff, allowed) <= 0;
	mj_fmt_dec(a, sizeof(a), actual);
	mj_fmt_dec(e, sizeof(e), expected);
	mj_fmt_dec(d, sizeof(d), diff);
	mj_fmt_dec(al, sizeof(al), allowed);
	rules_tol_text(tt, sizeof(tt), &t);
	if (t.line)
		snprintf(text, tn, "%s %s against %s: difference %s, allowed %s (%s %s, %.*s, %.*s:%u)",
			 what, a, e, d, al, rules_tol_name(k), tt, mtext_fit(t.scope, 80), t.scope,
			 mtext_fit(rules_name(j->m->rules), 120), rules_name(j->m->rules), t.line);
	else
		snprintf(text, tn, "%s %s against %s: difference %s, allowed %s (%s tolerance: none"
			 " set, exact)", what, a, e, d, al, rules_tol_name(k));
	mtext_trim(text);
	o = ujson_object();
	mj_set_str(j, o, "check", what);
	mj_set_new(j, o, "invoice", mj_jdec(actual));
	mj_set_new(j, o, "expected", mj_jdec(expected));
	mj_set_new(j, o, "difference", mj_jdec(diff));
	mj_set_new(j, o, "allowed", mj_jdec(allowed));
	mj_set_str(j, o, "tolerance", tt);
	mj_set_str(j, o, "tolerance_kind", rules_tol_name(k));
	mj_set_str(j, o, "scope", t.scope);
	mj_set_int(j, o, "rules_line", t.line);
	mj_set_bool(j, o, "ok", ok);
	mj_set_str(j, o, "result", ok ? "ok" : "deviation");
	mj_set_str(j, o, "text", text);
	mj_append(j, arr, o);
	if (out_diff)
		*out_diff = diff;
	if (out_allowed)
		*out_allowed = allowed;
	return ok;
}

/* A check without a tolerance (a unit, a status), for the explanation. */
static void vnote(match_job *j, ujson *arr, const char *what, const char *result,
		  const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

static void vnote(match_job *j, ujson *arr, const char *what, const char *result,
		  const char *fmt, va_list ap)
{
	char *text = mtext_vformat(NULL, fmt, ap);
	ujson *o = ujson_object();

	if (!text)
		kept(j, ULF_ENOMEM);
	mj_set_str(j, o, "check", what);
	mj_set_bool(j, o, "ok", strcmp(result, "deviation") != 0);
	mj_set_str(j, o, "result", result);
	mj_set_str(j, o, "text", text ? text : "");
	mj_append(j, arr, o);
	free(text);
}

void mj_note(match_job *j, ujson *arr, const char *what, bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(j, arr, what, ok ? "ok" : "deviation", fmt, ap);
	va_end(ap);
}

void mj_info(match_job *j, ujson *arr, const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(j, arr, what, "info", fmt, ap);
	va_end(ap);
}

void mj_out_of_range(match_job *j, ujson *checks, const char *check, const char *code,
		     const char *line_id, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = mtext_vformat(NULL, fmt, ap);
	va_end(ap);
	if (!what) {
		kept(j, ULF_ENOMEM);
		return;
	}
	mj_note(j, checks, check, false, "%s: the numbers are out of range, not checked", what);
	if (line_id)
		mj_reason(j, code, line_id, "line %s: %s cannot be checked: the numbers are out of"
			  " range", line_id, what);
	else
		mj_reason(j, code, NULL, "%s cannot be checked: the numbers are out of range", what);
	free(what);
}
