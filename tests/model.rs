//! Model-based test: random sequences of operations run against a reference
//! model and against `AnyPaymentIntent`, which must agree after every step
//! on accept or reject, the rule code, the state and every amount.
//!
//! The model is written from `docs/design.md` (Dojo's rules 1–8 with their
//! sources, and the crate's decisions), not from the crate's code: plain
//! integers, a few enums, no typestates, and every rule spelled out where it
//! applies. Where the rules leave an order open (which rule reports first when
//! two apply), the order is the one `docs/design.md` documents.

mod common;

use common::invariants::check_step;
use common::proptest_config;
use dojo_capture::{
    AnyPaymentIntent, AutoExpireAction, AutoExpiry, CaptureId, CaptureMode, CaptureOutcome,
    Currency, IdempotencyKey, IntentState, Money, Operation, PaymentIntent, Rejected,
};
use jiff::{SignedDuration, Timestamp, civil::Date, tz::TimeZone};
use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};

// ---- the reference model ------------------------------------------------------------

const DAY: i64 = 86_400;
/// Rule 7: an authorisation lapses seven days after the payment.
const AUTHORIZATION_LIFETIME: i64 = 7 * DAY;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Auto,
    Manual,
}

/// Where the intent is in its life; the amounts refine `Paid`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Life {
    Created,
    Paid,
    Reversed,
    Canceled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CaptureState {
    InFlight,
    Successful,
    Declined,
    Failed,
}

/// An amount on an operation: in the intent's own currency or in another one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Amount {
    foreign: bool,
    minor: i64,
}

#[derive(Clone, Debug)]
struct ModelCapture {
    id: u8,
    amount: i64,
    tips: Option<i64>,
    state: CaptureState,
}

#[derive(Clone, Debug)]
struct Model {
    currency: &'static str,
    mode: Mode,
    amount: i64,
    custom_amount_allowed: bool,
    auto_expire_after: Option<i64>,
    life: Life,
    paid_at: Option<i64>,
    now: i64,
    captures: Vec<ModelCapture>,
    refunds: Vec<(u8, i64)>,
    refunded: i64,
    /// What the last operation did: accepted, or the code of the rule that refused it.
    last: Result<(), &'static str>,
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Authorize,
    Capture {
        id: u8,
        amount: Amount,
        tips: Option<Amount>,
    },
    Settle {
        id: u8,
        outcome: CaptureOutcome,
    },
    Refund {
        key: u8,
        amount: Amount,
    },
    Reverse,
    Cancel,
    ChangeAmount {
        amount: Amount,
    },
    Advance {
        seconds: i64,
    },
}

fn london_day(seconds: i64) -> Date {
    static LONDON: TimeZone = jiff::tz::get!("Europe/London");
    Timestamp::from_second(seconds)
        .expect("model time is in range")
        .to_zoned_datetime(LONDON.clone())
        .date()
}

impl Model {
    /// Manual: the Successful captures. Auto: Dojo takes the whole amount
    /// at payment, with no capture listed.
    fn captured(&self) -> i64 {
        match self.mode {
            Mode::Auto if self.paid_at.is_some() => self.amount,
            Mode::Auto => 0,
            Mode::Manual => self.sum(CaptureState::Successful),
        }
    }

    /// D1: a capture in flight reserves its amount.
    fn reserved(&self) -> i64 {
        self.sum(CaptureState::InFlight)
    }

    fn sum(&self, state: CaptureState) -> i64 {
        self.captures
            .iter()
            .filter(|c| c.state == state)
            .map(|c| c.amount)
            .sum()
    }

    fn state(&self) -> IntentState {
        match self.life {
            Life::Created => IntentState::Created,
            Life::Reversed => IntentState::Reversed,
            Life::Canceled => IntentState::Canceled,
            Life::Paid if self.refunded > 0 => IntentState::Refunded,
            Life::Paid if self.captured() > 0 => IntentState::Captured,
            Life::Paid => IntentState::Authorized,
        }
    }

