#![no_main]
//! Thin wrapper: the properties are `dojo_capture_fuzz::audit_line`'s,
//! shared with the main crate's corpus replay test.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dojo_capture_fuzz::audit_line(data));
