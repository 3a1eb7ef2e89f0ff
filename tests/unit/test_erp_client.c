/*
 * test_erp_client.c - the ERP client (connectors/erp.c) against the ERP
 * simulator (tools/erp-sim/erpsim.c), both in this process, over HTTPS on
 * 127.0.0.1 with a port the system picks.  Certificates are made for the
 * run with the openssl command (tests/data/erp/mkcerts.sh, by the shared
 * ts_erp_setup of tests/support) in a temporary folder removed at the end.
 *
 * Covered: an accepted posting and its replay (one booking, one log line);
 * the same key with another payload; TLS verification refusing a
 * self-signed certificate, one from another CA, one for another host name,
 * and the test CA when the client trusts only the system's; mTLS required
 * (with a good certificate, none, one from another CA); OAuth2 tokens
 * (fetched once, renewed before expiry, renewed on a 401, wrong secret);
 * retries with backoff over 503s, a dropped connection after booking, a
 * stalled answer and its 409, a 429 with Retry-After; a 4xx rejection with
 * the ERP's message; a restarted simulator answering from its log; which
 * failures leave the outcome unknown (sent, no answer); the lookup by key
 * and the simulator's outage.
 *
 * Every wait is bounded: request timeouts, attempt counts, and polling
 * loops with a deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "connectors/erp.h"
#include "connectors/erp_payload.h"
#include "core/fileio.h"
#include "tests/support/support.h"
#include "tools/erp-sim/erpsim.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The certificates and logs (ts_erp_setup), and the client's secret. */
static int setup_all(void **state)
{
	char path[512];
	FILE *f;

	if (ts_erp_setup(state) != 0)
		return -1;
	f = fopen(ts_erp_file(path, sizeof(path), "secret"), "w");
	if (!f)
		return -1;
	fputs("s3cr&t +pass:word\n", f);   /* characters that need form-encoding */
	fclose(f);
	return 0;
}

/* ---- simulator and client helpers ---------------------------------------- */

static erpsim_stats stats(ts_sim *sm)
{
	erpsim_stats st;

	erpsim_stats_get(sm->s, &st);
	return st;
}

static char ca_path[512], ccert[512], ckey[512], secret_path[512];

/* A client trusting the test CA, nothing else set. */
static erp_config client_cfg(const ts_sim *sm)
{
	erp_config c;

	memset(&c, 0, sizeof(c));
	c.url = sm->url;
	c.ca_file = ts_erp_file(ca_path, sizeof(ca_path), "ca.pem");
	c.timeout_ms = 5000;
	return c;
}

static erp_client *client_new(const erp_config *c)
{
	erp_client *cl = NULL;
	ulf_err err;

	ulf_err_clear(&err);
	if (erp_client_new(&cl, c, &err) != 0)
		fail_msg("client: %s", err.msg);
	return cl;
}

static size_t log_lines(const char *path)
{
	char *text = NULL, *p;
	size_t len, n = 0;
	ulf_err err;

	ulf_err_clear(&err);
	if (access(path, F_OK) != 0)
		return 0;
	assert_int_equal(file_read(&text, &len, path, 1 << 20, &err), 0);
	for (p = text; *p; p++)
		n += *p == '\n';
	free(text);
	return n;
}

static const char PAYLOAD[] =
	"{\"schema\":\"ulf.erp.posting/1\",\"source\":{\"system\":\"ulf\",\"document_id\":1,"
	"\"invoice_url\":\"https://ulf.example/documents/1\"},\"supplier\":{\"name\":\"ACME AB\","
	"\"org_number\":\"5560000001\"},\"invoice\":{\"number\":\"%s\",\"type_code\":\"380\","
	"\"issue_date\":\"2024-03-01\",\"currency\":\"SEK\",\"total_net\":\"100.00\","
	"\"total_vat\":\"25.00\",\"payable\":\"125.00\"},\"lines\":[{\"line\":1,"
	"\"account\":\"4010\",\"cost_centre\":\"7301\",\"vat_code\":\"MP1\","
	"\"net_amount\":\"100.00\",\"vat_amount\":\"25.00\"}]}";

static char payload_buf[2048];

static const char *payload(const char *number)
{
	snprintf(payload_buf, sizeof(payload_buf), PAYLOAD, number);
	return payload_buf;
}

