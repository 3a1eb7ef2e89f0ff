#!/usr/bin/env bash
# run.sh - end-to-end throughput of the robot service: invoices per second
# from HTTP intake to a booking accepted by the ERP.
#
#   bash bench/robot/run.sh [BUILD_DIR]        (default: build-release)
#
# Measure in a Release build; when BUILD_DIR does not exist it is configured
# with -DCMAKE_BUILD_TYPE=Release (extra flags: BENCH_CMAKE_FLAGS).
#
# The service (`ulf run --config`, SQLite store, http_listen on loopback)
# gets BENCH_INVOICES (5000) distinct care invoices by HTTP POST over
# BENCH_CONNS (4) keep-alive connections from bench_robot, which then polls
# /metrics until all of them are in the state the run waits for.  Each run
# starts from an empty store.  Runs, in this order:
#
#   without posting   erp_url empty: intake, store, read, validate, care
#                     reconciliation and booking suggestion; waits for `ready`
#   end to end        the same plus HTTPS posting to `ulf-erp-sim` on
#                     127.0.0.1 (no faults); waits for `posted`
#
# and prints for each the intake rate (POSTs answered 202, while the
# pipeline works beside it) and the end-to-end rate, then as its last line
# `invoices/s: N`, the end-to-end figure with posting.  The target is 1000.
#
# The invoices (tests/crash/care_gen.h) are copies of the care samples that
# differ only in their identifiers.  BENCH_KIND picks them: `embedded` (one
# document per invoice, the claim inside: ubl-embedded-invoice.xml), `pair`
# (a claim document and an invoice document: claim-matched.xml +
# invoice-matched.xml; the claim is work too, so the robot handles two
# documents per invoice) or `auto` (the default: embedded when one such
# invoice reaches `posted` in this build, else pair, and it says so).
#
# BENCH_KEEP=1 keeps the stores and logs.  BENCH_PERF=1 also records the service with `perf record -g` during the end
# to end run and prints the top of the profile; BENCH_STRACE=1 counts its
# system calls (strace -c -f) during a second end to end run.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build-release}
case $build in
/*) ;;
*) build=$root/$build ;;
esac
invoices=${BENCH_INVOICES:-5000}
conns=${BENCH_CONNS:-4}
kind=${BENCH_KIND:-auto}
die() { echo "bench/robot: $*" >&2; exit 1; }

for tool in openssl sqlite3 curl; do
  command -v $tool >/dev/null || die "$tool not found"
done
if [ ! -f "$build/CMakeCache.txt" ]; then
  # shellcheck disable=SC2086
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release ${BENCH_CMAKE_FLAGS:-} >/dev/null ||
    die "cannot configure $build"
fi
ninja -C "$build" ulf ulf-erp-sim bench_robot care_gen >/dev/null || die "cannot build ulf, ulf-erp-sim, bench_robot and care_gen in $build"
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
[ "$btype" = Release ] || echo "bench/robot: warning: $build is a $btype build, not Release" >&2
ULF=$build/ulf
ERPSIM=$build/tools/erp-sim/ulf-erp-sim
driver=$build/bench/robot/bench_robot
S=$root/samples/care

tmp=$(mktemp -d)
sim= svc=
cleanup() {
  local p
  for p in $svc $sim; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ -n "${BENCH_KEEP:-}" ]; then echo "bench/robot: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
wait_for() {
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $end ] && return 1; sleep 0.05; done
}

bash "$root/tests/data/erp/mkcerts.sh" "$tmp/certs" || die "certificates"
: > "$tmp/port"
"$ERPSIM" --port 0 --cert "$tmp/certs/server.pem" --key "$tmp/certs/server.key" \
  --log "$tmp/bookings.jsonl" --exit-after 1800 > "$tmp/port" 2> "$tmp/sim.log" &
sim=$!
wait_for 10 test -s "$tmp/port" || die "the simulator did not start"
erp_url=https://127.0.0.1:$(head -n 1 "$tmp/port")/postings

write_config() {  # write_config DIR ERP_URL
  mkdir -p "$1/inbox"
  cat > "$1/ulf.conf" <<CONF
store_path $1/ulf.db
inbox_dir $1/inbox
http_listen 127.0.0.1:0
erp_url "$2"
erp_ca_file $tmp/certs/ca.pem
erp_backoff_ms 100
erp_backoff_max_ms 1000
CONF
}

if [ "$kind" = auto ]; then
  # does an invoice with its claim embedded go all the way in this build?
  write_config "$tmp/probe" "$erp_url"
  "$build/tests/crash/care_gen" "$tmp/probe/inbox" 999999 1 "$S/ubl-embedded-invoice.xml" ||
    die "care_gen"
  "$ULF" run --once --config "$tmp/probe/ulf.conf" >/dev/null 2>&1
  state=$(sqlite3 "$tmp/probe/ulf.db" "select state || ' ' || coalesce(reasons, '') from documents")
  if [ "${state%% *}" = posted ]; then
    kind=embedded
  else
    kind=pair
    echo "bench/robot: samples/care/ubl-embedded-invoice.xml ends '$state' in this build," \
         "not posted: measuring claim+invoice pairs instead"
  fi
fi
case $kind in
embedded) templates=("$S/ubl-embedded-invoice.xml"); per=1 ;;
pair) templates=("$S/claim-matched.xml" "$S/invoice-matched.xml"); per=2 ;;
*) die "BENCH_KIND must be auto, embedded or pair" ;;
esac

# run NAME ERP_URL STATE [WRAPPER...]: one service, one load; prints the
# driver's lines and leaves the end-to-end rate in $rate
first=0
run() {
  local name=$1 url=$2 until=$3 dir=$tmp/$1 port out n token
  shift 3
  write_config "$dir" "$url"
  token=$("$ULF" token add bench --config "$dir/ulf.conf" 2>/dev/null) || die "$name: token add"
  "$@" "$ULF" run --config "$dir/ulf.conf" 2> "$dir/service.log" &
  svc=$!
  wait_for 30 grep -q "listening on" "$dir/service.log" || die "$name: the service did not start"
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$dir/service.log" | head -n 1)
  # numbers never repeat across runs: the simulator remembers every key
  out=$("$driver" --url "http://127.0.0.1:$port" --token "$token" --first $first --count "$invoices" \
        --conns "$conns" --until "$until" --timeout 900 "${templates[@]}") ||
    die "$name: $(echo "$out" | tail -n 1)"
  first=$((first + invoices))
  echo "$out" | sed "s/^/  $name: /"
  rate=$(echo "$out" | sed -n 's/.* invoices after .*: \([0-9]*\) invoices\/s/\1/p')
  # under perf or strace the service is their child: stop it, they follow
  kill -TERM "$(pgrep -P "$svc" -x ulf || echo "$svc")"
  wait "$svc" 2>/dev/null
  svc=
  if [ "$until" = posted ]; then
    n=$(sqlite3 "$dir/ulf.db" "select count(*) from documents where state = 'posted'")
    [ "$n" -eq "$invoices" ] || die "$name: $n of $invoices invoices posted"
  fi
}

nproc_=$(nproc)
echo "bench/robot: $invoices invoices ($kind: $((invoices * per)) documents), $conns connections," \
     "$btype build, $nproc_ cores, store on $(df -P "$tmp" | awk 'NR==2 {print $1}')"
run no-posting "" ready
rate_ready=$rate
run end-to-end "$erp_url" posted
rate_posted=$rate

if [ "${BENCH_PERF:-}" = 1 ] && command -v perf >/dev/null; then
  echo "bench/robot: perf profile of the service (end to end, self time, top 25):"
  run perf "$erp_url" posted perf record -q -g -o "$tmp/perf.data" --
  perf report -i "$tmp/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null |
    grep -E '^ +[0-9.]+%' | head -n 25
fi
if [ "${BENCH_STRACE:-}" = 1 ] && command -v strace >/dev/null; then
  echo "bench/robot: system calls of the service (end to end, strace -c -f):"
  run strace "$erp_url" posted strace -c -f -o "$tmp/strace.txt"
  head -n 15 "$tmp/strace.txt"
fi

echo "bench/robot: without posting ${rate_ready} invoices/s; with HTTPS posting ${rate_posted} invoices/s" \
     "(target 1000)"
echo "invoices/s: $rate_posted"
