#!/usr/bin/env bash
# Issue 16, over HTTP: the same bytes POSTed again are one document (200,
# "duplicate": true, the first one's id), with an event "resend" in its
# history naming the sender, and ulf_resends_total on /metrics.
set -u
fail() { echo "FAIL: $*"; echo "--- service log:"; cat "$work/log" 2>/dev/null; exit 1; }
[ -x "${ULF:-}" ] || exit 77
command -v curl >/dev/null || { echo "resend_http test skipped: no curl"; exit 77; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/inbox"
cat > "$work/ulf.conf" <<CONF
store_path $work/ulf.db
inbox_dir $work/inbox
http_listen 127.0.0.1:0
CONF

wait_for() {  # wait_for SECONDS COMMAND...: bounded polling
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $end ] && return 1; sleep 0.1; done
}

token=$("$ULF" token add acme-ap --config "$work/ulf.conf" 2>/dev/null) || fail "token add"
auth="Authorization: Bearer $token"

"$ULF" run --config "$work/ulf.conf" 2>"$work/log" &
pid=$!
wait_for 10 grep -q "listening on" "$work/log" || fail "service did not start"
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/log" | head -n 1)
base=http://127.0.0.1:$port
sample=$ULF_SAMPLES/invoices/peppol-invoice-sormland.xml

resp=$(curl -s -w ' %{http_code}' -H "$auth" --data-binary @"$sample" "$base/documents?name=first.xml")
echo "$resp" | grep -q ' 202$' || fail "POST not accepted: $resp"
id=$(echo "$resp" | sed 's/.*"id":\([0-9]*\).*/\1/')
resp=$(curl -s -w ' %{http_code}' -H "$auth" --data-binary @"$sample" "$base/documents?name=again.xml")
echo "$resp" | grep -q "\"id\":$id,\"duplicate\":true.* 200\$" || fail "resend not the first: $resp"

metrics=$(curl -s "$base/metrics")
echo "$metrics" | grep -q '^ulf_resends_total 1$' || fail "metrics: $metrics"
echo "$metrics" | grep -q '^ulf_documents{state="received"} 1$\|^ulf_documents{state="exception"} 1$' \
  || fail "one document: $metrics"

kill -TERM $pid
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && fail "service did not stop on SIGTERM"
pid=

show=$("$ULF" queue show "$id" --store "$work/ulf.db") || fail "queue show"
echo "$show" | grep -q "robot *resend *received again over HTTP from sender acme-ap as again.xml" \
  || fail "no resend in the history: $show"
echo "resend_http: ok"
