#!/bin/bash
# validate.sh - `ulf validate` as a user sees it.
#
# From the Sörmland sample (valid) it makes an invoice without buyer or
# order reference (PEPPOL-EN16931-R003, fatal), one whose Bankgiro number is
# written "5050-1055" (SE-R-008 and SE-R-009, warnings only), one with an
# element the UBL schema does not know (rule "XSD" with --schema-dir), a
# malformed one, and a copy with a space in its name; then checks:
#  - exit status 0 without fatal findings (warnings allowed), 1 with, 2 when
#    a file cannot be read - also among others, where 2 wins - and 64 for a
#    bad command line; --help exits 0;
#  - the text report names every file, "valid" or "INVALID", and each
#    finding with its official rule ID, flag, line and element path;
#  - --json prints exactly one object per file (unreadable ones included,
#    with "error"), each with file, valid, syntax and findings, and every
#    finding with rule, flag, message and location;
#  - an unreadable file gets one stderr line naming it, and a file name that
#    is not UTF-8 still gets its "file" key;
#  - with --schema-dir the schema error is a finding "XSD" with its line
#    and path, the valid invoice has none, and the compiled schema is read
#    once per process (strace counts the opens of UBL-Invoice-2.1.xsd over
#    three files; skipped without strace), and a folder without schemas is
#    a usage error;
#  - every bundled sample is read (no exit 2 among the PEPPOL ones) and
#    gets its JSON line.
#
# Only coreutils, grep and sed.  Run by ctest with ULF, ULF_SAMPLES and
# ULF_SHARED; exits 77 (skip) without the binary or the samples, and skips
# the XSD part (saying so) without $ULF_SHARED/schemas.
set -u
export LC_ALL=C

if [ -z "${ULF:-}" ] || [ ! -x "$ULF" ]; then
	echo "skip: ULF does not name the ulf binary"
	exit 77
fi
SAMPLE=${ULF_SAMPLES:-}/invoices/peppol-invoice-sormland.xml
if [ ! -f "$SAMPLE" ]; then
	echo "skip: $SAMPLE not found"
	exit 77
