//! D19: no typed intent ever disagrees with its amounts. Every public
//! constructor and transition of the typed API is driven at random, zero
//! amounts included, and after each one the intent's marker state must be
//! the state its figures imply.

mod common;
use common::Copied;

use common::proptest_config;
use dojo_capture::state::{Authorized, Canceled, Captured, Created, Refunded, Reversed, State};
use dojo_capture::{
    AnyPaymentIntent, Authorization, AutoExpireAction, AutoExpiry, CaptureId, CaptureMode,
    CaptureOutcome, CaptureResolved, Currency, IdempotencyKey, IntentState, Money, PaymentIntent,
};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

/// What the figures of a typed intent say its state is, checked against
/// its marker `S`, and against the state the runtime enum derives.
fn agrees<S: State>(intent: &PaymentIntent<S>) -> Result<(), TestCaseError> {
    let (amount, captured, reserved, refunded) = (
        intent.amount(),
        intent.captured(),
        intent.in_flight(),
        intent.refunded(),
    );
    prop_assert!(!amount.is_zero(), "a zero amount in state {}", S::STATE);
    prop_assert_eq!(intent.state(), S::STATE);
    match S::STATE {
        IntentState::Created | IntentState::Canceled => {
            prop_assert!(intent.paid_at().is_none());
            prop_assert!(captured.is_zero() && reserved.is_zero() && refunded.is_zero());
        }
        IntentState::Authorized => {
            prop_assert!(intent.paid_at().is_some());
            prop_assert!(captured.is_zero() && refunded.is_zero());
        }
        IntentState::Captured => {
            prop_assert!(intent.paid_at().is_some());
            prop_assert!(!captured.is_zero() && refunded.is_zero());
        }
        IntentState::Refunded => {
            prop_assert!(intent.paid_at().is_some());
            prop_assert!(!refunded.is_zero());
        }
        IntentState::Reversed => {
            prop_assert!(intent.capturable().is_zero() && intent.refundable().is_zero());
        }
    }
    // The runtime enum picks its variant from the figures alone.
    prop_assert_eq!(intent.copied().into_any().state(), S::STATE);
    Ok(())
}

fn agrees_any(intent: &AnyPaymentIntent) -> Result<(), TestCaseError> {
    match intent {
        AnyPaymentIntent::Created(i) => agrees(i),
        AnyPaymentIntent::Authorized(i) => agrees(i),
        AnyPaymentIntent::Captured(i) => agrees(i),
        AnyPaymentIntent::Refunded(i) => agrees(i),
        AnyPaymentIntent::Reversed(i) => agrees(i),
        AnyPaymentIntent::Canceled(i) => agrees(i),
    }?;
    // Every typed conversion hands back the same intent or refuses.
    fn converts<S: State>(intent: &AnyPaymentIntent) -> Result<(), TestCaseError> {
        match intent.copied().try_into_state::<S>() {
            Ok(typed) => prop_assert_eq!(&typed.into_any(), intent),
            Err(wrong) => {
                prop_assert_ne!(S::STATE, intent.state());
                prop_assert_eq!(&wrong.into_intent(), intent);
            }
        }
        Ok(())
    }
    converts::<Created>(intent)?;
    converts::<Authorized>(intent)?;
    converts::<Captured>(intent)?;
    converts::<Refunded>(intent)?;
    converts::<Reversed>(intent)?;
    converts::<Canceled>(intent)?;
    Ok(())
}

#[derive(Clone, Debug)]
enum Step {
    Authorize,
    Cancel,
    ChangeAmount(i64),
    Capture {
        id: u8,
        minor: i64,
        tip: Option<i64>,
    },
    Settle {
        id: u8,
        outcome: CaptureOutcome,
    },
    Refund {
        key: u8,
        minor: i64,
    },
    Reverse,
    Advance(i64),
}

fn step() -> impl Strategy<Value = Step> {
    let minor = prop_oneof![Just(0_i64), Just(1), 0_i64..=1_200];
    let outcome = prop_oneof![
        Just(CaptureOutcome::Successful),
        Just(CaptureOutcome::Declined),
        Just(CaptureOutcome::Failed),
    ];
    prop_oneof![
        2 => Just(Step::Authorize),
        1 => Just(Step::Cancel),
        1 => minor.clone().prop_map(Step::ChangeAmount),
        5 => (0_u8..3, minor.clone(), proptest::option::of(prop_oneof![Just(0_i64), 1_i64..100]))
            .prop_map(|(id, minor, tip)| Step::Capture { id, minor, tip }),
        4 => (0_u8..3, outcome).prop_map(|(id, outcome)| Step::Settle { id, outcome }),
        3 => (0_u8..2, minor).prop_map(|(key, minor)| Step::Refund { key, minor }),
        1 => Just(Step::Reverse),
        1 => (0_i64..(9 * 86_400)).prop_map(Step::Advance),
    ]
}

fn gbp(minor: i64) -> Money {
    Money::new(minor, Currency::GBP)
}

fn cid(id: u8) -> CaptureId {
    CaptureId::new(&format!("cp_{id}")).unwrap()
}

