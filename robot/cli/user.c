/*
 * user.c - `ulf user`: the people who may use the workbench and act on the
 * queue, with their roles (docs/workbench.md).
 *
 *   ulf user add NAME --role ROLE [--role ROLE...]   password from a prompt or stdin
 *   ulf user list
 *   ulf user disable NAME | enable NAME
 *   ulf user passwd NAME                             a new password, as for add
 *   ulf user roles NAME --role ROLE [--role ROLE...] replaces the roles
 *   ulf user map OSUSER NAME                         `ulf queue` run by OSUSER acts as NAME
 * Common: [--config FILE] [--store PATH].
 *
 * A password is read, hashed (argon2id) and wiped; it is never printed,
 * logged or stored.  Every change is in the audit trail, by the operating-
 * system user that made it (or the ulf user it is mapped to).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/digest.h"
#include "core/passwd.h"
#include "robot/cli/cli.h"
#include "robot/web/auth.h"

static void user_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf user add NAME --role ROLE [--role ROLE...]\n"
		"       ulf user list\n"
		"       ulf user disable NAME | enable NAME\n"
		"       ulf user passwd NAME\n"
		"       ulf user roles NAME --role ROLE [--role ROLE...]\n"
		"       ulf user map OSUSER NAME\n"
		"options for all: --config FILE, --store PATH\n"
		"Roles: handler, care_handler, controller, admin (a user may hold several).\n"
		"A password is asked for on the terminal (twice, not shown), or read as one\n"
		"line from stdin when that is not a terminal.  'map' lets the operating-system\n"
		"user OSUSER act as NAME in 'ulf queue'.\n");
}

/* "handler,admin"; "-" for none. */
static void roles_text(char *out, size_t n, unsigned roles)
{
	size_t len = 0;
	int r;

	out[0] = '\0';
	for (r = 0; r < AUTH_ROLE_COUNT; r++) {
		if (!(roles & AUTH_ROLE_BIT(r)) || len >= n)
			continue;
		len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "," : "",
					auth_role_name((auth_role)r));
	}
	if (!out[0])
		snprintf(out, n, "-");
}

static void fmt_time(char *buf, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm))
		snprintf(buf, n, "-");
	else
		strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
}

static void list_row(const user_info *u, void *ctx)
{
	char roles[128], created[32], changed[32];

	(void)ctx;
	roles_text(roles, sizeof(roles), u->roles);
	fmt_time(created, sizeof(created), u->created_at);
	fmt_time(changed, sizeof(changed), u->pw_changed_at);
	printf("%-20s %-36s %-8s %-16s %s\n", u->name, roles, u->disabled ? "disabled" : "enabled",
	       created, changed);
}

/* A new password for `name`, hashed into hash; the clear text is wiped. */
static int new_password(char hash[PASSWD_ENCODED_MAX], const char *name, ulf_err *err)
{
	char pw[PASSWD_MAX_LEN + 2];
	int rc;

	rc = cli_read_password(pw, sizeof(pw), name, err);
	if (rc == 0)
		rc = passwd_hash(hash, PASSWD_ENCODED_MAX, pw, err);
	digest_cleanse(pw, sizeof(pw));
	return rc;
}

/* `ulf user disable|enable NAME`, audited with the value before and after. */
static int set_disabled(store *s, users *u, const cli_actor *me, const char *name,
			bool disabled, ulf_err *err)
{
	char *before = NULL, *after = NULL;
	user_info was;
	int rc;

	rc = users_get(&was, u, name, err);
	if (rc)
		return rc;
	digest_cleanse(was.pw_hash, sizeof(was.pw_hash));
	rc = users_set_disabled(u, name, disabled, err);
	if (rc)
		return rc;
	before = cli_json_kv("name", name, "state", was.disabled ? "disabled" : "enabled", NULL);
	after = cli_json_kv("name", name, "state", disabled ? "disabled" : "enabled", NULL);
	rc = cli_audit_admin(s, me, disabled ? "user-disable" : "user-enable", before, after,
			     err);
	free(before);
	free(after);
	if (rc == 0)
		printf("user %s %s%s\n", name, disabled ? "disabled" : "enabled",
		       disabled ? "; its sessions are ended" : "");
	return rc;
}

