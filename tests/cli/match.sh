#!/bin/bash
# match.sh - `ulf import`, `ulf rules check` and `ulf match` as a user runs
# them over the bundled samples (samples/README.md, "Matching").
#
# Imports the register, orders, receipts and history into a fresh SQLite
# store; importing again updates and never duplicates; a file with bad rows
# names each row with its line and loads nothing; a rules file with errors
# reports every one with its line.  Then every sample invoice gets its
# expected decision - auto, or exception with the expected reason - in text
# and in JSON; an unknown supplier comes with a prefilled registration; an
# invoice recorded as posted is a duplicate the second time.
#
# Run by ctest with ULF (the binary), ULF_SAMPLES and ULF_TESTDATA; exits
# 77 (skip) without them.
set -u
export LC_ALL=C.UTF-8

if [ -z "${ULF:-}" ] || [ ! -x "$ULF" ]; then
	echo "skip: ULF does not name the ulf binary"
	exit 77
fi
if [ -z "${ULF_SAMPLES:-}" ] || [ ! -d "$ULF_SAMPLES/orders" ]; then
	echo "skip: ULF_SAMPLES/orders not found"
	exit 77
fi
data=${ULF_TESTDATA:-}/match
[ -d "$data" ] || { echo "skip: ULF_TESTDATA/match not found"; exit 77; }

