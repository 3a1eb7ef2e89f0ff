#!/usr/bin/env bash
# The post stage against the ERP simulator over HTTPS: an invoice a person
# resolved with a booking is posted once, with an Idempotency-Key; a
# second run posts nothing; a 503 is retried later (the document waits in
# `ready` until due); an ERP rejection goes to the queue as ERP_REJECTED
# with the ERP's words; a server with an untrusted certificate is a setup
# failure (ERP_SETUP), never a rejection; the payload is the same whether
# it was built from the document or from the facts kept at reading.
set -u
fail() { echo "FAIL: $*"; sqlite3 "$work/ulf.db" "select * from postings" 2>/dev/null; for f in "$work"/*.log; do echo "--- $f"; cat "$f"; done; exit 1; }
[ -x "${ULF:-}" ] || exit 77
command -v openssl >/dev/null || { echo "post test skipped: no openssl"; exit 77; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
wait_for() { local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $end ] && return 1; sleep 0.1; done; }
c=$work/certs
bash "$ULF_SRC/tests/data/erp/mkcerts.sh" "$c" || fail "certificates"

start_sim() {  # start_sim CERT ARGS...
  local cert=$1; shift
  : > "$work/port"   # truncated here, not by the background redirect later
  "$ERPSIM" --port 0 --cert "$c/$cert.pem" --key "$c/$cert.key" \
    --log "$work/bookings.jsonl" --exit-after 120 --verbose "$@" > "$work/port" 2> "$work/sim.log" &
  pid=$!
  wait_for 10 test -s "$work/port" || fail "simulator did not start"
  port=$(head -n 1 "$work/port")
}
stop_sim() { kill $pid; wait $pid 2>/dev/null; pid=; }

write_config() {
  cat > "$work/ulf.conf" <<CONF
store_path $work/ulf.db
inbox_dir $work/inbox
erp_url https://127.0.0.1:$port/postings
erp_ca_file $c/ca.pem
erp_backoff_ms 1000
erp_backoff_max_ms 1000
CONF
}

# An invoice that breaks PEPPOL-EN16931-R003 (no buyer or order reference)
# lands in the queue; a person books it.
mkdir -p "$work/inbox"
sed -e '/<cbc:BuyerReference>/d' -e '/<cac:OrderReference>/,/<\/cac:OrderReference>/d' \
  "$ULF_SAMPLES/invoices/peppol-invoice-sormland.xml" > "$work/inbox/noref.xml"
json=$("$ULF" parse --json "$work/inbox/noref.xml") || fail "parse"
net=$(echo "$json" | sed 's/.*"tax_exclusive":"\([^"]*\)".*/\1/')
vat=$(echo "$json" | sed 's/.*"tax_amount":"\([^"]*\)".*/\1/')
number=$(echo "$json" | sed 's/.*"id":"\([^"]*\)","issue_date".*/\1/')
rounding=$(echo "$json" | sed 's/.*"rounding":"\([^"]*\)".*/\1/')
# the voucher balances against the amount to pay: the öre rounding is booked too
cat > "$work/booking.json" <<B
{"supplier_erp_id":"L1001","lines":[{"account":"4010","cost_centre":"K123","activity":"A1",
 "vat_code":"25","net_amount":"$net","vat_amount":"$vat","description":"all lines"},
 {"account":"3740","vat_code":"O","net_amount":"$rounding","vat_amount":"0.00","description":"rounding"}]}
B

start_sim server --fail-first 1
write_config
out=$("$ULF" run --once --config "$work/ulf.conf" 2>&1) || fail "first run: $out"
echo "$out" | grep -q "noref.xml.*exception" || fail "invalid invoice not queued: $out"
id=$("$ULF" queue list --config "$work/ulf.conf" --json | sed 's/.*"id":\([0-9]*\).*/\1/')
# the handler is a ulf user, and this account acts as her
echo "anna's password" | "$ULF" user add anna --role handler --config "$work/ulf.conf" >/dev/null \
  || fail "user add"
"$ULF" user map "$(id -un)" anna --config "$work/ulf.conf" >/dev/null || fail "user map"
"$ULF" queue resolve "$id" --config "$work/ulf.conf" --booking "$work/booking.json" \
  --note "references confirmed by phone" >/dev/null || fail "resolve"

# first attempt: 503 from the simulator -> back to ready, due a second later
"$ULF" run --once --config "$work/ulf.conf" >/dev/null 2>&1 || fail "run after resolve"
state=$("$ULF" queue show "$id" --config "$work/ulf.conf" | sed -n 's/^  state *//p')
[ "$state" = "ready" ] || fail "after a 503 expected ready, got $state"
[ ! -s "$work/bookings.jsonl" ] || fail "booked on a 503"
sleep 2
out=$("$ULF" run --once --config "$work/ulf.conf" 2>&1) || fail "run when due: $out"
show=$("$ULF" queue show "$id" --config "$work/ulf.conf")
echo "$show" | grep -q "state *posted" || fail "not posted: $show"
[ "$(wc -l < "$work/bookings.jsonl")" -eq 1 ] || fail "expected one booking: $(cat "$work/bookings.jsonl")"
grep -q "\"$number\"" "$work/bookings.jsonl" || fail "booking is not for invoice $number"
grep -q '"ulf1-' "$work/bookings.jsonl" || fail "no idempotency key in the booking log"
"$ULF" run --once --config "$work/ulf.conf" >/dev/null 2>&1 || fail "third run"
[ "$(wc -l < "$work/bookings.jsonl")" -eq 1 ] || fail "posted twice"
stop_sim

# a rejection by the ERP: queue, ERP_REJECTED, the ERP's message kept
sed -e 's/<cbc:ID>'"$number"'</<cbc:ID>REJECT-1</' "$work/inbox/.taken/"*noref.xml > "$work/inbox/rej.xml"
start_sim server --reject-invoice REJECT-1
write_config
"$ULF" run --once --config "$work/ulf.conf" >/dev/null 2>&1
id2=$("$ULF" queue list --config "$work/ulf.conf" --json | grep REJECT-1 | sed 's/.*"id":\([0-9]*\).*/\1/')
[ -n "$id2" ] || fail "second invoice not queued"
"$ULF" queue resolve "$id2" --config "$work/ulf.conf" --booking "$work/booking.json" >/dev/null || fail "resolve 2"
"$ULF" run --once --config "$work/ulf.conf" >/dev/null 2>&1
show=$("$ULF" queue show "$id2" --config "$work/ulf.conf")
echo "$show" | grep -q "state *exception" || fail "rejected posting not in the queue: $show"
echo "$show" | grep -q "ERP_REJECTED" || fail "no ERP_REJECTED reason: $show"
stop_sim

# a server whose certificate we do not trust: a setup failure, not a rejection
start_sim rogue
write_config
"$ULF" queue resolve "$id2" --config "$work/ulf.conf" >/dev/null || fail "resolve 3"
"$ULF" run --once --config "$work/ulf.conf" >/dev/null 2>&1
show=$("$ULF" queue show "$id2" --config "$work/ulf.conf")
echo "$show" | grep -q "ERP_SETUP" || fail "untrusted server not ERP_SETUP: $show"
[ "$(wc -l < "$work/bookings.jsonl")" -eq 1 ] || fail "something was booked through an untrusted server"
# The same payload whichever way it was built: posted in the run that
# read the document (A), from the facts kept at reading by a later run (B),
# and, for a store written before those facts were kept, from the document
# read again (C).  Same documents in the same order, so the same ids.
for run in A B C; do
  d=$work/same-$run
  mkdir -p "$d/inbox"
  for f in claim-matched invoice-matched ubl-embedded-invoice envelope-claim envelope-invoice; do
    cp "$ULF_SAMPLES/care/$f.xml" "$d/inbox/"
  done
  rm -f "$work/bookings.jsonl"
  start_sim server
  printf 'store_path %s\ninbox_dir %s\nerp_url "%s"\nerp_ca_file %s\n' "$d/ulf.db" "$d/inbox" \
    "$([ $run = A ] && echo "https://127.0.0.1:$port/postings")" "$c/ca.pem" > "$d/ulf.conf"
  "$ULF" run --once --config "$d/ulf.conf" >/dev/null 2>&1 || fail "$run: first run"
  if [ $run != A ]; then
    [ "$(sqlite3 "$d/ulf.db" "select count(*) from documents where state = 'ready'")" -eq 3 ] ||
      fail "$run: expected 3 ready"
    [ $run = C ] && sqlite3 "$d/ulf.db" "update documents set facts = null"
    printf 'store_path %s\ninbox_dir %s\nerp_url "https://127.0.0.1:%s/postings"\nerp_ca_file %s\n' \
      "$d/ulf.db" "$d/inbox" "$port" "$c/ca.pem" > "$d/ulf.conf"
    "$ULF" run --once --config "$d/ulf.conf" >/dev/null 2>&1 || fail "$run: posting run"
  fi
  stop_sim
  [ "$(sqlite3 "$d/ulf.db" "select count(*) from documents where state = 'posted'")" -eq 3 ] ||
    fail "$run: expected 3 posted"
  sed 's/.*"idempotency_key":"\([^"]*\)".*"payload_sha256":"\([^"]*\)".*/\1 \2/' \
    "$work/bookings.jsonl" | sort > "$work/payloads-$run"
  [ "$(wc -l < "$work/payloads-$run")" -eq 3 ] || fail "$run: $(cat "$work/bookings.jsonl")"
done
cmp -s "$work/payloads-A" "$work/payloads-B" || fail "payload from kept facts differs: $(diff "$work/payloads-A" "$work/payloads-B")"
cmp -s "$work/payloads-A" "$work/payloads-C" || fail "payload from the document read again differs"
echo "post: ok"
