#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# man/check-man.sh: the manual pages keep up with the code.
#
#   - every public function of include/vfiox/*.h has man/<name>.3, either a page that
#     lists it in NAME and SYNOPSIS or a one-line ".so man3/<page>.3" alias to one;
#   - every man/*.3 names a public function (no page outlives its function);
#   - every vfiox_* / VFIOX_* identifier the pages mention exists in the headers;
#   - every page renders with groff -man -ww (all warnings on) and man --warnings
#     without a single warning;
#   - when $BUILD/vfioctl exists: vfioctl(8) documents every verb and every option that
#     `vfioctl --help` and `vfioctl help VERB` print.
#
# Needs groff-base (groff) and, for the second render, man-db (man).
# Prints one line per problem and ends with "man: N passed, M failed"; exits 1 on failure.
set -u

cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
MAN=$ROOT/man
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'not ok - %s\n' "$*"; }

if ! command -v groff >/dev/null; then
	echo "check-man: groff is missing (Debian: apt-get install groff-base)" >&2
	exit 2
fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
# ".so man3/x.3" is resolved against the current directory, as man(1) does in a tree.
ln -s "$MAN" "$tmp/man3"

# ---------------------------------------------------------------- public functions
# Prototypes start at column 0 with a return type; the name is followed by '('.
# (typedef'd function pointers, "(*vfiox_log_fn)(", do not match.)
funcs=$(grep -hoE '^[a-z][^(;]*[ *]vfiox_[a-z0-9_]+\(' "$ROOT"/include/vfiox/*.h |
	grep -oE 'vfiox_[a-z0-9_]+\($' | tr -d '(' | sort -u)
if [ -z "$funcs" ]; then
	bad "no public function found in include/vfiox/*.h (did the headers move?)"
fi

# The text of the NAME section with the lines joined, and the page an alias points to.
name_section() {
	sed -n '/^\.SH NAME/,/^\.SH/{/^\.SH/d;p}' "$1" | tr '\n' ' '
}
so_target() {
	sed -n '1{s|^\.so man3/\(.*\)$|\1|p}' "$1"
}

for f in $funcs; do
	page=$MAN/$f.3
	if [ ! -f "$page" ]; then
		bad "$f has no man/$f.3 (write a page, or a one-line '.so man3/<page>.3' alias)"
		continue
	fi
	target=$(so_target "$page")
	if [ -n "$target" ]; then
		if [ "$(wc -l <"$page")" -ne 1 ]; then
			bad "man/$f.3: an alias page holds only its .so line"
			continue
		fi
		if [ ! -f "$MAN/$target" ]; then
			bad "man/$f.3: .so target man/$target does not exist"
			continue
		fi
		if [ -n "$(so_target "$MAN/$target")" ]; then
			bad "man/$f.3: .so target man/$target is itself an alias"
			continue
		fi
		page=$MAN/$target
	fi
	if ! name_section "$page" | grep -qE "(^|[ ,])$f(,| |\\\\-)"; then
		bad "$f is not listed in the NAME section of man/${page##*/}"
		continue
	fi
	if ! sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' "$page" | grep -qE "[ *]$f\("; then
		bad "$f has no prototype in the SYNOPSIS of man/${page##*/}"
		continue
	fi
	ok
done

# Pages for functions that are gone.
for page in "$MAN"/*.3; do
	[ -e "$page" ] || continue
	n=${page##*/}
	n=${n%.3}
	if grep -qxF "$n" <<<"$funcs"; then
		ok
	else
		bad "man/$n.3 documents $n, which no public header declares (remove or rename it)"
	fi
done

# ---------------------------------------------------------------- identifiers
# Every vfiox_*/VFIOX_* name in the pages must exist in the headers (functions, types,
# enumerators, macros, and the environment variables the headers document).
known=$(grep -ohE '\b(vfiox_[a-z0-9_]+|VFIOX_[A-Z0-9_]+)' "$ROOT"/include/vfiox/*.h | sort -u)
unknown=$(cat "$MAN"/*.[1-8] | grep -v "^\.TH " | grep -ohE '\b(vfiox_[a-z0-9_]+|VFIOX_[A-Z0-9_]+)' | sort -u |
	grep -vxF -f <(printf '%s\n' "$known") || true)
if [ -n "$unknown" ]; then
	bad "the pages mention names the headers do not have: ${unknown//$'\n'/ }"
else
	ok
fi

# ---------------------------------------------------------------- rendering
for page in "$MAN"/*.[1-8]; do
	[ -e "$page" ] || continue
	out=$(cd "$tmp" && LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$page" 2>&1)
	if [ -n "$out" ]; then
		bad "groff -man -ww man/${page##*/}: $out"
		continue
	fi
	if command -v man >/dev/null; then
		out=$(cd "$tmp" && LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
		if [ -n "$out" ]; then
			bad "man --warnings -l man/${page##*/}: $out"
			continue
		fi
	fi
	ok
done
command -v man >/dev/null || echo "# man(1) not installed (Debian: man-db): rendered with groff only"

# ---------------------------------------------------------------- vfioctl(8) vs the CLI
if [ -x "$BUILD/vfioctl" ] && [ -f "$MAN/vfioctl.8" ]; then
	usage=$("$BUILD/vfioctl" --help 2>&1)
	verbs=$(sed -n '/^Verbs:/,/^$/{/^  [a-z]/{s/^  \([a-z-]*\).*/\1/p}}' <<<"$usage")
	[ -n "$verbs" ] || bad "could not read the verbs from 'vfioctl --help'"
	for v in $verbs; do
		# A hyphen in the verb may be written \- in the page, as it should be.
		if grep -qE "^\.SS \"?${v//-/'\\?-'}( |\"|$)" "$MAN/vfioctl.8"; then ok; else
			bad "vfioctl(8) has no '.SS $v' section for the verb $v"
		fi
		helptext=$usage
		[ "$v" = help ] || helptext=$("$BUILD/vfioctl" help "$v" 2>&1)
		for o in $(grep -oE -- '--[a-z][a-z-]+' <<<"$helptext" | sort -u); do
			if grep -qF -- "${o//-/\\-}" "$MAN/vfioctl.8"; then ok; else
				bad "vfioctl(8) does not document $o (printed by 'vfioctl help $v')"
			fi
		done
	done
else
	echo "# $BUILD/vfioctl not built: skipped comparing vfioctl(8) with the CLI's help"
fi

echo "man: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
