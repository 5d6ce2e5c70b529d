#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-json.sh CONSOLE_LOG - validate the JSON documents a guest printed for real against
# their schemas in man/schemas (vfioctl-json(7)).
#
# tests/vm/guest/t-93-json.sh prints each document between the lines
#   VFIOX-JSON-BEGIN SCHEMA-FILE LABEL
#   VFIOX-JSON-END
# which the guest's /init turns into comments ("#   " in front of every line); the serial
# console ends lines with \r\n. Each framed document is validated with
# tests/unit/validate-schema.py against man/schemas/SCHEMA-FILE (monitor-event as JSON
# Lines, one event per line). One TAP line per document, then the plan and a summary.
# Exit 0 when every document is valid, 1 when one is not, a frame is not closed, a schema
# file is missing or no document was found at all, 2 on a usage error.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sch=$top/man/schemas
py=$top/tests/unit/validate-schema.py

[ $# = 1 ] || { echo "usage: check-json.sh CONSOLE_LOG" >&2; exit 2; }
log=$1
[ -r "$log" ] || { echo "check-json: cannot read $log" >&2; exit 2; }
python3 -c 'import jsonschema' 2> /dev/null || {
	echo "Bail out! python3-jsonschema is not installed (apt-get install python3-jsonschema)"
	exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Split the console into $work/N.json, one per frame, and $work/index: "N SCHEMA-FILE
# closed|open LABEL" (open: the console ended, or another frame began, before the END).
tr -d '\r' < "$log" | awk -v dir="$work" '
	function finish(state) {
		if (n) { close(f); printf "%d %s %s %s\n", n, schema, state, label > (dir "/index") }
		inside = 0
	}
	{
		line = $0
		sub(/^\033\[[0-9;?]*[A-Za-z]/, "", line)
		# only lines of the guest files (TAP and kernel messages have no prefix)
		if (sub(/^#   /, "", line) == 0) next
		if (line ~ /^VFIOX-JSON-BEGIN /) {
			if (inside) finish("open")
			n++
			f = dir "/" n ".json"
			split(line, w, " ")
			schema = w[2]
			label = line
			sub(/^VFIOX-JSON-BEGIN [^ ]+ ?/, "", label)
			printf "" > f
			inside = 1
			next
		}
		if (!inside) next
		if (line == "VFIOX-JSON-END") { finish("closed"); next }
		print line > f
	}
	END { if (inside) finish("open") }'

total=0
failed=0
: > "$work/seen"
if [ -s "$work/index" ]; then
	while read -r n schema state label; do
		total=$((total + 1))
		echo "${schema%.schema.json}" >> "$work/seen"
		desc="$schema: $label"
		if [ "$state" != closed ]; then
			echo "not ok $total - $desc"
			echo "# the frame has no VFIOX-JSON-END (the console was cut, or the guest died)"
			failed=$((failed + 1))
			continue
		fi
		if [ ! -e "$sch/$schema" ]; then
			echo "not ok $total - $desc"
			echo "# no such schema: man/schemas/$schema"
			failed=$((failed + 1))
			continue
		fi
		if ! grep -q '[^[:space:]]' "$work/$n.json"; then
			echo "not ok $total - $desc"
			echo "# the frame is empty: the command printed no document"
			failed=$((failed + 1))
			continue
		fi
		lines=
		[ "$schema" = monitor-event.schema.json ] && lines=--lines
		if why=$(python3 "$py" "$sch/$schema" "$work/$n.json" $lines 2>&1); then
			echo "ok $total - $desc"
		else
			echo "not ok $total - $desc"
			printf '%s\n' "$why" | sed 's/^/# /'
			echo "# the document:"
			head -c 2000 "$work/$n.json" | sed 's/^/#   /'
			echo
			failed=$((failed + 1))
		fi
	done < "$work/index"
fi

if [ "$total" = 0 ]; then
	echo "not ok 1 - $log holds no framed JSON document (VFIOX-JSON-BEGIN): did t-93-json.sh run?"
	echo "1..1"
	exit 1
fi
echo "1..$total"
missing=
for s in "$sch"/*.schema.json; do
	s=${s##*/}
	s=${s%.schema.json}
	grep -qx "$s" "$work/seen" || missing="$missing $s"
done
echo "# $total documents of $(sort -u "$work/seen" | wc -l) schemas," \
	"$((total - failed)) valid, $failed not${missing:+; no real document of:$missing}"
[ "$failed" = 0 ]
