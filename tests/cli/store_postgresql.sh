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
for t in test_store test_users test_refdata test_match test_dashboard; do
  [ -x "$tests/$t" ] || continue
  echo "== $t on PostgreSQL"
  "$tests/$t" || rc=1
done
exit $rc
