#![no_main]
//! Thin wrapper: the properties are `dojo_capture_fuzz::record_answer`'s,
//! shared with the main crate's corpus replay test.

use dojo_capture_fuzz::RecordAnswerInput;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: RecordAnswerInput| dojo_capture_fuzz::record_answer(&input));
