/*
 * config.c - the settings table and the file parser.  See config.h.
 *
 * To add a setting: a field in struct ulf_config and one row in `settings`.
 * Nothing else knows the list.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "robot/config/config.h"
#include "core/fileio.h"
#include "core/httpd.h"

typedef enum { T_STRING, T_INT, T_SIZE, T_DURATION } setting_type;

typedef struct setting {
	const char *name;
	setting_type type;
	size_t offset;          /* into struct ulf_config */
	size_t size;            /* of a string field */
	/* a string setting's allowed values, NULL-terminated; NULL: any */
	const char *const *choices;
	const char *dflt;       /* as written in a config file */
	bool reloadable;
	int (*validate)(const void *value, char *why, size_t n);
	const char *doc;
} setting;

/* Whether `value` is one of the setting's choices; why lists them if not. */
static int v_choice(const setting *st, const char *value, char *why, size_t n)
{
	size_t i, len;

	for (i = 0; st->choices[i]; i++)
		if (strcmp(st->choices[i], value) == 0)
			return 0;
	len = (size_t)snprintf(why, n, "must be ");
	for (i = 0; st->choices[i] && len < n; i++)
		len += (size_t)snprintf(why + len, n - len, "%s%s", st->choices[i],
					!st->choices[i + 1] ? "" : !st->choices[i + 2] ? " or " : ", ");
	return -1;
}

static int v_nonempty(const void *value, char *why, size_t n)
{
	if (*(const char *)value)
		return 0;
	snprintf(why, n, "must not be empty");
	return -1;
}

static int v_depth(const void *value, char *why, size_t n)
{
	long d = *(const long *)value;

	if (d >= 8 && d <= 1000)
		return 0;
	snprintf(why, n, "must be between 8 and 1000");
	return -1;
}

static int v_bytes(const void *value, char *why, size_t n)
{
	size_t b = *(const size_t *)value;

	if (b >= 1024 && b <= (size_t)1 << 31)
		return 0;
	snprintf(why, n, "must be between 1K and 2G");
	return -1;
}

static int v_listen(const void *value, char *why, size_t n)
{
	const char *s = value, *colon = strrchr(s, ':');
	char *end;
	long port;

	if (!*s)
		return 0;
	if (!colon || colon == s) {
		snprintf(why, n, "must be address:port, e.g. 127.0.0.1:8480");
		return -1;
	}
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535) {
		snprintf(why, n, "'%s' is not a port", colon + 1);
		return -1;
	}
	return 0;
}

static int v_wait_days(const void *value, char *why, size_t n)
{
	long d = *(const long *)value;

	if (d >= 1 && d <= 365)
		return 0;
	snprintf(why, n, "must be between 1 and 365 days");
	return -1;
}

static int v_https(const void *value, char *why, size_t n)
{
	const char *s = value;

	if (!*s || strncmp(s, "https://", 8) == 0)
		return 0;
	snprintf(why, n, "must be an https:// URL (or empty)");
	return -1;
}

static int v_ms(const void *value, char *why, size_t n)
{
	long v = *(const long *)value;

	if (v >= 10 && v <= 3600000)
		return 0;
	snprintf(why, n, "must be between 10 and 3600000 (milliseconds)");
	return -1;
}

static int v_attempts(const void *value, char *why, size_t n)
{
	long v = *(const long *)value;

	if (v >= 1 && v <= 100)
		return 0;
	snprintf(why, n, "must be between 1 and 100");
	return -1;
}

static int v_connections(const void *value, char *why, size_t n)
{
	long v = *(const long *)value;

	if (v >= 1 && v <= 32)
		return 0;
	snprintf(why, n, "must be between 1 and 32");
	return -1;
}

static int v_head_timeout(const void *value, char *why, size_t n)
{
	long v = *(const long *)value;

	if (v >= 1 && v <= 300)
		return 0;
	snprintf(why, n, "must be between 1 and 300 (seconds)");
	return -1;
}

static int v_minutes(const void *value, char *why, size_t n)
{
	long v = *(const long *)value;

	if (v >= 1 && v <= 7 * 24 * 60)
		return 0;
	snprintf(why, n, "must be between 1 and 10080 (minutes)");
	return -1;
}

static int v_web_connections(const void *value, char *why, size_t n)
{
	long v = *(const long *)value;

	if (v >= 1 && v <= 256)
		return 0;
	snprintf(why, n, "must be between 1 and 256");
	return -1;
}

