#!/usr/bin/env bash
# What watching a search costs it. Runs the same noop search ROUNDS times alone and ROUNDS times watched,
# alternating, each in a fresh store. Watched: `forage dashboard` serves the store and a loop polls it the way two
# open dashboard tabs do (the experiment's page and the experiment list): every POLL seconds, ask each page's version
# endpoint, and fetch that page's body only when the version changed. Prints each run's elapsed time as the store
# recorded it (first trial to last), the medians, what the poller fetched and the CPU the dashboard used.
#   Usage: docs/dashboard-load.sh [TRIALS] [POLL_SECONDS] [ROUNDS]   (from the repository, after `swift build -c release`)
set -euo pipefail
forage=${FORAGE:-$PWD/.build/release/forage}
trials=${1:-50000} every=${2:-1} rounds=${3:-3}
spec=$PWD/Experiments/noop-100k.yaml
name=noop-100k
work=$(mktemp -d)
dashboard_pid=""
cleanup() {
  if [ -n "$dashboard_pid" ]; then kill "$dashboard_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

elapsed() { "$forage" status "$name" --store "$1" --format json | sed -n 's/^  "elapsed_s" : \([0-9.e+-]*\).*/\1/p'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

polls=0 pages=0 errors=0
# poll VERSION_PATH FRAGMENT_PATH VARIABLE: asks the version; fetches the body when it differs from $VARIABLE.
poll() {
  local version
  if ! version=$(curl -sf "$base$1" | sed -n 's/.*"version":"\([^"]*\)".*/\1/p'); then errors=$((errors + 1)); return; fi
  polls=$((polls + 1))
  if [ "$version" != "${!3}" ]; then
    printf -v "$3" '%s' "$version"
    if curl -sf -o /dev/null "$base$2"; then pages=$((pages + 1)); else errors=$((errors + 1)); fi
  fi
}

run_alone() {
  "$forage" run "$spec" --trials "$trials" --store "$work/alone$round" >/dev/null
  alone+=("$(elapsed "$work/alone$round")")
}

# One watched run. The dashboard needs the store to exist, so it starts once the run has created it.
run_watched() {
  "$forage" run "$spec" --trials "$trials" --store "$work/watched$round" >/dev/null &
  run_pid=$!
  while [ ! -f "$work/watched$round/forage.sqlite" ]; do sleep 0.01; done
  out=$work/dashboard$round.out
  "$forage" dashboard --store "$work/watched$round" --port 0 >"$out" 2>&1 &
  dashboard_pid=$!
  while ! grep -q 'http://' "$out" 2>/dev/null; do
    kill -0 "$dashboard_pid" 2>/dev/null || { cat "$out"; exit 1; }
    sleep 0.01
  done
  base=$(grep -o 'http://127.0.0.1:[0-9]*' "$out")
  page_version="" list_version=""
  while kill -0 "$run_pid" 2>/dev/null; do
    poll "/api/experiments/$name/version" "/experiments/$name?fragment=1" page_version
    poll "/api/experiments/version" "/?fragment=1" list_version
    sleep "$every"
  done
  wait "$run_pid"
  # CPU the dashboard used (user + system) while the search ran.
  cpu+=("$(awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$dashboard_pid/stat")")
  kill "$dashboard_pid" 2>/dev/null || true
  wait "$dashboard_pid" 2>/dev/null || true
  dashboard_pid=""
  watched+=("$(elapsed "$work/watched$round")")
}

# Rounds alternate which run goes first, so a change in the machine's load does not favour one side.
alone=() watched=() cpu=() ratios=()
for round in $(seq "$rounds"); do
  if [ $((round % 2)) = 1 ]; then run_alone; run_watched; else run_watched; run_alone; fi
  ratios+=("$(echo "${watched[-1]} / ${alone[-1]}" | bc -l)")
  printf 'round %d: alone %.2f s, watched %.2f s, ratio %.2f (dashboard CPU %.2f s)\n' \
    "$round" "${alone[-1]}" "${watched[-1]}" "${ratios[-1]}" "${cpu[-1]}"
done

a=$(median "${alone[@]}") w=$(median "${watched[@]}")
printf 'noop search, %d trials, 2 slots, median of %d rounds (elapsed as the store recorded it)\n' "$trials" "$rounds"
printf '  alone:   %6.2f s  (%.0f trials/s)\n' "$a" "$(echo "$trials / $a" | bc -l)"
printf '  watched: %6.2f s  (%.0f trials/s)\n' "$w" "$(echo "$trials / $w" | bc -l)"
printf '  watched / alone: %.3f (ratio of the medians); median of the rounds'"'"' ratios: %.3f\n' "$(echo "$w / $a" | bc -l)" \
  "$(median "${ratios[@]}")"
printf '  poller, every %s s: %d version polls, %d page bodies, %d errors; dashboard CPU median %.2f s per run\n' \
  "$every" "$polls" "$pages" "$errors" "$(median "${cpu[@]}")"
printf '  load: %s\n' "$(uptime | sed 's/.*load average/load average/')"
