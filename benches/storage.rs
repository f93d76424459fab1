//! The storage format (issue goal 6) against its baseline in the same run:
//! `serde_json` on a plain `#[derive(Serialize, Deserialize)]` struct with
//! the same fields, owned `String`s and `Vec`s, no checks.
//!
//! Group `storage`, for the input `typical`:
//! - `encode/typical`: `AnyPaymentIntent::to_stored_json`;
//! - `decode/typical`: `AnyPaymentIntent::from_stored_json` of those bytes;
//! - `baseline_encode/typical`: `serde_json::to_string` of [`PlainRecord`];
//! - `baseline_decode/typical`: `std::str::from_utf8` then
//!   `serde_json::from_str::<PlainRecord>` of the same bytes.
//!
//! `typical` is `docs/examples/manual-authorized.json` as read from Dojo
//! (two captures, one in flight) after the work of a day: the capture in
//! flight settled, a capture prepared whose answer is not recorded yet, a
//! refund prepared and answered (a key, a reason and Dojo's refund id) and
//! another recorded under its key. The plain struct re-encodes
//! those bytes exactly (checked before timing), so both sides read and
//! write the same JSON. The results are dropped outside the timing.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use dojo_capture::request::ApiVersion;
use dojo_capture::{
    Answer, AnyPaymentIntent, CaptureId, CaptureOutcome, Currency, IdempotencyKey, Money,
    RefundDetails, Timestamp,
};
use serde::{Deserialize, Serialize};

/// `src/storage/record.rs`'s `Record`, field for field, with owned text where
/// it borrows, text for its enums and times, and no checks.
#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlainRecord {
    format: u64,
    revision: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    capture_mode: String,
    status: String,
    amount: PlainMoney,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tips_amount: Option<i64>,
    refunded_amount: i64,
    custom_amount_allowed: bool,
    tips_allowed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    auto_expire_in: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    auto_expire_action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    paid_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
    captures: Vec<PlainCapture>,
    refunds: Vec<PlainRefund>,
    pending_captures: Vec<PlainPendingCapture>,
    pending_refunds: Vec<PlainPendingRefund>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pending_operation: Option<PlainPendingOperation>,
    next_local_id: u64,
    seen_events: Vec<String>,
}

/// Dojo's `Money` object.
#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlainMoney {
    value: i64,
    currency_code: String,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlainCapture {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    amount: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tips_amount: Option<i64>,
    status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlainRefund {
    idempotency_key: String,
    amount: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refund_id: Option<String>,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlainPendingCapture {
    local_id: u64,
    amount: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tips_amount: Option<i64>,
    prepared_at: String,
    outcome_unknown: bool,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlainPendingRefund {
    idempotency_key: String,
    amount: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refund_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    outcome_unknown: bool,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlainPendingOperation {
    local_id: u64,
    operation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<i64>,
    outcome_unknown: bool,
}

fn gbp(minor: i64) -> Money {
    Money::new(minor, Currency::GBP)
}

fn ts(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

/// The `typical` stored intent (see the file's documentation).
fn typical() -> AnyPaymentIntent {
    let json = include_bytes!("../docs/examples/manual-authorized.json");
    let intent = AnyPaymentIntent::from_json(json).expect("example");
    let in_flight = CaptureId::new("cp_sandbox_9bF3HsY6PcMa5oQi2Wt8Kr").expect("id");
    let intent = intent
        .record_capture_outcome(&in_flight, CaptureOutcome::Successful)
        .expect("outcome");

    let version = ApiVersion::default();
    let (intent, _) = intent
        .prepare_capture(gbp(200), None, ts("2024-07-26T10:00:00Z"), version)
        .unwrap_or_else(|e| panic!("prepare capture: {}", e.code()));
    let details =
        RefundDetails::new(Some("damaged in transit"), Some("box crushed")).expect("details");
    let key = IdempotencyKey::new("refund-7f3c2a9e-order-234-1").expect("key");
    let (intent, prepared) = intent
        .prepare_refund(key, gbp(120), details, version)
        .expect("prepare refund");
    let answer = Answer::Http {
        status: 200,
        body: br#"{"refundId":"rfnd_sandbox_Xc4Lm9Pq2Rt7Vw1Yz5Ab3D"}"#,
    };
    let (intent, _) = intent
        .record_refund_answer(prepared, answer)
        .unwrap_or_else(|e| panic!("refund answer: {}", e.code()));
    let key = IdempotencyKey::new("refund-7f3c2a9e-order-234-2").expect("key");
    intent.refund(key, gbp(30)).expect("refund")
}

fn storage(c: &mut Criterion) {
    let intent = typical();
    let stored = intent.to_stored_json();
    assert_eq!(intent.captures().len(), 2);
    assert_eq!(intent.pending_captures().len(), 1);
    assert_eq!(
        AnyPaymentIntent::from_stored_json(stored.as_bytes()).expect("stored"),
        intent
    );
    let plain: PlainRecord = serde_json::from_str(&stored).expect("plain record");
    assert_eq!(
        serde_json::to_string(&plain).expect("plain encode"),
        stored,
        "the plain struct must write the same bytes"
    );
    let bytes = stored.as_bytes();

    let mut group = c.benchmark_group("storage");
    group.bench_function(BenchmarkId::new("encode", "typical"), |b| {
        b.iter_with_large_drop(|| black_box(&intent).to_stored_json());
    });
    group.bench_function(BenchmarkId::new("baseline_encode", "typical"), |b| {
        b.iter_with_large_drop(|| serde_json::to_string(black_box(&plain)));
    });
    group.bench_function(BenchmarkId::new("decode", "typical"), |b| {
        b.iter_with_large_drop(|| AnyPaymentIntent::from_stored_json(black_box(bytes)));
    });
    group.bench_function(BenchmarkId::new("baseline_decode", "typical"), |b| {
        b.iter_with_large_drop(|| {
            let text = std::str::from_utf8(black_box(bytes));
            text.map(serde_json::from_str::<PlainRecord>)
        });
    });
    group.finish();
}

criterion_group!(benches, storage);
criterion_main!(benches);
