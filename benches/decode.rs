//! Decode and rehydrate (issue goal 3) against its baseline in the same run:
//! decoding the same bytes into the wire type alone, by the fastest plain
//! route (UTF-8 checked once, then `serde_json::from_str`).
//!
//! Group `decode`, for each input NAME:
//! - `from_json/NAME`: `AnyPaymentIntent::from_json(bytes)`;
//! - `baseline/NAME`: `std::str::from_utf8(bytes)` then
//!   `serde_json::from_str::<PaymentIntentResource>`.
//!
//! The inputs: every shipped example in `docs/examples/` (a new one fails
//! this benchmark until it is listed here), the GET example of Dojo's
//! 2025-09-10 spec (`benches/data/spec-get.json`) and a Manual intent with
//! 20 captures (`benches/data/twenty-captures.json`); `benches/data/generate.py`
//! writes both. The results are dropped outside the timing.

use std::collections::BTreeSet;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use dojo_capture::AnyPaymentIntent;
use dojo_capture::wire::PaymentIntentResource;

macro_rules! example {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!("../docs/examples/", $name, ".json")).as_slice(),
        )
    };
}

/// The shipped examples, by file stem.
const EXAMPLES: &[(&str, &[u8])] = &[
    example!("auto-captured"),
    example!("canceled"),
    example!("created-custom-amount"),
    example!("created-fixed-amount"),
    example!("manual-authorized"),
    example!("manual-auto-expire"),
    example!("manual-fresh"),
    example!("manual-refunded"),
    example!("manual-reversed"),
];

/// The inputs that are not shipped examples.
const EXTRA: &[(&str, &[u8])] = &[
    ("spec-get", include_bytes!("data/spec-get.json").as_slice()),
    (
        "twenty-captures",
        include_bytes!("data/twenty-captures.json").as_slice(),
    ),
];

/// Fails when `docs/examples/` holds an example this benchmark does not list.
fn every_example_listed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/examples");
    let shipped: BTreeSet<String> = std::fs::read_dir(dir)
        .expect("docs/examples")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
        .collect();
    let listed: BTreeSet<String> = EXAMPLES
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    assert_eq!(
        shipped, listed,
        "list every example of docs/examples in EXAMPLES"
    );
}

fn baseline(bytes: &[u8]) -> PaymentIntentResource {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    serde_json::from_str::<PaymentIntentResource>(text).expect("wire JSON")
}

fn decode(c: &mut Criterion) {
    every_example_listed();
    let mut group = c.benchmark_group("decode");
    for &(name, bytes) in EXAMPLES.iter().chain(EXTRA) {
        // Both succeed on every input: the benchmark times the happy path.
        let intent = AnyPaymentIntent::from_json(bytes)
            .unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()));
        if name == "twenty-captures" {
            assert_eq!(intent.captures().len(), 20);
        }
        baseline(bytes);

        group.bench_with_input(BenchmarkId::new("from_json", name), bytes, |b, bytes| {
            b.iter_with_large_drop(|| AnyPaymentIntent::from_json(black_box(bytes)));
        });
        group.bench_with_input(BenchmarkId::new("baseline", name), bytes, |b, bytes| {
            b.iter_with_large_drop(|| {
                let text = std::str::from_utf8(black_box(bytes));
                text.map(serde_json::from_str::<PaymentIntentResource>)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