int cli_user(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "role", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *verb, *config = NULL, *store_path = NULL, *name = NULL, *os_name = NULL;
	char hash[PASSWD_ENCODED_MAX] = "", roles_s[128], *before = NULL, *after = NULL;
	unsigned roles = 0;
	bool any_role = false;
	size_t want;
	auth_role role;
	store *s = NULL;
	users *u = NULL;
	cli_actor me;
	user_info was;
	ulf_err err;
	int c, status = CLI_OK;

	memset(&was, 0, sizeof(was));
	if (argc < 2) {
		user_usage(stderr);
		return CLI_USAGE;
	}
	verb = argv[1];
	if (!strcmp(verb, "--help") || !strcmp(verb, "help")) {
		user_usage(stdout);
		return CLI_OK;
	}
	ulf_err_clear(&err);
	optind = 2;
	while ((c = getopt_long(argc, argv, "c:s:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 's': store_path = optarg; break;
		case 'r':
			if (auth_role_parse(&role, optarg, &err)) {
				fprintf(stderr, "ulf user: %s\n", err.msg);
				return CLI_USAGE;
			}
			roles |= AUTH_ROLE_BIT(role);
			any_role = true;
			break;
		case 'h': user_usage(stdout); return CLI_OK;
		default: user_usage(stderr); return CLI_USAGE;
		}
	}
	want = !strcmp(verb, "list") ? 0 : !strcmp(verb, "map") ? 2 : 1;
	if ((size_t)(argc - optind) != want) {
		user_usage(stderr);
		return CLI_USAGE;
	}
	if (want == 1)
		name = argv[optind];
	else if (want == 2) {
		os_name = argv[optind];
		name = argv[optind + 1];
	}
	if ((!strcmp(verb, "add") || !strcmp(verb, "roles")) && !any_role) {
		fprintf(stderr, "ulf user %s: name at least one --role\n", verb);
		return CLI_USAGE;
	}
	if (any_role && strcmp(verb, "add") != 0 && strcmp(verb, "roles") != 0) {
		user_usage(stderr);
		return CLI_USAGE;
	}
	if (name && !users_name_ok(name)) {
		fprintf(stderr, "ulf user: '%s' is not a valid user name (1-%d letters, digits,"
			" '.', '_', '-', '@')\n", name, USERS_NAME_MAX);
		return CLI_USAGE;
	}
	if (cli_open_users(&s, &u, config, store_path, &err) || cli_actor_get(&me, u, &err))
		goto fail;
	roles_text(roles_s, sizeof(roles_s), roles);

	if (!strcmp(verb, "list")) {
		printf("%-20s %-36s %-8s %-16s %s\n", "NAME", "ROLES", "STATE", "CREATED",
		       "PASSWORD SET");
		if (users_list(u, list_row, NULL, &err))
			goto fail;
	} else if (!strcmp(verb, "add")) {
		/* the name first, so nobody types a password for nothing */
		if (users_get(&was, u, name, NULL) == 0) {
			ulf_err_set(&err, ULF_EEXISTS, "user %s exists already", name);
			goto fail;
		}
		if (new_password(hash, name, &err) ||
		    users_add(NULL, u, name, roles, hash, (int64_t)time(NULL), &err))
			goto fail;
		after = cli_json_kv("name", name, "roles", roles_s, NULL);
		if (cli_audit_admin(s, &me, "user-add", NULL, after, &err))
			goto fail;
		printf("user %s added (%s)\n", name, roles_s);
	} else if (!strcmp(verb, "passwd")) {
		if (users_get(&was, u, name, &err) || new_password(hash, name, &err) ||
		    users_set_password(u, name, hash, (int64_t)time(NULL), &err))
			goto fail;
		/* that it changed, never what to */
		after = cli_json_kv("name", name, NULL);
		if (cli_audit_admin(s, &me, "user-passwd", NULL, after, &err))
			goto fail;
		printf("password of %s changed; its sessions are ended\n", name);
	} else if (!strcmp(verb, "disable") || !strcmp(verb, "enable")) {
		if (set_disabled(s, u, &me, name, !strcmp(verb, "disable"), &err))
			goto fail;
	} else if (!strcmp(verb, "roles")) {
		char was_s[128];

		if (users_get(&was, u, name, &err) || users_set_roles(u, name, roles, &err))
			goto fail;
		roles_text(was_s, sizeof(was_s), was.roles);
		before = cli_json_kv("name", name, "roles", was_s, NULL);
		after = cli_json_kv("name", name, "roles", roles_s, NULL);
		if (cli_audit_admin(s, &me, "user-roles", before, after, &err))
			goto fail;
		printf("user %s: %s\n", name, roles_s);
	} else if (!strcmp(verb, "map")) {
		user_info old;
		ulf_err scratch;

		ulf_err_clear(&scratch);
		if (!users_name_ok(os_name)) {
			fprintf(stderr, "ulf user map: '%s' is not a valid user name\n", os_name);
			status = CLI_USAGE;
			goto out;
		}
		if (users_by_os(&old, u, os_name, &scratch) == 0)
			before = cli_json_kv("os_user", os_name, "user", old.name, NULL);
		if (users_map_os(u, os_name, name, &err))
			goto fail;
		after = cli_json_kv("os_user", os_name, "user", name, NULL);
		if (cli_audit_admin(s, &me, "user-map", before, after, &err))
			goto fail;
		printf("operating-system user %s acts as %s\n", os_name, name);
	} else {
		fprintf(stderr, "ulf user: unknown action '%s'\n", verb);
		user_usage(stderr);
		status = CLI_USAGE;
	}
	goto out;
fail:
	fprintf(stderr, "ulf user: %s\n", err.msg);
	status = cli_status(err.code);
out:
	digest_cleanse(hash, sizeof(hash));
	digest_cleanse(was.pw_hash, sizeof(was.pw_hash));
	free(before);
	free(after);
	users_free(u);
	store_close(s);
	return status;
}
