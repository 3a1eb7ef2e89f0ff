#!/bin/bash
# hostile.sh - `ulf parse` against hostile inputs: the evidence that the
# defences of parsers/xml.c and core/fileio.c hold at the front door.
#
# Every hostile file (tests/data/hostile/, plus a few made here: a 10 000-
# deep nesting, a file over the configured size limit, a FIFO, a model
# memory cap that runs out at an attachment) must be refused with exit 2
# and exactly one stderr line that names the file and says why, within
# 2 seconds, without crashing (exit >= 128) and without leaking anything
# an entity or XInclude could have pulled in.
# The fine ones (UTF-8, ISO-8859-1, UTF-16) must be read.
#
# Run by ctest with ULF (the binary) and ULF_TESTDATA (tests/data) set;
# exits 77 (skip) without them.
set -u

if [ -z "${ULF:-}" ] || [ ! -x "$ULF" ]; then
	echo "skip: ULF does not name the ulf binary"
	exit 77
fi
if [ -z "${ULF_TESTDATA:-}" ] || [ ! -d "$ULF_TESTDATA/hostile" ]; then
	echo "skip: ULF_TESTDATA/hostile not found"
	exit 77
fi
H=$ULF_TESTDATA/hostile
LIMIT_MS=2000

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
checks=0

fail()
{
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# run ARGS... - `ulf parse ARGS`, capped at 10 s; sets rc and ms, leaves
# the output in $tmp/out and $tmp/err.
run()
{
	local start end
	start=$(date +%s%N)
	timeout -k 2 10 "$ULF" parse "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	end=$(date +%s%N)
	ms=$(((end - start) / 1000000))
}

# The checks every run gets: no crash, no hang, fast.
sane()
{
	local what=$1
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		fail "$what: still running after 10 s (killed)"
		return 1
	fi
	if [ "$rc" -ge 128 ]; then
		fail "$what: crashed (exit $rc, signal $((rc - 128)))"
		sed 's/^/    /' "$tmp/err" | head -20
		return 1
	fi
	if [ "$ms" -gt "$LIMIT_MS" ]; then
		fail "$what: took ${ms} ms (limit ${LIMIT_MS} ms)"
	fi
	return 0
}

# No line of /etc/passwd may appear in anything ulf printed.
no_passwd()
{
	local what=$1
	[ -r /etc/passwd ] || return 0
	if grep -qF -f /etc/passwd "$tmp/out" "$tmp/err" || grep -q 'root:x\?:0:0' "$tmp/out" "$tmp/err"; then
		fail "$what: content of /etc/passwd leaked into the output"
	fi
}

# has_any LINE 'A|B' - LINE contains A or B.
has_any()
{
	local line=$1 alt
	local IFS='|'
	for alt in $2; do
		case "$line" in
		*"$alt"*) return 0 ;;
		esac
	done
	return 1
}

# refused [--config CONF] FILE WORD... - exit 2, one stderr line naming
# FILE and holding every WORD (A|B: either), nothing on stdout.
refused()
{
	local conf=() file lines line w before=$fails
	if [ "$1" = --config ]; then
		conf=(--config "$2")
		shift 2
	fi
	file=$1
	shift
	checks=$((checks + 1))
	run "${conf[@]}" "$file"
	sane "$file" || return
	if [ "$rc" -ne 2 ]; then
		fail "$file: exit $rc, expected 2"
	fi
	lines=$(wc -l <"$tmp/err")
	# the line ulf wrote (others, if any, are reported as extra lines)
	line=$(grep -m 1 '^ulf parse: ' "$tmp/err" || head -n 1 "$tmp/err")
	if [ "$lines" -ne 1 ]; then
		fail "$file: $lines lines on stderr, expected exactly one:"
		sed 's/^/    | /' "$tmp/err" | head -10
	fi
	case "$line" in
	*"$file"*) ;;
	*) fail "$file: the message does not name the file: $line" ;;
	esac
	for w in "$@"; do
		if ! has_any "$line" "$w"; then
			fail "$file: the message lacks '$w': $line"
		fi
	done
	if [ -s "$tmp/out" ]; then
		fail "$file: printed on stdout although refused"
	fi
	[ "$fails" -eq "$before" ] && echo "ok   $file (${ms} ms): $line"
}

# read_fine FILE TEXT... - exit 0, stderr empty, stdout holds every TEXT.
read_fine()
{
	local file=$1 t before=$fails
	shift
	checks=$((checks + 1))
	run "$file"
	sane "$file" || return
	if [ "$rc" -ne 0 ]; then
		fail "$file: exit $rc, expected 0: $(head -n 3 "$tmp/err")"
	fi
	if [ -s "$tmp/err" ]; then
		fail "$file: unexpected stderr: $(head -n 3 "$tmp/err")"
	fi
	for t in "$@"; do
		if ! grep -qF -- "$t" "$tmp/out"; then
			fail "$file: stdout lacks '$t'"
		fi
	done
	[ "$fails" -eq "$before" ] && echo "ok   $file (${ms} ms): read"
}

# --- entity and DTD attacks: refused at the DOCTYPE, before any expansion
refused "$H/billion-laughs.xml" DOCTYPE line
if [ "$ms" -gt "$LIMIT_MS" ]; then
	fail "billion laughs: ${ms} ms - entity expansion is not stopped early"
