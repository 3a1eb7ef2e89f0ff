/*
 * erp.c - the ERP client on libcurl.  See erp.h; docs/erp.md describes the
 * protocol.  The only file that includes <curl/curl.h>.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "connectors/erp.h"
#include "core/digest.h"
#include "core/fileio.h"
#include "core/json.h"

#define BODY_MAX (1u << 20)          /* bytes of an answer kept; the rest is read and dropped */
#define SECRET_MAX (64u << 10)
#define TOKEN_MAX 8192
#define USER_AGENT "ulf/0.1"

typedef struct body {
	char *data;
	size_t len, cap;
} body;

/* One request's handle and what comes back on it.  A client has one lane
 * per request it keeps in flight (erp_config.connections); lane 0 also
 * serves tokens and single posts. */
typedef struct lane {
	CURL *h;
	body resp;
	bool replayed;               /* the answer had Idempotent-Replayed: true */
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdrs;     /* of the request in flight */
	char *auth;
	CURLcode result;             /* how it ended (erp_post_many) */
} lane;

#define LANES_MAX 64

struct erp_client {
	lane *lanes;
	size_t nlanes;
	CURLM *multi;                /* drives the lanes at once */
	char *url, *ca_file, *client_cert, *client_key;
	char *token_url, *client_id, *client_secret, *scope;
	char *lookup_url;
	char *supplier_url;        /* the supplier register; NULL: none */
	long timeout_ms, connect_timeout_ms;
	/* the cached access token */
	char *token;
	int64_t token_renew_at;      /* monotonic ms: fetch a new one from here on */
};

const char *erp_outcome_name(erp_outcome o)
{
	switch (o) {
	case ERP_ACCEPTED: return "accepted";
	case ERP_REJECTED: return "rejected";
	case ERP_RETRY:    return "retry";
	case ERP_FAILED:   return "failed";
	}
	return "unknown";
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool empty(const char *s)
{
	return !s || !*s;
}

static bool is_https(const char *url)
{
	return url && strncasecmp(url, "https://", 8) == 0 && url[8];
}

/* A copy of s, or NULL for NULL/""; *failed set when memory ran out. */
static char *dup_opt(const char *s, bool *failed)
{
	char *d;

	if (empty(s))
		return NULL;
	d = strdup(s);
	if (!d)
		*failed = true;
	return d;
}

/*
 * Copies text for a message: at most n-1 bytes, cut on a UTF-8 boundary,
 * control characters (NUL included) turned into spaces unless keep_lines
 * (then LF and TAB stay), leading and trailing white space dropped.
 */
static void copy_text(char *dst, size_t n, const char *src, size_t len, bool keep_lines)
{
	size_t i, o = 0;

	while (len && isspace((unsigned char)*src))
		src++, len--;
	while (len && isspace((unsigned char)src[len - 1]))
		len--;
	if (len > n - 1) {
		len = n - 1;
		while (len && ((unsigned char)src[len] & 0xC0) == 0x80)
			len--;   /* do not cut a character in two */
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c < 0x20 || c == 0x7f)
			c = (keep_lines && (c == '\n' || c == '\t')) ? c : ' ';
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	body *b = arg;
	size_t n = size * nmemb, take = n;

	/* past the cap the answer is read but not kept, so the status is known */
	if (b->len + take > BODY_MAX)
		take = BODY_MAX - b->len;
	if (take && b->len + take + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *nd;
		while (cap < b->len + take + 1)
			cap *= 2;
		nd = realloc(b->data, cap);
		if (!nd)
			return 0;    /* curl reports CURLE_WRITE_ERROR */
		b->data = nd;
		b->cap = cap;
	}
	if (take) {
		memcpy(b->data + b->len, data, take);
		b->len += take;
		b->data[b->len] = '\0';
	}
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	lane *c = arg;
	size_t n = size * nmemb;
	static const char name[] = "idempotent-replayed:";
	size_t k = sizeof(name) - 1, i;

	if (n > k && strncasecmp(data, name, k) == 0) {
		for (i = k; i < n && (data[i] == ' ' || data[i] == '\t'); i++)
			;
		c->replayed = n - i >= 4 && strncasecmp(data + i, "true", 4) == 0;
	}
	return n;
}

void erp_client_free(erp_client *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; c->lanes && i < c->nlanes; i++) {
		if (c->lanes[i].h)
			curl_easy_cleanup(c->lanes[i].h);
		free(c->lanes[i].resp.data);
	}
	free(c->lanes);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	free(c->url);
	free(c->ca_file);
	free(c->client_cert);
	free(c->client_key);
	free(c->token_url);
	free(c->client_id);
	if (c->client_secret) {
		explicit_bzero(c->client_secret, strlen(c->client_secret));
		free(c->client_secret);
	}
	free(c->scope);
	free(c->lookup_url);
	free(c->supplier_url);
	if (c->token) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
	}
	free(c);
	curl_global_cleanup();   /* reference counted: balances erp_client_new */
}

