/*
 * httpd.h - a small HTTP(S) server on libmicrohttpd, behind ulf's names.
 *
 * Used by the service (documents POSTed to the robot, health, metrics) and
 * the workbench (robot/web).  It knows HTTP, not ulf: the one wrapper of
 * libmicrohttpd, so it lives in core/ with the other wrappers.
 * Each connection is served by a thread of its own, which calls the
 * handler: several handlers run at once, and what they share, they guard.
 * Request bodies are capped; a larger one is answered 413 without being
 * held in memory.
 */
#ifndef ULF_HTTPD_H
#define ULF_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct httpd httpd;
typedef struct httpd_request httpd_request;

typedef struct httpd_response {
	int status;
	const char *content_type;   /* static string */
	char *body;                 /* malloc'd; the server frees it */
	size_t body_len;
} httpd_response;

const char *httpd_method(const httpd_request *r);
const char *httpd_path(const httpd_request *r);
/* A request header, or NULL. */
const char *httpd_header(const httpd_request *r, const char *name);
/* A query argument (?name=value), or NULL. */
const char *httpd_query(const httpd_request *r, const char *name);
const char *httpd_body(const httpd_request *r, size_t *len);

/* Called once per complete request, on one of the server's threads. */
typedef void (*httpd_handler)(httpd_response *out, const httpd_request *req, void *ctx);

typedef struct httpd_opts {
	const char *bind;           /* "127.0.0.1" (default) or "0.0.0.0" */
	uint16_t port;              /* 0: any free port (see httpd_port) */
	const char *cert_file;      /* PEM; with key_file, serve HTTPS */
	const char *key_file;
	size_t max_body;            /* bytes; larger bodies get 413 */
	unsigned timeout_s;         /* idle connection timeout */
	unsigned max_connections;   /* served at once (0: 16); more wait */
} httpd_opts;

int httpd_start(httpd **out, const httpd_opts *opts, httpd_handler handler, void *ctx,
		ulf_err *err);
uint16_t httpd_port(const httpd *h);
/* Stops accepting, finishes the request in hand, frees.  NULL is fine. */
void httpd_stop(httpd *h);

/* Helpers for handlers: a copy of text as the body. */
void httpd_reply(httpd_response *out, int status, const char *content_type, const char *text);

#endif