/* One erp_post that must run to an outcome. */
static erp_result post(erp_client *cl, const char *key, const char *json)
{
	erp_result r;
	ulf_err err;

	ulf_err_clear(&err);
	if (erp_post(&r, cl, key, json, &err) != 0)
		fail_msg("erp_post: %s", err.msg);
	return r;
}

static void expect_outcome(const erp_result *r, erp_outcome want, const char *words)
{
	if (r->outcome != want || (words && !strstr(r->message, words)))
		fail_msg("outcome %s (HTTP %d): '%s'; expected %s with '%s'",
			 erp_outcome_name(r->outcome), r->http_status, r->message,
			 erp_outcome_name(want), words ? words : "");
}

/* ---- tests --------------------------------------------------------------- */

static void test_accepted_once(void **state)
{
	ts_sim sm;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	erp_result r;
	char voucher[ERP_VOUCHER_MAX];

	(void)state;
	ts_need_certs();
	o = ts_sim_opts(&sm);
	ts_sim_start(&sm, &o);
	c = client_cfg(&sm);
	cl = client_new(&c);

	r = post(cl, "key-1", payload("INV-1"));
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	assert_int_equal(r.http_status, 201);
	assert_false(r.replayed);
	assert_string_equal(r.voucher_id, "SIM-000001");
	assert_non_null(strstr(r.response, "\"voucher_id\":\"SIM-000001\""));
	snprintf(voucher, sizeof(voucher), "%s", r.voucher_id);

	/* the same key again (a resend after a crash): the first answer, no booking */
	r = post(cl, "key-1", payload("INV-1"));
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	assert_true(r.replayed);
	assert_string_equal(r.voucher_id, voucher);
	assert_int_equal(stats(&sm).bookings, 1);
	assert_int_equal(stats(&sm).replays, 1);
	assert_int_equal(log_lines(sm.log), 1);

	/* the same key with another payload is a client error, not a booking */
	r = post(cl, "key-1", payload("INV-2"));
	expect_outcome(&r, ERP_REJECTED, "different payload");
	assert_int_equal(r.http_status, 422);

	/* another key is another booking */
	r = post(cl, "key-2", payload("INV-2"));
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	assert_string_equal(r.voucher_id, "SIM-000002");
	assert_int_equal(stats(&sm).bookings, 2);
	assert_int_equal(log_lines(sm.log), 2);

	erp_client_free(cl);
	erpsim_stop(sm.s);
}

/* The simulator with `cert`; the client trusting the test CA (or, with
 * system_ca, only the system's) must refuse to talk. */
static void tls_refused(const char *cert, const char *key, bool system_ca)
{
	ts_sim sm;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	erp_result r;
	char cb[512], kb[512];

	o = ts_sim_opts(&sm);
	o.cert_file = ts_erp_file(cb, sizeof(cb), cert);
	o.key_file = ts_erp_file(kb, sizeof(kb), key);
	ts_sim_start(&sm, &o);
	c = client_cfg(&sm);
	if (system_ca)
		c.ca_file = NULL;
	cl = client_new(&c);
	r = post(cl, "key-tls", payload("INV-TLS"));
	expect_outcome(&r, ERP_FAILED, NULL);
	assert_int_equal(r.http_status, 0);
	if (!strstr(r.message, "certificate") && !strstr(r.message, "SSL"))
		fail_msg("no word of the certificate: %s", r.message);
	assert_int_equal(stats(&sm).requests, 0);   /* nothing reached the ERP */
	assert_int_equal(log_lines(sm.log), 0);
	erp_client_free(cl);
	erpsim_stop(sm.s);
}

static void test_tls_self_signed(void **state)
{
	(void)state;
	ts_need_certs();
	tls_refused("rogue.pem", "rogue.key", false);
}

static void test_tls_wrong_ca(void **state)
{
	(void)state;
	ts_need_certs();
	tls_refused("othersrv.pem", "othersrv.key", false);
}

static void test_tls_wrong_host(void **state)
{
	(void)state;
	ts_need_certs();
	tls_refused("wronghost.pem", "wronghost.key", false);
}

static void test_tls_not_in_system_store(void **state)
{
	(void)state;
	ts_need_certs();
	tls_refused("server.pem", "server.key", true);
}

