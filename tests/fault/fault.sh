#!/usr/bin/env bash
# Fault test: the ERP misbehaves, is down for longer than the old retry
# budget, and the robot is killed again and again; every invoice is still
# booked exactly once, and none goes to the exception queue for an ERP
# reason (issue 17).
#
# The simulator answers 30% of the postings 503 (--fail-rate), books 10%
# and closes the connection without answering (--drop-rate: the answer is
# lost, the booking is not), closes 5% before booking (--reset-rate: the
# robot cannot tell these from the lost answers), answers a few late
# (--stall-rate, --stall-ms longer than the robot's erp_timeout_ms, so the
# robot gives up on them while the simulator books them), and after
# $outage_after postings is down (503 to everything) for $outage_s
# seconds (--outage-after, --outage-s): "minutes" in life, shortened here,
# and longer than the old budget of erp_max_attempts requests.  The robot
# (`ulf run --config`, the service) retries with the same Idempotency-Key
# for erp_retry_window, pauses after a run of failures and probes (the
# breaker), and keeps the waiting invoices in erp_wait.  It is SIGKILLed
# before, during and after the outage; the documents arrive by HTTP POST
# and through the inbox.
#
# Checks: /health says "degraded" during the outage and "ok" after it, in
# the same process; once everything has settled (a bounded wait) every
# invoice is posted, none is in the exception queue (for an ERP reason or
# any other); the simulator's log holds exactly one booking per invoice
# number, with the key and voucher the store recorded for a posted invoice
# and no other (every booking the store says posted, every posted one
# booked); some invoice waited longer than the old budget and was still
# posted; the faults really happened (503s, lost answers, resets, the
# outage, stalls that outlived the timeout, replays, unknown outcomes).
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
# FAULT_INVOICES (300), FAULT_SEED (fixed), FAULT_OUTAGE_S (25),
# FAULT_MIN_KILLS (6), FAULT_KEEP=1 keeps the work folder.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"
harness_init fault openssl sqlite3 curl
poll=0.2

invoices=${FAULT_INVOICES:-300}
seed=${FAULT_SEED:-1717}
settle_budget=${FAULT_SETTLE_BUDGET:-120}
outage_s=${FAULT_OUTAGE_S:-25}
min_kills=${FAULT_MIN_KILLS:-6}
RANDOM=$seed
stall_ms=1500
timeout_ms=600
max_attempts=8          # the old budget: erp_max_attempts requests, then the queue
outage_after=$((invoices * 4 / 3))   # about two thirds of the requests the run makes
mkdir -p "$work/gen"
t_start=$SECONDS
sleep_ms() { sleep "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"; }

harness_start_sim --seed "$seed" --fail-rate 0.30 --drop-rate 0.10 --reset-rate 0.05 \
  --stall-rate 0.03 --stall-ms $stall_ms --outage-after $outage_after --outage-s "$outage_s" \
  --verbose
# erp_timeout_ms below the stall: a stalled posting times out on our side;
# the breaker pauses after 10 failures in a row and probes every second
harness_conf "$timeout_ms" "$max_attempts" "http_listen 127.0.0.1:0" \
  "erp_retry_window 10m" "erp_breaker_failures 10" "erp_breaker_wait_ms 1000"
harness_token sender

# The old budget, as erp_max_attempts spent it: the backoff ceilings of
# harness_conf (100 ms doubling to 1 s) between the requests, each of which
# may take erp_timeout_ms.  The outage must outlast it.
old_budget_ms=0 ceiling=100
for ((i = 1; i < max_attempts; i++)); do
  old_budget_ms=$((old_budget_ms + ceiling)); ceiling=$((ceiling * 2 > 1000 ? 1000 : ceiling * 2))
done
old_budget_ms=$((old_budget_ms + max_attempts * timeout_ms))
[ $((outage_s * 1000)) -gt $old_budget_ms ] ||
  fail "the outage (${outage_s}s) must be longer than the old budget (${old_budget_ms}ms)"

# pairs take copies 0.., embedded invoices copies 500000..: numbers never meet
pairs=$((invoices / 2))
embedded=$((invoices - pairs))
{ "$CARE_GEN" --numbers 0 "$pairs" "$S/invoice-matched.xml"
  "$CARE_GEN" --numbers 500000 "$embedded" "$S/ubl-embedded-invoice.xml"; } | sort > "$work/sent" ||
  fail "care_gen --numbers"
