//! The rules on the request path (issue goals 1 and 2), each against its
//! baseline in the same run: the same arithmetic on plain `i64` running
//! totals behind `&mut`.
//!
//! Group `rules`:
//! - `check_capture/N`, `check_refund/N`: `AnyPaymentIntent::check` of a
//!   capture of 1.00 and a refund of 0.50 on a Captured Manual intent with N
//!   Successful captures already recorded (N = 3 and 1000), built through
//!   the API; both are accepted. The figure is the decision, `is_ok()`, as
//!   the baseline returns a `bool`.
//! - `check_capture_result/N`: the same capture check with the whole
//!   `Result` kept (`black_box` of it), as a caller that stores it would:
//!   not a goal, shown beside it.
//! - `baseline_check/capture`, `baseline_check/refund`: the same decisions
//!   on [`Plain`].
//! - `apply_capture/0`: on a fresh clone of a typed `PaymentIntent<Authorized>`
//!   with no capture, `capture(id, 1.00, now)` then
//!   `record_capture_outcome(Successful)`; `apply_capture/3`: the same on a
//!   `PaymentIntent<Captured>` with 3 captures; `apply_refund/3`:
//!   `refund(key, 0.50)` on that Captured intent. The clone and the ids are
//!   made outside the timing (`iter_batched`), and so is dropping the result.
//!   Batches are of [`BATCH`] intents, so that the clones being worked on
//!   are in the cache, as an intent just read on a request path is: in
//!   criterion's `SmallInput` batches, thousands of clones are made before
//!   the first is used, and the cache miss on each clone's first touch, not
//!   the rules, is most of the figure.
//! - `baseline_apply/capture`, `baseline_apply/refund`: check and update
//!   on a copy of [`Plain`], batched the same way; `baseline_apply/floor`:
//!   the batching alone (a copy in and out, no work), which every `apply`
//!   figure and its baseline include.
//!
//! `scripts/bench.sh` prints the ratios against the goals.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use dojo_capture::state::{Authorized, Captured};
use dojo_capture::{
    AnyPaymentIntent, Authorization, CaptureId, CaptureMode, CaptureOutcome, CaptureResolved,
    Currency, IdempotencyKey, Money, Operation, PaymentIntent, Timestamp,
};

/// Every capture in these benchmarks, in pence.
const CAPTURE: i64 = 100;
/// Every refund in these benchmarks, in pence.
const REFUND: i64 = 50;

/// The intents cloned before each timed batch of `apply` benchmarks (and
/// the copies of the baseline's): few enough to stay in the cache.
const BATCH: u64 = 16;

fn gbp(minor: i64) -> Money {
    Money::new(minor, Currency::GBP)
}

fn paid_at() -> Timestamp {
    "2024-07-25T08:49:20Z".parse().expect("timestamp")
}

/// A day after payment: within the seven days of the authorisation.
fn now() -> Timestamp {
    "2024-07-26T10:00:00Z".parse().expect("timestamp")
}

fn capture_id(i: usize) -> CaptureId {
    CaptureId::new(&format!("cp_bench_{i:04}")).expect("capture id")
}

/// A Manual intent paid and not captured, with room for `captures` captures
/// of [`CAPTURE`] and 100.00 more.
/// A copy of `intent` through its stored record, made in a batch's set-up
/// (not timed): intents are not `Clone`.
fn copied<S: dojo_capture::state::State>(intent: &PaymentIntent<S>) -> PaymentIntent<S> {
    dojo_capture::AnyPaymentIntent::from_stored_json(intent.to_stored_json().as_bytes())
        .expect("a stored record reads back")
        .try_into_state::<S>()
        .expect("in its state")
}

fn authorized(captures: usize) -> PaymentIntent<Authorized> {
    let amount = gbp(CAPTURE * i64::try_from(captures).expect("count") + 10_000);
    match PaymentIntent::new(amount, CaptureMode::Manual)
        .with_id("pi_bench")
        .authorize(paid_at())
    {
        Authorization::Manual(intent) => intent,
        Authorization::Auto(_) => unreachable!("a Manual intent"),
    }
}

/// A Manual intent with `n` (at least one) Successful captures of
/// [`CAPTURE`], recorded one by one through the typed API.
fn captured(n: usize) -> PaymentIntent<Captured> {
    assert!(n >= 1);
    let first = capture_id(0);
    let resolved = authorized(n)
        .capture(first.clone(), gbp(CAPTURE), now())
        .expect("first capture")
        .record_capture_outcome(&first, CaptureOutcome::Successful)
        .expect("first outcome");
    let CaptureResolved::Captured(mut intent) = resolved else {
        panic!("a Successful capture captures");
    };
    for i in 1..n {
        let id = capture_id(i);
        intent = intent
            .capture(id.clone(), gbp(CAPTURE), now())
            .expect("capture")
            .record_capture_outcome(&id, CaptureOutcome::Successful)
            .expect("outcome");
    }
    assert_eq!(intent.captures().len(), n);
    intent
}

/// The baseline: the intent's running totals as plain minor units, and the
/// rules' arithmetic on them. Every method is called through `&mut`, as a
/// ledger updated in place would be.
#[derive(Clone, Copy)]
struct Plain {
    amount: i64,
    captured: i64,
    in_flight: i64,
    refunded: i64,
    tips: i64,
}

impl Plain {
    /// The same figures as [`captured`]`(n)`.
    fn like_captured(n: i64) -> Plain {
        Plain {
            amount: CAPTURE * n + 10_000,
            captured: CAPTURE * n,
            in_flight: 0,
            refunded: 0,
            tips: 0,
        }
    }

