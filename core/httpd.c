/*
 * httpd.c - see httpd.h.  The only file that includes <microhttpd.h>, and
 * <gnutls/...> for the client certificates libmicrohttpd's TLS received.
 *
 * The head deadline: libmicrohttpd's timeout is an idle timeout, restarted
 * by every byte, and it calls us only once a head is complete.  So each
 * connection is tracked from the moment it is accepted (the connection
 * notifier) to the moment its head is in (the first call of on_request),
 * and again after each request for the next one; a watchdog thread shuts
 * down the socket of a connection over the deadline.  shutdown(), not
 * close(): the descriptor stays libmicrohttpd's, its thread sees the end of
 * the stream and closes the connection itself.  The tracking entry is
 * removed (under the lock) before libmicrohttpd closes the descriptor, so
 * the watchdog never touches a descriptor that was reused.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "core/digest.h"
#include "core/fileio.h"
#include "core/httpd.h"

#define CERT_CN_MAX 256

/* A connection, from its accept to its close (the socket context). */
typedef struct conn_track {
	int fd;
	int64_t since_ms;       /* when the head now awaited began */
	int busy;               /* a head is in: its body or handler is under way */
	int cut;                /* shut down by the watchdog */
	struct conn_track *prev, *next;
} conn_track;

struct httpd {
	struct MHD_Daemon *d;
	httpd_handler handler;
	httpd_head_handler head;
	void *ctx;
	size_t max_body;
	char *cert, *key, *ca;
	const char *const *headers;
	int tls;
	/* the head deadline (see the top of this file) */
	int64_t head_ms;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int lock_made;
	conn_track *conns;
	pthread_t watchdog;
	int watching, stopping;
	/* libmicrohttpd's messages, rate-limited */
	void (*log)(const char *msg, void *ctx);
	void *log_ctx;
	int64_t log_window_ms;
	unsigned log_count, log_dropped;
};

struct httpd_request {
	struct MHD_Connection *conn;
	httpd *h;
	const char *method, *path;
	char *body;
	size_t len, cap, max;
	int too_large;
	int wipe;
	void *data;
	void (*data_free)(void *);
	int cert_ok;
	char cert_cn[CERT_CN_MAX];
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the request ------------------------------------------------------ */

const char *httpd_method(const httpd_request *r) { return r->method; }
const char *httpd_path(const httpd_request *r) { return r->path; }

const char *httpd_header(const httpd_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *httpd_query(const httpd_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *httpd_body(const httpd_request *r, size_t *len)
{
	*len = r->len;
	return r->body ? r->body : "";
}

static const struct sockaddr *client_sa(const httpd_request *r)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	return i ? i->client_addr : NULL;
}

void httpd_client_addr(char *out, size_t n, const httpd_request *r)
{
	const struct sockaddr *sa = client_sa(r);
	char buf[INET6_ADDRSTRLEN];
	const char *s = NULL;

	if (n == 0)
		return;
	out[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		s = inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			      buf, sizeof(buf));
	else if (sa && sa->sa_family == AF_INET6)
		s = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			      buf, sizeof(buf));
	if (s && strlen(s) < n)
		memcpy(out, s, strlen(s) + 1);
}

bool httpd_client_loopback(const httpd_request *r)
{
	const struct sockaddr *sa = client_sa(r);

	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
		       (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127);
	}
	return false;
}

bool httpd_tls(const httpd_request *r)
{
	return r->h->tls != 0;
}

const char *httpd_client_cert(const httpd_request *r)
{
	return r->cert_ok ? r->cert_cn : NULL;
}

/*
 * The request's client certificate, verified against the configured CA:
 * its common name into r->cert_cn.  Anything short of a certificate that
 * verifies with a common name leaves r->cert_ok 0.
 */
