# SPDX-License-Identifier: LGPL-2.1-or-later
# tap.sh - TAP helpers for the guest tests (busybox sh). Every t-*.sh sources it.
#
# One numbering runs across all test files: the counter lives in /tmp/tap.count, /init
# creates it and prints the plan ("1..N") after the last file.
#
#   ok DESC                      a pass
#   not_ok DESC [WHY...]         a failure; WHY lines become comments
#   is GOT WANT DESC             ok when the two strings are equal; shows both otherwise
#   like TEXT ERE DESC           ok when TEXT matches the extended regular expression
#   check DESC CMD [ARG...]      ok when CMD succeeds
#   same DESC GOT_FILE WANT_FILE ok when the files are equal; shows the diff otherwise
#   skip DESC                    a skipped check (counts as ok)
#   skip_file REASON             skip the rest of this file; the only sanctioned early exit
#   diag LINE...                 comment lines ("# ...")
#
# A file with the line "# vfiox-backends: all" runs once per VFIO backend of the boot
# (/init: vfiox.backends=type1,iommufd), with VFIOX_BACKEND set; every result of such a
# run says which ("ok 7 - [iommufd] ...").
#
# A file must run to its end (or call skip_file): /init reports a file that exits early,
# dies on a shell error or outlives its time limit as "not ok".

_tap_next() {
	_tap_n=$(($(cat /tmp/tap.count 2>/dev/null || echo 0) + 1))
	echo "$_tap_n" > /tmp/tap.count
}
diag() {
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /'
	return 0
}
ok() {
	_tap_next
	echo "ok $_tap_n - ${VFIOX_BACKEND:+[$VFIOX_BACKEND] }$1"
}
not_ok() {
	_tap_next
	echo "not ok $_tap_n - ${VFIOX_BACKEND:+[$VFIOX_BACKEND] }$1"
	shift
	diag "$@"
}
skip() {
	_tap_next
	echo "ok $_tap_n - ${VFIOX_BACKEND:+[$VFIOX_BACKEND] }# SKIP $1"
}
skip_file() {
	skip "${TAP_FILE:-this file}: $1"
	: > /tmp/tap.done
	exit 0
}
is() {
	if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got:  $1" "want: $2"; fi
}
like() {
	if printf '%s\n' "$1" | grep -qE -- "$2"; then
		ok "$3"
	else
		not_ok "$3" "no match for /$2/ in:"
		diag "$1"
	fi
}
check() {
	_tap_d=$1
	shift
	if "$@"; then ok "$_tap_d"; else not_ok "$_tap_d" "command failed (exit $?): $*"; fi
}
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1" "--- want ($3) +++ got ($2):"
		diag "$(diff "$3" "$2" | sed 1,2d)"
	fi
}
