//! `dojo_capture::check::run`, the library behind `dojo-capture check`: every
//! rule code it can produce with an allowed neighbour on the other side of
//! the boundary, the figures it reports, and every kind of unusable input.

use dojo_capture::check::{self, InputError, Verdict};
use dojo_capture::{
    AnyPaymentIntent, Currency, IntentState, Money, Operation, OperationKind, Rule,
};
use jiff::Timestamp;
use serde_json::{Value, json};

const NOW: &str = "2024-07-26T10:00:00Z";
/// The payment time of every Manual example: 2024-07-25T08:49:20Z plus seven days (D12).
const MANUAL_DEADLINE: &str = "2024-08-01T08:49:20Z";
const JUST_BEFORE_MANUAL_DEADLINE: &str = "2024-08-01T08:49:19Z";

fn example(name: &str) -> Vec<u8> {
    let path = format!("{}/docs/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ts(text: &str) -> Timestamp {
    check::parse_now(text).expect("test time")
}

fn gbp(minor: i64) -> Money {
    Money::new(minor, Currency::GBP)
}

fn bytes(intent: &Value) -> Vec<u8> {
    serde_json::to_vec(intent).expect("test JSON")
}

fn run_at(intent: &[u8], operation: &str, amount: Option<&str>, now: &str) -> Verdict {
    check::run(intent, operation, amount, ts(now))
        .unwrap_or_else(|e| panic!("{operation} {amount:?}: unexpected input error: {e}"))
}

fn run_json(intent: &Value, operation: &str, amount: Option<&str>, now: &str) -> Verdict {
    run_at(&bytes(intent), operation, amount, now)
}

#[track_caller]
fn assert_rule(verdict: &Verdict, code: &str) {
    assert!(!verdict.allowed, "expected {code}, got {}", verdict.message);
    assert_eq!(
        verdict.rule.map(Rule::code),
        Some(code),
        "{}",
        verdict.message
    );
    assert_eq!(verdict.exit_code(), 1);
    assert!(
        verdict.message.starts_with(&format!("{code}: ")),
        "message must start with the code: {}",
        verdict.message
    );
    assert!(
        !verdict.message.contains('\n'),
        "one line: {}",
        verdict.message
    );
    assert_eq!(verdict.amounts.capturable_after, None);
    assert_eq!(verdict.amounts.refundable_after, None);
}

#[track_caller]
fn assert_allowed(verdict: &Verdict) {
    assert!(verdict.allowed, "expected allowed, got {}", verdict.message);
    assert_eq!(verdict.rule, None);
    assert_eq!(verdict.exit_code(), 0);
    assert!(
        verdict.message.starts_with("allowed: "),
        "{}",
        verdict.message
    );
    assert!(
        !verdict.message.contains('\n'),
        "one line: {}",
        verdict.message
    );
    assert!(verdict.amounts.capturable_after.is_some());
    assert!(verdict.amounts.refundable_after.is_some());
}

#[track_caller]
fn input_error(intent: &[u8], operation: &str, amount: Option<&str>) -> InputError {
    let error = check::run(intent, operation, amount, ts(NOW))
        .expect_err("the input must be refused as unusable");
    assert_eq!(error.exit_code(), 2);
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("{}: ", error.code())),
        "{message}"
    );
    assert!(!message.contains('\n'), "one line: {message}");
    error
}

/// A Manual intent of 10.00 GBP paid at 2024-07-25T08:49:20Z.
fn manual(status: &str, captures: Value, refunded: i64) -> Value {
    json!({
        "id": "pi_sandbox_test",
        "captureMode": "Manual",
        "status": status,
        "amount": {"value": 1000, "currencyCode": "GBP"},
        "refundedAmount": refunded,
        "createdAt": "2024-07-25T08:48:38.497Z",
        "paymentDetails": {"transactionDateTime": "2024-07-25T08:49:20Z"},
        "captures": captures,
    })
}

fn capture(id: &str, amount: i64, status: &str) -> Value {
    json!({"id": id, "amount": amount, "status": status, "createdAt": "2024-07-25T10:00:00Z"})
}

/// An Auto intent of 10.00 GBP captured by Dojo, paid at `paid_at`.
fn auto_captured(paid_at: &str) -> Value {
    json!({
        "id": "pi_sandbox_auto",
        "captureMode": "Auto",
        "status": "Captured",
        "amount": {"value": 1000, "currencyCode": "GBP"},
        "refundedAmount": 0,
        "createdAt": paid_at,
        "paymentDetails": {"transactionDateTime": paid_at},
        "captures": [],
    })
}

fn created(custom_amount_allowed: Option<bool>) -> Value {
    let mut intent = json!({
        "id": "pi_sandbox_created",
        "captureMode": "Manual",
        "status": "Created",
        "amount": {"value": 1000, "currencyCode": "GBP"},
        "createdAt": "2024-07-25T08:48:38.497Z",
        "captures": [],
    });
    if let Some(allowed) = custom_amount_allowed {
        intent["config"] = json!({"payment": {"customAmountAllowed": allowed}});
    }
    intent
}

// ---- over_capture (rule 2, D1) ----

