#!/usr/bin/env bash
# ulf run --once over an inbox, then the handler's queue actions, against
# a fresh SQLite store: documents are stored before they leave the inbox,
# the same bytes twice are one document, unreadable files go to the queue
# (never to the floor), and every handler action lands in the audit trail.
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ -x "${ULF:-}" ] || { echo "ULF not set"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
inbox=$work/inbox
mkdir -p "$inbox"
cp "$ULF_SAMPLES"/invoices/peppol-invoice-sormland.xml "$inbox/a.xml"
cp "$ULF_SAMPLES"/invoices/peppol-invoice-sormland.xml "$inbox/a-again.xml"
printf '<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>' > "$inbox/order.xml"
printf '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><cbc:ID' > "$inbox/truncated.xml"

out=$("$ULF" run --once --store "$work/ulf.db" --inbox "$inbox" 2>&1) || fail "run --once: $out"
echo "$out"
echo "$out" | grep -q " a.xml.*same bytes" || fail "duplicate not recognised"
echo "$out" | grep -q 'order.xml.*exception' || fail "non-invoice not queued"
echo "$out" | grep -q 'NOT_AN_INVOICE' || fail "reason NOT_AN_INVOICE missing"
echo "$out" | grep -q 'truncated.xml.*exception' || fail "truncated file not queued"
echo "$out" | grep -q 'UNREADABLE' || fail "reason UNREADABLE missing"
[ -z "$(ls "$inbox")" ] || fail "files left in the inbox: $(ls "$inbox")"
[ "$(ls "$inbox/.taken" | wc -l)" -eq 4 ] || fail "taken files not kept in .taken"

list=$("$ULF" queue list --store "$work/ulf.db") || fail "queue list"
echo "$list"
# no reference data is loaded: the readable invoice is an unknown supplier's
echo "$list" | grep -q "3 documents exception" || fail "expected 3 in the queue"
echo "$list" | grep -q "UNKNOWN_SUPPLIER" || fail "the invoice should wait as UNKNOWN_SUPPLIER"
id=$("$ULF" queue list --store "$work/ulf.db" --json | grep NOT_AN_INVOICE | sed 's/.*"id":\([0-9]*\).*/\1/')
[ -n "$id" ] || fail "no id for the non-invoice"

"$ULF" queue reject "$id" --store "$work/ulf.db" --by anna >/dev/null 2>&1 && fail "reject without reason accepted"
"$ULF" queue reject "$id" --store "$work/ulf.db" --by anna --reason "an order, not an invoice" \
  || fail "reject"
show=$("$ULF" queue show "$id" --store "$work/ulf.db") || fail "show"
echo "$show" | grep -q "state *rejected" || fail "not rejected"
echo "$show" | grep -q "anna *reject" || fail "audit row missing: $show"
"$ULF" queue retry "$id" --store "$work/ulf.db" --by anna >/dev/null 2>&1 && fail "retry of a rejected document accepted"

# a second run resumes nothing and takes nothing: the store already has it all
out=$("$ULF" run --once --store "$work/ulf.db" --inbox "$inbox" 2>&1) || fail "second run"
echo "$out" | grep -q "resumed" && fail "second run resumed work that was done"
echo "run_queue: ok"