static void test_mtls(void **state)
{
	ts_sim sm;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	erp_result r;
	char cab[512];

	(void)state;
	ts_need_certs();
	o = ts_sim_opts(&sm);
	o.client_ca_file = ts_erp_file(cab, sizeof(cab), "ca.pem");
	o.require_client_cert = true;
	ts_sim_start(&sm, &o);

	/* with the robot's certificate: booked */
	c = client_cfg(&sm);
	c.client_cert = ts_erp_file(ccert, sizeof(ccert), "client.pem");
	c.client_key = ts_erp_file(ckey, sizeof(ckey), "client.key");
	cl = client_new(&c);
	r = post(cl, "key-mtls", payload("INV-M"));
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	erp_client_free(cl);

	/* without one: refused, and it is the setup, not the invoice */
	c = client_cfg(&sm);
	cl = client_new(&c);
	r = post(cl, "key-mtls-2", payload("INV-M2"));
	expect_outcome(&r, ERP_FAILED, "client certificate is required");
	assert_int_equal(r.http_status, 403);
	erp_client_free(cl);

	/* with one from a CA the ERP does not trust: refused */
	c.client_cert = ts_erp_file(ccert, sizeof(ccert), "rogueclient.pem");
	c.client_key = ts_erp_file(ckey, sizeof(ckey), "rogueclient.key");
	cl = client_new(&c);
	r = post(cl, "key-mtls-3", payload("INV-M3"));
	expect_outcome(&r, ERP_FAILED, "not signed by a trusted CA");
	erp_client_free(cl);

	assert_int_equal(stats(&sm).bookings, 1);
	assert_int_equal(stats(&sm).forbidden, 2);
	erpsim_stop(sm.s);
}

static void test_tokens(void **state)
{
	ts_sim sm;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	erp_result r;
	char bad_secret[512];
	FILE *f;

	(void)state;
	ts_need_certs();
	o = ts_sim_opts(&sm);
	o.client_id = "ulf robot";
	o.client_secret = "s3cr&t +pass:word";
	o.token_ttl_s = 3;
	ts_sim_start(&sm, &o);
	c = client_cfg(&sm);
	c.token_url = sm.token_url;
	c.client_id = "ulf robot";
	c.client_secret_file = ts_erp_file(secret_path, sizeof(secret_path), "secret");
	cl = client_new(&c);

	/* first posting fetches a token; the second reuses it */
	r = post(cl, "key-t1", payload("INV-T1"));
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	r = post(cl, "key-t2", payload("INV-T2"));
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	assert_int_equal(stats(&sm).tokens, 1);
	assert_int_equal(stats(&sm).unauthorized, 0);

	/* near expiry (3 s lifetime, renewed from 2.4 s): a new token first,
	 * never a 401 */
	sleep_ms(2500);
	r = post(cl, "key-t3", payload("INV-T3"));
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	assert_int_equal(stats(&sm).tokens, 2);
	assert_int_equal(stats(&sm).unauthorized, 0);

	/* the ERP forgets its tokens: one 401, a new token, the posting goes */
	erpsim_revoke_tokens(sm.s);
	r = post(cl, "key-t4", payload("INV-T4"));
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	assert_int_equal(stats(&sm).tokens, 3);
	assert_int_equal(stats(&sm).unauthorized, 1);
	assert_int_equal(stats(&sm).bookings, 4);
	erp_client_free(cl);

	/* a wrong secret: the token endpoint says invalid_client; FAILED */
	f = fopen(ts_erp_file(bad_secret, sizeof(bad_secret), "bad-secret"), "w");
	assert_non_null(f);
	fputs("guess\n", f);
	fclose(f);
	c.client_secret_file = bad_secret;
	cl = client_new(&c);
	r = post(cl, "key-t5", payload("INV-T5"));
	expect_outcome(&r, ERP_FAILED, "unknown client or wrong secret");
	assert_int_equal(r.http_status, 401);
	erp_client_free(cl);

	/* no token configured at all: the ERP's 401 is FAILED, not a rejection */
	c = client_cfg(&sm);
	cl = client_new(&c);
	r = post(cl, "key-t6", payload("INV-T6"));
	expect_outcome(&r, ERP_FAILED, "no token URL is configured");
	erp_client_free(cl);
	assert_int_equal(stats(&sm).bookings, 4);
	erpsim_stop(sm.s);
}

