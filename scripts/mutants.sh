#!/usr/bin/env bash
# Mutation testing of the library with cargo-mutants.
#
#   scripts/mutants.sh                          # every mutant in the library
#   scripts/mutants.sh --file src/ledger.rs     # one file
#   scripts/mutants.sh -j 1 --file 'src/money/*.rs' --file src/rule.rs
#   scripts/mutants.sh -o mutants.out-ledger --file src/ledger.rs   # results elsewhere
#   MUTANTS_TESTS="reconcile settle" scripts/mutants.sh --file src/settle.rs  # those tests only
#
# Any cargo-mutants option passes through; --timeout and --jobs get defaults
# when not given. Exclusions live in .cargo/mutants.toml. Only the library
# package (dojo-capture, the repository root) is mutated; the command-line
# package in cli/ is not. Each mutant is built and tested with every
# integration test in tests/*.rs except compile_fail (trybuild: slow, and a
# code mutant cannot change which calls compile); spec_examples is included,
# since the specs it reads are vendored in tests/data/, inside the tree
# cargo-mutants copies. Results go to mutants.out/ (or DIR/mutants.out with
# -o DIR). At the end it prints the counts and exits non-zero when a mutant
# was missed or timed out, or when cargo-mutants itself failed.
set -euo pipefail
cd "$(dirname "$0")/.."

# The version whose mutants .cargo/mutants.toml was written against.
readonly version=27.1.0

# Whether the caller gave an option, as -s, -sVALUE, --long or --long=VALUE.
given() {
    local short=$1 long=$2 arg
    shift 2
    for arg in "$@"; do
        [[ $arg == -- ]] && return 1
        [[ $arg == "$long" || $arg == "$long="* ]] && return 0
        [[ -n $short && ($arg == "$short" || $arg == "$short"?*) ]] && return 0
    done
    return 1
}

# How many mutants a result file lists.
count() {
    if [[ -f $1 ]]; then
        grep -c . "$1" || true
    else
        echo 0
    fi
}

# The whole run is one function, read before any of it runs: editing this
# file during a long run cannot change the run.
main() {
    if ! cargo mutants --version >/dev/null 2>&1; then
        cargo install --locked cargo-mutants --version "$version"
    fi

    # Listing and help run nothing, so they need neither defaults nor counts.
    local flag
    for flag in --list --list-files --version --help -h --completions --Zmutate-file; do
        if given "" "$flag" "$@"; then
            exec cargo mutants "$@"
        fi
    done

    local defaults=()
    # A mutant that loops forever is a timeout, not a hang. The tests take
    # about 15 s (most of it the model test's random sequences); this leaves
    # room for a loaded machine. The limit is on each mutant's whole test
    # run (every test binary): past it, cargo-mutants stops the run's
    # process group (SIGTERM) and lists the mutant in timeout.txt (its exit
    # code 3), which the end of this script prints and counts as a failure.
    # A test should still fail rather than wait for the limit: one stuck
    # mutant costs a minute, and a timeout says less than a failure's
    # message (tests/storage_race.rs bounds its retries and its barriers).
    if ! given -t --timeout "$@" && ! given "" --timeout-multiplier "$@" &&
        ! given "" --minimum-test-timeout "$@"; then
        defaults+=(--timeout 60)
    fi
    # Two build directories: one mutant builds while the other's tests run.
    given -j --jobs "$@" || defaults+=(--jobs 2)

    # The integration tests, found afresh each run so that new files are
    # included. Given to every cargo command (not only `cargo test`), so that
    # compile_fail is not even built for each mutant, nor the lib unit-test
    # harness, whose only tests cover a module left out of mutation.
    # MUTANTS_TESTS="reconcile settle …" restricts them, for a quicker run
    # aimed at a few files: a mutant it misses may be one another test
    # catches, so only a run of them all proves a survivor.
    local tests=() file name
    for file in tests/*.rs; do
        name=$(basename "$file" .rs)
        if [[ -n ${MUTANTS_TESTS:-} && " $MUTANTS_TESTS " != *" $name "* ]]; then
            continue
        fi
        case "$name" in
            compile_fail) ;;
            *) tests+=("--cargo-arg=--test=$name") ;;
        esac
    done

    # Where the results go: cargo-mutants writes DIR/mutants.out.
    local args=("$@") out=. i
    for ((i = 0; i < ${#args[@]}; i++)); do
        case "${args[i]}" in
            --) break ;;
            -o | --output) out=${args[i + 1]:-.} ;;
            --output=*) out=${args[i]#--output=} ;;
            -o?*) out=${args[i]#-o} ;;
        esac
    done
    out=$out/mutants.out

    # Each mutant rebuilds the library and links every test binary: without
    # debug info both go faster, and a failing test's message is all that matters.
    export CARGO_PROFILE_DEV_DEBUG=${CARGO_PROFILE_DEV_DEBUG:-0}
    export CARGO_PROFILE_TEST_DEBUG=${CARGO_PROFILE_TEST_DEBUG:-0}

    # Property tests replay the failures committed in proptest-regressions/
    # (fixed inputs, part of the tests) but save no new one. cargo-mutants
    # copies the tree once per job and tests mutant after mutant in that
    # copy, so a failure proptest saved there under one mutant would be
    # replayed under every later one, and make mutants the tests cannot
    # catch look caught. tests/common's proptest_config reads this variable;
    # every property test under tests/ takes its settings from there.
    # Neither proptest's own PROPTEST_DISABLE_FAILURE_PERSISTENCE (it stops
    # the replay of the committed files too) nor leaving the files out of
    # the copy (the same, and proptest would still write new ones) would do.
    export DOJO_CAPTURE_PROPTEST_REPLAY_ONLY=1
    # The simulation's 10,000 runs take over a minute; a mutant that breaks
    # settling breaks it within a few hundred, and the time limit is per
    # mutant.
    export SIMULATION_RUNS=${SIMULATION_RUNS:-300}

    local start=$SECONDS status=0
    cargo mutants ${defaults[@]+"${defaults[@]}"} "${tests[@]}" "$@" || status=$?
    local elapsed=$((SECONDS - start))

    # cargo-mutants exits 2 when a mutant was missed and 3 when one timed out;
    # anything else but 0 (a failing baseline, a bad option) means no results.
    case $status in
        0 | 2 | 3) ;;
        *)
            echo "cargo mutants failed (exit $status) after ${elapsed}s" >&2
            exit "$status"
            ;;
    esac

    local caught missed unviable timeout total
    caught=$(count "$out/caught.txt")
    missed=$(count "$out/missed.txt")
    unviable=$(count "$out/unviable.txt")
    timeout=$(count "$out/timeout.txt")
    total=$((caught + missed + unviable + timeout))

    echo
    echo "mutants: $total total, $caught caught, $missed missed, $unviable unviable, $timeout timeout" \
        "($((elapsed / 60))m $((elapsed % 60))s)"
    if ((missed > 0)); then
        echo "missed (add a test, or list an equivalent mutant in .cargo/mutants.toml with its reason):"
        sed 's/^/  /' "$out/missed.txt"
    fi
    if ((timeout > 0)); then
        echo "timed out:"
        sed 's/^/  /' "$out/timeout.txt"
    fi
    if ((missed > 0 || timeout > 0 || status != 0)); then
        exit 1
    fi
}

main "$@"
