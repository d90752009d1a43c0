#!/bin/bash
# Static checks of the systemd units in systemd/:
#  1. `systemd-analyze verify` prints nothing (it exits 0 even on unknown keys, so any output fails);
#  2. `systemd-analyze security --offline=true` scores 2.5 or better ("OK" or "SAFE").
# The template is checked through an instance copy (tiffshard@test.service).
# verify wants the ExecStart= binaries to exist; instead of installing a fake /usr/local/bin/tiffshard
# we verify under --root= in a temp tree holding a stub binary and a copy of the distribution units.
# Usage: Tests/systemd/check-units.sh [UNIT_DIR]   (default: systemd/ next to Tests/)
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
units=${1:-$here/../../systemd}
max_score=2.5
failed=0

if ! command -v systemd-analyze >/dev/null; then
    echo "SKIP: systemd-analyze not found" >&2
    exit 0
fi

root=$(mktemp -d /tmp/tiffshard-units.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/local/bin" "$root/bin" "$root/usr/bin" "$root/etc/systemd/system" "$root/usr/lib/systemd"
printf '#!/bin/sh\nexit 0\n' >"$root/usr/local/bin/tiffshard"
chmod 755 "$root/usr/local/bin/tiffshard"
cp "$(readlink -f /bin/kill)" "$root/bin/kill"
cp -a /lib/systemd/system "$root/usr/lib/systemd/system"

check() { # check NAME FILE: verify + security of one unit, installed under $root as NAME
    local name=$1 file=$2 out score
    cp "$file" "$root/etc/systemd/system/$name"

    out=$(systemd-analyze verify --root="$root" --man=no "$name" 2>&1)
    if [[ -n $out ]]; then
        echo "FAIL verify $name:"; echo "$out" | sed 's/^/    /'; failed=1
    else
        echo "ok   verify $name: no output"
    fi

    out=$(systemd-analyze security --offline=true --no-pager "$root/etc/systemd/system/$name" 2>&1)
    score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out" | tail -n 1)
    if [[ -z $score ]]; then
        echo "FAIL security $name: no score in output:"; echo "$out" | tail -n 5 | sed 's/^/    /'; failed=1
    elif awk -v s="$score" -v m="$max_score" 'BEGIN { exit !(s > m) }'; then
        echo "FAIL security $name: exposure $score > $max_score"
        grep '✗' <<<"$out" | sed 's/^/    /'; failed=1
    else
        echo "ok   security $name: exposure $score <= $max_score"
    fi
}

check tiffshard.service "$units/tiffshard.service"
check tiffshard@test.service "$units/tiffshard@.service"

if ((failed)); then echo "check-units: FAILED"; exit 1; fi
echo "check-units: all passed"