/* An HTTP header name: letters, digits and '-'. */
static int v_header_name(const void *value, char *why, size_t n)
{
	const char *s = value;

	if (!*s)
		return 0;
	if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") ==
	    strlen(s))
		return 0;
	snprintf(why, n, "must be a header name (letters, digits, '-'), e.g. X-Remote-User");
	return -1;
}

static int v_addresses(const void *value, char *why, size_t n)
{
	if (httpd_addr_list_ok(value))
		return 0;
	snprintf(why, n, "must be IPv4 addresses or blocks (10.0.0.5, 10.1.0.0/16), "
		 "separated by commas");
	return -1;
}

static int v_window(const void *value, char *why, size_t n)
{
	long v = *(const long *)value;

	if (v >= 10 && v <= 90L * 86400)
		return 0;
	snprintf(why, n, "must be between 10s and 90d");
	return -1;
}

static int v_breaker(const void *value, char *why, size_t n)
{
	long v = *(const long *)value;

	if (v >= 1 && v <= 1000)
		return 0;
	snprintf(why, n, "must be between 1 and 1000");
	return -1;
}

static int v_rejections(const void *value, char *why, size_t n)
{
	long v = *(const long *)value;

	if (v == 0 || (v >= 2 && v <= 100))
		return 0;
	snprintf(why, n, "must be 0 (off) or between 2 and 100");
	return -1;
}

#define STR(f) T_STRING, offsetof(ulf_config, f), sizeof(((ulf_config *)0)->f), NULL
#define NUM(t, f) t, offsetof(ulf_config, f), 0, NULL
/* a string that must be one of the values listed */
#define ONE_OF(f, ...) T_STRING, offsetof(ulf_config, f), sizeof(((ulf_config *)0)->f), \
	(const char *const[]){ __VA_ARGS__, NULL }

