//! The typed API, `PaymentIntent<S>`: every rule on both sides of its
//! boundary, the exact rule and figures of each refusal, and the intent
//! handed back unchanged.

use dojo_capture::state::{Authorized, Captured, Created};
use dojo_capture::{
    Authorization, AutoExpireAction, AutoExpiry, CaptureId, CaptureMode, CaptureOutcome,
    CaptureResolved, CaptureStatus, Currency, IdempotencyKey, IntentState, OperationKind,
    PaymentIntent, Rejected, Rule,
};
use jiff::{SignedDuration, Timestamp};

mod common;
use common::Copied;
use common::{cid, eur, gbp, key, paid, ts};

// ---- helpers ----

const SEVEN_DAYS: SignedDuration = SignedDuration::from_hours(7 * 24);
const ONE_SECOND: SignedDuration = SignedDuration::from_secs(1);

fn now() -> Timestamp {
    paid() + SignedDuration::from_hours(1)
}

fn manual(amount: i64) -> PaymentIntent<Created> {
    PaymentIntent::new(gbp(amount), CaptureMode::Manual)
}

fn authorize_manual(intent: PaymentIntent<Created>, at: Timestamp) -> PaymentIntent<Authorized> {
    match intent.authorize(at) {
        Authorization::Manual(intent) => intent,
        Authorization::Auto(_) => panic!("a Manual intent is not captured by Dojo"),
    }
}

fn authorized(amount: i64) -> PaymentIntent<Authorized> {
    authorize_manual(manual(amount), paid())
}

fn into_captured(resolved: CaptureResolved) -> PaymentIntent<Captured> {
    match resolved {
        CaptureResolved::Captured(intent) => intent,
        CaptureResolved::Authorized(intent) => panic!("expected Captured, got {intent:?}"),
    }
}

fn into_authorized(resolved: CaptureResolved) -> PaymentIntent<Authorized> {
    match resolved {
        CaptureResolved::Authorized(intent) => intent,
        CaptureResolved::Captured(intent) => panic!("expected Authorized, got {intent:?}"),
    }
}

/// A Manual intent for `amount` with one Successful capture `cp_1` of `captured`.
fn captured(amount: i64, captured: i64) -> PaymentIntent<Captured> {
    let id = cid("cp_1");
    let intent = authorized(amount)
        .capture(id.clone(), gbp(captured), now())
        .unwrap();
    into_captured(
        intent
            .record_capture_outcome(&id, CaptureOutcome::Successful)
            .unwrap(),
    )
}

fn auto_captured(amount: i64, at: Timestamp) -> PaymentIntent<Captured> {
    match PaymentIntent::new(gbp(amount), CaptureMode::Auto).authorize(at) {
        Authorization::Auto(intent) => intent,
        Authorization::Manual(_) => panic!("an Auto intent is captured by Dojo"),
    }
}

/// Asserts the refusal's rule and operation, and that the intent came back unchanged.
fn refused<I: PartialEq + std::fmt::Debug>(
    result: Result<impl std::fmt::Debug, Rejected<I>>,
    before: &I,
    rule: Rule,
    operation: OperationKind,
) -> dojo_capture::RuleViolation {
    let rejected = result.expect_err("the operation must be refused");
    assert_eq!(rejected.rule(), rule, "{rejected}");
    assert_eq!(rejected.violation().code(), rule.code());
    assert_eq!(rejected.violation().operation(), operation);
    assert_eq!(rejected.intent(), before);
    let (intent, violation) = rejected.into_parts();
    assert_eq!(&intent, before);
    violation
}

// ---- partial captures (rule 2, D1) ----

#[test]
fn two_partial_captures_take_the_whole_amount() {
    let first = cid("cp_first");
    let intent = authorized(1000)
        .capture(first.clone(), gbp(600), now())
        .unwrap();
    assert_eq!(intent.state(), IntentState::Authorized);
    assert_eq!(intent.in_flight(), gbp(600));
    assert_eq!(intent.captured(), gbp(0));
    assert_eq!(intent.capturable(), gbp(400));
    assert_eq!(intent.refundable(), gbp(0));
    let record = &intent.captures()[0];
    assert_eq!(record.id(), Some(&first));
    assert_eq!(record.amount(), gbp(600));
    assert_eq!(record.tips(), None);
    assert_eq!(record.status(), CaptureStatus::Created);
    assert_eq!(record.created_at(), Some(now()));

    let intent = into_captured(
        intent
            .record_capture_outcome(&first, CaptureOutcome::Successful)
            .unwrap(),
    );
    assert_eq!(intent.state(), IntentState::Captured);
    assert_eq!(intent.captured(), gbp(600));
    assert_eq!(intent.in_flight(), gbp(0));
    assert_eq!(intent.capturable(), gbp(400));
    assert_eq!(intent.refundable(), gbp(600));
    assert_eq!(intent.captures()[0].status(), CaptureStatus::Successful);

    // A further partial capture stays possible after the first succeeded (rule 2).
    let second = cid("cp_second");
    let intent = intent.capture(second.clone(), gbp(400), now()).unwrap();
    assert_eq!(intent.in_flight(), gbp(400));
    assert_eq!(intent.capturable(), gbp(0));
    let intent = intent
        .record_capture_outcome(&second, CaptureOutcome::Successful)
        .unwrap();
    assert_eq!(intent.captured(), gbp(1000));
    assert_eq!(intent.capturable(), gbp(0));
    assert_eq!(intent.captures().len(), 2);
}

