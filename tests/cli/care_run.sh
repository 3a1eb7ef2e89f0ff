#!/usr/bin/env bash
# The care join inside the robot (ulf run), across runs, through the store:
# claim first and invoice first, the SOAP, envelope and embedded carriers,
# a sum mismatch to the queue, a partner that never comes (PARTNER_MISSING
# after care_wait_days), claims' bytes kept only in care_claims, and no
# personnummer in any output or in the invoice tables.
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ -x "${ULF:-}" ] || exit 77
command -v sqlite3 >/dev/null || { echo "care_run skipped: no sqlite3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
S=$ULF_SAMPLES/care
mkdir -p "$work/inbox"
out=$work/out
: > "$out"
arrive() { for f in "$@"; do cp "$S/$f" "$work/inbox/"
  "$ULF" run --once --store "$work/db" --inbox "$work/inbox" --config "$work/c.conf" >> "$out" 2>&1 \
    || fail "run after $f: $(tail -5 "$out")"; done; }
state() { sqlite3 "$work/db" "select state from documents where name = '$1'"; }
printf 'care_wait_days 1\n' > "$work/c.conf"

arrive claim-matched.xml invoice-matched.xml                  # claim first
arrive invoice-first-invoice.xml invoice-first-claim.xml      # invoice first
arrive claim-first-claim.soap.xml claim-first-invoice.xml     # SOAP body
arrive envelope-invoice.xml envelope-claim.xml                # Svefaktura envelope
arrive ubl-embedded-invoice.xml                               # embedded in UBL
arrive mismatch-claim.xml mismatch-invoice.xml                # sums disagree
for f in invoice-matched.xml invoice-first-invoice.xml claim-first-invoice.xml \
         envelope-invoice.xml ubl-embedded-invoice.xml; do
  [ "$(state $f)" = ready ] || fail "$f: expected ready, got $(state $f)"
done
for f in claim-matched.xml invoice-first-claim.xml claim-first-claim.soap.xml envelope-claim.xml \
         mismatch-claim.xml; do
  [ "$(state $f)" = attached ] || fail "$f: expected attached, got $(state $f)"
done
[ "$(state mismatch-invoice.xml)" = exception ] || fail "mismatch not queued"
sqlite3 "$work/db" "select reasons from documents where name='mismatch-invoice.xml'" | grep -q CARE_MISMATCH \
  || fail "mismatch reason"
sqlite3 "$work/db" "select result from documents where name='mismatch-invoice.xml'" | grep -q CARE-020 \
  || fail "mismatch finding CARE-020 missing"
b=$(sqlite3 "$work/db" "select result from documents where name='invoice-matched.xml'")
echo "$b" | grep -q '"account":"4521".*"net_amount":"54550.00"' || fail "care booking: $b"

# a claim whose invoice never comes
arrive timeout-claim.xml
[ "$(state timeout-claim.xml)" = waiting ] || fail "timeout claim not waiting"
sqlite3 "$work/db" "update documents set received_at = received_at - 2*86400 where name='timeout-claim.xml'"
"$ULF" run --once --store "$work/db" --inbox "$work/inbox" --config "$work/c.conf" >> "$out" 2>&1
[ "$(state timeout-claim.xml)" = exception ] || fail "timeout: $(state timeout-claim.xml)"
sqlite3 "$work/db" "select reasons from documents where name='timeout-claim.xml'" | grep -q PARTNER_MISSING \
  || fail "no PARTNER_MISSING"

# privacy: patient data only in care_claims, nowhere in what ulf prints
n=$(sqlite3 "$work/db" "select count(*) from documents d join bodies b on b.doc_id = d.id
                         where d.kind = 'care-claim'")
[ "$n" -eq 0 ] || fail "$n claim documents still hold their bytes in bodies"
for id in $(sqlite3 "$work/db" "select id from documents"); do
  "$ULF" queue show "$id" --store "$work/db" >> "$out" 2>&1
  "$ULF" queue show "$id" --store "$work/db" --json >> "$out" 2>&1
done
"$ULF" queue list --store "$work/db" --json >> "$out" 2>&1
if grep -E '19121212|121212-?[0-9]{4}|1912121272|19121272' "$out" >/dev/null; then
  fail "a personnummer reached the output"
fi
echo "care_run: ok"
