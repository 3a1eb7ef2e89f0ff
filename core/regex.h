/*
 * regex.h - PCRE2 patterns behind ulf's own names.
 *
 * The only module that includes <pcre2.h>.  Patterns come from files the
 * procurement team edits (the matching rules), subjects from invoices that
 * come from outside, so:
 *  - every pattern is compiled once, UTF-8 with Unicode properties
 *    (PCRE2_UTF | PCRE2_UCP: \d, \w and \b mean what a Swedish text needs),
 *    and JIT-compiled when the platform allows it;
 *  - a compile error names the offset in the pattern where it failed, so
 *    `ulf rules check` can point at the character;
 *  - every match runs under a match and depth limit, so a pattern with
 *    catastrophic backtracking costs a bounded amount of time on hostile
 *    text and reports ULF_ELIMIT instead of hanging the robot;
 *  - a pattern may have at most REGEX_MAX_GROUPS capture groups, so one
 *    match-data block serves every pattern.
 *
 * Named groups ((?<order>...)) are how rules say what a pattern extracts.
 */
#ifndef ULF_REGEX_H
#define ULF_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct regex regex;
typedef struct regex_match regex_match;

#define REGEX_MAX_GROUPS 32
#define REGEX_MAX_PATTERN 4096   /* bytes; longer patterns are refused */

/* Compile flags. */
#define REGEX_CASELESS 0x1u      /* (?i) for the whole pattern */
#define REGEX_ANCHORED 0x2u      /* must match at the start of the subject */

/*
 * Compiles pattern[0..len).  On failure ULF_EPARSE with a message
 * "at offset N: what" (N counts bytes from 0), ULF_ELIMIT for a pattern too
 * long or with too many groups, ULF_ENOMEM.  The caller prefixes where the
 * pattern came from.
 */
int regex_compile(regex **out, const char *pattern, size_t len, unsigned flags,
		  ulf_err *err);
void regex_free(regex *re);

/* The pattern as given. */
const char *regex_pattern(const regex *re);
/* Whether the pattern runs JIT-compiled (false where JIT is unavailable). */
bool regex_is_jit(const regex *re);
/* Number of capture groups, named or not. */
uint32_t regex_group_count(const regex *re);
/* Named groups, in the order PCRE2 lists them (by name). */
size_t regex_name_count(const regex *re);
const char *regex_name_at(const regex *re, size_t i);
bool regex_has_name(const regex *re, const char *name);

/* Match data for any compiled pattern; one per thread. */
int regex_match_new(regex_match **out, ulf_err *err);
void regex_match_free(regex_match *m);

/*
 * Searches subject[start..len) for the pattern.  1 when it matched (spans
 * are then readable from m), 0 when not, ULF_ELIMIT when the match or depth
 * limit was hit, ULF_EPARSE when the subject is not valid UTF-8, ULF_ERROR
 * for anything else.
 */
int regex_exec(regex_match *m, const regex *re, const char *subject, size_t len,
	       size_t start);

/* The whole match of the last successful regex_exec. */
void regex_span(const regex_match *m, size_t *out_start, size_t *out_end);

/*
 * The span of named group `name` in the last successful regex_exec with
 * `re`.  False when the pattern has no such group or it did not take part.
 */
bool regex_named(const regex_match *m, const regex *re, const char *name,
		 size_t *out_start, size_t *out_end);

#endif