fn key(key: u8) -> IdempotencyKey {
    IdempotencyKey::new(&format!("rf_{key}")).unwrap()
}

/// Applies `step` through the typed API of whatever state the intent is
/// in; a step the state has no method for is skipped, as the compiler
/// would refuse it.
fn typed_step(intent: AnyPaymentIntent, step: &Step, now: Timestamp) -> AnyPaymentIntent {
    use AnyPaymentIntent as A;
    match (intent, step) {
        (A::Created(i), Step::Authorize) => match i.authorize(now) {
            Authorization::Manual(i) => i.into_any(),
            Authorization::Auto(i) => i.into_any(),
        },
        (A::Created(i), Step::Cancel) => i.cancel().into_any(),
        (A::Created(i), Step::ChangeAmount(minor)) => i
            .change_amount(gbp(*minor))
            .unwrap_or_else(|r| r.into_intent())
            .into_any(),
        (A::Authorized(i), Step::Capture { id, minor, tip }) => i
            .capture_with_tips(cid(*id), gbp(*minor), tip.map(gbp), now)
            .unwrap_or_else(|r| r.into_intent())
            .into_any(),
        (A::Captured(i), Step::Capture { id, minor, tip }) => i
            .capture_with_tips(cid(*id), gbp(*minor), tip.map(gbp), now)
            .unwrap_or_else(|r| r.into_intent())
            .into_any(),
        (A::Authorized(i), Step::Settle { id, outcome }) => {
            match i.record_capture_outcome(&cid(*id), *outcome) {
                Ok(CaptureResolved::Authorized(i)) => i.into_any(),
                Ok(CaptureResolved::Captured(i)) => i.into_any(),
                Err(r) => r.into_intent().into_any(),
            }
        }
        (A::Captured(i), Step::Settle { id, outcome }) => i
            .record_capture_outcome(&cid(*id), *outcome)
            .unwrap_or_else(|r| r.into_intent())
            .into_any(),
        (A::Refunded(i), Step::Settle { id, outcome }) => i
            .record_capture_outcome(&cid(*id), *outcome)
            .unwrap_or_else(|r| r.into_intent())
            .into_any(),
        (A::Captured(i), Step::Refund { key: k, minor }) => match i.refund(key(*k), gbp(*minor)) {
            Ok(i) => i.into_any(),
            Err(r) => r.into_intent().into_any(),
        },
        (A::Refunded(i), Step::Refund { key: k, minor }) => i
            .refund(key(*k), gbp(*minor))
            .unwrap_or_else(|r| r.into_intent())
            .into_any(),
        (A::Authorized(i), Step::Reverse) => match i.reverse(now) {
            Ok(i) => i.into_any(),
            Err(r) => r.into_intent().into_any(),
        },
        (A::Captured(i), Step::Reverse) => match i.reverse(now) {
            Ok(i) => i.into_any(),
            Err(r) => r.into_intent().into_any(),
        },
        (other, _) => other,
    }
}

proptest! {
    #![proptest_config(proptest_config("typed_state", 2_000))]

    #[test]
    fn every_typed_intent_agrees_with_its_amounts(
        minor in prop_oneof![Just(0_i64), Just(1), 1_i64..=1_000, Just(i64::MAX)],
        manual in any::<bool>(),
        expiry in proptest::option::of(31_i64..86_400),
        steps in proptest::collection::vec(step(), 0..24),
    ) {
        let mode = if manual { CaptureMode::Manual } else { CaptureMode::Auto };
        let created = match PaymentIntent::try_new(gbp(minor), mode) {
            Ok(created) => created,
            Err(violation) => {
                prop_assert_eq!(minor, 0);
                prop_assert_eq!(violation.code(), "zero_amount");
                return Ok(());
            }
        };
        let mut created = created.with_id("pi_typed").with_custom_amount_allowed(true);
        if let Some(seconds) = expiry {
            let expiry = AutoExpiry::new(SignedDuration::from_secs(seconds), AutoExpireAction::Capture)
                .expect("in bounds");
            created = created.with_auto_expiry(expiry);
        }
        agrees(&created)?;
        let mut now: Timestamp = "2024-07-25T08:49:20Z".parse().unwrap();
        let mut intent = created.into_any();
        for step in &steps {
            if let Step::Advance(seconds) = step {
                now += SignedDuration::from_secs(*seconds);
                continue;
            }
            intent = typed_step(intent, step, now);
            agrees_any(&intent)?;
            // Rehydrated from its own wire form, it agrees too.
            let again = AnyPaymentIntent::try_from(&intent.to_resource())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            agrees_any(&again)?;
        }
    }
}

#[test]
fn typed_intents_are_equal_exactly_when_their_facts_are() {
    let a = PaymentIntent::new(gbp(1000), CaptureMode::Manual);
    assert_eq!(a, a.copied());
    assert_ne!(a, PaymentIntent::new(gbp(1001), CaptureMode::Manual));
    assert_ne!(a, PaymentIntent::new(gbp(1000), CaptureMode::Auto));
    assert_ne!(a.copied(), a.with_id("pi_other"));
}