#[test]
fn exactly_the_amount_is_capturable_and_one_more_unit_is_not() {
    let intent = authorized(1000);
    let before = intent.copied();
    let violation = refused(
        intent.capture(cid("cp_1"), gbp(1001), now()),
        &before,
        Rule::OverCapture,
        OperationKind::Capture,
    );
    assert_eq!(violation.requested(), Some(gbp(1001)));
    assert_eq!(violation.available(), Some(gbp(1000)));
    assert_eq!(violation.state(), IntentState::Authorized);
    assert_eq!(
        violation.to_string(),
        "over_capture: capturing 10.01 GBP exceeds the capturable 10.00 GBP \
         (authorised 10.00 GBP, captured 0.00 GBP, in flight 0.00 GBP)"
    );

    let intent = before.capture(cid("cp_1"), gbp(1000), now()).unwrap();
    assert_eq!(intent.in_flight(), gbp(1000));
    assert_eq!(intent.capturable(), gbp(0));
}

#[test]
fn an_in_flight_capture_holds_its_amount() {
    let intent = authorized(1000)
        .capture(cid("cp_1"), gbp(600), now())
        .unwrap();
    let before = intent.copied();
    let violation = refused(
        intent.capture(cid("cp_2"), gbp(401), now()),
        &before,
        Rule::OverCapture,
        OperationKind::Capture,
    );
    assert_eq!(violation.requested(), Some(gbp(401)));
    assert_eq!(violation.available(), Some(gbp(400)));
    assert_eq!(
        violation.to_string(),
        "over_capture: capturing 4.01 GBP exceeds the capturable 4.00 GBP \
         (authorised 10.00 GBP, captured 0.00 GBP, in flight 6.00 GBP)"
    );
    let intent = before.capture(cid("cp_2"), gbp(400), now()).unwrap();
    assert_eq!(intent.in_flight(), gbp(1000));
    assert_eq!(intent.capturable(), gbp(0));
}

#[test]
fn declined_and_failed_captures_release_their_amount_in_flight() {
    for outcome in [CaptureOutcome::Declined, CaptureOutcome::Failed] {
        let id = cid("cp_1");
        let intent = authorized(1000)
            .capture(id.clone(), gbp(600), now())
            .unwrap();
        let intent = into_authorized(intent.record_capture_outcome(&id, outcome).unwrap());
        assert_eq!(intent.in_flight(), gbp(0), "{outcome:?}");
        assert_eq!(intent.captured(), gbp(0));
        assert_eq!(intent.capturable(), gbp(1000));
        let expected = match outcome {
            CaptureOutcome::Declined => CaptureStatus::Declined,
            _ => CaptureStatus::Failed,
        };
        assert_eq!(intent.captures()[0].status(), expected);
        // The whole amount is capturable again.
        let intent = intent.capture(cid("cp_2"), gbp(1000), now()).unwrap();
        assert_eq!(intent.in_flight(), gbp(1000));
    }
}

#[test]
fn a_released_capture_on_a_captured_intent_frees_its_part() {
    let intent = captured(1000, 300)
        .capture(cid("cp_2"), gbp(700), now())
        .unwrap();
    assert_eq!(intent.capturable(), gbp(0));
    let intent = intent
        .record_capture_outcome(&cid("cp_2"), CaptureOutcome::Declined)
        .unwrap();
    assert_eq!(intent.captured(), gbp(300));
    assert_eq!(intent.in_flight(), gbp(0));
    assert_eq!(intent.capturable(), gbp(700));
}

#[test]
fn a_successful_outcome_turns_authorized_into_captured() {
    let id = cid("cp_1");
    let intent = authorized(1000)
        .capture(id.clone(), gbp(250), now())
        .unwrap();
    match intent
        .record_capture_outcome(&id, CaptureOutcome::Successful)
        .unwrap()
    {
        CaptureResolved::Captured(intent) => {
            assert_eq!(intent.state(), IntentState::Captured);
            assert_eq!(intent.captured(), gbp(250));
        }
        CaptureResolved::Authorized(intent) => panic!("still authorised: {intent:?}"),
    }
}

#[test]
fn one_of_two_in_flight_captures_declined_stays_authorized() {
    let intent = authorized(1000)
        .capture(cid("cp_1"), gbp(300), now())
        .unwrap()
        .capture(cid("cp_2"), gbp(300), now())
        .unwrap();
    let intent = into_authorized(
        intent
            .record_capture_outcome(&cid("cp_1"), CaptureOutcome::Failed)
            .unwrap(),
    );
    assert_eq!(intent.in_flight(), gbp(300));
    assert_eq!(intent.capturable(), gbp(700));
}

#[test]
fn over_capture_across_several_partial_captures() {
    let intent = captured(1000, 300);
    let intent = intent.capture(cid("cp_2"), gbp(300), now()).unwrap();
    let intent = intent
        .record_capture_outcome(&cid("cp_2"), CaptureOutcome::Successful)
        .unwrap();
    let intent = intent.capture(cid("cp_3"), gbp(200), now()).unwrap();
    assert_eq!(intent.captured(), gbp(600));
    assert_eq!(intent.in_flight(), gbp(200));
    assert_eq!(intent.capturable(), gbp(200));

    let before = intent.copied();
    let violation = refused(
        intent.capture(cid("cp_4"), gbp(201), now()),
        &before,
        Rule::OverCapture,
        OperationKind::Capture,
    );
    assert_eq!(violation.requested(), Some(gbp(201)));
    assert_eq!(violation.available(), Some(gbp(200)));
    assert_eq!(violation.state(), IntentState::Captured);
    assert_eq!(
        violation.to_string(),
        "over_capture: capturing 2.01 GBP exceeds the capturable 2.00 GBP \
         (authorised 10.00 GBP, captured 6.00 GBP, in flight 2.00 GBP)"
    );

    let intent = before.capture(cid("cp_4"), gbp(200), now()).unwrap();
    assert_eq!(intent.capturable(), gbp(0));
    let before = intent.copied();
    let violation = refused(
        intent.capture(cid("cp_5"), gbp(1), now()),
        &before,
        Rule::OverCapture,
        OperationKind::Capture,
    );
    assert_eq!(violation.requested(), Some(gbp(1)));
    assert_eq!(violation.available(), Some(gbp(0)));
}

