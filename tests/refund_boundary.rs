//! Around the HTTP call, for refunds: a refund is prepared (checked,
//! reserved, its request built under the caller's idempotency key) before
//! the request is sent, and Dojo's answer is recorded after it. Retrying
//! the same key is safe: Dojo deduplicates refunds by key.

use dojo_capture::request::{ApiVersion, Method};
use dojo_capture::state::Captured;
use dojo_capture::{
    Answer, AnyPaymentIntent, Authorization, CaptureMode, IdempotencyKey, PaymentIntent,
    PreparedRefund, RefundDetails, Rule,
};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

mod common;
use common::invariants::check_intent;
use common::{eur, gbp, key, paid, proptest_config};

fn now() -> Timestamp {
    paid() + SignedDuration::from_hours(1)
}

/// Auto, 10.00 GBP, captured by Dojo at [`paid`], Dojo's id `pi_refund`.
fn captured() -> PaymentIntent<Captured> {
    match PaymentIntent::new(gbp(1000), CaptureMode::Auto)
        .with_id("pi_refund")
        .authorize(paid())
    {
        Authorization::Auto(intent) => intent,
        Authorization::Manual(_) => unreachable!("an Auto intent is captured by Dojo"),
    }
}

fn prepare(
    intent: PaymentIntent<Captured>,
    k: &str,
    minor: i64,
) -> (PaymentIntent<Captured>, PreparedRefund) {
    intent
        .prepare_refund(
            key(k),
            gbp(minor),
            RefundDetails::default(),
            ApiVersion::default(),
        )
        .unwrap()
}

fn http(status: u16, body: &[u8]) -> Answer<'_> {
    Answer::Http { status, body }
}

const REFUNDED_1: &[u8] =
    br#"{"paymentIntentId":"pi_refund","refundId":"rfnd_1","message":"Refund created"}"#;

