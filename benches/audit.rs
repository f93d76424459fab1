//! The audit's throughput against its baseline, in one group: a generated
//! history (100,000 lines of 1,000 interleaved intents, held in memory)
//! audited line by line, and the same lines parsed by `serde_json` into
//! `serde::de::IgnoredAny`, which checks the JSON and keeps nothing. Both
//! split the bytes into lines with the audit's `LineReader`, as the
//! command line reads a file. The goal (docs/performance.md, "Audit
//! throughput") is at least 0.8× the baseline's bytes per second;
//! `scripts/audit_throughput.sh` measures the same on whole processes and
//! files of a million lines.
//!
//! A second group, `audit_floor`, shows what no change to the audit itself
//! removes: the payment intent lines alone, decoded as the audit must
//! decode them (`PaymentIntentResource::from_json`), against the same lines
//! into `IgnoredAny`.
//!
//! ```sh
//! cargo bench --bench audit
//! ```

#[path = "../examples/support/history.rs"]
mod history;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use dojo_capture::audit::{Auditor, LineReader};
use dojo_capture::wire::PaymentIntentResource;
use serde::de::IgnoredAny;

const LINES: u64 = 100_000;
const INTENTS: u64 = 1_000;

/// Calls `each` with every line of `history`.
fn for_each_line(history: &[u8], mut each: impl FnMut(&[u8])) {
    let mut lines = LineReader::new(history);
    while let Some(line) = lines.next_line().expect("reading from memory") {
        each(line);
    }
}

/// Audits `history` and returns the number of findings.
fn audit(history: &[u8]) -> usize {
    let mut auditor = Auditor::new();
    let mut findings = 0;
    for_each_line(history, |line| findings += auditor.feed(line).len());
    findings
}

/// Parses each line of `history` into `IgnoredAny` and returns how many are
/// JSON.
fn ignored_any(history: &[u8]) -> usize {
    let mut json = 0;
    for_each_line(history, |line| {
        json += usize::from(serde_json::from_slice::<IgnoredAny>(line).is_ok());
    });
    json
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
    assert_eq!(
        ignored_any(&history) as u64,
        stats.lines,
        "every line is JSON"
    );

    let mut group = c.benchmark_group("audit");
    group.throughput(Throughput::Bytes(history.len() as u64));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("ignored_any", |b| {
        b.iter(|| ignored_any(black_box(&history)))
    });
    group.bench_function("auditor", |b| b.iter(|| audit(black_box(&history))));
    group.finish();

    let mut intents: Vec<&[u8]> = Vec::new();
    for line in history.split(|&byte| byte == b'\n') {
        let is_intent = serde_json::from_slice::<serde_json::Value>(line).is_ok_and(|value| {
            value.get("status").is_some()
                && ["request", "response", "webhook", "event"]
                    .iter()
                    .all(|key| value.get(key).is_none())
        });
        if is_intent {
            intents.push(line);
        }
    }
    let bytes: usize = intents.iter().map(|line| line.len()).sum();
    let mut group = c.benchmark_group("audit_floor");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("ignored_any", |b| {
        b.iter(|| {
            black_box(&intents)
                .iter()
                .filter(|line| serde_json::from_slice::<IgnoredAny>(line).is_ok())
                .count()
        })
    });
    group.bench_function("decode", |b| {
        b.iter(|| {
            black_box(&intents)
                .iter()
                .filter(|line| PaymentIntentResource::from_json(line).is_ok())
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_audit);
criterion_main!(benches);
