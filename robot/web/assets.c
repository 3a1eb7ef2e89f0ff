/*
 * assets.c - serving the embedded assets (assets.h) at /assets/NAME, with
 * an ETag so that a browser asks again cheaply (304) instead of keeping a
 * stale stylesheet after an upgrade.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/web/assets.h"
#include "robot/web/web_int.h"

static const struct {
	const char *ext, *type;
} types[] = {
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *type_of(const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);
		if (n > e && strcmp(name + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

void web_asset(web_ctx *c)
{
	const char *name = web_param(c, "name"), *match;
	const web_asset_file *f;
	char hex[DIGEST_HEX_LEN + 1], etag[24];
	char *body;

	for (f = web_asset_files; f->name; f++)
		if (name && strcmp(f->name, name) == 0)
			break;
	if (!f->name) {
		web_error(c, 404, "No such file", "There is no such file among the workbench's.");
		return;
	}
	if (digest_sha256_hex(hex, f->data, f->len)) {
		web_error(c, 500, "No checksum", "The file's checksum could not be made.");
		return;
	}
	snprintf(etag, sizeof(etag), "\"%.16s\"", hex);
	match = web_header(c, "If-None-Match");
	if (match && strstr(match, etag)) {
		web_reply(c, 304, NULL, NULL, 0);
	} else {
		body = malloc(f->len ? f->len : 1);
		if (!body) {
			web_error(c, 503, "Out of memory", "Try again in a moment.");
			return;
		}
		memcpy(body, f->data, f->len);
		web_reply(c, 200, type_of(f->name), body, f->len);
	}
	web_add_header(c, "ETag", etag);
	/* ask each time; the answer is mostly 304 */
	web_add_header(c, "Cache-Control", "no-cache");
}
