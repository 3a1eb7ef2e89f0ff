#!/bin/bash
# run.sh - bench/validate: documents per second for reading a large batch,
# and for reading and validating the same batch, in one process each.
#
#   bench/validate/run.sh [BUILD_DIR] [DOCUMENTS]
#
# BUILD_DIR (default build-pp-rel, a build without sanitizers: ASan and
# UBSan would measure themselves) must hold bench/validate/bench_validate;
# it is built there with ninja when missing.  The batch is every readable
# UBL invoice and credit note of ../shared/corpus (PEPPOL examples and
# snippets, SFTI's BIS 3 sets) and samples/invoices, repeated to DOCUMENTS
# paths (default 20000) - one process reads them all, as the inbox would.
# Svefaktura 1.0 invoices of the corpus and samples are in the batch too
# (validated with ulf's Svefaktura checks); ObjectEnvelopes are not.
# Both passes run on the same batch, alternating; the last line is
# "time ratio validate/parse: R" (the target is R <= 2).
set -eu
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build-pp-rel}
want=${2:-20000}
shared=${ULF_SHARED:-$src/../shared}
driver=$build/bench/validate/bench_validate

if [ ! -x "$driver" ]; then
	ninja -C "$build" bench_validate >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the corpus: invoices and credit notes, UBL and Svefaktura
find "$shared/corpus/peppol-bis3/examples" "$shared/corpus/peppol-bis3/snippets" \
	"$shared/corpus/sfti-bis3" "$shared/corpus/svefaktura-1.0" "$src/samples/invoices" \
	-name '*.xml' 2>/dev/null |
	sort | while IFS= read -r f; do
		if grep -q 'urn:oasis:names:specification:ubl:schema:xsd:\(Invoice\|CreditNote\)-2\|urn:sfti:documents:BasicInvoice:1:0' "$f"; then
			printf '%s\n' "$f"
		fi
	done >"$tmp/corpus"
n=$(wc -l <"$tmp/corpus")
if [ "$n" -eq 0 ]; then
	echo "bench/validate: no documents found under $shared/corpus" >&2
	exit 1
fi
: >"$tmp/batch"
while [ "$(wc -l <"$tmp/batch")" -lt "$want" ]; do
	cat "$tmp/corpus" >>"$tmp/batch"
done
head -n "$want" "$tmp/batch" >"$tmp/list"
bytes=$(tr '\n' '\0' <"$tmp/list" | xargs -0 cat | wc -c)
echo "bench/validate: $want documents ($n distinct, $((bytes / 1000000)) MB) from $shared/corpus and samples/"
echo "driver: $driver"
"$driver" --rounds 3 --list "$tmp/list"
