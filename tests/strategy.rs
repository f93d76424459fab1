//! The public strategies (feature `proptest`) produce what they promise.

mod common;

use common::invariants::{check_intent, check_round_trip};
use common::proptest_config;
use dojo_capture::state::{Authorized, Canceled, Captured, Created, Refunded, Reversed, State};
use dojo_capture::strategy::{self, CURRENCY_CODES};
use dojo_capture::{CaptureMode, CaptureStatus, Currency, IntentState, Money, PaymentIntent};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::collections::BTreeSet;

#[test]
fn every_listed_currency_has_a_minor_unit() {
    for code in CURRENCY_CODES {
        assert!(Currency::from_code(code).is_ok(), "{code}");
    }
}

/// Draws `n` values from `strategy`.
fn sample<S: Strategy>(strategy: S, n: usize) -> Vec<S::Value> {
    let mut runner = TestRunner::deterministic();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

#[test]
fn intents_in_a_state_cover_both_modes_and_every_capture_status() {
    for state in IntentState::ALL {
        let intents = sample(strategy::intent_in(state), 300);
        let modes: BTreeSet<_> = intents
            .iter()
            .map(|i| format!("{:?}", i.capture_mode()))
            .collect();
        let expected_modes = match state {
            // An Auto intent is captured at payment, and cancels are drawn Manual.
            IntentState::Authorized | IntentState::Canceled => 1,
            _ => 2,
        };
        assert_eq!(modes.len(), expected_modes, "{state}: {modes:?}");
        for intent in &intents {
            assert_eq!(intent.state(), state);
            check_intent(intent).unwrap();
        }
        if matches!(state, IntentState::Authorized | IntentState::Captured) {
            let statuses: BTreeSet<_> = intents
                .iter()
                .flat_map(|i| i.captures().iter().map(|c| format!("{:?}", c.status())))
                .collect();
            let all: BTreeSet<_> = CaptureStatus::ALL
                .iter()
                .map(|s| format!("{s:?}"))
                .collect();
            let expected = if state == IntentState::Authorized {
                // Nothing Successful before a capture is.
                all.into_iter().filter(|s| s != "Successful").collect()
            } else {
                all
            };
            assert_eq!(statuses, expected, "{state}");
        }
    }
}

#[test]
fn refunded_intents_hold_partial_and_full_refunds() {
    let intents = sample(strategy::intent_in(IntentState::Refunded), 300);
    assert!(intents.iter().any(|i| i.refundable().is_zero()));
    assert!(intents.iter().any(|i| !i.refundable().is_zero()));
    assert!(
        intents
            .iter()
            .any(|i| i.capture_mode() == CaptureMode::Auto)
    );
}

fn typed_in<S: State>() {
    for intent in sample(strategy::typed::<S>(), 50) {
        assert_eq!(intent.state(), S::STATE);
    }
}

#[test]
fn typed_intents_are_in_their_state() {
    typed_in::<Created>();
    typed_in::<Authorized>();
    typed_in::<Captured>();
    typed_in::<Refunded>();
    typed_in::<Reversed>();
    typed_in::<Canceled>();
}

#[test]
fn money_reaches_zero_one_and_the_largest_amount() {
    let minors: BTreeSet<i64> = sample(strategy::money_in(Currency::JPY), 500)
        .into_iter()
        .inspect(|m| assert_eq!(m.currency(), Currency::JPY))
        .map(|m| m.minor_units())
        .collect();
    for edge in [0, 1, i64::MAX] {
        assert!(minors.contains(&edge), "{edge} never drawn");
    }
    assert!(
        sample(strategy::positive_money_in(Currency::GBP), 500)
            .iter()
            .all(|m| m.minor_units() > 0)
    );
    let currencies: BTreeSet<_> = sample(strategy::money(), 500)
        .into_iter()
        .map(|m| m.currency().code())
        .collect();
    assert_eq!(currencies, CURRENCY_CODES.into_iter().collect());
}

proptest! {
    #![proptest_config(proptest_config("strategy", 256))]

    #[test]
    fn any_intent_survives_a_wire_round_trip(intent in strategy::intent()) {
        check_round_trip(&intent).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn ids_and_keys_are_valid(id in strategy::capture_id(), key in strategy::idempotency_key()) {
        prop_assert!(id.as_str().starts_with("cp_"));
        prop_assert!(key.as_str().starts_with("key_"));
    }

    #[test]
    fn expiries_are_inside_rule_7(expiry in strategy::auto_expiry(), at in strategy::timestamp()) {
        let intent = PaymentIntent::new(Money::new(1, Currency::GBP), CaptureMode::Manual)
            .with_auto_expiry(expiry)
            .into_any();
        let paid = intent.authorize(at).unwrap();
        prop_assert!(paid.authorization_deadline().unwrap() > at);
        prop_assert_eq!(paid.state(), IntentState::Authorized);
    }
}
