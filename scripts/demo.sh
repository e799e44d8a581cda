#!/usr/bin/env bash
# Creates a small demo self-review (once) and shows its status: what `make run` does until the
# desktop app lands.
set -euo pipefail
waymark=$1
dir=$2
w() { "$waymark" --data-dir "$dir" --as "Demo" "$@"; }
if [[ ! -f "$dir/waymark.sqlite3" ]]; then
  w init --framework computing-quality --institution "Ysgol Gynradd Llanfair" --phase primary >/dev/null
  w set 1.1 --level 3 --commentary "Our computing vision is agreed with governors and reviewed each summer." >/dev/null
  w set 1.2 --level 2 --commentary "The computing lead monitors planning termly; book looks started this year." >/dev/null
  w set 2.1 --level 3 --commentary "We follow a full progression of units from Reception to Year 6." >/dev/null
  w actions add "Run a pupil voice survey on computing" --owner "Computing lead" --due 2027-03-31 --benchmark 1.2 >/dev/null
fi
w status
echo
echo "Demo data folder: $dir (try: target/debug/waymark --data-dir $dir --help)"
