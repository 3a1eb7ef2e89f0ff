/*
 * passwd.h - password hashing for the workbench's users: argon2id through
 * libargon2, the only module that includes <argon2.h>.
 *
 * Parameters (OWASP Password Storage Cheat Sheet, first argon2id line):
 * t = 2 passes over m = 19 MiB with p = 1 lane, a 16-byte random salt and
 * a 32-byte hash.  One verification takes about 80 ms on the build machine
 * (2 cores, busy): slow enough to make guessing from a stolen table
 * expensive, fast enough for a login, and 19 MiB per login in flight keeps
 * a burst of logins from exhausting memory.  The parameters are written
 * into every stored hash ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash"), so
 * raising them later leaves old hashes verifiable; passwd_needs_rehash
 * says when to re-hash at the next successful login.
 *
 * Nothing here logs, copies or keeps a password: the caller owns it and
 * wipes it (digest_cleanse) when done.
 */
#ifndef ULF_PASSWD_H
#define ULF_PASSWD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define PASSWD_T_COST 2
#define PASSWD_M_COST_KIB 19456      /* 19 MiB */
#define PASSWD_PARALLELISM 1
#define PASSWD_SALT_LEN 16
#define PASSWD_HASH_LEN 32

/* Room for an encoded hash ("$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>",
 * about 100 characters) and its NUL. */
#define PASSWD_ENCODED_MAX 160

/* The longest password taken, in bytes: a cap on the work an outsider
 * can ask for, far above any passphrase. */
#define PASSWD_MAX_LEN 1024

/*
 * Hashes `password` (NUL-terminated UTF-8, 1..PASSWD_MAX_LEN bytes) with
 * argon2id, the parameters above and a fresh random salt, into out as the
 * encoded string (PHC format).  Returns 0, ULF_EINVAL for an empty
 * password or out smaller than PASSWD_ENCODED_MAX, ULF_ELIMIT for a
 * password over PASSWD_MAX_LEN, ULF_ENOMEM, ULF_ERROR (no random bytes).
 */
int passwd_hash(char *out, size_t out_size, const char *password, ulf_err *err);

/*
 * Whether `password` is the one `encoded` (from passwd_hash) was made of;
 * *out is set to true or false.  The comparison is libargon2's, in constant
 * time.  A password over PASSWD_MAX_LEN or empty is simply wrong.  Returns
 * 0 (whichever the answer), ULF_EPARSE for an encoded string that is not
 * argon2id or is malformed, ULF_ELIMIT for one whose parameters exceed
 * what this build will spend (m over 256 MiB, t over 10, p over 8), so a
 * tampered table cannot make a login allocate gigabytes, ULF_ENOMEM.
 */
int passwd_verify(bool *out, const char *encoded, const char *password, ulf_err *err);

/*
 * Does the work of one verification, against a hash no password matches:
 * for a login with a user name that does not exist, so that the response
 * time does not tell which names do.  Returns 0, or ULF_ENOMEM.
 */
int passwd_verify_none(const char *password, ulf_err *err);

/* Whether `encoded` was made with other parameters than the current ones
 * (or is not argon2id at all), so it should be re-hashed when the user next
 * logs in with the right password. */
bool passwd_needs_rehash(const char *encoded);

#endif
