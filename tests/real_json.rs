//! Dojo's real JSON, read as Dojo means it: decisions D13–D20 of
//! `docs/design.md`. Each test names its decision and fails if the decision
//! is reverted; the model test and the fuzz targets generate the same
//! shapes at random.

mod common;
use common::Copied;

use common::{cid, gbp, key, ts};
use dojo_capture::check;
use dojo_capture::state::{Authorized, Captured, Created};
use dojo_capture::wire::{PaymentIntentResource, PaymentIntentStatus};
use dojo_capture::{
    AnyPaymentIntent, CaptureMode, CaptureOutcome, Currency, IntentState, Money, Operation,
    PaymentIntent, Rule,
};
use serde_json::{Value, json};

const CREATED_AT: &str = "2024-07-25T08:49:20Z";
const NOW: &str = "2024-07-25T10:00:00Z";

/// A 10.00 GBP intent in `mode` and `status`.
fn intent(mode: &str, status: &str, captures: Value, refunded: i64) -> Value {
    json!({
        "id": "pi_1",
        "captureMode": mode,
        "status": status,
        "amount": {"value": 1000, "currencyCode": "GBP"},
        "refundedAmount": refunded,
        "createdAt": CREATED_AT,
        "captures": captures,
    })
}

fn capture(id: &str, amount: i64, status: &str) -> Value {
    json!({"id": id, "amount": amount, "status": status, "createdAt": CREATED_AT})
}

