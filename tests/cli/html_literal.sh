#!/usr/bin/env bash
# robot/web/html.h is shaped so that outside data cannot reach a page
# unescaped, and part of that is checked by the compiler, so it is tested
# by compiling: html_raw_literal takes a string literal and nothing else;
# html_open's attributes come in name, value pairs of strings.  A snippet
# that uses them rightly must compile (so that a failure below is the one
# meant, not a broken setup), and each misuse must not.
set -uo pipefail
[ -d "${ULF_SRC:-}" ] || exit 77
cc=${CC:-cc}
command -v "$cc" > /dev/null || exit 77
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# compiles NAME BODY: whether BODY, inside a function with `html *h` and
# `const char *name`, compiles with the project's warnings as errors.
compiles() {
  cat > "$tmp/$1.c" <<SRC
#include "robot/web/html.h"
void snippet(html *h, const char *name);
void snippet(html *h, const char *name)
{
	(void)name;
	$2
}
SRC
  "$cc" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fsyntax-only \
    -I"$ULF_SRC" "$tmp/$1.c" > "$tmp/$1.err" 2>&1
}

compiles good 'html_raw_literal(h, "<!DOCTYPE html>"); html_raw_literal(h, "<a" "b>");
	html_open(h, "td"); html_open(h, "a", "href", name, "class", "x");' ||
  fail "the right uses do not compile: $(cat "$tmp/good.err")"

compiles raw_variable 'html_raw_literal(h, name);' &&
  fail "html_raw_literal took a variable"
compiles raw_parenthesised 'html_raw_literal(h, (name));' &&
  fail "html_raw_literal took a parenthesised variable"
compiles raw_call 'html_raw_literal(h, html_status(h) ? "a" : "b");' &&
  fail "html_raw_literal took an expression"
compiles open_odd 'html_open(h, "a", "href");' &&
  fail "html_open took a name without a value"
compiles open_not_string 'html_open(h, "td", "colspan", 2);' &&
  fail "html_open took a value that is not a string"

[ "$fails" -eq 0 ] || exit 1
echo "html_literal: the compiler refuses every misuse"
