#!/usr/bin/env bash
# The rooms keep their include directions (scripts/check-includes, the
# table of docs/architecture.md), a wrong-way include is caught, and the
# ERP simulator is not part of the product.
set -uo pipefail
[ -x "${ULF:-}" ] && [ -d "${ULF_SRC:-}" ] || exit 77
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bash "$ULF_SRC/scripts/check-includes" "$ULF_SRC" > /dev/null 2> "$tmp/err" ||
  fail "the tree itself has wrong-way includes: $(cat "$tmp/err")"

# A copy of the sources with one forbidden include added at a time.
copy() {
  rm -rf "$tmp/src"
  mkdir -p "$tmp/src"
  (cd "$ULF_SRC" && tar cf - core parsers connectors robot tools tests/unit tests/crash \
     tests/fuzz/*.[ch] bench/*/*.[ch] scripts/check-includes) | (cd "$tmp/src" && tar xf -)
}
wrong() {  # wrong FILE INCLUDE WHAT
  copy
  printf '#include "%s"\n' "$2" >> "$tmp/src/$1"
  if bash "$tmp/src/scripts/check-includes" "$tmp/src" > /dev/null 2> "$tmp/err"; then
    fail "$3: $1 including $2 was not caught"
  elif ! grep -q "^$1:[0-9]*: #include \"$2\"" "$tmp/err"; then
    fail "$3: the message does not name $1 and $2: $(cat "$tmp/err")"
  fi
}
wrong parsers/ubl.c robot/store/store.h "parsers -> robot"
wrong connectors/erp.c robot/pipeline/pipeline.h "connectors -> robot"
wrong robot/store/store.c robot/match/match.h "store -> match"
wrong robot/pipeline/pipeline.c robot/cli/cli.h "anything -> cli"
wrong core/dec.c parsers/invoice.h "core -> parsers"
wrong robot/care/care.c robot/pipeline/pipeline.h "care -> pipeline"
wrong robot/pipeline/intake.c tools/erp-sim/erpsim.h "product -> test equipment"
wrong robot/match/match.c store.h "a folderless include"
wrong robot/service/service.c robot/pipeline/pipeline_int.h "another room's private header"

# The simulator is test equipment: not in the binary, not in its help.
if command -v nm > /dev/null; then
  if nm "$ULF" 2>/dev/null | grep -qi 'erpsim'; then
    fail "the ulf binary holds simulator symbols: $(nm "$ULF" | grep -i erpsim | head -3)"
  fi
else
  echo "layering: nm not found, symbol check skipped"
fi
"$ULF" --help | grep -q 'erp-sim' && fail "ulf --help lists erp-sim"
"$ULF" erp-sim > /dev/null 2>&1; [ $? -eq 64 ] || fail "ulf erp-sim is still a command"

if [ "$fails" -ne 0 ]; then
  echo "layering: $fails failed"
  exit 1
fi
echo "layering: wrong-way includes caught, simulator outside the product"
