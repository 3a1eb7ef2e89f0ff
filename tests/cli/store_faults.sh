#!/usr/bin/env bash
# A read-only store and a full disk: ulf says clearly what is wrong and
# loses nothing (the file stays in the inbox), and takes it once the store
# can write again.
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ -x "${ULF:-}" ] || exit 77
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
mkdir -p "$work/inbox" "$work/store"
sample=$ULF_SAMPLES/invoices/peppol-invoice-sormland.xml

# create the store, then make it read-only
"$ULF" run --once --store "$work/store/ulf.db" --inbox "$work/inbox" >/dev/null || fail "create"
cp "$sample" "$work/inbox/a.xml"
if [ "$(id -u)" -ne 0 ]; then
  chmod a-w "$work/store/ulf.db" "$work/store"
  out=$("$ULF" run --once --store "$work/store/ulf.db" --inbox "$work/inbox" 2>&1); rc=$?
  echo "$out"
  [ $rc -ne 0 ] || fail "read-only store: exit 0"
  echo "$out" | grep -qi "readonly\|read-only\|cannot open\|unable to open" || fail "read-only store: unclear message"
  [ -e "$work/inbox/a.xml" ] || fail "read-only store: the file left the inbox"
  chmod u+w "$work/store/ulf.db" "$work/store"
else
  # root writes anyway: make the database itself refuse writes
  out=$("$ULF" run --once --store "file:$work/store/ulf.db?mode=ro" --inbox "$work/inbox" 2>&1); rc=$?
  echo "$out"
  [ $rc -ne 0 ] || fail "read-only store: exit 0"
  echo "$out" | grep -qi "readonly\|read-only\|unable to open" || fail "read-only store: unclear message"
  [ -e "$work/inbox/a.xml" ] || fail "read-only store: the file left the inbox"
fi

# full disk: a file-size limit makes the database's writes fail
big=$work/big.xml
{ head -c 300000 /dev/zero | tr '\0' ' '; } > "$work/pad"
sed "s|<cbc:Note>|<cbc:Note>$(head -c 100000 "$work/pad")|" "$sample" > "$big"
cp "$big" "$work/inbox/big.xml"
out=$(bash -c "trap '' XFSZ; ulimit -f 64; exec \"$ULF\" run --once --store \"$work/store/ulf.db\" --inbox \"$work/inbox\"" 2>&1); rc=$?
echo "$out"
[ $rc -ne 0 ] || fail "full disk: exit 0"
echo "$out" | grep -qi "big.xml.*not stored.*the store cannot write" || fail "full disk: no clear per-file message"
[ -e "$work/inbox/big.xml" ] || fail "full disk: big.xml left the inbox"
# what was stored before the limit bit is safe; what was not is still in the inbox
for f in a.xml big.xml; do
  [ -e "$work/inbox/$f" ] || ls "$work/inbox/.taken" | grep -q "$f" || fail "$f lost"
done

# room again: everything is taken, nothing was lost
out=$("$ULF" run --once --store "$work/store/ulf.db" --inbox "$work/inbox" 2>&1) || fail "after recovery: $out"
echo "$out"
echo "$out" | grep -q "big.xml *#2 " || fail "big.xml not taken after recovery"
echo "$out" | grep -q "store: 2 documents: exception 2" || fail "not everything stored and processed after recovery"
echo "store_faults: ok"
