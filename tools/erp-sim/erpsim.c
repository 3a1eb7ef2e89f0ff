/*
 * erpsim.c - the ERP simulator.  See erpsim.h and docs/erp.md.
 *
 * libmicrohttpd with one thread per connection, so that a stalled answer
 * holds up only its own connection; one mutex guards the simulator's state
 * (the idempotency record, tokens, the fault generator, the log, counters).
 *
 * robot/httpd.c is the service's wrapper of libmicrohttpd; the simulator
 * needs what that wrapper does not offer (client certificates, a
 * connection dropped on purpose, a thread per connection), so it holds its
 * own - test and demo equipment, not part of the robot's serving path.
 *
 * Client certificates: libmicrohttpd asks the client for one when given a
 * trust list, but leaves checking it to the application, through GnuTLS.
 * ulf does not link GnuTLS itself; the one function needed,
 * gnutls_certificate_verify_peers2, is looked up at start in the GnuTLS
 * that libmicrohttpd has loaded.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/base64.h"
#include "core/dec.h"
#include "core/digest.h"
#include "core/fileio.h"
#include "core/json.h"
#include "tools/erp-sim/erpsim.h"

#define BODY_MAX (1u << 20)
#define LOG_MAX ((size_t)256 << 20)
#define MAX_ENTRIES 1000000
#define MAX_TOKENS 256
#define KEY_MAX 255
#define GNUTLS_E_NO_CERTIFICATE_FOUND_ (-49)

typedef int (*verify_peers_fn)(void *session, unsigned int *status);

typedef struct entry {
	char *key;
	char sha[DIGEST_HEX_LEN + 1];  /* of the payload */
	bool done;                     /* false while the first request is in process */
	unsigned status;               /* the first answer */
	char *body;
} entry;

typedef struct token {
	char value[40];
	int64_t expires;               /* monotonic ms */
} token;

struct erpsim {
	struct MHD_Daemon *d;
	erpsim_opts o;
	char *cert, *key, *trust, *client_id, *client_secret, *reject, *log_path, *payloads_path;
	verify_peers_fn verify;
	pthread_mutex_t mu;
	entry *entries;
	size_t n, cap;
	token tokens[MAX_TOKENS];
	size_t next_token;
	uint64_t rng;
	unsigned fail_first, stall_first, drop_first, busy_first, reset_first;
	int64_t outage_from, outage_until;   /* monotonic ms; 0: not begun */
	bool outage_told_over;
	unsigned long voucher_seq;
	unsigned long supplier_seq;    /* the last supplier number given (SIMSUP-n) */
	int log_fd;
	int payloads_fd;               /* -1: payloads are not kept */
	erpsim_stats stats;
	atomic_int stopping;
};

typedef struct req {
	char *body;
	size_t len, cap;
	bool too_large;
} req;

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void vlog(erpsim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vlog(erpsim *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->o.verbose)
		return;
	va_start(ap, fmt);
	fputs("erp-sim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("erp-sim: microhttpd: ", stderr);
	vfprintf(stderr, fmt, ap);
}

int erpsim_parse_rate(unsigned *permille, const char *text, ulf_err *err)
{
	dec d;
	int64_t units;

	if (!text || dec_parse(&d, text, strlen(text)) != 0 ||
	    dec_to_units(&units, d, 3) != 0 || units < 0 || units > 1000)
		return ulf_err_set(err, ULF_EINVAL,
				   "'%s' is not a rate: a decimal from 0 to 1 with at most three decimals",
				   text ? text : "");
	*permille = (unsigned)units;
	return 0;
}

/* ---- answers ---------------------------------------------------------- */

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status,
			       const char *ctype, const char *body, const char *h1,
			       const char *v1)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (h1)
		MHD_add_response_header(r, h1, v1);
	ok = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* An RFC 9457 problem document; NULL when out of memory. */
static char *problem(unsigned status, const char *title, const char *detail)
{
	ujson *o = ujson_object();
	char *text = NULL;

	if (o && !ujson_set_str(o, "type", "about:blank") && !ujson_set_str(o, "title", title) &&
	    !ujson_set_int(o, "status", status) && !ujson_set_str(o, "detail", detail))
		text = ujson_dump(o, UJSON_COMPACT);
	ujson_free(o);
	return text;
}

static enum MHD_Result respond_problem(struct MHD_Connection *conn, unsigned status,
				       const char *title, const char *detail,
				       const char *h1, const char *v1)
{
	char *text = problem(status, title, detail);
	enum MHD_Result ok;

	if (!text)
		return MHD_NO;
	ok = respond(conn, status, "application/problem+json", text, h1, v1);
	free(text);
	return ok;
}

/* ---- client certificates and tokens ------------------------------------ */

/* NULL when the client's certificate is good, else why not. */
static const char *client_cert_problem(erpsim *s, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;
	unsigned int status = 0;
	int r;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return "no TLS session";
	r = s->verify(ci->tls_session, &status);
	if (r == GNUTLS_E_NO_CERTIFICATE_FOUND_)
		return "a client certificate is required";
	if (r < 0)
		return "the client certificate could not be verified";
	if (status != 0)
		return "the client certificate is not signed by a trusted CA, or has expired";
	return NULL;
}

/* Decodes application/x-www-form-urlencoded text in place. */
static void form_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%' && s[1] && s[2]) {
			char hex[3] = { s[1], s[2], 0 }, *end;
			long v = strtol(hex, &end, 16);
			if (*end == '\0' && v > 0) {
				*o++ = (char)v;
				s += 2;
			} else {
				*o++ = *s;
			}
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* The decoded value of `name` in a form body, malloc'd, or NULL. */
static char *form_get(const char *body, size_t len, const char *name)
{
	size_t nl = strlen(name), i = 0;

	while (i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end - i > nl && strncmp(body + i, name, nl) == 0 && body[i + nl] == '=') {
			char *v = strndup(body + i + nl + 1, end - i - nl - 1);
			if (v)
				form_decode(v);
			return v;
		}
		i = end + 1;
	}
	return NULL;
}

