/*
 * passwd.c - argon2id password hashes.  See passwd.h.
 */
#include <stdint.h>
#include <string.h>

#include <argon2.h>

#include "core/digest.h"
#include "core/passwd.h"

/* What a stored hash may ask verification to spend. */
#define PASSWD_M_COST_MAX (256u * 1024u)   /* KiB: 256 MiB */
#define PASSWD_T_COST_MAX 10u
#define PASSWD_P_MAX 8u

#define PASSWD_PREFIX "$argon2id$v=19$"

#define PASSWD_STR_(x) #x
#define PASSWD_STR(x) PASSWD_STR_(x)

/* A stored hash with the current parameters for passwd_verify_none.  Its
 * 32 hash bytes are arbitrary, so no password matches; verification does
 * all of its work before it compares. */
static const char dummy_hash[] =
	PASSWD_PREFIX "m=" PASSWD_STR(PASSWD_M_COST_KIB) ",t=" PASSWD_STR(PASSWD_T_COST)
	",p=" PASSWD_STR(PASSWD_PARALLELISM) "$dWxmLWR1bW15LXNhbHQxNg$"
	"9WJ+bAg8/jxCoRBdr9YN3q87V918ztyIgBad7Nm4Ak8";

/* Reads an unsigned decimal at *p (at most 9 digits), moving *p past it. */
static int read_uint(uint32_t *out, const char **p)
{
	uint32_t v = 0;
	int n = 0;

	while (**p >= '0' && **p <= '9') {
		if (++n > 9)
			return -1;
		v = v * 10 + (uint32_t)(**p - '0');
		(*p)++;
	}
	if (n == 0)
		return -1;
	*out = v;
	return 0;
}

/* The m, t and p of an argon2id v=19 encoded string. */
static int read_params(uint32_t *m, uint32_t *t, uint32_t *par, const char *encoded)
{
	const char *p = encoded;

	if (strncmp(p, PASSWD_PREFIX, strlen(PASSWD_PREFIX)) != 0)
		return -1;
	p += strlen(PASSWD_PREFIX);
	if (strncmp(p, "m=", 2) != 0)
		return -1;
	p += 2;
	if (read_uint(m, &p) || strncmp(p, ",t=", 3) != 0)
		return -1;
	p += 3;
	if (read_uint(t, &p) || strncmp(p, ",p=", 3) != 0)
		return -1;
	p += 3;
	if (read_uint(par, &p) || *p != '$')
		return -1;
	return 0;
}

int passwd_hash(char *out, size_t out_size, const char *password, ulf_err *err)
{
	unsigned char salt[PASSWD_SALT_LEN];
	size_t len;
	int rc, arc;

	if (out && out_size)
		out[0] = '\0';
	if (!out || out_size < PASSWD_ENCODED_MAX)
		return ulf_err_set(err, ULF_EINVAL, "password hash: output buffer too small");
	if (!password || !*password)
		return ulf_err_set(err, ULF_EINVAL, "password hash: empty password");
	len = strnlen(password, PASSWD_MAX_LEN + 1);
	if (len > PASSWD_MAX_LEN)
		return ulf_err_set(err, ULF_ELIMIT,
			"password hash: password longer than %d bytes", PASSWD_MAX_LEN);

	rc = digest_random(salt, sizeof(salt), err);
	if (rc)
		goto out;
	arc = argon2id_hash_encoded(PASSWD_T_COST, PASSWD_M_COST_KIB, PASSWD_PARALLELISM,
				    password, len, salt, sizeof(salt),
				    PASSWD_HASH_LEN, out, out_size);
	if (arc != ARGON2_OK) {
		out[0] = '\0';
		rc = ulf_err_set(err, arc == ARGON2_MEMORY_ALLOCATION_ERROR ? ULF_ENOMEM : ULF_ERROR,
			"password hash: argon2id: %s", argon2_error_message(arc));
	}
out:
	digest_cleanse(salt, sizeof(salt));
	return rc;
}

int passwd_verify(bool *out, const char *encoded, const char *password, ulf_err *err)
{
	uint32_t m, t, p;
	size_t len;
	int arc;

	*out = false;
	if (!encoded || strnlen(encoded, PASSWD_ENCODED_MAX) >= PASSWD_ENCODED_MAX ||
	    read_params(&m, &t, &p, encoded))
		return ulf_err_set(err, ULF_EPARSE, "password check: stored hash is not argon2id");
	if (m > PASSWD_M_COST_MAX || t > PASSWD_T_COST_MAX || p > PASSWD_P_MAX)
		return ulf_err_set(err, ULF_ELIMIT,
			"password check: stored hash asks for m=%u KiB, t=%u, p=%u",
			(unsigned)m, (unsigned)t, (unsigned)p);
	if (!password)
		return 0;
	len = strnlen(password, PASSWD_MAX_LEN + 1);
	if (len == 0 || len > PASSWD_MAX_LEN)
		return 0;

	arc = argon2id_verify(encoded, password, len);
	if (arc == ARGON2_OK) {
		*out = true;
		return 0;
	}
	if (arc == ARGON2_VERIFY_MISMATCH)
		return 0;
	if (arc == ARGON2_MEMORY_ALLOCATION_ERROR)
		return ulf_err_set(err, ULF_ENOMEM, "password check: argon2id: %s",
				   argon2_error_message(arc));
	return ulf_err_set(err, ULF_EPARSE, "password check: stored hash: %s",
			   argon2_error_message(arc));
}

int passwd_verify_none(const char *password, ulf_err *err)
{
	size_t len = password ? strnlen(password, PASSWD_MAX_LEN + 1) : 0;
	bool ok = false;

	/* The same work even for an empty or absurd password: the time
	 * should not depend on whether the name exists. */
	if (len == 0 || len > PASSWD_MAX_LEN)
		password = "-";
	return passwd_verify(&ok, dummy_hash, password, err);
}

bool passwd_needs_rehash(const char *encoded)
{
	uint32_t m, t, p;

	if (!encoded || read_params(&m, &t, &p, encoded))
		return true;
	return m != PASSWD_M_COST_KIB || t != PASSWD_T_COST || p != PASSWD_PARALLELISM;
}
