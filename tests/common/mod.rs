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
pub mod invariants;
