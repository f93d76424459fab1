//! The audit's throughput against its baseline, in one group: a generated
//! history (100,000 lines of 1,000 interleaved intents, held in memory)
//! audited line by line, and the same lines parsed by `serde_json` into
//! `serde::de::IgnoredAny`, which checks the JSON and keeps nothing.
//! The goal (docs/performance.md, "Audit throughput") is at least 0.8× the
//! baseline's bytes per second; `scripts/audit_throughput.sh` measures the
//! same on whole processes and files of a million lines.
//!
//! ```sh
//! cargo bench --bench audit
//! ```

#[path = "../examples/support/history.rs"]
mod history;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use dojo_capture::audit::Auditor;
use serde::de::IgnoredAny;

const LINES: u64 = 100_000;
const INTENTS: u64 = 1_000;

fn lines(history: &[u8]) -> impl Iterator<Item = &[u8]> {
    history
        .strip_suffix(b"\n")
        .unwrap_or(history)
        .split(|&byte| byte == b'\n')
}

/// Audits `history` and returns the number of findings.
fn audit(history: &[u8]) -> usize {
    let mut auditor = Auditor::new();
    lines(history).map(|line| auditor.feed(line).len()).sum()
}

fn bench_audit(c: &mut Criterion) {
    let config = history::Config::new(LINES, INTENTS);
    let mut history = Vec::new();
    let stats = history::generate(&config, &mut history).expect("writing to memory");
    // The audit does its full work: every line read, only the planted
    // findings found.
    let planted: u64 = stats.planted.values().sum();
    assert_eq!(
        audit(&history) as u64,
        planted,
        "the generated history audits as planted"
    );

    let mut group = c.benchmark_group("audit");
    group.throughput(Throughput::Bytes(history.len() as u64));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("ignored_any", |b| {
        b.iter(|| {
            lines(black_box(&history))
                .filter(|line| serde_json::from_slice::<IgnoredAny>(line).is_ok())
                .count()
        })
    });
    group.bench_function("auditor", |b| b.iter(|| audit(black_box(&history))));
    group.finish();
}

criterion_group!(benches, bench_audit);
criterion_main!(benches);
