#!/bin/bash
# run.sh - how fast ulf matches invoices, and that the cost per invoice does
# not grow with the number of open orders.
#
#   bash bench/match/run.sh [BUILD_DIR] [bench_match options]
#
# BUILD_DIR defaults to build-match-rel, configured as a release build
# (Release, no sanitizers) when it does not exist.  bench_match
# builds two stores - 10 000 and 100 000 open orders, 20 000 suppliers,
# 2 000 rules - and matches the same 20 000 invoices against each; see
# bench_match.c.  The last line reads `cost ratio 100k/10k orders: R`; the
# target is R <= 1.3.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build-match-rel}
[ $# -gt 0 ] && shift
case $build in
/*) ;;
*) build=$root/$build ;;
esac
if [ ! -f "$build/build.ninja" ]; then
	cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null ||
		{ echo "run.sh: cannot configure $build" >&2; exit 1; }
fi
ninja -C "$build" bench_match >/dev/null || { echo "run.sh: cannot build bench_match" >&2; exit 1; }
exec "$build/bench/match/bench_match" --dir "${TMPDIR:-/tmp}" "$@"
