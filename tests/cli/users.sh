#!/usr/bin/env bash
# ulf user, ulf token and ulf audit verify against a fresh SQLite store:
# users with roles and passwords read from stdin (never printed or stored
# in clear), disabled and enabled, passwords changed; API tokens shown once
# and kept only as their SHA-256, listed and revoked; the store's files
# readable by their owner only; and an audit trail that `ulf audit verify`
# finds intact, then broken after a row is changed or removed with sqlite3
# behind ulf's back (the append-only triggers dropped first, as an attacker
# would).
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ -x "${ULF:-}" ] || { echo "ULF not set"; exit 77; }
command -v sqlite3 >/dev/null || { echo "users skipped: no sqlite3"; exit 77; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
db=$work/ulf.db
umask 022   # the usual one, under which SQLite alone made the store 0644

# ---- users
pw="correct horse battery staple"
out=$(echo "$pw" | "$ULF" user add anna --role handler --role care_handler --store "$db" 2>&1) \
  || fail "user add: $out"
echo "$out" | grep -q "user anna added (handler,care_handler)" || fail "add said: $out"
[ "$(stat -c %a "$db")" = 600 ] || fail "store created with mode $(stat -c %a "$db")"
echo "other" | "$ULF" user add anna --role handler --store "$db" >/dev/null 2>&1
[ $? -eq 1 ] || fail "a second anna was not refused with 1"
"$ULF" user add bo --role boss --store "$db" </dev/null >/dev/null 2>&1
[ $? -eq 64 ] || fail "an unknown role was not a usage error"
"$ULF" user add bo --store "$db" </dev/null >/dev/null 2>&1 && fail "a user without a role was added"
"$ULF" user add bo --role controller --store "$db" </dev/null >/dev/null 2>&1 \
  && fail "a user without a password was added"
printf '\n' | "$ULF" user add bo --role controller --store "$db" >/dev/null 2>&1 \
  && fail "a user with an empty password was added"
echo "bo's pw" | "$ULF" user add bo --role controller --store "$db" >/dev/null || fail "add bo"

list=$("$ULF" user list --store "$db") || fail "user list"
echo "$list"
echo "$list" | grep -q "^anna  *handler,care_handler  *enabled" || fail "anna not listed: $list"
echo "$list" | grep -q "^bo  *controller  *enabled" || fail "bo not listed: $list"
"$ULF" user disable bo --store "$db" >/dev/null || fail "disable"
"$ULF" user list --store "$db" | grep -q "^bo  *controller  *disabled" || fail "bo not disabled"
"$ULF" user enable bo --store "$db" >/dev/null || fail "enable"
"$ULF" user list --store "$db" | grep -q "^bo  *controller  *enabled" || fail "bo not enabled"
"$ULF" user disable nobody --store "$db" >/dev/null 2>&1
[ $? -eq 1 ] || fail "disabling a user who does not exist was not refused with 1"

hash1=$(sqlite3 "$db" "SELECT pw_hash FROM users WHERE name = 'anna'")
case "$hash1" in '$argon2id$'*) ;; *) fail "not an argon2id hash: $hash1" ;; esac
echo "a new one" | "$ULF" user passwd anna --store "$db" >/dev/null || fail "passwd"
hash2=$(sqlite3 "$db" "SELECT pw_hash FROM users WHERE name = 'anna'")
[ "$hash1" != "$hash2" ] || fail "passwd did not change the hash"
case "$hash2" in '$argon2id$'*) ;; *) fail "not an argon2id hash: $hash2" ;; esac
"$ULF" user map "$(id -un)" anna --store "$db" >/dev/null || fail "map"
"$ULF" user map "$(id -un)" nobody --store "$db" >/dev/null 2>&1 && fail "mapped to nobody"

# ---- tokens
secret=$("$ULF" token add sender-a --store "$db" 2>"$work/token.err") || fail "token add"
echo "$secret" | grep -Eq '^[0-9a-f]{64}$' || fail "the secret is not 256 bits of hex: $secret"
grep -q "shown this once" "$work/token.err" || fail "no word that it is shown once"
"$ULF" token add prometheus --scope metrics --store "$db" >/dev/null 2>&1 || fail "token add metrics"
"$ULF" token add x --scope root --store "$db" >/dev/null 2>&1
[ $? -eq 64 ] || fail "an unknown scope was not a usage error"
"$ULF" token add sender-a --store "$db" >/dev/null 2>&1 && fail "a second live sender-a"
kept=$(sqlite3 "$db" "SELECT sha256 FROM api_tokens WHERE name = 'sender-a'")
[ "$kept" = "$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)" ] \
  || fail "the store does not keep the token's SHA-256"