static int check_readable(const char *path, const char *what, ulf_err *err)
{
	if (!empty(path) && access(path, R_OK) != 0)
		return ulf_err_set(err, ULF_EIO, "erp: %s '%s': %s", what, path, strerror(errno));
	return 0;
}

static int read_secret(erp_client *c, const char *path, ulf_err *err)
{
	char *text = NULL;
	size_t len, n;
	int rc;

	rc = file_read(&text, &len, path, SECRET_MAX, err);
	if (rc)
		return rc;
	n = strcspn(text, "\r\n");     /* the first line is the secret */
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n == 0) {
		rc = ulf_err_set(err, ULF_EINVAL, "erp: client secret file '%s' is empty", path);
		goto out;
	}
	c->client_secret = strndup(text, n);
	if (!c->client_secret)
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
out:
	explicit_bzero(text, len);
	free(text);
	return rc;
}

int erp_client_new(erp_client **out, const erp_config *cfg, ulf_err *err)
{
	erp_client *c;
	bool failed = false;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!is_https(cfg->url))
		return ulf_err_set(err, ULF_EINVAL, "erp: the URL must be https://...: '%s'",
				   cfg->url ? cfg->url : "");
	if (!empty(cfg->token_url) && !is_https(cfg->token_url))
		return ulf_err_set(err, ULF_EINVAL, "erp: the token URL must be https://...: '%s'",
				   cfg->token_url);
	if (!empty(cfg->supplier_url) && !is_https(cfg->supplier_url))
		return ulf_err_set(err, ULF_EINVAL,
				   "erp: the supplier register URL must be https://...: '%s'",
				   cfg->supplier_url);
	if (!empty(cfg->lookup_url) && !is_https(cfg->lookup_url))
		return ulf_err_set(err, ULF_EINVAL, "erp: the lookup URL must be https://...: '%s'",
				   cfg->lookup_url);
	if (!empty(cfg->token_url) && (empty(cfg->client_id) || empty(cfg->client_secret_file)))
		return ulf_err_set(err, ULF_EINVAL,
				   "erp: a token URL needs a client id and a client secret file");
	if (empty(cfg->client_cert) && !empty(cfg->client_key))
		return ulf_err_set(err, ULF_EINVAL, "erp: a client key needs a client certificate");
	if (cfg->timeout_ms < 0 || cfg->connect_timeout_ms < 0)
		return ulf_err_set(err, ULF_EINVAL, "erp: timeouts cannot be negative");
	rc = check_readable(cfg->ca_file, "CA file", err);
	if (rc == 0)
		rc = check_readable(cfg->client_cert, "client certificate", err);
	if (rc == 0)
		rc = check_readable(cfg->client_key, "client key", err);
	if (rc)
		return rc;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return ulf_err_set(err, ULF_ERROR, "erp: libcurl would not initialise");
	c = calloc(1, sizeof(*c));
	if (!c) {
		curl_global_cleanup();
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	c->url = dup_opt(cfg->url, &failed);
	c->ca_file = dup_opt(cfg->ca_file, &failed);
	c->client_cert = dup_opt(cfg->client_cert, &failed);
	c->client_key = dup_opt(cfg->client_key, &failed);
	c->token_url = dup_opt(cfg->token_url, &failed);
	c->client_id = dup_opt(cfg->client_id, &failed);
	c->scope = dup_opt(cfg->scope, &failed);
	c->lookup_url = dup_opt(cfg->lookup_url, &failed);
	c->supplier_url = dup_opt(cfg->supplier_url, &failed);
	c->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 30000;
	c->connect_timeout_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms
			      : c->timeout_ms < 10000 ? c->timeout_ms : 10000;
	c->nlanes = cfg->connections ? cfg->connections : 1;
	if (c->nlanes > LANES_MAX)
		c->nlanes = LANES_MAX;
	c->lanes = calloc(c->nlanes, sizeof(*c->lanes));
	c->multi = curl_multi_init();
	for (i = 0; c->lanes && i < c->nlanes; i++)
		if (!(c->lanes[i].h = curl_easy_init()))
			failed = true;
	if (failed || !c->lanes || !c->multi) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	if (c->token_url) {
		rc = read_secret(c, cfg->client_secret_file, err);
		if (rc)
			goto out;
	}
	*out = c;
	c = NULL;
out:
	erp_client_free(c);
	return rc;
}

/* Options every request has: TLS, timeouts, where the answer goes. */
static int setup(erp_client *c, lane *l, const char *url, ulf_err *err)
{
	CURL *h = l->h;
	CURLcode e = CURLE_OK;

	curl_easy_reset(h);     /* keeps the connection and TLS session caches */
	l->resp.len = 0;
	if (l->resp.data)
		l->resp.data[0] = '\0';
	l->replayed = false;
	l->errbuf[0] = '\0';
#define SET(opt, val) do { if (e == CURLE_OK) e = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (c->ca_file)
		SET(CURLOPT_CAINFO, c->ca_file);
	if (c->client_cert) {
		SET(CURLOPT_SSLCERT, c->client_cert);
		SET(CURLOPT_SSLCERTTYPE, "PEM");
	}
	if (c->client_key) {
		SET(CURLOPT_SSLKEY, c->client_key);
		SET(CURLOPT_SSLKEYTYPE, "PEM");
	}
	SET(CURLOPT_TIMEOUT_MS, c->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	SET(CURLOPT_ERRORBUFFER, l->errbuf);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, &l->resp);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, l);
	SET(CURLOPT_USERAGENT, USER_AGENT);