#[test]
fn capturing_exactly_the_capturable_amount_is_allowed() {
    // 10.00 authorised, 4.00 Successful, 1.00 in flight: 5.00 capturable.
    let verdict = run_at(
        &example("manual-authorized.json"),
        "capture",
        Some("5.00"),
        NOW,
    );
    assert_allowed(&verdict);
    assert_eq!(verdict.operation, OperationKind::Capture);
    // Authorized on the wire, Captured as derived from the amounts (D4).
    assert_eq!(verdict.state, IntentState::Captured);
    let a = verdict.amounts;
    assert_eq!(a.requested, Some(gbp(500)));
    assert_eq!(a.amount, gbp(1000));
    assert_eq!(a.captured, gbp(400));
    assert_eq!(a.in_flight, gbp(100));
    assert_eq!(a.refunded, gbp(0));
    assert_eq!(a.capturable, gbp(500));
    assert_eq!(a.refundable, gbp(400));
    assert_eq!(a.capturable_after, Some(gbp(0)));
    // The new capture is only reserved, so nothing more is refundable yet (D1).
    assert_eq!(a.refundable_after, Some(gbp(400)));
    assert_eq!(
        verdict.message,
        "allowed: capture 5.00 GBP on a Captured intent; capturable after: 0.00 GBP, refundable after: 4.00 GBP"
    );
}

#[test]
fn capturing_one_minor_unit_more_than_capturable_is_over_capture() {
    let verdict = run_at(
        &example("manual-authorized.json"),
        "capture",
        Some("5.01"),
        NOW,
    );
    assert_rule(&verdict, "over_capture");
    assert!(verdict.message.contains("5.01 GBP"), "{}", verdict.message);
    assert!(
        verdict.message.contains("capturable 5.00 GBP"),
        "{}",
        verdict.message
    );
    // The figures are reported even when refused.
    assert_eq!(verdict.amounts.capturable, gbp(500));
    assert_eq!(verdict.amounts.requested, Some(gbp(501)));
}

#[test]
fn an_explicit_currency_equal_to_the_intent_s_is_the_same_amount() {
    let intent = example("manual-authorized.json");
    assert_allowed(&run_at(&intent, "capture", Some("5.00 GBP"), NOW));
    assert_allowed(&run_at(&intent, "capture", Some("5"), NOW));
    assert_rule(
        &run_at(&intent, "capture", Some("5.01 GBP"), NOW),
        "over_capture",
    );
}

#[test]
fn declined_and_failed_captures_release_their_amount_in_flight() {
    let intent = manual(
        "Authorized",
        json!([
            capture("cp_declined", 600, "Declined"),
            capture("cp_failed", 400, "Failed")
        ]),
        0,
    );
    let verdict = run_json(&intent, "capture", Some("10.00"), NOW);
    assert_allowed(&verdict);
    assert_eq!(verdict.state, IntentState::Authorized);
    assert_eq!(verdict.amounts.capturable_after, Some(gbp(0)));
    assert_rule(
        &run_json(&intent, "capture", Some("10.01"), NOW),
        "over_capture",
    );
}

#[test]
fn a_fresh_authorisation_reports_what_remains_after_a_partial_capture() {
    let verdict = run_at(&example("manual-fresh.json"), "capture", Some("7.50"), NOW);
    assert_allowed(&verdict);
    assert_eq!(
        verdict.message,
        "allowed: capture 7.50 GBP on an Authorized intent; capturable after: 2.50 GBP, refundable after: 0.00 GBP"
    );
}

#[test]
fn a_recorded_capture_id_never_turns_the_checked_capture_into_a_replay() {
    // The synthetic id used to apply the capture must not collide with a
    // recorded one, or the capture would be a replay or a conflict (D7).
    let intent = manual(
        "Authorized",
        json!([
            capture("cp_check_0", 400, "Successful"),
            capture("cp_check_1", 100, "Created")
        ]),
        0,
    );
    let verdict = run_json(&intent, "capture", Some("1.00"), NOW);
    assert_allowed(&verdict);
    assert_eq!(verdict.amounts.capturable_after, Some(gbp(400)));
    let verdict = run_json(&intent, "capture", Some("4.00"), NOW);
    assert_allowed(&verdict);
    assert_eq!(verdict.amounts.capturable_after, Some(gbp(100)));
}

// ---- over_refund (rule 5, D2) ----

#[test]
fn refunds_are_capped_by_what_was_captured_not_by_what_was_authorised() {
    let intent = example("manual-authorized.json");
    let verdict = run_at(&intent, "refund", Some("4.00"), NOW);
    assert_allowed(&verdict);
    assert_eq!(verdict.amounts.refundable_after, Some(gbp(0)));
    // D3: after any refund, capturing is over.
    assert_eq!(verdict.amounts.capturable_after, Some(gbp(0)));
    let verdict = run_at(&intent, "refund", Some("4.01"), NOW);
    assert_rule(&verdict, "over_refund");
    assert!(verdict.message.contains("4.01 GBP"), "{}", verdict.message);
    assert!(
        verdict.message.contains("refundable 4.00 GBP"),
        "{}",
        verdict.message
    );
}