static const setting settings[] = {
	/* the store's backend table (robot/store/db.c) has the same names:
	 * test_store holds the two lists equal */
	{ "store_backend", ONE_OF(store_backend, "sqlite", "postgresql"), "sqlite", false, NULL,
	  "Where invoices, their states and the audit trail are kept: sqlite (one\n"
	  "# robot, embedded) or postgresql (several robots sharing one store)." },
	{ "store_path", STR(store_path), "ulf.db", false, v_nonempty,
	  "The SQLite database file, or a PostgreSQL connection string." },
	{ "inbox_dir", STR(inbox_dir), "inbox", false, v_nonempty,
	  "Folder watched for incoming e-invoices and care attachments." },
	{ "xml_max_bytes", NUM(T_SIZE, xml_max_bytes), "64M", true, v_bytes,
	  "Largest document accepted; larger ones go to the exception queue." },
	{ "xml_max_depth", NUM(T_INT, xml_max_depth), "64", true, v_depth,
	  "Deepest element nesting accepted (invoices nest about 8 deep)." },
	{ "attachment_max_bytes", NUM(T_SIZE, attachment_max_bytes), "32M", true, v_bytes,
	  "Largest decoded embedded attachment accepted." },
	{ "model_max_bytes", NUM(T_SIZE, model_max_bytes), "16M", true, v_bytes,
	  "Most memory one invoice's model may take, attachments excluded." },
	{ "http_listen", STR(http_listen), "\"\"", false, v_listen,
	  "Address:port where `ulf run` accepts documents by HTTP POST and serves\n"
	  "# /health and /metrics, e.g. 127.0.0.1:8480.  Empty: no HTTP.  Plain HTTP only on\n"
	  "# a loopback address (127.x.x.x); on any other, set http_cert_file and http_key_file.\n"
	  "# Senders need a token (`ulf token add NAME`) or a client certificate." },
	{ "http_cert_file", STR(http_cert_file), "\"\"", false, NULL,
	  "PEM certificate for HTTPS on http_listen, with http_key_file: both or neither\n"
	  "# (empty: plain HTTP, loopback only)." },
	{ "http_key_file", STR(http_key_file), "\"\"", false, NULL,
	  "PEM private key of http_cert_file." },
	{ "http_client_ca_file", STR(http_client_ca_file), "\"\"", false, NULL,
	  "PEM CA for client certificates on http_listen (HTTPS only): a certificate it\n"
	  "# signed stands in for a sender's token, its common name naming the sender.\n"
	  "# Empty: bearer tokens only." },
	{ "http_connections", NUM(T_INT, http_connections), "16", false, v_connections,
	  "HTTP connections served at once, each on a thread of its own; documents\n"
	  "# that arrive on several at once are stored in one durable commit.  More wait." },
	{ "http_connections_per_client", NUM(T_INT, http_connections_per_client), "8", false,
	  v_connections,
	  "Connections one client address may hold on http_listen; more are closed at\n"
	  "# once, so that one client cannot take every connection from the others." },
	{ "http_head_timeout", NUM(T_INT, http_head_timeout), "10", false, v_head_timeout,
	  "Seconds a client has to send a request's whole head (TLS handshake, request\n"
	  "# line, headers) on http_listen and web_listen, however slowly it trickles in." },
	{ "web_listen", STR(web_listen), "\"\"", false, v_listen,
	  "Address:port of the workbench (docs/workbench.md), served by `ulf run` and by\n"
	  "# `ulf web`, e.g. 127.0.0.1:8443.  Empty: no workbench.  Plain HTTP only on a\n"
	  "# loopback address; on any other, set web_cert_file and web_key_file." },
	{ "web_cert_file", STR(web_cert_file), "\"\"", false, NULL,
	  "PEM certificate for HTTPS on web_listen, with web_key_file: both or neither." },
	{ "web_key_file", STR(web_key_file), "\"\"", false, NULL,
	  "PEM private key of web_cert_file." },
	{ "web_sso_header", STR(web_sso_header), "\"\"", false, v_header_name,
	  "Single sign-on: the request header in which a reverse proxy that did the login\n"
	  "# (SAML or OIDC: mod_auth_mellon, oauth2-proxy) passes the user name, e.g.\n"
	  "# X-Remote-User.  Believed only from web_trusted_proxies; the user's roles come\n"
	  "# from ulf's user table (`ulf user add`).  Empty: logins by password only." },
	{ "web_trusted_proxies", STR(web_trusted_proxies), "\"\"", false, v_addresses,
	  "Addresses of the reverse proxies whose web_sso_header is believed: IPv4\n"
	  "# addresses or blocks (10.0.0.5, 10.1.0.0/16), separated by commas." },
	{ "web_session_idle", NUM(T_INT, web_session_idle), "30", false, v_minutes,
	  "Minutes without a request after which a workbench session ends." },
	{ "web_session_max", NUM(T_INT, web_session_max), "480", false, v_minutes,
	  "Minutes after its login after which a workbench session ends however used." },
	{ "web_connections", NUM(T_INT, web_connections), "32", false, v_web_connections,
	  "Workbench connections served at once, each on a thread of its own; more wait." },
	{ "web_connections_per_client", NUM(T_INT, web_connections_per_client), "16", false,
	  v_web_connections,
	  "Connections one client address may hold on web_listen (behind a reverse proxy\n"
	  "# every user comes from its address: raise it to web_connections)." },
	{ "log_level", ONE_OF(log_level, "error", "warning", "info", "debug"), "info", true, NULL,
	  "error, warning, info or debug.  Personal identity numbers are never logged." },
	{ "care_wait_days", NUM(T_INT, care_wait_days), "30", true, v_wait_days,
	  "Days a care claim specification or care invoice waits for its partner\n"
	  "# before it becomes an exception (CARE-030); never dropped silently." },
	{ "rounding_account", STR(rounding_account), "3740", true, v_nonempty,
	  "Account for öre differences between a booking and the invoice (BAS 3740)." },
	{ "care_rules_file", STR(care_rules_file), "builtin", true, v_nonempty,
	  "Booking rules for care lines (docs/care.md), or builtin for the example table." },
	{ "match_rules_file", STR(match_rules_file), "builtin", true, v_nonempty,
	  "Matching rules: order-number patterns, booking rules, tolerances, invoices\n"
	  "# without an order (docs/rules-file.md); builtin for the two regions' formats\n"
	  "# with exact tolerances.  Check a file with `ulf rules check FILE`." },
	{ "erp_url", STR(erp_url), "\"\"", true, v_https,
	  "The ERP's postings endpoint (https://...) where booking suggestions go.\n"
	  "# Empty: nothing is posted.  docs/erp.md describes the protocol.  The\n"
	  "# ERP's settings take effect on SIGHUP: a set-up fault (certificate,\n"
	  "# credentials, URL) stops posting until the fixed configuration is loaded." },
	{ "erp_ca_file", STR(erp_ca_file), "\"\"", true, NULL,
	  "PEM CA bundle that signs the ERP's certificate; empty: the system's CAs.\n"
	  "# The certificate and host name are always verified." },
	{ "erp_client_cert", STR(erp_client_cert), "\"\"", true, NULL,
	  "PEM client certificate for mutual TLS with the ERP; empty: none." },
	{ "erp_client_key", STR(erp_client_key), "\"\"", true, NULL,
	  "PEM private key of erp_client_cert (empty: in the certificate file)." },
	{ "erp_token_url", STR(erp_token_url), "\"\"", true, v_https,
	  "OAuth2 token endpoint (client credentials); empty: no token is sent." },
	{ "erp_client_id", STR(erp_client_id), "\"\"", true, NULL,
	  "OAuth2 client id, with erp_token_url." },
	{ "erp_client_secret_file", STR(erp_client_secret_file), "\"\"", true, NULL,
	  "File holding the OAuth2 client secret on its first line (keep it 0600)." },
	{ "erp_scope", STR(erp_scope), "\"\"", true, NULL,
	  "OAuth2 scope to ask for; empty: none." },
	{ "erp_timeout_ms", NUM(T_INT, erp_timeout_ms), "30000", true, v_ms,
	  "Longest one request to the ERP (or its token endpoint) may take." },
	{ "erp_connections", NUM(T_INT, erp_connections), "8", false, v_connections,
	  "Postings `ulf run` has in flight to the ERP at once, each on a connection\n"
	  "# of its own, shared by two posting threads." },
	{ "erp_max_attempts", NUM(T_INT, erp_max_attempts), "8", true, v_attempts,
	  "Requests `ulf erp-post` makes before it gives up (`ulf run` retries for\n"
	  "# erp_retry_window instead); network errors, timeouts, 5xx and 429 are\n"
	  "# retried, a 4xx answer is final." },
	{ "erp_backoff_ms", NUM(T_INT, erp_backoff_ms), "2000", true, v_ms,
	  "First wait before a retry; it doubles per attempt, with jitter." },
	{ "erp_backoff_max_ms", NUM(T_INT, erp_backoff_max_ms), "300000", true, v_ms,
	  "Longest wait between retries (a longer Retry-After is honoured, up to 1 h)." },
	{ "erp_link_base", STR(erp_link_base), "\"\"", true, NULL,
	  "Base URL of ulf's document view; a posting links back to its invoice as\n"
	  "# this followed by the document id." },
	{ "erp_retry_window", NUM(T_DURATION, erp_retry_window), "1d", true, v_window,
	  "How long `ulf run` goes on retrying a posting the ERP did not answer\n"
	  "# finally (an outage, 5xx, timeouts), with backoff; it waits in state\n"
	  "# erp_wait meanwhile, not in the queue.  Then the queue: ERP_UNREACHABLE,\n"
	  "# or ERP_OUTCOME_UNKNOWN when a request went unanswered (the ERP may have\n"
	  "# booked it).  A person's retry starts a fresh window.  10s to 90d." },
	{ "erp_breaker_failures", NUM(T_INT, erp_breaker_failures), "10", true, v_breaker,
	  "Failed requests in a row (5xx, 429, timeouts, no connection) after which\n"
	  "# posting pauses: the ERP is left alone, then probed with one posting." },
	{ "erp_breaker_wait_ms", NUM(T_INT, erp_breaker_wait_ms), "10000", true, v_ms,
	  "The pause before the first probe; it doubles after each failed probe, up\n"
	  "# to erp_backoff_max_ms.  A probe that gets an answer resumes full speed." },
	{ "erp_setup_rejections", NUM(T_INT, erp_setup_rejections), "3", true, v_rejections,
	  "The same 4xx answer, word for word, for this many different invoices in a\n"
	  "# row is the set-up's fault, not theirs: posting stops and they wait, as for\n"
	  "# a certificate or credentials fault, until SIGHUP.  0: never." },
	{ "erp_lookup_url", STR(erp_lookup_url), "\"\"", true, v_https,
	  "The ERP's lookup of a posting by its idempotency key, if it offers one\n"
	  "# (docs/erp.md).  Asked before a corrected booking replaces one whose\n"
	  "# outcome is unknown; without it the original is sent again first." },
	{ "erp_supplier_url", STR(erp_supplier_url), "\"\"", true, v_https,
	  "The ERP's supplier register (docs/erp.md): an approved new supplier is\n"
	  "# sent there once, under an idempotency key, and gets its supplier number\n"
	  "# from the answer.  Empty: new suppliers go into ulf's register only,\n"
	  "# numbered from supplier_series." },
	{ "supplier_series", STR(supplier_series), "NEW-", true, NULL,
	  "The prefix of the supplier numbers ulf gives a new supplier when the ERP\n"
	  "# gives none (no erp_supplier_url): the prefix and the registration's number." },
	{ "erp_care_unmasked_texts", ONE_OF(erp_care_unmasked_texts, "no", "yes"), "no", false,
	  NULL,
	  "yes: the booking lines' texts go to the ERP as the invoice wrote them,\n"
	  "# personal identity numbers included - only for an ERP cleared to hold\n"
	  "# patient data (the care ERP).  no: masked (19121212-****), as ulf keeps\n"
	  "# and shows them everywhere else." },
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

static int parse_size(size_t *out, const char *s)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno || *s == '-')
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (*end || v > (SIZE_MAX >> shift))
		return -1;
	*out = (size_t)(v << shift);
	return 0;
}

