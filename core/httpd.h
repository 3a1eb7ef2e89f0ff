/*
 * httpd.h - a small HTTP(S) server on libmicrohttpd, behind ulf's names.
 *
 * Used by the service (documents POSTed to the robot, health, metrics) and
 * the workbench (robot/web).  It knows HTTP, not ulf: the one wrapper of
 * libmicrohttpd (and of GnuTLS, libmicrohttpd's TLS, for client
 * certificates), so it lives in core/ with the other wrappers.
 *
 * Each connection is served by a thread of its own, which calls the
 * handlers: several handlers run at once, and what they share, they guard.
 *
 * What it does so that no client can starve the others or make it keep
 * what it should not:
 *   - request bodies are capped (httpd_opts.max_body, or less per request
 *     with httpd_limit_body); a Content-Length over the cap is answered
 *     413 before any of the body is read, and a body that grows past it
 *     is never held;
 *   - the head hook runs when a request's head is in, before its body:
 *     a request without credentials is refused there, unread;
 *   - connections per client address are limited (more are closed at
 *     once), and so are connections in all (more wait to be accepted);
 *   - a request head (the TLS handshake, the request line and headers)
 *     must arrive whole within head_timeout_s, however slowly its bytes
 *     trickle in, or the connection is closed - the idle timeout alone
 *     would let a client sending a line every few seconds hold a thread;
 *   - percent escapes that decode to a control character or NUL are left
 *     as they are, so "/documents/1%00" is not read as "/documents/1"
 *     (httpd_path_ok then refuses it).
 */
#ifndef ULF_HTTPD_H
#define ULF_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct httpd httpd;
typedef struct httpd_request httpd_request;

/* Headers a response may carry besides its content type. */
#define HTTPD_HEADERS_MAX 16

typedef struct httpd_response {
	int status;
	const char *content_type;   /* static string */
	char *body;                 /* malloc'd; the server frees it */
	size_t body_len;
	/* added with httpd_add_header; malloc'd, the server frees them */
	size_t nheaders;
	struct { char *name, *value; } headers[HTTPD_HEADERS_MAX];
} httpd_response;

const char *httpd_method(const httpd_request *r);
/* The path, percent escapes decoded (but those of control characters and
 * NUL, see above); without the query. */
const char *httpd_path(const httpd_request *r);
/* A request header, or NULL. */
const char *httpd_header(const httpd_request *r, const char *name);
/* A query argument (?name=value), or NULL. */
const char *httpd_query(const httpd_request *r, const char *name);
const char *httpd_body(const httpd_request *r, size_t *len);

/* The client's address as text ("127.0.0.1"), into out[0..n); "" when it
 * is unknown or does not fit. */
void httpd_client_addr(char *out, size_t n, const httpd_request *r);
/* Whether the client connects from a loopback address (127.0.0.0/8, ::1). */
bool httpd_client_loopback(const httpd_request *r);
/* Whether the request came over TLS. */
bool httpd_tls(const httpd_request *r);
/*
 * The common name of the client certificate the request came with, when
 * the server asks for them (httpd_opts.client_ca_file) and it verified
 * against that CA (signature, validity dates); NULL otherwise.  Valid
 * until the request ends.
 */
const char *httpd_client_cert(const httpd_request *r);

/*
 * Address lists (settings such as the workbench's trusted proxies): IPv4
 * addresses and blocks ("10.0.0.5", "10.1.0.0/16"), separated by commas
 * and white space.  httpd_addr_list_ok: whether `list` is one (an empty
 * list is); httpd_client_in: whether the client's address is in it.
 */
bool httpd_addr_list_ok(const char *list);
bool httpd_client_in(const httpd_request *r, const char *list);

/*
 * The value of cookie `name` in the request's Cookie header into
 * out[0..n).  Returns 0, ULF_ENOTFOUND when there is none, ULF_EINVAL
 * when it is there twice (which one the browser meant is unknown: a
 * cookie set by a sibling site must not win) and ULF_ELIMIT when it does
 * not fit.  httpd_cookie_find does the same on a header's text.
 */
int httpd_cookie(char *out, size_t n, const httpd_request *r, const char *name);
int httpd_cookie_find(char *out, size_t n, const char *header, const char *name);

/*
 * Whether a decoded path is one a route may be looked up by: it starts
 * with '/', is at most 1024 bytes of letters, digits and - . _ ~ /, with
 * no empty, "." or ".." segment (but a final '/').  Anything else - a
 * '%' left over, a NUL, a space, "//", "/../" - is refused (400).
 */
bool httpd_path_ok(const char *path);

/* ---- the request's life ---------------------------------------------- */