#[test]
fn a_refunded_intent_may_be_refunded_up_to_what_is_left() {
    // 10.00 captured, 2.50 refunded.
    let intent = example("manual-refunded.json");
    let verdict = run_at(&intent, "refund", Some("7.50"), NOW);
    assert_allowed(&verdict);
    assert_eq!(verdict.state, IntentState::Refunded);
    assert_eq!(verdict.amounts.refundable_after, Some(gbp(0)));
    assert_rule(&run_at(&intent, "refund", Some("7.51"), NOW), "over_refund");
}

#[test]
fn an_auto_intent_captured_by_dojo_is_refundable_in_full() {
    let intent = example("auto-captured.json");
    let verdict = run_at(&intent, "refund", Some("10.00"), NOW);
    assert_allowed(&verdict);
    assert_eq!(verdict.amounts.captured, gbp(1000));
    assert_eq!(verdict.amounts.refundable_after, Some(gbp(0)));
    assert_eq!(verdict.amounts.capturable_after, Some(gbp(0)));
    assert_rule(
        &run_at(&intent, "refund", Some("10.01"), NOW),
        "over_refund",
    );
}

// ---- capture_after_refund (rule 3, D3) ----

#[test]
fn a_refunded_intent_is_never_captured_again() {
    assert_rule(
        &run_at(
            &example("manual-refunded.json"),
            "capture",
            Some("0.01"),
            NOW,
        ),
        "capture_after_refund",
    );
}

#[test]
fn a_partial_refund_ends_capturing_although_part_is_uncaptured() {
    let captures = json!([capture("cp_one", 400, "Successful")]);
    let refunded = manual("Refunded", captures.clone(), 100);
    assert_rule(
        &run_json(&refunded, "capture", Some("1.00"), NOW),
        "capture_after_refund",
    );
    // The same intent before the refund may still capture the rest.
    let verdict = run_json(
        &manual("Captured", captures, 0),
        "capture",
        Some("6.00"),
        NOW,
    );
    assert_allowed(&verdict);
    assert_eq!(verdict.amounts.capturable_after, Some(gbp(0)));
}

// ---- capture_after_reversal (rule 3) ----

#[test]
fn a_reversed_intent_is_never_captured() {
    let verdict = run_at(
        &example("manual-reversed.json"),
        "capture",
        Some("1.00"),
        NOW,
    );
    assert_rule(&verdict, "capture_after_reversal");
    assert_eq!(verdict.state, IntentState::Reversed);
    assert_allowed(&run_at(
        &example("manual-fresh.json"),
        "capture",
        Some("1.00"),
        NOW,
    ));
}

// ---- invalid_transition (rules 4, 6, 8, D5, D6) ----

#[test]
fn cancel_applies_only_to_a_created_intent() {
    let verdict = run_at(&example("created-fixed-amount.json"), "cancel", None, NOW);
    assert_allowed(&verdict);
    assert_eq!(verdict.operation, OperationKind::Cancel);
    assert_eq!(verdict.amounts.requested, None);
    assert_eq!(
        verdict.message,
        "allowed: cancel on a Created intent; capturable after: 0.00 GBP, refundable after: 0.00 GBP"
    );
    for name in [
        "manual-fresh.json",
        "manual-authorized.json",
        "auto-captured.json",
        "manual-refunded.json",
        "manual-reversed.json",
        "canceled.json",
    ] {
        let verdict = run_at(&example(name), "cancel", None, NOW);
        assert_rule(&verdict, "invalid_transition");
    }
}

#[test]
fn operations_outside_their_states_are_invalid_transitions() {
    let cases: [(&str, &str, Option<&str>); 9] = [
        ("manual-fresh.json", "refund", Some("1.00")),
        ("created-custom-amount.json", "capture", Some("1.00")),
        ("created-custom-amount.json", "reverse", None),
        ("canceled.json", "capture", Some("1.00")),
        ("canceled.json", "reverse", None),
        ("manual-reversed.json", "reverse", None),
        ("manual-refunded.json", "reverse", None),
        ("manual-fresh.json", "change-amount", Some("5.00")),
        // A captured Manual payment is refunded, not reversed (rule 6).
        ("manual-authorized.json", "reverse", None),
    ];
    for (name, operation, amount) in cases {
        let verdict = run_at(&example(name), operation, amount, NOW);
        assert_rule(&verdict, "invalid_transition");
    }
}

#[test]
fn a_capture_in_flight_blocks_a_manual_reversal() {
    let in_flight = manual(
        "Authorized",
        json!([capture("cp_flight", 100, "Created")]),
        0,
    );
    assert_rule(
        &run_json(&in_flight, "reverse", None, NOW),
        "invalid_transition",
    );
    let settled_declined = manual(
        "Authorized",
        json!([capture("cp_flight", 100, "Declined")]),
        0,
    );
    assert_allowed(&run_json(&settled_declined, "reverse", None, NOW));
}

// ---- currency_mismatch (D9) ----

