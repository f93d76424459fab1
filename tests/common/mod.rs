//! Small constructors shared by the integration tests. Each test crate uses
//! a different subset, so unused ones are expected.
#![allow(dead_code)]

use dojo_capture::{CaptureId, Currency, IdempotencyKey, Money};
use jiff::Timestamp;

/// The payment time most tests use.
pub const PAID: &str = "2024-07-25T08:49:20Z";

pub fn ts(text: &str) -> Timestamp {
    text.parse().expect("test timestamp")
}

pub fn paid() -> Timestamp {
    ts(PAID)
}

pub fn gbp(minor: i64) -> Money {
    Money::new(minor, Currency::GBP)
}

pub fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::EUR)
}

pub fn cid(text: &str) -> CaptureId {
    CaptureId::new(text).expect("test capture id")
}

pub fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::new(text).expect("test idempotency key")
}
pub mod fake_dojo;
pub mod invariants;
pub mod reachable;

/// Proptest settings with `default_cases` cases, unless `PROPTEST_CASES`
/// asks for another count (long local runs raise it). Failures are saved in
/// `proptest-regressions/{name}.txt`, committed, and replayed first on every run.
pub fn proptest_config(name: &str, default_cases: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default_cases);
    let file: &'static str = Box::leak(format!("proptest-regressions/{name}.txt").into_boxed_str());
    proptest::test_runner::Config {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(file),
        )),
        ..proptest::test_runner::Config::default()
    }
}

/// A second intent with the same facts, through the stored record: intents
/// are not `Clone` (two live copies could each prepare the same money), and
/// the stored record is the road a service takes to a copy. Tests use it to
/// keep an intent beside the one an operation consumes.
pub trait Copied: Sized {
    fn copied(&self) -> Self;
}

impl Copied for dojo_capture::AnyPaymentIntent {
    fn copied(&self) -> Self {
        dojo_capture::AnyPaymentIntent::from_stored_json(self.to_stored_json().as_bytes())
            .expect("a stored record reads back")
    }
}

impl<S: dojo_capture::state::State> Copied for dojo_capture::PaymentIntent<S> {
    fn copied(&self) -> Self {
        dojo_capture::AnyPaymentIntent::from_stored_json(self.to_stored_json().as_bytes())
            .expect("a stored record reads back")
            .try_into_state::<S>()
            .expect("a stored record reads back in its state")
    }
}