fi
refused "$H/xxe-file.xml" DOCTYPE line
no_passwd xxe-file.xml
refused "$H/xxe-parameter.xml" DOCTYPE line
no_passwd xxe-parameter.xml
refused "$H/external-dtd.xml" DOCTYPE line
refused "$H/undefined-entity.xml" line

# --- XInclude is never processed: the element is inert, the invoice reads
read_fine "$H/xinclude.xml" XINCLUDE-1
no_passwd xinclude.xml

# --- nesting: 10 000 deep, against the default cap and the largest one
# a config may set (libxml2's own cap of 256 may then be what answers)
deep=$tmp/deep.xml
{
	printf '<?xml version="1.0"?>\n'
	printf '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
	printf '<a>%.0s' $(seq 10000)
	printf '</a>%.0s' $(seq 10000)
	printf '</Invoice>\n'
} >"$deep"
refused "$deep" deeper line
printf 'xml_max_depth 1000\n' >"$tmp/depth.conf"
refused --config "$tmp/depth.conf" "$deep" line depth

# --- size: a document over xml_max_bytes (2K here) is refused unread
printf '# hostile.sh: a small document limit\nxml_max_bytes 2K\n' >"$tmp/small.conf"
big=$tmp/oversize.xml
{
	cat "$H/fine-invoice.xml"
	printf '<!-- %s -->\n' "$(head -c 3000 /dev/zero | tr '\0' x)"
} >"$big"
refused --config "$tmp/small.conf" "$big" limit 2048
# the same limit does not touch a document under it
cp "$H/wrong-root-order.xml" "$tmp/small.xml"
refused --config "$tmp/small.conf" "$tmp/small.xml" "not an invoice: root is {"

# --- the model memory cap, hit at the attachment: named like any other cap
printf 'model_max_bytes 1K\n' >"$tmp/model.conf"
refused --config "$tmp/model.conf" "$H/model-cap-attachment.xml" "memory cap"
read_fine "$H/model-cap-attachment.xml" ATT-1

# --- broken bytes
refused "$H/empty.xml" empty
refused "$H/invalid-utf8.xml" UTF-8 line
refused "$H/wrong-encoding.xml" line "encoding|conversion"
refused "$H/nul-byte.xml" line
refused "$H/garbage.bin" line
refused "$H/truncated.xml" "line 40"

# --- well-formed, but not an invoice
refused "$H/wrong-root-order.xml" \
	"not an invoice: root is {urn:oasis:names:specification:ubl:schema:xsd:Order-2}Order"
refused "$H/wrong-root-html.xml" "not an invoice: root is {}html"
refused "$H/wrong-namespace.xml" \
	"not an invoice: root is {urn:example:not-ubl:Invoice-2}Invoice"

# --- not a file: a FIFO must be refused, not waited on forever
if mkfifo "$tmp/fifo.xml" 2>/dev/null; then
	refused "$tmp/fifo.xml" "not a regular file"
fi
refused "$tmp" "not a regular file"

# --- encodings that are fine: decoded to UTF-8 and read
read_fine "$H/fine-invoice.xml" FINE-1 "Kaffebönor Åkersberga AB" "Region Sörmland"
read_fine "$H/latin1-invoice.xml" LATIN1-1 "Kaffebönor Åkersberga AB" "Region Sörmland"
read_fine "$H/utf16-invoice.xml" UTF16-1 "Kaffebönor Åkersberga AB" "Region Sörmland"

# --- one bad file among good ones: the good are printed, the exit is 2
checks=$((checks + 1))
before=$fails
run "$H/fine-invoice.xml" "$H/xxe-file.xml" "$H/latin1-invoice.xml"
if sane "good+bad"; then
	[ "$rc" -eq 2 ] || fail "good+bad: exit $rc, expected 2"
	grep -qF FINE-1 "$tmp/out" || fail "good+bad: the good file was not printed"
	grep -qF LATIN1-1 "$tmp/out" || fail "good+bad: the file after the bad one was not printed"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "good+bad: expected one stderr line"
	grep -qF "xxe-file.xml" "$tmp/err" || fail "good+bad: stderr does not name the bad file"
	grep -qF "fine-invoice.xml" "$tmp/err" && fail "good+bad: stderr names the good file"
	no_passwd "good+bad"
	[ "$fails" -eq "$before" ] && echo "ok   good+bad (${ms} ms)"
fi
checks=$((checks + 1))
before=$fails
run --json "$H/fine-invoice.xml" "$H/billion-laughs.xml"
if sane "good+bad --json"; then
	[ "$rc" -eq 2 ] || fail "good+bad --json: exit $rc, expected 2"
	[ "$(wc -l <"$tmp/out")" -eq 1 ] || fail "good+bad --json: expected one JSON line"
	grep -qF '"FINE-1"' "$tmp/out" || fail "good+bad --json: the good file was not printed"
	[ "$fails" -eq "$before" ] && echo "ok   good+bad --json (${ms} ms)"
fi

echo "$checks checks, $fails failures"
[ "$fails" -eq 0 ]