static erp_retry_policy quick_policy(unsigned attempts)
{
	erp_retry_policy p;

	memset(&p, 0, sizeof(p));
	p.max_attempts = attempts;
	p.base_ms = 20;
	p.cap_ms = 100;
	p.seed = 99;
	return p;
}

static void test_retry_5xx(void **state)
{
	ts_sim sm;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	erp_result r;
	erp_retry_policy p = quick_policy(5);
	unsigned attempts = 0;
	ulf_err err;

	(void)state;
	ts_need_certs();
	o = ts_sim_opts(&sm);
	o.fail_first = 2;
	ts_sim_start(&sm, &o);
	c = client_cfg(&sm);
	cl = client_new(&c);

	/* one request: a 503 is RETRY, with nothing booked */
	r = post(cl, "key-5xx", payload("INV-5"));
	expect_outcome(&r, ERP_RETRY, "unavailable");
	assert_int_equal(r.http_status, 503);
	assert_int_equal(stats(&sm).bookings, 0);

	/* the loop: one more 503, then booked, on the third request */
	ulf_err_clear(&err);
	assert_int_equal(erp_post_with_retries(&r, &attempts, cl, "key-5xx", payload("INV-5"), &p,
					       &err), 0);
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	assert_int_equal(attempts, 2);
	assert_int_equal(stats(&sm).failed, 2);
	assert_int_equal(stats(&sm).bookings, 1);
	erp_client_free(cl);
	erpsim_stop(sm.s);

	/* always failing: RETRY after exactly max_attempts requests */
	o = ts_sim_opts(&sm);
	o.fail_permille = 1000;
	ts_sim_start(&sm, &o);
	c = client_cfg(&sm);
	cl = client_new(&c);
	p = quick_policy(3);
	assert_int_equal(erp_post_with_retries(&r, &attempts, cl, "key-5xx-2", payload("INV-6"), &p,
					       &err), 0);
	expect_outcome(&r, ERP_RETRY, NULL);
	assert_int_equal(attempts, 3);
	assert_int_equal(stats(&sm).requests, 3);
	assert_int_equal(stats(&sm).bookings, 0);
	erp_client_free(cl);
	erpsim_stop(sm.s);
}

static void test_fault_rate_reproducible(void **state)
{
	unsigned long failed[2];
	int run;

	(void)state;
	ts_need_certs();
	/* the same seed gives the same faults: two runs, the same count */
	for (run = 0; run < 2; run++) {
		ts_sim sm;
		erpsim_opts o = ts_sim_opts(&sm);
		erp_config c;
		erp_client *cl;
		erp_result r;
		erp_retry_policy p = quick_policy(20);
		unsigned attempts;
		char key[32], number[32];
		ulf_err err;
		int i;

		o.fail_permille = 330;
		o.seed = 12345;
		ts_sim_start(&sm, &o);
		c = client_cfg(&sm);
		cl = client_new(&c);
		for (i = 0; i < 10; i++) {
			snprintf(key, sizeof(key), "key-rate-%d", i);
			snprintf(number, sizeof(number), "INV-R%d", i);
			ulf_err_clear(&err);
			assert_int_equal(erp_post_with_retries(&r, &attempts, cl, key, payload(number),
							       &p, &err), 0);
			expect_outcome(&r, ERP_ACCEPTED, NULL);
		}
		failed[run] = stats(&sm).failed;
		assert_int_equal(stats(&sm).bookings, 10);
		assert_int_equal(stats(&sm).requests, 10 + failed[run]);
		erp_client_free(cl);
		erpsim_stop(sm.s);
	}
	assert_true(failed[0] > 0);
	assert_int_equal(failed[0], failed[1]);
}

/*
 * Several postings in flight at once: each gets its own outcome, a bad
 * key fails alone, 503s come back as retries, a token is fetched once and
 * goes with every request, and only accepted ones are booked.
 */