fn read(body: &Value) -> AnyPaymentIntent {
    AnyPaymentIntent::from_json(body.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn refused(body: &Value, code: &str) -> String {
    match AnyPaymentIntent::from_json(body.to_string().as_bytes()) {
        Ok(intent) => panic!("expected {code}, read {intent:?} from {body}"),
        Err(e) => {
            assert_eq!(e.code(), code, "{e}");
            e.to_string()
        }
    }
}

/// Re-encoded and read again, the intent has the same facts (refund keys
/// aside: Dojo's intent has no place for them) and re-encodes identically.
fn survives_a_round_trip(intent: &AnyPaymentIntent) {
    let again = AnyPaymentIntent::try_from(&intent.to_resource()).expect("re-encoded intent reads");
    common::invariants::check_round_trip(intent).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.to_resource(), intent.to_resource());
    assert_eq!(again.captured_tips(), intent.captured_tips());
    assert_eq!(again.refundable(), intent.refundable());
    assert_eq!(again.capturable(), intent.capturable());
}

// ---- D13: a partial refund under Authorized or Captured ----

#[test]
fn d13_a_refund_under_authorized_or_captured_reads_as_refunded() {
    for status in ["Authorized", "Captured", "Refunded"] {
        let body = intent(
            "Manual",
            status,
            json!([capture("cp_1", 600, "Successful")]),
            100,
        );
        let refunded = read(&body);
        assert_eq!(refunded.state(), IntentState::Refunded, "{status}");
        assert_eq!(refunded.refunded(), gbp(100));
        assert_eq!(refunded.refundable(), gbp(500));
        // D3: capturing stays closed after any refund.
        let violation = refunded
            .check(Operation::Capture(gbp(1)), ts(NOW))
            .unwrap_err();
        assert_eq!(violation.rule(), Rule::CaptureAfterRefund);
        survives_a_round_trip(&refunded);
    }
    // An Auto intent Dojo captured, partly refunded, still saying Captured.
    let auto = read(&intent("Auto", "Captured", json!([]), 250));
    assert_eq!(auto.state(), IntentState::Refunded);
    assert_eq!(auto.refundable(), gbp(750));
}

// ---- D14: tips are refundable, cashback is not ----

#[test]
fn d14_the_tips_of_successful_captures_are_refundable() {
    let mut tipped = capture("cp_1", 600, "Successful");
    tipped["tipsAmount"] = json!(150);
    let mut declined = capture("cp_2", 100, "Declined");
    declined["tipsAmount"] = json!(90);
    let intent_ = read(&intent("Manual", "Captured", json!([tipped, declined]), 0));
    assert_eq!(intent_.captured(), gbp(600));
    assert_eq!(intent_.captured_tips(), gbp(150));
    assert_eq!(intent_.refundable(), gbp(750));
    // The capture cap still excludes tips (D10).
    assert_eq!(intent_.capturable(), gbp(400));

    let now = ts(NOW);
    assert!(intent_.check(Operation::Refund(gbp(750)), now).is_ok());
    let violation = intent_.check(Operation::Refund(gbp(751)), now).unwrap_err();
    assert_eq!(
        violation.to_string(),
        "over_refund: refunding 7.51 GBP exceeds the refundable 7.50 GBP \
         (captured 6.00 GBP, tips captured 1.50 GBP, already refunded 0.00 GBP)"
    );
    assert_eq!(violation.available(), Some(gbp(750)));

    // Refunding the tip too leaves nothing.
    let typed = intent_.try_into_state::<Captured>().unwrap();
    let refunded = typed.refund(key("all"), gbp(750)).unwrap();
    assert_eq!(refunded.refundable(), gbp(0));
}

#[test]
fn d14_an_intent_dojo_captured_refunds_its_own_tip_but_never_cashback() {
    let mut body = intent("Auto", "Captured", json!([]), 0);
    body["tipsAmount"] = json!({"value": 200, "currencyCode": "GBP"});
    body["cashbackAmount"] = json!({"value": 5000, "currencyCode": "GBP"});
    let auto = read(&body);
    assert_eq!(auto.captured(), gbp(1000));
    assert_eq!(auto.captured_tips(), gbp(200));
    assert_eq!(auto.refundable(), gbp(1200));
    survives_a_round_trip(&auto);

    // A refundedAmount that includes the tip is read; beyond it is refused.
    let mut refunded = body.clone();
    refunded["status"] = json!("Refunded");
    refunded["refundedAmount"] = json!(1200);
    assert_eq!(read(&refunded).refundable(), gbp(0));
    refunded["refundedAmount"] = json!(1201);
    assert_eq!(
        refused(&refunded, "refunded_exceeds_captured"),
        "refundedAmount 12.01 GBP is more than was captured (10.00 GBP, with 2.00 GBP of tips)"
    );
}

#[test]
fn d14_the_check_command_reports_the_tips_in_its_figures() {
    let mut tipped = capture("cp_1", 600, "Successful");
    tipped["tipsAmount"] = json!(150);
    let body = intent("Manual", "Captured", json!([tipped]), 0).to_string();
    let now = check::parse_now(NOW).unwrap();
    let verdict = check::run(body.as_bytes(), "refund", Some("7.50"), now).unwrap();
    assert!(verdict.allowed, "{}", verdict.message);
    assert_eq!(verdict.amounts.refundable, gbp(750));
    assert_eq!(verdict.amounts.captured_tips, gbp(150));
    let json = verdict.to_json();
    assert_eq!(
        json["amounts"]["capturedTips"],
        json!({"value": 150, "currencyCode": "GBP"})
    );
    let verdict = check::run(body.as_bytes(), "refund", Some("7.51"), now).unwrap();
    assert_eq!(verdict.rule, Some(Rule::OverRefund));
    assert!(
        verdict.message.contains("tips captured 1.50 GBP"),
        "{}",
        verdict.message
    );
}

// ---- D15: timestamps ----

#[test]
fn d15_a_timestamp_without_an_offset_is_utc() {
    let mut body = intent("Manual", "Authorized", json!([]), 0);
    body["createdAt"] = json!("2023-12-13T14:15:01");
    assert_eq!(read(&body).paid_at(), Some(ts("2023-12-13T14:15:01Z")));
    body["createdAt"] = json!("2023-12-13T14:15:01.1234567");
    assert_eq!(
        read(&body).paid_at(),
        Some(ts("2023-12-13T14:15:01.1234567Z"))
    );
    body["paymentDetails"] = json!({"transactionDateTime": "2023-12-13T15:00:00"});
    assert_eq!(read(&body).paid_at(), Some(ts("2023-12-13T15:00:00Z")));
    body["captures"] = json!([{"id": "cp_1", "amount": 1, "status": "Created",
                               "createdAt": "2023-12-13T15:30:00"}]);
    assert_eq!(
        read(&body).captures()[0].created_at(),
        Some(ts("2023-12-13T15:30:00Z"))
    );
}

#[test]
fn d15_a_time_that_could_be_misread_is_refused() {
    for text in [
        "2023-12-13",
        "2023-12-13T14:15:01[Europe/Paris]",
        "13/12/2023 14:15",
        "2023-12-13T14:15:01 ",
    ] {
        let mut body = intent("Manual", "Authorized", json!([]), 0);
        body["createdAt"] = json!(text);
        let message = refused(&body, "malformed_json");
        assert!(
            message.contains(&format!("{text:?} is not a timestamp")),
            "{message}"
        );
    }
}

#[test]
fn d15_an_empty_transaction_time_is_absent() {
    let mut body = intent("Manual", "Authorized", json!([]), 0);
    body["paymentDetails"] = json!({"transactionDateTime": ""});
    assert_eq!(read(&body).paid_at(), Some(ts(CREATED_AT)));
    // With no createdAt either, nothing tells when the payment was made.
    body.as_object_mut().unwrap().remove("createdAt");
    refused(&body, "missing_payment_time");
}

#[test]
fn d15_timestamps_no_rule_reads_are_never_a_reason_to_refuse() {
    let mut body = intent("Manual", "Authorized", json!([]), 0);
    body["updatedAt"] = json!("yesterday");
    body["expireAt"] = json!("");
    body["clientSessionSecretExpirationDate"] = json!("2023-12-13T14:15:01");
    let intent_ = read(&body);
    assert_eq!(intent_.state(), IntentState::Authorized);
    let wire = PaymentIntentResource::from_json(body.to_string().as_bytes()).unwrap();
    assert_eq!(wire.updated_at.as_deref(), Some("yesterday"));
}

#[test]
fn d15_an_intent_never_paid_has_no_payment_time() {
    for status in ["Created", "Canceled"] {
        let mut body = intent("Manual", status, json!([]), 0);
        body["paymentDetails"] = json!({"transactionDateTime": "2024-07-25T09:00:00Z"});
        let intent_ = read(&body);
        assert_eq!(intent_.paid_at(), None, "{status}");
        assert_eq!(intent_.authorization_deadline(), None, "{status}");
        // Re-encoding invents no payment time either.
        let wire = intent_.to_resource();
        assert_eq!(wire.payment_details, None, "{status}");
        assert_eq!(wire.created_at, None, "{status}");
        survives_a_round_trip(&intent_);
    }
    let created = PaymentIntent::new(gbp(1000), CaptureMode::Manual);
    assert_eq!(created.paid_at(), None);
    assert_eq!(created.to_resource().payment_details, None);
}

// ---- D16: captures without an id ----

#[test]
fn d16_a_capture_without_an_id_counts_in_every_total() {
    let captures = json!([
        {"id": null, "amount": 300, "status": "Successful", "tipsAmount": 20},
        {"amount": 200, "status": "Created"},
        capture("cp_1", 100, "Successful"),
    ]);
    let intent_ = read(&intent("Manual", "Captured", captures, 0));
    assert_eq!(intent_.captured(), gbp(400));
    assert_eq!(intent_.in_flight(), gbp(200));
    assert_eq!(intent_.capturable(), gbp(400));
    assert_eq!(intent_.captured_tips(), gbp(20));
    assert_eq!(intent_.captures()[0].id(), None);
    assert_eq!(intent_.captures()[2].id(), Some(&cid("cp_1")));
    survives_a_round_trip(&intent_);
    // Over-capture still counts the capture in flight that has no id.
    let violation = intent_
        .check(Operation::Capture(gbp(401)), ts(NOW))
        .unwrap_err();
    assert_eq!(violation.rule(), Rule::OverCapture);
    // Two captures without ids are not duplicates of each other.
    let two =
        json!([{"amount": 100, "status": "Successful"}, {"amount": 100, "status": "Successful"}]);
    assert_eq!(
        read(&intent("Manual", "Captured", two, 0)).captured(),
        gbp(200)
    );
}

#[test]
fn d16_a_capture_without_an_id_cannot_be_resolved_by_id() {
    let captures = json!([{"amount": 200, "status": "Created"}]);
    let intent_ = read(&intent("Manual", "Authorized", captures, 0));
    let typed = intent_.try_into_state::<Authorized>().unwrap();
    let rejected = typed
        .record_capture_outcome(&cid("cp_any"), CaptureOutcome::Successful)
        .unwrap_err();
    assert_eq!(rejected.rule(), Rule::UnknownCapture);
    assert_eq!(rejected.intent().in_flight(), gbp(200));
}

// ---- D17: Manual intents Dojo finished itself ----

#[test]
fn d17_captured_at_expiry_by_dojo_captures_the_whole_amount() {
    let mut body = intent("Manual", "Captured", json!([]), 0);
    body["autoExpireIn"] = json!("01:00:00");
    body["autoExpireAction"] = json!("Capture");
    let captured = read(&body);
    assert_eq!(captured.state(), IntentState::Captured);
    assert_eq!(captured.captured(), gbp(1000));
    assert_eq!(captured.capturable(), gbp(0));
    assert_eq!(captured.refundable(), gbp(1000));
    survives_a_round_trip(&captured);
    // Refunded after that too.
    body["status"] = json!("Refunded");
    body["refundedAmount"] = json!(400);
    assert_eq!(read(&body).refundable(), gbp(600));

    // Without the Capture action, nothing says what was captured.
    for action in [json!("Release"), Value::Null] {
        let mut body = intent("Manual", "Captured", json!([]), 0);
        body["autoExpireIn"] = json!("01:00:00");
        body["autoExpireAction"] = action;
        if body["autoExpireAction"].is_null() {
            body.as_object_mut().unwrap().remove("autoExpireIn");
        }
        refused(&body, "status_contradicts_amounts");
    }
}

#[test]
fn d17_captured_with_only_a_capture_in_flight_reads_from_the_amounts() {
    let body = intent(
        "Manual",
        "Captured",
        json!([capture("cp_1", 400, "Created")]),
        0,
    );
    let intent_ = read(&body);
    assert_eq!(intent_.state(), IntentState::Authorized);
    assert_eq!(intent_.captured(), gbp(0));
    assert_eq!(intent_.in_flight(), gbp(400));
    assert_eq!(intent_.capturable(), gbp(600));
    let typed = intent_.try_into_state::<Authorized>().unwrap();
    assert!(matches!(
        typed
            .record_capture_outcome(&cid("cp_1"), CaptureOutcome::Successful)
            .unwrap(),
        dojo_capture::CaptureResolved::Captured(_)
    ));
}

#[test]
fn d17_reversed_after_a_partial_capture_is_refundable_never_capturable() {
    let body = intent(
        "Manual",
        "Reversed",
        json!([
            capture("cp_1", 600, "Successful"),
            capture("cp_2", 100, "Declined")
        ]),
        0,
    );
    let released = read(&body);
    assert_eq!(released.state(), IntentState::Captured);
    assert_eq!(released.captured(), gbp(600));
    assert_eq!(released.capturable(), gbp(0));
    assert_eq!(released.refundable(), gbp(600));
    let now = ts(NOW);
    let violation = released.check(Operation::Capture(gbp(1)), now).unwrap_err();
    assert_eq!(violation.rule(), Rule::CaptureAfterReversal);
    assert_eq!(
        released.check(Operation::Reverse, now).unwrap_err().rule(),
        Rule::InvalidTransition
    );
    // Re-encoded, it still says Reversed, and reads back the same.
    assert_eq!(released.to_resource().status, PaymentIntentStatus::Reversed);
    survives_a_round_trip(&released);

    // The typed intent refunds it; capturing is refused at run time.
    let typed = released.try_into_state::<Captured>().unwrap();
    let rejected = typed.capture(cid("cp_3"), gbp(1), now).unwrap_err();
    assert_eq!(rejected.rule(), Rule::CaptureAfterReversal);
    let refunded = rejected.into_intent().refund(key("r1"), gbp(200)).unwrap();
    assert_eq!(refunded.refundable(), gbp(400));
    let again = refunded.into_any();
    assert_eq!(again.to_resource().status, PaymentIntentStatus::Reversed);
    survives_a_round_trip(&again);

    // Dojo's snapshot after such a refund says Reversed with a refundedAmount.
    let with_refund = intent(
        "Manual",
        "Reversed",
        json!([capture("cp_1", 600, "Successful")]),
        200,
    );
    let read_back = read(&with_refund);
    assert_eq!(read_back.state(), IntentState::Refunded);
    assert_eq!(read_back.refundable(), gbp(400));
}

#[test]
fn d17_a_full_reversal_is_still_terminal() {
    let reversed = read(&intent("Manual", "Reversed", json!([]), 0));
    assert_eq!(reversed.state(), IntentState::Reversed);
    assert_eq!(reversed.refundable(), gbp(0));
    let auto = read(&intent("Auto", "Reversed", json!([]), 0));
    assert_eq!(auto.state(), IntentState::Reversed);
    assert_eq!(
        auto.check(Operation::Refund(gbp(1)), ts(NOW))
            .unwrap_err()
            .rule(),
        Rule::InvalidTransition
    );
}

// ---- D18: a zero tip is no tip ----

#[test]
fn d18_a_capture_reported_with_a_zero_tip_replays_without_one() {
    let mut reported = capture("cp_1", 400, "Created");
    reported["tipsAmount"] = json!(0);
    let intent_ = read(&intent("Manual", "Authorized", json!([reported]), 0));
    assert_eq!(intent_.captures()[0].tips(), None);
    let now = ts(NOW);
    let before = intent_.copied();
    // Recording the same capture again, with no tip or a zero one, is a replay.
    let again = intent_
        .capture(cid("cp_1"), gbp(400), now)
        .unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(again, before);
    let again = again
        .capture_with_tips(cid("cp_1"), gbp(400), Some(gbp(0)), now)
        .unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(again, before);
    // Another tip is another capture, and the message says how they differ.
    let rejected = again
        .capture_with_tips(cid("cp_1"), gbp(400), Some(gbp(50)), now)
        .unwrap_err();
    assert_eq!(
        rejected.to_string(),
        "capture_conflict: this capture id is already recorded for 4.00 GBP, \
         not 4.00 GBP with a tip of 0.50 GBP"
    );
}

#[test]
fn d18_a_zero_tip_on_the_intent_is_no_tip() {
    let mut body = intent("Auto", "Captured", json!([]), 0);
    body["tipsAmount"] = json!({"value": 0, "currencyCode": "GBP"});
    let auto = read(&body);
    assert_eq!(auto.captured_tips(), gbp(0));
    assert_eq!(auto.to_resource().tips_amount, None);
}

// ---- D19: an intent asks for more than nothing ----

#[test]
fn d19_no_constructor_builds_a_zero_amount_intent() {
    let violation =
        PaymentIntent::try_new(Money::zero(Currency::GBP), CaptureMode::Manual).unwrap_err();
    assert_eq!(violation.rule(), Rule::ZeroAmount);
    assert_eq!(
        violation.to_string(),
        "zero_amount: create amount is zero; it must be greater than zero"
    );
    let created: PaymentIntent<Created> =
        PaymentIntent::try_new(gbp(1), CaptureMode::Auto).unwrap();
    assert_eq!(created.amount(), gbp(1));

    let mut body = intent("Manual", "Authorized", json!([]), 0);
    body["amount"] = json!({"value": 0, "currencyCode": "GBP"});
    assert_eq!(
        refused(&body, "zero_intent_amount"),
        "the payment intent's amount is zero; an intent always asks for more than nothing"
    );
    body["status"] = json!("Created");
    refused(&body, "zero_intent_amount");
}

#[test]
#[should_panic(expected = "PaymentIntent::new: zero_amount")]
fn d19_new_panics_on_a_zero_literal() {
    let _ = PaymentIntent::new(gbp(0), CaptureMode::Manual);
}

// ---- D20: input framing ----

#[test]
fn d20_a_byte_order_mark_is_ignored() {
    let body = intent("Manual", "Authorized", json!([]), 0).to_string();
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(body.as_bytes());
    let plain = AnyPaymentIntent::from_json(body.as_bytes()).unwrap();
    assert_eq!(AnyPaymentIntent::from_json(&with_bom).unwrap(), plain);
    assert!(PaymentIntentResource::from_json(&with_bom).is_ok());
    // Only one, and only at the start.
    let mut twice = b"\xEF\xBB\xBF".to_vec();
    twice.extend_from_slice(&with_bom);
    assert_eq!(
        AnyPaymentIntent::from_json(&twice).unwrap_err().code(),
        "malformed_json"
    );
}

#[test]
fn d20_an_unknown_word_is_named_with_its_field() {
    let cases = [
        ("status", "/status", "Pending"),
        ("captureMode", "/captureMode", "Delayed"),
        ("autoExpireAction", "/autoExpireAction", "Hold"),
        ("captures[1].status", "/captures/1/status", "Pending"),
    ];
    for (field, pointer, word) in cases {
        let mut body = intent(
            "Manual",
            "Authorized",
            json!([
                capture("cp_1", 100, "Declined"),
                capture("cp_2", 100, "Declined")
            ]),
            0,
        );
        body["autoExpireIn"] = json!("01:00:00");
        body["autoExpireAction"] = json!("Release");
        *body.pointer_mut(pointer).unwrap() = json!(word);
        let message = refused(&body, "unknown_enum_word");
        assert!(
            message.starts_with(&format!(
                "{field} is {word:?}, which is not a word the crate knows (expected one of "
            )),
            "{message}"
        );
    }
    // The comparison is exact: case matters.
    let body = intent("manual", "Authorized", json!([]), 0);
    refused(&body, "unknown_enum_word");
}

#[test]
fn d14_refunds_at_the_int64_edge_are_exact_and_never_pass_it() {
    // Captured + tips pass int64: what is left must not be understated.
    let mut body = intent("Auto", "Refunded", json!([]), 100);
    body["amount"] = json!({"value": i64::MAX, "currencyCode": "GBP"});
    body["tipsAmount"] = json!({"value": 100, "currencyCode": "GBP"});
    let intent_ = read(&body);
    assert_eq!(intent_.refundable(), gbp(i64::MAX - 100));
    // Not more: the refunded total is an int64 on the wire.
    let typed = intent_
        .try_into_state::<dojo_capture::state::Refunded>()
        .unwrap();
    let all = typed.refund(key("rest"), gbp(i64::MAX - 100)).unwrap();
    assert_eq!(all.refunded(), gbp(i64::MAX));
    assert_eq!(all.refundable(), gbp(0));
    let rejected = all.refund(key("more"), gbp(1)).unwrap_err();
    assert_eq!(rejected.rule(), Rule::OverRefund);

    // With nothing refunded yet, the whole int64 is refundable.
    let mut body = intent("Auto", "Captured", json!([]), 0);
    body["amount"] = json!({"value": i64::MAX - 10, "currencyCode": "GBP"});
    body["tipsAmount"] = json!({"value": 100, "currencyCode": "GBP"});
    assert_eq!(read(&body).refundable(), gbp(i64::MAX));
}
