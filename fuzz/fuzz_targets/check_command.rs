#![no_main]
//! Thin wrapper: the properties are `dojo_capture_fuzz::check_command`'s,
//! shared with the main crate's corpus replay test.

use dojo_capture_fuzz::CheckInput;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: CheckInput| dojo_capture_fuzz::check_command(&input));