static void test_post_many(void **state)
{
	enum { N = 11 };
	char keys[N][32], numbers[N][32], *payloads[N], secret[600];
	const char *kp[N], *pp[N];
	erp_result out[N];
	int rcs[N], i, accepted = 0, retried = 0;
	ts_sim sm;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	ulf_err err;
	FILE *f;

	(void)state;
	ts_need_certs();
	o = ts_sim_opts(&sm);
	o.fail_first = 3;
	o.client_id = "ulf";
	o.client_secret = "s3cret";
	ts_sim_start(&sm, &o);
	c = client_cfg(&sm);
	c.connections = 4;
	c.token_url = sm.token_url;
	c.client_id = "ulf";
	ts_erp_file(secret, sizeof(secret), "many-secret");
	f = fopen(secret, "w");
	assert_non_null(f);
	fputs("s3cret\n", f);
	fclose(f);
	c.client_secret_file = secret;
	cl = client_new(&c);
	for (i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), i == 5 ? "bad \"key\" %d" : "key-many-%d", i);
		snprintf(numbers[i], sizeof(numbers[i]), "INV-M%d", i);
		payloads[i] = strdup(payload(numbers[i]));
		kp[i] = keys[i];
		pp[i] = payloads[i];
	}
	ulf_err_clear(&err);
	assert_int_equal(erp_post_many(out, rcs, cl, kp, pp, N, &err), 0);
	for (i = 0; i < N; i++) {
		if (i == 5) {
			assert_int_equal(rcs[i], ULF_EINVAL);
			continue;
		}
		assert_int_equal(rcs[i], 0);
		if (out[i].outcome == ERP_ACCEPTED)
			accepted++;
		else if (out[i].outcome == ERP_RETRY && out[i].http_status == 503)
			retried++;
		else
			fail_msg("posting %d: %s (HTTP %d) %s", i, erp_outcome_name(out[i].outcome),
				 out[i].http_status, out[i].message);
	}
	assert_int_equal(accepted + retried, N - 1);
	assert_int_equal(retried, 3);
	assert_int_equal(stats(&sm).bookings, (unsigned long)accepted);
	assert_int_equal(stats(&sm).failed, (unsigned long)retried);
	assert_int_equal(stats(&sm).unauthorized, 0);
	assert_int_equal(stats(&sm).tokens, 1);
	assert_int_equal(log_lines(sm.log), (size_t)accepted);
	for (i = 0; i < N; i++)
		free(payloads[i]);
	erp_client_free(cl);
	erpsim_stop(sm.s);
}

static void test_dropped_connection(void **state)
{
	ts_sim sm;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	erp_result r;
	erp_retry_policy p = quick_policy(5);
	unsigned attempts = 0;
	ulf_err err;

	(void)state;
	ts_need_certs();
	o = ts_sim_opts(&sm);
	o.drop_first = 1;
	ts_sim_start(&sm, &o);
	c = client_cfg(&sm);
	cl = client_new(&c);

	/* booked, but the answer is lost: RETRY; the resend gets the first
	 * answer and the ERP has booked once */
	ulf_err_clear(&err);
	assert_int_equal(erp_post_with_retries(&r, &attempts, cl, "key-drop", payload("INV-D"), &p,
					       &err), 0);
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	assert_int_equal(attempts, 2);
	assert_true(r.replayed);
	assert_string_equal(r.voucher_id, "SIM-000001");
	assert_int_equal(stats(&sm).drops, 1);
	assert_int_equal(stats(&sm).bookings, 1);
	assert_int_equal(log_lines(sm.log), 1);
	erp_client_free(cl);
	erpsim_stop(sm.s);
}

/*
 * Which failures leave the outcome unknown: a request sent and met by
 * silence (the ERP booked and the answer was lost; the connection closed
 * before booking: the client cannot tell the two apart), never a 503 or a
 * connection that was never made.
 */
static void test_unknown_outcome(void **state)
{
	ts_sim sm;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	erp_result r;
	int kind;

	(void)state;
	ts_need_certs();
	/* each on a fresh connection: libcurl itself resends a request once
	 * when a connection it reused dies without an answer */
	for (kind = 0; kind < 3; kind++) {
		o = ts_sim_opts(&sm);
		o.fail_first = kind == 0;
		o.drop_first = kind == 1;
		o.reset_first = kind == 2;
		ts_sim_start(&sm, &o);
		c = client_cfg(&sm);
		cl = client_new(&c);
		r = post(cl, "key-u", payload("INV-U"));
		expect_outcome(&r, ERP_RETRY, NULL);
		/* a 503 is an answer (nothing booked); a drop after booking and a
		 * reset before it look the same from here: sent, no answer */
		assert_int_equal(r.unknown, kind != 0);
		assert_int_equal(stats(&sm).bookings, kind == 1 ? 1 : 0);
		assert_int_equal(stats(&sm).resets, kind == 2 ? 1 : 0);
		/* the same key again: the first answer from the record, or a booking */
		r = post(cl, "key-u", payload("INV-U"));
		expect_outcome(&r, ERP_ACCEPTED, NULL);
		assert_int_equal(r.replayed, kind == 1);
		assert_false(r.unknown);
		assert_int_equal(stats(&sm).bookings, 1);
		assert_int_equal(log_lines(sm.log), 1);
		erp_client_free(cl);
		erpsim_stop(sm.s);
	}
}