#undef SET
	if (e != CURLE_OK)
		return ulf_err_set(err, e == CURLE_OUT_OF_MEMORY ? ULF_ENOMEM : ULF_ERROR,
				   "erp: libcurl refused an option: %s", curl_easy_strerror(e));
	return 0;
}

/*
 * A transport failure (no HTTP answer): which outcome it is.  Failures
 * that retrying cannot mend - certificates, TLS verification, the URL -
 * are ERP_FAILED; the rest (connect, resolve, timeouts, a connection
 * dropped mid-way, a handshake broken off) are worth another try.
 */
static erp_outcome transport_outcome(CURLcode e)
{
	switch (e) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_USE_SSL_FAILED:
	case CURLE_TOO_MANY_REDIRECTS:
		return ERP_FAILED;
	default:
		return ERP_RETRY;
	}
}

/*
 * Whether the server broke off TLS over our certificate or the session's
 * terms: OpenSSL names the alert it got ("tlsv13 alert certificate
 * required", "tlsv1 alert unknown ca", "sslv3 alert handshake failure").
 * Retrying cannot mend those; the set-up can.  With TLS 1.3 a refused
 * client certificate shows only at the first read, after the request
 * went out, so the code alone (35, 56) cannot tell.
 */
static bool tls_refused(const char *errbuf)
{
	static const char *const alerts[] = {
		"alert certificate required", "alert bad certificate", "alert unknown ca",
		"alert certificate unknown", "alert certificate revoked",
		"alert certificate expired", "alert unsupported certificate",
		"alert access denied", "alert handshake failure", "alert protocol version",
		"alert insufficient security",
	};
	size_t i;

	for (i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
		if (strstr(errbuf, alerts[i]))
			return true;
	return false;
}

static void transport_message(erp_result *out, lane *l, const char *what, CURLcode e)
{
	snprintf(out->message, sizeof(out->message), "%s: %s (curl error %d)", what,
		 l->errbuf[0] ? l->errbuf : curl_easy_strerror(e), (int)e);
}

/* The ERP's own words from an answer: problem+json detail or title, or a
 * message / error_description / error member, or the text itself. */
static void answer_message(char *dst, size_t n, const body *b, int status)
{
	static const char *const keys[] = { "detail", "title", "message", "error_description",
					    "error" };
	ujson *j = NULL;
	ulf_err err;
	size_t i;

	dst[0] = '\0';
	ulf_err_clear(&err);
	if (b->len && ujson_parse(&j, b->data, b->len, "answer", &err) == 0) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && !dst[0]; i++) {
			const char *s = ujson_get_str(j, keys[i]);
			if (s && *s)
				copy_text(dst, n, s, strlen(s), false);
		}
		ujson_free(j);
		if (dst[0])
			return;
	}
	if (b->len)
		copy_text(dst, n, b->data, b->len, false);
	if (!dst[0])
		snprintf(dst, n, "HTTP %d with no message", status);
}

/* The voucher id from an accepted answer: "voucher_id", a string or a number. */
static void answer_voucher(char *dst, size_t n, const body *b)
{
	ujson *j = NULL, *v;
	ulf_err err;

	dst[0] = '\0';
	ulf_err_clear(&err);
	if (!b->len || ujson_parse(&j, b->data, b->len, "answer", &err) != 0)
		return;
	v = ujson_get(j, "voucher_id");
	if (ujson_str_value(v))
		copy_text(dst, n, ujson_str_value(v), strlen(ujson_str_value(v)), false);
	else if (ujson_get_int(j, "voucher_id", -1) >= 0)
		snprintf(dst, n, "%lld", (long long)ujson_get_int(j, "voucher_id", -1));
	ujson_free(j);
}

/* Token characters that may go in a header as they are (RFC 6750 b64token
 * is stricter; anything visible ASCII is let through). */
static bool token_ok(const char *t)
{
	size_t n = 0;

	for (; *t; t++, n++)
		if (*t < 0x21 || *t > 0x7e)
			return false;
	return n > 0 && n < TOKEN_MAX;
}

static void drop_token(erp_client *c)
{
	if (c->token) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
		c->token = NULL;
	}
}

static void add_header(struct curl_slist **list, const char *h, bool *failed)
{
	struct curl_slist *n;

	if (*failed)
		return;
	n = curl_slist_append(*list, h);
	if (n)
		*list = n;
	else
		*failed = true;
}

/* a, then b and c when not NULL, in one string of exactly their length
 * (malloc'd); NULL when out of memory. */
