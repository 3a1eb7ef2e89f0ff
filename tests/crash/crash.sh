#!/usr/bin/env bash
# Crash test: the robot service (`ulf run --config`, inbox by inotify) is
# killed with SIGKILL at random moments, at least CRASH_MIN_KILLS times,
# and restarted at once, while thousands of distinct invoices arrive in the
# inbox in batches and are posted over HTTPS to the ERP simulator.  The
# simulator stays up the whole time and keeps its log of accepted bookings
# (one JSON line each).  Two kills in three are blind (a random moment);
# the third waits until the store shows a posting in flight (`posting`: the
# idempotency key recorded, the request out) and kills then.  A few
# postings are answered late (--stall-rate), which widens the window in
# which the robot dies with a booking made but its answer not recorded.
#
# After a last run has let everything settle (a bounded wait) it checks:
#   - none lost, none twice: the store holds exactly one document per file
#     dropped (sqlite3 on the store), one invoice document per invoice
#     number, every file has left the inbox;
#   - every invoice is either posted and booked exactly once by the ERP (the
#     simulator's log holds one line for its number, with the key and
#     voucher the store recorded), or in the exception queue with a reason
#     and not booked at all; no number is booked that was not sent;
#   - no document is left waiting for a partner that arrived, and every
#     care claim sent as a document of its own is attached to its invoice
#     (or queued with a reason).
# It prints the counts, the kills, how many hit a posting in flight and how
# many of those the ERP had already booked.
#
# The invoices are made by care_gen (care_gen.h) from the samples; amounts
# are the samples', only identifiers change: care claim + invoice pairs
# (claim-matched.xml / invoice-matched.xml; claim first for half of them,
# invoice first for the other half), invoices that embed their claim
# (ubl-embedded-invoice.xml), and, when this build's match stage lets a
# probe copy through, copies of a non-PO rent invoice (one is posted, the
# others are DUPLICATEs of it).
#
# The work folder, the simulator, the service's stop and the checks of the
# simulator's log against the store are tests/lib/harness.sh, shared with
# tests/fault.
#
# Environment: ULF, ERPSIM, CARE_GEN, ULF_SAMPLES, ULF_SRC (set by ctest);
# CRASH_INVOICES (2000), CRASH_MIN_KILLS (30), CRASH_SEED (fixed; the
# batches, kill delays and simulator faults derive from it -- the moments
# the kills land still vary with scheduling, as they should); CRASH_KEEP=1
# keeps the work folder (store, logs) for a post-mortem.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"
harness_init crash openssl sqlite3

invoices=${CRASH_INVOICES:-2000}
min_kills=${CRASH_MIN_KILLS:-30}
seed=${CRASH_SEED:-4242}
batch=${CRASH_BATCH:-100}            # invoices per batch
kill_budget=${CRASH_KILL_BUDGET:-90}   # seconds of killing at most
settle_budget=${CRASH_SETTLE_BUDGET:-150}
RANDOM=$seed
sleep_ms() { sleep "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"; }
t_start=$SECONDS

# --- the ERP simulator: up for the whole test, its log kept ----------------
harness_start_sim --seed "$seed" --stall-rate 0.02 --stall-ms 400
harness_conf 5000 30

# --- invoices through the match stage, when this build has one -----------
# Non-PO rent invoices (samples/invoices/peppol-invoice-rent-nonpo.xml, let
# through by the `nonpo` rule of samples/rules/regions.rules against the
# sample supplier register).  The copies differ in their number only, so
# once one is posted the others carry its content fingerprint and go to the
# queue as DUPLICATE: the match stage's exception path under SIGKILL.  Used
# when a copy reaches `ready` in a probe store; nothing depends on them.
rent=$ULF_SAMPLES/invoices/peppol-invoice-rent-nonpo.xml
rules=$ULF_SAMPLES/rules/regions.rules
refdata=$ULF_SAMPLES/refdata
import_refdata() {  # import_refdata CONFIG
  "$ULF" import suppliers --config "$1" "$refdata/suppliers.csv" &&
  "$ULF" import history --config "$1" "$refdata/history.csv"
}
matched_ok=0
if [ -f "$rent" ] && [ -f "$rules" ] && [ -f "$refdata/suppliers.csv" ]; then
  mkdir -p "$work/probe/inbox"
  printf 'store_path %s\ninbox_dir %s\nmatch_rules_file %s\n' "$work/probe/ulf.db" \
    "$work/probe/inbox" "$rules" > "$work/probe/ulf.conf"
  if import_refdata "$work/probe/ulf.conf" >/dev/null 2>&1 &&
     "$CARE_GEN" "$work/probe/inbox" 999999 1 "$rent" &&
     "$ULF" run --once --config "$work/probe/ulf.conf" >/dev/null 2>&1 &&
     [ "$(sqlite3 "$work/probe/ulf.db" "select state from documents")" = ready ]; then
    matched_ok=1
    echo "match_rules_file $rules" >> "$work/ulf.conf"
    import_refdata "$work/ulf.conf" >/dev/null || fail "reference data import"
  else
    echo "crash: no rent invoices: a copy does not reach ready through the match stage here"
  fi