    /// D1, and zero wherever the merchant cannot capture (rules 1 and 3, D3).
    fn capturable(&self) -> i64 {
        if self.life == Life::Paid && self.mode == Mode::Manual && self.refunded == 0 {
            self.amount - self.captured() - self.reserved()
        } else {
            0
        }
    }

    /// D14: the tips of Successful captures go back with a refund too.
    fn captured_tips(&self) -> i64 {
        self.captures
            .iter()
            .filter(|c| c.state == CaptureState::Successful)
            .filter_map(|c| c.tips)
            .sum()
    }

    /// D2 and D14, and zero once the payment was reversed.
    fn refundable(&self) -> i64 {
        if self.life == Life::Paid {
            self.captured() + self.captured_tips() - self.refunded
        } else {
            0
        }
    }

    /// D12: exclusive deadline for capture and Manual reversal.
    fn past_deadline(&self) -> bool {
        let lifetime = self.auto_expire_after.unwrap_or(AUTHORIZATION_LIFETIME);
        self.paid_at.is_some_and(|paid| self.now >= paid + lifetime)
    }

    fn authorize(&mut self) -> Result<(), &'static str> {
        if self.life != Life::Created {
            return Err("invalid_transition");
        }
        self.life = Life::Paid;
        self.paid_at = Some(self.now);
        Ok(())
    }

    fn capture(
        &mut self,
        id: u8,
        amount: Amount,
        tips: Option<Amount>,
    ) -> Result<(), &'static str> {
        match self.state() {
            IntentState::Authorized | IntentState::Captured => {}
            IntentState::Refunded => return Err("capture_after_refund"),
            IntentState::Reversed => return Err("capture_after_reversal"),
            IntentState::Created | IntentState::Canceled => return Err("invalid_transition"),
        }
        if self.mode == Mode::Auto {
            return Err("auto_capture_mode");
        }
        if amount.foreign {
            return Err("currency_mismatch");
        }
        if amount.minor == 0 {
            return Err("zero_amount");
        }
        // The amount is judged before its tip (docs/design.md, rule precedence).
        if tips.is_some_and(|t| t.foreign) {
            return Err("currency_mismatch");
        }
        // D18: a zero tip is no tip.
        let tips = tips.map(|t| t.minor).filter(|t| *t != 0);
        // D7: the same capture id again is a replay or a conflict.
        if let Some(seen) = self.captures.iter().find(|c| c.id == id) {
            return if seen.amount == amount.minor && seen.tips == tips {
                Ok(())
            } else {
                Err("capture_conflict")
            };
        }
        if self.past_deadline() {
            return Err("authorization_expired");
        }
        if amount.minor > self.capturable() {
            return Err("over_capture");
        }
        self.captures.push(ModelCapture {
            id,
            amount: amount.minor,
            tips,
            state: CaptureState::InFlight,
        });
        Ok(())
    }

    fn settle(&mut self, id: u8, outcome: CaptureOutcome) -> Result<(), &'static str> {
        let settled = match outcome {
            CaptureOutcome::Successful => CaptureState::Successful,
            CaptureOutcome::Declined => CaptureState::Declined,
            CaptureOutcome::Failed => CaptureState::Failed,
        };
        // Rules 4 and 6: nothing acts on a canceled or reversed intent.
        if matches!(self.life, Life::Reversed | Life::Canceled) {
            return Err("invalid_transition");
        }
        let Some(capture) = self.captures.iter_mut().find(|c| c.id == id) else {
            return Err("unknown_capture");
        };
        if capture.state == CaptureState::InFlight {
            capture.state = settled;
            Ok(())
        } else if capture.state == settled {
            Ok(())
        } else {
            Err("unknown_capture")
        }
    }

    fn refund(&mut self, key: u8, amount: Amount) -> Result<(), &'static str> {
        if !matches!(self.state(), IntentState::Captured | IntentState::Refunded) {
            return Err("invalid_transition");
        }
        if amount.foreign {
            return Err("currency_mismatch");
        }
        if amount.minor == 0 {
            return Err("zero_amount");
        }
        // Rule 5 and D7: a key names one refund.
        if let Some(&(_, seen)) = self.refunds.iter().find(|(k, _)| *k == key) {
            return if seen == amount.minor {
                Ok(())
            } else {
                Err("idempotency_conflict")
            };
        }
        if amount.minor > self.refundable() {
            return Err("over_refund");
        }
        self.refunds.push((key, amount.minor));
        self.refunded += amount.minor;
        Ok(())
    }

    fn reverse(&mut self) -> Result<(), &'static str> {
        match (self.mode, self.state()) {
            // Rule 6 and D5: Manual only while Authorized, nothing reserved, within the deadline.
            (Mode::Manual, IntentState::Authorized) => {
                if self.reserved() > 0 {
                    return Err("invalid_transition");
                }
                if self.past_deadline() {
                    return Err("reversal_window_closed");
                }
            }
            // Rule 6 and D8: Auto only while Captured, on the payment's London day.
            (Mode::Auto, IntentState::Captured) => {
                let paid = self.paid_at.expect("a captured intent was paid");
                if london_day(paid) != london_day(self.now) {
                    return Err("reversal_window_closed");
                }
            }
            _ => return Err("invalid_transition"),
        }
        self.life = Life::Reversed;
        Ok(())
    }

    fn cancel(&mut self) -> Result<(), &'static str> {
        if self.life != Life::Created {
            return Err("invalid_transition");
        }
        self.life = Life::Canceled;
        Ok(())
    }

    fn change_amount(&mut self, amount: Amount) -> Result<(), &'static str> {
        // Rule 8 and D6.
        if self.life != Life::Created {
            return Err("invalid_transition");
        }
        if !self.custom_amount_allowed {
            return Err("custom_amount_not_allowed");
        }
        if amount.foreign {
            return Err("currency_mismatch");
        }
        if amount.minor == 0 {
            return Err("zero_amount");
        }
        self.amount = amount.minor;
        Ok(())
    }
}

