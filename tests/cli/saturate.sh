#!/usr/bin/env bash
# One client cannot starve the others: 300 connections to the intake from
# one address (127.0.0.2) that send their request heads slowly, a header
# line every second, as in the issue's try (which made /health time out
# for as long as they stayed).  While they try, /health on the intake and
# the login page of the workbench must answer, each within a second.  The
# slow client's own account shows why: the connections over its share are
# closed at once (http_connections_per_client) and those it holds are cut
# when their head misses its deadline (http_head_timeout), however slowly
# it trickles in.  Loopback only; the slow client stops by itself.
set -u
fail() { echo "FAIL: $*"; echo "--- service log:"; tail -n 30 "$work/log"; exit 1; }
[ -x "${ULF:-}" ] || exit 77
for tool in curl python3; do
  command -v $tool >/dev/null || { echo "saturate test skipped: no $tool"; exit 77; }
done
work=$(mktemp -d)
pid= slow=
trap '[ -n "$slow" ] && kill -9 $slow 2>/dev/null; [ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/inbox"
cat > "$work/ulf.conf" <<CONF
store_path $work/ulf.db
inbox_dir $work/inbox
http_listen 127.0.0.1:0
web_listen 127.0.0.1:0
http_head_timeout 5
CONF

wait_for() {
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $end ] && return 1; sleep 0.1; done
}

"$ULF" run --config "$work/ulf.conf" 2> "$work/log" &
pid=$!
wait_for 10 grep -q "workbench at" "$work/log" || fail "the service did not start"
hport=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/log" | head -n 1)
W=$(sed -n 's|.*workbench at \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$work/log" | head -n 1)

# the slow client: 300 connections from 127.0.0.2, a header line each
# second on those still open, for at most 8 seconds; then its account
cat > "$work/slow.py" <<'PY'
import select, socket, sys, time
port, n, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks, refused_at_once, cut = [], 0, 0
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.2", 0))
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"POST /documents HTTP/1.1\r\nHost: ulf\r\n")
    except OSError:
        refused_at_once += 1
        s.close()
        continue
    s.setblocking(False)
    socks.append(s)
print("opened", flush=True)
start = time.monotonic()
closed_at = {}
nxt = start
while time.monotonic() - start < seconds and socks:
    r, _, _ = select.select(socks, [], [], 0.2)
    for s in r:
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if not data:
            closed_at[s] = time.monotonic() - start
            socks.remove(s)
            s.close()
    if time.monotonic() >= nxt:
        nxt += 1.0
        for s in list(socks):
            try:
                s.send(b"X-Slow: 1\r\n")
            except OSError:
                closed_at[s] = time.monotonic() - start
                socks.remove(s)
                s.close()
at_once = sum(1 for t in closed_at.values() if t < 1.0) + refused_at_once
cut = sum(1 for t in closed_at.values() if t >= 1.0)
print("at_once=%d cut=%d open=%d" % (at_once, cut, len(socks)), flush=True)
for s in socks:
    s.close()
PY
python3 "$work/slow.py" "$hport" 300 8 > "$work/slow.out" 2>&1 &
slow=$!
wait_for 10 grep -q opened "$work/slow.out" || fail "the slow client did not start: $(cat "$work/slow.out")"

# while it holds on (its heads' deadline is 5 s): four rounds of /health
# and the login page, each under a second
for round in 1 2 3 4; do
  out=$(curl -s -m 5 -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$hport/health")
  echo "round $round: /health $out"
  case $out in 200\ 0.*) ;; *) fail "/health under the slow client: $out" ;; esac
  out=$(curl -s -m 5 -o /dev/null -w '%{http_code} %{time_total}' "$W/login")
  echo "round $round: /login  $out"
  case $out in 200\ 0.*) ;; *) fail "the login page under the slow client: $out" ;; esac
  sleep 0.5
done
wait $slow
slow=
cat "$work/slow.out"
acct=$(grep '^at_once=' "$work/slow.out") || fail "no account from the slow client"
at_once=$(echo "$acct" | sed 's/at_once=\([0-9]*\).*/\1/')
cut=$(echo "$acct" | sed 's/.*cut=\([0-9]*\).*/\1/')
left=$(echo "$acct" | sed 's/.*open=\([0-9]*\).*/\1/')
[ "$at_once" -ge 280 ] || fail "only $at_once of 300 connections over the client's share were closed at once"
[ "$cut" -ge 1 ] || fail "no slow head was cut at its deadline"
[ "$left" -eq 0 ] || fail "$left slow heads still open after 8 s with a 5 s deadline"
kill -TERM $pid
wait_for 10 sh -c "! kill -0 $pid" || fail "the service did not stop"
wait $pid || fail "exit status $? after SIGTERM"
pid=
echo "saturate: ok"