static char *text_join(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = b ? strlen(b) : 0, lc = c ? strlen(c) : 0;
	char *s = malloc(la + lb + lc + 1);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	if (lb)
		memcpy(s + la, b, lb);
	if (lc)
		memcpy(s + la + lb, c, lc);
	s[la + lb + lc] = '\0';
	return s;
}

/*
 * Fetches an access token (RFC 6749 4.4, client authentication by HTTP
 * Basic as 2.3.1 asks).  Returns 0 with the token cached, 0 with
 * out->outcome set when the token endpoint did not give one (RETRY or
 * FAILED), or a negative code.
 */
static int fetch_token(erp_result *out, erp_client *c, bool *got, ulf_err *err)
{
	char *id = NULL, *secret = NULL, *scope = NULL, *form = NULL;
	struct curl_slist *hdrs = NULL;
	bool failed = false;
	ujson *j = NULL;
	ulf_err perr;
	const char *tok, *type;
	int64_t ttl, now;
	long status = 0;
	lane *l = &c->lanes[0];
	CURLcode e;
	int rc;

	*got = false;
	rc = setup(c, l, c->token_url, err);
	if (rc)
		return rc;
	/* the client id and secret are form-encoded before Basic (RFC 6749 2.3.1) */
	id = curl_easy_escape(l->h, c->client_id, 0);
	secret = curl_easy_escape(l->h, c->client_secret, 0);
	if (c->scope)
		scope = curl_easy_escape(l->h, c->scope, 0);
	form = text_join("grant_type=client_credentials", scope ? "&scope=" : NULL, scope);
	add_header(&hdrs, "Accept: application/json", &failed);
	if (!id || !secret || (c->scope && !scope) || !form || failed) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	if (curl_easy_setopt(l->h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) ||
	    curl_easy_setopt(l->h, CURLOPT_USERNAME, id) ||
	    curl_easy_setopt(l->h, CURLOPT_PASSWORD, secret) ||
	    curl_easy_setopt(l->h, CURLOPT_HTTPHEADER, hdrs) ||
	    curl_easy_setopt(l->h, CURLOPT_POSTFIELDS, form)) {
		rc = ulf_err_set(err, ULF_ENOMEM, "erp: libcurl refused an option");
		goto out;
	}
	e = curl_easy_perform(l->h);
	/* the credentials do not stay in the handle */
	curl_easy_setopt(l->h, CURLOPT_USERNAME, NULL);
	curl_easy_setopt(l->h, CURLOPT_PASSWORD, NULL);
	if (e == CURLE_OUT_OF_MEMORY) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	if (e != CURLE_OK) {
		out->outcome = tls_refused(l->errbuf) ? ERP_FAILED : transport_outcome(e);
		transport_message(out, l, "erp: token endpoint", e);
		goto out;
	}
	curl_easy_getinfo(l->h, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		char msg[ERP_MESSAGE_MAX - 64];
		answer_message(msg, sizeof(msg), &l->resp, (int)status);
		/* 400/401 are invalid_client and friends: the credentials are wrong */
		out->outcome = status >= 500 || status == 408 || status == 429 ? ERP_RETRY
			     : ERP_FAILED;
		out->http_status = (int)status;
		snprintf(out->message, sizeof(out->message),
			 "erp: the token endpoint answered %ld: %s", status, msg);
		goto out;
	}
	ulf_err_clear(&perr);
	if (ujson_parse(&j, l->resp.data ? l->resp.data : "", l->resp.len, "token answer",
			&perr) != 0 ||
	    !(tok = ujson_get_str(j, "access_token")) || !token_ok(tok) ||
	    !(type = ujson_get_str(j, "token_type")) || strcasecmp(type, "bearer") != 0) {
		out->outcome = ERP_FAILED;
		snprintf(out->message, sizeof(out->message),
			 "erp: the token endpoint's answer holds no usable bearer token%s%s",
			 perr.code ? ": " : "", perr.msg);
		goto out;
	}
	/* no expires_in: assume five minutes (RFC 6749 leaves it to the server) */
	ttl = ujson_get_int(j, "expires_in", 300);
	if (ttl < 1)
		ttl = 1;
	if (ttl > 86400 * 365)
		ttl = 86400 * 365;
	drop_token(c);
	c->token = strdup(tok);
	if (!c->token) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	/* renew before expiry: a fifth of the lifetime early, at most a minute */
	now = mono_ms();
	ttl *= 1000;
	c->token_renew_at = now + ttl - (ttl / 5 < 60000 ? ttl / 5 : 60000);
	*got = true;
out:
	ujson_free(j);
	curl_slist_free_all(hdrs);
	if (secret) {
		explicit_bzero(secret, strlen(secret));
		curl_free(secret);
	}
	curl_free(id);
	curl_free(scope);
	free(form);
	return rc;
}

