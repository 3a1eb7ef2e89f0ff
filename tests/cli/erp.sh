#!/usr/bin/env bash
# ulf-erp-sim and ulf erp-post end to end: the simulator as its own process
# on 127.0.0.1 (port chosen by the system, printed on stdout), with client
# certificates and OAuth2 required and a 503 injected; a posting retried to
# success, repeated without a second booking, a rejection with the ERP's
# message, a client that does not trust the server refused, SIGTERM, and a
# restarted simulator that still knows the key from its log.
set -u
fail() { echo "FAIL: $*"; echo "--- simulator log:"; cat "$work"/sim*.log 2>/dev/null; exit 1; }
[ -x "${ULF:-}" ] || exit 77
command -v openssl >/dev/null || { echo "erp test skipped: no openssl command"; exit 77; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

wait_for() {  # wait_for SECONDS COMMAND...: bounded polling
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $end ] && return 1; sleep 0.1; done
}

stop_sim() {  # SIGTERM, and it must be gone, cleanly, within 5 s
  kill -TERM $pid
  for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  kill -0 $pid 2>/dev/null && fail "simulator did not stop on SIGTERM"
  wait $pid; local rc=$?
  pid=
  [ $rc -eq 0 ] || fail "simulator exit status $rc after SIGTERM"
}

start_sim() {  # start_sim LOGNAME ARGS...: starts it, sets $pid and $port
  local name=$1; shift
  : > "$work/$name.port"
  "$ERPSIM" --port 0 --cert "$c/server.pem" --key "$c/server.key" \
    --log "$work/bookings.jsonl" --exit-after 120 --verbose "$@" \
    > "$work/$name.port" 2> "$work/$name.log" &
  pid=$!
  wait_for 10 test -s "$work/$name.port" || fail "simulator did not start"
  port=$(head -n 1 "$work/$name.port")
  case $port in ''|*[!0-9]*) fail "no port printed: '$port'";; esac
}

c=$work/certs
bash "$ULF_SRC/tests/data/erp/mkcerts.sh" "$c" || fail "making certificates"
printf 'robot-secret\n' > "$work/secret"

# usage errors
"$ERPSIM" > /dev/null 2>&1; [ $? -eq 64 ] || fail "erp-sim without options not a usage error"
"$ERPSIM" --cert x --key y --log z --fail-rate 1.5 > /dev/null 2>&1
[ $? -eq 64 ] || fail "a rate above 1 not refused"
"$ERPSIM" --cert x --key y --log z --fail-rate 0.3333 > /dev/null 2>&1
[ $? -eq 64 ] || fail "a rate with four decimals not refused"
"$ULF" config sample | grep -q '^erp_url ""' || fail "erp_url not in the sample configuration"

start_sim sim1 --ca "$c/ca.pem" --require-client-cert \
  --client-id ulf-robot --client-secret-file "$work/secret" --token-ttl 60 \
  --fail-first 1 --reject-invoice INV-REJ --seed 3

cat > "$work/ulf.conf" <<CONF
erp_url https://127.0.0.1:$port/postings
erp_ca_file $c/ca.pem
erp_client_cert $c/client.pem
erp_client_key $c/client.key
erp_token_url https://127.0.0.1:$port/oauth/token
erp_client_id ulf-robot
erp_client_secret_file $work/secret
erp_timeout_ms 5000
erp_max_attempts 4
erp_backoff_ms 20
erp_backoff_max_ms 100
CONF
"$ULF" config check "$work/ulf.conf" > /dev/null || fail "config check refused the ERP settings"

payload() {  # payload NUMBER
  cat <<JSON
{"schema":"ulf.erp.posting/1",
 "source":{"system":"ulf","document_id":7,"invoice_url":"https://ulf.example/documents/7"},
 "supplier":{"erp_id":null,"name":"Sjukvårdsmaterial AB","org_number":"5560000001","vat_number":"SE556000000101"},
 "invoice":{"number":"$1","type_code":"380","issue_date":"2024-03-01","due_date":"2024-03-31",
            "currency":"SEK","buyer_reference":"FM1234","order_reference":"DLL1234567",
            "payment_reference":null,"total_net":"1000.00","total_vat":"250.00","payable":"1250.00"},
 "lines":[{"line":1,"invoice_line_id":"1","description":"Handskar","account":"4010",
           "cost_centre":"7301","activity":"310","project":null,"vat_code":"MP1",
           "net_amount":"1000.00","vat_amount":"250.00"}]}
JSON
}
payload INV-1 > "$work/inv1.json"
payload INV-REJ > "$work/rej.json"

# first posting: a 503, then booked on the second attempt
out=$("$ULF" erp-post --config "$work/ulf.conf" "$work/inv1.json" 2>"$work/post.err")
rc=$?
[ $rc -eq 0 ] || fail "erp-post exit $rc: $(cat "$work/post.err")"
echo "$out" | grep -q '^accepted SIM-000001 (key ulf1-[0-9a-f]\{64\}, 2 attempts)$' \
  || fail "unexpected: $out"