#[test]
fn the_request_is_the_spec_s_post_with_key_header_and_body_in_schema_order() {
    let details = RefundDetails::new(Some("damaged"), Some("box \"crushed\"")).unwrap();
    let (_, prepared) = captured()
        .prepare_refund(key("rf-1"), gbp(300), details, ApiVersion::V2024_02_05)
        .unwrap();
    let request = prepared.request();
    assert_eq!(request.method(), Method::Post);
    assert_eq!(request.path(), "/payment-intents/pi_refund/refunds");
    let headers: Vec<_> = request.headers().collect();
    assert_eq!(
        headers,
        [
            ("version", "2024-02-05"),
            ("idempotencyKey", "rf-1"),
            ("content-type", "application/json"),
        ]
    );
    assert_eq!(request.header("authorization"), None);
    assert_eq!(
        request.body(),
        Some(&br#"{"amount":300,"refundReason":"damaged","notes":"box \"crushed\""}"#[..])
    );
    let (_, bare) = prepare(captured(), "rf-2", 1);
    assert_eq!(bare.request().body(), Some(&br#"{"amount":1}"#[..]));
    assert_eq!((bare.key().as_str(), bare.amount()), ("rf-2", gbp(1)));
}

#[cfg(feature = "http")]
#[test]
fn the_request_converts_into_an_http_request_with_the_key() {
    let (_, prepared) = prepare(captured(), "rf-1", 300);
    let converted = http::Request::from(prepared.request());
    assert_eq!(converted.method(), http::Method::POST);
    assert_eq!(converted.headers()["idempotencykey"], "rf-1");
    assert_eq!(converted.headers().len(), 3);
}

#[test]
fn refund_details_are_checked_in_characters() {
    assert!(RefundDetails::new(Some(&"é".repeat(1024)), Some(&"n".repeat(4096))).is_ok());
    assert_eq!(
        RefundDetails::new(Some(&"é".repeat(1025)), None)
            .unwrap_err()
            .code(),
        "refund_reason_too_long"
    );
    assert_eq!(
        RefundDetails::new(None, Some(&"n".repeat(4097)))
            .unwrap_err()
            .code(),
        "refund_notes_too_long"
    );
}

#[test]
fn a_pending_refund_reserves_its_amount() {
    let (intent, _prepared) = prepare(captured(), "rf-1", 600);
    assert_eq!(intent.refundable(), gbp(400));
    assert_eq!(intent.refunded(), gbp(0));
    assert_eq!(intent.pending_refunds().len(), 1);
    assert_eq!(intent.pending_refunds()[0].amount(), gbp(600));
    let over = intent
        .prepare_refund(
            key("rf-2"),
            gbp(401),
            RefundDetails::default(),
            ApiVersion::default(),
        )
        .unwrap_err();
    assert_eq!(over.rule(), Rule::OverRefund);
    assert_eq!(over.violation().available(), Some(gbp(400)));
    let (intent, _) = prepare(over.into_intent(), "rf-2", 400);
    assert_eq!(intent.refundable(), gbp(0));
    check_intent(&intent.into_any()).unwrap();
}

#[test]
fn prepare_runs_the_refund_rules() {
    let rule = |minor: i64, money: Option<dojo_capture::Money>| {
        captured()
            .prepare_refund(
                key("rf-1"),
                money.unwrap_or(gbp(minor)),
                RefundDetails::default(),
                ApiVersion::default(),
            )
            .unwrap_err()
            .rule()
    };
    assert_eq!(rule(0, None), Rule::ZeroAmount);
    assert_eq!(rule(0, Some(eur(100))), Rule::CurrencyMismatch);
    assert_eq!(rule(1001, None), Rule::OverRefund);
    let without_id = match PaymentIntent::new(gbp(1000), CaptureMode::Auto).authorize(paid()) {
        Authorization::Auto(intent) => intent,
        Authorization::Manual(_) => unreachable!(),
    };
    let refused = without_id
        .prepare_refund(
            key("rf-1"),
            gbp(1),
            RefundDetails::default(),
            ApiVersion::default(),
        )
        .unwrap_err();
    assert_eq!(refused.rule(), Rule::MissingIntentId);
    assert!(refused.intent().pending_refunds().is_empty());
}

#[test]
fn a_retry_with_the_same_key_gives_the_same_bytes_and_reserves_once() {
    let (intent, first) = prepare(captured(), "rf-1", 300);
    // The answer is lost.
    let lost = intent
        .record_refund_answer(first, Answer::TransportFailure)
        .unwrap_err();
    assert_eq!(lost.code(), "refund_no_answer");
    assert!(lost.outcome_unknown());
    let intent = lost.into_intent();
    assert!(intent.needs_read());
    assert_eq!(intent.refundable(), gbp(700));
    // Retried with other details: the pending refund's request goes again.
    let details = RefundDetails::new(Some("ignored on a retry"), None).unwrap();
    let (intent, retry) = intent
        .prepare_refund(key("rf-1"), gbp(300), details, ApiVersion::default())
        .unwrap();
    let (intent, again) = prepare(intent, "rf-1", 300);
    assert_eq!(retry.request(), again.request());
    assert_eq!(retry.request().body(), Some(&br#"{"amount":300}"#[..]));
    assert_eq!(intent.pending_refunds().len(), 1);
    assert_eq!(intent.refundable(), gbp(700));
    let (refunded, id) = intent
        .record_refund_answer(retry, http(201, REFUNDED_1))
        .unwrap();
    assert_eq!(id, "rfnd_1");
    assert_eq!(refunded.refunded(), gbp(300));
    assert_eq!(refunded.refundable(), gbp(700));
    assert!(!refunded.needs_read());
    // The second token's refund is recorded: it is no longer pending.
    let late = refunded
        .record_refund_answer(again, http(201, REFUNDED_1))
        .unwrap_err();
    assert_eq!(late.code(), "refund_not_pending");
    assert_eq!(late.intent().refunded(), gbp(300));
}

#[test]
fn the_same_key_with_another_amount_is_an_idempotency_conflict() {
    let (intent, _) = prepare(captured(), "rf-1", 300);
    let conflict = intent
        .prepare_refund(
            key("rf-1"),
            gbp(301),
            RefundDetails::default(),
            ApiVersion::default(),
        )
        .unwrap_err();
    assert_eq!(conflict.rule(), Rule::IdempotencyConflict);
    assert_eq!(conflict.intent().pending_refunds().len(), 1);
}

#[test]
fn a_key_already_recorded_is_a_replay_that_reserves_nothing() {
    let (intent, prepared) = prepare(captured(), "rf-1", 300);
    let (refunded, _) = intent
        .record_refund_answer(prepared, http(201, REFUNDED_1))
        .unwrap();
    let (refunded, replay) = refunded
        .prepare_refund(
            key("rf-1"),
            gbp(300),
            RefundDetails::default(),
            ApiVersion::default(),
        )
        .unwrap();
    assert!(refunded.pending_refunds().is_empty());
    assert_eq!(refunded.refundable(), gbp(700));
    let (refunded, id) = refunded
        .record_refund_answer(replay, http(201, REFUNDED_1))
        .unwrap();
    assert_eq!((id.as_str(), refunded.refunded()), ("rfnd_1", gbp(300)));
    let conflict = refunded
        .prepare_refund(
            key("rf-1"),
            gbp(200),
            RefundDetails::default(),
            ApiVersion::default(),
        )
        .unwrap_err();
    assert_eq!(conflict.rule(), Rule::IdempotencyConflict);
}

#[test]
fn a_4xx_releases_the_reservation_with_the_problem_details() {
    let (intent, prepared) = prepare(captured(), "rf-1", 300);
    let refused = intent
        .record_refund_answer(
            prepared,
            http(
                400,
                br#"{"title":"Bad Request","status":400,"traceId":"00-x"}"#,
            ),
        )
        .unwrap_err();
    assert_eq!(refused.code(), "refund_refused");
    assert!(!refused.outcome_unknown());
    assert_eq!(refused.status(), Some(400));
    assert_eq!(
        refused.problem().and_then(|p| p.title.as_deref()),
        Some("Bad Request")
    );
    let intent = refused.into_intent();
    assert!(intent.pending_refunds().is_empty());
    assert_eq!(intent.refundable(), gbp(1000));
    assert!(!intent.needs_read());
}

#[test]
fn every_other_answer_leaves_the_outcome_unknown_and_the_amount_reserved() {
    for (answer, code) in [
        (http(500, b""), "refund_server_error"),
        (http(302, b""), "refund_unexpected_status"),
        (http(200, b"{}"), "refund_answer_unreadable"),
        (http(200, b"<html>"), "refund_answer_unreadable"),
        (Answer::TransportFailure, "refund_no_answer"),
    ] {
        let (intent, prepared) = prepare(captured(), "rf-1", 300);
        let error = intent.record_refund_answer(prepared, answer).unwrap_err();
        assert_eq!(error.code(), code);
        assert!(error.outcome_unknown());
        let intent = error.into_intent();
        assert!(intent.needs_read(), "{code}");
        assert_eq!(intent.refundable(), gbp(700), "{code}");
        assert!(intent.pending_refunds()[0].outcome_unknown());
    }
}

#[test]
fn a_capture_is_refused_while_a_refund_is_pending() {
    let manual = match PaymentIntent::new(gbp(1000), CaptureMode::Manual)
        .with_id("pi_refund")
        .authorize(paid())
    {
        Authorization::Manual(intent) => intent,
        Authorization::Auto(_) => unreachable!(),
    };
    let (manual, prepared) = manual
        .prepare_capture(gbp(400), None, now(), ApiVersion::default())
        .unwrap();
    let (manual, id) = manual
        .record_capture_answer(prepared, http(201, br#"{"captureId":"cp_1"}"#))
        .unwrap();
    let dojo_capture::CaptureResolved::Captured(captured) = manual
        .record_capture_outcome(&id, dojo_capture::CaptureOutcome::Successful)
        .unwrap()
    else {
        unreachable!("a Successful capture captures")
    };
    assert_eq!(captured.capturable(), gbp(600));
    let (captured, refund) = captured
        .prepare_refund(
            key("rf-1"),
            gbp(100),
            RefundDetails::default(),
            ApiVersion::default(),
        )
        .unwrap();
    let refused = captured
        .prepare_capture(gbp(100), None, now(), ApiVersion::default())
        .unwrap_err();
    assert_eq!(refused.rule(), Rule::OperationPending);
    assert_eq!(
        refused.to_string(),
        "operation_pending: a refund of 1.00 GBP is pending (its answer not recorded yet, or lost); \
         no capture until that answer is recorded or the intent is read again"
    );
    // Refused by Dojo: capturing is open again.
    let released = refused
        .into_intent()
        .record_refund_answer(refund, http(400, b""))
        .unwrap_err()
        .into_intent();
    assert!(
        released
            .prepare_capture(gbp(100), None, now(), ApiVersion::default())
            .is_ok()
    );
}

#[test]
fn the_runtime_enum_prepares_and_records_refunds() {
    let intent = captured().into_any();
    let (intent, prepared) = intent
        .prepare_refund(
            key("rf-1"),
            gbp(250),
            RefundDetails::default(),
            ApiVersion::default(),
        )
        .unwrap();
    assert_eq!(intent.pending_refunds().len(), 1);
    let (intent, id) = intent
        .record_refund_answer(prepared, http(201, REFUNDED_1))
        .unwrap();
    assert_eq!(id, "rfnd_1");
    assert!(matches!(intent, AnyPaymentIntent::Refunded(_)));
    assert_eq!(intent.refunded(), gbp(250));
}

// ---- random sequences -------------------------------------------------------

#[derive(Clone, Debug)]
enum Step {
    Prepare { key: u8, minor: i64 },
    Answer { token: usize, answer: u8 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0_u8..4, 1_i64..700).prop_map(|(key, minor)| Step::Prepare { key, minor }),
        (0_usize..8, 0_u8..5).prop_map(|(token, answer)| Step::Answer { token, answer }),
    ]
}

proptest! {
    #![proptest_config(proptest_config("refund_boundary", 256))]

    #[test]
    fn random_prepares_and_answers_never_over_refund(steps in prop::collection::vec(step(), 1..30)) {
        let mut intent = captured().into_any();
        let mut tokens: Vec<PreparedRefund> = Vec::new();
        let mut next_id = 0;
        for step in steps {
            match step {
                Step::Prepare { key: k, minor } => {
                    let key = IdempotencyKey::new(&format!("rf-{k}")).unwrap();
                    match intent.prepare_refund(key, gbp(minor), RefundDetails::default(), ApiVersion::default()) {
                        Ok((next, token)) => {
                            intent = next;
                            tokens.push(token);
                        }
                        Err(rejected) => intent = rejected.into_intent(),
                    }
                }
                Step::Answer { token, answer } => {
                    if tokens.is_empty() {
                        continue;
                    }
                    let token = tokens.remove(token % tokens.len());
                    next_id += 1;
                    let body = format!(r#"{{"refundId":"rfnd_{next_id}"}}"#);
                    let answer = match answer {
                        0 | 1 => http(201, body.as_bytes()),
                        2 => http(400, b""),
                        3 => http(503, b""),
                        _ => Answer::TransportFailure,
                    };
                    intent = match intent.record_refund_answer(token, answer) {
                        Ok((next, _)) => next,
                        Err(error) => error.into_intent(),
                    };
                }
            }
            check_intent(&intent).map_err(TestCaseError::fail)?;
            let pending: i64 = intent.pending_refunds().iter().map(|p| p.amount().minor_units()).sum();
            prop_assert!(intent.refunded().minor_units() + pending <= 1000);
        }
    }
}