/* Client id and secret from "Authorization: Basic ..." (each form-encoded,
 * RFC 6749 2.3.1) or from the form body. */
static bool client_auth_ok(erpsim *s, struct MHD_Connection *conn, const req *r)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	char *id = NULL, *secret = NULL;
	bool ok = false;

	if (h && strncasecmp(h, "Basic ", 6) == 0) {
		unsigned char *raw = NULL;
		size_t n = 0;
		ulf_err err;
		char *colon;

		ulf_err_clear(&err);
		if (base64_decode(&raw, &n, h + 6, strlen(h + 6), 4096, &err) == 0) {
			char *text = strndup((const char *)raw, n);
			if (text && (colon = strchr(text, ':')) != NULL) {
				*colon = '\0';
				id = strdup(text);
				secret = strdup(colon + 1);
			}
			free(text);
			free(raw);
		}
		if (id)
			form_decode(id);
		if (secret)
			form_decode(secret);
	} else {
		id = form_get(r->body, r->len, "client_id");
		secret = form_get(r->body, r->len, "client_secret");
	}
	ok = id && secret && strcmp(id, s->client_id) == 0 &&
	     strcmp(secret, s->client_secret ? s->client_secret : "") == 0;
	free(id);
	free(secret);
	return ok;
}

static enum MHD_Result on_token(erpsim *s, struct MHD_Connection *conn, const req *r)
{
	unsigned char raw[16];
	char value[40], *grant, *text = NULL;
	ujson *o = NULL;
	enum MHD_Result ok;
	unsigned ttl = s->o.token_ttl_s ? s->o.token_ttl_s : 300;
	token *t;
	size_t i;

	grant = form_get(r->body, r->len, "grant_type");
	if (!grant || strcmp(grant, "client_credentials") != 0) {
		free(grant);
		return respond(conn, 400, "application/json",
			       "{\"error\":\"unsupported_grant_type\"}", NULL, NULL);
	}
	free(grant);
	if (!client_auth_ok(s, conn, r)) {
		vlog(s, "token: invalid client");
		return respond(conn, 401, "application/json",
			       "{\"error\":\"invalid_client\",\"error_description\":\"unknown client or wrong secret\"}",
			       MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"erp-sim\"");
	}
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return respond_problem(conn, 500, "no randomness", "getrandom failed", NULL, NULL);
	memcpy(value, "sim-", 4);
	for (i = 0; i < sizeof(raw); i++)
		snprintf(value + 4 + 2 * i, 3, "%02x", raw[i]);
	pthread_mutex_lock(&s->mu);
	t = &s->tokens[s->next_token++ % MAX_TOKENS];
	memcpy(t->value, value, sizeof(t->value));
	t->expires = mono_ms() + (int64_t)ttl * 1000;
	s->stats.tokens++;
	pthread_mutex_unlock(&s->mu);
	vlog(s, "token: issued, %u s", ttl);
	o = ujson_object();
	if (o && !ujson_set_str(o, "access_token", value) &&
	    !ujson_set_str(o, "token_type", "Bearer") && !ujson_set_int(o, "expires_in", ttl))
		text = ujson_dump(o, UJSON_COMPACT);
	ujson_free(o);
	if (!text)
		return MHD_NO;
	ok = respond(conn, 200, "application/json", text, NULL, NULL);
	free(text);
	return ok;
}

static bool bearer_ok(erpsim *s, struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	int64_t now = mono_ms();
	bool ok = false;
	size_t i;

	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	pthread_mutex_lock(&s->mu);
	for (i = 0; i < MAX_TOKENS && !ok; i++)
		ok = s->tokens[i].value[0] && strcmp(s->tokens[i].value, h) == 0 &&
		     now < s->tokens[i].expires;
	pthread_mutex_unlock(&s->mu);
	return ok;
}

void erpsim_revoke_tokens(erpsim *s)
{
	pthread_mutex_lock(&s->mu);
	memset(s->tokens, 0, sizeof(s->tokens));
	pthread_mutex_unlock(&s->mu);
}

/* ---- the idempotency record and the log --------------------------------- */

static entry *find_entry(erpsim *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->entries[i].key, key) == 0)
			return &s->entries[i];
	return NULL;
}

/* A new in-process entry; NULL when out of memory or full. */
static entry *add_entry(erpsim *s, const char *key, const char *sha)
{
	entry *e;

	if (s->n == MAX_ENTRIES)
		return NULL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		entry *ne = realloc(s->entries, cap * sizeof(*ne));
		if (!ne)
			return NULL;
		s->entries = ne;
		s->cap = cap;
	}
	e = &s->entries[s->n];
	memset(e, 0, sizeof(*e));
	e->key = strdup(key);
	if (!e->key)
		return NULL;
	snprintf(e->sha, sizeof(e->sha), "%s", sha);
	s->n++;
	return e;
}

static void remove_entry(erpsim *s, const char *key)
{
	entry *e = find_entry(s, key);

	if (!e)
		return;
	free(e->key);
	free(e->body);
	*e = s->entries[--s->n];
}