fi

# --- the plan: per batch, pairs (two documents), embedded, rent ------------
# Pairs take copies 0.., rent copies 200000.., embedded invoices copies
# 500000..: their numbers (7250000000 + n, H-2025-nnnnnn) never meet.
pairs_per_batch=$((batch / 2))
rent_per_batch=$((matched_ok * batch / 10))
emb_per_batch=$((batch - pairs_per_batch - rent_per_batch))
nbatches=$(((invoices + batch - 1) / batch))
pairs=$((nbatches * pairs_per_batch))
rents=$((nbatches * rent_per_batch))
embedded=$((nbatches * emb_per_batch))
invoices=$((pairs + rents + embedded))
files=$((2 * pairs + rents + embedded))
{ "$CARE_GEN" --numbers 0 "$pairs" "$S/invoice-matched.xml"
  [ "$rents" -eq 0 ] || "$CARE_GEN" --numbers 200000 "$rents" "$rent"
  "$CARE_GEN" --numbers 500000 "$embedded" "$S/ubl-embedded-invoice.xml"; } | sort > "$work/sent" \
  || fail "care_gen --numbers"
[ "$(wc -l < "$work/sent")" -eq "$invoices" ] || fail "plan: $(wc -l < "$work/sent") numbers"
echo "crash: $invoices invoices ($pairs care claim+invoice pairs, $embedded with an embedded claim," \
     "$rents rent copies through the match stage), $files files in $nbatches batches, seed $seed"

# One batch, written by care_gen as dot-files and renamed into the inbox.
drop_batch() {
  local b=$1
  "$CARE_GEN" "$inbox" $((b * pairs_per_batch)) "$pairs_per_batch" \
    "$S/claim-matched.xml" "$S/invoice-matched.xml" &&
  { [ "$rent_per_batch" -eq 0 ] ||
    "$CARE_GEN" "$inbox" $((200000 + b * rent_per_batch)) "$rent_per_batch" "$rent"; } &&
  "$CARE_GEN" "$inbox" $((500000 + b * emb_per_batch)) "$emb_per_batch" \
    "$S/ubl-embedded-invoice.xml"
}
delays=()
for ((b = 0; b < nbatches; b++)); do delays+=($((300 + RANDOM % 1200))); done
(
  for ((b = 0; b < nbatches; b++)); do
    drop_batch "$b" || { echo "batch $b could not be written" >&2; exit 1; }
    echo "$b" > "$work/fed"
    sleep_ms "${delays[$b]}"
  done
) &
feeder=$!

