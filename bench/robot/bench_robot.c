/*
 * bench_robot - the load for bench/robot/run.sh: distinct care invoices
 * POSTed to a running `ulf run` service, then the wait until the service
 * reports them all in one state.
 *
 *   bench_robot --url http://127.0.0.1:PORT --token TOKEN [--first N]
 *               [--count N] [--conns N] [--until STATE] [--timeout S] TEMPLATE...
 *
 * Copies FIRST .. FIRST+COUNT-1 of every TEMPLATE (tests/crash/care_gen.h:
 * an invoice embedding its claim, or a claim and an invoice as a pair) are
 * made in memory before the clock starts, then POSTed to URL/documents over
 * CONNS keep-alive connections (libcurl multi), with the sender's TOKEN
 * (`ulf token add`); every answer must be 202.
 * With --until, /metrics is polled every 20 ms until
 * ulf_documents{state="STATE"} reaches COUNT (one invoice per copy).
 * Prints, on stdout:
 *   intake: D documents in S s: R documents/s
 *   STATE: COUNT invoices after S s: R invoices/s        (with --until)
 * The clock runs from the first POST to the last answer (intake) and to the
 * poll that saw COUNT (the end-to-end figure).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "tests/crash/care_gen.h"

#define MAX_TEMPLATES 4
#define MAX_CONNS 64

typedef struct doc {
	char *data;
	size_t len;
	char name[64];
} doc;

typedef struct buf {
	char *p;
	size_t len, cap;
} buf;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	buf *b = ctx;
	size_t len = size * n;

	if (b->len + len + 1 > b->cap) {
		size_t cap = (b->len + len + 1) * 2;
		char *q = realloc(b->p, cap);
		if (!q)
			return 0;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = '\0';
	return len;
}

static void usage(void) __attribute__((noreturn));

/* A whole decimal number in [lo, hi], or usage. */
static long number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		usage();
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_robot --url URL --token TOKEN [--first N] [--count N]\n"
			"                   [--conns N] [--until STATE] [--timeout S] TEMPLATE...\n");
	exit(64);
}

static void start(CURLM *m, CURL *h, const char *url, struct curl_slist *hdr, const doc *d)
{
	char full[512];

	snprintf(full, sizeof(full), "%s/documents?name=%s", url, d->name);
	curl_easy_setopt(h, CURLOPT_URL, full);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, d->data);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)d->len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_PRIVATE, (void *)d);
	curl_multi_add_handle(m, h);
}

/* The documents in `state` according to /metrics, or -1. */
static long metric(CURL *h, const char *url, const char *state)
{
	char full[512], key[96];
	buf b = { 0 };
	long v = -1;
	const char *p;

	snprintf(full, sizeof(full), "%s/metrics", url);
	snprintf(key, sizeof(key), "ulf_documents{state=\"%s\"} ", state);
	curl_easy_setopt(h, CURLOPT_URL, full);
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	if (curl_easy_perform(h) == CURLE_OK && b.p && (p = strstr(b.p, key)) != NULL)
		v = strtol(p + strlen(key), NULL, 10);
	free(b.p);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "first", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'n' },
		{ "conns", required_argument, NULL, 'c' },
		{ "until", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "token", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	const char *url = NULL, *until = NULL, *token = NULL;
	char auth[128];
	unsigned long first = 0, count = 1000, n;
	int conns = 4, timeout = 600, c, ntpl, i, running, failures = 0;
	care_gen *g[MAX_TEMPLATES];
	CURL *easy[MAX_CONNS];
	struct curl_slist *hdr;
	size_t ndocs, next = 0, done = 0, k;
	doc *docs;
	double t0, t1;
	CURLM *m;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': url = optarg; break;
		case 'f': first = (unsigned long)number(optarg, 0, 1000000); break;
		case 'n': count = (unsigned long)number(optarg, 1, 1000000); break;
		case 'c': conns = (int)number(optarg, 1, MAX_CONNS); break;
		case 'w': until = optarg; break;
		case 't': timeout = (int)number(optarg, 1, 86400); break;
		case 'k': token = optarg; break;
		default: usage();
		}
	}
	ntpl = argc - optind;
	if (!url || !token || strlen(token) > 80 || ntpl < 1 || ntpl > MAX_TEMPLATES || conns < 1 || conns > MAX_CONNS ||
	    count == 0 || first + count > 1000000)
		usage();
	for (i = 0; i < ntpl; i++)
		if (!(g[i] = care_gen_load(argv[optind + i])))
			return 2;
	ndocs = count * (size_t)ntpl;
	docs = calloc(ndocs, sizeof(*docs));
	if (!docs)
		return 2;
	for (n = 0, k = 0; n < count; n++)
		for (i = 0; i < ntpl; i++, k++) {
			docs[k].data = care_gen_make(g[i], first + n, &docs[k].len);
			if (!docs[k].data)
				return 2;
			snprintf(docs[k].name, sizeof(docs[k].name), "care-%06lu-%c.xml", first + n,
				 'a' + i);
		}

	curl_global_init(CURL_GLOBAL_DEFAULT);
	m = curl_multi_init();
	hdr = curl_slist_append(NULL, "Content-Type: application/xml");
	hdr = curl_slist_append(hdr, "Expect:");   /* no 100-continue round trip */
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	hdr = curl_slist_append(hdr, auth);
	t0 = now_s();
	for (i = 0; i < conns && next < ndocs; i++) {
		easy[i] = curl_easy_init();
		start(m, easy[i], url, hdr, &docs[next++]);
	}
	for (; i < conns; i++)
		easy[i] = NULL;
	while (done < ndocs) {
		CURLMsg *msg;
		int left;

		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			CURL *h = msg->easy_handle;
			long code = 0;
			doc *d = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
			curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&d);
			if (msg->data.result != CURLE_OK || code != 202) {
				if (failures++ < 5)
					fprintf(stderr, "bench_robot: %s: %s, HTTP %ld\n", d ? d->name : "?",
						curl_easy_strerror(msg->data.result), code);
			}
			curl_multi_remove_handle(m, h);
			done++;
			if (next < ndocs)
				start(m, h, url, hdr, &docs[next++]);
		}
		if (done < ndocs)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	t1 = now_s();
	printf("intake: %zu documents in %.2f s: %.0f documents/s\n", ndocs, t1 - t0,
	       (double)ndocs / (t1 - t0));
	fflush(stdout);
	if (failures) {
		fprintf(stderr, "bench_robot: %d POSTs not answered 202\n", failures);
		return 1;
	}
	if (until) {
		CURL *h = curl_easy_init();
		long v = -1;

		while ((v = metric(h, url, until)) < (long)count && now_s() - t0 < timeout) {
			struct timespec ts = { 0, 20 * 1000000L };
			nanosleep(&ts, NULL);
		}
		t1 = now_s();
		curl_easy_cleanup(h);
		if (v < (long)count) {
			fprintf(stderr, "bench_robot: only %ld of %lu invoices %s after %d s\n", v, count,
				until, timeout);
			return 1;
		}
		printf("%s: %lu invoices after %.2f s: %.0f invoices/s\n", until, count, t1 - t0,
		       (double)count / (t1 - t0));
	}
	for (i = 0; i < conns; i++)
		if (easy[i])
			curl_easy_cleanup(easy[i]);
	curl_slist_free_all(hdr);
	curl_multi_cleanup(m);
	curl_global_cleanup();
	for (k = 0; k < ndocs; k++)
		free(docs[k].data);
	free(docs);
	for (i = 0; i < ntpl; i++)
		care_gen_free(g[i]);
	return 0;
}
