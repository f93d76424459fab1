#![no_main]
//! Thin wrapper: the properties are `dojo_capture_fuzz::op_sequence`'s,
//! shared with the main crate's corpus replay test.

use dojo_capture_fuzz::OpSequence;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: OpSequence| dojo_capture_fuzz::op_sequence(&input));
