/*
 * cli_common.c - what the subcommands share.  See cli.h.
 */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/json.h"
#include "core/passwd.h"
#include "robot/cli/cli.h"

static int override(char *field, size_t size, const char *value, const char *what,
		    ulf_err *err)
{
	if (!value)
		return 0;
	if (snprintf(field, size, "%s", value) >= (int)size)
		return ulf_err_set(err, ULF_EINVAL, "%s: path too long", what);
	return 0;
}

int cli_load_config(ulf_config *out, const char *config_path, const char *store_path,
		    const char *inbox_dir, ulf_err *err)
{
	ulf_config cfg;
	int rc;

	config_init(&cfg);
	if (config_path && (rc = config_load(&cfg, config_path, err)) != 0)
		return rc;
	if ((rc = override(cfg.store_path, sizeof(cfg.store_path), store_path, "--store", err)) ||
	    (rc = override(cfg.inbox_dir, sizeof(cfg.inbox_dir), inbox_dir, "--inbox", err)))
		return rc;
	*out = cfg;
	return 0;
}

/* ---- who runs ulf, and the passwords they type ------------------------ */

int cli_os_user(char *out, size_t n, ulf_err *err)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	int rc;

	out[0] = '\0';
	/* the effective user: the one whose rights open the store */
	rc = getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &found);
	if (rc != 0 || !found)
		return ulf_err_set(err, ULF_ENOTFOUND, "the operating-system user %lu has no name",
				   (unsigned long)geteuid());
	if (snprintf(out, n, "%s", found->pw_name) >= (int)n)
		return ulf_err_set(err, ULF_ELIMIT, "operating-system user name too long");
	return 0;
}

/* One line from fd into out[0..n), without its line end, read a byte at a
 * time so that nothing after it is consumed and no stdio buffer keeps a
 * copy.  ULF_ELIMIT for a line that does not fit, ULF_EIO at end of input
 * before any byte. */
static int read_line(char *out, size_t n, int fd, ulf_err *err)
{
	size_t len = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return ulf_err_set(err, ULF_EIO, "password: %s", strerror(errno));
		if (r == 0) {
			if (len == 0)
				return ulf_err_set(err, ULF_EIO, "password: no input");
			break;
		}
		if (c == '\n')
			break;
		if (len + 1 >= n) {
			digest_cleanse(out, n);
			/* the rest of the line is not left for the next reader */
			while (read(fd, &c, 1) == 1 && c != '\n')
				;
			return ulf_err_set(err, ULF_ELIMIT, "password: longer than %zu bytes",
					   n - 1);
		}
		out[len++] = c;
	}
	if (len && out[len - 1] == '\r')
		len--;
	out[len] = '\0';
	return 0;
}

/* Asks on the terminal with echo off. */
static int ask(char *out, size_t n, const char *prompt, ulf_err *err)
{
	struct termios old, quiet;
	bool restore;
	int rc;

	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	restore = tcgetattr(STDIN_FILENO, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	rc = read_line(out, n, STDIN_FILENO, err);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	return rc;
}

int cli_read_password(char *out, size_t n, const char *user, ulf_err *err)
{
	char again[PASSWD_MAX_LEN + 2], prompt[160];
	int rc;

	out[0] = '\0';
	if (!isatty(STDIN_FILENO)) {
		rc = read_line(out, n, STDIN_FILENO, err);
	} else {
		snprintf(prompt, sizeof(prompt), "New password for %s: ", user);
		rc = ask(out, n, prompt, err);
		if (rc == 0)
			rc = ask(again, sizeof(again), "Again: ", err);
		if (rc == 0 && strcmp(out, again) != 0)
			rc = ulf_err_set(err, ULF_EINVAL, "the passwords differ");
		digest_cleanse(again, sizeof(again));
	}
	if (rc == 0 && !out[0])
		rc = ulf_err_set(err, ULF_EINVAL, "an empty password is no password");
	if (rc)
		digest_cleanse(out, n);
	return rc;
}

int cli_actor_get(cli_actor *out, users *u, ulf_err *err)
{
	ulf_err scratch;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = cli_os_user(out->os_name, sizeof(out->os_name), err);
	if (rc)
		return rc;
	ulf_err_clear(&scratch);
	rc = users_by_os(&out->user, u, out->os_name, &scratch);
	if (rc == 0) {
		out->mapped = true;
		snprintf(out->who, sizeof(out->who), "%s", out->user.name);
		return 0;
	}
	if (rc != ULF_ENOTFOUND)
		return ulf_err_set(err, rc, "%s", scratch.msg);
	snprintf(out->who, sizeof(out->who), "os:%.*s", USERS_NAME_MAX, out->os_name);
	return 0;
}

int cli_audit_admin(store *s, const cli_actor *who, const char *action, const char *before,
		    const char *after, ulf_err *err)
{
	audit_entry e = {
		.who = who->who, .user_id = who->mapped ? who->user.id : 0, .action = action,
		.before = before, .after = after, .at = (int64_t)time(NULL),
	};

	return store_audit_entry(NULL, s, &e, err);
}

char *cli_json_kv(const char *key, ...)
{
	ujson *o = ujson_object();
	const char *k, *v;
	char *s = NULL;
	va_list ap;
	int rc = o ? 0 : -1;

	va_start(ap, key);
	for (k = key; k && rc == 0; k = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		rc = ujson_set_str(o, k, v);
	}
	va_end(ap);
	if (rc == 0)
		s = ujson_dump(o, UJSON_COMPACT);
	ujson_free(o);
	return s;
}

int cli_open_users(store **out_s, users **out_u, const char *config, const char *store_path,
		   ulf_err *err)
{
	ulf_config cfg;
	int rc;

	*out_s = NULL;
	*out_u = NULL;
	rc = cli_load_config(&cfg, config, store_path, NULL, err);
	if (rc == 0)
		rc = store_open(out_s, cfg.store_backend, cfg.store_path, err);
	if (rc == 0)
		rc = users_open(out_u, store_db(*out_s), err);
	if (rc) {
		store_close(*out_s);
		*out_s = NULL;
	}
	return rc;
}

int cli_status(int code)
{
	switch (code) {
	case ULF_EINVAL:
	case ULF_ENOTFOUND:
	case ULF_EEXISTS:
	case ULF_ELIMIT:
		return CLI_FINDINGS;
	default:
		return CLI_UNREADABLE;
	}
}