# --- the service, killed again and again -----------------------------------
start_service() {
  "$ULF" run --config "$work/ulf.conf" 2>> "$work/service.log" &
  svc=$!
}
kills=0 in_flight=0 booked_unrecorded=0
kill_service() {
  local keys k
  kill -9 "$svc" 2>/dev/null
  wait "$svc" 2>/dev/null
  svc=
  kills=$((kills + 1))
  # what the robot left in flight: postings whose answer it never recorded
  keys=$(q "select p.idem_key from postings p join documents d on d.id = p.doc_id
            where d.state = 'posting'" 2>/dev/null)
  if [ -n "$keys" ]; then
    in_flight=$((in_flight + 1))
    for k in $keys; do
      grep -q "\"$k\"" "$work/bookings.jsonl" && booked_unrecorded=$((booked_unrecorded + 1))
    done
  fi
}
posting_in_flight() {
  local n
  n=$(q "select count(*) from documents where state = 'posting'" 2>/dev/null)
  [ "${n:-0}" -gt 0 ]
}

t_kill=$SECONDS
start_service
while :; do
  feeding=0
  kill -0 "$feeder" 2>/dev/null && feeding=1
  [ $feeding -eq 0 ] && [ $kills -ge $min_kills ] && break
  [ $((SECONDS - t_kill)) -ge "$kill_budget" ] && break
  if [ $((RANDOM % 3)) -ne 0 ]; then
    sleep_ms $((50 + RANDOM % 1950))              # blind: any moment
  else
    sleep_ms $((100 + RANDOM % 400))              # aimed: a posting in flight
    wait_for 3 posting_in_flight
  fi
  kill_service
  [ $((RANDOM % 4)) -eq 0 ] && sleep_ms $((RANDOM % 300))
  start_service
done
wait "$feeder" || fail "the feeder failed"
feeder=
kill_secs=$((SECONDS - t_kill))
[ $kills -ge "$min_kills" ] || fail "only $kills kills in ${kill_budget}s"

# --- the last run: everything settles --------------------------------------
t_settle=$SECONDS
harness_settle "$settle_budget"
settle_secs=$((SECONDS - t_settle))
harness_stop_service
harness_stop_sim

# --- the checks ------------------------------------------------------------
docs=$(q "select count(*) from documents")
[ "$docs" -eq "$files" ] || problem "$files files dropped, $docs documents in the store"
taken=$(find "$inbox/.taken" -maxdepth 1 -type f | wc -l)
[ "$taken" -eq "$files" ] || problem "$files files dropped, $taken moved to .taken"
[ -z "$(find "$inbox" -maxdepth 1 -type f ! -name '.*')" ] || problem "files left in the inbox"

# every partner has arrived: a document still waiting for one is stuck
stuck=$(q "select id || ' ' || kind || ' ' || coalesce(invoice_number, '?') from documents
           where state = 'waiting' order by id")
if [ -n "$stuck" ]; then
  echo "documents left waiting although every partner arrived:"
  echo "$stuck" | head -n 10
  for id in $(echo "$stuck" | head -n 4 | cut -d' ' -f1); do
    "$ULF" queue show "$id" --store "$db" 2>&1 | sed 's/^/    /'
  done
  problem "$(echo "$stuck" | wc -l) documents stuck in waiting (a care join interrupted by a kill?)"
fi

# invoices: number|state|reasons, one row each
harness_store_invoices
dups=$(uniq -d "$work/store.numbers" | head -n 3)
[ -z "$dups" ] || problem "invoice numbers stored twice: $dups"
missing=$(comm -23 "$work/sent" "$work/store.numbers" | head -n 3)
[ -z "$missing" ] || problem "invoices sent but not in the store: $missing"
extra=$(comm -13 "$work/sent" "$work/store.numbers" | head -n 3)
[ -z "$extra" ] || problem "invoices in the store that were not sent: $extra"

# the ERP's log: number and key|voucher of every accepted booking
harness_check_erp_log
stray=$(comm -13 "$work/sent" "$work/booked" | head -n 3)
[ -z "$stray" ] || problem "booked but never sent: $stray"
awk -F'|' -v booked="$work/booked" '
  BEGIN { while ((getline n < booked) > 0) b[n] = 1 }
  $2 == "posted" { if (!($1 in b)) { print "posted but not booked: " $1; bad = 1 } ; next }
  $2 == "exception" {
    if ($3 == "" || $3 == "[]") { print "in the queue without a reason: " $1; bad = 1 }
    if ($1 in b) { print "booked by the ERP yet in the queue: " $1; bad = 1 }
    next }
  { print "invoice " $1 " ended in state " $2; bad = 1 }
  END { exit bad }' "$work/store" > "$work/bad" || problem "$(head -n 5 "$work/bad")"

claims_left=$(q "select count(*) from documents where kind = 'care-claim' and state <> 'attached'
                 and not (state = 'exception' and coalesce(reasons, '') not in ('', '[]'))")
[ "$claims_left" -eq 0 ] || problem "$claims_left care claims neither attached nor queued with a reason"

posted=$(grep -c '|posted|' "$work/store")
queued=$(grep -c '|exception|' "$work/store")
retaken=$(grep -c "duplicate bytes" "$work/service.log")
resumed=$(grep -c "resumed [0-9]* unfinished" "$work/service.log")
floor=$((invoices / 2))
echo "crash: $kills SIGKILLs in ${kill_secs}s ($in_flight with a posting in flight," \
     "$booked_unrecorded of those already booked by the ERP); $resumed restarts resumed work;" \
     "$retaken files taken again after a kill"
echo "crash: $docs documents for $files files; $invoices invoices: $posted posted exactly once," \
     "$queued in the exception queue; $(wc -l < "$work/bookings.jsonl") bookings in the ERP's log"
if [ "$rents" -gt 0 ]; then
  echo "crash: of the $rents rent copies $(grep -c '^H-.*|posted|' "$work/store") posted," \
       "$(grep -c '^H-.*|exception|.*DUPLICATE' "$work/store") queued as DUPLICATE"
fi
if [ "$queued" -gt 0 ]; then
  echo "crash: exception reasons:" $(grep '|exception|' "$work/store" | cut -d'|' -f3 | sort | uniq -c | tr -s ' ')
fi
echo "crash: $(grep -o 'erp-sim: stopping: .*' "$work/sim.log" | sed 's/erp-sim: stopping: /simulator: /')"
echo "crash: settled ${settle_secs}s after the last kill; $((SECONDS - t_start))s in all"
[ "$in_flight" -gt 0 ] || problem "no kill hit a posting in flight"
# a run where nearly everything went to the queue proves little
[ "$posted" -ge "$floor" ] || problem "only $posted of $invoices invoices posted"
harness_verdict
