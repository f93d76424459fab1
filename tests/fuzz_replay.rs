//! Replays every committed fuzz input through the fuzz targets' own
//! properties, so that a plain `cargo test` (no fuzzing toolchain, stable
//! Rust) proves the seed corpus still passes and no minimised crash comes
//! back.
//!
//! The properties are `fuzz/src/lib.rs`, included by path: the same code the
//! fuzz targets run, so the replay cannot drift from what was fuzzed. Inputs
//! live in `fuzz/corpus/<target>/` (seeds) and `fuzz/regressions/<target>/`
//! (crashes found and fixed, minimised with `cargo fuzz tmin`).

#[path = "../fuzz/src/lib.rs"]
mod fuzz;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// The inputs of one target, from both folders; a missing regressions
/// folder just means no crash has been found for that target yet.
fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for folder in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("listing a fuzz input folder").path();
            if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Runs `property` on every input of `target` and reports each failing file
/// by name, not just the first one.
fn replay(target: &str, property: fn(&[u8])) {
    let files = inputs(target);
    // An empty or misplaced corpus must fail, not pass by checking nothing.
    assert!(
        !files.is_empty(),
        "no inputs for {target} in fuzz/corpus/{target}/ or fuzz/regressions/{target}/"
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let data = std::fs::read(path).expect("reading a fuzz input");
            catch_unwind(AssertUnwindSafe(|| property(&data)))
                .err()
                .map(|_| path.display().to_string())
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} {target} inputs violate a property (messages above): {failures:#?}",
        failures.len(),
        files.len()
    );
    println!("{target}: {} inputs replayed", files.len());
}

#[test]
fn wire_rehydrate_inputs_hold() {
    replay("wire_rehydrate", fuzz::wire_rehydrate);
}

#[test]
fn money_parse_inputs_hold() {
    replay("money_parse", fuzz::money_parse);
}

#[test]
fn op_sequence_inputs_hold() {
    replay("op_sequence", fuzz::op_sequence_bytes);
}

#[test]
fn check_command_inputs_hold() {
    replay("check_command", fuzz::check_command_bytes);
}

#[test]
fn record_answer_inputs_hold() {
    replay("record_answer", fuzz::record_answer_bytes);
}

#[test]
fn stored_intent_inputs_hold() {
    replay("stored_intent", fuzz::stored_intent);
}

#[test]
fn webhook_verify_inputs_hold() {
    replay("webhook_verify", fuzz::webhook_verify);
}

#[test]
fn audit_line_inputs_hold() {
    replay("audit_line", fuzz::audit_line);
}
