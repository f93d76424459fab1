//! The baseline of `scripts/audit_throughput.sh`: reads a JSON Lines file
//! as `dojo-capture audit` reads it (a 64 KiB buffer, one line at a time)
//! and parses each line with `serde_json` into `serde::de::IgnoredAny`,
//! which checks the JSON and keeps nothing. Prints the lines, the bytes
//! and how many lines were not JSON.
//!
//! ```sh
//! cargo run --release --example ignored_any -- history.jsonl
//! ```

use std::io::{BufRead, BufReader};
use std::process::ExitCode;

use serde::de::IgnoredAny;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: ignored_any FILE.jsonl");
        return ExitCode::from(2);
    };
    let file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(error) => {
            eprintln!("ignored_any: {path}: {error}");
            return ExitCode::from(2);
        }
    };
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut line = Vec::new();
    let (mut lines, mut bytes, mut not_json) = (0_u64, 0_u64, 0_u64);
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(read) => bytes += read as u64,
            Err(error) => {
                eprintln!("ignored_any: {path}: {error}");
                return ExitCode::from(2);
            }
        }
        lines += 1;
        if serde_json::from_slice::<IgnoredAny>(&line).is_err() {
            not_json += 1;
        }
    }
    println!("{lines} lines, {bytes} bytes, {not_json} not JSON");
    ExitCode::SUCCESS
}
