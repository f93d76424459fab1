//! The audit of generated histories (`examples/support/history.rs`, the
//! generator of `examples/gen_history.rs` and `benches/audit.rs`): lives of
//! many interleaved intents, clean but for the findings planted on purpose.
//! The audit must report exactly those, with or without the deliveries'
//! secret, whole or split by intent; and the generator must be deterministic,
//! or the benchmark and `scripts/audit_throughput.sh` would not measure the
//! same history twice.

#[path = "../examples/support/history.rs"]
mod history;

use std::collections::BTreeMap;

use dojo_capture::audit::{Auditor, Finding, LineReader, intent_id_of};
use dojo_capture::webhook::WebhookSecret;
use history::{Config, Webhooks};

fn generated(config: &Config) -> (Vec<u8>, history::Stats) {
    let mut bytes = Vec::new();
    let stats = history::generate(config, &mut bytes).expect("writing to memory");
    (bytes, stats)
}

fn audit(bytes: &[u8], mut auditor: Auditor) -> (Vec<Finding>, Auditor) {
    let mut lines = LineReader::new(bytes);
    let mut findings = Vec::new();
    while let Some(line) = lines.next_line().expect("reading from memory") {
        findings.extend(auditor.feed(line));
    }
    (findings, auditor)
}

fn by_code(findings: &[Finding]) -> BTreeMap<&'static str, u64> {
    let mut counts = BTreeMap::new();
    for finding in findings {
        *counts.entry(finding.code()).or_default() += 1;
    }
    counts
}

fn config(lines: u64, intents: u64, webhooks: Webhooks, seed: u64) -> Config {
    Config {
        lines,
        intents,
        seed,
        webhooks,
        plant_every: 25,
    }
}

#[test]
fn generated_histories_audit_as_planted() {
    let secret = WebhookSecret::new(history::SECRET).expect("the generator's secret");
    for (webhooks, secrets) in [
        (Webhooks::Mixed, Vec::new()),
        (Webhooks::Unsigned, Vec::new()),
        (Webhooks::Signed, vec![secret]),
    ] {
        for (lines, intents, seed) in [(12_000, 300, 1), (4_000, 400, 2), (600, 150, 3)] {
            let (bytes, stats) = generated(&config(lines, intents, webhooks, seed));
            assert_eq!(stats.lines, lines);
            assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count() as u64, lines);
            let (findings, auditor) = audit(&bytes, Auditor::new().with_secrets(secrets.clone()));
            assert!(
                !stats.planted.is_empty(),
                "{webhooks:?} {lines}/{intents}: something planted"
            );
            assert_eq!(
                by_code(&findings),
                stats.planted,
                "{webhooks:?} {lines}/{intents}: {:#?}",
                findings.iter().take(5).collect::<Vec<_>>()
            );
            let summary = auditor.summary();
            assert_eq!((summary.lines(), summary.intents()), (lines, intents));
        }
    }
}

#[test]
fn a_generated_history_split_by_intent_audits_the_same() {
    let (bytes, _) = generated(&config(6_000, 200, Webhooks::Mixed, 7));
    let (mut whole, _) = audit(&bytes, Auditor::new());
    let mut parts: BTreeMap<Option<String>, Vec<(u64, &[u8])>> = BTreeMap::new();
    for (index, line) in bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        parts
            .entry(intent_id_of(line))
            .or_default()
            .push((index as u64 + 1, line));
    }
    assert!(
        parts.keys().all(Option::is_some),
        "every generated line names its intent"
    );
    let mut split = Vec::new();
    for part in parts.values() {
        let mut auditor = Auditor::new();
        for (number, line) in part {
            split.extend(auditor.feed_numbered(*number, line));
        }
    }
    let key = |f: &Finding| (f.line(), f.intent_id().map(str::to_owned), f.code());
    whole.sort_by_key(key);
    split.sort_by_key(key);
    assert_eq!(whole, split);
}

#[test]
fn the_generator_is_deterministic() {
    let config = config(3_000, 100, Webhooks::Mixed, 11);
    assert_eq!(generated(&config).0, generated(&config).0);
    let other = Config { seed: 12, ..config };
    assert_ne!(
        generated(&config).0,
        generated(&other).0,
        "the seed matters"
    );
}
