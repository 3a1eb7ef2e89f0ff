#!/usr/bin/env bash
# ulf dashboard on a generated year (samples/dashboard/generate.py, small):
# the register, the documents' lives and the paper counts load once (a
# second load changes nothing), `show` prints every figure, `csv` gives
# every table with its header, the touchless rate in `show` and in the CSV
# agree, wrong input is refused with its exit status, and no output holds
# a personal identity number.
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ -x "${ULF:-}" ] || { echo "ULF not set"; exit 77; }
command -v python3 >/dev/null || { echo "dashboard skipped: no python3"; exit 77; }
src=${ULF_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/ulf.db

python3 "$src/samples/dashboard/generate.py" "$work/year" --end 2026-05-29 --per-month 120 \
  >/dev/null || fail "the generator failed"
grep -q '^gen-' "$work/year/lives.csv" || fail "no generated lives"
"$ULF" import suppliers --store "$db" "$work/year/suppliers.csv" >/dev/null || fail "import suppliers"
out=$("$ULF" dashboard import-lives --store "$db" "$work/year/lives.csv") || fail "import-lives: $out"
n=$(echo "$out" | sed -n 's/.*: \([0-9]*\) documents loaded, 0 loaded before/\1/p')
[ -n "$n" ] && [ "$n" -gt 1000 ] || fail "import-lives said: $out"
out=$("$ULF" dashboard import-lives --store "$db" "$work/year/lives.csv") || fail "again: $out"
echo "$out" | grep -q ": 0 documents loaded, $n loaded before" || fail "a second load: $out"
"$ULF" dashboard import-paper --store "$db" "$work/year/paper.csv" >/dev/null || fail "import-paper"

show=$("$ULF" dashboard show --store "$db" --from 2026-05-01 --to 2026-05-29 --today 2026-05-29) \
  || fail "show"
for what in "touchless" "exception reasons" "the ten suppliers" "the queue now" \
            "lead time" "e-invoices" "supplier tail" "contract compliance"; do
  echo "$show" | grep -q "$what" || fail "show has no '$what': $show"
done
# the same touchless figures in show and in the export
line=$("$ULF" dashboard csv touchless --store "$db" --from 2026-05-01 --to 2026-05-29 | grep '^all,') \
  || fail "csv touchless"
decided=$(echo "$line" | cut -d, -f2)
touchless=$(echo "$line" | cut -d, -f3)
echo "$show" | grep -Eq "^  all +$touchless of +$decided " || fail "show and csv differ: $line"
for t in touchless reasons suppliers queue queue-reasons lead board handlers trend-weeks \
         trend-months compare einvoice tail tail-suppliers new-suppliers contract \
         without-contract; do
  out=$("$ULF" dashboard csv "$t" --store "$db" --to 2026-05-29 --today 2026-05-29) \
    || fail "csv $t"
  [ "$(echo "$out" | wc -l)" -ge 2 ] || fail "csv $t has no rows: $out"
  # an org number whose third and fourth digits are a month is a person's
  echo "$out" | grep -Eq '(^|[^0-9])[0-9]{2}(0[1-9]|1[0-2])[0-9]{6}([^0-9]|$)' &&
    fail "csv $t shows a personal identity number"
done
months=$("$ULF" dashboard csv trend-months --store "$db" --to 2026-05-29 | wc -l)
[ "$months" -eq 13 ] || fail "trend-months has $months lines"

# refused
"$ULF" dashboard csv nosuch --store "$db" >/dev/null 2>&1; [ $? -eq 64 ] || fail "an unknown table"
"$ULF" dashboard show --store "$db" --from 2026-13-01 >/dev/null 2>&1; [ $? -eq 64 ] || fail "a bad date"
printf 'date,count\n2026-05-02,x\n' > "$work/bad.csv"
"$ULF" dashboard import-paper --store "$db" "$work/bad.csv" >/dev/null 2>&1
[ $? -eq 2 ] || fail "a bad count was not refused with 2"
"$ULF" dashboard frobnicate >/dev/null 2>&1; [ $? -eq 64 ] || fail "an unknown action"
echo "dashboard: ok ($n generated documents)"