/*
 * Called once per request when its head is in, before its body is read,
 * on one of the server's threads (the same one as the handler after it).
 * It may answer at once by setting out->status - the body is then never
 * read, and the handler is not called - or limit the body, mark it to be
 * wiped, and leave data for the handler.
 */
typedef void (*httpd_head_handler)(httpd_response *out, httpd_request *req, void *ctx);

/* Called once per complete request, on one of the server's threads. */
typedef void (*httpd_handler)(httpd_response *out, const httpd_request *req, void *ctx);

/* For the head hook: this request's body may be at most max bytes (never
 * more than httpd_opts.max_body); a longer one is answered 413. */
void httpd_limit_body(httpd_request *r, size_t max);
/* For the head hook: wipe the body's memory when the request ends (a
 * password in a form). */
void httpd_wipe_body(httpd_request *r);
/* For the head hook: data for the handler (httpd_data), freed with
 * free_fn (may be NULL) when the request ends. */
void httpd_set_data(httpd_request *r, void *data, void (*free_fn)(void *));
void *httpd_data(const httpd_request *r);

typedef struct httpd_opts {
	const char *bind;           /* "127.0.0.1" (default) or "0.0.0.0" */
	uint16_t port;              /* 0: any free port (see httpd_port) */
	const char *cert_file;      /* PEM; with key_file, serve HTTPS */
	const char *key_file;
	/* PEM CA: with HTTPS, ask clients for a certificate and verify it
	 * against this CA (httpd_client_cert); a client without one may
	 * still connect */
	const char *client_ca_file;
	size_t max_body;            /* bytes; larger bodies get 413 */
	unsigned timeout_s;         /* idle connection timeout (0: 30) */
	unsigned head_timeout_s;    /* the whole request head (0: none) */
	unsigned max_connections;   /* served at once (0: 16); more wait */
	unsigned per_client;        /* connections from one address (0: no limit) */
	httpd_head_handler head;    /* may be NULL */
	/* libmicrohttpd's own messages (a client that went away, a limit
	 * reached), one line each without a newline; NULL: stderr.  At most
	 * a few a second reach it: a flood of refused clients must not
	 * flood the log. */
	void (*log)(const char *msg, void *ctx);
	void *log_ctx;
	/* name, value pairs, NULL-terminated, added to every response (also
	 * those httpd makes itself: 400, 413, 500); static strings */
	const char *const *headers;
} httpd_opts;

int httpd_start(httpd **out, const httpd_opts *opts, httpd_handler handler, void *ctx,
		ulf_err *err);
uint16_t httpd_port(const httpd *h);
/* Stops accepting, finishes the request in hand, frees.  NULL is fine. */
void httpd_stop(httpd *h);

/* ---- helpers for handlers -------------------------------------------- */

/* A copy of text as the body. */
void httpd_reply(httpd_response *out, int status, const char *content_type, const char *text);

/*
 * Adds a header (copied) to the response.  Returns 0, ULF_EINVAL for a
 * name or value with a control character (no header can be smuggled in),
 * ULF_ELIMIT past HTTPD_HEADERS_MAX, ULF_ENOMEM.
 */
int httpd_add_header(httpd_response *out, const char *name, const char *value);

/* `status` (303 after a POST) to `location`, with a short text body. */
void httpd_redirect(httpd_response *out, int status, const char *location);

/* Frees what a response holds and empties it (a handler that replaces an
 * answer it had begun). */
void httpd_response_clear(httpd_response *out);

/* ---- forms ------------------------------------------------------------ */

/* Fields a form may have, and the longest field name. */
#define HTTPD_FORM_FIELDS_MAX 512
#define HTTPD_FORM_NAME_MAX 128

typedef struct httpd_form httpd_form;

/*
 * Parses an application/x-www-form-urlencoded body (name=value&...,
 * '+' a space, %XX a byte).  Refused (ULF_EINVAL): a bad escape, a name
 * longer than HTTPD_FORM_NAME_MAX, an empty name, a NUL or other control
 * character but tab, CR and LF, invalid UTF-8; ULF_ELIMIT: more than
 * HTTPD_FORM_FIELDS_MAX fields.  The body's size is the caller's cap.
 */
int httpd_form_parse(httpd_form **out, const char *body, size_t len, ulf_err *err);
/* The first value of field `name`, or NULL. */
const char *httpd_form_get(const httpd_form *f, const char *name);
/* The fields in order, repeated names included. */
size_t httpd_form_count(const httpd_form *f);
void httpd_form_at(const httpd_form *f, size_t i, const char **name, const char **value);
/* Wipes (a form may hold a password) and frees.  NULL is fine. */
void httpd_form_free(httpd_form *f);

#endif