list=$("$ULF" token list --store "$db") || fail "token list"
echo "$list"
echo "$list" | grep -q "^sender-a  *intake .* live" || fail "sender-a not listed: $list"
echo "$list" | grep -q "^prometheus  *metrics .* live" || fail "prometheus not listed: $list"
echo "$list" | grep -q "$secret" && fail "token list shows the secret"
"$ULF" token revoke sender-a --store "$db" >/dev/null || fail "revoke"
"$ULF" token list --store "$db" | grep -q "^sender-a  *intake .* revoked" || fail "not revoked"
"$ULF" token revoke sender-a --store "$db" >/dev/null 2>&1
[ $? -eq 1 ] || fail "revoking a revoked token was not refused with 1"

# no password and no token secret anywhere in the store
for f in "$db" "$db"-wal; do
  [ -f "$f" ] || continue
  grep -aqF "$pw" "$f" && fail "the password is in $f"
  grep -aqF "a new one" "$f" && fail "the new password is in $f"
  grep -aqF "$secret" "$f" && fail "the token is in $f"
done

# ---- the store's files: the database, its -wal and -shm while ulf has it
# open (here: waiting for a password on a pipe)
mkfifo "$work/pw"
"$ULF" user add dora --role handler --store "$db" <"$work/pw" >/dev/null 2>&1 &
pid=$!
exec 3>"$work/pw"
for _ in $(seq 50); do [ -f "$db-shm" ] && [ -f "$db-wal" ] && break; sleep 0.1; done
for f in "$db" "$db-wal" "$db-shm"; do
  [ -f "$f" ] || fail "$f is not there while ulf has the store open"
  [ "$(stat -c %a "$f")" = 600 ] || fail "$f has mode $(stat -c %a "$f")"
done
echo "dora's pw" >&3
exec 3>&-
wait "$pid" || fail "user add dora"
pid=

# ---- the audit trail
out=$("$ULF" audit verify --store "$db") || fail "audit verify on an untouched trail: $out"
echo "$out"
echo "$out" | grep -q "audit trail intact: 1[0-9] rows" || fail "unexpected: $out"
rows=$(sqlite3 "$db" "SELECT COUNT(*) FROM audit")
sqlite3 "$db" "SELECT who, action FROM audit" | grep -q "anna|token-add" \
  || fail "the token's making is not audited as anna (the mapped user)"
sqlite3 "$db" "SELECT before_json || ' ' || after_json FROM audit WHERE action = 'user-disable'" \
  | grep -q '"state":"enabled".*"state":"disabled"' || fail "no values before and after"
sqlite3 "$db" "SELECT * FROM audit" | grep -aqF "$pw" && fail "a password reached the audit trail"

# through ulf's own guard, nothing changes
sqlite3 "$db" "UPDATE audit SET who = 'eve' WHERE id = 3" 2>/dev/null && fail "the trail was editable"

# an attacker drops the guard and edits row 3
cp "$db" "$work/copy.db"
cp "$db" "$work/slip.db"
orig=$(sqlite3 "$db" "SELECT quote(after_json) FROM audit WHERE id = 3")
sqlite3 "$db" "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
  UPDATE audit SET after_json = '{\"name\":\"anna\",\"roles\":\"admin\"}' WHERE id = 3" \
  || fail "sqlite3 edit"
out=$("$ULF" audit verify --store "$db")
rc=$?
echo "$out"
[ $rc -eq 1 ] || fail "verify of an edited trail exited $rc"
echo "$out" | grep -q "BROKEN: row 3 .* was changed after it was written" || fail "edit not found: $out"
echo "$out" | grep -q "first broken link: row 3" || fail "row not named: $out"

# ... or deletes row 4 from the middle
db=$work/copy.db
sqlite3 "$db" "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
  DELETE FROM audit WHERE id = 4" || fail "sqlite3 delete"
out=$("$ULF" audit verify --store "$db")
rc=$?
echo "$out"
[ $rc -eq 1 ] || fail "verify of a trail with a row deleted exited $rc"
echo "$out" | grep -q "row 5 .* does not link to row 3.*a row between them was deleted" \
  || fail "deletion not found: $out"

# ... or slips a row in
sqlite3 "$work/slip.db" "DROP TRIGGER audit_no_update;
  INSERT INTO audit (doc_id, at, who, action) VALUES (NULL, 1, 'eve', 'x')"
out=$("$ULF" audit verify --store "$work/slip.db")
[ $? -eq 1 ] || fail "a row slipped in was not found"
echo "$out" | grep -q "has no hash" || fail "unexpected: $out"
# ... or cuts off the last row (row 3 put back as it was)
db=$work/ulf.db
sqlite3 "$db" "DELETE FROM audit WHERE id = (SELECT MAX(id) FROM audit);
  UPDATE audit SET after_json = $orig WHERE id = 3"
out=$("$ULF" audit verify --store "$db")
[ $? -eq 1 ] || fail "a trail cut at the end passed"
echo "$out" | grep -q "the trail ends at row $((rows - 1)), but row $rows was the last one written" \
  || fail "cut not found: $out"
echo "users: ok"