static void check_client_cert(httpd_request *r)
{
	const union MHD_ConnectionInfo *i;
	gnutls_session_t tls;
	const gnutls_datum_t *chain;
	unsigned nchain = 0, status = 0;
	gnutls_x509_crt_t crt;
	size_t n = sizeof(r->cert_cn) - 1;

	if (!r->h->ca)
		return;
	i = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!i || !i->tls_session)
		return;
	tls = (gnutls_session_t)i->tls_session;
	if (gnutls_certificate_type_get(tls) != GNUTLS_CRT_X509)
		return;
	/* signature, chain to the CA, activation and expiry dates */
	if (gnutls_certificate_verify_peers2(tls, &status) != GNUTLS_E_SUCCESS || status != 0)
		return;
	chain = gnutls_certificate_get_peers(tls, &nchain);
	if (!chain || nchain == 0 || gnutls_x509_crt_init(&crt) != GNUTLS_E_SUCCESS)
		return;
	if (gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER) == GNUTLS_E_SUCCESS &&
	    gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
					  r->cert_cn, &n) == GNUTLS_E_SUCCESS &&
	    n > 0 && n < sizeof(r->cert_cn) && strlen(r->cert_cn) == n)
		r->cert_ok = 1;
	else
		r->cert_cn[0] = '\0';
	gnutls_x509_crt_deinit(crt);
}

void httpd_limit_body(httpd_request *r, size_t max)
{
	if (max < r->max)
		r->max = max;
}

void httpd_wipe_body(httpd_request *r)
{
	r->wipe = 1;
}

void httpd_set_data(httpd_request *r, void *data, void (*free_fn)(void *))
{
	if (r->data_free)
		r->data_free(r->data);
	r->data = data;
	r->data_free = free_fn;
}

void *httpd_data(const httpd_request *r)
{
	return r->data;
}

/* ---- address lists ------------------------------------------------------ */

/* The block s[0..n) ("10.1.0.0/16", "10.0.0.5"): its address and mask, in
 * host order. */
static int addr_block(uint32_t *addr, uint32_t *mask, const char *s, size_t n)
{
	char buf[32];
	const char *slash;
	struct in_addr in;
	long bits = 32;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	slash = strchr(buf, '/');
	if (slash) {
		char *end;
		if (!slash[1] || slash[1] == '-' || slash[1] == '+')
			return -1;
		bits = strtol(slash + 1, &end, 10);
		if (*end || bits < 0 || bits > 32)
			return -1;
		buf[slash - buf] = '\0';
	}
	if (inet_pton(AF_INET, buf, &in) != 1)
		return -1;
	*mask = bits == 0 ? 0 : 0xFFFFFFFFu << (32 - bits);
	*addr = ntohl(in.s_addr) & *mask;
	return 0;
}

/* Calls each block of `list` until fn says stop; -1 for a bad list. */
static int addr_walk(const char *list, int (*fn)(uint32_t addr, uint32_t mask, void *ctx),
		     void *ctx)
{
	const char *p = list;

	for (;;) {
		size_t n;
		uint32_t a, m;

		p += strspn(p, " \t,");
		if (!*p)
			return 0;
		n = strcspn(p, " \t,");
		if (addr_block(&a, &m, p, n))
			return -1;
		if (fn && fn(a, m, ctx))
			return 1;
		p += n;
	}
}

bool httpd_addr_list_ok(const char *list)
{
	return list && addr_walk(list, NULL, NULL) == 0;
}

static int addr_matches(uint32_t addr, uint32_t mask, void *ctx)
{
	return (*(const uint32_t *)ctx & mask) == addr;
}