/* What an HTTP status means for the posting (401 is handled before). */
static erp_outcome status_outcome(long status)
{
	if (status >= 200 && status <= 299)
		return ERP_ACCEPTED;
	if (status >= 500 || status == 408 || status == 409 || status == 425 || status == 429)
		return ERP_RETRY;
	switch (status) {
	case 401: case 403: case 404: case 405: case 406: case 407:
	case 411: case 413: case 414: case 415: case 431:
		return ERP_FAILED;
	}
	if (status >= 400)
		return ERP_REJECTED;
	return ERP_FAILED;  /* 1xx or 3xx: redirects are not followed */
}

static bool key_ok(const char *k)
{
	size_t n = 0;

	if (!k)
		return false;
	for (; *k; k++, n++)
		if (*k < 0x20 || *k > 0x7e || *k == '"' || *k == '\\')
			return false;
	return n > 0 && n < ERP_IDEM_KEY_MAX;
}

/* A POST of the payload with the current token, made ready on lane l;
 * release_post frees what it holds once the request is over. */
static int prepare_post_to(erp_client *c, lane *l, const char *url, const char *idem_key,
			   const char *json, ulf_err *err)
{
	char line[ERP_IDEM_KEY_MAX + 32];
	bool failed = false;
	int rc;

	rc = setup(c, l, url, err);
	if (rc)
		return rc;
	snprintf(line, sizeof(line), "Idempotency-Key: \"%s\"", idem_key);
	if (c->token)
		l->auth = text_join("Authorization: Bearer ", c->token, NULL);
	add_header(&l->hdrs, "Content-Type: application/json", &failed);
	add_header(&l->hdrs, "Accept: application/json, application/problem+json", &failed);
	add_header(&l->hdrs, "Expect:", &failed);   /* no 100-continue round trip */
	add_header(&l->hdrs, line, &failed);
	if (c->token)
		add_header(&l->hdrs, l->auth ? l->auth : "", &failed);
	if (failed || (c->token && !l->auth))
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	if (curl_easy_setopt(l->h, CURLOPT_HTTPHEADER, l->hdrs) ||
	    curl_easy_setopt(l->h, CURLOPT_POSTFIELDS, json) ||
	    curl_easy_setopt(l->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json)))
		return ulf_err_set(err, ULF_ENOMEM, "erp: libcurl refused an option");
	return 0;
}

static int prepare_post(erp_client *c, lane *l, const char *idem_key, const char *json,
			ulf_err *err)
{
	return prepare_post_to(c, l, c->url, idem_key, json, err);
}

static void release_post(lane *l)
{
	curl_slist_free_all(l->hdrs);
	l->hdrs = NULL;
	if (l->auth) {
		explicit_bzero(l->auth, strlen(l->auth));
		free(l->auth);
		l->auth = NULL;
	}
}

/* How the request on lane l ended: its HTTP status, or 0 with the outcome
 * of a transport failure in *out. */
