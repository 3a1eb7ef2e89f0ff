/*
 * queue_index.c - the exception queue's index in the store.  See
 * queue_index.h.  (First commit: the API only.)
 */
#include <stdlib.h>
#include <string.h>

#include "robot/store/queue_index.h"

static int todo(ulf_err *err)
{
	return ulf_err_set(err, ULF_ERROR, "not implemented yet");
}

const char *queue_sort_name(queue_sort s)
{
	switch (s) {
	case QUEUE_SORT_AGE: return "age";
	case QUEUE_SORT_AMOUNT: return "amount";
	default: return "due";
	}
}

int queue_sort_parse(queue_sort *out, const char *name)
{
	(void)out;
	(void)name;
	return ULF_EINVAL;
}

void queue_page_release(queue_page *p)
{
	if (!p)
		return;
	arena_release(&p->mem);
	memset(p, 0, sizeof(*p));
}

int queue_index_list(queue_page *out, store *s, const queue_filter *f, int64_t now,
		     ulf_err *err)
{
	(void)out; (void)s; (void)f; (void)now;
	return todo(err);
}

int queue_index_get(queue_item *out, bool *found, bool *waiting, store *s, int64_t id,
		    arena *a, ulf_err *err)
{
	(void)out; (void)found; (void)waiting; (void)s; (void)id; (void)a;
	return todo(err);
}

int queue_index_enter(db *d, int64_t id, int64_t now, ulf_err *err)
{
	(void)d; (void)id; (void)now; (void)err;
	return 0;
}

int queue_index_leave(db *d, int64_t id, const char *who, int64_t now, ulf_err *err)
{
	(void)d; (void)id; (void)who; (void)now; (void)err;
	return 0;
}

int queue_index_backfill(db *d, int64_t now, ulf_err *err)
{
	(void)d; (void)now; (void)err;
	return 0;
}

int queue_index_act(store *s, const queue_act *a, ulf_err *err)
{
	(void)s; (void)a;
	return todo(err);
}

int queue_index_response(char **out, size_t *out_len, char **out_code, store *s, int64_t id,
			 ulf_err *err)
{
	(void)out; (void)out_len; (void)out_code; (void)s; (void)id;
	return todo(err);
}
