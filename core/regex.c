/*
 * regex.c - PCRE2 (8-bit code units, UTF-8).  See regex.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "core/regex.h"

/* Enough for the patterns in a rules file on any invoice text; a pattern
 * that needs more is backtracking catastrophically on hostile input. */
#define MATCH_LIMIT 1000000u
#define DEPTH_LIMIT 10000u
#define MAX_NAMES REGEX_MAX_GROUPS

struct regex {
	pcre2_code *code;
	char *pattern;
	bool jit;
	uint32_t groups;
	size_t nnames;
	char *names[MAX_NAMES];
};

struct regex_match {
	pcre2_match_data *md;
	pcre2_match_context *ctx;
	const regex *last;      /* the pattern the ovector belongs to */
};

void regex_free(regex *re)
{
	size_t i;

	if (!re)
		return;
	pcre2_code_free(re->code);
	for (i = 0; i < re->nnames; i++)
		free(re->names[i]);
	free(re->pattern);
	free(re);
}

/* Copies the name table out of PCRE2's packed form: each entry is a
 * two-byte group number followed by the NUL-terminated name. */
static int read_names(regex *re, ulf_err *err)
{
	uint32_t count = 0, size = 0, i;
	PCRE2_SPTR table = NULL;

	pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &count);
	if (count == 0)
		return 0;
	if (count > MAX_NAMES)
		return ulf_err_set(err, ULF_ELIMIT, "more than %d named groups", MAX_NAMES);
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
	for (i = 0; i < count; i++) {
		const char *name = (const char *)table + (size_t)i * size + 2;
		re->names[i] = strdup(name);
		if (!re->names[i])
			return ulf_err_set(err, ULF_ENOMEM, "out of memory");
		re->nnames++;
	}
	return 0;
}

int regex_compile(regex **out, const char *pattern, size_t len, unsigned flags,
		  ulf_err *err)
{
	uint32_t opts = PCRE2_UTF | PCRE2_UCP;
	PCRE2_SIZE erroff = 0;
	int errcode = 0, rc = 0;
	PCRE2_UCHAR msg[256];
	regex *re;

	*out = NULL;
	if (len > REGEX_MAX_PATTERN)
		return ulf_err_set(err, ULF_ELIMIT, "pattern longer than %d bytes",
				   REGEX_MAX_PATTERN);
	if (len == 0)
		return ulf_err_set(err, ULF_EPARSE, "empty pattern");
	re = calloc(1, sizeof(*re));
	if (!re)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	re->pattern = strndup(pattern, len);
	if (!re->pattern) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	if (flags & REGEX_CASELESS)
		opts |= PCRE2_CASELESS;
	if (flags & REGEX_ANCHORED)
		opts |= PCRE2_ANCHORED;
	/* (?J) would let two groups share a name and make "the order group"
	 * ambiguous: PCRE2_DUPNAMES stays off and the pattern cannot turn it
	 * on without (?J), which we refuse below. */
	re->code = pcre2_compile((PCRE2_SPTR)pattern, len, opts, &errcode, &erroff, NULL);
	if (!re->code) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		rc = ulf_err_set(err, ULF_EPARSE, "at offset %zu: %s", (size_t)erroff,
				 (const char *)msg);
		goto out;
	}
	pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &re->groups);
	if (re->groups > REGEX_MAX_GROUPS) {
		rc = ulf_err_set(err, ULF_ELIMIT, "%u capture groups, at most %d allowed",
				 re->groups, REGEX_MAX_GROUPS);
		goto out;
	}
	{
		uint32_t dup = 0;
		pcre2_pattern_info(re->code, PCRE2_INFO_JCHANGED, &dup);
		if (dup) {
			rc = ulf_err_set(err, ULF_EPARSE, "(?J) duplicate group names are not allowed");
			goto out;
		}
	}
	rc = read_names(re, err);
	if (rc)
		goto out;
	/* JIT is an optimisation: where the platform lacks it the interpreter
	 * gives the same answers, only slower. */
	re->jit = pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0;
	*out = re;
	re = NULL;
out:
	regex_free(re);
	return rc;
}

const char *regex_pattern(const regex *re)
{
	return re->pattern;
}

bool regex_is_jit(const regex *re)
{
	return re->jit;
}

uint32_t regex_group_count(const regex *re)
{
	return re->groups;
}

size_t regex_name_count(const regex *re)
{
	return re->nnames;
}

const char *regex_name_at(const regex *re, size_t i)
{
	return i < re->nnames ? re->names[i] : NULL;
}

bool regex_has_name(const regex *re, const char *name)
{
	size_t i;

	for (i = 0; i < re->nnames; i++)
		if (strcmp(re->names[i], name) == 0)
			return true;
	return false;
}

int regex_match_new(regex_match **out, ulf_err *err)
{
	regex_match *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	m->md = pcre2_match_data_create(REGEX_MAX_GROUPS + 1, NULL);
	m->ctx = pcre2_match_context_create(NULL);
	if (!m->md || !m->ctx) {
		regex_match_free(m);
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	pcre2_set_match_limit(m->ctx, MATCH_LIMIT);
	pcre2_set_depth_limit(m->ctx, DEPTH_LIMIT);
	*out = m;
	return 0;
}

void regex_match_free(regex_match *m)
{
	if (!m)
		return;
	pcre2_match_data_free(m->md);
	pcre2_match_context_free(m->ctx);
	free(m);
}

int regex_exec(regex_match *m, const regex *re, const char *subject, size_t len,
	       size_t start)
{
	int rc;

	m->last = NULL;
	if (start > len)
		return 0;
	rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, start, 0, m->md, m->ctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
		return ULF_ELIMIT;
	if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
		return ULF_EPARSE;
	if (rc < 0)
		return ULF_ERROR;
	/* rc == 0 would mean the ovector is too small, which the group cap at
	 * compile time rules out */
	m->last = re;
	return 1;
}

void regex_span(const regex_match *m, size_t *out_start, size_t *out_end)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);

	*out_start = m->last ? ov[0] : 0;
	*out_end = m->last ? ov[1] : 0;
}

bool regex_named(const regex_match *m, const regex *re, const char *name,
		 size_t *out_start, size_t *out_end)
{
	PCRE2_SIZE *ov;
	int n;

	if (m->last != re)
		return false;
	n = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)name);
	if (n <= 0 || (uint32_t)n > re->groups)
		return false;
	ov = pcre2_get_ovector_pointer(m->md);
	if (ov[2 * n] == PCRE2_UNSET)
		return false;
	*out_start = ov[2 * n];
	*out_end = ov[2 * n + 1];
	return true;
}