// ---- deadlines (rule 7, D12) ----

#[test]
fn capture_is_allowed_until_seven_days_after_payment() {
    let intent = authorized(1000);
    assert_eq!(intent.paid_at(), Some(paid()));
    assert_eq!(intent.authorization_deadline(), Some(paid() + SEVEN_DAYS));
    assert_eq!(intent.auto_expiry(), None);

    let deadline = paid() + SEVEN_DAYS;
    let before = intent.copied();
    let violation = refused(
        intent.capture(cid("cp_1"), gbp(100), deadline),
        &before,
        Rule::AuthorizationExpired,
        OperationKind::Capture,
    );
    assert_eq!(violation.requested(), None);
    assert_eq!(violation.available(), None);
    assert_eq!(
        violation.to_string(),
        "authorization_expired: the authorisation expired at 2024-08-01T08:49:20Z \
         and it is now 2024-08-01T08:49:20Z"
    );
    let intent = before
        .capture(cid("cp_1"), gbp(100), deadline - ONE_SECOND)
        .unwrap();
    assert_eq!(intent.in_flight(), gbp(100));
}

#[test]
fn capture_on_a_captured_intent_also_expires() {
    let intent = captured(1000, 100);
    let deadline = paid() + SEVEN_DAYS;
    let before = intent.copied();
    refused(
        intent.capture(cid("cp_2"), gbp(100), deadline),
        &before,
        Rule::AuthorizationExpired,
        OperationKind::Capture,
    );
    before
        .capture(cid("cp_2"), gbp(100), deadline - ONE_SECOND)
        .unwrap();
}

#[test]
fn auto_expiry_moves_the_deadline() {
    let expiry = AutoExpiry::new(SignedDuration::from_hours(1), AutoExpireAction::Release).unwrap();
    let intent = authorize_manual(manual(1000).with_auto_expiry(expiry), paid());
    assert_eq!(intent.auto_expiry(), Some(expiry));
    let deadline = paid() + SignedDuration::from_hours(1);
    assert_eq!(intent.authorization_deadline(), Some(deadline));

    let before = intent.copied();
    let violation = refused(
        intent.capture(cid("cp_1"), gbp(100), deadline),
        &before,
        Rule::AuthorizationExpired,
        OperationKind::Capture,
    );
    assert_eq!(
        violation.to_string(),
        "authorization_expired: the authorisation expired at 2024-07-25T09:49:20Z \
         and it is now 2024-07-25T09:49:20Z"
    );
    before
        .copied()
        .capture(cid("cp_1"), gbp(100), deadline - ONE_SECOND)
        .unwrap();

    // Reversal follows the same deadline.
    let violation = refused(
        before.copied().reverse(deadline),
        &before,
        Rule::ReversalWindowClosed,
        OperationKind::Reverse,
    );
    assert_eq!(
        violation.to_string(),
        "reversal_window_closed: the reversal window closed at 2024-07-25T09:49:20Z \
         and it is now 2024-07-25T09:49:20Z"
    );
    let reversed = before.reverse(deadline - ONE_SECOND).unwrap();
    assert_eq!(reversed.state(), IntentState::Reversed);
}

#[test]
fn auto_expiry_bounds() {
    let action = AutoExpireAction::Capture;
    for secs in [31, 3600, 7 * 86_400 - 1] {
        let expiry = AutoExpiry::new(SignedDuration::from_secs(secs), action).unwrap();
        assert_eq!(expiry.after(), SignedDuration::from_secs(secs));
        assert_eq!(expiry.action(), action);
    }
    for secs in [-1, 0, 30, 7 * 86_400, 8 * 86_400] {
        assert!(
            AutoExpiry::new(SignedDuration::from_secs(secs), action).is_err(),
            "{secs}"
        );
    }
    // The bounds are exclusive to the resolution of a .NET time span, 100 ns.
    assert!(AutoExpiry::new(SignedDuration::new(30, 100), action).is_ok());
    assert!(AutoExpiry::new(SEVEN_DAYS - SignedDuration::from_nanos(100), action).is_ok());
    assert_eq!(
        AutoExpiry::new(SignedDuration::new(30, 1), action)
            .unwrap_err()
            .to_string(),
        "autoExpireIn of 30s 1ns is finer than 100 nanoseconds, the resolution of a .NET time span"
    );
    assert_eq!(
        AutoExpiry::new(SignedDuration::from_secs(30), action)
            .unwrap_err()
            .to_string(),
        "autoExpireIn of 30s is out of bounds: it must be more than 30 seconds and less than 7 days"
    );
    assert_eq!(
        AutoExpiry::new(SEVEN_DAYS, action).unwrap_err().to_string(),
        "autoExpireIn of 168h is out of bounds: it must be more than 30 seconds and less than 7 days"
    );
}

// ---- capture ids (D7) ----

