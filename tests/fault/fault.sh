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
# The work folder, the simulator, the service's stop and the checks of the
# simulator's log against the store are tests/lib/harness.sh, shared with
# tests/crash.
#
# Environment: ULF, ERPSIM, CARE_GEN, ULF_SAMPLES, ULF_SRC (set by ctest);
# FAULT_INVOICES (300), FAULT_SEED (fixed), FAULT_KEEP=1 keeps the work folder.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"
harness_init fault openssl sqlite3 curl
poll=0.2

invoices=${FAULT_INVOICES:-300}
seed=${FAULT_SEED:-1717}
settle_budget=${FAULT_SETTLE_BUDGET:-200}
stall_ms=1500
timeout_ms=600
mkdir -p "$work/gen"
t_start=$SECONDS

harness_start_sim --seed "$seed" --fail-rate 0.34 --stall-rate 0.08 --stall-ms $stall_ms \
  --drop-rate 0.05 --verbose
# erp_timeout_ms below the stall: a stalled posting times out on our side
harness_conf "$timeout_ms" 40 "http_listen 127.0.0.1:0"
harness_token sender

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
    printf 'header = "Authorization: Bearer %s"\n' "$token"
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

harness_settle "$settle_budget" "$files"
settle_secs=$((SECONDS - t_fed))
harness_stop_service
harness_stop_sim

# --- the checks ------------------------------------------------------------
docs=$(q "select count(*) from documents")
[ "$docs" -eq "$files" ] || problem "$files documents sent, $docs in the store"
harness_store_invoices
not_posted=$(grep -v '|posted|' "$work/store" | head -n 5)
[ -z "$not_posted" ] || problem "invoices not posted: $not_posted"
cmp -s "$work/sent" "$work/store.numbers" || problem "the store's invoices differ from those sent:" \
  "$(diff "$work/sent" "$work/store.numbers" | head -n 5)"
claims=$(q "select count(*) from documents where kind = 'care-claim' and state = 'attached'")
[ "$claims" -eq "$pairs" ] || problem "$claims of $pairs claims attached"

harness_check_erp_log
cmp -s "$work/sent" "$work/booked" || problem "the ERP's bookings differ from the invoices sent:" \
  "$(diff "$work/sent" "$work/booked" | head -n 5)"

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
harness_verdict
