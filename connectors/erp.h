/*
 * erp.h - posting a booking suggestion to the ERP over HTTPS, exactly once.
 *
 * The only module that includes <curl/curl.h>.  One POST of a JSON payload
 * (connectors/erp_payload.h) to the ERP's postings endpoint, with:
 *
 *  - TLS through libcurl and OpenSSL, peer and host name verification always
 *    on, an optional CA bundle, an optional client certificate (mTLS);
 *  - an optional OAuth2 client-credentials token, fetched on first use,
 *    cached, renewed before it expires and once more when the ERP answers
 *    401;
 *  - the idempotency key in the `Idempotency-Key` header (IETF HTTPAPI
 *    draft: a structured-field string, so sent in double quotes).  The ERP
 *    answers a key it has seen with its first answer and books nothing
 *    more, which is what makes a resend after a crash or a lost answer safe.
 *
 * erp_post sends once and classifies what happened; it never sleeps or
 * loops (apart from the one renewal on 401).  Retrying is the caller's:
 * the pipeline records the key as sent before the request (store.h:
 * store_posting_begin), and on ERP_RETRY schedules the next attempt at
 * now + erp_retry_delay_ms(...).  erp_post_with_retries is the blocking
 * loop for the command line.
 *
 * A client is not thread-safe: one client per thread; erp_post_many keeps
 * several requests in flight from that one thread.  docs/erp.md has the
 * payload, the headers, the answers and the simulator.
 */
#ifndef ULF_ERP_H
#define ULF_ERP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Longest idempotency key sent (the store keeps 96 bytes). */
#define ERP_IDEM_KEY_MAX 80
#define ERP_VOUCHER_MAX 128
#define ERP_MESSAGE_MAX 1024
#define ERP_RESPONSE_MAX 4096
/* The longest Retry-After honoured: a longer one is cut to this. */
#define ERP_RETRY_AFTER_MAX_MS (3600L * 1000)

typedef struct erp_config {
	const char *url;            /* required: https:// URL of the postings endpoint */
	const char *ca_file;        /* PEM CA bundle; NULL or "": the system's */
	const char *client_cert;    /* PEM client certificate for mTLS; NULL or "": none */
	const char *client_key;     /* PEM key of client_cert (unencrypted) */
	const char *token_url;      /* OAuth2 token endpoint; NULL or "": no token */
	const char *client_id;      /* with token_url */
	const char *client_secret_file; /* file holding the client secret (first line) */
	const char *scope;          /* optional OAuth2 scope */
	long timeout_ms;            /* whole request, token fetch alike; 0: 30000 */
	long connect_timeout_ms;    /* TCP + TLS handshake; 0: min(timeout_ms, 10000) */
	unsigned connections;       /* requests erp_post_many keeps in flight; 0: 1 */
	const char *lookup_url;     /* the ERP's lookup of a posting by its key
				     * (erp_lookup); NULL or "": it offers none */
	const char *supplier_url;   /* the ERP's supplier register (erp_supplier_register);
				     * NULL or "": ulf registers suppliers only itself */
} erp_config;

typedef enum erp_outcome {
	ERP_ACCEPTED = 1, /* booked, now or by an earlier request with the same key */
	ERP_REJECTED,     /* a final 4xx answer about this posting: do not resend */
	ERP_RETRY,        /* transient: network error, timeout, 5xx, 408/409/425/429 */
	ERP_FAILED        /* the connection cannot work as configured: TLS verification,
			   * certificates, credentials (401 after a fresh token, 403),
			   * wrong URL (404/405).  Not about the invoice; resending the
			   * same key once a person has fixed the setup is safe. */
} erp_outcome;

typedef struct erp_result {
	erp_outcome outcome;
	int http_status;               /* 0 when no HTTP answer came */
	bool replayed;                 /* the ERP answered from its record of the key */
	/* The request went out (all or part of it) and no answer came back: a
	 * timeout, a connection closed mid-way; or the ERP said it is still
	 * processing the key (409).  The ERP may have booked it: only an
	 * answer for the same key tells. */
	bool unknown;
	long retry_after_ms;           /* ERP_RETRY: the ERP's Retry-After, or -1 */
	char voucher_id[ERP_VOUCHER_MAX];  /* ERP_ACCEPTED: the ERP's voucher, may be "" */
	char message[ERP_MESSAGE_MAX]; /* what went wrong (the ERP's own words for 4xx) */
	char response[ERP_RESPONSE_MAX];   /* the answer's body, cut at the size (for the store) */
} erp_result;

typedef struct erp_client erp_client;

/* Checks the configuration and reads the client secret; nothing is sent. */
int erp_client_new(erp_client **out, const erp_config *cfg, ulf_err *err);
void erp_client_free(erp_client *c);   /* NULL does nothing */

/*
 * Sends one posting.  Returns 0 with *out filled when the request ran to an
 * outcome (any of the four), or a negative ULF_E* with `err` set when it
 * could not be tried (a bad key, no memory); whether anything reached the
 * ERP is then unknown, and resending the same key is the answer.
 *
 * idem_key: printable ASCII without '"' and '\\', 1..ERP_IDEM_KEY_MAX-1
 * characters (erp_idempotency_key makes one).
 */
int erp_post(erp_result *out, erp_client *c, const char *idem_key, const char *json_payload,
	     ulf_err *err);