static int transport(erp_result *out, long *status, lane *l, CURLcode e, ulf_err *err)
{
	long sent = 0;

	*status = 0;
	if (e == CURLE_OUT_OF_MEMORY || e == CURLE_WRITE_ERROR)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory reading the ERP's answer");
	if (e != CURLE_OK) {
		out->outcome = tls_refused(l->errbuf) ? ERP_FAILED : transport_outcome(e);
		transport_message(out, l, "erp", e);
		/* bytes of the request written to the connection: none, and the
		 * ERP cannot have seen it (no connection, a TLS handshake that
		 * failed); some, and it may have booked it before the silence */
		if (out->outcome == ERP_RETRY &&
		    curl_easy_getinfo(l->h, CURLINFO_REQUEST_SIZE, &sent) == CURLE_OK && sent > 0)
			out->unknown = true;
		return 0;
	}
	curl_easy_getinfo(l->h, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

/* An HTTP answer on lane l, classified into *out. */
static void answered(erp_result *out, erp_client *c, lane *l, long status)
{
	curl_off_t ra = 0;

	out->http_status = (int)status;
	out->replayed = l->replayed;
	out->outcome = status_outcome(status);
	/* the ERP is still processing this key: it may be booking it now */
	out->unknown = status == 409;
	if (l->resp.len)
		copy_text(out->response, sizeof(out->response), l->resp.data, l->resp.len, true);
	if (out->outcome == ERP_ACCEPTED) {
		answer_voucher(out->voucher_id, sizeof(out->voucher_id), &l->resp);
		return;
	}
	if (status != 401) {
		answer_message(out->message, sizeof(out->message), &l->resp, (int)status);
	} else {
		char m[ERP_MESSAGE_MAX - 96];
		answer_message(m, sizeof(m), &l->resp, (int)status);
		snprintf(out->message, sizeof(out->message), "%s: %s",
			 c->token_url ? "the ERP refused a fresh token"
				      : "the ERP asks for a token and no token URL is configured", m);
		drop_token(c);
	}
	if (out->outcome == ERP_RETRY &&
	    curl_easy_getinfo(l->h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		out->retry_after_ms = ra > ERP_RETRY_AFTER_MAX_MS / 1000 ? ERP_RETRY_AFTER_MAX_MS
				    : (long)ra * 1000;
}

static int check_request(erp_result *out, const char *idem_key, const char *json_payload,
			 ulf_err *err)
{
	memset(out, 0, sizeof(*out));
	out->retry_after_ms = -1;
	if (!key_ok(idem_key))
		return ulf_err_set(err, ULF_EINVAL,
				   "erp: the idempotency key must be 1-%d printable ASCII characters without quotes or backslashes",
				   ERP_IDEM_KEY_MAX - 1);
	if (!json_payload || !*json_payload)
		return ulf_err_set(err, ULF_EINVAL, "erp: empty payload");
	return 0;
}

/* A token when one is configured and the cached one is missing or due;
 * false with out->outcome set when none could be had. */
static int ensure_token(erp_result *out, bool *ok, erp_client *c, ulf_err *err)
{
	*ok = true;
	if (!c->token_url || (c->token && mono_ms() < c->token_renew_at))
		return 0;
	return fetch_token(out, c, ok, err);
}

/* One POST to `url` on the first lane, a fresh token once on a 401. */
static int post_to(erp_result *out, erp_client *c, const char *url, const char *idem_key,
		   const char *json_payload, ulf_err *err)
{
	lane *l = &c->lanes[0];
	bool renewed = false, ok;
	long status = 0;
	int rc;

	rc = check_request(out, idem_key, json_payload, err);
	if (rc)
		return rc;
	for (;;) {
		if (c->token_url && (!c->token || mono_ms() >= c->token_renew_at)) {
			rc = fetch_token(out, c, &ok, err);
			if (rc || !ok)
				return rc;
			renewed = true;
		}
		rc = prepare_post_to(c, l, url, idem_key, json_payload, err);
		if (rc == 0)
			rc = transport(out, &status, l, curl_easy_perform(l->h), err);
		release_post(l);
		if (rc || status == 0)
			return rc;
		if (status != 401 || !c->token_url || renewed)
			break;
		/* the ERP no longer takes our token (revoked, restarted): one fresh one */
		drop_token(c);
	}
	answered(out, c, l, status);
	return 0;
}

int erp_post(erp_result *out, erp_client *c, const char *idem_key, const char *json_payload,
	     ulf_err *err)
{
	return post_to(out, c, c->url, idem_key, json_payload, err);
}

bool erp_can_register_suppliers(const erp_client *c)
{
	return c && c->supplier_url;
}

int erp_supplier_register(erp_result *out, erp_client *c, const char *idem_key,
			  const char *json_payload, ulf_err *err)
{
	if (!erp_can_register_suppliers(c)) {
		memset(out, 0, sizeof(*out));
		out->retry_after_ms = -1;
		return ulf_err_set(err, ULF_EINVAL, "erp: no supplier register URL is configured");
	}
	return post_to(out, c, c->supplier_url, idem_key, json_payload, err);
}

/* Runs the requests added to the client's multi handle to their ends. */
static int run_multi(erp_client *c, size_t k, ulf_err *err)
{
	CURLMsg *msg;
	int running = 1, left;
	size_t i;

	while (running) {
		if (curl_multi_perform(c->multi, &running) != CURLM_OK)
			return ulf_err_set(err, ULF_ENET, "erp: libcurl's multi interface failed");
		if (running && curl_multi_poll(c->multi, NULL, 0, 1000, NULL) != CURLM_OK)
			return ulf_err_set(err, ULF_ENET, "erp: libcurl's multi interface failed");
	}
	while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		for (i = 0; i < k; i++)
			if (c->lanes[i].h == msg->easy_handle)
				c->lanes[i].result = msg->data.result;
	}
	return 0;
}

int erp_post_many(erp_result *out, int *rcs, erp_client *c, const char *const *keys,
		  const char *const *payloads, size_t n, ulf_err *err)
{
	erp_result tok;
	size_t start, k, i;
	bool ok;
	int rc;

	for (i = 0; i < n; i++)
		rcs[i] = check_request(&out[i], keys[i], payloads[i], NULL);
	rc = ensure_token(&tok, &ok, c, err);
	if (rc || !ok) {
		/* no token, no posting: each gets the token endpoint's outcome */
		for (i = 0; i < n; i++) {
			if (rc)
				rcs[i] = rc;
			else if (rcs[i] == 0)
				out[i] = tok;
		}
		return rc;
	}
	for (start = 0; start < n; start += k) {
		k = n - start < c->nlanes ? n - start : c->nlanes;
		for (i = 0; i < k; i++) {
			lane *l = &c->lanes[i];
			l->result = CURLE_OK;
			if (rcs[start + i])
				continue;
			rcs[start + i] = prepare_post(c, l, keys[start + i], payloads[start + i], NULL);
			if (rcs[start + i] == 0 &&
			    curl_multi_add_handle(c->multi, l->h) != CURLM_OK)
				rcs[start + i] = ULF_ENOMEM;
		}
		rc = run_multi(c, k, err);
		for (i = 0; i < k; i++) {
			lane *l = &c->lanes[i];
			erp_result *o = &out[start + i];
			long status = 0;

			if (rcs[start + i] == 0) {
				curl_multi_remove_handle(c->multi, l->h);
				rcs[start + i] = rc ? rc : transport(o, &status, l, l->result, NULL);
			}
			release_post(l);
			if (rcs[start + i] || status == 0)
				continue;
			if (status == 401 && c->token_url)
				/* a fresh token and once more, as erp_post does */
				rcs[start + i] = erp_post(o, c, keys[start + i], payloads[start + i], NULL);
			else
				answered(o, c, l, status);
		}
		if (rc)
			return rc;
	}
	return 0;
}

bool erp_can_lookup(const erp_client *c)
{
	return c && c->lookup_url;
}

/* A lookup's 200 answer (erp.h: erp_lookup) read into *state and *out. */
static void lookup_answer(erp_key_state *state, erp_result *out, const body *b)
{
	ujson *j = NULL;
	const ujson *ans;
	const char *st = NULL;
	char *text = NULL;
	body inner;
	ulf_err perr;
	bool booked;
	long status;

	*state = ERP_KEY_UNKNOWN;
	ulf_err_clear(&perr);
	if (b->len)
		(void)ujson_parse(&j, b->data, b->len, "lookup answer", &perr);
	st = j ? ujson_get_str(j, "state") : NULL;
	if (st && strcmp(st, "unseen") == 0) {
		*state = ERP_KEY_UNSEEN;
		goto out;
	}
	if (st && strcmp(st, "in_process") == 0) {
		out->outcome = ERP_RETRY;
		out->unknown = true;
		snprintf(out->message, sizeof(out->message),
			 "erp: the ERP is still processing this key (lookup)");
		goto out;
	}
	booked = st && strcmp(st, "booked") == 0;
	if (!booked && !(st && strcmp(st, "rejected") == 0)) {
		out->outcome = ERP_FAILED;
		snprintf(out->message, sizeof(out->message),
			 "erp: the lookup's answer is not one docs/erp.md describes%s%s",
			 perr.code ? ": " : "", perr.msg);
		goto out;
	}
	ans = ujson_get(j, "answer");
	text = ans ? ujson_dump(ans, UJSON_COMPACT) : NULL;
	inner.data = text;
	inner.len = text ? strlen(text) : 0;
	inner.cap = 0;
	status = (long)ujson_get_int(j, "status", booked ? 201 : 422);
	*state = ERP_KEY_ANSWERED;
	out->http_status = (int)status;
	out->replayed = true;
	if (inner.len)
		copy_text(out->response, sizeof(out->response), inner.data, inner.len, true);
	if (booked) {
		out->outcome = ERP_ACCEPTED;
		answer_voucher(out->voucher_id, sizeof(out->voucher_id), &inner);
	} else {
		out->outcome = ERP_REJECTED;
		answer_message(out->message, sizeof(out->message), &inner, (int)status);
	}
out:
	free(text);
	ujson_free(j);
}

int erp_lookup(erp_key_state *state, erp_result *out, erp_client *c, const char *idem_key,
	       ulf_err *err)
{
	lane *l = &c->lanes[0];
	struct curl_slist *hdrs = NULL;
	char *url = NULL, *auth = NULL;
	bool renewed = false, ok, failed;
	long status = 0;
	int rc;

	*state = ERP_KEY_UNKNOWN;
	rc = check_request(out, idem_key, "-", err);
	if (rc)
		return rc;
	if (!c->lookup_url)
		return ulf_err_set(err, ULF_EINVAL, "erp: no lookup URL is configured");
	/* the key is printable ASCII without quotes; escaped all the same */
	{
		char *k = curl_easy_escape(l->h, idem_key, 0);
		if (k)
			url = text_join(c->lookup_url, strchr(c->lookup_url, '?')
					? "&idempotency_key=" : "?idempotency_key=", k);
		curl_free(k);
	}
	if (!url)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	for (;;) {
		if (c->token_url && (!c->token || mono_ms() >= c->token_renew_at)) {
			rc = fetch_token(out, c, &ok, err);
			if (rc || !ok)
				goto out;
			renewed = true;
		}
		rc = setup(c, l, url, err);
		if (rc)
			goto out;
		failed = false;
		if (c->token)
			auth = text_join("Authorization: Bearer ", c->token, NULL);
		add_header(&hdrs, "Accept: application/json, application/problem+json", &failed);
		if (c->token)
			add_header(&hdrs, auth ? auth : "", &failed);
		if (failed || (c->token && !auth) ||
		    curl_easy_setopt(l->h, CURLOPT_HTTPHEADER, hdrs) ||
		    curl_easy_setopt(l->h, CURLOPT_HTTPGET, 1L))
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		if (rc == 0)
			rc = transport(out, &status, l, curl_easy_perform(l->h), err);
		curl_slist_free_all(hdrs);
		hdrs = NULL;
		if (auth) {
			explicit_bzero(auth, strlen(auth));
			free(auth);
			auth = NULL;
		}
		out->unknown = false;   /* a lookup books nothing */
		if (rc || status == 0)
			goto out;
		if (status != 401 || !c->token_url || renewed)
			break;
		drop_token(c);
	}
	if (status == 200) {
		lookup_answer(state, out, &l->resp);
		goto out;
	}
	answered(out, c, l, status);
	out->unknown = false;
	if (out->outcome != ERP_RETRY) {
		/* a lookup answers 200; anything else means it is not there */
		char m[ERP_MESSAGE_MAX - 64];
		snprintf(m, sizeof(m), "%.900s", out->message);
		out->outcome = ERP_FAILED;
		snprintf(out->message, sizeof(out->message), "erp: the lookup answered %ld%s%s",
			 status, m[0] ? ": " : "", m);
	}
out:
	free(url);
	return rc;
}

int erp_idempotency_key(char out[ERP_IDEM_KEY_MAX], const char *seller_id,
			const char *type_code, const char *invoice_number,
			const char *issue_date, unsigned revision, ulf_err *err)
{
	char hex[DIGEST_HEX_LEN + 1], *text;
	size_t n;
	int rc;

	out[0] = '\0';
	if (empty(seller_id) || empty(type_code) || empty(invoice_number) || empty(issue_date))
		return ulf_err_set(err, ULF_EINVAL,
				   "erp: an idempotency key needs seller, type code, invoice number and issue date");
	/* length-prefixed fields: no two different invoices give the same text */
	n = strlen(seller_id) + strlen(type_code) + strlen(invoice_number) +
	    strlen(issue_date) + 128;
	text = malloc(n);
	if (!text)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	snprintf(text, n, "ulf-erp-posting/1|%zu:%s|%zu:%s|%zu:%s|%zu:%s|%u",
		 strlen(seller_id), seller_id, strlen(type_code), type_code,
		 strlen(invoice_number), invoice_number, strlen(issue_date), issue_date,
		 revision);
	rc = digest_sha256_hex(hex, text, strlen(text));
	free(text);
	if (rc)
		return ulf_err_set(err, rc, "erp: cannot compute the idempotency key");
	snprintf(out, ERP_IDEM_KEY_MAX, "ulf1-%s", hex);
	return 0;
}

long erp_backoff_ms(unsigned attempt, long base_ms, long cap_ms, uint64_t random)
{
	long ceiling, half;
	unsigned i;

	if (base_ms <= 0)
		return 0;
	if (cap_ms < base_ms)
		cap_ms = base_ms;
	ceiling = base_ms;
	for (i = 1; i < attempt && ceiling < cap_ms; i++)
		ceiling = ceiling > cap_ms / 2 ? cap_ms : ceiling * 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	half = ceiling / 2;
	return half + (long)(random % (uint64_t)(ceiling - half + 1));
}

long erp_retry_delay_ms(const erp_result *r, unsigned attempt, long base_ms, long cap_ms,
			uint64_t random)
{
	long d = erp_backoff_ms(attempt, base_ms, cap_ms, random), ra;

	if (r && r->retry_after_ms > 0) {
		ra = r->retry_after_ms > ERP_RETRY_AFTER_MAX_MS ? ERP_RETRY_AFTER_MAX_MS
								: r->retry_after_ms;
		if (ra > d)
			d = ra;
	}
	return d;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

int erp_post_with_retries(erp_result *out, unsigned *attempts, erp_client *c,
			  const char *idem_key, const char *json_payload,
			  const erp_retry_policy *p, ulf_err *err)
{
	uint64_t rng = p->seed;
	unsigned attempt;
	int rc = 0;

	if (attempts)
		*attempts = 0;
	if (p->max_attempts < 1)
		return ulf_err_set(err, ULF_EINVAL, "erp: at least one attempt is needed");
	if (rng == 0 && getrandom(&rng, sizeof(rng), 0) != (ssize_t)sizeof(rng))
		rng = (uint64_t)time(NULL) ^ (uint64_t)getpid();
	for (attempt = 1; attempt <= p->max_attempts; attempt++) {
		long wait;
		int64_t until;

		rc = erp_post(out, c, idem_key, json_payload, err);
		if (attempts)
			*attempts = attempt;
		if (rc || out->outcome != ERP_RETRY || attempt == p->max_attempts)
			break;
		wait = erp_retry_delay_ms(out, attempt, p->base_ms, p->cap_ms, splitmix64(&rng));
		until = mono_ms() + wait;
		/* sleep in short slices, so a stop request is seen promptly */
		while (!(p->stop && *p->stop)) {
			int64_t left = until - mono_ms();
			struct timespec ts;
			if (left <= 0)
				break;
			if (left > 50)
				left = 50;
			ts.tv_sec = 0;
			ts.tv_nsec = (long)left * 1000000L;
			nanosleep(&ts, NULL);
		}
		if (p->stop && *p->stop)
			break;
	}
	return rc;
}
