#!/usr/bin/env bash
# The store's and the matcher's unit tests again, on PostgreSQL: starts a throwaway server
# (unix socket only, in a temporary directory), runs test_store against it
# and stops it.  Skipped (77) when no PostgreSQL server binaries are here.
set -u
initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
[ -n "$initdb" ] || { echo "store_postgresql skipped: no PostgreSQL server installed"; exit 77; }
bin=$(dirname "$initdb")
tests=$(dirname "$ULF")/tests
[ -x "$tests/test_store" ] || { echo "test_store not built"; exit 77; }

dir=$(mktemp -d /tmp/ulf-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
stop() { "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$dir"; }
trap stop EXIT
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U ulf --auth=trust >/dev/null || { echo "initdb failed"; exit 1; }
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -w -l "$dir/log" \
  -o "-c listen_addresses='' -k $dir -p 5499 -c fsync=off" start >/dev/null \
  || { echo "PostgreSQL did not start"; cat "$dir/log"; exit 1; }
# the store, its users, and the matcher's reference data and matching, on PostgreSQL
export ULF_TEST_PG_CONNINFO="host=$dir port=5499 user=ulf dbname=postgres"
rc=0
for t in test_store test_users test_refdata test_match test_queue test_supplier_reg test_dashboard; do
  [ -x "$tests/$t" ] || continue
  echo "== $t on PostgreSQL"
  "$tests/$t" || rc=1
done

# the workbench on PostgreSQL: ulf web, a user, a login and a page
if [ -x "$ULF" ] && command -v curl >/dev/null; then
  echo "== ulf web on PostgreSQL"
  printf 'store_backend postgresql\nstore_path "%s"\ninbox_dir %s\nweb_listen 127.0.0.1:0\n' \
    "$ULF_TEST_PG_CONNINFO" "$dir" > "$dir/web.conf"
  web_fail() { echo "FAIL: ulf web on PostgreSQL: $*"; cat "$dir/web.log"; rc=1; }
  if echo "pg passphrase" | "$ULF" user add pgh --role handler --config "$dir/web.conf" >/dev/null; then
    "$ULF" web --config "$dir/web.conf" 2> "$dir/web.log" &
    wpid=$!
    for _ in $(seq 100); do grep -q "workbench at" "$dir/web.log" && break; sleep 0.1; done
    W=$(sed -n 's|.*workbench at \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$dir/web.log")
    tok=$(curl -s -b "$dir/jar" -c "$dir/jar" "$W/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
    c=$(curl -s -o /dev/null -w '%{http_code}' -b "$dir/jar" -c "$dir/jar" --data-urlencode user=pgh \
        --data-urlencode "password=pg passphrase" --data-urlencode "csrf=$tok" "$W/login")
    [ "$c" = 303 ] || web_fail "login answered $c"
    c=$(curl -s -o /dev/null -w '%{http_code}' -b "$dir/jar" "$W/queue")
    [ "$c" = 200 ] || web_fail "the queue answered $c"
    kill -TERM $wpid; wait $wpid || web_fail "exit status $?"
  else
    web_fail "user add"
  fi
fi
exit $rc
