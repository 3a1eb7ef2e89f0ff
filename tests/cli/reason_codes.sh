#!/usr/bin/env bash
# docs/reason-codes.md lists every reason code the robot can raise, each
# under a "## CODE" heading, and nothing else: the codes are found in the
# sources, not in a list kept by hand, so a code added anywhere fails here
# until it is documented.  Found are:
#   - the matcher's MR_* constants (robot/match/match.h), each of which must
#     also be in match_reason_codes()'s table (robot/match/match.c);
#   - the upper-case literals in the code argument of every call of a
#     function that sends a document to the queue with a reason
#     (job_to_queue, queue_other, post_exception, mj_reason, mj_out_of_range);
#   - every upper-case literal with an underscore anywhere under robot/ (a
#     code raised some other way), but for the words listed in NOT_CODES.
# A raiser called with a code the script cannot read (neither a literal nor
# an MR_ constant nor one of the pass-throughs in PASS_THROUGH) fails too:
# say here what it raises.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
src=${ULF_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
doc=$src/docs/reason-codes.md
[ -f "$doc" ] || fail "no $doc"
[ -f "$src/robot/match/match.h" ] || fail "no sources under $src"
cd "$src" || fail "cd $src"

# upper-case literals with an underscore that are not reason codes (none yet)
NOT_CODES=''
# code arguments that pass on a code raised elsewhere (the matcher's reasons
# to the queue; the code parameter of a raiser that calls another)
PASS_THROUGH='^r->reasons\[i\]\.code$|^code$|^reason$'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the matcher's constants: MR_NAME "CODE"
sed -n 's/^#define \(MR_[A-Z_]*\) *"\([A-Z_]*\)".*/\1 \2/p' robot/match/match.h > "$work/mr"
[ "$(wc -l < "$work/mr")" -ge 20 ] || fail "found only $(wc -l < "$work/mr") MR_ constants"
table=$(sed -n '/reason_codes\[\] = {/,/};/p' robot/match/match.c)
while read -r name code; do
  echo "$table" | grep -qw "$name" || fail "$name is not in match_reason_codes() (robot/match/match.c)"
  echo "$code"
done < "$work/mr" > "$work/codes" || exit 1

# the raisers' calls, parsed with their arguments (perl is in every Debian):
# "file: CODE-ARGUMENT" for each, the argument that names the code
find robot -name '*.c' | sort > "$work/files"
perl -e '
  my %pos = (job_to_queue => 2, queue_other => 3, post_exception => 1, mj_reason => 1,
             mj_out_of_range => 3);       # 0-based: which argument is the code
  for my $f (map { chomp; $_ } <STDIN>) {
    open(my $h, "<", $f) or die "$f: $!";
    local $/; my $t = <$h>; close $h;
    $t =~ s{/\*.*?\*/}{ }gs;              # comments say the names too
    while ($t =~ /\b(job_to_queue|queue_other|post_exception|mj_reason|mj_out_of_range)\s*\(/g) {
      my ($name, $i, $depth, $cur, $str) = ($1, pos($t), 1, "", 0);
      my @args;
      my $head = substr($t, $-[0] - 20 > 0 ? $-[0] - 20 : 0, 20);
      next if $head =~ /\b(int|void)\s*$/;  # its definition or declaration
      for (; $i < length($t) && $depth > 0; $i++) {
        my $c = substr($t, $i, 1);
        if ($str) { $cur .= $c; $str = 0 if $c eq "\"" && substr($t, $i - 1, 1) ne "\\"; next }
        if ($c eq "\"") { $str = 1; $cur .= $c; next }
        $depth++ if $c eq "(";
        $depth-- if $c eq ")";
        if (($c eq "," && $depth == 1) || $depth == 0) { push @args, $cur; $cur = ""; next }
        $cur .= $c;
      }
      my $arg = $args[$pos{$name}] // "";
      $arg =~ s/^\s+|\s+$//g; $arg =~ s/\s+/ /g;
      print "$f: $name: $arg\n";
    }
  }' < "$work/files" > "$work/calls" || fail "parsing the raisers' calls"
[ "$(wc -l < "$work/calls")" -ge 30 ] || fail "found only $(wc -l < "$work/calls") raiser calls"
while IFS= read -r call; do
  arg=${call#*: *: }
  lits=$(echo "$arg" | grep -oE '"[A-Z][A-Z0-9_]+"' | tr -d '"')
  mrs=$(echo "$arg" | grep -oE '\bMR_[A-Z_]+\b')
  if [ -z "$lits" ] && [ -z "$mrs" ]; then
    echo "$arg" | grep -qE "$PASS_THROUGH" ||
      fail "cannot tell which code this raises (say so in tests/cli/reason_codes.sh): $call"
  fi
  for c in $lits; do echo "$c"; done
  for m in $mrs; do
    c=$(awk -v m="$m" '$1 == m { print $2 }' "$work/mr")
    [ -n "$c" ] || fail "$m is no MR_ constant: $call"
    echo "$c"
  done
done < "$work/calls" >> "$work/codes" || exit 1

# any other literal that looks like a code
grep -rhoE '"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+"' robot --include='*.c' --include='*.h' | tr -d '"' |
  { if [ -n "$NOT_CODES" ]; then grep -vxE "$NOT_CODES"; else cat; fi; } >> "$work/codes"

sort -u "$work/codes" > "$work/raised"
[ "$(wc -l < "$work/raised")" -ge 30 ] || fail "found only $(wc -l < "$work/raised") codes"
sed -n 's/^## \([A-Z][A-Z0-9_]*\)\( (retired)\)\{0,1\} *$/\1/p' "$doc" | sort > "$work/headings"
# a retired code is documented for the stores that still hold it; the
# robot no longer raises it (the workbench may still name it)
sed -n 's/^## \([A-Z][A-Z0-9_]*\) (retired) *$/\1/p' "$doc" | sort > "$work/retired"
[ -z "$(uniq -d "$work/headings")" ] || fail "documented twice: $(uniq -d "$work/headings" | tr '\n' ' ')"

missing=$(comm -23 "$work/raised" "$work/headings")
[ -z "$missing" ] || fail "raised but not documented in docs/reason-codes.md (## CODE):" $missing
extra=$(comm -13 "$work/raised" "$work/headings" | comm -23 - "$work/retired")
[ -z "$extra" ] || fail "documented in docs/reason-codes.md but raised nowhere:" $extra
# and each in one of the tables, for the reader who looks for it there
while read -r c; do
  grep -qE "^\| $c \|" "$doc" || fail "$c has a section but no row in a table of docs/reason-codes.md"
done < "$work/raised"
echo "reason_codes: $(wc -l < "$work/raised") codes raised, each documented"
