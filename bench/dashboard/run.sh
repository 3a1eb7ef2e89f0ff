#!/bin/bash
# run.sh - how fast the dashboard's figures come, and that their cost does
# not grow with the number of documents.
#
#   bash bench/dashboard/run.sh [BUILD_DIR] [bench_dashboard options]
#
# BUILD_DIR defaults to build-dashboard-rel, configured as a release build
# when it does not exist.  bench_dashboard fills a SQLite store with
# 100 000 and one with 1 000 000 documents over 13 months through the
# rollup path and times every query as the pages call them and a /metrics
# scrape (see bench_dashboard.c); with PostgreSQL's server programs
# installed it starts a throwaway server and does the same there (set
# ULF_BENCH_PG=0 to skip it).  Targets: a page under 200 ms, a scrape under
# 50 ms, the cost ratio 1M/100k at most 1.3.  It takes a few minutes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build-dashboard-rel}
[ $# -gt 0 ] && shift
case $build in
/*) ;;
*) build=$root/$build ;;
esac
if [ ! -f "$build/build.ninja" ]; then
	cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null ||
		{ echo "run.sh: cannot configure $build" >&2; exit 1; }
fi
ninja -C "$build" bench_dashboard >/dev/null ||
	{ echo "run.sh: cannot build bench_dashboard" >&2; exit 1; }
pg=()
initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
if [ "${ULF_BENCH_PG:-1}" != 0 ] && [ -n "$initdb" ]; then
	bin=$(dirname "$initdb")
	dir=$(mktemp -d /tmp/ulf-bench-pg.XXXXXX)
	as_pg=()
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres "$dir"
		as_pg=(runuser -u postgres --)
	fi
	stop() { "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1; rm -rf "$dir"; }
	trap stop EXIT
	"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U ulf --auth=trust >/dev/null &&
	"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -w -l "$dir/log" \
		-o "-c listen_addresses='' -k $dir -p 5497 -c fsync=off" start >/dev/null &&
	pg=(--pg "host=$dir port=5497 user=ulf dbname=postgres")
fi
"$build/bench/dashboard/bench_dashboard" --dir "${TMPDIR:-/tmp}" "${pg[@]}" "$@"