"$CARE_GEN" "$work/gen" 0 "$pairs" "$S/claim-matched.xml" "$S/invoice-matched.xml" &&
  "$CARE_GEN" "$work/gen" 500000 "$embedded" "$S/ubl-embedded-invoice.xml" || fail "care_gen"
files=$((2 * pairs + embedded))

# --- the service: started, killed, started again ---------------------------
hport=
start_service() {
  "$ULF" run --config "$work/ulf.conf" 2>> "$work/service.log" &
  svc=$!
  wait_for 10 grep -q "ulf\[$svc\] info: listening on" "$work/service.log" ||
    fail "service did not start"
  hport=$(sed -n "s/.*ulf\[$svc\] info: listening on 127.0.0.1:\([0-9]*\).*/\1/p" \
    "$work/service.log" | head -n 1)
}
kills=0 kills_before=0 kills_outage=0
kill_service() {
  kill -9 "$svc" 2>/dev/null
  wait "$svc" 2>/dev/null
  svc=
  kills=$((kills + 1))
  grep -q "outage: down" "$work/sim.log" || kills_before=$((kills_before + 1))
  outage_on && kills_outage=$((kills_outage + 1))
}
outage_on() { grep -q "outage: down" "$work/sim.log" && ! grep -q "outage: over" "$work/sim.log"; }
health() { curl -s --max-time 5 "http://127.0.0.1:$hport/health"; }
metrics() { curl -s --max-time 5 "http://127.0.0.1:$hport/metrics"; }
degraded() { health | head -n 1 | grep -qx degraded; }
healthy() { [ "$(health)" = "ok" ]; }

start_service
echo "fault: $invoices invoices ($pairs claim+invoice pairs, $embedded with an embedded claim;" \
     "$files documents); 503 for 30% of postings, 10% answers lost after booking, 5%" \
     "connections reset before booking, stalls of ${stall_ms}ms against a ${timeout_ms}ms" \
     "timeout; down for ${outage_s}s after $outage_after postings (the old budget:" \
     "$max_attempts attempts, at most ${old_budget_ms}ms); seed $seed"
# half of the copies by HTTP POST, half through the inbox (dot-file, then mv);
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

# --- before the outage: killed at random moments ---------------------------
until grep -q "outage: down" "$work/sim.log"; do
  [ $((SECONDS - t_fed)) -lt 60 ] || fail "the outage never began"
  sleep_ms $((200 + RANDOM % 800))
  grep -q "outage: down" "$work/sim.log" && break
  kill_service
  start_service
done
t_down=$SECONDS

# --- the outage: killed twice more, then one process watched --------------
for k in 1 2; do
  sleep_ms $((500 + RANDOM % 1500))
  outage_on || break
  kill_service
  start_service
done
# the breaker pauses posting and /health says so, with its reason
wait_for 15 degraded || fail "/health not degraded during the outage: $(health)"
outage_on || fail "the outage ended before /health was checked; lengthen FAULT_OUTAGE_S"
health_down=$(health)
metrics_down=$(metrics)
waiting_down=$(echo "$metrics_down" | sed -n 's/^ulf_documents{state="erp_wait"} //p')
echo "$health_down" | grep -q "^erp: posting paused since " ||
  problem "/health does not say since when posting paused: $health_down"
echo "$metrics_down" | grep -q '^ulf_erp_posting 1$' ||
  problem "/metrics: posting not paused: $(echo "$metrics_down" | grep ulf_erp)"
q "select count(*) from documents where state = 'exception' and reasons like '%ERP_%'" |
  grep -qx 0 || problem "an ERP reason in the queue during the outage"
watched=$svc
# over: the same process probes, resumes, and is healthy again
wait_for $((outage_s + 10)) grep -q "outage: over" "$work/sim.log" || fail "the outage never ended"
t_up=$SECONDS
wait_for 20 healthy || fail "/health not ok after the outage: $(health)"
[ "$svc" = "$watched" ] || fail "the watched process changed"
health_secs=$((SECONDS - t_up))
grep -q "ulf\[$watched\] warning: erp: posting paused since" "$work/service.log" ||
  problem "the log does not say posting paused"
# the main loop logs it within a second of the change
wait_for 5 grep -q "ulf\[$watched\] info: erp: posting goes again at full speed" \
  "$work/service.log" || problem "the log does not say posting resumed"

