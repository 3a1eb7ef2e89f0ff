#!/usr/bin/env bash
# Fault test: the ERP misbehaves and every invoice is still booked exactly
# once.  The simulator answers a third of the postings 503 (--fail-rate
# 0.34), answers some late (--stall-rate, --stall-ms longer than the
# robot's erp_timeout_ms, so the robot gives up on them while the
# simulator goes on and books them), and books some but drops the
# connection before answering (--drop-rate).  The robot (`ulf run
# --config`, the service) retries with the same Idempotency-Key after a
# short backoff; a key the simulator booked meanwhile is answered from its
# record (a replay), one still in process with 409.  Invoices arrive both
# by HTTP POST to http_listen and through the inbox.
#
# Checks, once everything has settled (a bounded wait): every invoice is
# posted; the simulator's log holds exactly one booking per invoice number,
# all present, none extra, with the key and voucher the store recorded; and
# the faults really happened (503s, stalls that outlived the timeout,
# drops, replays).
#
# The invoices are made by care_gen from the care samples (only identifiers
# change): half are invoices that embed their claim (ubl-embedded-invoice.xml),
# half claim + invoice pairs (claim-matched.xml, invoice-matched.xml).
#
# Environment: ULF, CARE_GEN, ULF_SAMPLES, ULF_SRC (set by ctest);
# FAULT_INVOICES (300), FAULT_SEED (fixed), FAULT_KEEP=1 keeps the work folder.
set -u
[ -x "${ULF:-}" ] && [ -x "${CARE_GEN:-}" ] || { echo "fault test skipped: ULF or CARE_GEN not set"; exit 77; }
for tool in openssl sqlite3 curl; do
  command -v $tool >/dev/null || { echo "fault test skipped: no $tool"; exit 77; }
done

invoices=${FAULT_INVOICES:-300}
seed=${FAULT_SEED:-1717}
settle_budget=${FAULT_SETTLE_BUDGET:-200}
stall_ms=1500
timeout_ms=600

work=$(mktemp -d)
sim= svc=
cleanup() {
  local p
  for p in $svc $sim; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ -n "${FAULT_KEEP:-}" ]; then echo "fault: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- service log (last 20 lines):"; tail -n 20 "$work/service.log" 2>/dev/null
  echo "--- simulator (last 10 lines):"; tail -n 10 "$work/sim.log" 2>/dev/null
  exit 1
}
problems=0
problem() { echo "PROBLEM: $*"; problems=$((problems + 1)); }
wait_for() {  # wait_for SECONDS COMMAND...: bounded polling
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $end ] && return 1; sleep 0.2; done
}
db=$work/ulf.db
q() { sqlite3 -cmd ".timeout 10000" "$db" "$@"; }
S=$ULF_SAMPLES/care
inbox=$work/inbox
mkdir -p "$inbox" "$work/gen"
t_start=$SECONDS

bash "$ULF_SRC/tests/data/erp/mkcerts.sh" "$work/certs" || fail "certificates"
: > "$work/port"   # truncated here, not by the background redirect below
"$ERPSIM" --port 0 --cert "$work/certs/server.pem" --key "$work/certs/server.key" \
  --log "$work/bookings.jsonl" --seed "$seed" --fail-rate 0.34 \
  --stall-rate 0.08 --stall-ms $stall_ms --drop-rate 0.05 --exit-after 600 --verbose \
  > "$work/port" 2> "$work/sim.log" &
sim=$!
wait_for 10 test -s "$work/port" || fail "simulator did not start"
port=$(head -n 1 "$work/port")

# erp_timeout_ms below the stall: a stalled posting times out on our side
cat > "$work/ulf.conf" <<CONF
store_path $db
inbox_dir $inbox
http_listen 127.0.0.1:0
erp_url https://127.0.0.1:$port/postings
erp_ca_file $work/certs/ca.pem
erp_timeout_ms $timeout_ms
erp_max_attempts 40
erp_backoff_ms 100
erp_backoff_max_ms 1000
CONF