fi
SCHEMAS=${ULF_SHARED:-/nonexistent}/schemas

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail()
{
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# run ARGS... - `ulf validate ARGS`; sets rc, output in $tmp/out and $tmp/err
run()
{
	"$ULF" validate "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ge 128 ]; then
		fail "ulf validate $* crashed (exit $rc)"
		cat "$tmp/err"
	fi
}

expect_rc()
{
	[ "$rc" -eq "$1" ] || fail "$2: exit $rc, expected $1"
}

ok=$tmp/ok.xml
spaced="$tmp/with space.xml"
fatal=$tmp/fatal.xml
warn=$tmp/warning.xml
xsd=$tmp/xsd.xml
broken=$tmp/broken.xml
cp "$SAMPLE" "$ok"
cp "$SAMPLE" "$spaced"
sed '/<cbc:BuyerReference>/d; /<cac:OrderReference>/,/<\/cac:OrderReference>/d' "$SAMPLE" >"$fatal"
sed 's|<cbc:ID>50501055</cbc:ID>|<cbc:ID>5050-1055</cbc:ID>|' "$SAMPLE" >"$warn"
sed 's|<cbc:BuyerReference>|<cbc:Bogus>x</cbc:Bogus><cbc:BuyerReference>|' "$SAMPLE" >"$xsd"
head -c 600 "$SAMPLE" >"$broken"
grep -q '5050-1055' "$warn" || fail "could not make the warning case"
grep -q 'BuyerReference' "$fatal" && fail "could not make the fatal case"

# --- command line ------------------------------------------------------------
run
expect_rc 64 "no files"
run --no-such-option "$ok"
expect_rc 64 "unknown option"
run --help
expect_rc 0 "--help"
grep -q 'usage: ulf validate' "$tmp/out" || fail "--help prints no usage"

# --- text report ---------------------------------------------------------------
run "$ok" "$spaced"
expect_rc 0 "valid invoices"
grep -qF "$ok: valid" "$tmp/out" || fail "text: $ok not reported valid"
grep -qF "$spaced: valid" "$tmp/out" || fail "text: a name with a space is not reported"

run "$fatal"
expect_rc 1 "missing references"
grep -qF "$fatal: INVALID" "$tmp/out" || fail "text: the fatal case is not INVALID"
grep -Eq '^  fatal +PEPPOL-EN16931-R003 line [0-9]+ /Invoice: A buyer reference' "$tmp/out" ||
	fail "text: R003 not reported with flag, line, path and text"

run "$warn"
expect_rc 0 "warnings only"
grep -qF "$warn: valid" "$tmp/out" || fail "text: warnings made the invoice invalid"
for r in SE-R-008 SE-R-009; do
	grep -Eq "^  warning $r line [0-9]+ /Invoice/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID: " "$tmp/out" ||
		fail "text: $r not reported as a warning at the account"
done

# --- unreadable files ------------------------------------------------------------
run "$tmp/missing.xml"
expect_rc 2 "missing file"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF "$tmp/missing.xml" "$tmp/err" ||
	fail "missing file: stderr does not name it in one line"
run "$broken" "$fatal"
expect_rc 2 "malformed among invalid"
grep -qF "$broken" "$tmp/err" || fail "malformed: stderr does not name it"
grep -qF "$fatal: INVALID" "$tmp/out" || fail "the file after an unreadable one was not checked"

# --- JSON Lines --------------------------------------------------------------------
run --json "$ok" "$fatal" "$warn" "$tmp/missing.xml"
expect_rc 2 "json with a missing file"
[ "$(wc -l <"$tmp/out")" -eq 4 ] || fail "json: $(wc -l <"$tmp/out") lines for 4 files"
lines=$(grep -c '^{"file":"[^"]*","valid":\(true\|false\),"syntax":[^,]*,.*"findings":\[' "$tmp/out")
[ "$lines" -eq 4 ] || fail "json: only $lines lines have file, valid, syntax and findings"
grep -F "\"file\":\"$ok\"" "$tmp/out" | grep -q '"valid":true,"syntax":"peppol-bis3"' ||
	fail "json: the valid invoice is not valid peppol-bis3"
grep -F "\"file\":\"$fatal\"" "$tmp/out" |
	grep -q '"valid":false.*{"rule":"PEPPOL-EN16931-R003","flag":"fatal","message":"A buyer reference[^"]*","location":"/Invoice","line":[0-9]*}' ||
	fail "json: R003 finding lacks rule, flag, message or location"
grep -F "\"file\":\"$warn\"" "$tmp/out" |
	grep -q '"valid":true.*"rule":"SE-R-009","flag":"warning","message":"[^"]*","location":"/Invoice/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID"' ||
	fail "json: SE-R-009 is not a warning with its location"
grep -F "\"file\":\"$tmp/missing.xml\"" "$tmp/out" | grep -q '"valid":false,"syntax":null.*"error":"' ||
	fail "json: the missing file has no object with its error"

# a file name that is not UTF-8 still names the file (U+FFFD for the bad byte)
latin1="$tmp/$(printf 'faktura-\xe5.xml')"
cp "$SAMPLE" "$latin1"
run --json "$latin1"
expect_rc 0 "a Latin-1 file name"
replacement=$(printf '\xef\xbf\xbd')
grep -qF "faktura-$replacement.xml\",\"valid\":true" "$tmp/out" ||
	fail "json: a file name that is not UTF-8 lost its file key"

# --- the XSD layer --------------------------------------------------------------------
if [ -f "$SCHEMAS/ubl-2.1/maindoc/UBL-Invoice-2.1.xsd" ]; then
	run --json --schema-dir "$SCHEMAS" "$ok" "$xsd"
	expect_rc 1 "schema error"
	grep -F "\"file\":\"$ok\"" "$tmp/out" | grep -q '"rule":"XSD"' &&
		fail "xsd: the sample has a schema error"
	grep -F "\"file\":\"$xsd\"" "$tmp/out" |
		grep -q '"rule":"XSD","flag":"fatal","message":"Element '"'"'cbc:Bogus'"'"': This element is not expected[^"]*","location":"/Invoice/cbc:Bogus","line":[0-9]*' ||
		fail "xsd: the unknown element is no XSD finding with line and path"
	run --schema-dir "$tmp" "$ok"
	expect_rc 64 "a schema folder without schemas"
	# strace may be missing, or refused ptrace in a container: then skip.
	# Its exit status is ulf's (1: one of the files has a fatal finding).
	traced=false
	if command -v strace >/dev/null 2>&1; then
		strace -f -e trace=open,openat -o "$tmp/trace" "$ULF" validate --schema-dir "$SCHEMAS" \
			"$ok" "$spaced" "$fatal" >/dev/null 2>&1
		grep -q 'open' "$tmp/trace" 2>/dev/null && traced=true
	fi
	if $traced; then
		opens=$(grep -c 'UBL-Invoice-2.1.xsd' "$tmp/trace")
		[ "$opens" -eq 1 ] || fail "xsd: the schema was opened $opens times for 3 files"
	else
		echo "note: strace cannot trace here; the once-per-process check is skipped"
	fi
else
	echo "note: $SCHEMAS not found; the XSD checks are skipped"
fi

# --- every sample ------------------------------------------------------------------------
shopt -s nullglob
samples=("$ULF_SAMPLES"/invoices/*.xml)
shopt -u nullglob
run --json "${samples[@]}"
[ "$(wc -l <"$tmp/out")" -eq "${#samples[@]}" ] ||
	fail "samples: $(wc -l <"$tmp/out") JSON lines for ${#samples[@]} files"
for s in "${samples[@]}"; do
	case $(basename "$s") in
	peppol-*)
		grep -F "\"file\":\"$s\"" "$tmp/out" | grep -q '"error"' &&
			fail "samples: $s could not be read"
		;;
	esac
done

if [ "$fails" -ne 0 ]; then
	echo "validate.sh: $fails failure(s)"
	exit 1
fi
echo "validate.sh: all checks passed"
exit 0