/* The lookup by key: booked, rejected, unseen; a wrong lookup URL is a
 * set-up fault, never "unseen"; an outage answers everything 503. */
static void test_lookup(void **state)
{
	ts_sim sm;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	erp_result r;
	erp_key_state ks;
	char lookup[160], wrong[160];
	ulf_err err;

	(void)state;
	ts_need_certs();
	o = ts_sim_opts(&sm);
	o.reject_invoice = "INV-BAD";
	ts_sim_start(&sm, &o);
	c = client_cfg(&sm);
	cl = client_new(&c);
	assert_false(erp_can_lookup(cl));
	ulf_err_clear(&err);
	assert_int_equal(erp_lookup(&ks, &r, cl, "key-l1", &err), ULF_EINVAL);
	erp_client_free(cl);

	snprintf(lookup, sizeof(lookup), "%s/lookup", sm.url);
	c.lookup_url = lookup;
	cl = client_new(&c);
	assert_true(erp_can_lookup(cl));
	ulf_err_clear(&err);
	assert_int_equal(erp_lookup(&ks, &r, cl, "key-l1", &err), 0);
	assert_int_equal(ks, ERP_KEY_UNSEEN);
	r = post(cl, "key-l1", payload("INV-L1"));
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	assert_int_equal(erp_lookup(&ks, &r, cl, "key-l1", &err), 0);
	assert_int_equal(ks, ERP_KEY_ANSWERED);
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	assert_string_equal(r.voucher_id, "SIM-000001");
	assert_int_equal(r.http_status, 201);
	r = post(cl, "key-l2", payload("INV-BAD"));
	expect_outcome(&r, ERP_REJECTED, NULL);
	assert_int_equal(erp_lookup(&ks, &r, cl, "key-l2", &err), 0);
	assert_int_equal(ks, ERP_KEY_ANSWERED);
	expect_outcome(&r, ERP_REJECTED, "cannot be booked");
	assert_int_equal(r.http_status, 422);
	assert_int_equal(stats(&sm).lookups, 3);
	assert_int_equal(stats(&sm).bookings, 1);   /* a lookup books nothing */
	erp_client_free(cl);

	snprintf(wrong, sizeof(wrong), "%s/nolookup", sm.url);
	c.lookup_url = wrong;
	cl = client_new(&c);
	assert_int_equal(erp_lookup(&ks, &r, cl, "key-l1", &err), 0);
	assert_int_equal(ks, ERP_KEY_UNKNOWN);
	expect_outcome(&r, ERP_FAILED, "lookup answered 404");
	erp_client_free(cl);
	c.lookup_url = "http://127.0.0.1:9/lookup";
	ulf_err_clear(&err);
	cl = NULL;
	assert_int_equal(erp_client_new(&cl, &c, &err), ULF_EINVAL);
	erpsim_stop(sm.s);

	/* an outage from the first posting on: 503 to postings and lookups */
	o = ts_sim_opts(&sm);
	o.outage_after = 0;
	o.outage_ms = 60000;
	ts_sim_start(&sm, &o);
	c = client_cfg(&sm);
	snprintf(lookup, sizeof(lookup), "%s/lookup", sm.url);
	c.lookup_url = lookup;
	cl = client_new(&c);
	assert_false(erpsim_outage_tick(sm.s));   /* it starts with a posting */
	r = post(cl, "key-l3", payload("INV-L3"));
	expect_outcome(&r, ERP_RETRY, "outage");
	assert_false(r.unknown);
	assert_true(erpsim_outage_tick(sm.s));
	assert_int_equal(erp_lookup(&ks, &r, cl, "key-l3", &err), 0);
	assert_int_equal(ks, ERP_KEY_UNKNOWN);
	expect_outcome(&r, ERP_RETRY, "outage");
	assert_int_equal(stats(&sm).down, 2);
	assert_int_equal(stats(&sm).bookings, 0);
	erp_client_free(cl);
	erpsim_stop(sm.s);
}