# pairs take copies 0.., embedded invoices copies 500000..: numbers never meet
pairs=$((invoices / 2))
embedded=$((invoices - pairs))
{ "$CARE_GEN" --numbers 0 "$pairs" "$S/invoice-matched.xml"
  "$CARE_GEN" --numbers 500000 "$embedded" "$S/ubl-embedded-invoice.xml"; } | sort > "$work/sent" ||
  fail "care_gen --numbers"
"$CARE_GEN" "$work/gen" 0 "$pairs" "$S/claim-matched.xml" "$S/invoice-matched.xml" &&
  "$CARE_GEN" "$work/gen" 500000 "$embedded" "$S/ubl-embedded-invoice.xml" || fail "care_gen"
files=$((2 * pairs + embedded))

"$ULF" run --config "$work/ulf.conf" 2> "$work/service.log" &
svc=$!
wait_for 10 grep -q "listening on" "$work/service.log" || fail "service did not start"
hport=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/service.log" | head -n 1)

# half of the copies by HTTP POST, half through the inbox (dot-file, then mv)
echo "fault: $invoices invoices ($pairs claim+invoice pairs, $embedded with an embedded claim;" \
     "$files documents), 503 for 34% of postings, stalls of" \
     "${stall_ms}ms against a ${timeout_ms}ms timeout, drops; seed $seed"
