# tests/lib/harness.sh - what the crash and fault tests share; sourced by
# tests/crash/crash.sh and tests/fault/fault.sh (bash), never run.
#
# A run: harness_init NAME TOOLS... (skips, exit 77, without the binaries
# or a tool; makes the work folder, removed at exit unless $<NAME>_KEEP is
# set), harness_start_sim FAULT-OPTIONS... (certificates and the ERP
# simulator, up for the whole test), harness_conf (the robot's settings),
# the test's own feeding, harness_settle (a bounded wait until nothing is
# left to do), harness_stop_service and harness_stop_sim, then the checks:
# harness_store_invoices and harness_check_erp_log (the simulator's log of
# bookings against the store), and the test's own.  Every check that
# fails calls `problem`; the test ends with harness_verdict.
#
# Sets: work, db, inbox (the robot's inbox, made), S ($ULF_SAMPLES/care),
# problems; token (harness_token); and, as they start, sim, port (the simulator's) and svc (the
# service's process id: the test starts it, harness_stop_service stops
# it).  The cleanup at exit kills what is left of $feeder $svc $sim.
# Environment: ULF, ERPSIM, CARE_GEN, ULF_SAMPLES, ULF_SRC (set by ctest).

# harness_init NAME TOOL...: NAME ("crash", "fault") prefixes the messages.
harness_init() {
  harness_name=$1; shift
  local tool
  [ -x "${ULF:-}" ] && [ -x "${CARE_GEN:-}" ] ||
    { echo "$harness_name test skipped: ULF or CARE_GEN not set"; exit 77; }
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$harness_name test skipped: no $tool"; exit 77; }
  done
  work=$(mktemp -d)
  sim= svc= feeder=
  problems=0
  poll=0.1
  db=$work/ulf.db
  inbox=$work/inbox
  S=$ULF_SAMPLES/care
  mkdir -p "$inbox"
  trap harness_cleanup EXIT
}

harness_cleanup() {
  local p keep="${harness_name^^}_KEEP"
  for p in $feeder $svc $sim; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ -n "${!keep:-}" ]; then echo "$harness_name: kept $work"; else rm -rf "$work"; fi
}

fail() {
  echo "FAIL: $*"
  echo "--- service log (last 30 lines):"; tail -n 30 "$work/service.log" 2>/dev/null
  echo "--- simulator (last 15 lines):"; tail -n 15 "$work/sim.log" 2>/dev/null
  exit 1
}
problem() { echo "PROBLEM: $*"; problems=$((problems + 1)); }
harness_verdict() {
  [ "$problems" -eq 0 ] || fail "$problems problems (above)"
  echo "$harness_name: ok"
}

wait_for() {  # wait_for SECONDS COMMAND...: bounded polling, every $poll seconds
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $end ] && return 1; sleep "$poll"; done
}
q() { sqlite3 -cmd ".timeout 10000" "$db" "$@"; }

# --- the ERP simulator -------------------------------------------------------

# harness_start_sim OPTION...: certificates (tests/data/erp/mkcerts.sh) in
# $work/certs, and ulf-erp-sim on a free port with its booking log in
# $work/bookings.jsonl, its messages in $work/sim.log, and the fault
# options given.  Sets sim and port.
harness_start_sim() {
  bash "$ULF_SRC/tests/data/erp/mkcerts.sh" "$work/certs" || fail "certificates"
  : > "$work/port"   # truncated here, not by the background redirect below
  "$ERPSIM" --port 0 --cert "$work/certs/server.pem" --key "$work/certs/server.key" \
    --log "$work/bookings.jsonl" "$@" --exit-after 600 > "$work/port" 2> "$work/sim.log" &
  sim=$!
  wait_for 10 test -s "$work/port" || fail "simulator did not start"
  port=$(head -n 1 "$work/port")
}

harness_stop_sim() {
  kill -TERM "$sim"
  wait "$sim" 2>/dev/null
  sim=
}