# --- after the outage: killed until enough kills, then it settles ---------
while [ $kills -lt "$min_kills" ] || [ $((RANDOM % 2)) -eq 0 ]; do
  [ $((SECONDS - t_up)) -lt 30 ] || break
  sleep_ms $((200 + RANDOM % 800))
  kill_service
  start_service
done
[ $kills -ge "$min_kills" ] || problem "only $kills kills"
t_settle=$SECONDS
harness_settle "$settle_budget" "$files"
settle_secs=$((SECONDS - t_settle))
healthy || problem "/health not ok once settled: $(health)"
harness_stop_service
harness_stop_sim

# --- the checks ------------------------------------------------------------
docs=$(q "select count(*) from documents")
[ "$docs" -eq "$files" ] || problem "$files documents sent, $docs in the store"
harness_store_invoices
not_posted=$(grep -v '|posted|' "$work/store" | head -n 5)
[ -z "$not_posted" ] || problem "invoices not posted: $not_posted"
queued=$(q "select id || ' ' || coalesce(reasons, '') from documents where state = 'exception'" |
  head -n 5)
[ -z "$queued" ] || problem "in the exception queue: $queued"
cmp -s "$work/sent" "$work/store.numbers" || problem "the store's invoices differ from those sent:" \
  "$(diff "$work/sent" "$work/store.numbers" | head -n 5)"
claims=$(q "select count(*) from documents where kind = 'care-claim' and state = 'attached'")
[ "$claims" -eq "$pairs" ] || problem "$claims of $pairs claims attached"

# one booking per invoice, each the store's posted key and voucher, and back
harness_check_erp_log
cmp -s "$work/sent" "$work/booked" || problem "the ERP's bookings differ from the invoices sent:" \
  "$(diff "$work/sent" "$work/booked" | head -n 5)"

# some invoice waited for the ERP longer than the old budget, and was posted
longest=$(q "select max(p.answered_at - p.window_from) from postings p
             join documents d on d.id = p.doc_id where d.state = 'posted'")
[ "${longest:-0}" -gt $((old_budget_ms / 1000)) ] ||
  problem "no invoice waited longer than the old budget (${longest:-0}s)"
# requests met by silence: the outcome unknown, then known, then posted
unknown=$(q "select count(distinct e.doc_id) from events e join documents d on d.id = e.doc_id
             where e.detail like 'outcome unknown%' and d.state = 'posted'")
[ "${unknown:-0}" -gt 0 ] || problem "no posting with an unknown outcome"

# the faults the test is about must have happened
stats=$(grep -o 'erp-sim: stopping: .*' "$work/sim.log")
num() { echo "$stats" | grep -o "[0-9]* $1" | cut -d' ' -f1; }
failed=$(num 503) stalled=$(num stalled) dropped=$(num dropped) replayed=$(num replayed)
resets=$(num reset) down=$(num down)
conflicts=$(grep -c "409 (in process)" "$work/sim.log")
[ "${failed:-0}" -gt 0 ] || problem "no 503 was injected"
[ "${stalled:-0}" -gt 0 ] || problem "no posting was stalled"
[ "${dropped:-0}" -gt 0 ] || problem "no answer was dropped"
[ "${resets:-0}" -gt 0 ] || problem "no connection was reset"
[ "${down:-0}" -gt 0 ] || problem "nothing was answered in the outage"
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
echo "fault: $kills kills ($kills_before before the outage, $kills_outage in it); /health during the outage:" \
     "$(echo "$health_down" | head -n 2 | tail -n 1 | cut -c1-120)...; $waiting_down in erp_wait;" \
     "ok ${health_secs}s after the ERP came back"
echo "fault: $late postings the robot gave up on (timeout) were booked meanwhile and answered" \
     "from the simulator's record on the retry; $unknown invoices had an unknown outcome"
echo "fault: robot: $attempts; the longest wait ${longest}s (old budget ${old_budget_ms}ms)"
echo "fault: $invoices invoices: $posted posted, $(wc -l < "$work/bookings.jsonl") bookings in the ERP's log," \
     "$(uniq -d "$work/booked" | wc -l) numbers booked twice, none queued"
echo "fault: outage ${outage_s}s from +$((t_down - t_fed))s; settled ${settle_secs}s after the last" \
     "kill; $((SECONDS - t_start))s in all"
harness_verdict