struct Reference;

fn near(values: &[i64]) -> BoxedStrategy<i64> {
    let picks: Vec<i64> = values
        .iter()
        .flat_map(|v| [v.saturating_sub(1), *v, v.saturating_add(1)])
        .filter(|v| *v >= 0)
        .collect();
    let top = values.iter().copied().max().unwrap_or(1).max(1);
    prop_oneof![
        3 => proptest::sample::select(picks),
        2 => 0..=top,
    ]
    .boxed()
}

fn amount(values: &[i64]) -> BoxedStrategy<Amount> {
    (proptest::bool::weighted(0.05), near(values))
        .prop_map(|(foreign, minor)| Amount { foreign, minor })
        .boxed()
}

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Model> {
        (
            proptest::sample::select(vec!["GBP", "EUR", "JPY"]),
            prop_oneof![Just(Mode::Manual), Just(Mode::Auto)],
            prop_oneof![1_i64..=10_000, Just(1), (i64::MAX / 2)..=i64::MAX],
            any::<bool>(),
            proptest::option::weighted(0.3, 31_i64..AUTHORIZATION_LIFETIME),
            // 2024: both clock changes in Europe/London and many midnights.
            1_704_067_200_i64..1_735_689_600,
        )
            .prop_map(
                |(currency, mode, amount, custom_amount_allowed, auto_expire_after, now)| Model {
                    currency,
                    mode,
                    amount,
                    custom_amount_allowed,
                    auto_expire_after,
                    life: Life::Created,
                    paid_at: None,
                    now,
                    captures: Vec::new(),
                    refunds: Vec::new(),
                    refunded: 0,
                    last: Ok(()),
                },
            )
            .boxed()
    }

    fn transitions(model: &Model) -> BoxedStrategy<Op> {
        let money = [
            model.amount,
            model.capturable(),
            model.refundable(),
            model.reserved(),
            1,
        ];
        let until_deadline = model.paid_at.map_or(DAY, |paid| {
            (paid + model.auto_expire_after.unwrap_or(AUTHORIZATION_LIFETIME) - model.now).max(0)
        });
        let outcome = prop_oneof![
            2 => Just(CaptureOutcome::Successful),
            1 => Just(CaptureOutcome::Declined),
            1 => Just(CaptureOutcome::Failed),
        ];
        prop_oneof![
            2 => Just(Op::Authorize),
            6 => (0_u8..4, amount(&money), proptest::option::weighted(0.2, amount(&[0, 50])))
                .prop_map(|(id, amount, tips)| Op::Capture { id, amount, tips }),
            5 => (0_u8..5, outcome).prop_map(|(id, outcome)| Op::Settle { id, outcome }),
            4 => (0_u8..3, amount(&money)).prop_map(|(key, amount)| Op::Refund { key, amount }),
            2 => Just(Op::Reverse),
            1 => Just(Op::Cancel),
            1 => amount(&money).prop_map(|amount| Op::ChangeAmount { amount }),
            2 => near(&[0, 3_600, DAY, until_deadline]).prop_map(|seconds| Op::Advance { seconds }),
        ]
        .boxed()
    }

    fn apply(mut model: Model, op: &Op) -> Model {
        model.last = match *op {
            Op::Authorize => model.authorize(),
            Op::Capture { id, amount, tips } => model.capture(id, amount, tips),
            Op::Settle { id, outcome } => model.settle(id, outcome),
            Op::Refund { key, amount } => model.refund(key, amount),
            Op::Reverse => model.reverse(),
            Op::Cancel => model.cancel(),
            Op::ChangeAmount { amount } => model.change_amount(amount),
            Op::Advance { seconds } => {
                model.now += seconds;
                Ok(())
            }
        };
        model
    }
}

