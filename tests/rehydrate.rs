//! Checked rehydration: wire JSON becomes an `AnyPaymentIntent` only when
//! its money adds up; each refusal has its code and its message.

mod common;
use common::Copied;

use dojo_capture::state::{Authorized, Captured};
use dojo_capture::wire::PaymentIntentResource;
use dojo_capture::{
    AnyPaymentIntent, AutoExpireAction, CaptureId, CaptureStatus, Currency, IntentState, Money,
    Operation, RehydrateError, Rule,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

// ---- helpers ----

fn ts(text: &str) -> Timestamp {
    text.parse().expect("test timestamp")
}

fn gbp(minor: i64) -> Money {
    Money::new(minor, Currency::GBP)
}

fn cid(text: &str) -> CaptureId {
    CaptureId::new(text).expect("test capture id")
}

const CREATED_AT: &str = "2024-07-25T08:49:20Z";
const SEVEN_DAYS: SignedDuration = SignedDuration::from_hours(7 * 24);
const ONE_SECOND: SignedDuration = SignedDuration::from_secs(1);

fn created_at() -> Timestamp {
    ts(CREATED_AT)
}

fn now() -> Timestamp {
    created_at() + SignedDuration::from_hours(1)
}

/// A 10.00 GBP intent in `mode` and `status`, created (and paid) at `CREATED_AT`.
fn intent(mode: &str, status: &str) -> Value {
    json!({
        "id": "pi_1",
        "captureMode": mode,
        "status": status,
        "amount": {"value": 1000, "currencyCode": "GBP"},
        "totalAmount": {"value": 1000, "currencyCode": "GBP"},
        "createdAt": CREATED_AT,
        "captures": [],
    })
}

fn manual(status: &str, captures: Vec<Value>) -> Value {
    let mut body = intent("Manual", status);
    body["captures"] = Value::Array(captures);
    body
}

fn capture(id: &str, amount: i64, status: &str) -> Value {
    json!({
        "id": id,
        "amount": amount,
        "status": status,
        "createdAt": "2024-07-25T09:00:00Z",
    })
}

fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

fn without(mut body: Value, field: &str) -> Value {
    body.as_object_mut().unwrap().remove(field);
    body
}

fn rehydrate(body: &Value) -> Result<AnyPaymentIntent, RehydrateError> {
    AnyPaymentIntent::from_json(body.to_string().as_bytes())
}

fn ok(body: &Value) -> AnyPaymentIntent {
    rehydrate(body).unwrap_or_else(|error| panic!("{error}: {body}"))
}

fn err(body: &Value, code: &str) -> RehydrateError {
    let error = match rehydrate(body) {
        Ok(intent) => panic!("expected {code}, got {intent:?} from {body}"),
        Err(error) => error,
    };
    assert_eq!(error.code(), code, "{error}");
    error
}

// ---- captures_exceed_amount (rule 2, D1) ----

#[test]
fn captures_made_and_in_flight_may_reach_the_amount() {
    let body = manual(
        "Captured",
        vec![
            capture("cp_1", 600, "Successful"),
            capture("cp_2", 400, "Created"),
        ],
    );
    let intent = ok(&body);
    assert!(matches!(intent, AnyPaymentIntent::Captured(_)));
    assert_eq!(intent.captured(), gbp(600));
    assert_eq!(intent.in_flight(), gbp(400));
    assert_eq!(intent.capturable(), gbp(0));
    assert_eq!(intent.refundable(), gbp(600));
}

#[test]
fn captures_made_and_in_flight_may_not_pass_the_amount() {
    let body = manual(
        "Captured",
        vec![
            capture("cp_1", 600, "Successful"),
            capture("cp_2", 401, "Created"),
        ],
    );
    let error = err(&body, "captures_exceed_amount");
    assert_eq!(
        error.to_string(),
        "captures made and in flight total 1001 minor units, more than the amount 10.00 GBP"
    );
    // Successful alone, and Created alone, count too.
    err(
        &manual("Captured", vec![capture("cp_1", 1001, "Successful")]),
        "captures_exceed_amount",
    );
    err(
        &manual("Authorized", vec![capture("cp_1", 1001, "Created")]),
        "captures_exceed_amount",
    );
}

#[test]
fn declined_and_failed_captures_are_not_counted() {
    let body = manual(
        "Captured",
        vec![
            capture("cp_1", 600, "Successful"),
            capture("cp_2", 400, "Created"),
            capture("cp_3", 1000, "Declined"),
            capture("cp_4", 1000, "Failed"),
        ],
    );
    let intent = ok(&body);
    assert_eq!(intent.captured(), gbp(600));
    assert_eq!(intent.in_flight(), gbp(400));
    let typed = intent.try_into_state::<Captured>().unwrap();
    let statuses: Vec<CaptureStatus> = typed.captures().iter().map(|c| c.status()).collect();
    assert_eq!(
        statuses,
        [
            CaptureStatus::Successful,
            CaptureStatus::Created,
            CaptureStatus::Declined,
            CaptureStatus::Failed,
        ]
    );
}

#[test]
fn captures_summing_past_i64_are_reported_not_overflowed() {
    let body = manual(
        "Captured",
        vec![
            capture("cp_1", i64::MAX, "Successful"),
            capture("cp_2", i64::MAX, "Created"),
        ],
    );
    let error = err(&body, "captures_exceed_amount");
    assert_eq!(
        error.to_string(),
        "captures made and in flight total 18446744073709551614 minor units, more than the amount 10.00 GBP"
    );
}

// ---- refunded_exceeds_captured (D2) ----

#[test]
fn refunded_may_reach_but_not_pass_what_was_captured() {
    let captures = vec![capture("cp_1", 600, "Successful")];
    let body = with(
        manual("Refunded", captures.clone()),
        "refundedAmount",
        json!(600),
    );
    let intent = ok(&body);
    assert!(matches!(intent, AnyPaymentIntent::Refunded(_)));
    assert_eq!(intent.refunded(), gbp(600));
    assert_eq!(intent.refundable(), gbp(0));

    let body = with(manual("Refunded", captures), "refundedAmount", json!(601));
    let error = err(&body, "refunded_exceeds_captured");
    assert_eq!(
        error.to_string(),
        "refundedAmount 6.01 GBP is more than was captured (6.00 GBP, with 0.00 GBP of tips)"
    );
}

#[test]
fn an_auto_intents_refunds_are_capped_by_its_amount() {
    let body = with(intent("Auto", "Refunded"), "refundedAmount", json!(300));
    let intent_ = ok(&body);
    assert_eq!(intent_.state(), IntentState::Refunded);
    assert_eq!(intent_.captured(), gbp(1000));
    assert_eq!(intent_.refundable(), gbp(700));
    let body = with(intent("Auto", "Refunded"), "refundedAmount", json!(1001));
    err(&body, "refunded_exceeds_captured");
}

#[test]
fn an_in_flight_capture_is_not_refundable_on_the_wire_either() {
    let body = with(
        manual(
            "Refunded",
            vec![
                capture("cp_1", 600, "Successful"),
                capture("cp_2", 400, "Created"),
            ],
        ),
        "refundedAmount",
        json!(601),
    );
    err(&body, "refunded_exceeds_captured");
}

// ---- status_contradicts_amounts (D4, D5) ----

#[test]
fn a_manual_captured_status_needs_a_successful_capture() {
    let error = err(&manual("Captured", vec![]), "status_contradicts_amounts");
    assert_eq!(
        error.to_string(),
        "status Captured contradicts the amounts: no capture is Successful or in flight, so nothing has been captured"
    );
    // A capture in flight under Captured is read from the amounts (D17),
    // see tests/real_json.rs; Declined and Failed took nothing.
    for status in ["Declined", "Failed"] {
        err(
            &manual("Captured", vec![capture("cp_1", 100, status)]),
            "status_contradicts_amounts",
        );
    }
}

#[test]
fn a_refunded_status_needs_a_refund() {
    let captures = vec![capture("cp_1", 600, "Successful")];
    let body = with(
        manual("Refunded", captures.clone()),
        "refundedAmount",
        json!(0),
    );
    let error = err(&body, "status_contradicts_amounts");
    assert_eq!(
        error.to_string(),
        "status Refunded contradicts the amounts: refundedAmount is zero, so nothing has been refunded"
    );
    err(&manual("Refunded", captures), "status_contradicts_amounts");
    err(&intent("Auto", "Refunded"), "status_contradicts_amounts");
}

#[test]
fn a_refund_contradicts_a_full_reversal() {
    // Authorized or Captured with a refund are read as Refunded (D13,
    // tests/real_json.rs); a reversal returned everything, so no refund.
    let body = with(intent("Auto", "Reversed"), "refundedAmount", json!(100));
    let error = err(&body, "status_contradicts_amounts");
    assert_eq!(
        error.to_string(),
        "status Reversed contradicts the amounts: a reversal returns the whole payment, so nothing can have been refunded"
    );
}

#[test]
fn a_reversed_manual_intent_has_no_capture_in_flight() {
    let body = manual("Reversed", vec![capture("cp_1", 100, "Created")]);
    let error = err(&body, "status_contradicts_amounts");
    assert_eq!(
        error.to_string(),
        "status Reversed contradicts the amounts: \
         a Manual intent is reversed only with no capture in flight (D5)"
    );
    // After a Successful capture, Reversed is Dojo releasing the rest (D17):
    // tests/real_json.rs.
    // A declined capture reserved nothing.
    let intent_ = ok(&manual("Reversed", vec![capture("cp_1", 100, "Declined")]));
    assert_eq!(intent_.state(), IntentState::Reversed);
    let intent_ = ok(&manual("Reversed", vec![]));
    assert_eq!(intent_.state(), IntentState::Reversed);
    // An Auto intent is reversed after Dojo captured it.
    let intent_ = ok(&intent("Auto", "Reversed"));
    assert_eq!(intent_.state(), IntentState::Reversed);
}

#[test]
fn a_canceled_intent_lists_no_capture() {
    let error = err(
        &manual("Canceled", vec![capture("cp_1", 100, "Declined")]),
        "status_contradicts_amounts",
    );
    assert_eq!(
        error.to_string(),
        "status Canceled contradicts the amounts: a canceled intent was never paid, yet it lists captures"
    );
    assert_eq!(
        ok(&manual("Canceled", vec![])).state(),
        IntentState::Canceled
    );
}

// ---- D4: the state comes from the amounts ----

#[test]
fn a_partial_capture_reported_authorized_is_captured() {
    let body = manual("Authorized", vec![capture("cp_1", 400, "Successful")]);
    let intent = ok(&body);
    assert!(
        matches!(intent, AnyPaymentIntent::Captured(_)),
        "{intent:?}"
    );
    assert_eq!(intent.state(), IntentState::Captured);
    assert_eq!(intent.captured(), gbp(400));
    assert_eq!(intent.capturable(), gbp(600));
    let more = intent
        .copied()
        .capture(cid("cp_2"), gbp(600), now())
        .unwrap();
    assert_eq!(more.capturable(), gbp(0));
    let rejected = intent
        .copied()
        .capture(cid("cp_2"), gbp(601), now())
        .unwrap_err();
    assert_eq!(rejected.rule(), Rule::OverCapture);
    assert_eq!(rejected.violation().available(), Some(gbp(600)));
    assert_eq!(rejected.into_intent(), intent);
}

#[test]
fn a_partial_capture_reported_captured_is_captured() {
    let reported_authorized = ok(&manual(
        "Authorized",
        vec![capture("cp_1", 400, "Successful")],
    ));
    let reported_captured = ok(&manual(
        "Captured",
        vec![capture("cp_1", 400, "Successful")],
    ));
    assert!(matches!(reported_captured, AnyPaymentIntent::Captured(_)));
    assert_eq!(reported_captured, reported_authorized);
}

#[test]
fn an_authorized_intent_with_a_capture_in_flight_stays_authorized() {
    let intent = ok(&manual("Authorized", vec![capture("cp_1", 400, "Created")]));
    assert!(matches!(intent, AnyPaymentIntent::Authorized(_)));
    assert_eq!(intent.in_flight(), gbp(400));
    assert_eq!(intent.capturable(), gbp(600));
    let typed = intent.try_into_state::<Authorized>().unwrap();
    let record = &typed.captures()[0];
    assert_eq!(record.id(), Some(&cid("cp_1")));
    assert_eq!(record.amount(), gbp(400));
    assert_eq!(record.status(), CaptureStatus::Created);
    assert_eq!(record.created_at(), Some(ts("2024-07-25T09:00:00Z")));
    assert_eq!(record.tips(), None);
}

// ---- an Auto intent ----

#[test]
fn an_auto_captured_intent_without_captures_has_captured_its_amount() {
    let intent_ = ok(&intent("Auto", "Captured"));
    assert!(matches!(intent_, AnyPaymentIntent::Captured(_)));
    assert_eq!(intent_.captured(), gbp(1000));
    assert_eq!(intent_.refundable(), gbp(1000));
    assert_eq!(intent_.capturable(), gbp(0));
    assert_eq!(intent_.in_flight(), gbp(0));
    let rejected = intent_
        .copied()
        .capture(cid("cp_1"), gbp(1), now())
        .unwrap_err();
    assert_eq!(rejected.rule(), Rule::AutoCaptureMode);
    assert_eq!(rejected.into_intent(), intent_);
    let refunded = intent_.refund("r1".parse().unwrap(), gbp(1000)).unwrap();
    assert_eq!(refunded.refundable(), gbp(0));
}

#[test]
fn an_auto_intent_that_lists_captures_has_captured_what_they_say() {
    // Only an Auto intent with an empty captures[] is taken as captured by Dojo
    // in full; listed captures are facts and are summed like a Manual intent's.
    let body = with(
        intent("Auto", "Captured"),
        "captures",
        json!([capture("cp_1", 400, "Successful")]),
    );
    let intent_ = ok(&body);
    assert_eq!(intent_.captured(), gbp(400));
    assert_eq!(intent_.refundable(), gbp(400));
    let body = with(
        intent("Auto", "Captured"),
        "captures",
        json!([capture("cp_1", 400, "Declined")]),
    );
    err(&body, "status_contradicts_amounts");
}

#[test]
fn capture_mode_defaults_to_auto() {
    let intent_ = ok(&without(intent("Auto", "Captured"), "captureMode"));
    assert_eq!(intent_.captured(), gbp(1000));
    let typed = intent_.try_into_state::<Captured>().unwrap();
    assert_eq!(typed.capture_mode(), dojo_capture::CaptureMode::Auto);
}

// ---- duplicate and malformed captures ----

#[test]
fn a_capture_id_appears_once() {
    let body = manual(
        "Captured",
        vec![
            capture("cp_1", 100, "Successful"),
            capture("cp_1", 100, "Declined"),
        ],
    );
    let error = err(&body, "duplicate_capture_id");
    assert_eq!(
        error.to_string(),
        "capture id cp_1 appears twice in captures[]"
    );
}

#[test]
fn a_capture_is_never_of_zero() {
    let error = err(
        &manual("Captured", vec![capture("cp_1", 0, "Successful")]),
        "zero_capture",
    );
    assert_eq!(
        error.to_string(),
        "capture cp_1 is for 0; a capture is always of more than zero"
    );
}

#[test]
fn a_capture_has_a_valid_id() {
    let body = manual(
        "Captured",
        vec![json!({"amount": 100, "status": "Successful"})],
    );
    // A capture without an id counts (D16): tests/real_json.rs.
    assert_eq!(ok(&body).captured(), gbp(100));

    let error = err(
        &manual("Captured", vec![capture("cp 1", 100, "Successful")]),
        "invalid_capture_id",
    );
    assert_eq!(
        error.to_string(),
        "\"cp 1\" is not a valid capture id: only visible ASCII characters, without spaces, are allowed"
    );
    err(
        &manual("Captured", vec![capture("", 100, "Successful")]),
        "invalid_capture_id",
    );
}

#[test]
fn a_created_intent_has_no_captures() {
    let error = err(
        &manual("Created", vec![capture("cp_1", 100, "Declined")]),
        "created_with_captures",
    );
    assert_eq!(
        error.to_string(),
        "status is Created but captures[] holds 1 capture(s); nothing is captured before payment"
    );
    assert_eq!(ok(&manual("Created", vec![])).state(), IntentState::Created);
}

// ---- amounts and currencies ----

#[test]
fn negative_amounts_are_refused_with_their_field() {
    let body = with(
        manual("Captured", vec![capture("cp_1", 100, "Successful")]),
        "refundedAmount",
        json!(-1),
    );
    let error = err(&body, "negative_field");
    assert_eq!(
        error.to_string(),
        "refundedAmount is -1; amounts are never negative"
    );

    let body = manual(
        "Captured",
        vec![
            capture("cp_1", 100, "Successful"),
            capture("cp_2", -5, "Declined"),
        ],
    );
    let error = err(&body, "negative_field");
    assert_eq!(
        error.to_string(),
        "captures[1].amount is -5; amounts are never negative"
    );
}

#[test]
fn a_negative_money_object_is_malformed_json() {
    let body = with(
        intent("Auto", "Captured"),
        "amount",
        json!({"value": -1, "currencyCode": "GBP"}),
    );
    let error = err(&body, "malformed_json");
    assert!(
        error.to_string().starts_with(
            "the payment intent JSON cannot be read: \
             -1 minor units of GBP is negative; amounts are never negative"
        ),
        "{error}"
    );
}

#[test]
fn the_amount_is_required() {
    let error = err(
        &without(intent("Auto", "Captured"), "amount"),
        "missing_amount",
    );
    assert_eq!(error.to_string(), "the payment intent has no amount");
    err(
        &without(intent("Auto", "Created"), "amount"),
        "missing_amount",
    );
}

#[test]
fn every_money_field_is_in_the_amounts_currency() {
    for field in ["totalAmount", "requestedAmount", "tipsAmount"] {
        let body = with(
            intent("Auto", "Captured"),
            field,
            json!({"value": 1000, "currencyCode": "EUR"}),
        );
        let error = err(&body, "field_currency_mismatch");
        assert_eq!(
            error.to_string(),
            format!("{field} is in EUR but the intent's amount is in GBP; currencies never mix")
        );
        let body = with(
            intent("Auto", "Captured"),
            field,
            json!({"value": 1000, "currencyCode": "GBP"}),
        );
        ok(&body);
    }
}

#[test]
fn an_intent_in_another_currency_keeps_it() {
    let body = json!({
        "captureMode": "Manual",
        "status": "Captured",
        "amount": {"value": 1000, "currencyCode": "EUR"},
        "createdAt": CREATED_AT,
        "captures": [capture("cp_1", 250, "Successful")],
    });
    let intent_ = ok(&body);
    assert_eq!(intent_.captured(), Money::new(250, Currency::EUR));
    let rejected = intent_
        .copied()
        .capture(cid("cp_2"), gbp(1), now())
        .unwrap_err();
    assert_eq!(rejected.rule(), Rule::CurrencyMismatch);
}

// ---- tips (D10) ----

#[test]
fn tips_are_carried_and_not_counted_against_the_amount() {
    let mut tipped = capture("cp_1", 1000, "Successful");
    tipped["tipsAmount"] = json!(500);
    let intent_ = ok(&manual("Captured", vec![tipped]));
    assert_eq!(intent_.captured(), gbp(1000));
    assert_eq!(intent_.capturable(), gbp(0));
    // The tip of a Successful capture is refundable (D14).
    assert_eq!(intent_.refundable(), gbp(1500));
    let typed = intent_.try_into_state::<Captured>().unwrap();
    assert_eq!(typed.captures()[0].tips(), Some(gbp(500)));
}

#[test]
fn negative_tips_are_refused() {
    let mut tipped = capture("cp_2", 100, "Declined");
    tipped["tipsAmount"] = json!(-1);
    let body = manual("Captured", vec![capture("cp_1", 100, "Successful"), tipped]);
    let error = err(&body, "negative_field");
    assert_eq!(
        error.to_string(),
        "captures[1].tipsAmount is -1; amounts are never negative"
    );
}

// ---- payment time (D11, D12) ----

#[test]
fn the_payment_time_is_needed_once_paid() {
    for status in ["Authorized", "Reversed"] {
        let body = without(manual(status, vec![]), "createdAt");
        let error = err(&body, "missing_payment_time");
        assert_eq!(
            error.to_string(),
            format!(
                "status {status} needs the time of the payment, but neither \
                 paymentDetails.transactionDateTime nor createdAt is present"
            )
        );
    }
    let body = without(intent("Auto", "Captured"), "createdAt");
    err(&body, "missing_payment_time");
    let body = with(
        without(intent("Auto", "Captured"), "createdAt"),
        "paymentDetails",
        json!({"message": "DEPOSITED"}),
    );
    err(&body, "missing_payment_time");
    // Before payment, and after a cancel, no time is needed.
    ok(&without(manual("Created", vec![]), "createdAt"));
    ok(&without(manual("Canceled", vec![]), "createdAt"));
}

#[test]
fn the_payment_time_is_created_at_without_payment_details() {
    let intent_ = ok(&manual("Authorized", vec![]));
    let deadline = created_at() + SEVEN_DAYS;
    let typed = intent_.copied().try_into_state::<Authorized>().unwrap();
    assert_eq!(typed.paid_at(), Some(created_at()));
    assert_eq!(typed.authorization_deadline(), Some(deadline));
    assert_eq!(
        intent_
            .check(Operation::Capture(gbp(1)), deadline)
            .unwrap_err()
            .rule(),
        Rule::AuthorizationExpired
    );
    assert_eq!(
        intent_.check(Operation::Capture(gbp(1)), deadline - ONE_SECOND),
        Ok(())
    );
}

#[test]
fn the_payment_time_is_the_transaction_time_when_present() {
    let transacted = ts("2024-07-26T12:00:00Z");
    let body = with(
        manual("Authorized", vec![]),
        "paymentDetails",
        json!({"transactionDateTime": "2024-07-26T12:00:00Z", "authCode": "123"}),
    );
    let intent_ = ok(&body);
    let typed = intent_.copied().try_into_state::<Authorized>().unwrap();
    assert_eq!(typed.paid_at(), Some(transacted));
    let deadline = transacted + SEVEN_DAYS;
    assert_eq!(typed.authorization_deadline(), Some(deadline));

    // Seven days after createdAt the authorisation is still alive.
    assert_eq!(
        intent_.check(Operation::Capture(gbp(1)), created_at() + SEVEN_DAYS),
        Ok(())
    );
    assert_eq!(
        intent_.check(Operation::Reverse, created_at() + SEVEN_DAYS),
        Ok(())
    );
    // Seven days after the transaction it is not.
    let capture = intent_
        .check(Operation::Capture(gbp(1)), deadline)
        .unwrap_err();
    assert_eq!(capture.rule(), Rule::AuthorizationExpired);
    assert_eq!(
        capture.to_string(),
        "authorization_expired: the authorisation expired at 2024-08-02T12:00:00Z \
         and it is now 2024-08-02T12:00:00Z"
    );
    let reverse = intent_.check(Operation::Reverse, deadline).unwrap_err();
    assert_eq!(reverse.rule(), Rule::ReversalWindowClosed);
    assert_eq!(
        intent_.check(Operation::Reverse, deadline - ONE_SECOND),
        Ok(())
    );
}

#[test]
fn an_auto_intents_reversal_day_is_the_transaction_day() {
    // Created on 25 July, paid on 26 July: reversible on 26 July only.
    let body = with(
        intent("Auto", "Captured"),
        "paymentDetails",
        json!({"transactionDateTime": "2024-07-26T10:00:00Z"}),
    );
    let intent_ = ok(&body);
    assert_eq!(
        intent_.check(Operation::Reverse, ts("2024-07-26T12:00:00Z")),
        Ok(())
    );
    assert_eq!(
        intent_
            .check(Operation::Reverse, ts("2024-07-25T12:00:00Z"))
            .unwrap_err()
            .rule(),
        Rule::ReversalWindowClosed
    );
}

// ---- autoExpireIn (rule 7, D12) ----

fn expiring(text: &str) -> Value {
    let body = with(manual("Authorized", vec![]), "autoExpireIn", json!(text));
    with(body, "autoExpireAction", json!("Release"))
}

#[test]
fn auto_expire_in_of_an_hour_moves_the_deadline() {
    let intent_ = ok(&expiring("01:00:00"));
    let typed = intent_.copied().try_into_state::<Authorized>().unwrap();
    let expiry = typed.auto_expiry().unwrap();
    assert_eq!(expiry.after(), SignedDuration::from_hours(1));
    assert_eq!(expiry.action(), AutoExpireAction::Release);
    let deadline = created_at() + SignedDuration::from_hours(1);
    assert_eq!(typed.authorization_deadline(), Some(deadline));
    assert_eq!(
        intent_
            .check(Operation::Capture(gbp(1)), deadline)
            .unwrap_err()
            .rule(),
        Rule::AuthorizationExpired
    );
    assert_eq!(
        intent_.check(Operation::Capture(gbp(1)), deadline - ONE_SECOND),
        Ok(())
    );
}

#[test]
fn auto_expire_in_with_days_and_a_fraction_parses() {
    let body = with(
        expiring("2.03:04:05.5"),
        "autoExpireAction",
        json!("Capture"),
    );
    let typed = ok(&body).try_into_state::<Authorized>().unwrap();
    let expiry = typed.auto_expiry().unwrap();
    assert_eq!(
        expiry.after(),
        SignedDuration::new(2 * 86_400 + 3 * 3_600 + 4 * 60 + 5, 500_000_000)
    );
    assert_eq!(expiry.action(), AutoExpireAction::Capture);
    for text in [
        "00:00:31",
        "6.23:59:59",
        "6.23:59:59.9999999",
        "00:00:30.0000001",
    ] {
        ok(&expiring(text));
    }
}

#[test]
fn auto_expire_in_out_of_bounds_is_refused() {
    for text in ["00:00:10", "00:00:30", "7.00:00:00", "8.00:00:00"] {
        let error = err(&expiring(text), "invalid_auto_expire_in");
        assert_eq!(
            error.to_string(),
            format!(
                "autoExpireIn {text:?} is not usable: it must be more than 30 seconds and less than 7 days"
            )
        );
    }
}

#[test]
fn auto_expire_in_in_another_format_is_refused() {
    for text in [
        "1 hour",
        "",
        "01:00",
        "01:00:00:00",
        "24:00:00",
        "00:60:00",
        "00:00:60",
        "-01:00:00",
        "+01:00:00",
        "01:+5:00",
        "01:00:+5",
        "+1.01:00:00",
        "01:00:00.+5",
        "1.:00:00",
        "1.24:00:00",
        "01:00:00.12345678",
        // Eight digits of fraction, even when their value would fit in seven.
        "01:00:00.00000001",
        " 01:00:00",
        "PT1H",
    ] {
        let error = err(&expiring(text), "invalid_auto_expire_in");
        assert_eq!(
            error.to_string(),
            format!("autoExpireIn {text:?} is not usable: expected dd.hh:MM:ss"),
        );
    }
}

#[test]
fn auto_expire_in_with_an_empty_fraction_is_refused() {
    let error = err(&expiring("01:00:00."), "invalid_auto_expire_in");
    assert_eq!(
        error.to_string(),
        "autoExpireIn \"01:00:00.\" is not usable: expected dd.hh:MM:ss"
    );
}

#[test]
fn auto_expire_in_needs_its_action() {
    let body = without(expiring("01:00:00"), "autoExpireAction");
    let error = err(&body, "invalid_auto_expire_in");
    assert_eq!(
        error.to_string(),
        "autoExpireIn \"01:00:00\" is not usable: autoExpireAction is missing"
    );
}

// ---- malformed JSON ----

#[test]
fn malformed_json_is_refused() {
    let error = AnyPaymentIntent::from_json(b"not json").unwrap_err();
    assert_eq!(error.code(), "malformed_json");
    assert_eq!(
        error.to_string(),
        "the payment intent JSON cannot be read: expected ident at line 1 column 2"
    );
    err(
        &json!({"amount": {"value": 1, "currencyCode": "GBP"}}),
        "malformed_json",
    );
    let unknown = err(
        &with(intent("Auto", "Captured"), "status", json!("Pending")),
        "unknown_enum_word",
    );
    assert_eq!(
        unknown.to_string(),
        "status is \"Pending\", which is not a word the crate knows \
         (expected one of Created, Authorized, Captured, Reversed, Refunded, Canceled); \
         an intent in a state the rules do not know cannot be judged"
    );
    err(
        &with(
            intent("Auto", "Captured"),
            "amount",
            json!({"value": 1, "currencyCode": "XAU"}),
        ),
        "malformed_json",
    );
    assert_eq!(
        format!("{error:?}"),
        "RehydrateError { code: \"malformed_json\", message: \"the payment intent JSON cannot be read: expected ident at line 1 column 2\" }"
    );
}

// ---- what rehydration keeps ----

#[test]
fn unknown_fields_are_ignored() {
    let body = with(
        with(
            intent("Auto", "Captured"),
            "paymentEvents",
            json!([{"x": 1}]),
        ),
        "paymentSource",
        json!("card"),
    );
    assert_eq!(ok(&body).captured(), gbp(1000));
}

#[test]
fn id_and_custom_amount_allowed_are_kept() {
    let body = with(
        manual("Created", vec![]),
        "config",
        json!({"payment": {"customAmountAllowed": true}}),
    );
    let intent_ = ok(&body);
    assert_eq!(intent_.id(), Some("pi_1"));
    let changed = intent_.change_amount(gbp(5500)).unwrap();
    assert_eq!(changed.amount(), gbp(5500));

    let rejected = ok(&manual("Created", vec![]))
        .change_amount(gbp(5500))
        .unwrap_err();
    assert_eq!(rejected.rule(), Rule::CustomAmountNotAllowed);
}

#[test]
fn a_rehydrated_refunded_intent_is_never_captured_again() {
    let body = with(
        manual("Refunded", vec![capture("cp_1", 600, "Successful")]),
        "refundedAmount",
        json!(100),
    );
    let intent_ = ok(&body);
    let violation = intent_
        .check(Operation::Capture(gbp(1)), now())
        .unwrap_err();
    assert_eq!(violation.rule(), Rule::CaptureAfterRefund);
    assert_eq!(intent_.refundable(), gbp(500));
}

#[test]
fn rehydration_from_the_resource_matches_from_json() {
    let body = manual("Authorized", vec![capture("cp_1", 400, "Successful")]);
    let resource: PaymentIntentResource = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(AnyPaymentIntent::try_from(&resource).unwrap(), ok(&body));
    let bad = manual("Captured", vec![]);
    let resource: PaymentIntentResource = serde_json::from_value(bad.clone()).unwrap();
    assert_eq!(
        AnyPaymentIntent::try_from(&resource).unwrap_err(),
        rehydrate(&bad).unwrap_err()
    );
}
