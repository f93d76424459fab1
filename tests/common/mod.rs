//! Small constructors shared by the integration tests. Each test crate uses
//! a different subset, so unused ones are expected.
#![allow(dead_code)]

use std::any::Any;
use std::fmt::Debug;

use dojo_capture::{CaptureId, Currency, IdempotencyKey, Money};
use jiff::Timestamp;
use proptest::test_runner::{Config, FailurePersistence, FileFailurePersistence, PersistedSeed};

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

/// Set (to anything), the property tests replay the failures committed in
/// `proptest-regressions/` and save no new one: `scripts/mutants.sh` sets
/// it, since a failure under a mutant is the mutant's, not a case to keep,
/// and a saved one would make every later mutant in the same copy of the
/// tree fail as well.
pub const REPLAY_ONLY: &str = "DOJO_CAPTURE_PROPTEST_REPLAY_ONLY";

/// Proptest settings with `default_cases` cases, unless `PROPTEST_CASES`
/// asks for another count (long local runs raise it). Failures are saved in
/// `proptest-regressions/{name}.txt`, committed, and replayed first on every
/// run; with [`REPLAY_ONLY`] set they are replayed and none is saved. Every
/// property test under tests/ takes its settings from here, so that none
/// saves a failure under `scripts/mutants.sh`.
pub fn proptest_config(name: &str, default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default_cases);
    let file: &'static str = Box::leak(format!("proptest-regressions/{name}.txt").into_boxed_str());
    let file = FileFailurePersistence::Direct(file);
    let persistence: Box<dyn FailurePersistence> = if std::env::var_os(REPLAY_ONLY).is_some() {
        Box::new(ReplayOnly(file))
    } else {
        Box::new(file)
    };
    Config {
        cases,
        failure_persistence: Some(persistence),
        ..Config::default()
    }
}

/// A file's saved failures, replayed; a new failure is not saved.
#[derive(Clone, Copy, Debug, PartialEq)]
struct ReplayOnly(FileFailurePersistence);

impl FailurePersistence for ReplayOnly {
    fn load_persisted_failures2(&self, source_file: Option<&'static str>) -> Vec<PersistedSeed> {
        self.0.load_persisted_failures2(source_file)
    }

    fn save_persisted_failure2(
        &mut self,
        _source_file: Option<&'static str>,
        _seed: PersistedSeed,
        _shrunken_value: &dyn Debug,
    ) {
    }

    fn box_clone(&self) -> Box<dyn FailurePersistence> {
        Box::new(*self)
    }

    fn eq(&self, other: &dyn FailurePersistence) -> bool {
        other.as_any().downcast_ref::<Self>() == Some(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
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