# one curl for all the POSTs (a config file of transfers, one connection)
i=0
: > "$work/curl.cfg"
for f in "$work/gen"/copy-*.xml; do
  name=${f##*/}
  if [ $((i % 2)) -eq 0 ]; then
    [ $i -gt 0 ] && echo next
    printf 'url = "http://127.0.0.1:%s/documents?name=%s"\ndata-binary = "@%s"\n' "$hport" "$name" "$f"
    printf 'header = "Content-Type: application/xml"\noutput = "/dev/null"\n'
    printf 'write-out = "%%{http_code}\\n"\n'
  fi >> "$work/curl.cfg"
  i=$((i + 1))
done
curl -s -K "$work/curl.cfg" > "$work/codes" || fail "curl: $(tail -n 3 "$work/codes")"
[ "$(grep -c '^202$' "$work/codes")" -eq "$(grep -c '^url' "$work/curl.cfg")" ] ||
  fail "POSTs not all answered 202: $(sort "$work/codes" | uniq -c | tr -s ' \n' ' ')"
i=0
for f in "$work/gen"/copy-*.xml; do
  name=${f##*/}
  if [ $((i % 2)) -eq 1 ]; then
    cp "$f" "$inbox/.$name" && mv "$inbox/.$name" "$inbox/$name" || fail "inbox $name"
  fi
  i=$((i + 1))
done
t_fed=$SECONDS

settled() {
  local left
  left=$(q "select count(*) from documents where state in
            ('received','read','validated','matched','ready','posting')") || return 1
  [ "$left" = 0 ] && [ "$(q "select count(*) from documents")" -eq "$files" ] || return 1
  [ -z "$(find "$inbox" -maxdepth 1 -type f ! -name '.*' -print -quit)" ]
}
wait_for "$settle_budget" settled ||
  fail "not settled after ${settle_budget}s: $(q "select state, count(*) from documents group by 1" | tr '\n' ' ')"
settle_secs=$((SECONDS - t_fed))
kill -TERM "$svc"
wait_for 20 sh -c "! kill -0 $svc" || fail "service did not stop on SIGTERM"
wait "$svc"; rc=$?
svc=
[ $rc -eq 0 ] || fail "service exit status $rc after SIGTERM"
kill -TERM "$sim"
wait "$sim" 2>/dev/null
sim=

# --- the checks ------------------------------------------------------------
docs=$(q "select count(*) from documents")
[ "$docs" -eq "$files" ] || problem "$files documents sent, $docs in the store"
q "select invoice_number, state, coalesce(reasons, '') from documents where kind = 'invoice'" \
  | sort > "$work/store"
not_posted=$(grep -v '|posted|' "$work/store" | head -n 5)
[ -z "$not_posted" ] || problem "invoices not posted: $not_posted"
cut -d'|' -f1 "$work/store" | sort > "$work/store.numbers"
cmp -s "$work/sent" "$work/store.numbers" || problem "the store's invoices differ from those sent:" \
  "$(diff "$work/sent" "$work/store.numbers" | head -n 5)"
claims=$(q "select count(*) from documents where kind = 'care-claim' and state = 'attached'")
[ "$claims" -eq "$pairs" ] || problem "$claims of $pairs claims attached"

sed -n 's/.*"invoice_id":"\([^"]*\)".*/\1/p' "$work/bookings.jsonl" | sort > "$work/booked"
[ "$(wc -l < "$work/booked")" -eq "$(wc -l < "$work/bookings.jsonl")" ] || problem "unreadable log lines"
twice=$(uniq -d "$work/booked" | head -n 3)
[ -z "$twice" ] || problem "booked more than once: $twice"
cmp -s "$work/sent" "$work/booked" || problem "the ERP's bookings differ from the invoices sent:" \
  "$(diff "$work/sent" "$work/booked" | head -n 5)"
q "select p.idem_key || '|' || p.response from postings p join documents d on d.id = p.doc_id
   where d.state = 'posted'" | sort > "$work/store.vouchers"
sed -n 's/.*"idempotency_key":"\([^"]*\)".*"voucher_id":"\([^"]*\)".*/\1|\2/p' \
  "$work/bookings.jsonl" | sort > "$work/log.vouchers"
cmp -s "$work/store.vouchers" "$work/log.vouchers" || problem "store and ERP disagree on keys or vouchers:" \
  "$(comm -3 "$work/store.vouchers" "$work/log.vouchers" | head -n 3)"

# the faults the test is about must have happened
stats=$(grep -o 'erp-sim: stopping: .*' "$work/sim.log")
num() { echo "$stats" | grep -o "[0-9]* $1" | cut -d' ' -f1; }
failed=$(num 503) stalled=$(num stalled) dropped=$(num dropped) replayed=$(num replayed)
conflicts=$(grep -c "409 (in process)" "$work/sim.log")
[ "${failed:-0}" -gt 0 ] || problem "no 503 was injected"
[ "${stalled:-0}" -gt 0 ] || problem "no posting was stalled"
[ "${dropped:-0}" -gt 0 ] || problem "no answer was dropped"
[ "${replayed:-0}" -gt 0 ] || problem "no booking was answered from the simulator's record"
# keys booked with an answer sent that the robot still asked again for: it
# had given up waiting (a stall past erp_timeout_ms) and got the record
sed -n 's/.*posting \(ulf1-[0-9a-f]*\): 201 SIM-[0-9]* invoice [0-9]*$/\1/p' "$work/sim.log" \
  | sort -u > "$work/answered"
sed -n 's/.*posting \(ulf1-[0-9a-f]*\): 201 (replayed).*/\1/p' "$work/sim.log" | sort -u > "$work/replayed"
late=$(comm -12 "$work/answered" "$work/replayed" | wc -l)
[ "$late" -gt 0 ] || problem "no timed-out posting was answered from the simulator's record"
attempts=$(q "select sum(attempts) || ' attempts, at most ' || max(attempts) || ' for one invoice'
              from postings")
posted=$(grep -c '|posted|' "$work/store")
echo "fault: ${stats#erp-sim: stopping: }; $conflicts answered 409 (still in process)"
echo "fault: $late postings the robot gave up on (timeout) were booked meanwhile and answered" \
     "from the simulator's record on the retry"
echo "fault: robot: $attempts (erp_max_attempts 40)"
echo "fault: $invoices invoices: $posted posted, $(wc -l < "$work/bookings.jsonl") bookings in the ERP's log," \
     "$(uniq -d "$work/booked" | wc -l) numbers booked twice"
echo "fault: settled ${settle_secs}s after the last invoice arrived; $((SECONDS - t_start))s in all"
[ "$problems" -eq 0 ] || fail "$problems problems (above)"
echo "fault: ok"