bool httpd_client_in(const httpd_request *r, const char *list)
{
	const struct sockaddr *sa = client_sa(r);
	uint32_t a;

	if (!sa || !list)
		return false;
	if (sa->sa_family == AF_INET) {
		a = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);
	} else if (sa->sa_family == AF_INET6 &&
		   IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr)) {
		const unsigned char *b =
			((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
		a = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
	} else {
		return false;
	}
	return addr_walk(list, addr_matches, &a) == 1;
}

/* ---- cookies and paths ------------------------------------------------- */

int httpd_cookie_find(char *out, size_t n, const char *header, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = header, *found = NULL;
	size_t flen = 0;

	if (n)
		out[0] = '\0';
	if (!header || !nlen)
		return ULF_ENOTFOUND;
	/* cookie-string: pairs "name=value" separated by ';' and white space */
	while (*p) {
		const char *k, *eq, *end;

		p += strspn(p, " \t;");
		if (!*p)
			break;
		k = p;
		end = k + strcspn(k, ";");
		eq = memchr(k, '=', (size_t)(end - k));
		if (eq) {
			const char *ke = eq;
			while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
				ke--;
			if ((size_t)(ke - k) == nlen && memcmp(k, name, nlen) == 0) {
				const char *v = eq + 1, *ve = end;
				while (v < ve && (*v == ' ' || *v == '\t'))
					v++;
				while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
					ve--;
				if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
					v++;
					ve--;
				}
				if (found)
					return ULF_EINVAL;
				found = v;
				flen = (size_t)(ve - v);
			}
		}
		p = end;
	}
	if (!found)
		return ULF_ENOTFOUND;
	if (flen + 1 > n)
		return ULF_ELIMIT;
	memcpy(out, found, flen);
	out[flen] = '\0';
	return 0;
}

int httpd_cookie(char *out, size_t n, const httpd_request *r, const char *name)
{
	return httpd_cookie_find(out, n, httpd_header(r, "Cookie"), name);
}

bool httpd_path_ok(const char *path)
{
	size_t i, seg = 1;

	if (!path || path[0] != '/')
		return false;
	for (i = 1; path[i]; i++) {
		char c = path[i];

		if (i >= 1024)
			return false;
		if (c == '/') {
			size_t len = i - seg;
			if (len == 0 || (len == 1 && path[seg] == '.') ||
			    (len == 2 && path[seg] == '.' && path[seg + 1] == '.'))
				return false;
			seg = i + 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_' || c == '~'))
			return false;
	}
	/* the last segment: empty (a final '/') is fine, "." and ".." not */
	i -= seg;
	return !((i == 1 && path[seg] == '.') ||
		 (i == 2 && path[seg] == '.' && path[seg + 1] == '.'));
}

/* ---- responses --------------------------------------------------------- */

void httpd_reply(httpd_response *out, int status, const char *content_type, const char *text)
{
	free(out->body);
	out->status = status;
	out->content_type = content_type;
	out->body = strdup(text ? text : "");
	out->body_len = out->body ? strlen(out->body) : 0;
}

static int header_text_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 0;
	return 1;
}

int httpd_add_header(httpd_response *out, const char *name, const char *value)
{
	char *n, *v;

	if (!name || !value || !*name || !header_text_ok(name) || !header_text_ok(value) ||
	    strchr(name, ':') || strchr(name, ' '))
		return ULF_EINVAL;
	if (out->nheaders >= HTTPD_HEADERS_MAX)
		return ULF_ELIMIT;
	n = strdup(name);
	v = strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		return ULF_ENOMEM;
	}
	out->headers[out->nheaders].name = n;
	out->headers[out->nheaders].value = v;
	out->nheaders++;
	return 0;
}

void httpd_redirect(httpd_response *out, int status, const char *location)
{
	httpd_reply(out, status, "text/plain; charset=utf-8", "see other\n");
	if (httpd_add_header(out, "Location", location) != 0)
		httpd_reply(out, 500, "text/plain; charset=utf-8", "bad redirect\n");
}

void httpd_response_clear(httpd_response *out)
{
	size_t i;

	free(out->body);
	for (i = 0; i < out->nheaders; i++) {
		free(out->headers[i].name);
		free(out->headers[i].value);
	}
	memset(out, 0, sizeof(*out));
}