    /// A capture takes more than nothing and at most what is neither
    /// captured nor in flight.
    fn check_capture(&mut self, amount: i64) -> bool {
        amount > 0 && amount <= self.amount - self.captured - self.in_flight
    }

    /// A refund takes more than nothing and at most what was captured, with
    /// its tips, and not refunded yet.
    fn check_refund(&mut self, amount: i64) -> bool {
        amount > 0 && amount <= self.captured + self.tips - self.refunded
    }

    /// Check and record a capture in flight, then its success.
    fn capture_and_settle(&mut self, amount: i64) -> bool {
        if !self.check_capture(amount) {
            return false;
        }
        self.in_flight += amount;
        // The outcome, recorded later: in flight becomes captured.
        self.in_flight -= amount;
        self.captured += amount;
        true
    }

    /// Check and record a refund.
    fn refund(&mut self, amount: i64) -> bool {
        if !self.check_refund(amount) {
            return false;
        }
        self.refunded += amount;
        true
    }
}

fn checks(c: &mut Criterion) {
    let mut group = c.benchmark_group("rules");
    let now = now();
    let capture = Operation::Capture(gbp(CAPTURE));
    let refund = Operation::Refund(gbp(REFUND));

    for n in [3_usize, 1000] {
        let intent: AnyPaymentIntent = captured(n).into_any();
        // The happy path: both are accepted.
        assert_eq!(intent.check(capture, now), Ok(()));
        assert_eq!(intent.check(refund, now), Ok(()));
        // The decision, as the baseline returns it: whether it is accepted.
        group.bench_with_input(
            BenchmarkId::new("check_capture", n),
            &intent,
            |b, intent| {
                b.iter(|| {
                    black_box(intent)
                        .check(black_box(capture), black_box(now))
                        .is_ok()
                });
            },
        );
        group.bench_with_input(BenchmarkId::new("check_refund", n), &intent, |b, intent| {
            b.iter(|| {
                black_box(intent)
                    .check(black_box(refund), black_box(now))
                    .is_ok()
            });
        });
        // The whole `Result` kept, as a caller that stores it would: its
        // 96 bytes are copied out of `check`'s return slot each time.
        group.bench_with_input(
            BenchmarkId::new("check_capture_result", n),
            &intent,
            |b, intent| {
                b.iter(|| black_box(intent).check(black_box(capture), black_box(now)));
            },
        );
    }

    let mut plain = Plain::like_captured(3);
    assert!(plain.check_capture(CAPTURE) && plain.check_refund(REFUND));
    group.bench_function(BenchmarkId::new("baseline_check", "capture"), |b| {
        b.iter(|| black_box(&mut plain).check_capture(black_box(CAPTURE)));
    });
    group.bench_function(BenchmarkId::new("baseline_check", "refund"), |b| {
        b.iter(|| black_box(&mut plain).check_refund(black_box(REFUND)));
    });
    group.finish();
}

fn applies(c: &mut Criterion) {
    let mut group = c.benchmark_group("rules");
    let now = now();
    let id = capture_id(9999);
    let key = IdempotencyKey::new("refund-bench").expect("key");

    let fresh = authorized(0);
    group.bench_function(BenchmarkId::new("apply_capture", 0), |b| {
        b.iter_batched(
            || (copied(&fresh), id.clone(), id.clone()),
            |(intent, record, settle)| {
                let intent = black_box(intent)
                    .capture(record, black_box(gbp(CAPTURE)), black_box(now))
                    .expect("capture");
                match intent.record_capture_outcome(&settle, CaptureOutcome::Successful) {
                    Ok(CaptureResolved::Captured(intent)) => intent,
                    _ => panic!("a Successful capture captures"),
                }
            },
            BatchSize::NumIterations(BATCH),
        );
    });

    let three = captured(3);
    group.bench_function(BenchmarkId::new("apply_capture", 3), |b| {
        b.iter_batched(
            || (copied(&three), id.clone(), id.clone()),
            |(intent, record, settle)| {
                black_box(intent)
                    .capture(record, black_box(gbp(CAPTURE)), black_box(now))
                    .expect("capture")
                    .record_capture_outcome(&settle, CaptureOutcome::Successful)
                    .expect("outcome")
            },
            BatchSize::NumIterations(BATCH),
        );
    });
    group.bench_function(BenchmarkId::new("apply_refund", 3), |b| {
        b.iter_batched(
            || (copied(&three), key.clone()),
            |(intent, key)| {
                black_box(intent)
                    .refund(key, black_box(gbp(REFUND)))
                    .expect("refund")
            },
            BatchSize::NumIterations(BATCH),
        );
    });

    let plain = Plain::like_captured(3);
    // What the batching itself costs: a copy of `Plain` in and out, no work.
    group.bench_function(BenchmarkId::new("baseline_apply", "floor"), |b| {
        b.iter_batched(|| plain, black_box, BatchSize::NumIterations(BATCH));
    });
    group.bench_function(BenchmarkId::new("baseline_apply", "capture"), |b| {
        b.iter_batched(
            || plain,
            |mut plain| {
                assert!(black_box(&mut plain).capture_and_settle(black_box(CAPTURE)));
                plain
            },
            BatchSize::NumIterations(BATCH),
        );
    });
    group.bench_function(BenchmarkId::new("baseline_apply", "refund"), |b| {
        b.iter_batched(
            || plain,
            |mut plain| {
                assert!(black_box(&mut plain).refund(black_box(REFUND)));
                plain
            },
            BatchSize::NumIterations(BATCH),
        );
    });
    group.finish();
}

criterion_group!(benches, checks, applies);
criterion_main!(benches);
