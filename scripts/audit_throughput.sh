#!/usr/bin/env bash
# The audit's throughput and peak memory on generated histories of a million
# lines and more, against the baseline of goal 5 (docs/performance.md,
# "Audit throughput"): the same file read line by line and parsed by
# serde_json into serde::de::IgnoredAny (examples/ignored_any.rs).
#
#   scripts/audit_throughput.sh            # the three histories below
#   ROUNDS=5 scripts/audit_throughput.sh   # more runs of each (the fastest counts)
#   SIGNED=1 scripts/audit_throughput.sh   # and a signed history audited with its secret
#   HISTORIES="4000000 10000 mixed" scripts/audit_throughput.sh   # others ("LINES INTENTS
#                                          # mixed|signed|unsigned", separated by ";")
#   AUDIT_BIN=/path/to/dojo-capture scripts/audit_throughput.sh   # another build of the audit
#
# Each history is generated (examples/gen_history.rs, deterministic) into a
# temporary directory, removed at the end (AUDIT_TMP chooses its parent).
# Both programs are whole release processes reading the same file from the
# page cache, run in alternation; each is timed by wall clock, and its peak
# resident memory read from /usr/bin/time (`apt-get install -y time`) or
# getrusage. The goal: a ratio of at
# least 0.8, and the audit's memory about the same for 1M and 2M lines of
# 10,000 intents, larger for 20,000 intents.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-3}
if [ -n "${HISTORIES:-}" ]; then
    IFS=';' read -r -a histories <<<"$HISTORIES"
else
    histories=("1000000 10000 mixed" "2000000 10000 mixed" "1000000 20000 mixed")
fi
if [ -n "${SIGNED:-}" ]; then
    histories+=("1000000 10000 signed")
fi

cargo build -q --release -p dojo-capture-cli --bin dojo-capture
cargo build -q --release --example gen_history --example ignored_any
target=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
audit_bin=${AUDIT_BIN:-"$target/release/dojo-capture"}
gen_bin="$target/release/examples/gen_history"
base_bin="$target/release/examples/ignored_any"

work=$(mktemp -d "${AUDIT_TMP:-${TMPDIR:-/tmp}}/audit-throughput.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Runs a command (output to /dev/null) and prints "WALL_SECONDS PEAK_RSS_KB".
# The peak comes from /usr/bin/time when it is installed; otherwise from a
# fresh Python's getrusage(RUSAGE_CHILDREN), which also counts the memory
# of the forked Python before it executes the command (several MiB more).
measure() {
    python3 - "$@" <<'PY'
import os, resource, subprocess, sys, tempfile, time
command = sys.argv[1:]
peak_file = None
if os.access("/usr/bin/time", os.X_OK):
    fd, peak_file = tempfile.mkstemp()
    os.close(fd)
    command = ["/usr/bin/time", "-f", "%M", "-o", peak_file] + command
start = time.perf_counter()
status = subprocess.run(command, stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
if status not in (0, 1):  # the audit exits 1 when it finds something
    sys.exit(f"{sys.argv[1]} exited with {status}")
if peak_file:
    with open(peak_file) as f:
        peak = int(f.read().split()[-1])
    os.unlink(peak_file)
else:
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{wall:.4f} {peak}")
PY
}

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rounds: $rounds (the fastest run of each program counts); audit: $audit_bin"
echo

rows=()
for history in "${histories[@]}"; do
    read -r lines intents webhooks <<<"$history"
    file="$work/history-$lines-$intents-$webhooks.jsonl"
    "$gen_bin" --lines "$lines" --intents "$intents" --webhooks "$webhooks" >"$file" 2>"$file.stats"
    bytes=$(stat -c %s "$file")
    echo "generated $lines lines, $intents intents ($webhooks deliveries): $(cat "$file.stats")"
    audit_cmd=("$audit_bin" audit "$file")
    if [ "$webhooks" = signed ]; then
        export DOJO_WEBHOOK_SECRETS=ws_generated_history_only
        audit_cmd+=(--secrets-env DOJO_WEBHOOK_SECRETS)
    fi
    echo "  audit: $("${audit_cmd[@]}" | grep '^summary' || true)"
    best_audit="" best_base="" rss_audit=0 rss_base=0
    for _ in $(seq "$rounds"); do
        read -r wall rss < <(measure "$base_bin" "$file")
        if [ -z "$best_base" ] || python3 -c "import sys; sys.exit(not $wall < $best_base)"; then best_base=$wall; fi
        [ "$rss" -gt "$rss_base" ] && rss_base=$rss
        read -r wall rss < <(measure "${audit_cmd[@]}")
        if [ -z "$best_audit" ] || python3 -c "import sys; sys.exit(not $wall < $best_audit)"; then best_audit=$wall; fi
        [ "$rss" -gt "$rss_audit" ] && rss_audit=$rss
    done
    rows+=("$lines $intents $webhooks $bytes $best_audit $best_base $rss_audit $rss_base")
    rm -f "$file" "$file.stats"
done

echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "${rows[@]}" <<'PY'
import sys
print("| lines | intents | deliveries | MB | audit MB/s | baseline MB/s | ratio (goal ≥ 0.8) | audit peak RSS | baseline peak RSS |")
print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
for row in sys.argv[1:]:
    lines, intents, webhooks, size, audit, base, rss_audit, rss_base = row.split()
    mb = int(size) / 1e6
    audit_mbs, base_mbs = mb / float(audit), mb / float(base)
    print(f"| {int(lines):,} | {int(intents):,} | {webhooks} | {mb:,.0f} | {audit_mbs:,.0f} | "
          f"{base_mbs:,.0f} | {audit_mbs / base_mbs:.2f} | {int(rss_audit) / 1024:,.1f} MiB | "
          f"{int(rss_base) / 1024:,.1f} MiB |")
PY