static enum MHD_Result send_reply(httpd *h, struct MHD_Connection *conn, httpd_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ok;
	size_t i;

	r = MHD_create_response_from_buffer(res->body_len, res->body ? res->body : (void *)"",
					    res->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	res->body = NULL;
	if (!r) {
		httpd_response_clear(res);
		return MHD_NO;
	}
	if (res->content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
	for (i = 0; h->headers && h->headers[i] && h->headers[i + 1]; i += 2)
		MHD_add_response_header(r, h->headers[i], h->headers[i + 1]);
	for (i = 0; i < res->nheaders; i++)
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
	ok = MHD_queue_response(conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	httpd_response_clear(res);
	return ok;
}

/* ---- the connection's life --------------------------------------------- */

static conn_track *track_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return i ? i->socket_context : NULL;
}

static void track_busy(httpd *h, struct MHD_Connection *conn, int busy)
{
	conn_track *t;

	if (!h->head_ms)
		return;
	pthread_mutex_lock(&h->lock);
	t = track_of(conn);
	if (t) {
		t->busy = busy;
		t->since_ms = mono_ms();
	}
	pthread_mutex_unlock(&h->lock);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	httpd *h = cls;
	conn_track *t = *socket_ctx;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *i =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

		t = calloc(1, sizeof(*t));
		if (!t)
			return;   /* untracked: only its idle timeout applies */
		t->fd = i ? i->connect_fd : -1;
		t->since_ms = mono_ms();
		pthread_mutex_lock(&h->lock);
		t->next = h->conns;
		if (h->conns)
			h->conns->prev = t;
		h->conns = t;
		pthread_mutex_unlock(&h->lock);
		*socket_ctx = t;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && t) {
		pthread_mutex_lock(&h->lock);
		if (t->prev)
			t->prev->next = t->next;
		else
			h->conns = t->next;
		if (t->next)
			t->next->prev = t->prev;
		pthread_mutex_unlock(&h->lock);
		free(t);
		*socket_ctx = NULL;
	}
}

static void *watchdog_main(void *arg)
{
	httpd *h = arg;
	int64_t tick = h->head_ms / 4 < 250 ? h->head_ms / 4 : 250;

	if (tick < 10)
		tick = 10;
	pthread_mutex_lock(&h->lock);
	while (!h->stopping) {
		struct timespec ts;
		int64_t now = mono_ms();
		conn_track *t;

		for (t = h->conns; t; t = t->next)
			if (!t->busy && !t->cut && t->fd >= 0 && now - t->since_ms >= h->head_ms) {
				shutdown(t->fd, SHUT_RDWR);
				t->cut = 1;
			}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)(tick % 1000) * 1000000L;
		ts.tv_sec += tick / 1000 + ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&h->cond, &h->lock, &ts);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* Lines of libmicrohttpd's log let through per LOG_WINDOW_MS; the rest
 * are counted and the count said with the next line let through. */
#define LOG_BURST 5
#define LOG_WINDOW_MS 10000

static void on_log(void *cls, const char *fmt, va_list ap)
{
	httpd *h = cls;
	char msg[512], line[600];
	size_t n;
	unsigned dropped = 0;
	int64_t now = mono_ms();

	pthread_mutex_lock(&h->lock);
	if (now - h->log_window_ms >= LOG_WINDOW_MS) {
		h->log_window_ms = now;
		dropped = h->log_dropped;
		h->log_count = 0;
		h->log_dropped = 0;
	}
	if (h->log_count >= LOG_BURST) {
		h->log_dropped++;
		pthread_mutex_unlock(&h->lock);
		return;
	}
	h->log_count++;
	pthread_mutex_unlock(&h->lock);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (dropped)
		snprintf(line, sizeof(line), "http: %s (and %u more such messages not shown)", msg,
			 dropped);
	else
		snprintf(line, sizeof(line), "http: %s", msg);
	if (h->log)
		h->log(line, h->log_ctx);
	else
		fprintf(stderr, "%s\n", line);
}

/* Percent escapes decoded in place, but those of control characters and
 * NUL: "%00" stays "%00", so no path or argument is cut short. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *r = s, *w = s;

	(void)cls; (void)conn;
	while (*r) {
		if (r[0] == '%') {
			int hi = r[1] ? (r[1] >= '0' && r[1] <= '9' ? r[1] - '0' :
				(r[1] | 0x20) >= 'a' && (r[1] | 0x20) <= 'f' ? (r[1] | 0x20) - 'a' + 10 : -1) : -1;
			int lo = hi >= 0 && r[2] ? (r[2] >= '0' && r[2] <= '9' ? r[2] - '0' :
				(r[2] | 0x20) >= 'a' && (r[2] | 0x20) <= 'f' ? (r[2] | 0x20) - 'a' + 10 : -1) : -1;
			int v = hi * 16 + lo;

			if (hi >= 0 && lo >= 0 && v >= 0x20 && v != 0x7F) {
				*w++ = (char)v;
				r += 3;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* A Content-Length of more than max (digits only; anything else is left
 * to libmicrohttpd, which refuses it). */
static int declared_too_large(const httpd_request *r, size_t max)
{
	const char *cl = httpd_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long v = 0;

	if (!cl || !*cl)
		return 0;
	for (; *cl >= '0' && *cl <= '9'; cl++) {
		if (v > (~0ULL - 9) / 10)
			return 1;
		v = v * 10 + (unsigned)(*cl - '0');
	}
	return v > max;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **con_cls)
{
	httpd *h = cls;
	httpd_request *req = *con_cls;
	httpd_response res;

	(void)version;
	memset(&res, 0, sizeof(res));
	if (!req) {
		/* the head is in: its deadline is met */
		track_busy(h, conn, 1);
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		req->conn = conn;
		req->h = h;
		req->method = method;
		req->path = url;
		req->max = h->max_body;
		*con_cls = req;
		if (h->tls)
			check_client_cert(req);
		if (h->head)
			h->head(&res, req, h->ctx);
		if (!res.status && declared_too_large(req, req->max))
			httpd_reply(&res, 413, "text/plain; charset=utf-8",
				    "request body too large\n");
		if (res.status) {
			/* answered before the body: it is never read */
			req->too_large = 1;
			return send_reply(h, conn, &res);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (req->too_large || req->len + n > req->max) {
			req->too_large = 1;   /* keep reading, keep nothing */
			return MHD_YES;
		}
		if (req->len + n + 1 > req->cap) {
			size_t cap = req->cap ? req->cap : 16384;
			char *nb;
			while (cap < req->len + n + 1)
				cap *= 2;
			nb = realloc(req->body, cap);
			if (!nb)
				return MHD_NO;
			req->body = nb;
			req->cap = cap;
		}
		memcpy(req->body + req->len, upload, n);
		req->len += n;
		req->body[req->len] = '\0';
		return MHD_YES;
	}
	if (req->too_large) {
		httpd_reply(&res, 413, "text/plain; charset=utf-8", "request body too large\n");
	} else {
		h->handler(&res, req, h->ctx);
		if (!res.status)
			httpd_reply(&res, 500, "text/plain; charset=utf-8", "no answer\n");
	}
	return send_reply(h, conn, &res);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	httpd *h = cls;
	httpd_request *req = *con_cls;

	(void)toe;
	/* the next request's head starts its clock now */
	track_busy(h, conn, 0);
	if (req) {
		if (req->data_free)
			req->data_free(req->data);
		if (req->wipe && req->body)
			digest_cleanse(req->body, req->cap);
		free(req->body);
		free(req);
		*con_cls = NULL;
	}
}

int httpd_start(httpd **out, const httpd_opts *opts, httpd_handler handler, void *ctx,
		ulf_err *err)
{
	struct sockaddr_in addr;
	httpd *h = calloc(1, sizeof(*h));
	/* a thread per connection: a handler that waits (for the disk) holds
	 * up only its own sender, and the senders' documents meet in intake */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_ERROR_LOG;
	unsigned limit = opts->max_connections ? opts->max_connections : 16;
	struct MHD_OptionItem o[20];
	size_t n, k = 0;
	int rc = 0;

	*out = NULL;
	if (!h)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	h->handler = handler;
	h->head = opts->head;
	h->ctx = ctx;
	h->headers = opts->headers;
	h->max_body = opts->max_body ? opts->max_body : (16u << 20);
	h->head_ms = (int64_t)opts->head_timeout_s * 1000;
	h->log = opts->log;
	h->log_ctx = opts->log_ctx;
	h->log_window_ms = mono_ms();
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	h->lock_made = 1;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(opts->port);
	if (inet_pton(AF_INET, opts->bind ? opts->bind : "127.0.0.1", &addr.sin_addr) != 1) {
		rc = ulf_err_set(err, ULF_EINVAL, "http: bad bind address '%s'", opts->bind);
		goto out;
	}
	/* TLS fails closed: half of it is no configuration to guess from */
	if (!opts->cert_file != !opts->key_file) {
		rc = ulf_err_set(err, ULF_EINVAL, "http: a certificate needs its key and a key "
				 "its certificate; refusing to serve plain HTTP instead");
		goto out;
	}
	if (opts->client_ca_file && !opts->cert_file) {
		rc = ulf_err_set(err, ULF_EINVAL, "http: client certificates need HTTPS "
				 "(a certificate and key)");
		goto out;
	}
	if (opts->cert_file) {
		rc = file_read(&h->cert, &n, opts->cert_file, 1u << 20, err);
		if (rc == 0)
			rc = file_read(&h->key, &n, opts->key_file, 1u << 20, err);
		if (rc == 0 && opts->client_ca_file)
			rc = file_read(&h->ca, &n, opts->client_ca_file, 1u << 20, err);
		if (rc)
			goto out;
		flags |= MHD_USE_TLS;
		h->tls = 1;
	}
	o[k++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &addr };
	o[k++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, h };
	o[k++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, h };
	o[k++] = (struct MHD_OptionItem){ MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, h };
	o[k++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
					  opts->timeout_s ? opts->timeout_s : 30u, NULL };
	o[k++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, limit, NULL };
	if (opts->per_client)
		o[k++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT,
						  opts->per_client, NULL };
	if (h->cert) {
		o[k++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert };
		o[k++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, h->key };
	}
	if (h->ca)
		o[k++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0, h->ca };
	o[k++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	/* the logger first, or libmicrohttpd logs its options' messages itself */
	h->d = MHD_start_daemon(flags, opts->port, NULL, NULL, on_request, h,
				MHD_OPTION_EXTERNAL_LOGGER, on_log, h,
				MHD_OPTION_ARRAY, o, MHD_OPTION_END);
	if (!h->d) {
		rc = ulf_err_set(err, ULF_ENET, "http: cannot listen on %s:%u%s",
				 opts->bind ? opts->bind : "127.0.0.1", opts->port,
				 h->cert ? " (is the certificate and key PEM, and the key the "
					   "certificate's?)" : "");
		goto out;
	}
	if (h->head_ms) {
		if (pthread_create(&h->watchdog, NULL, watchdog_main, h) != 0) {
			rc = ulf_err_set(err, ULF_ERROR, "http: cannot start the head deadline's thread");
			goto out;
		}
		h->watching = 1;
	}
	*out = h;
	h = NULL;
out:
	httpd_stop(h);
	return rc;
}

uint16_t httpd_port(const httpd *h)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);

	return i ? i->port : 0;
}

void httpd_stop(httpd *h)
{
	if (!h)
		return;
	if (h->watching) {
		pthread_mutex_lock(&h->lock);
		h->stopping = 1;
		pthread_cond_signal(&h->cond);
		pthread_mutex_unlock(&h->lock);
		pthread_join(h->watchdog, NULL);
	}
	if (h->d)
		MHD_stop_daemon(h->d);
	if (h->lock_made) {
		pthread_cond_destroy(&h->cond);
		pthread_mutex_destroy(&h->lock);
	}
	free(h->cert);
	if (h->key)
		digest_cleanse(h->key, strlen(h->key));
	free(h->key);
	free(h->ca);
	free(h);
}

/* ---- forms -------------------------------------------------------------- */

struct httpd_form {
	size_t n;
	char *buf;              /* the decoded names and values, NUL-separated */
	size_t buf_len;
	struct { const char *name, *value; } f[];
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Whether s[0..n) is valid UTF-8 without control characters but tab, CR
 * and LF (C1 controls too). */
static int form_text_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t need, k;
		unsigned cp;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3, cp = c & 0x07;
		else
			return 0;
		for (k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp < 0xA0))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* Decodes s[0..n) (the '+' and %XX of a form) to out; returns its length
 * or -1 for a bad escape. */
static long form_decode(char *out, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			int hi, lo;
			if (i + 2 >= n)
				return -1;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return (long)o;
}

int httpd_form_parse(httpd_form **out, const char *body, size_t len, ulf_err *err)
{
	httpd_form *f = NULL;
	size_t fields = 0, i, pos = 0, w = 0;
	int rc = 0;

	*out = NULL;
	/* count the fields first: one allocation for the table */
	for (i = 0; i < len; i++) {
		size_t flen = 0;
		while (i + flen < len && body[i + flen] != '&')
			flen++;
		if (flen)
			fields++;
		if (fields > HTTPD_FORM_FIELDS_MAX)
			return ulf_err_set(err, ULF_ELIMIT, "form: more than %d fields",
					   HTTPD_FORM_FIELDS_MAX);
		i += flen;
	}
	f = calloc(1, sizeof(*f) + fields * sizeof(f->f[0]));
	if (!f)
		return ulf_err_set(err, ULF_ENOMEM, "form: out of memory");
	/* decoded text is never longer; each field gets two NULs */
	f->buf_len = len + 2 * fields + 1;
	f->buf = malloc(f->buf_len);
	if (!f->buf) {
		free(f);
		return ulf_err_set(err, ULF_ENOMEM, "form: out of memory");
	}
	while (pos < len) {
		size_t flen = 0, nlen;
		const char *field = body + pos, *eq;
		long dn, dv;

		while (pos + flen < len && body[pos + flen] != '&')
			flen++;
		pos += flen + 1;
		if (flen == 0)
			continue;
		eq = memchr(field, '=', flen);
		nlen = eq ? (size_t)(eq - field) : flen;
		dn = form_decode(f->buf + w, field, nlen);
		if (dn <= 0) {
			rc = ulf_err_set(err, ULF_EINVAL, dn < 0 ? "form: bad %%-escape in a name"
							  : "form: a field without a name");
			goto out;
		}
		if (dn > HTTPD_FORM_NAME_MAX ||
		    !form_text_ok((const unsigned char *)f->buf + w, (size_t)dn)) {
			rc = ulf_err_set(err, ULF_EINVAL, "form: a field name that is too long or "
					 "not text");
			goto out;
		}
		f->f[f->n].name = f->buf + w;
		w += (size_t)dn + 1;
		dv = eq ? form_decode(f->buf + w, eq + 1, flen - nlen - 1) : 0;
		if (!eq)
			f->buf[w] = '\0';
		if (dv < 0 || !form_text_ok((const unsigned char *)f->buf + w, (size_t)dv)) {
			rc = ulf_err_set(err, ULF_EINVAL, "form: field \"%.40s\" is not text "
					 "(a bad %%-escape, a control character or invalid UTF-8)",
					 f->f[f->n].name);
			goto out;
		}
		f->f[f->n].value = f->buf + w;
		w += (size_t)dv + 1;
		f->n++;
	}
out:
	if (rc) {
		httpd_form_free(f);
		return rc;
	}
	*out = f;
	return 0;
}

const char *httpd_form_get(const httpd_form *f, const char *name)
{
	size_t i;

	for (i = 0; f && i < f->n; i++)
		if (strcmp(f->f[i].name, name) == 0)
			return f->f[i].value;
	return NULL;
}

size_t httpd_form_count(const httpd_form *f)
{
	return f ? f->n : 0;
}

void httpd_form_at(const httpd_form *f, size_t i, const char **name, const char **value)
{
	*name = i < f->n ? f->f[i].name : NULL;
	*value = i < f->n ? f->f[i].value : NULL;
}

void httpd_form_free(httpd_form *f)
{
	if (!f)
		return;
	if (f->buf)
		digest_cleanse(f->buf, f->buf_len);
	free(f->buf);
	free(f);
}
