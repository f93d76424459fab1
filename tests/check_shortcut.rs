//! `check` answers an accepted capture or refund from the running totals,
//! without the full checks. These tests hold it to the operations
//! themselves: over intents as workers leave them (prepared operations,
//! answers recorded, refused or lost), `check` accepts exactly what the
//! operation's own method accepts, and refuses with the same violation. A
//! condition dropped from the shortcut makes `check` accept what the method
//! refuses.

mod common;
use common::Copied;

use common::reachable::reachable;
use common::{key, proptest_config};
use dojo_capture::request::ApiVersion;
use dojo_capture::{AnyPaymentIntent, Currency, Money, Operation, Rule, Timestamp};
use jiff::SignedDuration;
use proptest::prelude::*;

const V: ApiVersion = ApiVersion::V2025_09_10;

/// An amount near what the rules allow: at, just under and just over the
/// capturable or refundable amount, zero, or one in another currency.
fn amount_near(intent: &AnyPaymentIntent, limit: Money, pick: u8, minor: i64) -> Money {
    let at = limit.minor_units();
    let currency = intent.currency();
    match pick {
        0 => limit,
        1 => Money::new(at.saturating_sub(1).max(0), currency),
        2 => Money::new(at.saturating_add(1), currency),
        3 => Money::zero(currency),
        4 => {
            let other = if currency == Currency::EUR {
                Currency::GBP
            } else {
                Currency::EUR
            };
            Money::new(minor, other)
        }
        _ => Money::new(minor, currency),
    }
}

/// A time near the capture deadline (a nanosecond or a second either side
/// of it), or soon after the payment, or before it.
fn time_near(intent: &AnyPaymentIntent, pick: u8) -> Timestamp {
    let paid = intent.paid_at().unwrap_or_else(common::paid);
    let deadline = intent
        .authorization_deadline()
        .unwrap_or(paid + SignedDuration::from_hours(7 * 24));
    match pick {
        0 => deadline - SignedDuration::from_nanos(1),
        1 => deadline,
        2 => deadline + SignedDuration::from_nanos(1),
        3 => deadline - SignedDuration::from_secs(1),
        4 => deadline + SignedDuration::from_secs(1),
        5 => paid - SignedDuration::from_mins(1),
        _ => paid + SignedDuration::from_mins(1),
    }
}

proptest! {
    #![proptest_config(proptest_config("check_shortcut", 2048))]

    /// A capture is checked as `prepare_capture` checks it.
    #[test]
    fn check_accepts_a_capture_exactly_when_prepare_capture_does(
        intent in reachable(),
        pick in 0_u8..7,
        minor in 1_i64..20_000,
        when in 0_u8..8,
    ) {
        let amount = amount_near(&intent, intent.capturable(), pick, minor);
        let now = time_near(&intent, when);
        let checked = intent.check(Operation::Capture(amount), now);
        match (checked, intent.copied().prepare_capture(amount, None, now, V)) {
            (Ok(()), Ok(_)) => {}
            (Err(checked), Err(refused)) => prop_assert_eq!(&checked, refused.violation()),
            // Only the request needs Dojo's id of the intent.
            (Ok(()), Err(refused)) => {
                prop_assert_eq!(refused.violation().rule(), Rule::MissingIntentId);
                prop_assert!(intent.id().is_none());
            }
            (Err(checked), Ok(_)) => {
                return Err(TestCaseError::fail(format!("check refused ({checked}) what prepare_capture accepted")));
            }
        }
    }

    /// A refund is checked as `refund` under a new key checks it.
    #[test]
    fn check_accepts_a_refund_exactly_when_refund_does(
        intent in reachable(),
        pick in 0_u8..7,
        minor in 1_i64..20_000,
    ) {
        let amount = amount_near(&intent, intent.refundable(), pick, minor);
        let now = time_near(&intent, 6);
        let checked = intent.check(Operation::Refund(amount), now);
        match (checked, intent.copied().refund(key("rf_shortcut_new"), amount)) {
            (Ok(()), Ok(_)) => {}
            (Err(checked), Err(refused)) => prop_assert_eq!(&checked, refused.violation()),
            (Ok(()), Err(refused)) => {
                return Err(TestCaseError::fail(format!("check accepted what refund refused: {}", refused.violation())));
            }
            (Err(checked), Ok(_)) => {
                return Err(TestCaseError::fail(format!("check refused ({checked}) what refund accepted")));
            }
        }
    }
}

/// Refunds together never pass int64, whatever the tips add to what is
/// refundable: the shortcut refuses to answer a refund that would, and the
/// full checks refuse it as an over-refund.
#[test]
fn a_refund_that_would_take_refunds_past_int64_is_refused() {
    let max = i64::MAX;
    let json = serde_json::json!({
        "id": "pi_near_int64",
        "captureMode": "Manual",
        "status": "Refunded",
        "amount": {"value": max, "currencyCode": "GBP"},
        "refundedAmount": 50,
        "createdAt": "2024-07-25T08:49:20Z",
        "paymentDetails": {"transactionDateTime": "2024-07-25T08:49:20Z"},
        "captures": [
            {"id": "cp_a", "amount": max, "tipsAmount": 100, "status": "Successful"}
        ],
    });
    let intent = AnyPaymentIntent::from_json(json.to_string().as_bytes()).expect("intent");
    let now = common::paid() + SignedDuration::from_mins(1);
    // Captured and tips less refunds is past int64; refunds may still grow
    // to int64 only.
    let room = Money::new(max - 50, Currency::GBP);
    assert_eq!(intent.refundable(), room);
    assert_eq!(intent.check(Operation::Refund(room), now), Ok(()));
    let over = Money::new(max - 49, Currency::GBP);
    let refused = intent
        .check(Operation::Refund(over), now)
        .expect_err("past int64");
    assert_eq!(refused.rule(), Rule::OverRefund);
    let rejected = intent
        .refund(key("rf_near_int64"), over)
        .expect_err("past int64");
    assert_eq!(rejected.violation(), &refused);
}

/// The deadline to the nanosecond, with a lifetime that is not whole
/// seconds and a payment that is not on a second: whole seconds alone
/// would say "past" a moment too soon.
#[test]
fn a_capture_is_accepted_until_the_deadline_to_the_nanosecond() {
    use dojo_capture::{Authorization, AutoExpireAction, AutoExpiry, CaptureMode, PaymentIntent};

    let lifetime = SignedDuration::from_millis(100_900);
    let expiry = AutoExpiry::new(lifetime, AutoExpireAction::Release).expect("expiry");
    let paid: Timestamp = "2024-07-25T08:49:20.6Z".parse().expect("time");
    let Authorization::Manual(intent) = PaymentIntent::new(common::gbp(1000), CaptureMode::Manual)
        .with_id("pi_deadline")
        .with_auto_expiry(expiry)
        .authorize(paid)
    else {
        panic!("a Manual intent");
    };
    let intent = intent.into_any();
    let capture = Operation::Capture(common::gbp(100));
    let deadline = paid + lifetime;
    // 100.5 s after the payment, a whole second later on the clock than
    // the payment's second plus 100.
    for now in [
        paid + SignedDuration::from_millis(100_500),
        deadline - SignedDuration::from_nanos(1),
    ] {
        assert_eq!(intent.check(capture, now), Ok(()), "at {now}");
    }
    for now in [deadline, deadline + SignedDuration::from_nanos(1)] {
        let refused = intent.check(capture, now).expect_err("past the deadline");
        assert_eq!(refused.rule(), Rule::AuthorizationExpired, "at {now}");
    }
}