#[test]
fn an_amount_in_another_currency_is_refused_by_the_rules_not_as_input() {
    let intent = example("manual-fresh.json");
    let verdict = run_at(&intent, "capture", Some("1.00 EUR"), NOW);
    assert_rule(&verdict, "currency_mismatch");
    assert_eq!(
        verdict.amounts.requested,
        Some(Money::new(100, Currency::EUR))
    );
    assert!(verdict.message.contains("EUR") && verdict.message.contains("GBP"));
    assert_allowed(&run_at(&intent, "capture", Some("1.00 GBP"), NOW));

    let refundable = example("auto-captured.json");
    assert_rule(
        &run_at(&refundable, "refund", Some("1.00 EUR"), NOW),
        "currency_mismatch",
    );
    assert_allowed(&run_at(&refundable, "refund", Some("1.00 GBP"), NOW));

    let custom = example("created-custom-amount.json");
    assert_rule(
        &run_at(&custom, "change-amount", Some("12.00 EUR"), NOW),
        "currency_mismatch",
    );
    assert_allowed(&run_at(&custom, "change-amount", Some("12.00 GBP"), NOW));
}

#[test]
fn an_amount_in_a_currency_of_another_precision_is_parsed_in_that_currency() {
    // 1500 JPY has no decimals; it is still just another currency.
    let verdict = run_at(
        &example("manual-fresh.json"),
        "capture",
        Some("1500 JPY"),
        NOW,
    );
    assert_rule(&verdict, "currency_mismatch");
    assert_eq!(
        verdict.amounts.requested,
        Some(Money::new(1500, Currency::JPY))
    );
}

// ---- zero_amount ----

#[test]
fn zero_is_never_a_capture_refund_or_new_amount() {
    let fresh = example("manual-fresh.json");
    for zero in ["0", "0.00", "0 GBP", "0.0"] {
        assert_rule(&run_at(&fresh, "capture", Some(zero), NOW), "zero_amount");
    }
    assert_allowed(&run_at(&fresh, "capture", Some("0.01"), NOW));

    let refundable = example("auto-captured.json");
    assert_rule(
        &run_at(&refundable, "refund", Some("0"), NOW),
        "zero_amount",
    );
    assert_allowed(&run_at(&refundable, "refund", Some("0.01"), NOW));

    let custom = example("created-custom-amount.json");
    assert_rule(
        &run_at(&custom, "change-amount", Some("0.00"), NOW),
        "zero_amount",
    );
    assert_allowed(&run_at(&custom, "change-amount", Some("0.01"), NOW));
}

// ---- reversal_window_closed (rule 6, D8, D12) ----

#[test]
fn a_manual_reversal_closes_seven_days_after_the_payment() {
    let intent = example("manual-fresh.json");
    let verdict = run_at(&intent, "reverse", None, JUST_BEFORE_MANUAL_DEADLINE);
    assert_allowed(&verdict);
    assert_eq!(verdict.amounts.capturable_after, Some(gbp(0)));
    assert_eq!(verdict.amounts.refundable_after, Some(gbp(0)));
    let verdict = run_at(&intent, "reverse", None, MANUAL_DEADLINE);
    assert_rule(&verdict, "reversal_window_closed");
    assert!(
        verdict.message.contains(MANUAL_DEADLINE),
        "{}",
        verdict.message
    );
}

#[test]
fn a_manual_reversal_closes_at_auto_expire_in_when_set() {
    // autoExpireIn 01.00:00:00 after 2024-07-25T08:49:20Z.
    let intent = example("manual-auto-expire.json");
    assert_allowed(&run_at(&intent, "reverse", None, "2024-07-26T08:49:19Z"));
    assert_rule(
        &run_at(&intent, "reverse", None, "2024-07-26T08:49:20Z"),
        "reversal_window_closed",
    );
}

#[test]
fn an_auto_reversal_closes_at_midnight_in_london() {
    // Paid 2024-07-25T08:49:20Z; London is on BST (UTC+1), so its day ends at 23:00 UTC.
    let intent = example("auto-captured.json");
    let verdict = run_at(&intent, "reverse", None, "2024-07-25T22:59:59Z");
    assert_allowed(&verdict);
    assert_eq!(verdict.amounts.refundable_after, Some(gbp(0)));
    let verdict = run_at(&intent, "reverse", None, "2024-07-25T23:00:00Z");
    assert_rule(&verdict, "reversal_window_closed");
    assert!(
        verdict.message.contains("Europe/London"),
        "{}",
        verdict.message
    );
}

#[test]
fn an_auto_payment_s_day_is_the_london_day_not_the_utc_one() {
    // 23:30 UTC on the 25th is 00:30 on the 26th in London.
    let intent = auto_captured("2024-07-25T23:30:00Z");
    assert_allowed(&run_json(&intent, "reverse", None, "2024-07-26T22:59:59Z"));
    assert_rule(
        &run_json(&intent, "reverse", None, "2024-07-26T23:00:00Z"),
        "reversal_window_closed",
    );
}

// ---- authorization_expired (rule 7, D11, D12) ----

#[test]
fn a_manual_capture_expires_seven_days_after_the_payment() {
    let intent = example("manual-fresh.json");
    assert_allowed(&run_at(
        &intent,
        "capture",
        Some("1.00"),
        JUST_BEFORE_MANUAL_DEADLINE,
    ));
    let verdict = run_at(&intent, "capture", Some("1.00"), MANUAL_DEADLINE);
    assert_rule(&verdict, "authorization_expired");
    assert!(
        verdict.message.contains(MANUAL_DEADLINE),
        "{}",
        verdict.message
    );
}

