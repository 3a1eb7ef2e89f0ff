#!/bin/bash
# run.sh - how fast the workbench lists the exception queue.
#
#   bash bench/queue/run.sh [BUILD_DIR] [bench_queue options]
#
# BUILD_DIR defaults to build-queue-rel, configured as a release build
# (Release, no sanitizers) when it does not exist.  bench_queue fills two
# stores, 1 000 and 10 000 waiting documents, and times queue_list (the
# server's part of the list page) for the default sort, each filter and
# each sort: the median of --runs runs.  The target is under 100 ms for
# every line of the 10 000 store; the last line reads
# `ratio 10k/1k (default list): R`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build-queue-rel}
[ $# -gt 0 ] && shift
case $build in
/*) ;;
*) build=$root/$build ;;
esac
if [ ! -f "$build/build.ninja" ]; then
	cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null ||
		{ echo "run.sh: cannot configure $build" >&2; exit 1; }
fi
ninja -C "$build" bench_queue >/dev/null || { echo "run.sh: cannot build bench_queue" >&2; exit 1; }
exec "$build/bench/queue/bench_queue" --dir "${TMPDIR:-/tmp}" "$@"