/* The answer to a booking, as stored for replays. */
static char *booked_answer(const char *voucher, const char *number, const char *key)
{
	ujson *o = ujson_object();
	char *text = NULL;

	if (o && !ujson_set_str(o, "status", "booked") && !ujson_set_str(o, "voucher_id", voucher) &&
	    !ujson_set_str(o, "invoice_number", number) && !ujson_set_str(o, "idempotency_key", key))
		text = ujson_dump(o, UJSON_COMPACT);
	ujson_free(o);
	return text;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The booked lines as the log keeps them: what each line was booked on,
 * so a test can check that the booking a person made is what arrived. */
static ujson *log_lines(const ujson *lines)
{
	static const char *const keys[] = {
		"account", "cost_centre", "activity", "project", "vat_code", "net_amount",
		"vat_amount",
	};
	ujson *arr = ujson_array();
	size_t i, k;

	for (i = 0; arr && i < ujson_array_size(lines); i++) {
		const ujson *l = ujson_array_get(lines, i);
		ujson *o = ujson_object();
		for (k = 0; o && k < sizeof(keys) / sizeof(keys[0]); k++)
			if (ujson_get_str(l, keys[k]) &&
			    ujson_set_str(o, keys[k], ujson_get_str(l, keys[k]))) {
				ujson_free(o);
				o = NULL;
			}
		if (!o || ujson_append_new(arr, o)) {
			ujson_free(arr);
			arr = NULL;
		}
	}
	return arr;
}

/* Appends one booking to the log and syncs it; -1 on failure. */
static int log_booking(erpsim *s, const char *key, const char *sha, const char *number,
		       const char *supplier, const char *amount, const char *currency,
		       const char *voucher, const ujson *lines)
{
	char when[32], *line = NULL;
	struct tm tm;
	time_t now = time(NULL);
	ujson *o = ujson_object(), *booked = log_lines(lines);
	int rc = -1;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (o && !ujson_set_str(o, "time", when) && !ujson_set_str(o, "idempotency_key", key) &&
	    !ujson_set_str(o, "invoice_id", number) && !ujson_set_str(o, "supplier", supplier) &&
	    !ujson_set_str(o, "amount", amount) && !ujson_set_str(o, "currency", currency) &&
	    !ujson_set_str(o, "voucher_id", voucher) && !ujson_set_str(o, "payload_sha256", sha) &&
	    booked) {
		/* ujson_set_new takes booked whatever the outcome */
		if (ujson_set_new(o, "lines", booked) == 0)
			line = ujson_dump(o, UJSON_COMPACT);
		booked = NULL;
	}
	ujson_free(booked);
	ujson_free(o);
	if (!line)
		return -1;
	if (write_all(s->log_fd, line, strlen(line)) == 0 && write_all(s->log_fd, "\n", 1) == 0 &&
	    fsync(s->log_fd) == 0)
		rc = 0;
	free(line);
	return rc;
}

/* ---- the supplier register ------------------------------------------------ */

/* Supplier registrations share the record of keys with postings, under
 * keys of their own: "supplier:" + the Idempotency-Key. */
#define SUP_KEY_PREFIX "supplier:"

/* The answer to a registration, as stored for replays. */
static char *supplier_answer(const char *supplier_no, const char *org_no, const char *key)
{
	ujson *o = ujson_object();
	char *text = NULL;

	if (o && !ujson_set_str(o, "status", "registered") &&
	    !ujson_set_str(o, "supplier_no", supplier_no) &&
	    !ujson_set_str(o, "org_no", org_no) && !ujson_set_str(o, "idempotency_key", key))
		text = ujson_dump(o, UJSON_COMPACT);
	ujson_free(o);
	return text;
}

/* A supplier line of the log back into the record of keys. */
static int load_supplier(erpsim *s, const ujson *j, ulf_err *err)
{
	const char *key = ujson_get_str(j, "idempotency_key");
	const char *no = ujson_get_str(j, "supplier_no"), *sha = ujson_get_str(j, "payload_sha256");
	char k[KEY_MAX + sizeof(SUP_KEY_PREFIX)];
	entry *e;

	snprintf(k, sizeof(k), SUP_KEY_PREFIX "%s", key);
	e = find_entry(s, k) ? NULL : add_entry(s, k, sha ? sha : "");
	if (!e)
		return 0;
	e->done = true;
	e->status = 201;
	e->body = supplier_answer(no, ujson_get_str(j, "org_no"), key);
	if (!e->body)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	if (strncmp(no, "SIMSUP-", 7) == 0 && strtoul(no + 7, NULL, 10) > s->supplier_seq)
		s->supplier_seq = strtoul(no + 7, NULL, 10);
	return 0;
}

/* Appends one registration to the log and syncs it; -1 on failure. */
static int log_supplier(erpsim *s, const char *key, const char *sha, const char *no,
			const char *name, const char *org_no)
{
	char when[32], *line = NULL;
	struct tm tm;
	time_t now = time(NULL);
	ujson *o = ujson_object();
	int rc = -1;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (o && !ujson_set_str(o, "time", when) && !ujson_set_str(o, "idempotency_key", key) &&
	    !ujson_set_str(o, "supplier_no", no) && !ujson_set_str(o, "name", name) &&
	    !ujson_set_str(o, "org_no", org_no) && !ujson_set_str(o, "payload_sha256", sha))
		line = ujson_dump(o, UJSON_COMPACT);
	ujson_free(o);
	if (!line)
		return -1;
	if (write_all(s->log_fd, line, strlen(line)) == 0 && write_all(s->log_fd, "\n", 1) == 0 &&
	    fsync(s->log_fd) == 0)
		rc = 0;
	free(line);
	return rc;
}

/* Reads the log back: each booked key answers as it did. */
static int load_log(erpsim *s, ulf_err *err)
{
	char *text = NULL, *line, *next;
	size_t len, lineno = 0;
	ulf_err ferr;
	int rc = 0;

	ulf_err_clear(&ferr);
	if (access(s->log_path, F_OK) != 0)
		return 0;
	rc = file_read(&text, &len, s->log_path, LOG_MAX, err);
	if (rc)
		return rc;
	for (line = text; line && *line; line = next) {
		const char *key, *sha, *voucher, *number;
		ujson *j = NULL;
		entry *e;

		lineno++;
		next = strchr(line, '\n');
		if (!next) {
			/* a torn last line (a crash mid-write): not a booking */
			fprintf(stderr, "erp-sim: %s:%zu: ignoring an unfinished last line\n",
				s->log_path, lineno);
			if (write_all(s->log_fd, "\n", 1) != 0)
				rc = ulf_err_set(err, ULF_EIO, "erp-sim: %s: %s", s->log_path,
						 strerror(errno));
			break;
		}
		*next++ = '\0';
		if (ujson_parse(&j, line, strlen(line), s->log_path, &ferr) == 0 &&
		    ujson_get_str(j, "supplier_no") && ujson_get_str(j, "idempotency_key")) {
			/* a supplier registered (POST /suppliers) */
			rc = load_supplier(s, j, err);
			ujson_free(j);
			if (rc)
				break;
			continue;
		}
		ujson_free(j);
		j = NULL;
		if (ujson_parse(&j, line, strlen(line), s->log_path, &ferr) != 0 ||
		    !(key = ujson_get_str(j, "idempotency_key")) ||
		    !(sha = ujson_get_str(j, "payload_sha256")) ||
		    !(voucher = ujson_get_str(j, "voucher_id")) ||
		    !(number = ujson_get_str(j, "invoice_id"))) {
			ujson_free(j);
			rc = ulf_err_set(err, ULF_EPARSE, "erp-sim: %s:%zu: not a booking line",
					 s->log_path, lineno);
			break;
		}
		e = find_entry(s, key) ? NULL : add_entry(s, key, sha);
		if (e) {
			e->done = true;
			e->status = 201;
			e->body = booked_answer(voucher, number, key);
			if (strncmp(voucher, "SIM-", 4) == 0 &&
			    strtoul(voucher + 4, NULL, 10) > s->voucher_seq)
				s->voucher_seq = strtoul(voucher + 4, NULL, 10);
		}
		ujson_free(j);
		if (e && !e->body) {
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
			break;
		}
	}
	free(text);
	return rc;
}

/* ---- postings ------------------------------------------------------------ */

/* The key of an Idempotency-Key header: a structured-field string
 * ("..."; escapes are not taken) or, leniently, a bare token. */
static bool parse_key(const char *h, char *out, size_t n)
{
	size_t len, i;

	while (*h == ' ' || *h == '\t')
		h++;
	len = strlen(h);
	while (len && (h[len - 1] == ' ' || h[len - 1] == '\t'))
		len--;
	if (len >= 2 && h[0] == '"' && h[len - 1] == '"')
		h++, len -= 2;
	if (len == 0 || len > KEY_MAX || len >= n)
		return false;
	for (i = 0; i < len; i++)
		if (h[i] < 0x20 || h[i] > 0x7e || h[i] == '"' || h[i] == '\\')
			return false;
	memcpy(out, h, len);
	out[len] = '\0';
	return true;
}

typedef struct faults {
	bool busy, fail, stall, drop, reset;
} faults;

/* Draws every kind each time, so the sequence depends on the seed only. */
static faults draw_faults(erpsim *s)
{
	faults f;
	bool r_fail = splitmix64(&s->rng) % 1000 < s->o.fail_permille;
	bool r_stall = splitmix64(&s->rng) % 1000 < s->o.stall_permille;
	bool r_drop = splitmix64(&s->rng) % 1000 < s->o.drop_permille;

	f.busy = s->busy_first > 0;
	if (f.busy)
		s->busy_first--;
	f.fail = !f.busy && (s->fail_first > 0 || r_fail);
	if (f.fail && s->fail_first > 0)
		s->fail_first--;
	f.stall = s->stall_first > 0 || r_stall;
	if (s->stall_first > 0)
		s->stall_first--;
	f.drop = s->drop_first > 0 || r_drop;
	if (s->drop_first > 0)
		s->drop_first--;
	/* drawn only when asked for, so older seeds give the faults they gave */
	f.reset = s->reset_first > 0 ||
		  (s->o.reset_permille && splitmix64(&s->rng) % 1000 < s->o.reset_permille);
	if (s->reset_first > 0)
		s->reset_first--;
	return f;
}

/* Whether the outage is on, with s->mu held; `posting` counts one more
 * posting towards its start. */
static bool outage_locked(erpsim *s, bool posting)
{
	int64_t now = mono_ms();

	if (!s->o.outage_ms)
		return false;
	if (!s->outage_from && posting && s->stats.requests > s->o.outage_after) {
		s->outage_from = now;
		s->outage_until = now + s->o.outage_ms;
		fprintf(stderr, "erp-sim: outage: down for %u ms after %u postings\n",
			s->o.outage_ms, s->o.outage_after);
	}
	if (!s->outage_from)
		return false;
	if (now < s->outage_until)
		return true;
	if (!s->outage_told_over) {
		s->outage_told_over = true;
		fprintf(stderr, "erp-sim: outage: over after %u ms, %lu requests answered 503\n",
			s->o.outage_ms, s->stats.down);
	}
	return false;
}

bool erpsim_outage_tick(erpsim *s)
{
	bool on;

	pthread_mutex_lock(&s->mu);
	on = outage_locked(s, false);
	pthread_mutex_unlock(&s->mu);
	return on;
}

/* The outage's answer to any request, counted. */
static enum MHD_Result respond_down(erpsim *s, struct MHD_Connection *conn)
{
	pthread_mutex_lock(&s->mu);
	s->stats.down++;
	pthread_mutex_unlock(&s->mu);
	return respond_problem(conn, 503, "Service Unavailable",
			       "the ERP is down (simulated outage)", NULL, NULL);
}

/* What a payload says, for the log; a problem's detail on error. */
typedef struct posting_info {
	const char *number, *supplier, *amount, *currency;
} posting_info;

static const char *check_payload(posting_info *pi, const ujson *j)
{
	const ujson *inv = ujson_get(j, "invoice"), *lines = ujson_get(j, "lines");
	dec d;
	size_t i;

	if (!ujson_is_object(j))
		return "the payload is not a JSON object";
	pi->number = ujson_get_str(inv, "number");
	pi->amount = ujson_get_str(inv, "payable");
	pi->currency = ujson_get_str(inv, "currency");
	pi->supplier = ujson_get_str(ujson_get(j, "supplier"), "name");
	if (!pi->number || !*pi->number)
		return "invoice.number is missing";
	if (!pi->amount || dec_parse(&d, pi->amount, strlen(pi->amount)) != 0)
		return "invoice.payable is missing or not a decimal string";
	if (!pi->currency || strlen(pi->currency) != 3)
		return "invoice.currency is missing";
	if (!pi->supplier)
		return "supplier.name is missing";
	if (!ujson_is_array(lines) || ujson_array_size(lines) == 0)
		return "lines are missing";
	for (i = 0; i < ujson_array_size(lines); i++) {
		const ujson *l = ujson_array_get(lines, i);
		const char *acc = ujson_get_str(l, "account"), *net = ujson_get_str(l, "net_amount");
		if (!acc || !*acc)
			return "a line has no account";
		if (!net || dec_parse(&d, net, strlen(net)) != 0)
			return "a line's net_amount is missing or not a decimal string";
	}
	return NULL;
}

/* Stores the final answer for the key and sends it. */
static enum MHD_Result settle(erpsim *s, struct MHD_Connection *conn, const char *key,
			      unsigned status, char *body, const char *h1, const char *v1)
{
	enum MHD_Result ok;
	entry *e;

	if (!body) {
		pthread_mutex_lock(&s->mu);
		remove_entry(s, key);
		pthread_mutex_unlock(&s->mu);
		return MHD_NO;
	}
	ok = respond(conn, status, status < 300 ? "application/json" : "application/problem+json",
		     body, h1, v1);
	pthread_mutex_lock(&s->mu);
	e = find_entry(s, key);
	if (e) {
		e->done = true;
		e->status = status;
		e->body = body;
		body = NULL;
	}
	pthread_mutex_unlock(&s->mu);
	free(body);
	return ok;
}

static enum MHD_Result on_posting(erpsim *s, struct MHD_Connection *conn, const req *r)
{
	const char *h, *bad;
	char key[KEY_MAX + 1], sha[DIGEST_HEX_LEN + 1], voucher[32], detail[ULF_ERR_MSG_MAX + 64];
	char *answer = NULL;
	ujson *j = NULL;
	ulf_err perr;
	posting_info pi;
	faults f;
	entry *e;
	enum MHD_Result ok;
	unsigned waited;
	bool down;

	pthread_mutex_lock(&s->mu);
	s->stats.requests++;
	down = outage_locked(s, true);
	pthread_mutex_unlock(&s->mu);
	if (down) {
		vlog(s, "posting: 503 (outage)");
		return respond_down(s, conn);
	}
	if (s->client_id && !bearer_ok(s, conn)) {
		pthread_mutex_lock(&s->mu);
		s->stats.unauthorized++;
		pthread_mutex_unlock(&s->mu);
		vlog(s, "posting: 401 (no valid token)");
		return respond_problem(conn, 401, "Unauthorized",
				       "a valid bearer token is required",
				       MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				       "Bearer realm=\"erp-sim\", error=\"invalid_token\"");
	}
	pthread_mutex_lock(&s->mu);
	f = draw_faults(s);
	if (f.busy)
		s->stats.busy++;
	if (f.fail)
		s->stats.failed++;
	if (f.reset && !f.busy && !f.fail)
		s->stats.resets++;
	pthread_mutex_unlock(&s->mu);
	if (f.busy) {
		vlog(s, "posting: 429 (injected)");
		return respond_problem(conn, 429, "Too Many Requests", "the ERP is busy (injected)",
				       MHD_HTTP_HEADER_RETRY_AFTER, "1");
	}
	if (f.fail) {
		vlog(s, "posting: 503 (injected)");
		return respond_problem(conn, 503, "Service Unavailable",
				       "the ERP is unavailable (injected)", NULL, NULL);
	}
	if (f.reset) {
		/* the request came, and the connection goes: nothing booked */
		vlog(s, "posting: connection reset before booking (injected)");
		return MHD_NO;
	}
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key");
	if (!h || !parse_key(h, key, sizeof(key))) {
		pthread_mutex_lock(&s->mu);
		s->stats.rejected++;
		pthread_mutex_unlock(&s->mu);
		return respond_problem(conn, 400, "Bad Request",
				       h ? "the Idempotency-Key header is malformed"
					 : "the Idempotency-Key header is missing", NULL, NULL);
	}
	digest_sha256_hex(sha, r->body ? r->body : "", r->len);

	pthread_mutex_lock(&s->mu);
	e = find_entry(s, key);
	if (e && e->done && strcmp(e->sha, sha) != 0) {
		s->stats.rejected++;
		pthread_mutex_unlock(&s->mu);
		vlog(s, "posting %s: 422 (key reused with another payload)", key);
		return respond_problem(conn, 422, "Unprocessable Content",
				       "this Idempotency-Key was used with a different payload",
				       NULL, NULL);
	}
	if (e && e->done) {
		unsigned status = e->status;
		char *body = strdup(e->body);
		s->stats.replays++;
		if (f.drop)
			s->stats.drops++;
		pthread_mutex_unlock(&s->mu);
		vlog(s, "posting %s: %u (replayed)%s", key, status, f.drop ? ", dropped" : "");
		if (!body || f.drop) {
			free(body);
			return MHD_NO;
		}
		ok = respond(conn, status, status < 300 ? "application/json"
							: "application/problem+json",
			     body, "Idempotent-Replayed", "true");
		free(body);
		return ok;
	}
	if (e) {
		s->stats.conflicts++;
		pthread_mutex_unlock(&s->mu);
		vlog(s, "posting %s: 409 (in process)", key);
		return respond_problem(conn, 409, "Conflict",
				       "a request with this Idempotency-Key is being processed",
				       NULL, NULL);
	}
	e = add_entry(s, key, sha);
	if (f.stall && e)
		s->stats.stalls++;
	pthread_mutex_unlock(&s->mu);
	if (!e)
		return respond_problem(conn, 507, "Insufficient Storage",
				       "the simulator's record is full", NULL, NULL);

	/* the key is in process: a slow answer holds it */
	for (waited = 0; f.stall && waited < (s->o.stall_ms ? s->o.stall_ms : 2000) &&
	     !atomic_load(&s->stopping); waited += 10) {
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}

	ulf_err_clear(&perr);
	if (ujson_parse(&j, r->body ? r->body : "", r->len, "payload", &perr) != 0) {
		pthread_mutex_lock(&s->mu);
		s->stats.rejected++;
		pthread_mutex_unlock(&s->mu);
		snprintf(detail, sizeof(detail), "the payload is not JSON: %s", perr.msg);
		return settle(s, conn, key, 400, problem(400, "Bad Request", detail), NULL, NULL);
	}
	bad = check_payload(&pi, j);
	if (!bad && s->reject && strcmp(s->reject, "*") == 0)
		/* every posting, in the same words: a set-up the ERP does not take */
		bad = "postings are refused: this ERP expects another payload schema"
		      " (simulated set-up rejection)";
	if (bad || (s->reject && strcmp(pi.number, s->reject) == 0)) {
		unsigned status = bad ? 400 : 422;
		if (!bad)
			snprintf(detail, sizeof(detail),
				 "invoice %s cannot be booked: the ERP refuses it (simulated rejection)",
				 pi.number);
		pthread_mutex_lock(&s->mu);
		s->stats.rejected++;
		pthread_mutex_unlock(&s->mu);
		vlog(s, "posting %s: %u (%s)", key, status, bad ? bad : "rejected invoice");
		ok = settle(s, conn, key, status,
			    problem(status, bad ? "Bad Request" : "Unprocessable Content",
				    bad ? bad : detail), NULL, NULL);
		ujson_free(j);
		return ok;
	}

	pthread_mutex_lock(&s->mu);
	snprintf(voucher, sizeof(voucher), "SIM-%06lu", s->voucher_seq + 1);
	if (log_booking(s, key, sha, pi.number, pi.supplier, pi.amount, pi.currency, voucher,
			ujson_get(j, "lines")) != 0) {
		remove_entry(s, key);
		pthread_mutex_unlock(&s->mu);
		ujson_free(j);
		fprintf(stderr, "erp-sim: cannot write the log %s: %s\n", s->log_path,
			strerror(errno));
		return respond_problem(conn, 500, "Internal Server Error",
				       "the booking could not be recorded", NULL, NULL);
	}
	/* a body is one line: ulf sends compact JSON; a newline in it is
	 * the test's to notice */
	if (s->payloads_fd >= 0 &&
	    (write_all(s->payloads_fd, r->body ? r->body : "", r->len) != 0 ||
	     write_all(s->payloads_fd, "\n", 1) != 0))
		fprintf(stderr, "erp-sim: cannot write the payloads %s: %s\n", s->payloads_path,
			strerror(errno));
	s->voucher_seq++;
	s->stats.bookings++;
	if (f.drop)
		s->stats.drops++;
	pthread_mutex_unlock(&s->mu);
	vlog(s, "posting %s: 201 %s invoice %s%s", key, voucher, pi.number,
	     f.drop ? ", answer dropped" : "");
	answer = booked_answer(voucher, pi.number, key);
	ujson_free(j);
	if (f.drop) {
		/* booked, but the answer is lost: the client must resend the key */
		pthread_mutex_lock(&s->mu);
		e = find_entry(s, key);
		if (e && answer) {
			e->done = true;
			e->status = 201;
			e->body = answer;
			answer = NULL;
		}
		pthread_mutex_unlock(&s->mu);
		free(answer);
		return MHD_NO;
	}
	return settle(s, conn, key, 201, answer, NULL, NULL);
}

/*
 * POST /suppliers: registers a new supplier (JSON with at least "name" and
 * "org_no") under its Idempotency-Key: 201 with {"supplier_no": ...}; the
 * same key again gets the same answer (Idempotent-Replayed), with another
 * payload 422.  Each registration is one line of the log.
 */
static enum MHD_Result on_supplier(erpsim *s, struct MHD_Connection *conn, const req *r)
{
	const char *h, *name, *org;
	char key[KEY_MAX + 1], k[KEY_MAX + sizeof(SUP_KEY_PREFIX)], sha[DIGEST_HEX_LEN + 1];
	char no[32];
	char *answer;
	ujson *j = NULL;
	ulf_err perr;
	entry *e;
	bool down;

	pthread_mutex_lock(&s->mu);
	s->stats.supplier_requests++;
	down = outage_locked(s, false);
	pthread_mutex_unlock(&s->mu);
	if (down)
		return respond_down(s, conn);
	if (s->client_id && !bearer_ok(s, conn))
		return respond_problem(conn, 401, "Unauthorized", "a valid bearer token is required",
				       MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				       "Bearer realm=\"erp-sim\", error=\"invalid_token\"");
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key");
	if (!h || !parse_key(h, key, sizeof(key)))
		return respond_problem(conn, 400, "Bad Request",
				       h ? "the Idempotency-Key header is malformed"
					 : "the Idempotency-Key header is missing", NULL, NULL);
	ulf_err_clear(&perr);
	if (ujson_parse(&j, r->body ? r->body : "", r->len, "supplier", &perr) != 0)
		return respond_problem(conn, 400, "Bad Request", "the supplier is not JSON", NULL,
				       NULL);
	name = ujson_get_str(j, "name");
	org = ujson_get_str(j, "org_no");
	if (!name || !*name || !org || !*org) {
		ujson_free(j);
		return respond_problem(conn, 400, "Bad Request",
				       "a supplier needs \"name\" and \"org_no\"", NULL, NULL);
	}
	digest_sha256_hex(sha, r->body ? r->body : "", r->len);
	snprintf(k, sizeof(k), SUP_KEY_PREFIX "%s", key);

	pthread_mutex_lock(&s->mu);
	e = find_entry(s, k);
	if (e && e->done) {
		enum MHD_Result ok;
		bool same = strcmp(e->sha, sha) == 0;
		char *body = same ? strdup(e->body) : NULL;
		unsigned status = e->status;
		pthread_mutex_unlock(&s->mu);
		ujson_free(j);
		if (!same) {
			vlog(s, "supplier %s: 422 (key reused with another payload)", key);
			return respond_problem(conn, 422, "Unprocessable Content",
					       "this Idempotency-Key was used with a different "
					       "supplier", NULL, NULL);
		}
		vlog(s, "supplier %s: %u (replayed)", key, status);
		if (!body)
			return MHD_NO;
		ok = respond(conn, status, "application/json", body, "Idempotent-Replayed", "true");
		free(body);
		return ok;
	}
	if (e) {
		pthread_mutex_unlock(&s->mu);
		ujson_free(j);
		return respond_problem(conn, 409, "Conflict",
				       "a request with this Idempotency-Key is being processed",
				       NULL, NULL);
	}
	e = add_entry(s, k, sha);
	snprintf(no, sizeof(no), "SIMSUP-%04lu", s->supplier_seq + 1);
	if (!e || log_supplier(s, key, sha, no, name, org) != 0) {
		if (e)
			remove_entry(s, k);
		pthread_mutex_unlock(&s->mu);
		ujson_free(j);
		return respond_problem(conn, 500, "Internal Server Error",
				       "the supplier could not be recorded", NULL, NULL);
	}
	s->supplier_seq++;
	s->stats.suppliers++;
	pthread_mutex_unlock(&s->mu);
	vlog(s, "supplier %s: 201 %s org %s", key, no, org);
	answer = supplier_answer(no, org, key);
	ujson_free(j);
	return settle(s, conn, k, 201, answer, NULL, NULL);
}

/* GET /postings/lookup?idempotency_key=KEY: what became of a key. */
static enum MHD_Result on_lookup(erpsim *s, struct MHD_Connection *conn)
{
	const char *k = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
						    "idempotency_key");
	const char *state = "unseen";
	char *body = NULL, *text = NULL;
	unsigned status = 0;
	ujson *o = NULL, *ans = NULL;
	enum MHD_Result ok;
	ulf_err perr;
	entry *e;
	bool down, failed;

	pthread_mutex_lock(&s->mu);
	down = outage_locked(s, false);
	pthread_mutex_unlock(&s->mu);
	if (down)
		return respond_down(s, conn);
	if (s->client_id && !bearer_ok(s, conn))
		return respond_problem(conn, 401, "Unauthorized", "a valid bearer token is required",
				       MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				       "Bearer realm=\"erp-sim\", error=\"invalid_token\"");
	if (!k || !*k || strlen(k) > KEY_MAX)
		return respond_problem(conn, 400, "Bad Request",
				       "the idempotency_key parameter is missing", NULL, NULL);
	pthread_mutex_lock(&s->mu);
	s->stats.lookups++;
	e = find_entry(s, k);
	if (e && !e->done) {
		state = "in_process";
	} else if (e) {
		status = e->status;
		state = status < 300 ? "booked" : "rejected";
		body = strdup(e->body ? e->body : "{}");
	}
	pthread_mutex_unlock(&s->mu);
	vlog(s, "lookup %s: %s", k, state);
	ulf_err_clear(&perr);
	if (body && ujson_parse(&ans, body, strlen(body), "answer", &perr) != 0)
		ans = NULL;
	o = ujson_object();
	failed = !o || (status && !body) || ujson_set_str(o, "idempotency_key", k) ||
		 ujson_set_str(o, "state", state) || (status && ujson_set_int(o, "status", status));
	if (!failed && ans) {
		failed = ujson_set_new(o, "answer", ans) != 0;
		ans = NULL;   /* taken, whatever the outcome */
	}
	if (!failed)
		text = ujson_dump(o, UJSON_COMPACT);
	ok = text ? respond(conn, 200, "application/json", text, NULL, NULL) : MHD_NO;
	free(text);
	free(body);
	ujson_free(ans);
	ujson_free(o);
	return ok;
}