#[test]
fn the_same_capture_id_and_amount_is_a_replay() {
    let intent = authorized(1000)
        .capture(cid("cp_1"), gbp(600), now())
        .unwrap();
    let before = intent.copied();
    let again = intent.capture(cid("cp_1"), gbp(600), now()).unwrap();
    assert_eq!(again, before);
    assert_eq!(again.captures().len(), 1);
    assert_eq!(again.in_flight(), gbp(600));
}

#[test]
fn a_replay_is_not_an_over_capture_nor_expired() {
    // The whole amount is reserved by cp_1: recording cp_1 again must not count it twice.
    let intent = authorized(1000)
        .capture(cid("cp_1"), gbp(1000), now())
        .unwrap();
    let before = intent.copied();
    let again = intent.capture(cid("cp_1"), gbp(1000), now()).unwrap();
    assert_eq!(again, before);
    // Nor does a replay arriving after the deadline change anything.
    let late = again
        .capture(cid("cp_1"), gbp(1000), paid() + SEVEN_DAYS)
        .unwrap();
    assert_eq!(late, before);
}

#[test]
fn a_replay_of_a_resolved_capture_changes_nothing() {
    let intent = captured(1000, 1000);
    let before = intent.copied();
    let again = intent.capture(cid("cp_1"), gbp(1000), now()).unwrap();
    assert_eq!(again, before);
}

#[test]
fn the_same_capture_id_with_another_amount_is_a_conflict() {
    let intent = authorized(1000)
        .capture(cid("cp_1"), gbp(600), now())
        .unwrap();
    let before = intent.copied();
    let violation = refused(
        intent.capture(cid("cp_1"), gbp(500), now()),
        &before,
        Rule::CaptureConflict,
        OperationKind::Capture,
    );
    assert_eq!(violation.requested(), Some(gbp(500)));
    assert_eq!(violation.available(), None);
    assert_eq!(
        violation.to_string(),
        "capture_conflict: this capture id is already recorded for 6.00 GBP, not 5.00 GBP"
    );
}

// ---- settling ----

#[test]
fn the_outcome_of_an_unknown_capture_is_refused() {
    let intent = authorized(1000)
        .capture(cid("cp_1"), gbp(600), now())
        .unwrap();
    let before = intent.copied();
    let violation = refused(
        intent.record_capture_outcome(&cid("cp_404"), CaptureOutcome::Successful),
        &before,
        Rule::UnknownCapture,
        OperationKind::RecordCaptureOutcome,
    );
    assert_eq!(
        violation.to_string(),
        "unknown_capture: no capture in flight has this id"
    );
}

#[test]
fn the_same_outcome_twice_is_a_replay_and_another_outcome_is_refused() {
    let intent = captured(1000, 600);
    let before = intent.copied();
    let again = intent
        .record_capture_outcome(&cid("cp_1"), CaptureOutcome::Successful)
        .unwrap();
    assert_eq!(again, before);
    let violation = refused(
        again.record_capture_outcome(&cid("cp_1"), CaptureOutcome::Declined),
        &before,
        Rule::UnknownCapture,
        OperationKind::RecordCaptureOutcome,
    );
    assert_eq!(violation.state(), IntentState::Captured);

    // The same on an Authorized intent whose only capture was declined.
    let id = cid("cp_1");
    let intent = into_authorized(
        authorized(1000)
            .capture(id.clone(), gbp(600), now())
            .unwrap()
            .record_capture_outcome(&id, CaptureOutcome::Declined)
            .unwrap(),
    );
    let before = intent.copied();
    let again = into_authorized(
        intent
            .record_capture_outcome(&id, CaptureOutcome::Declined)
            .unwrap(),
    );
    assert_eq!(again, before);
    refused(
        again.record_capture_outcome(&id, CaptureOutcome::Successful),
        &before,
        Rule::UnknownCapture,
        OperationKind::RecordCaptureOutcome,
    );
}

// ---- refunds (rule 5, D2, D3, D7) ----

#[test]
fn refunds_are_capped_by_what_was_captured_not_the_authorised_amount() {
    let intent = captured(1000, 600);
    assert_eq!(intent.refundable(), gbp(600));
    let before = intent.copied();
    let violation = refused(
        intent.refund(key("r1"), gbp(601)),
        &before,
        Rule::OverRefund,
        OperationKind::Refund,
    );
    assert_eq!(violation.requested(), Some(gbp(601)));
    assert_eq!(violation.available(), Some(gbp(600)));
    assert_eq!(violation.state(), IntentState::Captured);
    assert_eq!(
        violation.to_string(),
        "over_refund: refunding 6.01 GBP exceeds the refundable 6.00 GBP \
         (captured 6.00 GBP, tips captured 0.00 GBP, already refunded 0.00 GBP)"
    );
    let refunded = before.refund(key("r1"), gbp(600)).unwrap();
    assert_eq!(refunded.state(), IntentState::Refunded);
    assert_eq!(refunded.refunded(), gbp(600));
    assert_eq!(refunded.refundable(), gbp(0));
    assert_eq!(refunded.captured(), gbp(600));
}

#[test]
fn an_in_flight_capture_is_not_refundable() {
    let intent = captured(1000, 600)
        .capture(cid("cp_2"), gbp(400), now())
        .unwrap();
    assert_eq!(intent.refundable(), gbp(600));
    let before = intent.copied();
    let violation = refused(
        intent.refund(key("r1"), gbp(601)),
        &before,
        Rule::OverRefund,
        OperationKind::Refund,
    );
    assert_eq!(violation.available(), Some(gbp(600)));
}

