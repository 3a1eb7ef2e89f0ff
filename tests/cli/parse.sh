#!/bin/bash
# parse.sh - `ulf parse` as a user sees it, over the bundled samples.
#
# The text summary names every sample; --json prints one object per file
# with every key the foundation issue asks for (file, syntax, document_type,
# id, dates, references, seller/buyer, payment, totals, vat_breakdown,
# lines, attachments), amounts as strings with 2 decimals, and the payable
# amount samples/README.md states for each sample.  The Svefaktura
# ObjectEnvelope is joined to its invoice, which then lists the attachment
# with the size the envelope's base64 decodes to.  A missing file, a
# malformed one and a non-invoice exit 2 with one stderr line naming the
# file; no arguments is a usage error (64); --help exits 0.
#
# Only coreutils, grep and sed: the JSON is checked with patterns.  They
# hold for ulf's compact output and for the sample texts, which contain no
# braces, brackets or escaped quotes inside strings.
#
# Run by ctest with ULF (the binary) and ULF_SAMPLES (samples/); exits 77
# (skip) without them.
set -u
export LC_ALL=C

if [ -z "${ULF:-}" ] || [ ! -x "$ULF" ]; then
	echo "skip: ULF does not name the ulf binary"
	exit 77
fi
if [ -z "${ULF_SAMPLES:-}" ] || [ ! -d "$ULF_SAMPLES/invoices" ]; then
	echo "skip: ULF_SAMPLES/invoices not found"
	exit 77
fi
S=$ULF_SAMPLES/invoices
README=$ULF_SAMPLES/README.md

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail()
{
	echo "FAIL: $*"
	fails=$((fails + 1))
}

shopt -s nullglob
samples=("$S"/*.xml)
shopt -u nullglob
[ ${#samples[@]} -gt 0 ] || { echo "FAIL: no samples in $S"; exit 1; }

# --- the text summary ------------------------------------------------------

"$ULF" parse "${samples[@]}" >"$tmp/text" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "parse of all samples exited $rc: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "parse of all samples wrote to stderr: $(cat "$tmp/err")"
for f in "${samples[@]}"; do
	grep -qF -- "$f: " "$tmp/text" || fail "text summary does not name $f"
done
inv=$S/svefaktura-invoice.xml
env=$S/svefaktura-envelope.xml
grep -qF -- "$env: svefaktura-1.0 object envelope" "$tmp/text" ||
	fail "envelope not summarised as one"
grep -F -- "$env: " "$tmp/text" | grep -qF -- "attached to $inv" ||
	fail "text summary does not say the envelope is attached to $inv"

# --- JSON Lines ------------------------------------------------------------

"$ULF" parse --json "${samples[@]}" >"$tmp/json" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "parse --json of all samples exited $rc: $(cat "$tmp/err")"
lines=$(wc -l <"$tmp/json")
[ "$lines" -eq ${#samples[@]} ] ||
	fail "parse --json printed $lines lines for ${#samples[@]} files"

# flatten JSON - the top level of one object: nested objects become {} and
# arrays [], innermost first, so only the object's own keys remain.
flatten()
{
	local s=$1 prev=
	s=${s#\{}
	s=${s%\}}
	while [ "$s" != "$prev" ]; do
		prev=$s
		s=$(printf '%s' "$s" | sed -e 's/{[^{}]*}/{}/g' -e 's/\[[^][]*\]/[]/g')
	done
	printf '%s' "$s"
}

# has_keys WHERE TEXT KEY... - every key is a member of TEXT (flattened).
# Bash pattern matching, not grep: this runs a few hundred times.
has_keys()
{
	local where=$1 text=$2 k
	shift 2
	for k in "$@"; do
		[[ $text == *"\"$k\":"* ]] || fail "$where: no key \"$k\""
	done
}

# object_of JSON KEY - the flat object value of KEY, or "null".
object_of()
{
	printf '%s' "$1" | sed -n -e "s/.*\"$2\":\\({[^{}]*}\\).*/\\1/p" -e "s/.*\"$2\":null.*/null/p" |
		head -n 1
}

# elements_of JSON KEY - the elements of array KEY (of flat objects), one a line.
elements_of()
{
	printf '%s\n' "$1" | sed -n "s/.*\"$2\":\\[\\([^][]*\\)\\].*/\\1/p" | sed 's/},{/}\n{/g'
}

