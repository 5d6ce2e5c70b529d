# SPDX-License-Identifier: GPL-2.0-or-later
# cli-tap.sh NAME - sourced by the CLI tests (tests/unit/test-*.sh): finds $vfioctl and
# $mkfixture under $BUILD (building mkfixture when missing), makes a work directory that
# goes on exit, and gives TAP helpers and `run`.
#
#   ok DESC                 a pass
#   not_ok DESC [WHY...]    a failure; each WHY becomes a comment line
#   bail WHY                stop here, counted as one more failure
#   run ARGS...             runs vfioctl; stdout in $out, stderr in $err, status in $rc
#   finish                  prints the plan and "N passed, M failed"; exits 1 on a failure
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
vfioctl=$build/vfioctl
mkfixture=$build/tests/mkfixture

work=$(mktemp -d "${TMPDIR:-/tmp}/vfiox-$1.XXXXXX")
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
n=0
ok() {
	n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"
}
not_ok() {
	local d=$1; shift
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $d"
	local l; for l in "$@"; do echo "#   $l"; done
}
bail() {
	echo "Bail out! $*"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
}
finish() {
	echo "1..$n"
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

command -v jq >/dev/null || bail "jq is not installed (apt-get install jq)"
[ -x "$vfioctl" ] || bail "$vfioctl is missing: run make first"
if [ ! -x "$mkfixture" ]; then
	mkfixture=$work/mkfixture
	${CC:-cc} -std=gnu11 -O2 -I"$top/tests/unit" -o "$mkfixture" \
		"$top/tests/unit/mkfixture.c" "$top/tests/unit/fixture.c" ||
		bail "cannot build mkfixture"
fi

out=$work/stdout
err=$work/stderr
rc=0
run() {
	"$vfioctl" "$@" > "$out" 2> "$err"
	rc=$?
}