// ---- the crate under test -----------------------------------------------------------

struct Crate {
    intent: AnyPaymentIntent,
    now: Timestamp,
    currency: Currency,
    other: Currency,
}

impl Crate {
    fn money(&self, amount: Amount) -> Money {
        let currency = if amount.foreign {
            self.other
        } else {
            self.currency
        };
        Money::new(amount.minor, currency)
    }
}

fn capture_id(id: u8) -> CaptureId {
    CaptureId::new(&format!("cp_{id}")).expect("valid capture id")
}

fn refund_key(key: u8) -> IdempotencyKey {
    IdempotencyKey::new(&format!("refund-{key}")).expect("valid key")
}

struct LifecycleTest;

impl StateMachineTest for LifecycleTest {
    type SystemUnderTest = Crate;
    type Reference = Reference;

    fn init_test(model: &Model) -> Crate {
        let currency = Currency::from_code(model.currency).expect("model currency");
        let other = if currency == Currency::GBP {
            Currency::EUR
        } else {
            Currency::GBP
        };
        let mode = match model.mode {
            Mode::Auto => CaptureMode::Auto,
            Mode::Manual => CaptureMode::Manual,
        };
        let mut intent = PaymentIntent::new(Money::new(model.amount, currency), mode)
            .with_custom_amount_allowed(model.custom_amount_allowed);
        if let Some(after) = model.auto_expire_after {
            let expiry =
                AutoExpiry::new(SignedDuration::from_secs(after), AutoExpireAction::Release)
                    .expect("model expiry within rule 7's bounds");
            intent = intent.with_auto_expiry(expiry);
        }
        Crate {
            intent: intent.into_any(),
            now: Timestamp::from_second(model.now).expect("model time in range"),
            currency,
            other,
        }
    }