#[test]
fn a_manual_capture_expires_at_auto_expire_in_when_set() {
    let intent = example("manual-auto-expire.json");
    assert_allowed(&run_at(
        &intent,
        "capture",
        Some("10.00"),
        "2024-07-26T08:49:19Z",
    ));
    assert_rule(
        &run_at(&intent, "capture", Some("10.00"), "2024-07-26T08:49:20Z"),
        "authorization_expired",
    );
}

#[test]
fn without_payment_details_the_deadline_counts_from_created_at() {
    let mut intent = manual("Authorized", json!([]), 0);
    intent
        .as_object_mut()
        .expect("object")
        .remove("paymentDetails");
    intent["createdAt"] = json!("2024-07-20T00:00:00Z");
    assert_allowed(&run_json(
        &intent,
        "capture",
        Some("1.00"),
        "2024-07-26T23:59:59Z",
    ));
    assert_rule(
        &run_json(&intent, "capture", Some("1.00"), "2024-07-27T00:00:00Z"),
        "authorization_expired",
    );
}

// ---- auto_capture_mode (rule 1) ----

#[test]
fn an_auto_intent_is_never_captured_by_the_merchant() {
    assert_rule(
        &run_at(&example("auto-captured.json"), "capture", Some("1.00"), NOW),
        "auto_capture_mode",
    );
    let mut authorized = auto_captured("2024-07-25T08:49:20Z");
    authorized["status"] = json!("Authorized");
    assert_rule(
        &run_json(&authorized, "capture", Some("1.00"), NOW),
        "auto_capture_mode",
    );
    // The same intent in Manual mode may be captured.
    authorized["captureMode"] = json!("Manual");
    assert_allowed(&run_json(&authorized, "capture", Some("1.00"), NOW));
}

#[test]
fn a_missing_capture_mode_means_auto() {
    let mut intent = manual("Authorized", json!([]), 0);
    intent
        .as_object_mut()
        .expect("object")
        .remove("captureMode");
    assert_rule(
        &run_json(&intent, "capture", Some("1.00"), NOW),
        "auto_capture_mode",
    );
}

// ---- custom_amount_not_allowed (rule 8, D6) ----

#[test]
fn the_amount_changes_only_when_the_intent_allows_it() {
    let verdict = run_at(
        &example("created-custom-amount.json"),
        "change-amount",
        Some("12.00"),
        NOW,
    );
    assert_allowed(&verdict);
    assert_eq!(verdict.operation, OperationKind::ChangeAmount);
    assert_eq!(verdict.amounts.requested, Some(gbp(1200)));
    assert!(
        verdict
            .message
            .starts_with("allowed: change-amount 12.00 GBP on a Created intent")
    );
    assert_rule(
        &run_at(
            &example("created-fixed-amount.json"),
            "change-amount",
            Some("12.00"),
            NOW,
        ),
        "custom_amount_not_allowed",
    );
    // No config at all is the same as not allowed.
    assert_rule(
        &run_json(&created(None), "change-amount", Some("12.00"), NOW),
        "custom_amount_not_allowed",
    );
    assert_allowed(&run_json(
        &created(Some(true)),
        "change-amount",
        Some("12.00"),
        NOW,
    ));
}

// ---- every code, and the library as the only judge ----

#[test]
fn every_rule_check_can_produce_has_a_case_here() {
    // capture_conflict, idempotency_conflict and unknown_capture need ids or
    // keys, which `check` never takes; outcome_unknown, operation_pending and
    // missing_intent_id come only from preparing a request, and an intent read
    // from JSON holds no pending capture or refund; tips_not_allowed comes
    // from changing the tip, which `check` does not offer. Every other rule
    // is reachable.
    let reachable: Vec<&str> = Rule::ALL
        .into_iter()
        .map(Rule::code)
        .filter(|code| {
            !matches!(
                *code,
                "capture_conflict"
                    | "idempotency_conflict"
                    | "unknown_capture"
                    | "outcome_unknown"
                    | "operation_pending"
                    | "missing_intent_id"
                    | "tips_not_allowed"
            )
        })
        .collect();
    let produced = [
        run_at(
            &example("manual-authorized.json"),
            "capture",
            Some("5.01"),
            NOW,
        ),
        run_at(
            &example("manual-authorized.json"),
            "refund",
            Some("4.01"),
            NOW,
        ),
        run_at(
            &example("manual-refunded.json"),
            "capture",
            Some("1.00"),
            NOW,
        ),
        run_at(
            &example("manual-reversed.json"),
            "capture",
            Some("1.00"),
            NOW,
        ),
        run_at(&example("canceled.json"), "cancel", None, NOW),
        run_at(&example("auto-captured.json"), "capture", Some("1.00"), NOW),
        run_at(
            &example("manual-fresh.json"),
            "capture",
            Some("1.00 EUR"),
            NOW,
        ),
        run_at(&example("manual-fresh.json"), "capture", Some("0"), NOW),
        run_at(
            &example("manual-fresh.json"),
            "reverse",
            None,
            MANUAL_DEADLINE,
        ),
        run_at(
            &example("manual-fresh.json"),
            "capture",
            Some("1.00"),
            MANUAL_DEADLINE,
        ),
        run_at(
            &example("created-fixed-amount.json"),
            "change-amount",
            Some("1.00"),
            NOW,
        ),
    ];
    let mut codes: Vec<&str> = produced
        .iter()
        .filter_map(|v| v.rule.map(Rule::code))
        .collect();
    codes.sort_unstable();
    let mut expected = reachable;
    expected.sort_unstable();
    assert_eq!(codes, expected);
}

