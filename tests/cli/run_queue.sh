#!/usr/bin/env bash
# ulf run --once over an inbox, then the handler's queue actions, against
# a fresh SQLite store: documents are stored before they leave the inbox,
# the same bytes twice are one document, unreadable files go to the queue
# (never to the floor), and every handler action lands in the audit trail,
# by the ulf user the operating-system account is mapped to.
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

# an action is recorded with a name ulf can vouch for: the ulf user this
# operating-system account is mapped to, never what --by claims
me=$(id -un)
out=$("$ULF" queue reject "$id" --store "$work/ulf.db" --reason "an order" 2>&1) \
  && fail "an action by an account that is no ulf user was accepted"
echo "$out" | grep -q "operating-system user $me is not a ulf user" || fail "unclear refusal: $out"
echo "$out" | grep -q "ulf user map $me NAME" || fail "the refusal does not say what to do: $out"
echo "carl's password" | "$ULF" user add carl --role controller --store "$work/ulf.db" >/dev/null \
  || fail "user add carl"
"$ULF" user map "$me" carl --store "$work/ulf.db" >/dev/null || fail "user map carl"
out=$("$ULF" queue reject "$id" --store "$work/ulf.db" --reason "an order" 2>&1) \
  && fail "a controller's reject was accepted"
echo "$out" | grep -q "carl.*may not act on the queue" || fail "unclear refusal: $out"
echo "anna's password" | "$ULF" user add anna --role handler --store "$work/ulf.db" >/dev/null \
  || fail "user add anna"
"$ULF" user map "$me" anna --store "$work/ulf.db" >/dev/null || fail "user map anna"

"$ULF" queue reject "$id" --store "$work/ulf.db" >/dev/null 2>&1 && fail "reject without reason accepted"
out=$("$ULF" queue reject "$id" --store "$work/ulf.db" --by eve --reason "an order, not an invoice" 2>&1) \
  || fail "reject: $out"
echo "$out" | grep -q -- "--by eve ignored: acting as anna" || fail "--by not reported as ignored: $out"
show=$("$ULF" queue show "$id" --store "$work/ulf.db") || fail "show"
echo "$show" | grep -q "state *rejected" || fail "not rejected"
echo "$show" | grep -q "anna *reject" || fail "audit row missing: $show"
echo "$show" | grep -q "eve" && fail "--by reached the history: $show"
"$ULF" queue retry "$id" --store "$work/ulf.db" >/dev/null 2>&1 && fail "retry of a rejected document accepted"
"$ULF" user disable anna --store "$work/ulf.db" >/dev/null || fail "disable anna"
out=$("$ULF" queue retry "$id" --store "$work/ulf.db" 2>&1) && fail "a disabled user acted"
echo "$out" | grep -q "anna.*is disabled" || fail "unclear refusal: $out"
"$ULF" audit verify --store "$work/ulf.db" >/dev/null || fail "audit trail broken"

# a second run resumes nothing and takes nothing: the store already has it all
out=$("$ULF" run --once --store "$work/ulf.db" --inbox "$inbox" 2>&1) || fail "second run"
echo "$out" | grep -q "resumed" && fail "second run resumed work that was done"

# With the sample reference data: an invoice whose price deviates from its
# order.  Approving the robot's suggestion as it is releases that booking
# (it used to come back as NO_BOOKING, its price deviation overwritten);
# a booking that does not add up is refused when saved; a second handler
# on what they saw gets "changed by ... reload"; hold, assign, comment.
db=$work/ref.db
"$ULF" import suppliers "$ULF_SAMPLES/refdata/suppliers.csv" --store "$db" >/dev/null || fail "import"
for f in "$ULF_SAMPLES"/orders/*; do "$ULF" import orders "$f" --store "$db" >/dev/null || fail "import $f"; done
mkdir -p "$work/in2"
cp "$ULF_SAMPLES/invoices/peppol-invoice-sormland-price-deviation.xml" "$work/in2/dev.xml"
cp "$ULF_SAMPLES/invoices/peppol-invoice-rent-nonpo.xml" "$work/in2/rent.xml"
"$ULF" run --once --store "$db" --inbox "$work/in2" >/dev/null 2>&1 || fail "run with reference data"
list=$("$ULF" queue list --store "$db" --reason PRICE_DEVIATION) || fail "list by reason"
echo "$list" | grep -q "1 document exception" || fail "expected one price deviation: $list"
echo "$list" | grep -q "by reason:.*PRICE_DEVIATION 1" || fail "no counts per reason: $list"
dev=$(echo "$list" | awk 'NR==1 {print $1}')
rent=$("$ULF" queue list --store "$db" --reason NO_BOOKING --json | sed 's/.*"id":\([0-9]*\).*/\1/')
[ -n "$rent" ] || fail "no id for the rent invoice"
# two handlers; this operating-system account acts as one of them at a time
for u in anna bert; do
  echo "$u's password" | "$ULF" user add "$u" --role handler --store "$db" >/dev/null || fail "user add $u"
