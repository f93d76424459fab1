//! Around the HTTP call, for reversals, cancels and changes of amount and
//! tip: each is prepared (checked, recorded as the one pending operation,
//! its request built) before the request is sent, and Dojo's answer is
//! recorded after it, without re-running the rules.

use dojo_capture::request::{ApiVersion, Method};
use dojo_capture::state::{Authorized, Captured, Created};
use dojo_capture::{
    Answer, AnyPaymentIntent, Authorization, CaptureMode, IntentState, OperationKind,
    PaymentIntent, RefundDetails, Rule,
};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

mod common;
use common::Copied;
use common::invariants::{check_intent, check_round_trip};
use common::{eur, gbp, key, paid, proptest_config};

const PI: &str = "pi_ops";

fn now() -> Timestamp {
    paid() + SignedDuration::from_hours(1)
}

fn http(status: u16, body: &[u8]) -> Answer<'_> {
    Answer::Http { status, body }
}

fn v() -> ApiVersion {
    ApiVersion::default()
}

/// Created, 10.00 GBP, custom amounts and tips allowed.
fn created() -> PaymentIntent<Created> {
    PaymentIntent::new(gbp(1000), CaptureMode::Manual)
        .with_id(PI)
        .with_custom_amount_allowed(true)
        .with_tips_allowed(true)
}

fn authorized() -> PaymentIntent<Authorized> {
    match created().authorize(paid()) {
        Authorization::Manual(intent) => intent,
        Authorization::Auto(_) => unreachable!("a Manual intent is authorised, not captured"),
    }
}

fn auto_captured() -> PaymentIntent<Captured> {
    match PaymentIntent::new(gbp(1000), CaptureMode::Auto)
        .with_id(PI)
        .authorize(paid())
    {
        Authorization::Auto(intent) => intent,
        Authorization::Manual(_) => unreachable!("an Auto intent is captured by Dojo"),
    }
}

// ---- the requests -------------------------------------------------------------

#[test]
fn a_reversal_is_a_post_without_a_body_or_content_type() {
    let (_, prepared) = authorized()
        .prepare_reversal(now(), ApiVersion::V2024_02_05)
        .unwrap();
    let request = prepared.request();
    assert_eq!(request.method(), Method::Post);
    assert_eq!(request.path(), "/payment-intents/pi_ops/reversal");
    assert_eq!(
        request.headers().collect::<Vec<_>>(),
        [("version", "2024-02-05")]
    );
    assert_eq!(request.body(), None);
    assert_eq!(prepared.intent_id(), PI);
}

#[test]
fn a_cancel_is_a_delete_of_the_intent_without_a_body() {
    let (_, prepared) = created().prepare_cancel(v()).unwrap();
    let request = prepared.request();
    assert_eq!(request.method(), Method::Delete);
    assert_eq!(request.path(), "/payment-intents/pi_ops");
    assert_eq!(
        request.headers().collect::<Vec<_>>(),
        [("version", "2025-09-10")]
    );
    assert_eq!(request.body(), None);
}

