/*
 * erpsim.h - an ERP simulator for the demo and the tests.
 *
 * HTTPS on 127.0.0.1 only (libmicrohttpd over GnuTLS), speaking the
 * protocol of connectors/erp.h (docs/erp.md):
 *
 *   POST /postings      a booking; needs an Idempotency-Key; 201 with a
 *                       voucher id.  A key seen before gets the first
 *                       answer again (Idempotent-Replayed: true) and books
 *                       nothing; the same key with another payload is 422,
 *                       and while the first request is still being
 *                       processed, 409.
 *   GET  /postings/lookup?idempotency_key=KEY
 *                       what became of a key: booked, rejected, in_process
 *                       or unseen, with the first answer (docs/erp.md).
 *   POST /oauth/token   OAuth2 client credentials (when a client id is set;
 *                       /postings then needs a bearer token).
 *   GET  /health        "ok".
 *
 * Every booking is appended to the log file as one JSON line (key, invoice
 * number, amount, currency, voucher, time) and synced before the answer
 * leaves; at start the log is read back, so a restarted simulator still
 * answers old keys with their first answer.
 *
 * Faults, for exercising the client: 5xx at a rate, slow answers, dropped
 * connections (after booking: the answer is lost, the booking is not),
 * connections reset before booking (nothing booked, no answer), 429 with
 * Retry-After, a 422 for one invoice number; each kind also "for the
 * first N requests", for tests that need exact sequences.  And one
 * outage: after N postings, every request is answered 503 for a while.  Rates
 * are drawn from a generator seeded by `seed`, so a run is reproducible.
 * Bad certificates are the certificate it is started with.
 */
#ifndef ULF_ERPSIM_H
#define ULF_ERPSIM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

typedef struct erpsim_opts {
	uint16_t port;                /* 0: any free port (see erpsim_port) */
	const char *cert_file;        /* required: PEM server certificate */
	const char *key_file;         /* required: its PEM key */
	const char *client_ca_file;   /* PEM CA for client certificates */
	bool require_client_cert;     /* needs client_ca_file: 403 without a valid one */
	const char *client_id;        /* OAuth2: set, and /postings needs a token */
	const char *client_secret;
	unsigned token_ttl_s;         /* token lifetime; 0: 300 */
	const char *log_file;         /* required: bookings, one JSON line each */
	const char *payloads_file;    /* each booked payload as received, one a line;
				       * NULL: none (tests that look at what was sent) */
	const char *reject_invoice;   /* invoice number answered 422; "*": every
				       * posting 400, in the same words */
	unsigned fail_permille;       /* 503 for this share of postings (0..1000) */
	unsigned stall_permille;      /* answer stall_ms late */
	unsigned drop_permille;       /* book, then close without answering */
	unsigned reset_permille;      /* close without booking or answering */
	unsigned fail_first, stall_first, drop_first, busy_first;  /* the first N postings */
	unsigned reset_first;
	/* the outage: after outage_after postings, outage_ms of 503 to every
	 * request (postings, lookups, tokens); 0 ms: none */
	unsigned outage_after;
	unsigned outage_ms;
	unsigned stall_ms;            /* 0: 2000 */
	uint64_t seed;                /* of the fault generator */
	bool verbose;                 /* libmicrohttpd's and the requests' log on stderr */
} erpsim_opts;

typedef struct erpsim_stats {
	unsigned long requests;       /* POST /postings received */
	unsigned long bookings;       /* postings booked (log lines written) */
	unsigned long replays;        /* answered from the record of a key */
	unsigned long conflicts;      /* 409: the key was still in process */
	unsigned long rejected;       /* 4xx answers to postings (401 aside) */
	unsigned long unauthorized;   /* 401 answers to postings */
	unsigned long forbidden;      /* 403: client certificate missing or untrusted */
	unsigned long failed;         /* 503 injected */
	unsigned long busy;           /* 429 injected */
	unsigned long stalls;
	unsigned long drops;
	unsigned long resets;         /* connections closed before booking */
	unsigned long down;           /* requests answered 503 in the outage */
	unsigned long lookups;        /* GET /postings/lookup answered */
	unsigned long tokens;         /* access tokens issued */
	unsigned long supplier_requests;  /* POST /suppliers received */
	unsigned long suppliers;      /* suppliers registered (log lines written) */
} erpsim_stats;

typedef struct erpsim erpsim;

/* Loads certificates and the log, and starts serving on 127.0.0.1. */
int erpsim_start(erpsim **out, const erpsim_opts *opts, ulf_err *err);
uint16_t erpsim_port(const erpsim *s);
void erpsim_stats_get(erpsim *s, erpsim_stats *out);
/* Forgets every token issued (as an ERP restart would): the next posting
 * with an old token gets 401. */
void erpsim_revoke_tokens(erpsim *s);
/* Whether the outage is on now.  Says on stderr when it ended (it began
 * with a posting, which says so); a caller without requests calls it now
 * and then so the end is told on time. */
bool erpsim_outage_tick(erpsim *s);
/* Stops serving (a stalled answer is cut short) and frees.  NULL is fine. */
void erpsim_stop(erpsim *s);

/* A rate written as a decimal between 0 and 1 ("0.33") in per mille;
 * ULF_EINVAL for anything else, or more than three decimals. */
int erpsim_parse_rate(unsigned *permille, const char *text, ulf_err *err);

#endif