static void test_stall_timeout(void **state)
{
	ts_sim sm;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	erp_result r;
	int i;

	(void)state;
	ts_need_certs();
	o = ts_sim_opts(&sm);
	o.stall_first = 1;
	o.stall_ms = 2500;
	ts_sim_start(&sm, &o);
	c = client_cfg(&sm);
	c.timeout_ms = 300;
	cl = client_new(&c);

	/* the answer is late: our timeout, RETRY */
	r = post(cl, "key-stall", payload("INV-S"));
	expect_outcome(&r, ERP_RETRY, "timed out");
	assert_true(r.unknown);       /* sent, no answer: it may be booked */
	/* resent while the ERP still works on it: 409, RETRY */
	r = post(cl, "key-stall", payload("INV-S"));
	expect_outcome(&r, ERP_RETRY, "being processed");
	assert_int_equal(r.http_status, 409);
	assert_true(r.unknown);
	/* once the ERP is done, the resend gets its answer */
	for (i = 0; i < 200 && stats(&sm).bookings == 0; i++)
		sleep_ms(50);
	r = post(cl, "key-stall", payload("INV-S"));
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	assert_true(r.replayed);
	assert_int_equal(stats(&sm).bookings, 1);
	assert_int_equal(stats(&sm).stalls, 1);
	erp_client_free(cl);
	erpsim_stop(sm.s);
}

static void test_rejected_with_message(void **state)
{
	ts_sim sm;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	erp_result r;
	erp_retry_policy p = quick_policy(5);
	unsigned attempts = 0;
	ulf_err err;

	(void)state;
	ts_need_certs();
	o = ts_sim_opts(&sm);
	o.reject_invoice = "INV-BAD";
	ts_sim_start(&sm, &o);
	c = client_cfg(&sm);
	cl = client_new(&c);

	/* a 4xx is final: one request, not retried, the ERP's words kept */
	ulf_err_clear(&err);
	assert_int_equal(erp_post_with_retries(&r, &attempts, cl, "key-rej", payload("INV-BAD"), &p,
					       &err), 0);
	expect_outcome(&r, ERP_REJECTED,
		       "invoice INV-BAD cannot be booked: the ERP refuses it (simulated rejection)");
	assert_int_equal(r.http_status, 422);
	assert_int_equal(attempts, 1);
	/* resent: the same answer from the record */
	r = post(cl, "key-rej", payload("INV-BAD"));
	expect_outcome(&r, ERP_REJECTED, "cannot be booked");
	assert_true(r.replayed);
	assert_int_equal(stats(&sm).bookings, 0);
	assert_int_equal(log_lines(sm.log), 0);

	/* a payload the ERP cannot read: 400, REJECTED */
	r = post(cl, "key-rej-2", "{\"schema\":\"ulf.erp.posting/1\"}");
	expect_outcome(&r, ERP_REJECTED, "invoice.number is missing");
	assert_int_equal(r.http_status, 400);
	erp_client_free(cl);
	erpsim_stop(sm.s);
}

static void test_busy_retry_after(void **state)
{
	ts_sim sm;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	erp_result r;

	(void)state;
	ts_need_certs();
	o = ts_sim_opts(&sm);
	o.busy_first = 1;
	ts_sim_start(&sm, &o);
	c = client_cfg(&sm);
	cl = client_new(&c);
	r = post(cl, "key-busy", payload("INV-B"));
	expect_outcome(&r, ERP_RETRY, NULL);
	assert_int_equal(r.http_status, 429);
	assert_int_equal(r.retry_after_ms, 1000);
	/* the wait honours the ERP's Retry-After over a shorter backoff */
	assert_int_equal(erp_retry_delay_ms(&r, 1, 20, 100, 0), 1000);
	r = post(cl, "key-busy", payload("INV-B"));
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	assert_false(r.replayed);
	erp_client_free(cl);
	erpsim_stop(sm.s);
}