#[test]
fn partial_refunds_add_up_to_the_captured_amount() {
    let refunded = captured(1000, 600).refund(key("r1"), gbp(200)).unwrap();
    assert_eq!(refunded.refunded(), gbp(200));
    assert_eq!(refunded.refundable(), gbp(400));
    let before = refunded.copied();
    let violation = refused(
        refunded.refund(key("r2"), gbp(401)),
        &before,
        Rule::OverRefund,
        OperationKind::Refund,
    );
    assert_eq!(violation.requested(), Some(gbp(401)));
    assert_eq!(violation.available(), Some(gbp(400)));
    assert_eq!(violation.state(), IntentState::Refunded);
    assert_eq!(
        violation.to_string(),
        "over_refund: refunding 4.01 GBP exceeds the refundable 4.00 GBP \
         (captured 6.00 GBP, tips captured 0.00 GBP, already refunded 2.00 GBP)"
    );
    let refunded = before.refund(key("r2"), gbp(400)).unwrap();
    assert_eq!(refunded.refunded(), gbp(600));
    assert_eq!(refunded.refundable(), gbp(0));
}

#[test]
fn a_refund_key_reused_with_the_same_amount_is_a_replay() {
    let refunded = captured(1000, 600).refund(key("r1"), gbp(200)).unwrap();
    let before = refunded.copied();
    let again = refunded.refund(key("r1"), gbp(200)).unwrap();
    assert_eq!(again, before);
    assert_eq!(again.refunded(), gbp(200));

    // A replay is not an over-refund, even when nothing is left to refund.
    let full = captured(1000, 600).refund(key("all"), gbp(600)).unwrap();
    let before = full.copied();
    assert_eq!(full.refund(key("all"), gbp(600)).unwrap(), before);
}

#[test]
fn a_refund_key_reused_with_another_amount_is_a_conflict() {
    let refunded = captured(1000, 600).refund(key("r1"), gbp(200)).unwrap();
    let before = refunded.copied();
    let violation = refused(
        refunded.refund(key("r1"), gbp(300)),
        &before,
        Rule::IdempotencyConflict,
        OperationKind::Refund,
    );
    assert_eq!(violation.requested(), Some(gbp(300)));
    assert_eq!(violation.available(), None);
    assert_eq!(
        violation.to_string(),
        "idempotency_conflict: this idempotency key was already used for a refund of 2.00 GBP, not 3.00 GBP"
    );
}

#[test]
fn an_auto_intent_is_refundable_in_full() {
    let intent = auto_captured(1000, paid());
    assert_eq!(intent.captured(), gbp(1000));
    assert_eq!(intent.refundable(), gbp(1000));
    let before = intent.copied();
    let violation = refused(
        intent.refund(key("r1"), gbp(1001)),
        &before,
        Rule::OverRefund,
        OperationKind::Refund,
    );
    assert_eq!(violation.available(), Some(gbp(1000)));
    let refunded = before.refund(key("r1"), gbp(1000)).unwrap();
    assert_eq!(refunded.refundable(), gbp(0));
}

// ---- zero amounts and currencies (D6, D9) ----

#[test]
fn zero_amounts_are_refused() {
    let intent = authorized(1000);
    let before = intent.copied();
    let violation = refused(
        intent.capture(cid("cp_1"), gbp(0), now()),
        &before,
        Rule::ZeroAmount,
        OperationKind::Capture,
    );
    assert_eq!(
        violation.to_string(),
        "zero_amount: capture amount is zero; it must be greater than zero"
    );

    let intent = captured(1000, 600);
    let before = intent.copied();
    let violation = refused(
        intent.refund(key("r1"), gbp(0)),
        &before,
        Rule::ZeroAmount,
        OperationKind::Refund,
    );
    assert_eq!(
        violation.to_string(),
        "zero_amount: refund amount is zero; it must be greater than zero"
    );

    let intent = manual(1000).with_custom_amount_allowed(true);
    let before = intent.copied();
    let violation = refused(
        intent.change_amount(gbp(0)),
        &before,
        Rule::ZeroAmount,
        OperationKind::ChangeAmount,
    );
    assert_eq!(
        violation.to_string(),
        "zero_amount: change-amount amount is zero; it must be greater than zero"
    );
}

#[test]
fn amounts_in_another_currency_are_refused() {
    let intent = authorized(1000);
    let before = intent.copied();
    let violation = refused(
        intent.capture(cid("cp_1"), eur(100), now()),
        &before,
        Rule::CurrencyMismatch,
        OperationKind::Capture,
    );
    assert_eq!(
        violation.to_string(),
        "currency_mismatch: capture amount is in EUR but the intent is in GBP; currencies never mix"
    );
    // Zero in another currency is still another currency.
    refused(
        before.copied().capture(cid("cp_1"), eur(0), now()),
        &before,
        Rule::CurrencyMismatch,
        OperationKind::Capture,
    );

    let intent = captured(1000, 600);
    let before = intent.copied();
    let violation = refused(
        intent.refund(key("r1"), eur(100)),
        &before,
        Rule::CurrencyMismatch,
        OperationKind::Refund,
    );
    assert_eq!(
        violation.to_string(),
        "currency_mismatch: refund amount is in EUR but the intent is in GBP; currencies never mix"
    );

    let intent = manual(1000).with_custom_amount_allowed(true);
    let before = intent.copied();
    let violation = refused(
        intent.change_amount(eur(5500)),
        &before,
        Rule::CurrencyMismatch,
        OperationKind::ChangeAmount,
    );
    assert_eq!(
        violation.to_string(),
        "currency_mismatch: change-amount amount is in EUR but the intent is in GBP; currencies never mix"
    );
}