#[test]
fn a_change_of_amount_sends_money_with_its_currency() {
    let (_, prepared) = created().prepare_change_amount(gbp(2500), v()).unwrap();
    let request = prepared.request();
    assert_eq!(request.method(), Method::Post);
    assert_eq!(request.path(), "/payment-intents/pi_ops/amount");
    assert_eq!(
        request.headers().collect::<Vec<_>>(),
        [
            ("version", "2025-09-10"),
            ("content-type", "application/json")
        ]
    );
    assert_eq!(
        request.body(),
        Some(&br#"{"amount":{"value":2500,"currencyCode":"GBP"}}"#[..])
    );
}

#[test]
fn a_change_of_tip_sends_tips_amount_as_money() {
    let (_, prepared) = created().prepare_change_tips(gbp(150), v()).unwrap();
    let request = prepared.request();
    assert_eq!(request.method(), Method::Post);
    assert_eq!(request.path(), "/payment-intents/pi_ops/tips-amount");
    assert_eq!(
        request.body(),
        Some(&br#"{"tipsAmount":{"value":150,"currencyCode":"GBP"}}"#[..])
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
}

#[test]
fn the_intent_id_is_percent_encoded_in_every_path() {
    let intent = PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id("pi/1 x");
    let (_, prepared) = intent.prepare_cancel(v()).unwrap();
    assert_eq!(prepared.request().path(), "/payment-intents/pi%2F1%20x");
}

// ---- recording answers ----------------------------------------------------------

#[test]
fn a_2xx_reversal_yields_the_reversed_intent_whatever_the_body() {
    for body in [
        &br#"{"message":"ok","reversalId":"rv_1"}"#[..],
        br#"{"id":"rv_1"}"#,
        b"",
    ] {
        let (intent, prepared) = authorized().prepare_reversal(now(), v()).unwrap();
        assert_eq!(
            intent.pending_operation().map(|p| p.operation()),
            Some(OperationKind::Reverse)
        );
        let reversed = intent
            .record_reversal_answer(prepared, http(200, body))
            .unwrap();
        assert_eq!(reversed.state(), IntentState::Reversed);
        assert!(reversed.pending_operation().is_none());
        check_intent(&reversed.into_any()).unwrap();
    }
}

#[test]
fn a_reversal_dojo_accepted_is_recorded_after_the_deadline() {
    let deadline = authorized().authorization_deadline().unwrap();
    let (intent, prepared) = authorized()
        .prepare_reversal(deadline - SignedDuration::from_secs(1), v())
        .unwrap();
    // The answer is recorded after the deadline: no rule runs again.
    let reversed = intent
        .record_reversal_answer(prepared, http(201, b"{}"))
        .unwrap();
    assert_eq!(reversed.state(), IntentState::Reversed);
}

#[test]
fn a_2xx_cancel_cancels_unless_the_intent_it_sends_is_not_canceled() {
    let (intent, prepared) = created().prepare_cancel(v()).unwrap();
    let canceled = intent
        .record_cancel_answer(
            prepared,
            http(200, br#"{"id":"pi_ops","status":"Canceled"}"#),
        )
        .unwrap();
    assert_eq!(canceled.state(), IntentState::Canceled);

    let (intent, prepared) = created().prepare_cancel(v()).unwrap();
    let error = intent
        .record_cancel_answer(
            prepared,
            http(200, br#"{"id":"pi_ops","status":"Created"}"#),
        )
        .unwrap_err();
    assert_eq!(error.code(), "cancel_answer_contradicts");
    assert!(error.outcome_unknown());
    assert!(error.intent().needs_read());
    assert_eq!(error.intent().state(), IntentState::Created);
}

#[test]
fn a_2xx_change_of_amount_changes_it_unless_the_intent_says_otherwise() {
    let (intent, prepared) = created().prepare_change_amount(gbp(2500), v()).unwrap();
    assert_eq!(intent.amount(), gbp(1000));
    let changed = intent
        .record_change_amount_answer(
            prepared,
            http(
                200,
                br#"{"status":"Created","amount":{"value":2500,"currencyCode":"GBP"}}"#,
            ),
        )
        .unwrap();
    assert_eq!(changed.amount(), gbp(2500));

    let (intent, prepared) = created().prepare_change_amount(gbp(2500), v()).unwrap();
    let error = intent
        .record_change_amount_answer(
            prepared,
            http(
                200,
                br#"{"status":"Created","amount":{"value":1000,"currencyCode":"GBP"}}"#,
            ),
        )
        .unwrap_err();
    assert_eq!(error.code(), "change_amount_answer_contradicts");
    assert_eq!(error.into_intent().amount(), gbp(1000));
}

#[test]
fn a_2xx_change_of_tip_sets_it_and_zero_takes_it_away() {
    let (intent, prepared) = created().prepare_change_tips(gbp(150), v()).unwrap();
    let tipped = intent
        .record_change_tips_answer(prepared, http(200, b""))
        .unwrap();
    assert_eq!(tipped.tips(), Some(gbp(150)));
    let (intent, prepared) = tipped.prepare_change_tips(gbp(0), v()).unwrap();
    assert_eq!(
        prepared.request().body(),
        Some(&br#"{"tipsAmount":{"value":0,"currencyCode":"GBP"}}"#[..])
    );
    let untipped = intent
        .record_change_tips_answer(prepared, http(200, b""))
        .unwrap();
    assert_eq!(untipped.tips(), None);
}

#[test]
fn a_4xx_releases_the_pending_operation_with_its_problem_details() {
    let problem = br#"{"title":"Bad Request","status":400}"#;
    let (intent, prepared) = authorized().prepare_reversal(now(), v()).unwrap();
    let error = intent
        .record_reversal_answer(prepared, http(409, problem))
        .unwrap_err();
    assert_eq!(error.code(), "reversal_refused");
    assert!(!error.outcome_unknown());
    assert_eq!(
        error.problem().and_then(|p| p.title.as_deref()),
        Some("Bad Request")
    );
    let intent = error.into_intent();
    assert!(intent.pending_operation().is_none());
    assert!(!intent.needs_read());
    // Capturing is open again.
    assert!(intent.prepare_capture(gbp(100), None, now(), v()).is_ok());
}

#[test]
fn other_answers_leave_the_operation_pending_with_its_outcome_unknown() {
    for (answer, suffix) in [
        (http(500, b""), "server_error"),
        (http(302, b""), "unexpected_status"),
        (Answer::TransportFailure, "no_answer"),
    ] {
        let (intent, prepared) = created().prepare_cancel(v()).unwrap();
        let error = intent.record_cancel_answer(prepared, answer).unwrap_err();
        assert_eq!(error.code(), format!("cancel_{suffix}"));
        let intent = error.into_intent();
        assert!(intent.needs_read());
        assert!(intent.pending_operation().unwrap().outcome_unknown());
        // Nothing else is prepared until the intent is read again.
        let refused = intent.prepare_change_amount(gbp(2000), v()).unwrap_err();
        assert_eq!(refused.rule(), Rule::OperationPending);
    }
}

#[test]
fn a_token_answers_only_its_own_pending_operation() {
    let (_, stray) = created().prepare_cancel(v()).unwrap();
    let (intent, _) = created().prepare_change_amount(gbp(2000), v()).unwrap();
    let any = intent.into_any();
    let error = any.record_cancel_answer(stray, http(200, b"")).unwrap_err();
    assert_eq!(error.code(), "cancel_not_pending");
    assert_eq!(error.intent().state(), IntentState::Created);
}

// ---- the rules -------------------------------------------------------------------

#[test]
fn a_pending_reversal_blocks_captures_refunds_and_another_reversal() {
    let (intent, _prepared) = authorized().prepare_reversal(now(), v()).unwrap();
    let capture = intent
        .copied()
        .prepare_capture(gbp(100), None, now(), v())
        .unwrap_err();
    assert_eq!(capture.rule(), Rule::OperationPending);
    assert_eq!(
        capture.to_string(),
        "operation_pending: a reversal is pending (its answer not recorded yet, or lost); \
         no capture until that answer is recorded or the intent is read again"
    );
    let again = intent.prepare_reversal(now(), v()).unwrap_err();
    assert_eq!(again.rule(), Rule::OperationPending);

    let (captured, _prepared) = auto_captured().prepare_reversal(now(), v()).unwrap();
    let refund = captured
        .prepare_refund(key("rf-1"), gbp(100), RefundDetails::default(), v())
        .unwrap_err();
    assert_eq!(refund.rule(), Rule::OperationPending);
}

#[test]
fn operations_recorded_at_once_respect_what_is_pending_too() {
    // A pending reversal: recording a new capture, reversing again, are refused.
    let (intent, _prepared) = authorized().prepare_reversal(now(), v()).unwrap();
    let rejected = intent
        .copied()
        .capture(common::cid("cp_new"), gbp(100), now())
        .unwrap_err();
    assert_eq!(rejected.rule(), Rule::OperationPending);
    assert_eq!(rejected.intent(), &intent);
    assert_eq!(
        intent.reverse(now()).unwrap_err().rule(),
        Rule::OperationPending
    );

    // A pending refund: no new capture (D3), no reversal; a pending reversal: no refund.
    let captured = authorized()
        .capture(common::cid("cp_1"), gbp(600), now())
        .unwrap();
    let dojo_capture::CaptureResolved::Captured(captured) = captured
        .record_capture_outcome(
            &common::cid("cp_1"),
            dojo_capture::CaptureOutcome::Successful,
        )
        .unwrap()
    else {
        panic!("a Successful capture captures");
    };
    let (refunding, _prepared) = captured
        .copied()
        .prepare_refund(key("rf-1"), gbp(100), RefundDetails::default(), v())
        .unwrap();
    let rejected = refunding
        .copied()
        .capture(common::cid("cp_2"), gbp(100), now())
        .unwrap_err();
    assert_eq!(rejected.rule(), Rule::OperationPending);
    // A recorded refund under another key is not blocked by a pending refund.
    assert!(refunding.refund(key("rf-2"), gbp(100)).is_ok());

    let (reversing, _prepared) = auto_captured().prepare_reversal(now(), v()).unwrap();
    let rejected = reversing.refund(key("rf-3"), gbp(100)).unwrap_err();
    assert_eq!(rejected.rule(), Rule::OperationPending);

    // Cancel and change of amount on a Created intent with a change pending.
    let (changing, _prepared) = created().prepare_change_amount(gbp(900), v()).unwrap();
    assert_eq!(
        changing
            .copied()
            .change_amount(gbp(800))
            .unwrap_err()
            .rule(),
        Rule::OperationPending
    );
    assert_eq!(
        changing
            .into_any()
            .check(dojo_capture::Operation::Cancel, now())
            .unwrap_err()
            .rule(),
        Rule::OperationPending
    );
}

#[test]
fn check_sees_what_is_pending_as_prepare_does() {
    let (intent, _prepared) = auto_captured().prepare_reversal(now(), v()).unwrap();
    let any = intent.into_any();
    let refused = any
        .check(dojo_capture::Operation::Refund(gbp(100)), now())
        .unwrap_err();
    assert_eq!(refused.rule(), Rule::OperationPending);
    let (intent, _prepared) = auto_captured()
        .prepare_refund(key("rf-1"), gbp(100), RefundDetails::default(), v())
        .unwrap();
    let refused = intent
        .into_any()
        .check(dojo_capture::Operation::Reverse, now())
        .unwrap_err();
    assert_eq!(refused.rule(), Rule::OperationPending);
}

#[test]
fn a_pending_refund_blocks_a_reversal() {
    let (captured, _refund) = auto_captured()
        .prepare_refund(key("rf-1"), gbp(100), RefundDetails::default(), v())
        .unwrap();
    let reversal = captured.prepare_reversal(now(), v()).unwrap_err();
    assert_eq!(reversal.rule(), Rule::OperationPending);
    assert_eq!(reversal.violation().operation(), OperationKind::Reverse);
}

#[test]
fn prepare_runs_each_operation_s_rules() {
    // Reversal: a Manual intent with a capture in flight, or past its deadline.
    let (with_capture, _) = authorized()
        .prepare_capture(gbp(100), None, now(), v())
        .unwrap();
    assert_eq!(
        with_capture
            .prepare_reversal(now(), v())
            .unwrap_err()
            .rule(),
        Rule::InvalidTransition
    );
    let late = paid() + SignedDuration::from_hours(8 * 24);
    assert_eq!(
        authorized().prepare_reversal(late, v()).unwrap_err().rule(),
        Rule::ReversalWindowClosed
    );
    // Change of amount: not allowed, another currency, zero.
    let fixed = PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id(PI);
    assert_eq!(
        fixed
            .prepare_change_amount(gbp(2000), v())
            .unwrap_err()
            .rule(),
        Rule::CustomAmountNotAllowed
    );
    assert_eq!(
        created()
            .prepare_change_amount(eur(2000), v())
            .unwrap_err()
            .rule(),
        Rule::CurrencyMismatch
    );
    assert_eq!(
        created()
            .prepare_change_amount(gbp(0), v())
            .unwrap_err()
            .rule(),
        Rule::ZeroAmount
    );
    // Change of tip: not allowed, another currency.
    let no_tips = created().with_tips_allowed(false);
    let refused = no_tips.prepare_change_tips(gbp(100), v()).unwrap_err();
    assert_eq!(refused.rule(), Rule::TipsNotAllowed);
    assert!(refused.intent().pending_operation().is_none());
    assert_eq!(
        created()
            .prepare_change_tips(eur(100), v())
            .unwrap_err()
            .rule(),
        Rule::CurrencyMismatch
    );
    // Every request needs Dojo's id of the intent.
    let without_id = PaymentIntent::new(gbp(1000), CaptureMode::Manual);
    assert_eq!(
        without_id.prepare_cancel(v()).unwrap_err().rule(),
        Rule::MissingIntentId
    );
}

#[test]
fn the_runtime_enum_refuses_operations_the_state_does_not_allow() {
    let any = authorized().into_any();
    let cancel = any.prepare_cancel(v()).unwrap_err();
    assert_eq!(cancel.rule(), Rule::InvalidTransition);
    let tips = cancel
        .into_intent()
        .prepare_change_tips(gbp(100), v())
        .unwrap_err();
    assert_eq!(tips.rule(), Rule::InvalidTransition);
    assert_eq!(tips.violation().operation(), OperationKind::ChangeTips);
}

#[test]
fn a_cancel_answered_after_the_payment_is_of_unknown_outcome() {
    let (intent, prepared) = created().into_any().prepare_cancel(v()).unwrap();
    let paid_meanwhile = intent.authorize(paid()).unwrap();
    let error = paid_meanwhile
        .record_cancel_answer(prepared, http(200, b""))
        .unwrap_err();
    assert_eq!(error.code(), "cancel_answer_contradicts");
    assert_eq!(error.intent().state(), IntentState::Authorized);
    check_intent(error.intent()).unwrap();
}

#[test]
fn tips_allowed_is_read_and_written_by_the_wire() {
    let intent = created().into_any();
    let resource = serde_json::to_value(intent.to_resource()).unwrap();
    assert_eq!(resource["config"]["payment"]["tipsAllowed"], true);
    let back = AnyPaymentIntent::from_json(resource.to_string().as_bytes()).unwrap();
    assert!(back.tips_allowed());
    check_round_trip(&intent).unwrap();
    let without = PaymentIntent::new(gbp(1000), CaptureMode::Manual).into_any();
    assert!(!without.tips_allowed());
}

// ---- random sequences across every operation ---------------------------------

#[derive(Clone, Debug)]
enum Step {
    Authorize,
    Capture(i64),
    Refund(u8, i64),
    Reverse,
    Cancel,
    ChangeAmount(i64),
    ChangeTips(i64),
    Answer(usize, u8),
    Outcome(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Authorize),
        (1_i64..700).prop_map(Step::Capture),
        (0_u8..3, 1_i64..700).prop_map(|(k, m)| Step::Refund(k, m)),
        Just(Step::Reverse),
        Just(Step::Cancel),
        (1_i64..2000).prop_map(Step::ChangeAmount),
        (0_i64..300).prop_map(Step::ChangeTips),
        (0_usize..8, 0_u8..6).prop_map(|(t, a)| Step::Answer(t, a)),
        (0_usize..8).prop_map(Step::Outcome),
    ]
}

enum Token {
    Capture(dojo_capture::PreparedCapture),
    Refund(dojo_capture::PreparedRefund),
    Reversal(dojo_capture::PreparedReversal),
    Cancel(dojo_capture::PreparedCancel),
    Amount(dojo_capture::PreparedAmountChange),
    Tips(dojo_capture::PreparedTipsChange),
}

fn keep<T>(
    intent: &mut Option<AnyPaymentIntent>,
    tokens: &mut Vec<Token>,
    result: Result<(AnyPaymentIntent, T), dojo_capture::Rejected<AnyPaymentIntent>>,
    wrap: fn(T) -> Token,
) {
    match result {
        Ok((next, token)) => {
            *intent = Some(next);
            tokens.push(wrap(token));
        }
        Err(rejected) => *intent = Some(rejected.into_intent()),
    }
}

proptest! {
    #![proptest_config(proptest_config("operations_boundary", 256))]

    #[test]
    fn random_prepares_and_answers_never_over_capture_or_over_refund(
        manual in any::<bool>(),
        steps in prop::collection::vec(step(), 1..40),
    ) {
        let mode = if manual { CaptureMode::Manual } else { CaptureMode::Auto };
        let mut intent = Some(
            PaymentIntent::new(gbp(1000), mode)
                .with_id(PI)
                .with_custom_amount_allowed(true)
                .with_tips_allowed(true)
                .into_any(),
        );
        let mut tokens: Vec<Token> = Vec::new();
        let mut captures = Vec::new();
        let mut n = 0;
        for step in steps {
            let current = intent.take().expect("the intent is always put back");
            match step {
                Step::Authorize => {
                    intent = Some(current.authorize(paid()).unwrap_or_else(|r| r.into_intent()));
                }
                Step::Capture(m) => {
                    keep(&mut intent, &mut tokens, current.prepare_capture(gbp(m), None, now(), v()), Token::Capture);
                }
                Step::Refund(k, m) => {
                    let key = key(&format!("rf-{k}"));
                    keep(&mut intent, &mut tokens, current.prepare_refund(key, gbp(m), RefundDetails::default(), v()), Token::Refund);
                }
                Step::Reverse => keep(&mut intent, &mut tokens, current.prepare_reversal(now(), v()), Token::Reversal),
                Step::Cancel => keep(&mut intent, &mut tokens, current.prepare_cancel(v()), Token::Cancel),
                Step::ChangeAmount(m) => keep(&mut intent, &mut tokens, current.prepare_change_amount(gbp(m), v()), Token::Amount),
                Step::ChangeTips(m) => keep(&mut intent, &mut tokens, current.prepare_change_tips(gbp(m), v()), Token::Tips),
                Step::Answer(t, a) => {
                    if tokens.is_empty() {
                        intent = Some(current);
                    } else {
                        let token = tokens.remove(t % tokens.len());
                        n += 1;
                        let body = format!(r#"{{"captureId":"cp_{n}","refundId":"rfnd_{n}"}}"#);
                        let answer = match a {
                            0 | 1 => http(201, body.as_bytes()),
                            2 => http(400, b""),
                            3 => http(503, b""),
                            4 => http(200, b"{"),
                            _ => Answer::TransportFailure,
                        };
                        intent = Some(match token {
                            Token::Capture(p) => match current.record_capture_answer(p, answer) {
                                Ok((next, id)) => {
                                    captures.push(id);
                                    next
                                }
                                Err(e) => e.into_intent(),
                            },
                            Token::Refund(p) => current.record_refund_answer(p, answer).map(|(i, _)| i).unwrap_or_else(|e| e.into_intent()),
                            Token::Reversal(p) => current.record_reversal_answer(p, answer).unwrap_or_else(|e| e.into_intent()),
                            Token::Cancel(p) => current.record_cancel_answer(p, answer).unwrap_or_else(|e| e.into_intent()),
                            Token::Amount(p) => current.record_change_amount_answer(p, answer).unwrap_or_else(|e| e.into_intent()),
                            Token::Tips(p) => current.record_change_tips_answer(p, answer).unwrap_or_else(|e| e.into_intent()),
                        });
                    }
                }
                Step::Outcome(c) => {
                    if captures.is_empty() {
                        intent = Some(current);
                    } else {
                        let id = captures.remove(c % captures.len());
                        intent = Some(
                            current
                                .record_capture_outcome(&id, dojo_capture::CaptureOutcome::Successful)
                                .unwrap_or_else(|r| r.into_intent()),
                        );
                    }
                }
            }
            let now_intent = intent.as_ref().expect("put back");
            check_intent(now_intent).map_err(TestCaseError::fail)?;
            prop_assert!(now_intent.pending_operation().is_none()
                || (now_intent.pending_refunds().is_empty()
                    || now_intent.pending_operation().map(|p| p.operation()) != Some(OperationKind::Reverse)));
        }
    }
}