/* ---- the server ---------------------------------------------------------- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **con_cls)
{
	erpsim *s = cls;
	req *r = *con_cls;
	const char *why;

	(void)version;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (r->too_large || r->len + n > BODY_MAX) {
			r->too_large = true;
			return MHD_YES;
		}
		if (r->len + n + 1 > r->cap) {
			size_t cap = r->cap ? r->cap : 8192;
			char *nb;
			while (cap < r->len + n + 1)
				cap *= 2;
			nb = realloc(r->body, cap);
			if (!nb)
				return MHD_NO;
			r->body = nb;
			r->cap = cap;
		}
		memcpy(r->body + r->len, upload, n);
		r->len += n;
		r->body[r->len] = '\0';
		return MHD_YES;
	}
	if (s->o.require_client_cert && (why = client_cert_problem(s, conn)) != NULL) {
		pthread_mutex_lock(&s->mu);
		s->stats.forbidden++;
		pthread_mutex_unlock(&s->mu);
		vlog(s, "%s %s: 403 (%s)", method, url, why);
		return respond_problem(conn, 403, "Forbidden", why, NULL, NULL);
	}
	if (r->too_large)
		return respond_problem(conn, 413, "Content Too Large", "the request body is too large",
				       NULL, NULL);
	if (strcmp(url, "/health") == 0)
		return erpsim_outage_tick(s) ? respond_down(s, conn)
					     : respond(conn, 200, "text/plain", "ok", NULL, NULL);
	if (strcmp(url, "/postings/lookup") == 0) {
		if (strcmp(method, "GET") != 0)
			return respond_problem(conn, 405, "Method Not Allowed", "use GET",
					       MHD_HTTP_HEADER_ALLOW, "GET");
		return on_lookup(s, conn);
	}
	if (strcmp(url, "/postings") == 0) {
		if (strcmp(method, "POST") != 0)
			return respond_problem(conn, 405, "Method Not Allowed", "use POST",
					       MHD_HTTP_HEADER_ALLOW, "POST");
		return on_posting(s, conn, r);
	}
	if (strcmp(url, "/suppliers") == 0) {
		if (strcmp(method, "POST") != 0)
			return respond_problem(conn, 405, "Method Not Allowed", "use POST",
					       MHD_HTTP_HEADER_ALLOW, "POST");
		return on_supplier(s, conn, r);
	}
	if (strcmp(url, "/oauth/token") == 0 && s->client_id) {
		if (strcmp(method, "POST") != 0)
			return respond_problem(conn, 405, "Method Not Allowed", "use POST",
					       MHD_HTTP_HEADER_ALLOW, "POST");
		if (erpsim_outage_tick(s))
			return respond_down(s, conn);
		return on_token(s, conn, r);
	}
	return respond_problem(conn, 404, "Not Found", "no such resource", NULL, NULL);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	req *r = *con_cls;

	(void)cls; (void)conn; (void)toe;
	if (r) {
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
}

uint16_t erpsim_port(const erpsim *s)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);

	return i ? i->port : 0;
}

void erpsim_stats_get(erpsim *s, erpsim_stats *out)
{
	pthread_mutex_lock(&s->mu);
	*out = s->stats;
	pthread_mutex_unlock(&s->mu);
}

void erpsim_stop(erpsim *s)
{
	size_t i;

	if (!s)
		return;
	atomic_store(&s->stopping, 1);
	if (s->d)
		MHD_stop_daemon(s->d);
	for (i = 0; i < s->n; i++) {
		free(s->entries[i].key);
		free(s->entries[i].body);
	}
	free(s->entries);
	if (s->log_fd >= 0)
		close(s->log_fd);
	if (s->payloads_fd >= 0)
		close(s->payloads_fd);
	free(s->cert);
	free(s->key);
	free(s->trust);
	free(s->client_id);
	free(s->client_secret);
	free(s->reject);
	free(s->log_path);
	free(s->payloads_path);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static char *dup_opt(const char *v, bool *failed)
{
	char *d;

	if (!v || !*v)
		return NULL;
	d = strdup(v);
	if (!d)
		*failed = true;
	return d;
}

int erpsim_start(erpsim **out, const erpsim_opts *o, ulf_err *err)
{
	struct sockaddr_in addr;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_POLL | MHD_USE_TLS;
	erpsim *s;
	bool failed = false;
	size_t n;
	int rc = 0;

	*out = NULL;
	if (!o->cert_file || !o->key_file || !o->log_file)
		return ulf_err_set(err, ULF_EINVAL,
				   "erp-sim: a certificate, its key and a log file are required");
	if (o->require_client_cert && !o->client_ca_file)
		return ulf_err_set(err, ULF_EINVAL,
				   "erp-sim: requiring client certificates needs the CA that signs them");
	if (o->fail_permille > 1000 || o->stall_permille > 1000 || o->drop_permille > 1000 ||
	    o->reset_permille > 1000)
		return ulf_err_set(err, ULF_EINVAL, "erp-sim: a rate is above 1");
	s = calloc(1, sizeof(*s));
	if (!s)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	s->log_fd = -1;
	s->payloads_fd = -1;
	pthread_mutex_init(&s->mu, NULL);
	s->o = *o;
	s->client_id = dup_opt(o->client_id, &failed);
	s->client_secret = dup_opt(o->client_secret, &failed);
	s->reject = dup_opt(o->reject_invoice, &failed);
	s->log_path = dup_opt(o->log_file, &failed);
	s->payloads_path = dup_opt(o->payloads_file, &failed);
	/* the copy must not point into the caller's strings */
	s->o.cert_file = s->o.key_file = s->o.client_ca_file = NULL;
	s->o.client_id = s->o.client_secret = s->o.reject_invoice = s->o.log_file = NULL;
	s->o.payloads_file = NULL;
	s->rng = o->seed;
	s->fail_first = o->fail_first;
	s->stall_first = o->stall_first;
	s->drop_first = o->drop_first;
	s->busy_first = o->busy_first;
	s->reset_first = o->reset_first;
	if (failed) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	rc = file_read(&s->cert, &n, o->cert_file, 1u << 20, err);
	if (rc == 0)
		rc = file_read(&s->key, &n, o->key_file, 1u << 20, err);
	if (rc == 0 && o->client_ca_file)
		rc = file_read(&s->trust, &n, o->client_ca_file, 1u << 20, err);
	if (rc)
		goto out;
	if (o->require_client_cert) {
		void *sym = dlsym(RTLD_DEFAULT, "gnutls_certificate_verify_peers2");
		if (!sym) {
			rc = ulf_err_set(err, ULF_ERROR,
					 "erp-sim: cannot check client certificates: GnuTLS's verify function is not loaded");
			goto out;
		}
		memcpy(&s->verify, &sym, sizeof(s->verify));
	}
	s->log_fd = open(s->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (s->log_fd < 0) {
		rc = ulf_err_set(err, ULF_EIO, "erp-sim: %s: %s", s->log_path, strerror(errno));
		goto out;
	}
	if (s->payloads_path) {
		s->payloads_fd = open(s->payloads_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
				      0600);
		if (s->payloads_fd < 0) {
			rc = ulf_err_set(err, ULF_EIO, "erp-sim: %s: %s", s->payloads_path,
					 strerror(errno));
			goto out;
		}
	}
	rc = load_log(s, err);
	if (rc)
		goto out;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(o->port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);   /* loopback only, always */
	if (o->verbose)
		flags |= MHD_USE_ERROR_LOG;
	s->d = s->trust
		? MHD_start_daemon(flags, o->port, NULL, NULL, on_request, s,
				   MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
				   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				   MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				   MHD_OPTION_CONNECTION_TIMEOUT, 30u,
				   MHD_OPTION_CONNECTION_LIMIT, 64u,
				   MHD_OPTION_HTTPS_MEM_CERT, s->cert,
				   MHD_OPTION_HTTPS_MEM_KEY, s->key,
				   MHD_OPTION_HTTPS_MEM_TRUST, s->trust, MHD_OPTION_END)
		: MHD_start_daemon(flags, o->port, NULL, NULL, on_request, s,
				   MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
				   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				   MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				   MHD_OPTION_CONNECTION_TIMEOUT, 30u,
				   MHD_OPTION_CONNECTION_LIMIT, 64u,
				   MHD_OPTION_HTTPS_MEM_CERT, s->cert,
				   MHD_OPTION_HTTPS_MEM_KEY, s->key, MHD_OPTION_END);
	if (!s->d) {
		rc = ulf_err_set(err, ULF_ENET,
				 "erp-sim: cannot serve HTTPS on 127.0.0.1:%u (port taken, or the certificate and key do not load)",
				 o->port);
		goto out;
	}
	*out = s;
	s = NULL;
out:
	erpsim_stop(s);
	return rc;
}