#[test]
fn capture_tips_must_be_in_the_intents_currency() {
    let intent = authorized(1000);
    let before = intent.copied();
    let violation = refused(
        intent.capture_with_tips(cid("cp_1"), gbp(100), Some(eur(50)), now()),
        &before,
        Rule::CurrencyMismatch,
        OperationKind::Capture,
    );
    assert_eq!(
        violation.to_string(),
        "currency_mismatch: capture amount is in EUR but the intent is in GBP; currencies never mix"
    );
}

#[test]
fn tips_are_carried_and_not_counted_against_the_amount() {
    let intent = authorized(1000)
        .capture_with_tips(cid("cp_1"), gbp(1000), Some(gbp(500)), now())
        .unwrap();
    assert_eq!(intent.captures()[0].tips(), Some(gbp(500)));
    assert_eq!(intent.captures()[0].amount(), gbp(1000));
    assert_eq!(intent.in_flight(), gbp(1000));
    assert_eq!(intent.capturable(), gbp(0));
    // A zero tip is no tip, and not an error (D18).
    let intent = authorized(1000)
        .capture_with_tips(cid("cp_1"), gbp(100), Some(gbp(0)), now())
        .unwrap();
    assert_eq!(intent.captures()[0].tips(), None);
}

// ---- capture mode (rule 1) ----

#[test]
fn an_auto_intent_is_never_captured_by_the_merchant() {
    let intent = auto_captured(1000, paid());
    assert_eq!(intent.state(), IntentState::Captured);
    assert_eq!(intent.capture_mode(), CaptureMode::Auto);
    assert_eq!(intent.captured(), gbp(1000));
    assert_eq!(intent.captures(), &[]);
    let before = intent.copied();
    let violation = refused(
        intent.capture(cid("cp_1"), gbp(1), now()),
        &before,
        Rule::AutoCaptureMode,
        OperationKind::Capture,
    );
    assert_eq!(
        violation.to_string(),
        "auto_capture_mode: the intent's capture mode is Auto; Dojo captures it itself, \
         only Manual intents are captured by the merchant"
    );
}

// ---- reversal (rule 6, D5, D8, D12) ----

#[test]
fn a_manual_intent_is_reversed_while_authorised() {
    let reversed = authorized(1000).reverse(now()).unwrap();
    assert_eq!(reversed.state(), IntentState::Reversed);
    assert_eq!(reversed.amount(), gbp(1000));
    assert_eq!(reversed.captured(), gbp(0));
}

#[test]
fn a_manual_intent_with_a_capture_in_flight_is_not_reversed() {
    let intent = authorized(1000)
        .capture(cid("cp_1"), gbp(1), now())
        .unwrap();
    let before = intent.copied();
    let violation = refused(
        intent.reverse(now()),
        &before,
        Rule::InvalidTransition,
        OperationKind::Reverse,
    );
    assert_eq!(
        violation.to_string(),
        "invalid_transition: reverse is not possible on an Authorized intent: a capture is in flight; \
         a Manual intent is reversed only with no capture in flight or made"
    );
    // Once the capture is declined, nothing is reserved and the reversal goes through.
    let intent = into_authorized(
        before
            .record_capture_outcome(&cid("cp_1"), CaptureOutcome::Declined)
            .unwrap(),
    );
    assert_eq!(
        intent.reverse(now()).unwrap().state(),
        IntentState::Reversed
    );
}

#[test]
fn a_manual_reversal_closes_seven_days_after_payment() {
    let intent = authorized(1000);
    let deadline = paid() + SEVEN_DAYS;
    let before = intent.copied();
    let violation = refused(
        intent.reverse(deadline),
        &before,
        Rule::ReversalWindowClosed,
        OperationKind::Reverse,
    );
    assert_eq!(
        violation.to_string(),
        "reversal_window_closed: the reversal window closed at 2024-08-01T08:49:20Z \
         and it is now 2024-08-01T08:49:20Z"
    );
    refused(
        before.copied().reverse(deadline + ONE_SECOND),
        &before,
        Rule::ReversalWindowClosed,
        OperationKind::Reverse,
    );
    let reversed = before.reverse(deadline - ONE_SECOND).unwrap();
    assert_eq!(reversed.state(), IntentState::Reversed);
}

#[test]
fn a_captured_manual_intent_is_not_reversed() {
    let intent = captured(1000, 100);
    let before = intent.copied();
    let violation = refused(
        intent.reverse(now()),
        &before,
        Rule::InvalidTransition,
        OperationKind::Reverse,
    );
    assert_eq!(violation.state(), IntentState::Captured);
    assert_eq!(
        violation.to_string(),
        "invalid_transition: reverse is not possible on a Captured intent: \
         a captured Manual payment can only be refunded, not reversed"
    );
}

#[test]
fn an_auto_intent_is_reversed_on_its_london_day_in_summer() {
    // 2024-07-25T23:30:00Z is 00:30 on 26 July in London (BST, UTC+1).
    let paid_at = ts("2024-07-25T23:30:00Z");
    for now in [
        "2024-07-25T23:30:00Z",
        "2024-07-25T23:50:00Z",
        // 23:59:59 on 26 July in London, though already 26 July in UTC too.
        "2024-07-26T22:59:59Z",
    ] {
        let reversed = auto_captured(1000, paid_at).reverse(ts(now)).unwrap();
        assert_eq!(reversed.state(), IntentState::Reversed, "{now}");
    }
    for now in ["2024-07-26T23:00:00Z", "2024-07-26T23:10:00Z"] {
        let intent = auto_captured(1000, paid_at);
        let before = intent.copied();
        let violation = refused(
            intent.reverse(ts(now)),
            &before,
            Rule::ReversalWindowClosed,
            OperationKind::Reverse,
        );
        assert_eq!(
            violation.to_string(),
            "reversal_window_closed: an Auto payment is reversed only on its own day \
             (paid on 2024-07-26, today is 2024-07-27 in Europe/London)",
            "{now}"
        );
    }
}

