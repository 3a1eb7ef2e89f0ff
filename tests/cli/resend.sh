#!/usr/bin/env bash
# Issue 16: a byte-identical resend through the inbox is one document, and
# a person can see it: an event "resend" in the original's history (ulf
# queue show), never a second document or posting.  The document's own
# file taken again after a crash (stored, never moved to .taken) is not a
# resend, nor is anything with --keep.  (The same over HTTP:
# resend_http.sh.)
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ -x "${ULF:-}" ] || { echo "ULF not set"; exit 77; }
command -v sqlite3 >/dev/null || { echo "resend test skipped: no sqlite3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
inbox=$work/inbox
db=$work/ulf.db
mkdir -p "$inbox"
sample=$ULF_SAMPLES/invoices/peppol-invoice-sormland.xml
q() { sqlite3 "$db" "$1"; }

# the same file twice in one run, under two names
cp "$sample" "$inbox/a.xml"
cp "$sample" "$inbox/b.xml"
out=$("$ULF" run --once --store "$db" --inbox "$inbox" 2>&1) || fail "run --once: $out"
echo "$out"
echo "$out" | grep -q " b.xml.*noted in its history as a resend" || fail "b.xml not a resend: $out"
[ "$(q "select count(*) from documents")" -eq 1 ] || fail "the same bytes stored twice"
id=$(q "select id from documents")
state=$(q "select state from documents where id = $id")
show=$("$ULF" queue show "$id" --store "$db") || fail "queue show"
echo "$show"
echo "$show" | grep -q "robot *resend *received again from the inbox as b.xml" \
  || fail "no resend in the history"
[ "$(q "select count(*) from events where step = 'resend'")" -eq 1 ] || fail "resends counted"

# again later, under the first name: the first file went to .taken, so
# this is a new file with the same bytes - a resend too
cp "$sample" "$inbox/a.xml"
out=$("$ULF" run --once --store "$db" --inbox "$inbox" 2>&1) || fail "second run: $out"
echo "$out" | grep -q " a.xml.*noted in its history as a resend" || fail "a.xml again not a resend"
[ "$(q "select count(*) from events where step = 'resend'")" -eq 2 ] || fail "second resend"
[ "$(q "select state from documents where id = $id")" = "$state" ] || fail "a resend moved the state"
[ "$(q "select count(*) from documents")" -eq 1 ] || fail "a resend stored"

# the robot stopped after storing c.xml and before moving it: its own file
# taken again is no resend
cp "$ULF_SAMPLES/invoices/peppol-creditnote-vastmanland.xml" "$inbox/c.xml"
"$ULF" run --once --store "$db" --inbox "$inbox" >/dev/null 2>&1 || fail "third run"
cid=$(q "select id from documents where name = 'c.xml'")
mv "$inbox/.taken/$cid-c.xml" "$inbox/c.xml"
out=$("$ULF" run --once --store "$db" --inbox "$inbox" 2>&1) || fail "fourth run: $out"
echo "$out" | grep -q " c.xml.*same bytes as an earlier document)" || fail "c.xml not known: $out"
echo "$out" | grep -q "resend" && fail "a file taken again after a crash noted as a resend"
[ "$(q "select count(*) from events where step = 'resend'")" -eq 2 ] || fail "retake counted"

# with --keep the files stay and every run takes them again: no resends
cp "$sample" "$inbox/d.xml"
for _ in 1 2; do
  "$ULF" run --once --keep --store "$db" --inbox "$inbox" >/dev/null 2>&1 || fail "run --keep"
done
[ "$(q "select count(*) from events where step = 'resend'")" -eq 2 ] || fail "--keep noted resends"
echo "resend: ok"