# amounts WHERE TEXT KEY... - each key is an amount string with exactly 2
# decimals (or null: not in the document).
amounts()
{
	local where=$1 text=$2 k v re
	shift 2
	for k in "$@"; do
		re="\"$k\":(\"[^\"]*\"|null)"
		if [[ $text =~ $re ]]; then
			v=${BASH_REMATCH[1]}
			[[ $v =~ ^(\"-?[0-9]+\.[0-9]{2}\"|null)$ ]] ||
				fail "$where: \"$k\" is $v, not a string with 2 decimals"
		elif [[ $text == *"\"$k\":"* ]]; then
			fail "$where: \"$k\" is not a string"
		else
			fail "$where: no key \"$k\""
		fi
	done
}

# The payable amount samples/README.md gives for FILE ("10 792.00 SEK",
# "−7 121.88 SEK" with a Unicode minus), as the plain decimal ulf prints.
readme_payable()
{
	grep -F "| \`$1\` |" "$README" | sed -e 's/ *| *$//' -e 's/.*| *//' \
		-e 's/[A-Za-z(].*//' -e 's/ //g' -e 's/\xe2\x88\x92/-/'
}

n_inv=0
while IFS= read -r line; do
	file=$(printf '%s' "$line" | sed -n 's/^{"file":"\([^"]*\)".*}$/\1/p')
	if [ -z "$file" ]; then
		fail "not a JSON object starting with \"file\": $line"
		continue
	fi
	base=${file##*/}
	top=$(flatten "$line")
	case $base in
	peppol-*) syntax=peppol-bis3 ;;
	svefaktura-*) syntax=svefaktura-1.0 ;;
	*) syntax=unknown ;;
	esac
	printf '%s' "$top" | grep -qF "\"syntax\":\"$syntax\"" || fail "$base: syntax is not $syntax"

	if [ "$base" = svefaktura-envelope.xml ]; then
		printf '%s' "$top" | grep -qF '"document_type":"object-envelope"' ||
			fail "$base: not reported as an object envelope"
		printf '%s' "$top" | grep -qF "\"attached_to\":\"$inv\"" ||
			fail "$base: not reported attached to $inv"
		continue
	fi
	n_inv=$((n_inv + 1))
	case $base in
	*creditnote*) kind=credit-note ;;
	*) kind=invoice ;;
	esac
	printf '%s' "$top" | grep -qF "\"document_type\":\"$kind\"" ||
		fail "$base: document_type is not $kind"
	has_keys "$base" "$top" file syntax document_type id issue_date due_date type_code \
		currency buyer_reference order_reference seller buyer payment totals \
		vat_breakdown lines attachments

	for party in seller buyer; do
		o=$(object_of "$line" $party)
		case $o in
		"{"*) has_keys "$base $party" "$o" name org_number vat_number endpoint_id ;;
		*) fail "$base: $party is not an object" ;;
		esac
	done
	o=$(object_of "$line" payment)
	case $o in
	null) grep -q PaymentMeans "$file" && fail "$base: payment is null, the document has one" ;;
	"{"*) has_keys "$base payment" "$o" means_code account reference ;;
	*) fail "$base: payment is neither an object nor null" ;;
	esac

	totals=$(object_of "$line" totals)
	has_keys "$base totals" "$totals" line_extension tax_exclusive tax_amount tax_inclusive \
		allowance_total charge_total prepaid rounding payable
	amounts "$base totals" "$totals" line_extension tax_exclusive tax_amount tax_inclusive \
		allowance_total charge_total prepaid rounding payable
	want=$(readme_payable "$base")
	if [ -z "$want" ]; then
		fail "$base: samples/README.md gives no payable amount"
	else
		printf '%s' "$totals" | grep -qF "\"payable\":\"$want\"" ||
			fail "$base: payable is not \"$want\" as in samples/README.md: $totals"
	fi

	n=0
	while IFS= read -r e; do
		[ -n "$e" ] || continue
		n=$((n + 1))
		has_keys "$base vat_breakdown[$n]" "$e" category rate taxable tax
		amounts "$base vat_breakdown[$n]" "$e" taxable tax
	done < <(elements_of "$line" vat_breakdown)
	[ $n -gt 0 ] || fail "$base: empty vat_breakdown"

	n=0
	while IFS= read -r e; do
		[ -n "$e" ] || continue
		n=$((n + 1))
		has_keys "$base lines[$n]" "$e" id quantity unit net_amount price name \
			seller_item_id order_line_reference vat_category vat_rate
		amounts "$base lines[$n]" "$e" net_amount price
	done < <(elements_of "$line" lines)
	[ $n -gt 0 ] || fail "$base: no lines"

	n=0
	while IFS= read -r e; do
		[ -n "$e" ] || continue
		n=$((n + 1))
		has_keys "$base attachments[$n]" "$e" id mime filename size
	done < <(elements_of "$line" attachments)
	printf '%s' "$top" | grep -qF '"attachments":[]' ||
		[ $n -gt 0 ] || fail "$base: attachments is not an array"

	if [ "$file" = "$inv" ]; then
		# the envelope's object 1, decoded here with coreutils
		size=$(sed -n '/<EncodedData/,/<\/EncodedData>/p' "$env" |
			sed -e 's/.*<EncodedData[^>]*>//' -e 's/<\/EncodedData>.*//' | base64 -d | wc -c)
		att=$(elements_of "$line" attachments)
		printf '%s' "$att" | grep -qF '"id":"urn:sfti:documents:object:1"' ||
			fail "$base: the envelope's object is not listed as attachment: $att"
		printf '%s' "$att" | grep -qF '"mime":"application/pdf"' ||
			fail "$base: attachment mime is not application/pdf: $att"
		printf '%s' "$att" | grep -qF '"filename":"leveransspecifikation-55012.pdf"' ||
			fail "$base: attachment filename wrong: $att"
		printf '%s' "$att" | grep -qF "\"size\":$size" ||
			fail "$base: attachment size is not $size bytes: $att"
	fi
