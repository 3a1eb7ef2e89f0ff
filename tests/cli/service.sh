#!/usr/bin/env bash
# ulf run as a service: inbox by inotify, documents by HTTP POST (stored
# before the 202), /health and /metrics, SIGHUP reload that refuses a bad
# configuration and keeps running, SIGTERM that exits cleanly, and a file
# that is still being written is not taken until it is complete.
set -u
fail() { echo "FAIL: $*"; echo "--- service log:"; cat "$work/log" 2>/dev/null; exit 1; }
[ -x "${ULF:-}" ] || exit 77
command -v curl >/dev/null || { echo "service test skipped: no curl"; exit 77; }
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

# senders need a token; metrics from loopback need none
token=$("$ULF" token add sender --config "$work/ulf.conf" 2>/dev/null) || fail "token add"
auth="Authorization: Bearer $token"

"$ULF" run --config "$work/ulf.conf" 2>"$work/log" &
pid=$!
wait_for 10 grep -q "listening on" "$work/log" || fail "service did not start"
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/log" | head -n 1)
base=http://127.0.0.1:$port

[ "$(curl -s "$base/health")" = "ok" ] || fail "/health"

# without a token: refused before the body is read, nothing stored
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$ULF_SAMPLES/invoices/peppol-invoice-sormland.xml" "$base/documents")
[ "$code" = 401 ] || fail "POST without a token: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(printf '0%.0s' $(seq 64))" \
  --data-binary @"$ULF_SAMPLES/invoices/peppol-invoice-sormland.xml" "$base/documents")
[ "$code" = 401 ] || fail "POST with a wrong token: $code"
[ "$(sqlite3 "$work/ulf.db" 'select count(*) from documents' 2>/dev/null || echo 0)" = 0 ] \
  || fail "a document without credentials was stored"

# HTTP intake: 202 with an id, then processed by the loop
resp=$(curl -s -w ' %{http_code}' -H "$auth" -H 'Content-Type: application/xml' \
  --data-binary @"$ULF_SAMPLES/invoices/peppol-invoice-sormland.xml" "$base/documents?name=sormland.xml")
echo "$resp" | grep -q ' 202$' || fail "POST not accepted: $resp"
id=$(echo "$resp" | sed 's/.*"id":\([0-9]*\).*/\1/')
# no reference data: read, validated, matched as an unknown supplier's
wait_for 10 sh -c "curl -s -H '$auth' $base/documents/$id | grep -q 'UNKNOWN_SUPPLIER'" \
  || fail "document $id not processed: $(curl -s -H "$auth" "$base/documents/$id")"
# another sender's token does not read it; no token does not either; odd paths are not document 1
other=$("$ULF" token add other --config "$work/ulf.conf" 2>/dev/null) || fail "token add other"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $other" "$base/documents/$id")
[ "$code" = 404 ] || fail "another sender read document $id: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/documents/$id")
[ "$code" = 401 ] || fail "GET /documents/$id without a token: $code"
for odd in "$id%00" "$id%2500" "0$id" "+$id" "$id/" "$id.0"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$base/documents/$odd")
  case $code in 400|404) ;; *) fail "/documents/$odd answered $code" ;; esac
done
resp=$(curl -s -w ' %{http_code}' -H "$auth" --data-binary @"$ULF_SAMPLES/invoices/peppol-invoice-sormland.xml" "$base/documents")
echo "$resp" | grep -q '"duplicate":true.* 200$' || fail "same bytes again not a duplicate: $resp"

# inbox: a file written slowly is taken only when complete
f=$work/inbox/slow.xml
head -c 200 "$ULF_SAMPLES/invoices/peppol-creditnote-vastmanland.xml" > "$f"
sleep 0.5
tail -c +201 "$ULF_SAMPLES/invoices/peppol-creditnote-vastmanland.xml" >> "$f"
wait_for 10 test -e "$work/inbox/.taken" || fail "inbox file not taken"
wait_for 10 sh -c "ls $work/inbox/.taken | grep -q slow.xml" || fail "slow.xml not taken"
grep -q "slow.xml: document [0-9]* exception" "$work/log" || fail "slow.xml was taken before it was complete"

metrics=$(curl -s "$base/metrics")
echo "$metrics" | grep -q 'ulf_documents{state="exception"} 2' || fail "metrics: $metrics"
echo "$metrics" | grep -q 'ulf_automation_rate 0.0000' || fail "automation rate: $metrics"

# a bad reload is refused and the service keeps running
echo "xml_max_depth 3" >> "$work/ulf.conf"
kill -HUP $pid
wait_for 5 grep -q "reload refused" "$work/log" || fail "bad reload not refused"
[ "$(curl -s "$base/health")" = "ok" ] || fail "service died on a bad reload"
sed -i '$d' "$work/ulf.conf"
echo "xml_max_depth 80" >> "$work/ulf.conf"
kill -HUP $pid
wait_for 5 grep -q "configuration reloaded" "$work/log" || fail "good reload not taken"

# a rules file that does not compile is refused too; the old rules stay
printf 'rule broken\n  this is not a rule line\n' > "$work/bad.rules"
echo "match_rules_file $work/bad.rules" >> "$work/ulf.conf"
kill -HUP $pid
wait_for 5 sh -c "[ \$(grep -c 'reload refused' '$work/log') -ge 2 ]" || fail "bad rules file not refused"
grep 'reload refused' "$work/log" | tail -n 1 | grep -q "bad.rules" || fail "refusal does not name the rules file"
[ "$(curl -s "$base/health")" = "ok" ] || fail "service died on a bad rules file"
sed -i '$d' "$work/ulf.conf"
echo "match_rules_file $ULF_SAMPLES/rules/regions.rules" >> "$work/ulf.conf"
kill -HUP $pid
wait_for 5 sh -c "[ \$(grep -c 'configuration reloaded' '$work/log') -ge 2 ]" || fail "good rules file not taken"

kill -TERM $pid
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && fail "did not stop on SIGTERM"
wait $pid; rc=$?
pid=
[ $rc -eq 0 ] || fail "exit status $rc after SIGTERM"
grep -q "stopping" "$work/log" || fail "no clean stop"
echo "service: ok"
