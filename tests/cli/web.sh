#!/usr/bin/env bash
# The workbench's doors and locks, driven with curl against the real
# binary: settings that would serve plain HTTP to the network or half of
# TLS are refused (by `ulf config check`, listing every problem, and at
# start); every route without a session is sent to the login page or
# refused; the login sets a session cookie with its flags (and Secure
# under __Host- over HTTPS); a POST without the CSRF token gets 403; the
# security headers are on every answer; roles are enforced by the server;
# the failed-login delay; single sign-on only from a trusted proxy; the
# intake and its documents need a token or a client certificate, /health
# is open and /metrics needs a token unless asked from loopback.
set -u
fail() { echo "FAIL: $*"; for l in "$work"/*.log; do echo "--- $l"; tail -n 20 "$l"; done; exit 1; }
[ -x "${ULF:-}" ] || exit 77
for tool in curl openssl sqlite3; do
  command -v $tool >/dev/null || { echo "web test skipped: no $tool"; exit 77; }
done
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
mkdir -p "$work/inbox"

wait_for() {  # wait_for SECONDS COMMAND...: bounded polling
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $end ] && return 1; sleep 0.1; done
}
conf() {  # conf FILE LINE...: the store and inbox, and the lines given
  local f=$1; shift
  { echo "store_path $work/ulf.db"; echo "inbox_dir $work/inbox"; printf '%s\n' "$@"; } > "$f"
}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
stop() {  # stop PID: SIGTERM, bounded wait, exit status 0
  kill -TERM "$1"
  wait_for 10 sh -c "! kill -0 $1" || fail "process $1 did not stop"
  wait "$1" || fail "process $1 exited $?"
}

bash "$ULF_SRC/tests/data/erp/mkcerts.sh" "$work/certs" || fail "certificates"
C=$work/certs

# ---- settings that must not start -----------------------------------------------
conf "$work/bad.conf" "http_listen 0.0.0.0:0" "http_cert_file $C/server.pem" \
  "web_listen 0.0.0.0:0" "web_session_idle 600" "web_session_max 60" "web_sso_header X-Remote-User"
"$ULF" config check "$work/bad.conf" 2> "$work/check.out"
[ $? -eq 1 ] || fail "config check passed half TLS"
cat "$work/check.out"
grep -q "http_cert_file is set but http_key_file is not" "$work/check.out" || fail "http half TLS not named"
grep -q "web_session_idle (600 minutes) is longer than web_session_max" "$work/check.out" ||
  fail "idle over max not named"
grep -q "web_listen 0.0.0.0:0 without HTTPS: plain HTTP is served only on a loopback" "$work/check.out" ||
  fail "plain web on 0.0.0.0 not named"
grep -q "web_sso_header is set but web_trusted_proxies is empty" "$work/check.out" || fail "SSO without proxies"
grep -q "4 problems" "$work/check.out" || fail "config check did not count every problem"

conf "$work/half.conf" "http_listen 127.0.0.1:0" "http_cert_file $C/server.pem"
"$ULF" run --config "$work/half.conf" > /dev/null 2> "$work/half.log" &
pid=$!; pids+=($pid)
wait_for 10 sh -c "! kill -0 $pid" || fail "ulf run started with half of TLS"
grep -q "HTTPS" "$work/half.log" && grep -q "listening" "$work/half.log" && fail "served with half of TLS"
grep -q "http_key_file is not" "$work/half.log" || fail "no reason given: $(cat "$work/half.log")"

conf "$work/open.conf" "http_listen 0.0.0.0:0"
"$ULF" run --config "$work/open.conf" > /dev/null 2> "$work/open.log" &
pid=$!; pids+=($pid)
wait_for 10 sh -c "! kill -0 $pid" || fail "ulf run served plain HTTP on 0.0.0.0"
grep -q "plain HTTP is served only on a loopback" "$work/open.log" || fail "no reason: $(cat "$work/open.log")"
"$ULF" web --store "$work/ulf.db" --listen 0.0.0.0:0 2> "$work/webopen.log"
[ $? -eq 64 ] || fail "ulf web --listen 0.0.0.0:0 without HTTPS was not refused"
grep -q "only on a loopback" "$work/webopen.log" || fail "ulf web gave no reason"

# ---- users and tokens ------------------------------------------------------------
conf "$work/ulf.conf" "http_listen 127.0.0.1:0" "web_listen 127.0.0.1:0"
pw_anna="anna's long passphrase"
echo "$pw_anna" | "$ULF" user add anna --role handler --config "$work/ulf.conf" >/dev/null || fail "user anna"
echo "kim's passphrase" | "$ULF" user add kim --role controller --config "$work/ulf.conf" >/dev/null || fail "user kim"
echo "ada's passphrase" | "$ULF" user add ada --role admin --config "$work/ulf.conf" >/dev/null || fail "user ada"
sender=$("$ULF" token add sender-a --config "$work/ulf.conf" 2>/dev/null) || fail "token add"
scraper=$("$ULF" token add prom --scope metrics --config "$work/ulf.conf" 2>/dev/null) || fail "token add metrics"

# ---- the robot with its intake and the workbench ---------------------------------------
"$ULF" run --config "$work/ulf.conf" 2> "$work/run.log" &
svc=$!; pids+=($svc)
wait_for 10 grep -q "workbench at" "$work/run.log" || fail "the service did not start"
hport=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/run.log" | head -n 1)
wport=$(sed -n 's|.*workbench at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/run.log" | head -n 1)
H=http://127.0.0.1:$hport
W=http://127.0.0.1:$wport

# /health is open on both; /metrics from loopback needs no token
[ "$(curl -s "$H/health")" = ok ] || fail "intake /health"
[ "$(curl -s "$W/health")" = ok ] || fail "workbench /health"
[ "$(code "$H/metrics")" = 200 ] || fail "/metrics from loopback"
# the intake and its documents need a token
xml=$ULF_SAMPLES/invoices/peppol-invoice-sormland.xml
[ "$(code --data-binary @"$xml" "$H/documents")" = 401 ] || fail "POST /documents without a token"
[ "$(code -H "Authorization: Bearer $scraper" --data-binary @"$xml" "$H/documents")" = 403 ] ||
  fail "POST /documents with a metrics token"
resp=$(curl -s -H "Authorization: Bearer $sender" --data-binary @"$xml" "$H/documents?name=a.xml")
id=$(echo "$resp" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
[ -n "$id" ] || fail "POST with a token: $resp"
[ "$(code "$H/documents/$id")" = 401 ] || fail "GET /documents/$id without a token"
[ "$(code -H "Authorization: Bearer $sender" "$H/documents/$id")" = 200 ] || fail "GET /documents/$id"
for odd in "$id%00" "$id%00x" "0$id" "$id/" "../$id"; do
  c=$(code -H "Authorization: Bearer $sender" --path-as-is "$H/documents/$odd")
  case $c in 400|404) ;; *) fail "/documents/$odd answered $c" ;; esac
done
# a body over xml_max_bytes is refused before it is stored (413, from its length)
before=$(sqlite3 "$work/ulf.db" "select count(*) from documents")
head -c 70000000 /dev/zero > "$work/big"
c=$(code -m 20 -H "Authorization: Bearer $sender" --data-binary @"$work/big" "$H/documents")
[ "$c" = 413 ] || fail "a 70 MB body answered $c"
[ "$(sqlite3 "$work/ulf.db" "select count(*) from documents")" = "$before" ] || fail "the big body was stored"
rm -f "$work/big"

# ---- every route, without a session ---------------------------------------------------
"$ULF" web --routes > "$work/routes"
[ -s "$work/routes" ] || fail "ulf web --routes"
while read -r method pattern perm; do
  path=$(echo "$pattern" | sed 's/{[a-z_]*:int}/1/g; s/{[a-z_]*}/x/g')
  if [ "$method" = GET ]; then
    out=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$W$path")
  else
    out=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -X "$method" -d x=1 "$W$path")
  fi
  if [ "$perm" = open ]; then
    continue
  elif [ "$method" = GET ]; then
    case $out in "303 $W/login?next="*) ;; *) fail "GET $path without a session: $out" ;; esac
  else
    case $out in "403 "*) ;; *) fail "$method $path without a session: $out" ;; esac
  fi
done < "$work/routes"
[ "$(code "$W/no/such/page")" = 404 ] || fail "an unknown page"
[ "$(code -X DELETE "$W/queue")" = 405 ] || fail "DELETE /queue"
[ "$(code --path-as-is "$W/queue/../login")" = 400 ] || fail "a path with .."

# the security headers, on a page, a redirect and an error
for url in "$W/login" "$W/queue" "$W/no/such/page" "$W/assets/ulf.css"; do
  curl -s -D "$work/h" -o /dev/null "$url"
  grep -qi "^Content-Security-Policy: default-src 'self'" "$work/h" || fail "no CSP on $url"
  grep -qi "^X-Frame-Options: DENY" "$work/h" || fail "no X-Frame-Options on $url"
  grep -qi "^X-Content-Type-Options: nosniff" "$work/h" || fail "no nosniff on $url"
  grep -qi "^Referrer-Policy: no-referrer" "$work/h" || fail "no Referrer-Policy on $url"
  grep -qi "^Cache-Control: " "$work/h" || fail "no Cache-Control on $url"
done
curl -s -D "$work/h" -o /dev/null "$W/login"
grep -qi "^Cache-Control: no-store" "$work/h" || fail "the login page may be cached"
grep -qi "^Content-Type: text/css" <(curl -s -D - -o /dev/null "$W/assets/ulf.css") || fail "ulf.css"
grep -q 'ulf.csrf' <(curl -s "$W/assets/ulf.js") || fail "ulf.js"
curl -s "$W/login" | grep -qi '<script>' && fail "inline script on the login page"

# ---- logging in ---------------------------------------------------------------------------
# login JAR USER PASSWORD: the login form's token, then the form; prints the code
login() {
  local tok
  tok=$(curl -s -b "$1" -c "$1" "$W/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
  curl -s -o /dev/null -w '%{http_code}' -D "$1.h" -b "$1" -c "$1" --data-urlencode "user=$2" \
    --data-urlencode "password=$3" --data-urlencode "csrf=$tok" --data-urlencode "next=/queue" "$W/login"
}
# the login form without its token is refused
[ "$(code --data-urlencode user=anna --data-urlencode "password=$pw_anna" "$W/login")" = 403 ] ||
  fail "a login without the form's token"
c=$(login "$work/anna" anna "$pw_anna")
[ "$c" = 303 ] || fail "anna's login: $c"
grep -qi "^Location: /queue" "$work/anna.h" || fail "not sent on to /queue"
cookie=$(grep -i '^Set-Cookie: ulf_session=' "$work/anna.h" | tr -d '\r')
echo "$cookie"
echo "$cookie" | grep -Eq 'ulf_session=[0-9a-f]{64};' || fail "session id not 256 bits of hex: $cookie"
for flag in "HttpOnly" "SameSite=Strict" "Path=/"; do
  echo "$cookie" | grep -q "; $flag" || fail "session cookie without $flag"
done
echo "$cookie" | grep -q "Secure" && fail "Secure over plain HTTP (curl would not send it back)"
sid=$(echo "$cookie" | sed 's/.*ulf_session=\([0-9a-f]*\);.*/\1/')
[ "$(sqlite3 "$work/ulf.db" .dump | grep -c "$sid")" = 0 ] || fail "the store keeps the session id itself"
grep -q "anna logged in from 127.0.0.1" "$work/run.log" || fail "login not logged"
[ "$(code -b "$work/anna" "$W/queue")" = 200 ] || fail "anna cannot see the queue"
page=$(curl -s -b "$work/anna" "$W/queue")
echo "$page" | grep -q '<form method="post" action="/logout"' || fail "no logout button"
token=$(echo "$page" | sed -n 's/.*name="csrf-token" content="\([0-9a-f]*\)".*/\1/p')
[ ${#token} = 64 ] || fail "no CSRF token on the page"

# a POST without the CSRF token, or with another, is refused with a page saying so
c=$(curl -s -o "$work/403.html" -w '%{http_code}' -b "$work/anna" -X POST "$W/logout")
[ "$c" = 403 ] || fail "logout without a CSRF token: $c"
grep -q "CSRF" "$work/403.html" || fail "the 403 page does not say why"
[ "$(code -b "$work/anna" --data "csrf=$(printf 'a%.0s' $(seq 64))" "$W/logout")" = 403 ] ||
  fail "logout with a wrong CSRF token"
[ "$(code -b "$work/anna" "$W/queue")" = 200 ] || fail "the refused logouts logged anna out"

# roles: an administrator may not see the queue; a controller may
login "$work/ada" ada "ada's passphrase" >/dev/null
c=$(curl -s -o "$work/ada.html" -w '%{http_code}' -b "$work/ada" "$W/queue")
[ "$c" = 403 ] || fail "an administrator opened the queue: $c"
grep -q "queue_view" "$work/ada.html" || fail "the 403 does not name the permission"
login "$work/kim" kim "kim's passphrase" >/dev/null
[ "$(code -b "$work/kim" "$W/queue")" = 200 ] || fail "a controller cannot see the queue"

# logout with the token ends the session, server-side
[ "$(code -b "$work/anna" -c "$work/anna" --data "csrf=$token" "$W/logout")" = 303 ] || fail "logout"
[ "$(code -b "$work/anna" "$W/queue")" = 303 ] || fail "still logged in after logout"
curl -s -o /dev/null -b "ulf_session=$sid" -w '%{http_code}' "$W/queue" | grep -q 303 ||
  fail "the old session id still opens the queue"

# five failed logins, then a growing wait, logged without the password
for i in 1 2 3 4 5; do
  [ "$(login "$work/bad" anna "wrong-$i")" = 403 ] || fail "wrong password $i not refused"
done
[ "$(login "$work/bad" anna "$pw_anna")" = 429 ] || fail "no delay after five failures"
grep -q "failed login for anna from 127.0.0.1 (5 in a row); the next attempt waits 30 s" "$work/run.log" ||
  fail "the delay is not logged"
grep -q "wrong-" "$work/run.log" && fail "a password in the log"
grep -q "passphrase" "$work/run.log" && fail "a password in the log"
stop $svc

# ---- single sign-on, from a trusted proxy only ----------------------------------------------
conf "$work/sso.conf" "web_listen 127.0.0.1:0" "web_sso_header X-Remote-User" \
  "web_trusted_proxies 127.0.0.1"
"$ULF" web --config "$work/sso.conf" 2> "$work/sso.log" &
pid=$!; pids+=($pid)
wait_for 10 grep -q "workbench at" "$work/sso.log" || fail "ulf web did not start"
S=$(sed -n 's|.*workbench at \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$work/sso.log")
[ "$(code -H "X-Remote-User: kim" "$S/queue")" = 200 ] || fail "SSO from a trusted proxy"
curl -s -D - -o /dev/null -H "X-Remote-User: kim" "$S/queue" | grep -qi "^Set-Cookie: ulf_session=" ||
  fail "SSO made no session"
[ "$(code -H "X-Remote-User: nobody" "$S/queue")" = 403 ] || fail "SSO for a name that is no user"
[ "$(code -H "X-Remote-User: ada" "$S/queue")" = 403 ] || fail "SSO does not take the roles from ulf"
stop $pid
conf "$work/sso2.conf" "web_listen 127.0.0.1:0" "web_sso_header X-Remote-User" \
  "web_trusted_proxies 10.9.9.9"
"$ULF" web --config "$work/sso2.conf" 2> "$work/sso2.log" &
pid=$!; pids+=($pid)
wait_for 10 grep -q "workbench at" "$work/sso2.log" || fail "ulf web did not start"
S=$(sed -n 's|.*workbench at \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$work/sso2.log")
[ "$(code -H "X-Remote-User: kim" "$S/queue")" = 303 ] || fail "SSO header believed from an untrusted address"
grep -q "not in web_trusted_proxies: ignored" "$work/sso2.log" || fail "untrusted SSO header not logged"
stop $pid

# ---- HTTPS: the workbench's cookies, the intake's client certificates -------------------------
# a client certificate named like a sender, from the test CA
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$C/sender.key" 2>/dev/null
openssl req -new -key "$C/sender.key" -subj "/CN=sender-c" -out "$C/sender.csr" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' > "$C/sender.ext"
openssl x509 -req -in "$C/sender.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" -CAcreateserial -days 2 \
  -extfile "$C/sender.ext" -out "$C/sender.pem" 2>/dev/null || fail "client certificate"
conf "$work/tls.conf" "http_listen 0.0.0.0:0" "http_cert_file $C/server.pem" \
  "http_key_file $C/server.key" "http_client_ca_file $C/ca.pem" "web_listen 127.0.0.1:0" \
  "web_cert_file $C/server.pem" "web_key_file $C/server.key"
"$ULF" config check "$work/tls.conf" >/dev/null || fail "config check refused full TLS"
"$ULF" run --config "$work/tls.conf" 2> "$work/tls.log" &
svc=$!; pids+=($svc)
wait_for 10 grep -q "workbench at" "$work/tls.log" || fail "the service did not start with TLS"
hport=$(sed -n 's/.*listening on 0.0.0.0:\([0-9]*\) (HTTPS).*/\1/p' "$work/tls.log" | head -n 1)
wport=$(sed -n 's|.*workbench at https://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/tls.log" | head -n 1)
[ -n "$hport" ] && [ -n "$wport" ] || fail "no HTTPS ports in the log"
T=https://127.0.0.1:$wport
c=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$C/ca.pem" -D "$work/tls.h" "$T/login")
[ "$c" = 200 ] || fail "the login page over HTTPS: $c"
grep -i '^Set-Cookie: __Host-ulf_login=' "$work/tls.h" | grep -q "; Secure" || fail "no Secure cookie over HTTPS"
grep -qi '^Strict-Transport-Security: max-age=' "$work/tls.h" || fail "no HSTS over HTTPS"
tok=$(curl -s --cacert "$C/ca.pem" -b "$work/tj" -c "$work/tj" "$T/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
curl -s -o /dev/null -D "$work/tls2.h" --cacert "$C/ca.pem" -b "$work/tj" -c "$work/tj" \
  --data-urlencode user=kim --data-urlencode "password=kim's passphrase" --data-urlencode "csrf=$tok" "$T/login"
grep -i '^Set-Cookie: __Host-ulf_session=' "$work/tls2.h" | grep -q "; Secure" ||
  fail "the session cookie over HTTPS is not Secure: $(grep -i set-cookie "$work/tls2.h")"
[ "$(code --cacert "$C/ca.pem" -b "$work/tj" "$T/queue")" = 200 ] || fail "kim over HTTPS"

# the intake over HTTPS: a client certificate of the CA is a sender; another CA's is not
I=https://127.0.0.1:$hport
c=$(code --cacert "$C/ca.pem" --cert "$C/sender.pem" --key "$C/sender.key" --data-binary @"$xml" "$I/documents")
case $c in 200|202) ;; *) fail "POST with a client certificate: $c" ;; esac
[ "$(code --cacert "$C/ca.pem" --cert "$C/rogueclient.pem" --key "$C/rogueclient.key" \
      --data-binary @"$xml" "$I/documents")" = 401 ] || fail "another CA's client certificate was taken"
[ "$(code --cacert "$C/ca.pem" --data-binary @"$xml" "$I/documents")" = 401 ] || fail "POST without anything"
# /metrics from another address needs a token (when this machine has one)
ip=$( (hostname -I 2>/dev/null || true) | tr ' ' '\n' | grep -E '^[0-9]+\.' | grep -v '^127\.' | head -n 1)
if [ -n "$ip" ]; then
  M=https://$ip:$hport/metrics
  [ "$(code -k "$M")" = 401 ] || fail "/metrics from $ip without a token"
  [ "$(code -k -H "Authorization: Bearer $sender" "$M")" = 403 ] || fail "/metrics with a sender's token"
  [ "$(code -k -H "Authorization: Bearer $scraper" "$M")" = 200 ] || fail "/metrics with a metrics token"
  [ "$(curl -sk "https://$ip:$hport/health")" = ok ] || fail "/health from $ip"
else
  echo "web: no address but loopback here; /metrics from elsewhere not tried"
fi
stop $svc
echo "web: ok"