static void test_restart_keeps_record(void **state)
{
	ts_sim sm, sm2;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	erp_result r;

	(void)state;
	ts_need_certs();
	o = ts_sim_opts(&sm);
	ts_sim_start(&sm, &o);
	c = client_cfg(&sm);
	cl = client_new(&c);
	r = post(cl, "key-restart", payload("INV-RS"));
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	erp_client_free(cl);
	erpsim_stop(sm.s);

	/* a new simulator over the same log: the key is known */
	o = ts_sim_opts(&sm2);
	o.log_file = sm.log;
	ts_sim_start(&sm2, &o);
	c = client_cfg(&sm2);
	cl = client_new(&c);
	r = post(cl, "key-restart", payload("INV-RS"));
	expect_outcome(&r, ERP_ACCEPTED, NULL);
	assert_true(r.replayed);
	assert_string_equal(r.voucher_id, "SIM-000001");
	r = post(cl, "key-restart-2", payload("INV-RS2"));
	assert_string_equal(r.voucher_id, "SIM-000002");   /* numbering goes on */
	assert_int_equal(stats(&sm2).bookings, 1);
	assert_int_equal(log_lines(sm.log), 2);
	erp_client_free(cl);
	erpsim_stop(sm2.s);
}

static void test_unreachable(void **state)
{
	ts_sim sm;
	erpsim_opts o;
	erp_config c;
	erp_client *cl;
	erp_result r;

	(void)state;
	ts_need_certs();
	/* a port nobody listens on any more */
	o = ts_sim_opts(&sm);
	ts_sim_start(&sm, &o);
	erpsim_stop(sm.s);
	c = client_cfg(&sm);
	cl = client_new(&c);
	r = post(cl, "key-gone", payload("INV-G"));
	expect_outcome(&r, ERP_RETRY, NULL);
	assert_int_equal(r.http_status, 0);
	assert_false(r.unknown);      /* no connection: nothing reached the ERP */
	erp_client_free(cl);
}

static void test_bad_arguments(void **state)
{
	ts_sim sm;
	erp_config c;
	erp_client *cl = NULL;
	erp_result r;
	ulf_err err;

	(void)state;
	ts_need_certs();
	snprintf(sm.url, sizeof(sm.url), "https://127.0.0.1:9/postings");
	c = client_cfg(&sm);

	c.url = "http://127.0.0.1:9/postings";      /* never in the clear */
	ulf_err_clear(&err);
	assert_int_equal(erp_client_new(&cl, &c, &err), ULF_EINVAL);
	assert_null(cl);
	c.url = sm.url;
	c.token_url = "https://127.0.0.1:9/token";   /* no client id or secret */
	ulf_err_clear(&err);
	assert_int_equal(erp_client_new(&cl, &c, &err), ULF_EINVAL);
	c.token_url = NULL;
	c.ca_file = "/nonexistent/ca.pem";
	ulf_err_clear(&err);
	assert_int_equal(erp_client_new(&cl, &c, &err), ULF_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/ca.pem"));

	c = client_cfg(&sm);
	cl = client_new(&c);
	/* a key that would break the header: refused before anything is sent */
	ulf_err_clear(&err);
	assert_int_equal(erp_post(&r, cl, "bad\"key", "{}", &err), ULF_EINVAL);
	ulf_err_clear(&err);
	assert_int_equal(erp_post(&r, cl, "bad\r\nX-Evil: 1", "{}", &err), ULF_EINVAL);
	ulf_err_clear(&err);
	assert_int_equal(erp_post(&r, cl, "", "{}", &err), ULF_EINVAL);
	erp_client_free(cl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted_once),
		cmocka_unit_test(test_tls_self_signed),
		cmocka_unit_test(test_tls_wrong_ca),
		cmocka_unit_test(test_tls_wrong_host),
		cmocka_unit_test(test_tls_not_in_system_store),
		cmocka_unit_test(test_mtls),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_retry_5xx),
		cmocka_unit_test(test_fault_rate_reproducible),
		cmocka_unit_test(test_post_many),
		cmocka_unit_test(test_dropped_connection),
		cmocka_unit_test(test_stall_timeout),
		cmocka_unit_test(test_unknown_outcome),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_rejected_with_message),
		cmocka_unit_test(test_busy_retry_after),
		cmocka_unit_test(test_restart_keeps_record),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, setup_all, ts_erp_teardown);
}
