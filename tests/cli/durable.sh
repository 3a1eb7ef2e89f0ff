#!/usr/bin/env bash
# A document is on disk before the robot says it has it: no write to the
# store's WAL is left unsynced when a file leaves the inbox or an HTTP
# sender hears 202.  Watched with strace (skipped, 77, without it).
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ -x "${ULF:-}" ] || exit 77
command -v strace >/dev/null || { echo "durable test skipped: no strace"; exit 77; }
command -v curl >/dev/null || { echo "durable test skipped: no curl"; exit 77; }
work=$(mktemp -d)
svc=
trap '[ -n "$svc" ] && { pkill -KILL -P $svc -x ulf; kill $svc; } 2>/dev/null; rm -rf "$work"' EXIT
strace -f -qq -o /dev/null true 2>/dev/null || { echo "durable test skipped: strace cannot trace here"; exit 77; }
# LeakSanitizer cannot work under ptrace; the other tests look for leaks
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# unsynced: reads strace -y output and prints each acknowledgement made
# without a sync of the store's WAL since its document came in: a file
# moved out of the inbox with no WAL sync since it was opened, a 202
# written to a connection with no WAL sync since the request was read.
unsynced() {
  awk '
    # a call split by another thread (<unfinished ...> ... <... resumed>)
    # counts where it ends, with its start line and its result
    / <unfinished \.\.\.>$/ { pend[$1] = $0; next }
    /<\.\.\. [a-z0-9_]+ resumed>/ { $0 = pend[$1] " " $0; delete pend[$1] }
    /fdatasync\([0-9]+<[^>]*-wal>.*= 0$/ || /fsync\([0-9]+<[^>]*-wal>.*= 0$/ {
      for (k in state) if (state[k] == "in") state[k] = "synced"
    }
    /openat\(.*\/inbox\/[^.\/][^"]*", O_RDONLY/ {
      match($0, /\/inbox\/[^"]*/); state[substr($0, RSTART, RLENGTH)] = "in"
    }
    /rename[a-z0-9]*\(.*\/inbox\/[^.\/][^"]*", / {
      match($0, /\/inbox\/[^"]*/); k = substr($0, RSTART, RLENGTH)
      if (state[k] != "synced") print "moved before sync: " $0
    }
    /(recvfrom|read)\([0-9]+<(TCP|socket)[^>]*>, .*\) = [1-9]/ {
      match($0, /(recvfrom|read)\([0-9]+/); k = substr($0, RSTART, RLENGTH)
      sub(/^[a-z]+\(/, "fd", k); state[k] = "in"
    }
    /(write|sendto|writev|sendmsg)\([0-9]+<(TCP|socket)[^>]*>.*202 Accepted/ {
      match($0, /(write|sendto|writev|sendmsg)\([0-9]+/); k = substr($0, RSTART, RLENGTH)
      sub(/^[a-z]+\(/, "fd", k)
      if (state[k] != "synced") print "202 before sync: " $0
      state[k] = ""
    }
  ' "$1"
}

mkdir -p "$work/inbox"
for f in peppol-invoice-sormland.xml svefaktura-invoice.xml; do
  [ -f "$ULF_SAMPLES/invoices/$f" ] && cp "$ULF_SAMPLES/invoices/$f" "$work/inbox/"
done
cp "$ULF_SAMPLES/care/ubl-embedded-invoice.xml" "$work/inbox/"
printf 'store_path %s\ninbox_dir %s\n' "$work/ulf.db" "$work/inbox" > "$work/ulf.conf"
strace -f -y -s 64 -e trace=openat,fdatasync,fsync,rename,renameat,renameat2 \
  -o "$work/once.trace" "$ULF" run --once --config "$work/ulf.conf" >/dev/null 2>&1 ||
  fail "run --once"
moved=$(grep -c 'rename.*inbox' "$work/once.trace")
[ "$moved" -ge 3 ] || fail "expected 3 files moved out of the inbox, saw $moved"
bad=$(unsynced "$work/once.trace")
[ -z "$bad" ] || fail "inbox: $bad"

# over HTTP: the service answers 202 only after the sync
cat >> "$work/ulf.conf" <<CONF
http_listen 127.0.0.1:0
CONF
token=$("$ULF" token add sender --config "$work/ulf.conf" 2>/dev/null) || fail "token add"
strace -f -y -s 64 -e trace=fdatasync,fsync,read,recvfrom,write,writev,sendto,sendmsg \
  -o "$work/http.trace" "$ULF" run --config "$work/ulf.conf" 2> "$work/service.log" &
svc=$!
end=$((SECONDS + 20))
until grep -q "listening on" "$work/service.log"; do
  [ $SECONDS -ge $end ] && fail "the service did not start: $(cat "$work/service.log")"
  sleep 0.1
done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/service.log" | head -n 1)
posts=()
for i in 1 2 3 4 5 6; do
  sed "s/<cbc:ID>\([^<]*\)</<cbc:ID>\1-$i</" "$ULF_SAMPLES/invoices/peppol-invoice-sormland.xml" \
    > "$work/h$i.xml"
  curl -s -m 20 -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $token" --data-binary @"$work/h$i.xml" \
    "http://127.0.0.1:$port/documents?name=h$i.xml" >> "$work/codes" &
  posts+=($!)
done
wait "${posts[@]}"
# strace passes SIGTERM on to nobody: the service is its child
pkill -TERM -P "$svc" -x ulf; wait "$svc" 2>/dev/null; svc=
[ "$(grep -c '^202$' "$work/codes")" -eq 6 ] || fail "expected six 202s: $(cat "$work/codes")"
acks=$(grep -c '202 Accepted' "$work/http.trace")
[ "$acks" -ge 6 ] || fail "expected six 202 answers in the trace, saw $acks"
bad=$(unsynced "$work/http.trace")
[ -z "$bad" ] || fail "http: $bad"
echo "durable: ok"
