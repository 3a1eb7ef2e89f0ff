/*
 * intake.c - group commit for received documents.  See intake.h.
 *
 * Waiting callers form a queue of requests on their own stacks.  The first
 * caller to find nobody committing becomes the committer: it takes what is
 * queued (its own request among it), stores it in one transaction without
 * holding the queue's lock, marks each request done and wakes the others.
 * A caller whose request is still queued when the committer finishes
 * commits the next batch itself.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "robot/pipeline/intake.h"

typedef struct request {
	store_intake doc;
	const char *sender;      /* who sent it, when known, for a resend */
	int rc;
	ulf_err err;
	bool done;
	struct request *next;
} request;

struct intake {
	store *s;
	pthread_mutex_t lock;
	pthread_cond_t done;
	request *head, **tail;
	bool committing;
};

int intake_new(intake **out, store *s, ulf_err *err)
{
	intake *in = calloc(1, sizeof(*in));

	*out = NULL;
	if (!in)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	in->s = s;
	in->tail = &in->head;
	pthread_mutex_init(&in->lock, NULL);
	pthread_cond_init(&in->done, NULL);
	*out = in;
	return 0;
}

void intake_free(intake *in)
{
	if (!in)
		return;
	pthread_cond_destroy(&in->done);
	pthread_mutex_destroy(&in->lock);
	free(in);
}

/* Takes up to a batch off the queue; called with the lock held. */
static size_t take_batch(request **batch, intake *in)
{
	size_t n = 0, bytes = 0;

	while (in->head && n < INTAKE_BATCH_MAX) {
		request *r = in->head;
		/* the first always goes, however large: it has to go some time */
		if (n > 0 && bytes + r->doc.len > INTAKE_BATCH_BYTES)
			break;
		bytes += r->doc.len;
		batch[n++] = r;
		in->head = r->next;
	}
	if (!in->head)
		in->tail = &in->head;
	return n;
}

static void commit_batch(intake *in, request **batch, size_t n, int64_t now)
{
	store_intake docs[INTAKE_BATCH_MAX];
	ulf_err err;
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		docs[i] = batch[i]->doc;
	ulf_err_clear(&err);
	rc = store_receive_many(docs, n, in->s, now, &err);
	for (i = 0; i < n; i++) {
		batch[i]->rc = rc;
		batch[i]->err = err;
	}
	/* known bytes: a resend in the history of the document they are; a
	 * sender who cannot be told it was noted hears an error and sends
	 * again */
	for (i = 0; rc == 0 && i < n; i++)
		if (docs[i].duplicate) {
			ulf_err_clear(&batch[i]->err);
			batch[i]->rc = store_note_resend(in->s, docs[i].id, docs[i].source,
							 batch[i]->sender, docs[i].name, now,
							 &batch[i]->err);
		}
	pthread_mutex_lock(&in->lock);
	for (i = 0; i < n; i++) {
		batch[i]->doc = docs[i];
		batch[i]->done = true;
	}
	in->committing = false;
	pthread_cond_broadcast(&in->done);
}

int intake_receive(int64_t *out_id, bool *out_dup, intake *in, const char *source,
		   const char *name, const void *data, size_t len, int64_t now, ulf_err *err)
{
	return intake_receive_from(out_id, out_dup, in, source, NULL, name, data, len, now, err);
}

int intake_receive_from(int64_t *out_id, bool *out_dup, intake *in, const char *source,
			const char *sender, const char *name, const void *data, size_t len,
			int64_t now, ulf_err *err)
{
	request me, *batch[INTAKE_BATCH_MAX];
	size_t n;

	memset(&me, 0, sizeof(me));
	me.sender = sender;
	me.doc.source = source;
	me.doc.name = name;
	me.doc.data = data;
	me.doc.len = len;
	ulf_err_clear(&me.err);

	pthread_mutex_lock(&in->lock);
	*in->tail = &me;
	in->tail = &me.next;
	while (!me.done) {
		if (in->committing) {
			pthread_cond_wait(&in->done, &in->lock);
			continue;
		}
		in->committing = true;
		n = take_batch(batch, in);
		pthread_mutex_unlock(&in->lock);
		commit_batch(in, batch, n, now);   /* returns with the lock held */
	}
	pthread_mutex_unlock(&in->lock);

	*out_id = me.doc.id;
	*out_dup = me.doc.duplicate;
	if (me.rc)
		return ulf_err_set(err, me.rc, "%s", me.err.msg);
	return 0;
}
