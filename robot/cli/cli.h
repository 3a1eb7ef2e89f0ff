/*
 * cli.h - the subcommands of the `ulf` binary.  Each takes the arguments
 * after its own name (argv[0] is the subcommand) and returns the process
 * exit status.
 */
#ifndef ULF_CLI_H
#define ULF_CLI_H

/* Exit statuses shared by the subcommands. */
enum {
	CLI_OK = 0,        /* everything read (and valid, where that is asked) */
	CLI_FINDINGS = 1,  /* read, but something was found (validation) */
	CLI_UNREADABLE = 2,/* at least one input could not be read */
	CLI_USAGE = 64     /* bad command line (EX_USAGE) */
};

#include <stdbool.h>
#include <stdio.h>

#include "core/err.h"
#include "robot/config/config.h"
#include "robot/store/store.h"
#include "robot/store/users.h"

/*
 * The configuration a command runs with: the defaults, over them the file
 * (when config_path is given), over that the command line's --store and
 * --inbox (when given).
 */
int cli_load_config(ulf_config *out, const char *config_path, const char *store_path,
		    const char *inbox_dir, ulf_err *err);

/* The name of the operating-system user ulf runs as (the effective user,
 * whose rights open the store) into out[0..n). */
int cli_os_user(char *out, size_t n, ulf_err *err);

/*
 * A new password for `user` into out[0..n) (n: PASSWD_MAX_LEN + 2): asked
 * twice on the terminal with echo off when stdin is one, else one line of
 * stdin (its line end dropped).  Never printed; the caller wipes out with
 * digest_cleanse when done.  ULF_EINVAL for an empty password or two that
 * differ, ULF_ELIMIT for one that does not fit, ULF_EIO without input.
 */
int cli_read_password(char *out, size_t n, const char *user, ulf_err *err);

/* Who runs a command, for the audit trail and for what it may do. */
typedef struct cli_actor {
	char os_name[256];            /* the operating-system user */
	bool mapped;                  /* it is mapped to a ulf user (ulf user map) */
	user_info user;               /* that user, when mapped */
	char who[USERS_NAME_MAX + 8]; /* the user's name, else "os:" and the OS name */
} cli_actor;

/* The actor running this process: its OS user and the ulf user it maps to. */
int cli_actor_get(cli_actor *out, users *u, ulf_err *err);

/* Records an administrator's action (users, tokens) in the audit trail,
 * with the values before and after (JSON, may be NULL; never a secret). */
int cli_audit_admin(store *s, const cli_actor *who, const char *action, const char *before,
		    const char *after, ulf_err *err);

/* A time (seconds since the epoch) as "YYYY-MM-DD HH:MM" (UTC), "-" for
 * none (0 or less), into buf[0..n): the lists of users and tokens. */
void cli_fmt_time(char *buf, size_t n, int64_t t);

/* A flat JSON object of string pairs, NULL-terminated: ("name", "anna",
 * "roles", "handler", NULL); malloc'd, NULL when out of memory. */
char *cli_json_kv(const char *key, ...);

/* The store of the configuration (cli_load_config) and its users. */
int cli_open_users(store **out_s, users **out_u, const char *config, const char *store_path,
		   ulf_err *err);

/*
 * Writes text to out with personal identity numbers masked (core/pnr.h):
 * for JSON (json true) in its strings only, so it stays the same JSON.
 * Every command prints what it read from outside through these, unless
 * the user asked for patients unmasked (`ulf care --unmask`).  0 or
 * ULF_ENOMEM (nothing written then).
 */
int cli_put_masked(FILE *out, const char *text, bool json);

/* What print(f, ctx) writes, to out masked as cli_put_masked does with
 * text.  0 or ULF_ENOMEM. */
int cli_print_masked(FILE *out, void (*print)(FILE *f, const void *ctx), const void *ctx);

/* The exit status for an error code: CLI_FINDINGS for what the user asked
 * wrong (no such user, exists already, invalid), else CLI_UNREADABLE. */
int cli_status(int code);

int cli_parse(int argc, char **argv);
int cli_validate(int argc, char **argv);
int cli_config(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_queue(int argc, char **argv);
int cli_care(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_match(int argc, char **argv);
int cli_dashboard(int argc, char **argv);
int cli_rules(int argc, char **argv);
int cli_erppost(int argc, char **argv);
int cli_web(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_audit(int argc, char **argv);

#endif