#[test]
fn the_verdict_agrees_with_the_library_s_own_check_everywhere() {
    let names = [
        "auto-captured.json",
        "canceled.json",
        "created-custom-amount.json",
        "created-fixed-amount.json",
        "manual-authorized.json",
        "manual-auto-expire.json",
        "manual-fresh.json",
        "manual-refunded.json",
        "manual-reversed.json",
    ];
    let amounts = [
        "0", "0.01", "4.00", "5.00", "5.01", "10.00", "10.01", "1.00 EUR",
    ];
    let times = ["2024-07-25T09:00:00Z", NOW, MANUAL_DEADLINE];
    for name in names {
        let json = example(name);
        let intent = AnyPaymentIntent::from_json(&json).expect("examples rehydrate");
        for now in times {
            for amount in amounts {
                let money = amount
                    .parse::<Money>()
                    .or_else(|_| Money::parse_in(amount, Currency::GBP))
                    .expect("test amount");
                for (word, operation) in [
                    ("capture", Operation::Capture(money)),
                    ("refund", Operation::Refund(money)),
                    ("change-amount", Operation::ChangeAmount(money)),
                ] {
                    let verdict = run_at(&json, word, Some(amount), now);
                    let expected = intent.check(operation, ts(now)).err().map(|v| v.rule());
                    assert_eq!(verdict.rule, expected, "{name} {word} {amount} at {now}");
                    assert_eq!(verdict.allowed, expected.is_none());
                }
            }
            for (word, operation) in [
                ("reverse", Operation::Reverse),
                ("cancel", Operation::Cancel),
            ] {
                let verdict = run_at(&json, word, None, now);
                let expected = intent.check(operation, ts(now));
                assert_eq!(
                    verdict.rule,
                    expected.err().map(|v| v.rule()),
                    "{name} {word} at {now}"
                );
                if let Err(violation) = expected {
                    assert_eq!(verdict.message, violation.to_string());
                }
            }
        }
    }
}

// ---- JSON ----

#[test]
fn to_json_has_the_documented_keys_and_wire_money() {
    let verdict = run_at(
        &example("manual-authorized.json"),
        "capture",
        Some("5.00"),
        NOW,
    );
    let value = verdict.to_json();
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "allowed",
            "amounts",
            "message",
            "operation",
            "rule",
            "state"
        ]
    );
    assert_eq!(value["allowed"], json!(true));
    assert_eq!(value["rule"], Value::Null);
    assert_eq!(value["state"], json!("Captured"));
    assert_eq!(value["operation"], json!("capture"));
    assert_eq!(value["message"], json!(verdict.message));
    assert_eq!(
        value["amounts"],
        json!({
            "requested": {"value": 500, "currencyCode": "GBP"},
            "amount": {"value": 1000, "currencyCode": "GBP"},
            "captured": {"value": 400, "currencyCode": "GBP"},
            "inFlight": {"value": 100, "currencyCode": "GBP"},
            "refunded": {"value": 0, "currencyCode": "GBP"},
            "capturedTips": {"value": 0, "currencyCode": "GBP"},
            "capturable": {"value": 500, "currencyCode": "GBP"},
            "refundable": {"value": 400, "currencyCode": "GBP"},
            "capturableAfter": {"value": 0, "currencyCode": "GBP"},
            "refundableAfter": {"value": 400, "currencyCode": "GBP"},
        })
    );
    // The same shape as Money's own serde, i.e. Dojo's wire.
    assert_eq!(
        value["amounts"]["amount"],
        serde_json::to_value(gbp(1000)).expect("money")
    );
}

#[test]
fn to_json_of_a_refusal_names_the_rule_code_and_nulls_what_does_not_apply() {
    let verdict = run_at(&example("canceled.json"), "reverse", None, NOW);
    let value = verdict.to_json();
    assert_eq!(value["allowed"], json!(false));
    assert_eq!(value["rule"], json!("invalid_transition"));
    assert_eq!(value["state"], json!("Canceled"));
    assert_eq!(value["operation"], json!("reverse"));
    assert_eq!(value["amounts"]["requested"], Value::Null);
    assert_eq!(value["amounts"]["capturableAfter"], Value::Null);
    assert_eq!(value["amounts"]["refundableAfter"], Value::Null);
}

// ---- unusable input ----

#[test]
fn malformed_json_is_an_input_error() {
    for body in [
        &b""[..],
        b"{",
        b"[]",
        b"null",
        b"42",
        b"\xff\xfe",
        b"{\"status\": \"Captured\"",
    ] {
        let error = input_error(body, "capture", Some("1.00"));
        assert_eq!(error.code(), "malformed_json", "{body:?}: {error}");
        assert!(error.concerns_intent());
    }
}

