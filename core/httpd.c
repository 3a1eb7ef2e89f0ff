/*
 * httpd.c - see httpd.h.  The only file that includes <microhttpd.h>.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "core/fileio.h"
#include "core/httpd.h"

struct httpd {
	struct MHD_Daemon *d;
	httpd_handler handler;
	void *ctx;
	size_t max_body;
	char *cert, *key;
};

struct httpd_request {
	struct MHD_Connection *conn;
	const char *method, *path;
	char *body;
	size_t len, cap;
	int too_large;
};

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

void httpd_reply(httpd_response *out, int status, const char *content_type, const char *text)
{
	out->status = status;
	out->content_type = content_type;
	out->body = strdup(text ? text : "");
	out->body_len = out->body ? strlen(out->body) : 0;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, httpd_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	r = MHD_create_response_from_buffer(res->body_len, res->body ? res->body : (void *)"",
					    res->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(res->body);
		return MHD_NO;
	}
	if (res->content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
	ok = MHD_queue_response(conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **con_cls)
{
	httpd *h = cls;
	httpd_request *req = *con_cls;
	httpd_response res;

	(void)version;
	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		req->conn = conn;
		req->method = method;
		req->path = url;
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (req->too_large || req->len + n > h->max_body) {
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
	memset(&res, 0, sizeof(res));
	if (req->too_large)
		httpd_reply(&res, 413, "text/plain", "request body too large\n");
	else
		h->handler(&res, req, h->ctx);
	if (!res.status)
		httpd_reply(&res, 500, "text/plain", "no answer\n");
	return send_reply(conn, &res);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	httpd_request *req = *con_cls;

	(void)cls; (void)conn; (void)toe;
	if (req) {
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
	size_t n;
	int rc = 0;

	*out = NULL;
	if (!h)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	h->handler = handler;
	h->ctx = ctx;
	h->max_body = opts->max_body ? opts->max_body : (16u << 20);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(opts->port);
	if (inet_pton(AF_INET, opts->bind ? opts->bind : "127.0.0.1", &addr.sin_addr) != 1) {
		rc = ulf_err_set(err, ULF_EINVAL, "http: bad bind address '%s'", opts->bind);
		goto out;
	}
	if (opts->cert_file && opts->key_file) {
		rc = file_read(&h->cert, &n, opts->cert_file, 1u << 20, err);
		if (rc == 0)
			rc = file_read(&h->key, &n, opts->key_file, 1u << 20, err);
		if (rc)
			goto out;
		flags |= MHD_USE_TLS;
	}
	h->d = h->cert
		? MHD_start_daemon(flags, opts->port, NULL, NULL, on_request, h,
				   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				   MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				   MHD_OPTION_CONNECTION_TIMEOUT, opts->timeout_s ? opts->timeout_s : 30u,
				   MHD_OPTION_CONNECTION_LIMIT, limit,
				   MHD_OPTION_HTTPS_MEM_CERT, h->cert,
				   MHD_OPTION_HTTPS_MEM_KEY, h->key, MHD_OPTION_END)
		: MHD_start_daemon(flags, opts->port, NULL, NULL, on_request, h,
				   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				   MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				   MHD_OPTION_CONNECTION_TIMEOUT, opts->timeout_s ? opts->timeout_s : 30u,
				   MHD_OPTION_CONNECTION_LIMIT, limit,
				   MHD_OPTION_END);
	if (!h->d) {
		rc = ulf_err_set(err, ULF_ENET, "http: cannot listen on %s:%u",
				 opts->bind ? opts->bind : "127.0.0.1", opts->port);
		goto out;
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
	if (h->d)
		MHD_stop_daemon(h->d);
	free(h->cert);
	free(h->key);
	free(h);
}
