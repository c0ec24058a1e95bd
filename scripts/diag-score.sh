#!/usr/bin/env bash
# Scores the diagnosis engine on the real-log corpus (tests/diag-logs/real): the held-out
# part per class, the confusion pairs (expected -> read as), how often each confidence level
# is right, and any protection misread (RDP, or another vendor's lock). The fit part is what
# the rules were tuned on; its score is shown for comparison only. Needs ./build
# (scripts/setup.sh) and python3.
#   scripts/diag-score.sh [--all]     --all: list every case, not only the wrong fit ones,
#                                     with the line that decided it (held-out ones
#                                     included); without it held-out cases are only counted,
#                                     so whoever tunes the rules never reads them
#   scripts/diag-score.sh --since REV  the same figures, first for the whole corpus, then for
#                                     the cases added after git revision REV alone: a
#                                     held-out part no rule of REV's time was scored on
set -uo pipefail
cd "$(dirname "$0")/.."
bin=build/tests/unit/diag/diag-score
[ -x "$bin" ] || { echo "diag-score: '$bin' not built; run scripts/setup.sh" >&2; exit 2; }
since=
if [ "${1:-}" = --since ]; then
	since=${2:?"diag-score: --since needs a git revision, e.g. --since main~5"}
	git rev-parse -q --verify "$since^{commit}" >/dev/null ||
		{ echo "diag-score: '$since' is not a git revision; give a commit, tag or branch" >&2; exit 2; }
	set --
fi
out=$(mktemp)
err=$(mktemp)
sub=$(mktemp -d)
trap 'rm -rf "$out" "$err" "$sub"' EXIT
# The binary's own lines (fit failures, protection misreads) are shown as it prints them;
# its count of protection misreads is the one reported.
"$bin" ${1:+"$1"} tests/diag-logs/real >"$out" 2>"$err"
rc=$?
cat "$err" >&2
score() {
python3 - "$1" "$2" "${3:-}" <<'PY'
import sys, collections
# the deciding line, last, is as the log has it: it may hold a tab
rows = [l.rstrip('\n').split('\t', 5) for l in open(sys.argv[1]) if l.strip()]
# diag-score.c's misread check: against the class the thread found, so a protected chip
# whose log shows only its symptom counts when another cause is named for it
rdp = sum('readout-protection misread' in l for l in open(sys.argv[2]))
show_all = sys.argv[3] == '--all'
def pct(a, b): return f'{100 * a / b:5.1f} %' if b else '    -  '
n, r = collections.Counter(), collections.Counter()
cn, cr, kn, kr, pairs = (collections.Counter() for _ in range(5))
for name, part, want, got, conf, line in rows:
    ok = want == got
    n[part] += 1; r[part] += ok
    cn[part, want] += 1; cr[part, want] += ok
    kn[part, conf] += 1; kr[part, conf] += ok
    if not ok:
        pairs[part, want, got] += 1
for part in ('held-out', 'fit'):
    print(f'{part}: {r[part]} of {n[part]} right ({pct(r[part], n[part]).strip()})')
print('\nheld-out per class (right / cases):')
for part, cls in sorted(k for k in cn if k[0] == 'held-out'):
    print(f'  {cls:24} {cr[part, cls]:3} / {cn[part, cls]:<3} {pct(cr[part, cls], cn[part, cls])}')
print('\nconfidence: right / given on held-out | on all:')
for lv in ('high', 'medium', 'low'):
    h, f = ('held-out', lv), ('fit', lv)
    print(f'  {lv:7} {kr[h]:3} / {kn[h]:<3} {pct(kr[h], kn[h])} | {kr[h] + kr[f]:3} / {kn[h] + kn[f]:<3} {pct(kr[h] + kr[f], kn[h] + kn[f])}')
print('\nconfusion pairs (part: expected -> read as: cases):')
for (part, want, got), k in sorted(pairs.items()):
    print(f'  {part}: {want} -> {got}: {k}')
if not pairs:
    print('  none')
print(f'\nprotection misreads either way (RDP, or another vendor\'s lock): {rdp}\n')
hidden = 0
for name, part, want, got, conf, line in rows:
    # a held-out miss is named only with --all: its name says what the log is about
    if part != 'fit' and want != got and not show_all:
        hidden += 1
        continue
    if show_all or want != got:
        print(f"{'ok ' if want == got else 'BAD'} {part:8} {name} {want} -> {got} ({conf})")
        # a held-out log's text is not read while tuning: its deciding line only with --all
        if part == 'fit' or show_all:
            print(f"    decided by: {line or '(no line)'}")
if hidden:
    print(f'{hidden} held-out misses not named here (--all names them, with their lines)')
PY
}
score "$out" "$err" "${1:-}"
[ -n "$since" ] || exit $rc
# The cases whose JSON came after $since, scored alone: link them into a directory of their own.
added=$(git diff --name-only --diff-filter=A "$since" -- 'tests/diag-logs/real/*.json')
n=0
for j in $added; do
	ln -s "$PWD/$j" "$PWD/${j%.json}.log" "$sub/" && n=$((n + 1))
done
echo "== cases added since $since: $n"
[ "$n" -gt 0 ] || exit $rc
"$bin" "$sub" >"$out" 2>"$err" || rc=1
cat "$err" >&2
score "$out" "$err" | sed -n '1,/^confusion pairs/p' | sed '$d'
exit $rc