/*
 * Sends n postings, up to erp_config.connections of them at once (one
 * connection each, kept alive between calls), and returns when every one
 * has its outcome.  out[i] and rcs[i] are for keys[i] and payloads[i], as
 * erp_post's *out and return value are; a 401 is renewed and sent again
 * as erp_post does.  Returns 0, or a negative code when libcurl itself
 * failed (then every rcs[] not yet answered holds it too).
 */
int erp_post_many(erp_result *out, int *rcs, erp_client *c, const char *const *keys,
		  const char *const *payloads, size_t n, ulf_err *err);

/*
 * The idempotency key of a posting, derived from the invoice alone so that
 * a resend after a crash, or the same invoice arriving twice, carries the
 * same key: "ulf1-" and the SHA-256 (hex) of the seller's identifier (the
 * organisation number BT-30, else the VAT number BT-31 - the same choice
 * every time), the type code, the invoice number, the issue date and
 * `revision`: 0 for the first booking; a person's corrected re-booking of
 * a rejected posting needs a new revision, since the ERP answers the old
 * key with its old answer.  out must hold ERP_IDEM_KEY_MAX bytes.
 */
int erp_idempotency_key(char out[ERP_IDEM_KEY_MAX], const char *seller_id,
			const char *type_code, const char *invoice_number,
			const char *issue_date, unsigned revision, ulf_err *err);

/*
 * Exponential backoff with jitter, a pure function: attempt 1 is the wait
 * after the first failure.  The ceiling grows as base_ms * 2^(attempt-1),
 * capped at cap_ms; the wait is half the ceiling plus a random part of the
 * other half ("equal jitter"), so resends never bunch up yet never come
 * sooner than half the ceiling.  `random` is any uniformly random number.
 */
long erp_backoff_ms(unsigned attempt, long base_ms, long cap_ms, uint64_t random);

/*
 * The wait before the next attempt after an ERP_RETRY result: the backoff,
 * or the ERP's Retry-After when that is longer (itself cut at
 * ERP_RETRY_AFTER_MAX_MS).
 */
long erp_retry_delay_ms(const erp_result *r, unsigned attempt, long base_ms, long cap_ms,
			uint64_t random);

typedef struct erp_retry_policy {
	unsigned max_attempts;    /* requests in all, >= 1 */
	long base_ms;             /* first backoff ceiling */
	long cap_ms;              /* largest backoff */
	uint64_t seed;            /* jitter; 0: from the system's random source */
	/* optional: set (e.g. by a signal handler) to stop waiting early */
	const volatile sig_atomic_t *stop;
} erp_retry_policy;

/*
 * Blocking: erp_post until an outcome other than ERP_RETRY, or max_attempts
 * requests, sleeping erp_retry_delay_ms between them.  *out holds the last
 * result (ERP_RETRY when attempts ran out); *attempts (optional) how many
 * requests were made.  For the command line; the pipeline schedules its
 * retries through the store instead of sleeping.
 */
int erp_post_with_retries(erp_result *out, unsigned *attempts, erp_client *c,
			  const char *idem_key, const char *json_payload,
			  const erp_retry_policy *policy, ulf_err *err);

/* What the ERP knows of a key, as its lookup (erp_lookup) says. */
typedef enum erp_key_state {
	ERP_KEY_ANSWERED = 1, /* it has answered the key: *out holds that first answer,
			       * ERP_ACCEPTED (voucher_id) or ERP_REJECTED (message) */
	ERP_KEY_UNSEEN,       /* it has no record of the key: nothing was booked with it */
	ERP_KEY_UNKNOWN       /* no telling now: in process, or the lookup failed
			       * (*out: ERP_RETRY or ERP_FAILED with the message) */
} erp_key_state;

/*
 * Asks the ERP what became of a key, without sending a booking:
 * GET {lookup_url}?idempotency_key=KEY, answered 200 with
 *   {"idempotency_key": KEY, "state": "booked" | "rejected" | "in_process" | "unseen",
 *    "status": 201, "answer": {the first answer's body}}
 * (docs/erp.md).  Needs erp_config.lookup_url (ULF_EINVAL without).  The
 * answer is classified as erp_post's are: 5xx, 429 and transport failures
 * are ERP_RETRY, a 401 after a fresh token or any other status ERP_FAILED
 * (a lookup URL that answers 404 is a set-up fault, never "unseen").
 * Returns 0 with *state and *out filled, or a negative code (bad key, no
 * memory).
 */
int erp_lookup(erp_key_state *state, erp_result *out, erp_client *c, const char *idem_key,
	       ulf_err *err);

/*
 * Registers a new supplier in the ERP's supplier register: a POST of
 * `json_payload` to the configured supplier_url with the Idempotency-Key
 * `idem_key`, answered and classified as erp_post's postings are (the
 * same key gets the same answer: a registration is made once however
 * often it is sent).  The ERP's answer body is in out->response (its
 * supplier number, "supplier_no", is the caller's to read).  ULF_EINVAL
 * when no supplier_url is configured.
 */
int erp_supplier_register(erp_result *out, erp_client *c, const char *idem_key,
			  const char *json_payload, ulf_err *err);

/* Whether the client has a supplier register URL. */
bool erp_can_register_suppliers(const erp_client *c);

/* Whether the client has a lookup URL. */
bool erp_can_lookup(const erp_client *c);

const char *erp_outcome_name(erp_outcome o);   /* "accepted", "rejected", ... */

#endif
