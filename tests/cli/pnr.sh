#!/usr/bin/env bash
# pnr.sh - issue 12: personal identity numbers are masked wherever they
# appear, not only in care claims.
#
# `ulf run --once` posts, to the ERP simulator, an invoice filed as
# patient-19121212-1212.xml, an invoice whose line text is "Vård av
# 191212121212" and a UBL invoice with an embedded care claim; the service
# then takes one more document named 121212-1212.xml and answers /metrics.
# Everything the test can reach is searched for each number in every
# written form (12 or 10 digits, with '-', '+' or no separator): ulf's
# stdout and stderr, the service's log, `ulf queue list` and `ulf queue
# show` of every document (text and JSON), /metrics, the simulator's
# bookings log, messages and the payloads it received, the .taken file names, and the store's
# general tables (an SQL dump of all but care_claims, and the documents'
# bytes in `bodies` as text, embedded attachments decoded).  The numbers
# must be found where they belong - in care_claims - so the search is
# known to work.  A second run with erp_care_unmasked_texts yes shows the
# care ERP getting the line text as written, and ulf still keeping none.
#
# Numbers: Tolvan Tolvansson's 19121212-1212 (Skatteverket's test number)
# and the test patients of samples/care's embedded claim, decoded from it.
set -u
# What the test prints goes through this: whatever leaked is not printed
# again (the house rule holds for test output too).
hide() { sed -E 's/[0-9]{6,8}[-+]?[0-9]{4}/[number]/g'; }
fail() {
  echo "FAIL: $*" | hide
  for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f" | hide; }; done
  exit 1
}
[ -x "${ULF:-}" ] && [ -x "${ERPSIM:-}" ] || { echo "pnr test skipped: ULF or ERPSIM not set"; exit 77; }
for tool in sqlite3 openssl curl base64; do
  command -v $tool >/dev/null || { echo "pnr test skipped: no $tool"; exit 77; }
done
work=$(mktemp -d)
sim= svc=
trap '[ -n "$svc" ] && kill -9 $svc 2>/dev/null; [ -n "$sim" ] && kill $sim 2>/dev/null; rm -rf "$work"' EXIT
wait_for() {  # wait_for SECONDS COMMAND...: bounded polling
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $end ] && return 1; sleep 0.1; done
}
S=$ULF_SAMPLES

# ---- the numbers, and a pattern for every written form of each -------------

# An embedded attachment's bytes, decoded, from a UBL document on stdin.
embedded() {
  sed -n '/<cbc:EmbeddedDocumentBinaryObject/,/<\/cbc:EmbeddedDocumentBinaryObject>/p' |
    sed -e 's/.*<cbc:EmbeddedDocumentBinaryObject[^>]*>//' \
        -e 's/<\/cbc:EmbeddedDocumentBinaryObject>.*//' | base64 -d 2>/dev/null
}
numbers="191212121212 $(embedded < "$S/care/ubl-embedded-invoice.xml" |
  grep -oE '(18|19|20)[0-9]{10}' | sort -u | tr '\n' ' ')"
[ "$(echo $numbers | wc -w)" -ge 2 ] || fail "no patient found in the embedded claim"
pattern=
for n in $numbers; do
  cc=${n:0:2} date=${n:2:6} last=${n:8:4}
  pattern="$pattern${pattern:+|}$cc$date[-+]?$last|(^|[^0-9])$date[-+]?$last([^0-9]|\$)"
done
# leaks FILE WHAT: fails naming WHAT when FILE holds a number in any form
leaks() {
  if grep -anE "$pattern" "$1" > "$work/hits"; then
    echo "--- $2, the lines (numbers hidden):"; cut -c1-300 "$work/hits" | head -n 5 | hide
    fail "a personal identity number in $2"
  fi
}
# the search finds what it looks for (and the masked form is no hit)
printf 'x 19121212-1212 y\n121212+1212\n1212121212\n' > "$work/probe"
[ "$(grep -cE "$pattern" "$work/probe")" -eq 3 ] || fail "the search misses a written form"
echo "Vård av 19121212-**** och 121212-****" > "$work/probe"
! grep -qE "$pattern" "$work/probe" || fail "the search takes the masked form for a number"

