/*
 * queue.c - the handler's workbench: the queue's list, the invoice page's
 * contents and the actions.  See queue.h.  (First commit: the API only.)
 */
#include <stdlib.h>
#include <string.h>

#include "robot/pipeline/queue.h"

static int todo(ulf_err *err)
{
	return ulf_err_set(err, ULF_ERROR, "not implemented yet");
}

int queue_list(queue_page *out, store *s, const queue_filter *f, int64_t now, ulf_err *err)
{
	return queue_index_list(out, s, f, now, err);
}

const char *queue_field_name(int field)
{
	static const char *const names[QUEUE_NFIELDS] = {
		"account", "cost_centre", "activity", "project", "vat_code",
	};
	return field >= 0 && field < QUEUE_NFIELDS ? names[field] : "";
}

int queue_get(queue_doc *out, store *s, int64_t id, ulf_err *err)
{
	(void)s; (void)id;
	memset(out, 0, sizeof(*out));
	return todo(err);
}

void queue_doc_release(queue_doc *d)
{
	if (!d)
		return;
	ujson_free(d->claim);
	arena_release(&d->mem);
	memset(d, 0, sizeof(*d));
}

int queue_attachment_get(void **out, size_t *out_len, char **out_name, char **out_mime,
			 store *s, int64_t id, size_t index, ulf_err *err)
{
	(void)out; (void)out_len; (void)out_name; (void)out_mime; (void)s; (void)id; (void)index;
	return todo(err);
}

int queue_claim_unmask(ujson **out, store *s, int64_t id, const char *who,
		       const char *reason, int64_t now, ulf_err *err)
{
	(void)out; (void)s; (void)id; (void)who; (void)reason; (void)now;
	return todo(err);
}

int queue_response_get(char **out, size_t *out_len, store *s, int64_t id, ulf_err *err)
{
	(void)out; (void)out_len; (void)s; (void)id;
	return todo(err);
}

int queue_approve(pipeline *p, int64_t id, const char *who, int64_t version,
		  const char *note, int64_t now, ulf_err *err)
{
	(void)p; (void)id; (void)who; (void)version; (void)note; (void)now;
	return todo(err);
}

int queue_booking_check(queue_problems *out, pipeline *p, int64_t id,
			const char *booking_json, ulf_err *err)
{
	(void)p; (void)id; (void)booking_json;
	memset(out, 0, sizeof(*out));
	return todo(err);
}

int queue_approve_booking(queue_problems *out_problems, pipeline *p, int64_t id,
			  const char *who, int64_t version, const char *booking_json,
			  const char *note, int64_t now, ulf_err *err)
{
	(void)out_problems; (void)p; (void)id; (void)who; (void)version; (void)booking_json;
	(void)note; (void)now;
	return todo(err);
}

const queue_reject_code *queue_reject_codes(size_t *out_n)
{
	static const queue_reject_code codes[] = {
		{ "NON", "No issue" },
		{ "REF", "References incorrect" },
		{ "LEG", "Legal information incorrect" },
		{ "REC", "Receiver unknown" },
		{ "QUA", "Item quality insufficient" },
		{ "DEL", "Delivery issues" },
		{ "PRI", "Prices incorrect" },
		{ "QTY", "Quantity incorrect" },
		{ "ITM", "Items incorrect" },
		{ "PAY", "Payment terms incorrect" },
		{ "UNR", "Not recognized" },
		{ "FIN", "Finance terms incorrect" },
		{ "PPD", "Partially paid" },
		{ "OTH", "Other" },
	};
	*out_n = sizeof(codes) / sizeof(codes[0]);
	return codes;
}

int queue_reject(pipeline *p, int64_t id, const char *who, int64_t version,
		 const char *code, const char *reason, int64_t now, ulf_err *err)
{
	(void)p; (void)id; (void)who; (void)version; (void)code; (void)reason; (void)now;
	return todo(err);
}

int queue_hold(pipeline *p, int64_t id, const char *who, int64_t version,
	       const char *until, const char *note, int64_t now, ulf_err *err)
{
	(void)p; (void)id; (void)who; (void)version; (void)until; (void)note; (void)now;
	return todo(err);
}

int queue_assign(pipeline *p, int64_t id, const char *who, int64_t version,
		 const char *assignee, int64_t now, ulf_err *err)
{
	(void)p; (void)id; (void)who; (void)version; (void)assignee; (void)now;
	return todo(err);
}

int queue_comment(pipeline *p, int64_t id, const char *who, int64_t version,
		  const char *text, int64_t now, ulf_err *err)
{
	(void)p; (void)id; (void)who; (void)version; (void)text; (void)now;
	return todo(err);
}

int queue_retry(doc_state *out_state, pipeline *p, int64_t id, const char *who,
		int64_t version, int64_t now, ulf_err *err)
{
	(void)p; (void)id; (void)who; (void)version; (void)now;
	*out_state = 0;
	return todo(err);
}