/* Seconds, written as N, Ns, Nm, Nh or Nd. */
static int parse_duration(long *out, const char *s)
{
	char *end;
	long v, unit = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno || v < 0)
		return -1;
	switch (*end) {
	case '\0': case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (*end && end[1])
		return -1;
	if (v > LONG_MAX / unit)
		return -1;
	*out = v * unit;
	return 0;
}

static int parse_long(long *out, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno)
		return -1;
	*out = v;
	return 0;
}

/* Sets one setting from text; `why` gets the reason on failure. */
static int apply(ulf_config *cfg, const setting *st, const char *value,
		 char *why, size_t n)
{
	void *field = (char *)cfg + st->offset;

	switch (st->type) {
	case T_STRING:
		if (strlen(value) >= st->size) {
			snprintf(why, n, "longer than %zu characters", st->size - 1);
			return -1;
		}
		memcpy(field, value, strlen(value) + 1);
		if (st->choices && v_choice(st, value, why, n) < 0)
			return -1;
		break;
	case T_INT:
		if (parse_long(field, value) < 0) {
			snprintf(why, n, "'%s' is not a whole number", value);
			return -1;
		}
		break;
	case T_SIZE:
		if (parse_size(field, value) < 0) {
			snprintf(why, n, "'%s' is not a size (e.g. 512K, 64M)", value);
			return -1;
		}
		break;
	case T_DURATION:
		if (parse_duration(field, value) < 0) {
			snprintf(why, n, "'%s' is not a duration (e.g. 90s, 30m, 12h, 1d)", value);
			return -1;
		}
		break;
	}
	return st->validate ? st->validate(field, why, n) : 0;
}