#[test]
fn json_of_the_wrong_shape_is_an_input_error() {
    let cases = [
        json!({"amount": {"value": 1000, "currencyCode": "GBP"}}),
        json!({"status": "Authorized", "amount": {"value": -1, "currencyCode": "GBP"}}),
        json!({"status": "Authorized", "amount": {"value": 1e30, "currencyCode": "GBP"}}),
        json!({"status": "Authorized", "amount": {"value": 1000, "currencyCode": "XAU"}}),
        json!({"status": "Authorized", "amount": {"value": 1000}}),
    ];
    for intent in cases {
        let error = input_error(&bytes(&intent), "reverse", None);
        assert_eq!(error.code(), "malformed_json", "{intent}: {error}");
    }
    // A word the crate does not know is named with its field (D20).
    let pending = json!({"status": "Pending", "amount": {"value": 1000, "currencyCode": "GBP"}});
    let error = input_error(&bytes(&pending), "reverse", None);
    assert_eq!(error.code(), "unknown_enum_word", "{error}");
    // Invalid UTF-8 inside a string.
    let mut body = bytes(&manual("Authorized", json!([]), 0));
    let at = body
        .windows(15)
        .position(|w| w == b"pi_sandbox_test")
        .expect("id")
        + 3;
    body[at] = 0xff;
    assert_eq!(input_error(&body, "reverse", None).code(), "malformed_json");
}

#[test]
fn intents_whose_amounts_do_not_add_up_are_input_errors() {
    let over = manual(
        "Authorized",
        json!([
            capture("cp_a", 600, "Successful"),
            capture("cp_b", 401, "Created")
        ]),
        0,
    );
    let error = input_error(&bytes(&over), "capture", Some("1.00"));
    assert_eq!(error.code(), "captures_exceed_amount");
    assert!(error.concerns_intent());
    assert!(error.to_string().contains("10.00 GBP"), "{error}");
    // Exactly the amount still adds up.
    let full = manual(
        "Captured",
        json!([
            capture("cp_a", 600, "Successful"),
            capture("cp_b", 400, "Created")
        ]),
        0,
    );
    assert_rule(
        &run_json(&full, "capture", Some("0.01"), NOW),
        "over_capture",
    );

    let cases = [
        (
            manual("Refunded", json!([capture("cp_a", 400, "Successful")]), 401),
            "refunded_exceeds_captured",
        ),
        (
            manual("Captured", json!([]), 0),
            "status_contradicts_amounts",
        ),
        (
            manual(
                "Authorized",
                json!([capture("cp_a", 400, "Successful")]),
                -1,
            ),
            "negative_field",
        ),
        (
            manual("Authorized", json!([capture("cp_a", 0, "Created")]), 0),
            "zero_capture",
        ),
        (
            manual(
                "Authorized",
                json!([capture("cp_a", 1, "Created"), capture("cp_a", 1, "Created")]),
                0,
            ),
            "duplicate_capture_id",
        ),
        (
            manual("Authorized", json!([capture("cp a", 100, "Created")]), 0),
            "invalid_capture_id",
        ),
        (
            manual("Created", json!([capture("cp_a", 100, "Created")]), 0),
            "created_with_captures",
        ),
        (
            manual(
                "Authorized",
                json!([
                    capture("cp_a", i64::MAX, "Successful"),
                    capture("cp_b", i64::MAX, "Created")
                ]),
                0,
            ),
            "captures_exceed_amount",
        ),
    ];
    for (intent, code) in cases {
        let error = input_error(&bytes(&intent), "capture", Some("1.00"));
        assert_eq!(error.code(), code, "{intent}: {error}");
    }
}

#[test]
fn bad_amounts_are_input_errors_that_name_the_value() {
    let intent = example("manual-fresh.json");
    let cases = [
        ("-1.00", "negative_amount"),
        ("10.001", "too_precise"),
        ("abc", "malformed_amount"),
        ("", "malformed_amount"),
        // The text after the space is read as the currency.
        (" 1.00", "malformed_amount"),
        ("1,00", "malformed_amount"),
        ("1e3", "malformed_amount"),
        ("+1", "malformed_amount"),
        (".5", "malformed_amount"),
        ("1.", "malformed_amount"),
        ("99999999999999999999", "out_of_range"),
        ("1.00 XYZ", "unknown_currency"),
        ("1.00 gbp", "unknown_currency"),
        ("1.00  GBP", "malformed_amount"),
        ("1.00 GBP extra", "malformed_amount"),
        ("10 XAU", "no_minor_unit"),
        ("1.5 JPY", "too_precise"),
    ];
    for (amount, code) in cases {
        let error = input_error(&intent, "capture", Some(amount));
        assert_eq!(error.code(), code, "{amount:?}: {error}");
        assert!(!error.concerns_intent());
        assert!(
            error.to_string().contains(&format!("{amount:?}")),
            "names the value: {error}"
        );
    }
    let long = "9".repeat(10_000);
    assert_eq!(
        input_error(&intent, "refund", Some(&long)).code(),
        "out_of_range"
    );
    let long = format!("1.{}", "0".repeat(10_000));
    // Trailing zeros are not precision: this is 1.00 GBP, refused only by the rules.
    assert_rule(
        &run_at(&intent, "refund", Some(&long), NOW),
        "invalid_transition",
    );
}