#[test]
fn an_auto_intent_paid_late_evening_in_summer_is_not_reversed_after_london_midnight() {
    // 22:30 UTC is 23:30 on 25 July in London; 23:10 UTC the same UTC day is
    // already 26 July in London.
    let paid_at = ts("2024-07-25T22:30:00Z");
    auto_captured(1000, paid_at)
        .reverse(ts("2024-07-25T22:59:59Z"))
        .unwrap();
    let intent = auto_captured(1000, paid_at);
    let before = intent.copied();
    let violation = refused(
        intent.reverse(ts("2024-07-25T23:10:00Z")),
        &before,
        Rule::ReversalWindowClosed,
        OperationKind::Reverse,
    );
    assert_eq!(
        violation.to_string(),
        "reversal_window_closed: an Auto payment is reversed only on its own day \
         (paid on 2024-07-25, today is 2024-07-26 in Europe/London)"
    );
}

#[test]
fn an_auto_intent_is_reversed_on_its_london_day_in_winter() {
    // In January London is on GMT: its day is the UTC day.
    let paid_at = ts("2024-01-15T23:30:00Z");
    auto_captured(1000, paid_at)
        .reverse(ts("2024-01-15T23:59:59Z"))
        .unwrap();
    auto_captured(1000, paid_at)
        .reverse(ts("2024-01-15T00:00:00Z"))
        .unwrap();
    let intent = auto_captured(1000, paid_at);
    let before = intent.copied();
    let violation = refused(
        intent.reverse(ts("2024-01-16T00:00:00Z")),
        &before,
        Rule::ReversalWindowClosed,
        OperationKind::Reverse,
    );
    assert_eq!(
        violation.to_string(),
        "reversal_window_closed: an Auto payment is reversed only on its own day \
         (paid on 2024-01-15, today is 2024-01-16 in Europe/London)"
    );
}

#[test]
fn an_auto_intent_has_no_seven_day_window_only_its_day() {
    let intent = auto_captured(1000, paid());
    let before = intent.copied();
    refused(
        intent.reverse(paid() + SignedDuration::from_hours(24)),
        &before,
        Rule::ReversalWindowClosed,
        OperationKind::Reverse,
    );
}

// ---- cancel and change amount (rules 4, 8, D6) ----

#[test]
fn a_created_intent_is_canceled() {
    let canceled = manual(1000).with_id("pi_123").cancel();
    assert_eq!(canceled.state(), IntentState::Canceled);
    assert_eq!(canceled.id(), Some("pi_123"));
    assert_eq!(canceled.amount(), gbp(1000));
    assert_eq!(canceled.paid_at(), None);
    let canceled = PaymentIntent::new(gbp(1000), CaptureMode::Auto).cancel();
    assert_eq!(canceled.state(), IntentState::Canceled);
}

#[test]
fn change_amount_needs_custom_amounts_allowed() {
    let intent = manual(1000);
    assert!(!intent.custom_amount_allowed());
    let before = intent.copied();
    let violation = refused(
        intent.change_amount(gbp(5500)),
        &before,
        Rule::CustomAmountNotAllowed,
        OperationKind::ChangeAmount,
    );
    assert_eq!(violation.state(), IntentState::Created);
    assert_eq!(
        violation.to_string(),
        "custom_amount_not_allowed: the intent was not created with custom amounts allowed"
    );

    let intent = manual(1000).with_custom_amount_allowed(true);
    assert!(intent.custom_amount_allowed());
    let changed = intent.change_amount(gbp(5500)).unwrap();
    assert_eq!(changed.amount(), gbp(5500));
    assert_eq!(changed.state(), IntentState::Created);
    // The new amount is what is then authorised and capturable.
    let authorized = authorize_manual(changed, paid());
    assert_eq!(authorized.capturable(), gbp(5500));
    authorized.capture(cid("cp_1"), gbp(5500), now()).unwrap();
}

#[test]
fn accessors_before_payment() {
    let intent = manual(1000).with_id("pi_1");
    assert_eq!(intent.state(), IntentState::Created);
    assert_eq!(intent.id(), Some("pi_1"));
    assert_eq!(intent.currency(), Currency::GBP);
    assert_eq!(intent.capture_mode(), CaptureMode::Manual);
    assert_eq!(intent.paid_at(), None);
    assert_eq!(intent.authorization_deadline(), None);
    assert_eq!(intent.captured(), gbp(0));
    assert_eq!(intent.in_flight(), gbp(0));
    assert_eq!(intent.refunded(), gbp(0));
    assert_eq!(intent.refundable(), gbp(0));
}

// ---- refusals are errors ----