fail() { echo "FAIL: $*"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/ulf.db
S=$ULF_SAMPLES
rules=$S/rules/regions.rules

# --- rules check ---------------------------------------------------------
out=$("$ULF" rules check "$rules") || fail "rules check of the sample rules: $out"
echo "$out"
echo "$out" | grep -q "ok: 5 extract, 4 code and 1 nonpo rules" || fail "rules summary: $out"
out=$("$ULF" rules check "$data/bad.rules")
rc=$?
echo "$out"
[ $rc -eq 1 ] || fail "rules check of a bad file exited $rc, expected 1"
for want in "bad.rules:3: rounding_max" "bad.rules:5: tolerance price" \
	"bad.rules:7: pattern: bad pattern at column 31" "bad.rules:8: code no-output: sets nothing" \
	"bad.rules:11: item: bad pattern" "bad.rules:13: nonpo orphan: names no supplier" \
	"bad.rules: 6 problems"; do
	echo "$out" | grep -qF "$want" || fail "rules check did not report '$want'"
done
"$ULF" rules builtin | grep -q "^extract sormland-order" || fail "rules builtin"
"$ULF" rules >/dev/null 2>&1
[ $? -eq 64 ] || fail "rules without a subcommand is a usage error"

# --- import --------------------------------------------------------------
imp() {
	out=$("$ULF" import "$@" 2>&1) || fail "import $*: $out"
	echo "$out"
}
imp suppliers --store "$db" "$S/refdata/suppliers.csv"
echo "$out" | grep -q "8 suppliers (8 new, 0 updated)" || fail "suppliers: $out"
imp orders --store "$db" "$S"/orders/*
echo "$out" | grep -q "DLL0852417.xml: 1 order (1 new, 0 updated), 5 lines" || fail "order XML: $out"
echo "$out" | grep -q "e-handel-export.csv: 9 orders (9 new, 0 updated), 18 lines" || fail "order CSV: $out"
imp receipts --store "$db" "$S"/receipts/*
imp history --store "$db" "$S/refdata/history.csv"
echo "$out" | grep -q "4 invoices (4 new" || fail "history: $out"
# again: updated, nothing new
imp orders --store "$db" "$S"/orders/*
echo "$out" | grep -q "9 orders (0 new, 9 updated)" || fail "re-import of orders duplicated: $out"
imp suppliers --store "$db" "$S/refdata/suppliers.csv"
echo "$out" | grep -q "8 suppliers (0 new, 8 updated)" || fail "re-import of suppliers: $out"

# a file with bad rows: every row named, nothing loaded
bad=$work/bad.db
"$ULF" import suppliers --store "$bad" "$S/refdata/suppliers.csv" >/dev/null || fail "suppliers into bad.db"
err=$("$ULF" import orders --store "$bad" "$data/bad-orders.csv" 2>&1 >/dev/null)
rc=$?
echo "$err"
[ $rc -eq 1 ] || fail "import with bad rows exited $rc, expected 1"
echo "$err" | grep -q "bad-orders.csv:4: quantity 'tjugo' is not an amount" || fail "bad row 4 not reported"
echo "$err" | grep -q "bad-orders.csv:5: order DLL0869998 line 1: neither unit_price nor net_amount" \
	|| fail "bad row 5 not reported"
echo "$err" | grep -q "bad-orders.csv: 2 bad rows, nothing loaded" || fail "summary"
out=$("$ULF" match --store "$bad" --rules "$rules" "$S/invoices/peppol-invoice-sormland-price-deviation.xml")
echo "$out" | grep -q "NO_ORDER" || fail "the good order of a refused file was loaded: $out"
"$ULF" import widgets --store "$bad" x.csv >/dev/null 2>&1
[ $? -eq 64 ] || fail "import of an unknown kind is a usage error"
"$ULF" import orders --store "$bad" "$work/missing.csv" >/dev/null 2>&1
[ $? -eq 2 ] || fail "a missing file exits 2"

# --- match ---------------------------------------------------------------
svefaktura=yes
"$ULF" parse "$S/invoices/svefaktura-invoice.xml" >/dev/null 2>&1 || svefaktura=no

expect() {   # FILE auto|REASON
	local f=$S/invoices/$1 want=$2 out
	out=$("$ULF" match --store "$db" --rules "$rules" "$f")
	local rc=$?
	if [ "$want" = auto ]; then
		echo "$out" | head -n 1 | grep -q ": auto," || { echo "$out"; fail "$1: expected auto"; }
		[ $rc -eq 0 ] || fail "$1: auto but exit $rc"
	else
		echo "$out" | head -n 1 | grep -q ": exception," || { echo "$out"; fail "$1: expected an exception"; }
		echo "$out" | grep -q "^    $want " || { echo "$out"; fail "$1: reason $want missing"; }
		[ $rc -eq 1 ] || fail "$1: exception but exit $rc"
	fi
	echo "$1: $(echo "$out" | head -n 1 | sed 's/^[^:]*: //')"
}
expect peppol-invoice-sormland.xml auto
expect peppol-invoice-vastmanland-plusgiro.xml auto
expect peppol-invoice-reverse-charge.xml auto
expect peppol-creditnote-vastmanland.xml auto
expect peppol-invoice-vastmanland-partial.xml auto
expect peppol-invoice-vastmanland-order-in-note.xml auto
expect peppol-invoice-rent-nonpo.xml auto
expect peppol-invoice-electricity-recurring.xml auto
expect peppol-invoice-sormland-price-deviation.xml PRICE_DEVIATION
expect peppol-invoice-unknown-supplier.xml UNKNOWN_SUPPLIER
expect peppol-invoice-vastmanland-not-received.xml NOT_RECEIVED
if [ $svefaktura = yes ]; then
	expect svefaktura-invoice.xml auto
	expect svefaktura-creditnote.xml auto
else
	echo "note: the Svefaktura reader is not there; Svefaktura samples not matched"
fi

# what a person reads: where each field came from, tolerances, rules
out=$("$ULF" match --store "$db" --rules "$rules" "$S/invoices/peppol-invoice-sormland.xml")
echo "$out" | grep -q "account     <- order: order DLL0852417 line 1 AccountingCost" || fail "order as source"
echo "$out" | grep -q "account     <- rule: rule freight" || fail "rule as source"
echo "$out" | grep -q "allowed 1.10 (price 2% max 20, buyer" || fail "tolerance computation"
echo "$out" | grep -q "rounding   *-   *3740" || fail "rounding row"
echo "$out" | grep -q "total net 9189.52, VAT 1602.50" || fail "totals"

# JSON Lines: one object per invoice, the structured explanation
out=$("$ULF" match --json --store "$db" --rules "$rules" "$S/invoices/peppol-invoice-sormland.xml" \
	"$S/invoices/peppol-invoice-unknown-supplier.xml")
[ $? -eq 1 ] || fail "--json over an exception should exit 1"
[ "$(echo "$out" | wc -l)" -eq 2 ] || fail "expected 2 JSON lines"
line1=$(echo "$out" | sed -n 1p)
for key in '"decision":"auto"' '"flow":"po"' '"supplier_no":"10042"' '"order_no":"DLL0852417"' \
	'"explanation":' '"rules_fired":' '"tolerance":"2% max 20"' '"source":"order"' \
	'"net_amount":"1976.40"' '"total_net":"9189.52"'; do
	echo "$line1" | grep -qF "$key" || fail "JSON lacks $key"
done
line2=$(echo "$out" | sed -n 2p)
echo "$line2" | grep -qF '"code":"UNKNOWN_SUPPLIER"' || fail "JSON reason"
echo "$line2" | grep -qF '"new_supplier":{' || fail "JSON new_supplier"
echo "$line2" | grep -qF '"org_no":"5591234561"' || fail "new_supplier org_no"

# --record: posted once, a duplicate the second time; the order is used up
out=$("$ULF" match --record --store "$db" --rules "$rules" "$S/invoices/peppol-invoice-sormland.xml")
echo "$out" | grep -q "recorded as posted" || fail "--record"
out=$("$ULF" match --store "$db" --rules "$rules" "$S/invoices/peppol-invoice-sormland.xml")
echo "$out" | grep -q "^    DUPLICATE " || fail "second match of a posted invoice is no DUPLICATE: $out"
echo "$out" | grep -q "QUANTITY_DEVIATION" || fail "the order should be used up: $out"

# usage
"$ULF" match >/dev/null 2>&1
[ $? -eq 64 ] || fail "match without files is a usage error"
"$ULF" match --store "$db" --rules "$data/bad.rules" "$S/invoices/peppol-invoice-sormland.xml" \
	>/dev/null 2>"$work/err"
[ $? -eq 2 ] || fail "match with a bad rules file exits 2"
grep -q "bad.rules:7:" "$work/err" || fail "match does not say what is wrong with the rules"
echo "match: ok"