done <"$tmp/json"
[ $n_inv -gt 0 ] || fail "no invoice objects in the JSON output"

# the envelope alone is read, but joined to nothing
out=$("$ULF" parse "$env" 2>&1)
rc=$?
[ $rc -eq 0 ] || fail "envelope alone exited $rc: $out"
printf '%s' "$out" | grep -qF 'no matching invoice' || fail "envelope alone claims a match: $out"

# --- files that cannot be read ---------------------------------------------

# bad NAME FILE PATTERN - parse exits 2 with exactly one stderr line that
# names FILE and matches PATTERN (grep -E).
bad()
{
	local what=$1 f=$2 pat=$3 rc
	"$ULF" parse "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || fail "$what: exit $rc, want 2"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$what: stderr is not one line: $(cat "$tmp/err")"
	grep -qF -- "$f" "$tmp/err" || fail "$what: stderr does not name $f: $(cat "$tmp/err")"
	grep -qE -- "$pat" "$tmp/err" || fail "$what: stderr does not match /$pat/: $(cat "$tmp/err")"
	[ -s "$tmp/out" ] && fail "$what: printed something on stdout: $(cat "$tmp/out")"
}

bad "missing file" "$tmp/no-such-invoice.xml" '.'

# the mismatched end tag is on line 4
printf '%s\n' '<?xml version="1.0" encoding="UTF-8"?>' \
	'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">' \
	'  <ID>1</ID>' \
	'  <Note>text</Nota>' \
	'</Invoice>' >"$tmp/malformed.xml"
bad "malformed file" "$tmp/malformed.xml" 'line 4\b'

printf '%s\n' '<?xml version="1.0" encoding="UTF-8"?>' \
	'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>1</ID></Order>' \
	>"$tmp/order.xml"
bad "non-invoice" "$tmp/order.xml" \
	'not an invoice: root is \{urn:oasis:names:specification:ubl:schema:xsd:Order-2\}Order'

# one bad file among good ones: exit 2, the good ones still printed
"$ULF" parse --json "$S/peppol-invoice-sormland.xml" "$tmp/order.xml" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "good and bad together: exit $rc, want 2"
[ "$(wc -l <"$tmp/out")" -eq 1 ] || fail "good and bad together: the good file was not printed"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "good and bad together: stderr is not one line"

# --- usage -----------------------------------------------------------------

"$ULF" parse >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 64 ] || fail "parse without files: exit $rc, want 64"
grep -q usage "$tmp/err" || fail "parse without files: no usage on stderr"
"$ULF" parse --help >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "parse --help: exit $rc, want 0"
grep -q 'usage: ulf parse' "$tmp/out" || fail "parse --help: no usage on stdout"
"$ULF" parse --no-such-option "$S/peppol-invoice-sormland.xml" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 64 ] || fail "unknown option: exit $rc, want 64"

if [ $fails -gt 0 ]; then
	echo "parse: $fails failure(s)"
	exit 1
fi
echo "parse: ok (${#samples[@]} samples, $n_inv invoices in JSON)"