#[test]
fn rejected_displays_the_violation_and_is_an_error() {
    let rejected = authorized(1000)
        .capture(cid("cp_1"), gbp(0), now())
        .unwrap_err();
    assert_eq!(
        rejected.to_string(),
        "zero_amount: capture amount is zero; it must be greater than zero"
    );
    assert_eq!(rejected.code(), "zero_amount");
    assert_eq!(rejected.code(), rejected.violation().code());
    // Rejected displays as the violation, so it does not also give it as its source.
    let error: &dyn std::error::Error = &rejected;
    assert!(error.source().is_none());
    assert_eq!(
        format!("{rejected:?}"),
        r#"Rejected { code: "zero_amount", message: "zero_amount: capture amount is zero; it must be greater than zero" }"#
    );
    assert_eq!(
        format!("{:?}", rejected.violation()),
        r#"RuleViolation { code: "zero_amount", message: "zero_amount: capture amount is zero; it must be greater than zero" }"#
    );
}

#[test]
fn a_rejected_in_an_error_chain_prints_the_violation_once() {
    let rejected = authorized(1000)
        .capture(cid("cp_1"), gbp(1001), now())
        .unwrap_err();
    let violation = rejected.violation().to_string();
    let boxed: Box<dyn std::error::Error> = Box::new(rejected);
    let mut chain = Vec::new();
    let mut next: Option<&dyn std::error::Error> = Some(boxed.as_ref());
    while let Some(error) = next {
        chain.push(error.to_string());
        next = error.source();
    }
    let printed = chain.join(": ");
    assert_eq!(printed.matches(violation.as_str()).count(), 1, "{printed}");
    assert_eq!(chain, [violation]);
}

#[test]
fn rule_codes_are_stable() {
    let codes: Vec<&str> = Rule::ALL.iter().map(|rule| rule.code()).collect();
    assert_eq!(
        codes,
        [
            "over_capture",
            "over_refund",
            "capture_after_refund",
            "capture_after_reversal",
            "invalid_transition",
            "auto_capture_mode",
            "currency_mismatch",
            "zero_amount",
            "reversal_window_closed",
            "authorization_expired",
            "capture_conflict",
            "idempotency_conflict",
            "custom_amount_not_allowed",
            "unknown_capture",
            "outcome_unknown",
            "missing_intent_id",
            "operation_pending",
            "tips_not_allowed",
        ]
    );
    for rule in Rule::ALL {
        assert_eq!(rule.to_string(), rule.code());
    }
}

// ---- ids ----

#[test]
fn ids_are_checked() {
    assert_eq!(cid("cp_1").as_str(), "cp_1");
    assert_eq!(key("k").to_string(), "k");
    assert_eq!(format!("{:?}", cid("cp_1")), "\"cp_1\"");
    assert_eq!("cp_2".parse::<CaptureId>().unwrap(), cid("cp_2"));
    let hundred = "k".repeat(100);
    assert_eq!(IdempotencyKey::new(&hundred).unwrap().as_str(), hundred);

    assert_eq!(
        CaptureId::new("").unwrap_err().to_string(),
        "\"\" is not a valid capture id: it is empty"
    );
    let long = "k".repeat(101);
    assert_eq!(
        IdempotencyKey::new(&long).unwrap_err().to_string(),
        format!("{long:?} is not a valid idempotency key: it is longer than 100 characters")
    );
    assert_eq!(
        IdempotencyKey::new("a b").unwrap_err().to_string(),
        "\"a b\" is not a valid idempotency key: only visible ASCII characters, without spaces, are allowed"
    );
    assert!(CaptureId::new("cp_\u{e9}").is_err());
    assert!(CaptureId::new("cp\n1").is_err());
}

#[test]
fn the_same_capture_id_with_another_tip_is_a_conflict_not_a_replay() {
    let intent = authorized(1000)
        .capture_with_tips(cid("cp_1"), gbp(400), Some(gbp(50)), now())
        .unwrap();
    let replayed = intent
        .copied()
        .capture_with_tips(cid("cp_1"), gbp(400), Some(gbp(50)), now())
        .unwrap();
    assert_eq!(replayed, intent, "an identical capture is a replay (D7)");
    let before = intent.copied();
    let rejected = intent
        .capture_with_tips(cid("cp_1"), gbp(400), Some(gbp(60)), now())
        .unwrap_err();
    assert_eq!(rejected.rule(), Rule::CaptureConflict);
    assert_eq!(rejected.into_intent(), before);
}

#[test]
fn debug_shows_the_state_and_the_money() {
    let intent = captured(1000, 600);
    assert_eq!(
        format!("{intent:?}"),
        "PaymentIntent { state: Captured, id: None, capture_mode: Manual, amount: Money { minor: 1000, currency: GBP }, \
         captured: Money { minor: 600, currency: GBP }, in_flight: Money { minor: 0, currency: GBP }, \
         refunded: Money { minor: 0, currency: GBP }, .. }"
    );
}

/// The lifecycle table's reachability, state by state: each `true` is a
/// path of Dojo's lifecycle, each `false` one it never takes.
#[test]
fn the_lifecycle_table_reaches_exactly_what_dojo_can() {
    use dojo_capture::IntentState::{Authorized, Canceled, Captured, Created, Refunded, Reversed};
    use dojo_capture::lifecycle::reachable;
    let all = [Created, Authorized, Captured, Refunded, Reversed, Canceled];
    let expected: [(dojo_capture::IntentState, &[dojo_capture::IntentState]); 6] = [
        (
            Created,
            &[Created, Authorized, Captured, Refunded, Reversed, Canceled],
        ),
        (Authorized, &[Authorized, Captured, Refunded, Reversed]),
        (Captured, &[Captured, Refunded, Reversed]),
        (Refunded, &[Refunded, Reversed]),
        (Reversed, &[]),
        (Canceled, &[]),
    ];
    for (from, reached) in expected {
        for to in all {
            assert_eq!(reachable(from, to), reached.contains(&to), "{from} -> {to}");
        }
    }
}
