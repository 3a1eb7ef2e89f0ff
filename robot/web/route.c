/*
 * route.c - matching a request's path to the route table, pure functions
 * (web_route_match, web_route_find, web_local_url_ok).  See web.h.
 */
#include <string.h>

#include "robot/web/web.h"

static int seg_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Whether s[0..n) is a number 1..2^63-1 written without a leading zero. */
static int id_ok(const char *s, size_t n)
{
	static const char max[] = "9223372036854775807";
	size_t i;

	if (n == 0 || n > sizeof(max) - 1 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n < sizeof(max) - 1 || memcmp(s, max, n) <= 0;
}

bool web_route_match(web_params *out, const char *pattern, const char *path)
{
	const char *p = pattern, *s = path;

	out->n = 0;
	if (!pattern || !path)
		return false;
	while (*p) {
		if (*p == '{') {
			const char *close = strchr(p, '}'), *colon;
			size_t nlen, vlen = 0;
			int is_int;

			if (!close || out->n >= WEB_PARAMS_MAX)
				return false;
			colon = memchr(p, ':', (size_t)(close - p));
			is_int = colon && (size_t)(close - colon - 1) == 3 && !memcmp(colon + 1, "int", 3);
			nlen = (size_t)((colon ? colon : close) - p - 1);
			if (nlen == 0 || nlen >= sizeof(out->p[0].name) || (colon && !is_int))
				return false;
			while (s[vlen] && s[vlen] != '/') {
				if (!seg_char_ok(s[vlen]))
					return false;
				vlen++;
			}
			if (vlen == 0 || vlen >= WEB_PARAM_LEN || (is_int && !id_ok(s, vlen)))
				return false;
			memcpy(out->p[out->n].name, p + 1, nlen);
			out->p[out->n].name[nlen] = '\0';
			memcpy(out->p[out->n].value, s, vlen);
			out->p[out->n].value[vlen] = '\0';
			out->n++;
			p = close + 1;
			s += vlen;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *s == '\0';
}

const web_route *web_route_find(web_params *out, int *out_status, const web_route *routes,
				size_t n, const char *method, const char *path)
{
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
	web_params tmp;
	size_t i;

	*out_status = 404;
	out->n = 0;
	for (i = 0; i < n; i++) {
		if (!web_route_match(&tmp, routes[i].pattern, path))
			continue;
		if (strcmp(routes[i].method, m) == 0) {
			*out = tmp;
			*out_status = 200;
			return &routes[i];
		}
		*out_status = 405;
	}
	return NULL;
}

bool web_local_url_ok(const char *url)
{
	size_t i;

	if (!url || url[0] != '/' || url[1] == '/' || url[1] == '\\')
		return false;
	for (i = 0; url[i]; i++) {
		unsigned char c = (unsigned char)url[i];
		if (i >= 512 || c <= 0x20 || c >= 0x7F || c == '\\')
			return false;
	}
	return true;
}
