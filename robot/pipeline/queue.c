/*
 * queue.c - the handler's actions.  See queue.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "robot/pipeline/queue.h"

static int require_exception(store *s, int64_t id, ulf_err *err)
{
	doc_state st;
	int rc = store_state(&st, s, id, err);

	if (rc)
		return rc;
	if (st != ST_EXCEPTION)
		return ulf_err_set(err, ULF_EINVAL,
			"document %lld is %s, not in the exception queue",
			(long long)id, store_state_name(st));
	return 0;
}

static char *detail_json(const char *key, const char *value, const char *key2,
			 ujson *value2)
{
	ujson *o = ujson_object();
	char *s;

	if (!o || (value && ujson_set_str(o, key, value))) {
		ujson_free(value2);
		ujson_free(o);
		return NULL;
	}
	/* ujson_set_new takes value2 whatever the outcome */
	s = value2 && ujson_set_new(o, key2, value2) ? NULL : ujson_dump(o, UJSON_COMPACT);
	ujson_free(o);
	return s;
}

int queue_resolve(store *s, int64_t id, const char *who, const char *booking_json,
		  const char *note, int64_t now, ulf_err *err)
{
	ujson *booking = NULL;
	char *detail = NULL;
	int rc;

	rc = require_exception(s, id, err);
	if (rc)
		return rc;
	if (booking_json) {
		rc = ujson_parse(&booking, booking_json, strlen(booking_json), "booking", err);
		if (rc)
			return rc;
		if (!ujson_is_object(booking) || !ujson_is_array(ujson_get(booking, "lines"))) {
			ujson_free(booking);
			return ulf_err_set(err, ULF_EINVAL,
					   "booking: expected an object with a \"lines\" array");
		}
		rc = store_set_booking(s, id, booking_json, now, err);
		if (rc) {
			ujson_free(booking);
			return rc;
		}
	}
	detail = detail_json("note", note, "booking", booking);
	if (!detail)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	rc = store_transition_audited(s, id, ST_EXCEPTION, ST_READY, who, "resolve", detail,
				      now, err);
	free(detail);
	return rc;
}

int queue_reject(store *s, int64_t id, const char *who, const char *reason,
		 int64_t now, ulf_err *err)
{
	char *detail;
	int rc;

	if (!reason || !*reason)
		return ulf_err_set(err, ULF_EINVAL, "a rejection needs a reason");
	rc = require_exception(s, id, err);
	if (rc)
		return rc;
	detail = detail_json("reason", reason, NULL, NULL);
	if (!detail)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	rc = store_transition_audited(s, id, ST_EXCEPTION, ST_REJECTED, who, "reject", detail,
				      now, err);
	free(detail);
	return rc;
}

int queue_retry(doc_state *out_state, store *s, pipeline *p, int64_t id, const char *who,
		int64_t now, ulf_err *err)
{
	int rc;

	*out_state = 0;
	rc = require_exception(s, id, err);
	if (rc)
		return rc;
	rc = store_transition_audited(s, id, ST_EXCEPTION, ST_RECEIVED, who, "retry", NULL,
				      now, err);
	if (rc)
		return rc;
	return pipeline_process(out_state, p, id, now, err);
}