# ---- the ERP simulator and the robot's settings ------------------------------

bash "$ULF_SRC/tests/data/erp/mkcerts.sh" "$work/certs" >/dev/null || fail "certificates"
start_sim() {  # start_sim NAME: ulf-erp-sim, its bookings in NAME.jsonl, payloads in NAME-payloads.jsonl
  : > "$work/port"
  "$ERPSIM" --port 0 --cert "$work/certs/server.pem" --key "$work/certs/server.key" \
    --log "$work/$1.jsonl" --payloads "$work/$1-payloads.jsonl" --exit-after 300 --verbose \
    > "$work/port" 2>> "$work/sim.log" &
  sim=$!
  wait_for 10 test -s "$work/port" || fail "simulator did not start"
  port=$(head -n 1 "$work/port")
}
stop_sim() { kill $sim 2>/dev/null; wait $sim 2>/dev/null; sim=; }
setup_store() {  # setup_store DIR [SETTING...]: a store with the sample reference data
  local d=$1; shift
  mkdir -p "$d/inbox"
  { echo "store_path $d/ulf.db"; echo "inbox_dir $d/inbox"
    echo "erp_url https://127.0.0.1:$port/postings"; echo "erp_ca_file $work/certs/ca.pem"
    echo "http_listen 127.0.0.1:0"; for x in "$@"; do echo "$x"; done; } > "$d/ulf.conf"
  "$ULF" import suppliers --config "$d/ulf.conf" "$S/refdata/suppliers.csv" >/dev/null &&
  "$ULF" import history --config "$d/ulf.conf" "$S/refdata/history.csv" >/dev/null &&
  "$ULF" import orders --config "$d/ulf.conf" "$S"/orders/* >/dev/null &&
  "$ULF" import receipts --config "$d/ulf.conf" "$S"/receipts/* >/dev/null || fail "import"
}
# The invoice with a patient in its first line's name.
care_line() {
  awk '/<cac:InvoiceLine>/ { line = 1 }
       line && !done && /<cbc:Name>/ {
         sub(/<cbc:Name>[^<]*<\/cbc:Name>/, "<cbc:Name>Vård av 191212121212</cbc:Name>"); done = 1 }
       { print }' "$S/invoices/peppol-invoice-reverse-charge.xml"
}

# ---- masked: what ulf prints, logs, keeps and sends --------------------------

a=$work/a
start_sim bookings
setup_store "$a"
cp "$S/invoices/peppol-invoice-vastmanland-plusgiro.xml" "$a/inbox/patient-19121212-1212.xml"
care_line > "$a/inbox/care-line.xml"
grep -q 'Vård av 191212121212' "$a/inbox/care-line.xml" || fail "the care line was not written"
cp "$S/care/ubl-embedded-invoice.xml" "$a/inbox/"
out=$work/out.log
"$ULF" run --once --config "$a/ulf.conf" > "$out" 2>&1 || fail "run: $(cat "$out")"
q() { sqlite3 -cmd ".timeout 10000" "$a/ulf.db" "$@"; }
for n in 'patient-19121212-****.xml' care-line.xml ubl-embedded-invoice.xml; do
  [ "$(q "select state from documents where name = '$n'")" = posted ] ||
    fail "$n not posted: $(q "select state, reasons from documents where name = '$n'")"
done
grep -q 'patient-19121212-\*\*\*\*\.xml' "$out" || fail "the report does not name the document masked"

# the booking suggestion and the ERP got the line text masked
q "select result from documents where name = 'care-line.xml'" | grep -q '"Vård av 19121212-\*\*\*\*"' ||
  fail "booking suggestion: $(q "select result from documents where name = 'care-line.xml'")"
grep -q '"description":"Vård av 19121212-\*\*\*\*"' "$work/bookings-payloads.jsonl" ||
  fail "the ERP did not get the masked text"

# the patients' bytes are where the care claims' are, and only there
for n in care-line.xml ubl-embedded-invoice.xml; do
  id=$(q "select id from documents where name = '$n'")
  [ "$(q "select count(*) from bodies where doc_id = $id")" -eq 0 ] || fail "$n: bytes in bodies"
  [ "$(q "select state from care_claims where doc_id = $id")" = kept ] || fail "$n: not in care_claims"
done
q "select cast(bytes as text) from care_claims" > "$work/care_claims.txt"
grep -aqE "$pattern" "$work/care_claims.txt" || fail "the care table does not hold the number (search broken?)"

# the service: one more document by its inbox, the log and /metrics
cp "$S/invoices/svefaktura-invoice.xml" "$a/inbox/121212-1212.xml"
"$ULF" run --config "$a/ulf.conf" 2> "$work/service.log" &
svc=$!
wait_for 10 grep -q "listening on" "$work/service.log" || fail "service did not start"
sport=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/service.log" | head -n 1)
wait_for 20 grep -q '121212-\*\*\*\*\.xml: document [0-9]*' "$work/service.log" ||
  fail "the service did not take 121212-1212.xml"
curl -s "http://127.0.0.1:$sport/metrics" > "$work/metrics.log"
grep -q 'ulf_documents{state=' "$work/metrics.log" || fail "metrics: $(cat "$work/metrics.log")"
kill -TERM $svc; wait $svc 2>/dev/null; svc=

# everything a person or a program can reach
"$ULF" queue list --config "$a/ulf.conf" >> "$out" 2>&1
"$ULF" queue list --config "$a/ulf.conf" --json >> "$out" 2>&1
for id in $(q "select id from documents"); do
  "$ULF" queue show "$id" --config "$a/ulf.conf" >> "$out" 2>&1
  "$ULF" queue show "$id" --config "$a/ulf.conf" --json >> "$out" 2>&1
done
"$ULF" parse --json "$a/inbox/.taken/"*care-line.xml >> "$out" 2>&1
"$ULF" match --config "$a/ulf.conf" "$a/inbox/.taken/"*care-line.xml >> "$out" 2>&1
"$ULF" match --config "$a/ulf.conf" --json "$a/inbox/.taken/"*care-line.xml >> "$out" 2>&1
grep -q 'Vård av 19121212-\*\*\*\*' "$out" || fail "the outputs do not show the line text masked"
ls -a "$a/inbox/.taken" > "$work/taken.log"
cp "$a/ulf.db" "$work/general.db"
sqlite3 "$work/general.db" "delete from care_claims; delete from bodies" || fail "copy of the store"
sqlite3 "$work/general.db" .dump > "$work/dump.log"
: > "$work/bodies.log"
for id in $(q "select doc_id from bodies"); do
  q "select cast(bytes as text) from bodies where doc_id = $id" > "$work/body"
  cat "$work/body" >> "$work/bodies.log"
  embedded < "$work/body" >> "$work/bodies.log"
done
for f in out service metrics bookings bookings-payloads sim taken dump bodies; do
  [ -f "$work/$f.log" ] || cp "$work/$f.jsonl" "$work/$f.log"
  leaks "$work/$f.log" "$f"
done
stop_sim

# ---- the care ERP may have the texts as written -------------------------------

b=$work/b
start_sim care-erp
setup_store "$b" "erp_care_unmasked_texts yes"
care_line > "$b/inbox/care-line.xml"
"$ULF" run --once --config "$b/ulf.conf" > "$work/out-b.log" 2>&1 || fail "run: $(cat "$work/out-b.log")"
stop_sim
grep -q '"description":"Vård av 191212121212"' "$work/care-erp-payloads.jsonl" ||
  fail "the care ERP did not get the text as written"
sqlite3 "$b/ulf.db" "delete from care_claims; delete from bodies" && sqlite3 "$b/ulf.db" .dump > "$work/dump-b.log"
leaks "$work/out-b.log" "output with erp_care_unmasked_texts"
leaks "$work/dump-b.log" "the store with erp_care_unmasked_texts"
echo "pnr: ok"