static const setting *find(const char *name)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

const char *const *config_choices(const char *name)
{
	const setting *st = find(name);

	return st ? st->choices : NULL;
}

void config_init(ulf_config *cfg)
{
	char why[128];
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < NSETTINGS; i++) {
		/* defaults are written as in a file: "" is the empty string */
		const char *d = settings[i].dflt;
		(void)apply(cfg, &settings[i], strcmp(d, "\"\"") == 0 ? "" : d, why, sizeof(why));
	}
}

/* Splits "name value # comment" in place; value may be "quoted". */
static int split_line(char *line, char **name, char **value)
{
	char *p = line, *e;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '#' || *p == '\0')
		return 0;
	*name = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (!*p)
		return -1;
	*p++ = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '"') {
		*value = ++p;
		e = strchr(p, '"');
		if (!e)
			return -1;
		*e = '\0';
		return 1;
	}
	*value = p;
	e = strchr(p, '#');
	if (e)
		*e = '\0';
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return **value ? 1 : -1;
}

/* Where the problems of a file go: the first into err (config_load), each
 * to fn (config_check). */
typedef struct collect {
	ulf_err *err;
	config_problem_fn fn;
	void *ctx;
	size_t n;
	int first;
} collect;

static void problem(collect *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(collect *c, int code, const char *fmt, ...)
{
	char msg[ULF_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->n++ == 0) {
		c->first = code;
		ulf_err_set(c->err, code, "%s", msg);
	}
	if (c->fn)
		c->fn(msg, c->ctx);
}

typedef struct cross_ctx {
	collect *c;
	const char *path;
} cross_ctx;

static void cross_problem(const char *msg, void *ctx)
{
	cross_ctx *x = ctx;

	problem(x->c, ULF_EINVAL, "%s: %s", x->path, msg);
}

/*
 * Reads `path` over the defaults into *cfg.  Stops at the first problem
 * unless c->fn is set, which gets every one; the settings that fit
 * together are checked once every line is valid (or always, for fn).
 */
static void load(ulf_config *cfg, const char *path, collect *c)
{
	bool seen[NSETTINGS] = { false };
	char *text = NULL, *line, *next, *name, *value, why[160];
	size_t len, lineno = 0;
	ulf_err ferr;
	cross_ctx x = { c, path };

	config_init(cfg);
	ulf_err_clear(&ferr);
	if (file_read(&text, &len, path, 1u << 20, &ferr)) {
		problem(c, ferr.code, "%s", ferr.msg);
		return;
	}
	for (line = text; line; line = next) {
		const setting *st;
		int k;

		if (c->n && !c->fn)
			break;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		k = split_line(line, &name, &value);
		if (k == 0)
			continue;
		if (k < 0) {
			problem(c, ULF_EPARSE, "%s:%zu: expected 'name value'", path, lineno);
			continue;
		}
		st = find(name);
		if (!st) {
			problem(c, ULF_EPARSE, "%s:%zu: unknown setting '%s'", path, lineno, name);
			continue;
		}
		if (seen[st - settings]) {
			problem(c, ULF_EPARSE, "%s:%zu: '%s' is set twice", path, lineno, name);
			continue;
		}
		seen[st - settings] = true;
		if (apply(cfg, st, value, why, sizeof(why)) < 0)
			problem(c, ULF_EINVAL, "%s:%zu: %s: %s", path, lineno, name, why);
	}
	free(text);
	if (c->n == 0 || c->fn)
		config_cross_check(cfg, cross_problem, &x);
}

int config_load(ulf_config *out, const char *path, ulf_err *err)
{
	ulf_config cfg;
	collect c = { err, NULL, NULL, 0, 0 };

	load(&cfg, path, &c);
	if (c.n)
		return c.first;
	*out = cfg;
	return 0;
}

int config_check(size_t *out_n, const char *path, config_problem_fn fn, void *ctx)
{
	ulf_config cfg;
	collect c = { NULL, fn, ctx, 0, 0 };

	load(&cfg, path, &c);
	if (out_n)
		*out_n = c.n;
	return c.n ? c.first : 0;
}

bool config_listen_loopback(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	char host[64];
	unsigned char a[4];

	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return false;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	return inet_pton(AF_INET, host, a) == 1 && a[0] == 127;
}

static size_t cross_report(config_problem_fn fn, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static size_t cross_report(config_problem_fn fn, void *ctx, const char *fmt, ...)
{
	char msg[ULF_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (fn)
		fn(msg, ctx);
	return 1;
}

/* The TLS and address problems of one listener (prefix "http" or "web"). */
static size_t check_listener(const char *prefix, const char *listen, const char *cert,
			     const char *key, config_problem_fn fn, void *ctx)
{
	size_t n = 0;

	/* TLS fails closed: half of it must not fall back to plain HTTP */
	if (*cert && !*key)
		n += cross_report(fn, ctx, "%s_cert_file is set but %s_key_file is not: HTTPS "
				  "needs both (refusing rather than serving plain HTTP)",
				  prefix, prefix);
	if (*key && !*cert)
		n += cross_report(fn, ctx, "%s_key_file is set but %s_cert_file is not: HTTPS "
				  "needs both (refusing rather than serving plain HTTP)",
				  prefix, prefix);
	if (*listen && !*cert && !*key && !config_listen_loopback(listen))
		n += cross_report(fn, ctx, "%s_listen %s without HTTPS: plain HTTP is served "
				  "only on a loopback address (127.0.0.1); set %s_cert_file and "
				  "%s_key_file, or listen on 127.0.0.1", prefix, listen, prefix,
				  prefix);
	return n;
}

size_t config_cross_check(const ulf_config *cfg, config_problem_fn fn, void *ctx)
{
	size_t n = 0;
	const char *hc = strrchr(cfg->http_listen, ':');

	n += check_listener("http", cfg->http_listen, cfg->http_cert_file, cfg->http_key_file,
			    fn, ctx);
	n += check_listener("web", cfg->web_listen, cfg->web_cert_file, cfg->web_key_file,
			    fn, ctx);
	if (cfg->http_client_ca_file[0] && !(cfg->http_cert_file[0] && cfg->http_key_file[0]))
		n += cross_report(fn, ctx, "http_client_ca_file is set without HTTPS on "
				  "http_listen (http_cert_file and http_key_file): client "
				  "certificates need TLS");
	if (cfg->http_listen[0] && hc && strcmp(hc, ":0") != 0 &&
	    strcmp(cfg->http_listen, cfg->web_listen) == 0)
		n += cross_report(fn, ctx, "http_listen and web_listen are both %s: the intake "
				  "and the workbench need an address each", cfg->http_listen);
	if (cfg->web_sso_header[0] && !cfg->web_trusted_proxies[0])
		n += cross_report(fn, ctx, "web_sso_header is set but web_trusted_proxies is "
				  "empty: name the reverse proxies whose header is believed");
	if (cfg->web_session_idle > cfg->web_session_max)
		n += cross_report(fn, ctx, "web_session_idle (%ld minutes) is longer than "
				  "web_session_max (%ld minutes)", cfg->web_session_idle,
				  cfg->web_session_max);
	return n;
}

int config_reload(ulf_config *out, const ulf_config *current, const char *path,
		  ulf_err *err)
{
	ulf_config cfg;
	size_t i;
	int rc = config_load(&cfg, path, err);

	if (rc)
		return rc;
	for (i = 0; i < NSETTINGS; i++) {
		const setting *st = &settings[i];
		const char *a = (const char *)&cfg + st->offset;
		const char *b = (const char *)current + st->offset;
		bool same = st->type == T_STRING ? strcmp(a, b) == 0
			  : st->type == T_INT || st->type == T_DURATION
			  ? *(const long *)(const void *)a == *(const long *)(const void *)b
			  : *(const size_t *)(const void *)a == *(const size_t *)(const void *)b;
		if (!st->reloadable && !same)
			return ulf_err_set(err, ULF_EINVAL,
				"%s: '%s' cannot change on reload; restart ulf to change it",
				path, st->name);
	}
	*out = cfg;
	return 0;
}

void config_write_sample(FILE *out)
{
	size_t i;

	fprintf(out, "# ulf configuration.  Generated by `ulf config sample`: every setting\n"
		     "# with its default.  Settings marked [reload] take effect on SIGHUP;\n"
		     "# the others need a restart.\n");
	for (i = 0; i < NSETTINGS; i++)
		fprintf(out, "\n# %s%s\n%s %s\n", settings[i].doc,
			settings[i].reloadable ? " [reload]" : "",
			settings[i].name, settings[i].dflt);
}

void config_erp(erp_config *out, const ulf_config *cfg)
{
	memset(out, 0, sizeof(*out));
	out->url = cfg->erp_url;
	out->ca_file = cfg->erp_ca_file;
	out->client_cert = cfg->erp_client_cert;
	out->client_key = cfg->erp_client_key;
	out->token_url = cfg->erp_token_url;
	out->client_id = cfg->erp_client_id;
	out->client_secret_file = cfg->erp_client_secret_file;
	out->scope = cfg->erp_scope;
	out->timeout_ms = cfg->erp_timeout_ms;
	out->connections = (unsigned)cfg->erp_connections;
	out->lookup_url = cfg->erp_lookup_url;
	out->supplier_url = cfg->erp_supplier_url;
}

void config_erp_retry(erp_retry_policy *out, const ulf_config *cfg)
{
	memset(out, 0, sizeof(*out));
	out->max_attempts = (unsigned)cfg->erp_max_attempts;
	out->base_ms = cfg->erp_backoff_ms;
	out->cap_ms = cfg->erp_backoff_max_ms;
}

void config_reader_opts(reader_opts *out, const ulf_config *cfg)
{
	reader_opts_init(out);
	out->xml.max_bytes = cfg->xml_max_bytes;
	out->xml.max_depth = (unsigned)cfg->xml_max_depth;
	out->inv.max_attachment_bytes = cfg->attachment_max_bytes;
	out->inv.max_model_bytes = cfg->model_max_bytes;
}
