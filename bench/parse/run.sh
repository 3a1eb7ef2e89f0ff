#!/bin/bash
# run.sh - how fast ulf reads invoices, against xmllint parsing the same files.
#
#   bash bench/parse/run.sh [BUILD_DIR]      (default: build)
#
# Builds a batch of BENCH_DOCS (default 5000) documents by copying the corpus
# invoices and credit notes (UBL and Svefaktura; $ULF_SHARED, else ../shared
# next to the repository) into a temporary directory under numbered names,
# unchanged.  Then times, best of 3 each:
#   ulf:     bench_parse (reader_read_file: XML parse + canonical model)
#   xmllint: xmllint --noout (XML parse into a tree, nothing else)
# Both get the files through `xargs -n 1000`, so each side runs the same
# number of processes over the same chunks and process start-up weighs the
# same.  Prints docs/s and MB/s (10^6 bytes) for both and, as its last line,
# `time ratio ulf/xmllint: R`.  The target is R <= 1.5: the model on top of
# the tree should cost at most half again what the tree costs.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
case $build in
/*) ;;
*) build=$root/$build ;;
esac
docs=${BENCH_DOCS:-5000}
runs=3
chunk=1000
shared=${ULF_SHARED:-$root/../shared}
driver=$build/bench/parse/bench_parse

die() { echo "run.sh: $*" >&2; exit 1; }

[ -d "$shared/corpus" ] || die "no corpus: $shared/corpus not found (set ULF_SHARED)"
command -v xmllint >/dev/null || die "xmllint not found (apt-get install libxml2-utils)"
if [ ! -x "$driver" ]; then
	ninja -C "$build" bench_parse >/dev/null || die "cannot build bench_parse in $build"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The corpus documents ulf reads as invoices: UBL Invoice/CreditNote roots
# and Svefaktura BasicInvoice; envelopes, orders and the rule test sets
# (which wrap documents in <testSet>) are left out.
sources=()
while IFS= read -r -d '' f; do
	ns=$(xmllint --xpath 'concat(namespace-uri(/*), " ", local-name(/*))' "$f" 2>/dev/null)
	case $ns in
	"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2 Invoice" | \
	"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2 CreditNote" | \
	"urn:sfti:documents:BasicInvoice:1:0 Invoice")
		sources+=("$f") ;;
	esac
done < <(find "$shared/corpus/peppol-bis3/examples" "$shared/corpus/peppol-bis3/snippets" \
	"$shared/corpus/sfti-bis3" "$shared/corpus/svefaktura-1.0" -name '*.xml' -type f -print0 |
	sort -z)
[ ${#sources[@]} -gt 0 ] || die "no invoices found under $shared/corpus"

mkdir "$tmp/batch"
list=$tmp/list
for ((i = 0; i < docs; i++)); do
	printf '%s/batch/%05d.xml\n' "$tmp" "$i"
done >"$list"
# copy k of the batch is source k mod n: one tee per source writes all of
# its copies, byte for byte
for ((k = 0; k < ${#sources[@]} && k < docs; k++)); do
	mapfile -t dsts < <(sed -n "$((k + 1))~${#sources[@]}p" "$list")
	tee "${dsts[@]}" <"${sources[k]}" >/dev/null || die "cannot copy ${sources[k]}"
done
bytes=$(cat "$tmp"/batch/*.xml | wc -c)
echo "batch: $docs documents ($bytes bytes) copied from ${#sources[@]} corpus invoices"

# now_us - wall clock in microseconds, from bash's $EPOCHREALTIME.
now_us()
{
	local t=${EPOCHREALTIME/[.,]/}
	echo $((10#$t))
}

# timed NAME CMD... - runs CMD once (reading the list on stdin); leaves its
# wall time in microseconds in $us and warns once if it fails.
timed()
{
	local name=$1 t0 t1 rc
	shift
	t0=$(now_us)
	"$@" <"$list" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	t1=$(now_us)
	us=$((t1 - t0))
	if [ $rc -ne 0 ] && [ ! -e "$tmp/$name.warned" ]; then
		: >"$tmp/$name.warned"
		echo "warning: $name exited $rc:" >&2
		head -n 5 "$tmp/$name.err" >&2
	fi
}

# the page cache holds the batch before the first timed run
cat "$tmp"/batch/*.xml >/dev/null

# The two sides take turns, so that whatever else the machine is doing
# weighs on both alike; each keeps its best of $runs.
ulf_us=
xml_us=
for ((r = 1; r <= runs; r++)); do
	timed ulf xargs -n $chunk "$driver"
	if [ -z "$ulf_us" ] || [ $us -lt "$ulf_us" ]; then ulf_us=$us; fi
	timed xmllint xargs -n $chunk xmllint --noout
	if [ -z "$xml_us" ] || [ $us -lt "$xml_us" ]; then xml_us=$us; fi
done
failed=$(sed -n 's/.* \([0-9]*\) failed,.*/\1/p' "$tmp/ulf.out" | awk '{ s += $1 } END { print s + 0 }')
[ "$failed" -eq 0 ] || echo "warning: bench_parse could not read $failed of $docs documents"

report()
{
	awk -v name="$1" -v us="$2" -v n="$docs" -v b="$bytes" 'BEGIN {
		s = us / 1e6
		printf "%-8s %6.3f s  %8.0f docs/s  %7.1f MB/s\n", name, s, n / s, b / 1e6 / s
	}'
}
echo "best of $runs, $docs documents in chunks of $chunk per process:"
report ulf "$ulf_us"
report xmllint "$xml_us"
awk -v a="$ulf_us" -v b="$xml_us" 'BEGIN { printf "time ratio ulf/xmllint: %.2f\n", a / b }'