#[test]
fn the_amount_is_required_exactly_where_the_operation_takes_one() {
    let intent = example("manual-fresh.json");
    for operation in ["capture", "refund", "change-amount"] {
        let error = input_error(&intent, operation, None);
        assert_eq!(error.code(), "amount_required");
        assert!(error.to_string().contains(operation), "{error}");
    }
    for operation in ["reverse", "cancel"] {
        let error = input_error(&intent, operation, Some("1.00"));
        assert_eq!(error.code(), "unexpected_amount");
        assert!(error.to_string().contains("\"1.00\""), "{error}");
    }
}

#[test]
fn unknown_operations_are_input_errors_that_list_the_known_ones() {
    let intent = example("manual-fresh.json");
    for operation in [
        "",
        "Capture",
        "capture ",
        "authorize",
        "record-capture-outcome",
        "change_amount",
        "void",
    ] {
        let error = input_error(&intent, operation, None);
        assert_eq!(error.code(), "unknown_operation", "{operation:?}");
        let message = error.to_string();
        assert!(message.contains(&format!("{operation:?}")), "{message}");
        assert!(
            message.contains("capture, refund, reverse, cancel, change-amount"),
            "{message}"
        );
    }
}

#[test]
fn argument_errors_are_reported_before_the_intent_is_read() {
    assert_eq!(
        input_error(b"garbage", "frob", None).code(),
        "unknown_operation"
    );
    assert_eq!(
        input_error(b"garbage", "capture", None).code(),
        "amount_required"
    );
    assert_eq!(
        input_error(b"garbage", "cancel", Some("1")).code(),
        "unexpected_amount"
    );
    // The amount needs the intent's currency, so the intent comes first there.
    assert_eq!(
        input_error(b"garbage", "capture", Some("abc")).code(),
        "malformed_json"
    );
}

#[test]
fn parse_now_takes_rfc_3339_and_names_what_it_refuses() {
    assert_eq!(
        check::parse_now("2024-07-25T12:00:00Z")
            .expect("valid")
            .as_second(),
        1_721_908_800
    );
    assert_eq!(
        check::parse_now("2024-07-25T13:00:00+01:00").expect("valid"),
        check::parse_now("2024-07-25T12:00:00Z").expect("valid")
    );
    for text in [
        "",
        "yesterday",
        "2024-07-25",
        "2024-07-25T12:00:00",
        "2024-13-01T00:00:00Z",
        "99999-01-01T00:00:00Z",
    ] {
        let error = check::parse_now(text).expect_err(text);
        assert_eq!(error.code(), "invalid_time");
        assert_eq!(error.exit_code(), 2);
        assert!(error.to_string().contains(&format!("{text:?}")), "{error}");
    }
}

#[test]
fn extreme_times_are_judged_without_panicking() {
    for name in [
        "manual-fresh.json",
        "auto-captured.json",
        "manual-authorized.json",
    ] {
        let intent = example(name);
        for now in [Timestamp::MIN, Timestamp::MAX, Timestamp::UNIX_EPOCH] {
            for (operation, amount) in [
                ("capture", Some("1.00")),
                ("reverse", None),
                ("refund", Some("1.00")),
            ] {
                assert!(check::run(&intent, operation, amount, now).is_ok());
            }
        }
    }
    // A payment at the end of time: the deadline cannot be computed.
    let far = auto_captured("9999-12-30T21:00:00Z");
    let _ = run_json(&far, "reverse", None, "9999-12-30T21:00:00Z");
    let mut manual_far = manual("Authorized", json!([]), 0);
    manual_far["paymentDetails"]["transactionDateTime"] = json!("9999-12-30T21:00:00Z");
    let _ = run_json(&manual_far, "capture", Some("1.00"), NOW);
    let _ = run_json(&manual_far, "reverse", None, NOW);
}

#[test]
fn the_largest_amounts_are_judged_without_overflow() {
    let mut intent = manual(
        "Authorized",
        json!([capture("cp_a", i64::MAX - 1, "Successful")]),
        0,
    );
    intent["amount"] = json!({"value": i64::MAX, "currencyCode": "GBP"});
    let max = "92233720368547758.07";
    assert_rule(
        &run_json(&intent, "capture", Some(max), NOW),
        "over_capture",
    );
    let verdict = run_json(&intent, "capture", Some("0.01"), NOW);
    assert_allowed(&verdict);
    assert_eq!(verdict.amounts.capturable_after, Some(gbp(0)));
    assert_rule(&run_json(&intent, "refund", Some(max), NOW), "over_refund");
}

#[test]
fn verdict_displays_its_message_and_input_errors_debug_with_code_and_message() {
    let verdict = run_at(
        &example("manual-authorized.json"),
        "capture",
        Some("5.00"),
        "2024-07-26T10:00:00Z",
    );
    assert_eq!(verdict.to_string(), verdict.message);
    assert!(verdict.message.starts_with("allowed: capture 5.00 GBP"));

    let error = check::run(b"{", "capture", Some("1.00"), ts("2024-07-26T10:00:00Z")).unwrap_err();
    let debug = format!("{error:?}");
    assert!(debug.starts_with("InputError {"), "{debug}");
    assert!(debug.contains(r#"code: "malformed_json""#), "{debug}");
    assert!(debug.contains("EOF while parsing"), "{debug}");
}