    fn apply(mut sut: Crate, model: &Model, op: Op) -> Crate {
        let before = sut.intent.clone();
        let now = sut.now;
        // `check` judges without ids or keys, so it must agree with the
        // transition wherever no earlier capture or refund is named again.
        let checked = match op {
            Op::Capture {
                id,
                amount,
                tips: None,
            } if !before
                .captures()
                .iter()
                .any(|c| c.id() == Some(&capture_id(id))) =>
            {
                Some(before.check(Operation::Capture(sut.money(amount)), now))
            }
            Op::Refund { amount, .. } => {
                // No key was used yet when nothing has been refunded.
                before
                    .refunded()
                    .is_zero()
                    .then(|| before.check(Operation::Refund(sut.money(amount)), now))
            }
            Op::Reverse => Some(before.check(Operation::Reverse, now)),
            Op::Cancel => Some(before.check(Operation::Cancel, now)),
            Op::ChangeAmount { amount } => {
                Some(before.check(Operation::ChangeAmount(sut.money(amount)), now))
            }
            _ => None,
        };
        let intent = std::mem::replace(&mut sut.intent, before.clone());
        let result: Result<AnyPaymentIntent, Rejected<AnyPaymentIntent>> = match op {
            Op::Authorize => intent.authorize(now),
            Op::Capture { id, amount, tips } => {
                let tips = tips.map(|t| sut.money(t));
                intent.capture_with_tips(capture_id(id), sut.money(amount), tips, now)
            }
            Op::Settle { id, outcome } => intent.settle_capture(&capture_id(id), outcome),
            Op::Refund { key, amount } => intent.refund(refund_key(key), sut.money(amount)),
            Op::Reverse => intent.reverse(now),
            Op::Cancel => intent.cancel(),
            Op::ChangeAmount { amount } => intent.change_amount(sut.money(amount)),
            Op::Advance { seconds } => {
                sut.now = (now + SignedDuration::from_secs(seconds)).max(now);
                Ok(intent)
            }
        };
        let (after, outcome) = match result {
            Ok(intent) => (intent, Ok(())),
            Err(rejected) => {
                let (intent, violation) = rejected.into_parts();
                assert_eq!(
                    violation.state(),
                    before.state(),
                    "a violation names the state the intent was in"
                );
                (intent, Err(violation.code()))
            }
        };
        assert_eq!(outcome, model.last, "crate and model disagree on {op:?}");
        if let Some(checked) = checked {
            assert_eq!(
                checked.map_err(|v| v.code()),
                outcome,
                "check() and the transition disagree on {op:?}"
            );
        }
        if let Err(broken) = check_step(&before, &after, outcome.is_ok()) {
            panic!("after {op:?}: {broken}");
        }
        sut.intent = after;
        sut
    }

    fn check_invariants(sut: &Crate, model: &Model) {
        let intent = &sut.intent;
        assert_eq!(intent.state(), model.state(), "state");
        assert_eq!(intent.amount().minor_units(), model.amount, "amount");
        assert_eq!(
            intent.captured().minor_units(),
            model.captured(),
            "captured"
        );
        assert_eq!(
            intent.reserved().minor_units(),
            model.reserved(),
            "reserved"
        );
        assert_eq!(intent.refunded().minor_units(), model.refunded, "refunded");
        assert_eq!(
            intent.capturable().minor_units(),
            model.capturable(),
            "capturable"
        );
        assert_eq!(
            intent.refundable().minor_units(),
            model.refundable(),
            "refundable"
        );
        assert_eq!(
            intent.captures().len(),
            model.captures.len(),
            "captures recorded"
        );
        assert_eq!(
            intent.paid_at().map(|t| t.as_second()),
            model.paid_at,
            "payment time"
        );
        assert_eq!(sut.now.as_second(), model.now, "clock");
    }
}

prop_state_machine! {
    #![proptest_config(proptest_config("model", 4_000))]

    /// Thousands of random sequences per run; `PROPTEST_CASES` raises the count.
    #[test]
    fn the_crate_agrees_with_the_reference_model(sequential 1..40 => LifecycleTest);
}

/// The generator is only as good as what it reaches: over a few thousand
/// sequences the model must refuse with every rule the crate has, and accept
/// every kind of operation, or the agreement above proves little.
#[test]
fn the_generated_sequences_reach_every_rule_and_every_state() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};
    use std::collections::BTreeSet;

    let mut runner = TestRunner::new(Config::default());
    let strategy = Reference::sequential_strategy(1..40);
    let (mut codes, mut states) = (BTreeSet::new(), BTreeSet::new());
    for _ in 0..3_000 {
        let (mut model, ops, _) = strategy.new_tree(&mut runner).unwrap().current();
        for op in &ops {
            model = Reference::apply(model, op);
            if let Err(code) = model.last {
                codes.insert(code);
            }
            states.insert(model.state());
        }
    }
    let every_rule: BTreeSet<&str> = dojo_capture::Rule::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(codes, every_rule);
    assert_eq!(states, IntentState::ALL.into_iter().collect());
}