done
as_user() { "$ULF" user map "$me" "$1" --store "$db" >/dev/null || fail "user map $1"; }
as_user anna
show=$("$ULF" queue show "$dev" --store "$db") || fail "show"
echo "$show" | grep -q "order DLL0861502 line 1" || fail "order line not beside the invoice line: $show"
echo "$show" | grep -q "FAIL unit price 59.90 against 54.90" || fail "price check missing: $show"
seen=$(echo "$show" | sed -n 's/^  version *\([0-9]*\).*/\1/p')
[ -n "$seen" ] || fail "no version in show"

printf '{"lines":[{"invoice_line_id":"1","account":"6110","vat_code":"25","net_amount":"1.00","vat_amount":"0.25"}]}' \
  > "$work/bad.json"
out=$("$ULF" queue resolve "$dev" --store "$db" --by anna --booking "$work/bad.json" 2>&1) \
  && fail "a booking of 1.00 was accepted: $out"
echo "$out" | grep -q "add up to 1.00, the invoice's net (BT-109) is 2135.50" || fail "no clear message: $out"

"$ULF" queue assign "$dev" --store "$db" --by anna --seen "$seen" >/dev/null || fail "assign"
as_user bert
"$ULF" queue comment "$dev" --store "$db" --by bert --seen "$seen" --text "mine" >/dev/null 2>&1 \
  && fail "an action on an old version went through"
out=$("$ULF" queue comment "$dev" --store "$db" --by bert --seen "$seen" --text "mine" 2>&1)
echo "$out" | grep -q "changed by anna at .* reload" || fail "no conflict message: $out"
as_user anna
"$ULF" queue list --store "$db" --mine --by anna | grep -q "1 document exception" || fail "not anna's"
"$ULF" queue hold "$rent" --store "$db" --by anna --until 2999-01-01 --note "waiting for the contract" \
  >/dev/null || fail "hold"
"$ULF" queue list --store "$db" --held | grep -q "1 document exception" || fail "not on hold"
"$ULF" queue comment "$rent" --store "$db" --by anna --text "called the landlord" >/dev/null || fail "comment"
show=$("$ULF" queue show "$rent" --store "$db")
echo "$show" | grep -q 'anna *hold .*"hold_until":"2999-01-01"' || fail "hold not audited: $show"
echo "$show" | grep -q 'anna *comment .*called the landlord' || fail "comment not audited"
"$ULF" queue resolve "$rent" --store "$db" --by anna >/dev/null 2>&1 && fail "approved a booking nobody could make"

"$ULF" queue resolve "$dev" --store "$db" --by anna --note "price agreed by phone" >/dev/null \
  || fail "approve as suggested"
show=$("$ULF" queue show "$dev" --store "$db")
echo "$show" | grep -q "state *ready" || fail "not released: $show"
echo "$show" | grep -q 'anna *approve .*"before":{[^}]*PRICE_DEVIATION' || fail "reasons not kept: $show"
"$ULF" queue reject "$rent" --store "$db" --by anna --code REF --reason "wrong buyer reference" \
  >/dev/null || fail "reject"
"$ULF" queue show "$rent" --store "$db" | grep -q "Invoice Response stored (reason code REF)" \
  || fail "no Invoice Response"
echo "run_queue: ok"