# harness_conf TIMEOUT_MS MAX_ATTEMPTS [LINE...]: $work/ulf.conf, the robot
# on $db and $inbox posting to the simulator, with the lines given too.
harness_conf() {
  local timeout=$1 attempts=$2; shift 2
  {
    echo "store_path $db"
    echo "inbox_dir $inbox"
    printf '%s\n' "$@"
    echo "erp_url https://127.0.0.1:$port/postings"
    echo "erp_ca_file $work/certs/ca.pem"
    echo "erp_timeout_ms $timeout"
    echo "erp_max_attempts $attempts"
    echo "erp_backoff_ms 100"
    echo "erp_backoff_max_ms 1000"
  } > "$work/ulf.conf"
}

# harness_token NAME: a sender's token (`ulf token add`) on the robot's
# store, in $token: POST /documents needs one.  After harness_conf.
harness_token() {
  token=$("$ULF" token add "$1" --config "$work/ulf.conf" 2>/dev/null) || fail "token add $1"
}

# --- the robot ---------------------------------------------------------------

# Nothing left to do: no document in a working state, every file taken
# from the inbox, and (given FILES) that many documents in the store.
harness_settled() {
  local left
  left=$(q "select count(*) from documents where state in
            ('received','read','validated','matched','ready','posting')") || return 1
  [ "$left" = 0 ] || return 1
  [ -z "${1:-}" ] || [ "$(q "select count(*) from documents")" -eq "$1" ] || return 1
  [ -z "$(find "$inbox" -maxdepth 1 -type f ! -name '.*' -print -quit)" ]
}

# harness_settle SECONDS [FILES]: waits for harness_settled, or fails with
# the count of documents per state.
harness_settle() {
  wait_for "$1" harness_settled "${2:-}" ||
    fail "not settled after ${1}s: $(q "select state, count(*) from documents group by 1" | tr '\n' ' ')"
}

# A clean stop: SIGTERM once the service has its handlers (it logs
# `started` after installing them); it must exit 0.
harness_stop_service() {
  local rc
  wait_for 30 grep -q "ulf\[$svc\] info: started" "$work/service.log" ||
    fail "the last service did not start"
  kill -TERM "$svc"
  wait_for 20 sh -c "! kill -0 $svc" || fail "service did not stop on SIGTERM"
  wait "$svc"; rc=$?
  svc=
  [ $rc -eq 0 ] || fail "service exit status $rc after SIGTERM"
}

# --- the checks --------------------------------------------------------------

# $work/store: number|state|reasons of every invoice, sorted; and
# $work/store.numbers, the numbers alone.
harness_store_invoices() {
  q "select invoice_number, state, coalesce(reasons, '') from documents where kind = 'invoice'" \
    | sort > "$work/store"
  cut -d'|' -f1 "$work/store" | sort > "$work/store.numbers"
}

# The simulator's log against the store: every line readable, no number
# booked twice, and the key and voucher of each booking the ones the store
# recorded for a posted invoice (and no others).  Leaves the booked numbers
# in $work/booked, sorted.
harness_check_erp_log() {
  local twice differ
  sed -n 's/.*"invoice_id":"\([^"]*\)".*/\1/p' "$work/bookings.jsonl" | sort > "$work/booked"
  [ "$(wc -l < "$work/booked")" -eq "$(wc -l < "$work/bookings.jsonl")" ] || problem "unreadable log lines"
  twice=$(uniq -d "$work/booked" | head -n 3)
  [ -z "$twice" ] || problem "booked more than once: $twice"
  q "select p.idem_key || '|' || p.response from postings p join documents d on d.id = p.doc_id
     where d.state = 'posted'" | sort > "$work/store.vouchers"
  sed -n 's/.*"idempotency_key":"\([^"]*\)".*"voucher_id":"\([^"]*\)".*/\1|\2/p' \
    "$work/bookings.jsonl" | sort > "$work/log.vouchers"
  differ=$(comm -3 "$work/store.vouchers" "$work/log.vouchers" | head -n 3)
  [ -z "$differ" ] || problem "store and ERP disagree on keys or vouchers: $differ"
}