[ "$(wc -l < "$work/bookings.jsonl")" -eq 1 ] || fail "not one booking line"
grep -q '"invoice_id":"INV-1","supplier":"Sjukvårdsmaterial AB","amount":"1250.00"' \
  "$work/bookings.jsonl" || fail "log line: $(cat "$work/bookings.jsonl")"

# the same invoice again: the same key, the first answer, no second booking
out=$("$ULF" erp-post --config "$work/ulf.conf" "$work/inv1.json" 2>"$work/post.err") \
  || fail "repeat: $(cat "$work/post.err")"
echo "$out" | grep -q "^accepted SIM-000001 .*answered from the ERP's record" || fail "repeat: $out"
[ "$(wc -l < "$work/bookings.jsonl")" -eq 1 ] || fail "the repeat was booked again"

# a rejection: exit 1 and the ERP's message
"$ULF" erp-post --config "$work/ulf.conf" "$work/rej.json" > /dev/null 2>"$work/post.err"
rc=$?
[ $rc -eq 1 ] || fail "rejection exit $rc: $(cat "$work/post.err")"
grep -q "rejected (HTTP 422): invoice INV-REJ cannot be booked" "$work/post.err" \
  || fail "rejection message: $(cat "$work/post.err")"

# a client that does not trust the server's CA: exit 4, nothing sent
sed "s|^erp_ca_file .*|erp_ca_file $c/otherca.pem|" "$work/ulf.conf" > "$work/bad.conf"
"$ULF" erp-post --config "$work/bad.conf" "$work/inv1.json" > /dev/null 2>"$work/post.err"
rc=$?
[ $rc -eq 4 ] || fail "untrusted server: exit $rc: $(cat "$work/post.err")"
grep -q "certificate" "$work/post.err" || fail "untrusted server: $(cat "$work/post.err")"

# without a client certificate: exit 4 with the ERP's 403
grep -v -e '^erp_client_cert' -e '^erp_client_key' "$work/ulf.conf" > "$work/nocert.conf"
"$ULF" erp-post --config "$work/nocert.conf" "$work/inv1.json" > /dev/null 2>"$work/post.err"
rc=$?
[ $rc -eq 4 ] || fail "no client certificate: exit $rc: $(cat "$work/post.err")"
grep -q "HTTP 403" "$work/post.err" || fail "no client certificate: $(cat "$work/post.err")"

stop_sim
grep -q "stopping: .* 1 booked" "$work/sim1.log" || fail "no clean stop"

# a server that refuses a client certificate in the TLS handshake itself
# (openssl s_server -Verify, as a TLS-terminating proxy does): a set-up
# fault, exit 4, never "not delivered" - whether the refusal comes in the
# handshake (TLS 1.2) or at the first read, after the request (TLS 1.3)
sed -e '/^erp_token_url/d' -e '/^erp_client_/d' "$work/ulf.conf" > "$work/tlsrefused.conf"
for version in -tls1_3 -tls1_2; do
  sport=$((20000 + RANDOM % 20000))
  openssl s_server -quiet -accept "$sport" $version -cert "$c/server.pem" -key "$c/server.key" \
    -CAfile "$c/ca.pem" -Verify 1 -verify_return_error -www > "$work/s_server.log" 2>&1 &
  spid=$!
  if wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$sport"; then
    sed -i "s|^erp_url .*|erp_url https://127.0.0.1:$sport/postings|" "$work/tlsrefused.conf"
    "$ULF" erp-post --config "$work/tlsrefused.conf" "$work/inv1.json" > /dev/null 2>"$work/post.err"
    rc=$?
    [ $rc -eq 4 ] || fail "client certificate refused in TLS ($version): exit $rc: $(cat "$work/post.err")"
    grep -q "alert" "$work/post.err" || fail "TLS refusal ($version): $(cat "$work/post.err")"
  fi
  kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
done

# a restarted simulator (no mTLS, no tokens) answers the old key from its log
start_sim sim2
sed -e "s|127.0.0.1:[0-9]*/|127.0.0.1:$port/|" -e '/^erp_token_url/d' -e '/^erp_client_/d' \
  "$work/ulf.conf" > "$work/plain.conf"
out=$("$ULF" erp-post --config "$work/plain.conf" "$work/inv1.json" 2>"$work/post.err") \
  || fail "after restart: $(cat "$work/post.err")"
echo "$out" | grep -q "^accepted SIM-000001 .*answered from the ERP's record" \
  || fail "after restart: $out"
[ "$(wc -l < "$work/bookings.jsonl")" -eq 1 ] || fail "booked again after a restart"

# nobody listening any more: exit 3 after every attempt
stop_sim
"$ULF" erp-post --config "$work/plain.conf" --key manual-key "$work/inv1.json" \
  > /dev/null 2>"$work/post.err"
rc=$?
[ $rc -eq 3 ] || fail "unreachable: exit $rc: $(cat "$work/post.err")"
grep -q "not delivered after 4 attempts" "$work/post.err" || fail "unreachable: $(cat "$work/post.err")"
echo "erp: ok"
