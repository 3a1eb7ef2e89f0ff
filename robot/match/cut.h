/*
 * cut.h - cutting UTF-8 text on a character boundary, for the texts
 * robot/match still keeps in fixed space or shortens on purpose (history
 * keys, rule explanations, extracted values).  A cut inside a character
 * leaves text that is not UTF-8, which the JSON writer will not store: it
 * puts null in its place and the text is lost.
 *
 * Private to robot/match: the day core/ has a text module, these belong
 * there.
 */
#ifndef ULF_MATCH_CUT_H
#define ULF_MATCH_CUT_H

#include <stddef.h>

/* How many bytes of s, at most max, end on a character boundary: the
 * precision for "%.*s". */
int cut_len(const char *s, size_t max);

/* Drops a character left incomplete at the end of s, as snprintf leaves
 * one when it cuts; s otherwise unchanged. */
void cut_trim(char *s);

#endif
