//! Every error kind of the crate's public error types, provoked through the
//! public API: each has a code no other failure shares, the codes are exactly
//! those `docs/errors.md` lists with the same example messages, and every
//! type's `Debug` prints its code and message only.

use std::collections::BTreeMap;
use std::error::Error;

use dojo_capture::check::{self, InputError};
use dojo_capture::request::{ApiVersion, UnknownApiVersion};
use dojo_capture::request_command::{self, Args};
use dojo_capture::state::{Authorized, Created};
use dojo_capture::{
    Answer, AnswerError, AnyPaymentIntent, Authorization, AutoExpireAction, AutoExpiry,
    AutoExpiryError, CaptureId, CaptureMode, CaptureOutcome, Currency, IdError, IdempotencyKey,
    Money, MoneyError, PaymentIntent, PaymentIntentStatus, ReconcileError, RefundDetails,
    RefundDetailsError, RehydrateError, Rejected, Rule, RuleViolation, SettleWindow,
    SettleWindowError, WebhookError, WebhookSecret, WrongState, webhook, wire::UnknownVariant,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

mod common;
use common::Copied;
use common::{PAID, cid, eur, gbp, key, paid, ts};

/// One error: the public type's name (`Rule` for a rule violation), its
/// code, its message and its `Debug`.
#[derive(Debug)]
struct Case {
    ty: &'static str,
    code: &'static str,
    message: String,
    debug: String,
}

/// A [`Case`] from an error of type `$ty`, named `$ty` or as given.
macro_rules! case {
    ($ty:ident, $error:expr) => {
        case!($ty as stringify!($ty), $error)
    };
    ($ty:ident as $name:expr, $error:expr) => {{
        let error: $ty = $error;
        Case {
            ty: $name,
            code: error.code(),
            message: error.to_string(),
            debug: format!("{error:?}"),
        }
    }};
}

fn now() -> Timestamp {
    paid() + SignedDuration::from_hours(1)
}

fn money_codes() -> Vec<Case> {
    vec![
        case!(MoneyError, Currency::from_code("ABC").unwrap_err()),
        case!(MoneyError, Currency::from_code("XAU").unwrap_err()),
        case!(MoneyError, Money::try_new(-1, Currency::GBP).unwrap_err()),
        case!(
            MoneyError,
            Money::parse_in("10.001", Currency::GBP).unwrap_err()
        ),
        case!(MoneyError, gbp(i64::MAX).checked_add(gbp(1)).unwrap_err()),
        case!(
            MoneyError,
            Money::parse_in("ten", Currency::GBP).unwrap_err()
        ),
        case!(MoneyError, gbp(100).checked_add(eur(100)).unwrap_err()),
        case!(MoneyError, gbp(100).checked_sub(gbp(101)).unwrap_err()),
    ]
}

fn id_codes() -> Vec<Case> {
    vec![
        case!(IdError, CaptureId::new("").unwrap_err()),
        case!(IdError, IdempotencyKey::new(&"k".repeat(101)).unwrap_err()),
        case!(IdError, CaptureId::new("cp 1").unwrap_err()),
    ]
}

fn auto_expiry_codes() -> Vec<Case> {
    let release = AutoExpireAction::Release;
    vec![
        case!(
            AutoExpiryError,
            AutoExpiry::new(SignedDuration::from_secs(30), release).unwrap_err()
        ),
        case!(
            AutoExpiryError,
            AutoExpiry::new(SignedDuration::new(60, 150), release).unwrap_err()
        ),
    ]
}

fn created() -> PaymentIntent<Created> {
    PaymentIntent::new(gbp(1000), CaptureMode::Manual)
}

fn wrong_state_codes() -> Vec<Case> {
    vec![case!(
        WrongState,
        created()
            .into_any()
            .try_into_state::<Authorized>()
            .unwrap_err()
    )]
}

fn settle_window_codes() -> Vec<Case> {
    vec![case!(
        SettleWindowError,
        SettleWindow::new(SignedDuration::ZERO).unwrap_err()
    )]
}

fn api_version_codes() -> Vec<Case> {
    vec![case!(
        UnknownApiVersion,
        "2023-01-01".parse::<ApiVersion>().unwrap_err()
    )]
}

type AnyAnswerError = AnswerError<AnyPaymentIntent>;

/// Manual, 10.00 GBP authorised, id `pi_errors`, nothing captured.
fn with_id() -> AnyPaymentIntent {
    AnyPaymentIntent::from_json(&manual_intent(json!({}))).unwrap()
}

/// Prepares a capture of 1.00 GBP on `intent` and records `answer` for it.
fn answer_error(intent: AnyPaymentIntent, answer: Answer<'_>) -> AnyAnswerError {
    let (intent, prepared) = intent
        .prepare_capture(gbp(100), None, now(), ApiVersion::default())
        .unwrap();
    intent.record_capture_answer(prepared, answer).unwrap_err()
}

/// One `AnswerError` per kind, in the order of the kinds.
fn answer_codes() -> Vec<Case> {
    let http = |status, body| Answer::Http { status, body };
    let problem = br#"{"title":"Conflict","detail":"The payment intent cannot be captured","traceId":"00-abc"}"#;
    let not_pending = {
        let (intent, prepared) = with_id()
            .prepare_capture(gbp(100), None, now(), ApiVersion::default())
            .unwrap();
        // Recorded into another copy of the intent, read before the prepare.
        drop(intent);
        with_id()
            .record_capture_answer(prepared, http(201, br#"{"captureId":"cp_1"}"#))
            .unwrap_err()
    };
    let recorded = with_id().capture(cid("cp_1"), gbp(100), now()).unwrap();
    vec![
        case!(AnyAnswerError as "AnswerError", not_pending),
        case!(
            AnyAnswerError as "AnswerError",
            answer_error(with_id(), http(409, problem))
        ),
        case!(
            AnyAnswerError as "AnswerError",
            answer_error(with_id(), http(503, b""))
        ),
        case!(
            AnyAnswerError as "AnswerError",
            answer_error(with_id(), http(302, b""))
        ),
        case!(
            AnyAnswerError as "AnswerError",
            answer_error(with_id(), http(200, b"<html>"))
        ),
        case!(
            AnyAnswerError as "AnswerError",
            answer_error(recorded, http(200, br#"{"captureId":"cp_1"}"#))
        ),
        case!(
            AnyAnswerError as "AnswerError",
            answer_error(with_id(), Answer::TransportFailure)
        ),
    ]
}

/// Prepares a refund of 1.00 GBP under `r_1` on `intent` and records `answer` for it.
fn refund_answer_error(intent: AnyPaymentIntent, answer: Answer<'_>) -> AnyAnswerError {
    let (intent, prepared) = intent
        .prepare_refund(
            key("r_1"),
            gbp(100),
            RefundDetails::default(),
            ApiVersion::default(),
        )
        .unwrap();
    intent.record_refund_answer(prepared, answer).unwrap_err()
}

/// Manual, 10.00 GBP authorised, 6.00 GBP captured, id `pi_errors`.
fn captured_with_id() -> AnyPaymentIntent {
    let id = cid("cp_1");
    with_id()
        .capture(id.clone(), gbp(600), now())
        .and_then(|intent| intent.record_capture_outcome(&id, CaptureOutcome::Successful))
        .unwrap()
}

/// One refund `AnswerError` per kind, in the order of the kinds.
fn refund_answer_codes() -> Vec<Case> {
    let http = |status, body| Answer::Http { status, body };
    let problem = br#"{"title":"Bad Request","detail":"The amount is invalid","traceId":"00-abc"}"#;
    let not_pending = {
        let (_, prepared) = captured_with_id()
            .prepare_refund(
                key("r_1"),
                gbp(100),
                RefundDetails::default(),
                ApiVersion::default(),
            )
            .unwrap();
        captured_with_id()
            .record_refund_answer(prepared, http(201, br#"{"refundId":"rfnd_1"}"#))
            .unwrap_err()
    };
    let recorded = {
        let (intent, prepared) = captured_with_id()
            .prepare_refund(
                key("r_0"),
                gbp(100),
                RefundDetails::default(),
                ApiVersion::default(),
            )
            .unwrap();
        intent
            .record_refund_answer(prepared, http(201, br#"{"refundId":"rfnd_1"}"#))
            .unwrap()
            .0
    };
    vec![
        case!(AnyAnswerError as "AnswerError", not_pending),
        case!(
            AnyAnswerError as "AnswerError",
            refund_answer_error(captured_with_id(), http(400, problem))
        ),
        case!(
            AnyAnswerError as "AnswerError",
            refund_answer_error(captured_with_id(), http(503, b""))
        ),
        case!(
            AnyAnswerError as "AnswerError",
            refund_answer_error(captured_with_id(), http(302, b""))
        ),
        case!(
            AnyAnswerError as "AnswerError",
            refund_answer_error(captured_with_id(), http(200, b"<html>"))
        ),
        case!(
            AnyAnswerError as "AnswerError",
            refund_answer_error(recorded, http(200, br#"{"refundId":"rfnd_1"}"#))
        ),
        case!(
            AnyAnswerError as "AnswerError",
            refund_answer_error(captured_with_id(), Answer::TransportFailure)
        ),
        case!(
            AnyAnswerError as "AnswerError",
            refund_answer_error(
                captured_with_id(),
                http(201, br#"{"paymentIntentId":"pi_other","refundId":"rfnd_1"}"#)
            )
        ),
        case!(AnyAnswerError as "AnswerError", {
            // The retry of a refund whose first answer was lost, refused.
            let (intent, prepared) = captured_with_id()
                .prepare_refund(
                    key("r_1"),
                    gbp(100),
                    RefundDetails::default(),
                    ApiVersion::default(),
                )
                .unwrap();
            let intent = intent
                .record_refund_answer(prepared, Answer::TransportFailure)
                .unwrap_err()
                .into_intent();
            refund_answer_error(intent, http(409, problem))
        }),
    ]
}

/// Created, 10.00 GBP, id `pi_errors`, custom amounts and tips allowed.
fn created_with_id() -> AnyPaymentIntent {
    created()
        .with_id("pi_errors")
        .with_custom_amount_allowed(true)
        .with_tips_allowed(true)
        .into_any()
}

/// Each answer error a reversal, a cancel, a change of amount and a change
/// of tip can give, in the order of the kinds.
fn operation_answer_codes() -> Vec<Case> {
    let http = |status, body| Answer::Http { status, body };
    let problem = br#"{"title":"Bad Request","detail":"Not allowed","traceId":"00-abc"}"#;
    let answers: [Answer<'static>; 4] = [
        http(400, problem),
        http(503, b""),
        http(302, b""),
        Answer::TransportFailure,
    ];
    let mut cases = Vec::new();
    // Reversal: a Manual intent, authorised.
    let reversal = || {
        manual_authorized_with_id()
            .prepare_reversal(now(), ApiVersion::default())
            .unwrap()
    };
    let (_, stray) = reversal();
    cases.push(case!(
        AnyAnswerError as "AnswerError",
        manual_authorized_with_id()
            .record_reversal_answer(stray, http(200, b"{}"))
            .unwrap_err()
    ));
    for answer in answers {
        let (intent, prepared) = reversal();
        cases.push(case!(
            AnyAnswerError as "AnswerError",
            intent.record_reversal_answer(prepared, answer).unwrap_err()
        ));
    }
    // Cancel, change of amount, change of tip: a Created intent.
    let contradicting = br#"{"id":"pi_errors","status":"Authorized","amount":{"value":1,"currencyCode":"GBP"},"tipsAmount":{"value":1,"currencyCode":"GBP"}}"#;
    let other = br#"{"id":"pi_other","status":"Canceled"}"#;
    macro_rules! created_operation {
        ($prepare:ident ($($arg:expr),*), $record:ident) => {{
            let (_, stray) = created_with_id().$prepare($($arg,)* ApiVersion::default()).unwrap();
            cases.push(case!(
                AnyAnswerError as "AnswerError",
                created_with_id().$record(stray, http(200, b"{}")).unwrap_err()
            ));
            for answer in answers
                .into_iter()
                .chain([http(200, &contradicting[..]), http(200, &other[..])])
            {
                let (intent, prepared) =
                    created_with_id().$prepare($($arg,)* ApiVersion::default()).unwrap();
                cases.push(case!(
                    AnyAnswerError as "AnswerError",
                    intent.$record(prepared, answer).unwrap_err()
                ));
            }
        }};
    }
    created_operation!(prepare_cancel(), record_cancel_answer);
    created_operation!(
        prepare_change_amount(gbp(2000)),
        record_change_amount_answer
    );
    created_operation!(prepare_change_tips(gbp(200)), record_change_tips_answer);
    cases
}

/// Manual, 10.00 GBP authorised, id `pi_errors`.
fn manual_authorized_with_id() -> AnyPaymentIntent {
    match created().with_id("pi_errors").authorize(paid()) {
        Authorization::Manual(intent) => intent.into_any(),
        Authorization::Auto(_) => unreachable!("a Manual intent is authorised, not captured"),
    }
}

fn refund_details_codes() -> Vec<Case> {
    vec![
        case!(
            RefundDetailsError,
            RefundDetails::new(Some(&"r".repeat(1025)), None).unwrap_err()
        ),
        case!(
            RefundDetailsError,
            RefundDetails::new(None, Some(&"n".repeat(4097))).unwrap_err()
        ),
    ]
}

fn unknown_variant_codes() -> Vec<Case> {
    vec![case!(
        UnknownVariant,
        "Pending".parse::<PaymentIntentStatus>().unwrap_err()
    )]
}

/// One `WebhookError` per kind, in the order `verify` checks them.
fn webhook_codes() -> Vec<Case> {
    let secret = || WebhookSecret::new("ws_errors").unwrap();
    let body = br#"{"id":"evt_1","event":"payment_intent.created","data":{}}"#;
    let verify = |header: &str| webhook::verify_event(body, header, &[secret()]).unwrap_err();
    vec![
        case!(WebhookError, verify_none()),
        case!(WebhookError, WebhookSecret::new("").unwrap_err()),
        case!(WebhookError, verify("")),
        case!(WebhookError, verify("sha1=94-AC")),
        case!(WebhookError, verify("sha256=94-AC")),
        case!(WebhookError, verify(&secret().sign(b"another body"))),
        case!(WebhookError, verify(&secret().sign(body))),
    ]
}

fn verify_none() -> WebhookError {
    webhook::verify(b"{}", "sha256=94-AC", &[]).unwrap_err()
}

/// A Manual intent for 10.00 GBP, paid at [`PAID`], nothing captured.
fn manual_intent(extra: Value) -> Vec<u8> {
    let mut body = json!({
        "id": "pi_errors",
        "captureMode": "Manual",
        "status": "Authorized",
        "amount": {"value": 1000, "currencyCode": "GBP"},
        "createdAt": PAID,
        "captures": [],
    });
    for (field, value) in extra.as_object().unwrap() {
        if value.is_null() {
            body.as_object_mut().unwrap().remove(field);
        } else {
            body[field] = value.clone();
        }
    }
    body.to_string().into_bytes()
}

fn rehydrate_error(body: &[u8]) -> RehydrateError {
    AnyPaymentIntent::from_json(body).unwrap_err()
}

/// One `RehydrateError` per kind of the stored record's own, through
/// `AnyPaymentIntent::from_stored_json` on the committed golden records.
fn stored_codes() -> Vec<Case> {
    let golden = |name: &str, change: &dyn Fn(&mut Value)| {
        let path = format!(
            "{}/tests/data/storage/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut record: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("golden record"))
                .expect("JSON");
        change(&mut record);
        AnyPaymentIntent::from_stored_json(record.to_string().as_bytes()).unwrap_err()
    };
    vec![
        case!(
            RehydrateError,
            golden("captured", &|r| r["format"] = json!(2))
        ),
        case!(
            RehydrateError,
            golden("refunded", &|r| r["refunds"][0]["amount"] = json!(0))
        ),
        case!(
            RehydrateError,
            golden("refunded", &|r| r["refunds"][0]["idempotencyKey"] =
                json!(""))
        ),
        case!(
            RehydrateError,
            golden("refunded", &|r| r["refunds"][1]["idempotencyKey"] =
                json!("rf_1"))
        ),
        case!(
            RehydrateError,
            golden("refunded", &|r| r["refunds"][1]["amount"] = json!(51))
        ),
        case!(
            RehydrateError,
            golden("authorized", &|r| r["pendingCaptures"][0]["amount"] =
                json!(701))
        ),
        case!(
            RehydrateError,
            golden("captured", &|r| r["pendingRefunds"][0]["amount"] =
                json!(351))
        ),
        case!(
            RehydrateError,
            golden("authorized", &|r| r["captureMode"] = json!("Auto"))
        ),
        case!(
            RehydrateError,
            golden("authorized", &|r| r["nextLocalId"] = json!(1))
        ),
        case!(
            RehydrateError,
            golden("captured", &|r| r["seenEvents"] = json!(["evt_1", "evt_1"]))
        ),
    ]
}

// ---- RehydrateError cases go here ----
/// One `RehydrateError` per kind, through `AnyPaymentIntent::from_json`, in
/// the order of the kinds: a new kind gets its case here and its row in
/// `docs/errors.md`.
fn rehydrate_codes() -> Vec<Case> {
    let capture =
        |id: &str, amount: i64, status: &str| json!({"id": id, "amount": amount, "status": status});
    let bodies = [
        b"{".to_vec(),
        manual_intent(json!({"amount": null})),
        manual_intent(json!({"refundedAmount": -1})),
        manual_intent(json!({"captures": [capture("cp_1", 0, "Created")]})),
        manual_intent(json!({"totalAmount": {"value": 1000, "currencyCode": "EUR"}})),
        manual_intent(json!({"status": "Pending"})),
        manual_intent(json!({"amount": {"value": 0, "currencyCode": "GBP"}})),
        manual_intent(json!({"captures": [capture("cp 1", 100, "Created")]})),
        manual_intent(json!({"captures": [
            capture("cp_1", 100, "Created"),
            capture("cp_1", 100, "Created"),
        ]})),
        manual_intent(json!({"captures": [capture("cp_1", 1001, "Created")]})),
        manual_intent(json!({"status": "Refunded", "refundedAmount": 100})),
        manual_intent(json!({"status": "Created", "captures": [capture("cp_1", 100, "Created")]})),
        manual_intent(json!({"status": "Captured"})),
        manual_intent(json!({"createdAt": null})),
        manual_intent(json!({"autoExpireIn": "soon", "autoExpireAction": "Release"})),
    ];
    bodies
        .iter()
        .map(|body| case!(RehydrateError, rehydrate_error(body)))
        .collect()
}

fn input_codes() -> Vec<Case> {
    let intent = manual_intent(json!({}));
    let run = |operation, amount| check::run(&intent, operation, amount, now()).unwrap_err();
    vec![
        case!(InputError, run("settle", None)),
        case!(InputError, run("capture", None)),
        case!(InputError, run("cancel", Some("1.00"))),
        case!(InputError, check::parse_now("tomorrow").unwrap_err()),
        case!(InputError, request(Args::new("refund").amount("1.00"))),
        case!(
            InputError,
            request(Args::new("capture").amount("1.00").key("r_1"))
        ),
        case!(
            InputError,
            request(Args::new("reverse").base_url("api.dojo.tech"))
        ),
    ]
}

/// The `request` command's input error for `args` on an authorised intent.
fn request(args: Args<'_>) -> InputError {
    request_command::run(&manual_intent(json!({})), &args, now()).unwrap_err()
}

fn manual_authorized() -> AnyPaymentIntent {
    match created().authorize(paid()) {
        Authorization::Manual(intent) => intent.into_any(),
        Authorization::Auto(_) => unreachable!("a Manual intent is authorised, not captured"),
    }
}

/// Manual, 10.00 GBP authorised, 6.00 GBP captured by `cp_1`.
fn manual_captured() -> AnyPaymentIntent {
    let id = cid("cp_1");
    manual_authorized()
        .capture(id.clone(), gbp(600), now())
        .and_then(|intent| intent.record_capture_outcome(&id, CaptureOutcome::Successful))
        .unwrap()
}

fn rule(result: Result<AnyPaymentIntent, Rejected<AnyPaymentIntent>>) -> Case {
    let rejected = result.unwrap_err();
    assert_eq!(rejected.code(), rejected.violation().code());
    assert_eq!(rejected.to_string(), rejected.violation().to_string());
    assert_eq!(
        format!("{rejected:?}"),
        format!("{:?}", rejected.violation()).replacen("RuleViolation", "Rejected", 1)
    );
    case!(RuleViolation as "Rule", *rejected.violation())
}

fn rule_codes() -> Vec<Case> {
    let auto_authorized = AnyPaymentIntent::from_json(&manual_intent(json!({
        "captureMode": "Auto",
    })))
    .unwrap();
    let auto_captured = match PaymentIntent::new(gbp(1000), CaptureMode::Auto).authorize(paid()) {
        Authorization::Auto(intent) => intent.into_any(),
        Authorization::Manual(_) => unreachable!("an Auto intent is captured by Dojo"),
    };
    let refunded = || manual_captured().refund(key("r_1"), gbp(100)).unwrap();
    let a_week_later = paid() + SignedDuration::from_hours(8 * 24);
    vec![
        rule(manual_authorized().capture(cid("cp_2"), gbp(1001), now())),
        rule(manual_captured().refund(key("r_1"), gbp(601))),
        rule(refunded().capture(cid("cp_2"), gbp(100), now())),
        rule(
            manual_authorized()
                .reverse(now())
                .unwrap()
                .capture(cid("cp_2"), gbp(100), now()),
        ),
        rule(created().cancel().into_any().cancel()),
        rule(auto_authorized.capture(cid("cp_2"), gbp(100), now())),
        rule(manual_authorized().capture(cid("cp_2"), eur(100), now())),
        rule(manual_authorized().capture(cid("cp_2"), gbp(0), now())),
        rule(auto_captured.reverse(ts("2024-07-26T08:49:20Z"))),
        rule(manual_authorized().capture(cid("cp_2"), gbp(100), a_week_later)),
        rule(manual_captured().capture(cid("cp_1"), gbp(100), now())),
        rule(refunded().refund(key("r_1"), gbp(200))),
        rule(created().into_any().change_amount(gbp(2000))),
        rule(manual_authorized().record_capture_outcome(&cid("cp_2"), CaptureOutcome::Successful)),
        rule(
            answer_error(with_id(), Answer::TransportFailure)
                .into_intent()
                .prepare_capture(gbp(100), None, now(), ApiVersion::default())
                .map(|(intent, _)| intent),
        ),
        rule(
            manual_authorized()
                .prepare_capture(gbp(100), None, now(), ApiVersion::default())
                .map(|(intent, _)| intent),
        ),
        rule(
            captured_with_id()
                .prepare_refund(
                    key("r_1"),
                    gbp(100),
                    RefundDetails::default(),
                    ApiVersion::default(),
                )
                .unwrap()
                .0
                .prepare_capture(gbp(100), None, now(), ApiVersion::default())
                .map(|(intent, _)| intent),
        ),
        rule(
            created()
                .with_id("pi_errors")
                .into_any()
                .prepare_change_tips(gbp(100), ApiVersion::default())
                .map(|(intent, _)| intent),
        ),
    ]
}

fn every_case() -> Vec<Case> {
    [
        rule_codes(),
        money_codes(),
        id_codes(),
        auto_expiry_codes(),
        wrong_state_codes(),
        settle_window_codes(),
        unknown_variant_codes(),
        api_version_codes(),
        answer_codes(),
        refund_answer_codes(),
        refund_details_codes(),
        operation_answer_codes(),
        input_codes(),
        rehydrate_codes(),
        stored_codes(),
        reconcile_codes(),
        webhook_codes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// `(code, type)` → example message, from the table in `docs/errors.md`.
fn documented() -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/errors.md"))
        .expect("docs/errors.md");
    let unquote = |cell: &str| {
        let cell = cell.trim();
        cell.strip_prefix('`')
            .and_then(|c| c.strip_suffix('`'))
            .unwrap_or(cell)
            .to_owned()
    };
    let mut rows = BTreeMap::new();
    let mut table = text.lines().filter(|line| line.starts_with('|'));
    assert_eq!(
        table.next(),
        Some("| code | type | meaning | example message |")
    );
    assert_eq!(table.next(), Some("|---|---|---|---|"));
    for line in table {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
        assert_eq!(cells.len(), 4, "a row has four cells: {line}");
        let code = unquote(cells[0]);
        let key = (code, unquote(cells[1]));
        let message = unquote(cells[3]);
        assert!(
            rows.insert(key.clone(), message).is_none(),
            "{key:?} is listed twice"
        );
    }
    rows
}

#[test]
fn every_code_is_unique_across_the_crate() {
    let cases = every_case();
    let mut seen: BTreeMap<&str, &Case> = BTreeMap::new();
    for case in &cases {
        if let Some(first) = seen.insert(case.code, case) {
            panic!("{first:?} and {case:?} share a code");
        }
    }
}

#[test]
fn every_rule_has_its_case() {
    let provoked: Vec<&str> = rule_codes().iter().map(|case| case.code).collect();
    let all: Vec<&str> = Rule::ALL.iter().map(|rule| rule.code()).collect();
    assert_eq!(provoked, all);
}

/// Whether `documented` is `message`, where one `…` in `documented` stands
/// for any text (a long value, or a message from another crate).
fn matches_example(documented: &str, message: &str) -> bool {
    match documented.split_once('…') {
        Some((head, tail)) => {
            message.len() >= head.len() + tail.len()
                && message.starts_with(head)
                && message.ends_with(tail)
        }
        None => documented == message,
    }
}

#[test]
fn codes_and_messages_are_those_of_docs_errors_md() {
    let actual: BTreeMap<(String, String), String> = every_case()
        .into_iter()
        .map(|case| ((case.code.to_owned(), case.ty.to_owned()), case.message))
        .collect();
    let documented = documented();
    let mut problems = Vec::new();
    for (key, message) in &actual {
        match documented.get(key) {
            None => problems.push(format!("missing row {key:?}: {message}")),
            Some(example) if !matches_example(example, message) => {
                problems.push(format!("{key:?}: documented {example:?}, is {message:?}"));
            }
            Some(_) => {}
        }
    }
    for key in documented.keys().filter(|key| !actual.contains_key(*key)) {
        problems.push(format!("row {key:?} matches no error the crate provokes"));
    }
    assert!(
        problems.is_empty(),
        "docs/errors.md disagrees with the crate:\n{}",
        problems.join("\n")
    );
}

#[test]
fn messages_are_not_empty_and_debug_is_code_and_message() {
    for case in every_case() {
        assert!(!case.message.is_empty(), "{case:?}");
        let ty = match case.ty {
            "Rule" => "RuleViolation",
            ty => ty,
        };
        assert_eq!(
            case.debug,
            format!(
                "{ty} {{ code: {:?}, message: {:?} }}",
                case.code, case.message
            )
        );
    }
}

#[test]
fn a_rule_violation_message_starts_with_its_code() {
    for case in rule_codes() {
        assert!(
            case.message.starts_with(&format!("{}: ", case.code)),
            "{case:?}"
        );
    }
}

#[test]
fn an_input_error_message_starts_with_its_code() {
    for case in input_codes() {
        assert!(
            case.message.starts_with(&format!("{}: ", case.code)),
            "{case:?}"
        );
    }
}

#[test]
fn wrong_state_debug_does_not_print_the_intent() {
    let error = manual_authorized().try_into_state::<Created>().unwrap_err();
    let debug = format!("{error:?}");
    assert_eq!(
        debug,
        r#"WrongState { code: "wrong_state", message: "the intent is Authorized, not Created" }"#
    );
    assert_eq!(error.expected(), dojo_capture::IntentState::Created);
    assert_eq!(error.into_intent(), manual_authorized());
}

/// Every text in an error chain, outermost first.
fn chain(error: &dyn Error) -> Vec<String> {
    let mut texts = Vec::new();
    let mut next = Some(error);
    while let Some(error) = next {
        texts.push(error.to_string());
        next = error.source();
    }
    texts
}

#[test]
fn no_error_has_a_source_so_no_chain_repeats_a_message() {
    let intent = manual_intent(json!({}));
    let errors: Vec<Box<dyn Error>> = vec![
        Box::new(Money::parse_in("ten", Currency::GBP).unwrap_err()),
        Box::new(CaptureId::new("").unwrap_err()),
        Box::new(AutoExpiry::new(SignedDuration::ZERO, AutoExpireAction::Capture).unwrap_err()),
        Box::new(
            created()
                .into_any()
                .try_into_state::<Authorized>()
                .unwrap_err(),
        ),
        Box::new("manual".parse::<CaptureMode>().unwrap_err()),
        Box::new("latest".parse::<ApiVersion>().unwrap_err()),
        Box::new(verify_none()),
        Box::new(answer_error(with_id(), Answer::TransportFailure)),
        Box::new(rehydrate_error(b"{")),
        Box::new(check::run(&intent, "capture", Some("-1"), now()).unwrap_err()),
        Box::new(
            manual_authorized()
                .capture(cid("cp_2"), gbp(0), now())
                .unwrap_err(),
        ),
        Box::new(
            *manual_authorized()
                .capture(cid("cp_2"), gbp(0), now())
                .unwrap_err()
                .violation(),
        ),
    ];
    for error in errors {
        assert_eq!(chain(error.as_ref()).len(), 1, "{error:?}");
    }
}

#[test]
fn an_input_error_includes_its_cause_once_and_takes_its_code() {
    let intent = manual_intent(json!({}));
    let money = Money::parse_in("-1", Currency::GBP).unwrap_err();
    let error = check::run(&intent, "capture", Some("-1"), now()).unwrap_err();
    assert_eq!(error.code(), money.code());
    assert_eq!(
        error.to_string(),
        format!("negative_amount: AMOUNT \"-1\" is not usable: {money}")
    );
    let printed = chain(&error).join(": ");
    assert_eq!(printed.matches(&money.to_string()).count(), 1, "{printed}");

    let rehydrate = rehydrate_error(b"{");
    let error = check::run(b"{", "reverse", None, now()).unwrap_err();
    assert_eq!(error.code(), rehydrate.code());
    assert_eq!(
        error.to_string(),
        format!("{}: {rehydrate}", rehydrate.code())
    );
    assert!(error.source().is_none());

    let id = IdempotencyKey::new("a b").unwrap_err();
    let error = request(Args::new("refund").amount("1.00").key("a b"));
    assert_eq!(error.code(), id.code());
    assert_eq!(error.to_string(), format!("{}: --key {id}", id.code()));
    assert!(error.source().is_none());

    let version = "latest".parse::<ApiVersion>().unwrap_err();
    let error = request(Args::new("reverse").version("latest"));
    assert_eq!(error.code(), version.code());
    assert_eq!(
        error.to_string(),
        format!("{}: --version {version}", version.code())
    );
    assert!(error.source().is_none());
}

type AnyReconcileError = ReconcileError<AnyPaymentIntent>;

/// Reconciles `intent` with its own encoding changed by `change`.
fn reconcile_error(
    intent: AnyPaymentIntent,
    change: impl FnOnce(&mut dojo_capture::wire::PaymentIntentResource),
) -> AnyReconcileError {
    let mut fresh = intent.to_resource();
    change(&mut fresh);
    intent.reconcile_read(&fresh).unwrap_err()
}

/// One `ReconcileError` per kind, in the order of the kinds.
fn reconcile_codes() -> Vec<Case> {
    use dojo_capture::CaptureStatus;
    use dojo_capture::wire::CaptureDetails;
    let v = ApiVersion::default;
    let new_capture = |id: &str| CaptureDetails {
        id: Some(id.into()),
        amount: 100,
        tips_amount: None,
        status: CaptureStatus::Created,
        created_at: Some(now()),
    };
    let lost = |intent: AnyPaymentIntent| {
        let (intent, prepared) = intent.prepare_capture(gbp(100), None, now(), v()).unwrap();
        intent
            .record_capture_answer(prepared, Answer::TransportFailure)
            .unwrap_err()
            .into_intent()
    };
    let in_flight = with_id().capture(cid("cp_1"), gbp(100), now()).unwrap();
    let successful = in_flight
        .copied()
        .record_capture_outcome(&cid("cp_1"), CaptureOutcome::Successful)
        .unwrap();
    let declined = in_flight
        .copied()
        .record_capture_outcome(&cid("cp_1"), CaptureOutcome::Declined)
        .unwrap();
    let refunded = successful.copied().refund(key("r_1"), gbp(100)).unwrap();
    let lost_refunds = {
        let mut intent = successful.copied();
        for name in ["r_1", "r_2"] {
            let (next, prepared) = intent
                .prepare_refund(key(name), gbp(40), RefundDetails::default(), v())
                .unwrap();
            intent = next
                .record_refund_answer(prepared, Answer::TransportFailure)
                .unwrap_err()
                .into_intent();
        }
        intent
    };
    let awaited = with_id()
        .prepare_capture(gbp(100), None, now(), v())
        .unwrap()
        .0;
    vec![
        case!(
            AnyReconcileError as "ReconcileError",
            reconcile_error(with_id(), |f| f.amount = None)
        ),
        case!(
            AnyReconcileError as "ReconcileError",
            reconcile_error(with_id(), |f| f.id = Some("pi_other".into()))
        ),
        case!(
            AnyReconcileError as "ReconcileError",
            reconcile_error(with_id(), |f| {
                f.amount = Some(eur(1000));
                f.total_amount = None;
            })
        ),
        case!(
            AnyReconcileError as "ReconcileError",
            reconcile_error(with_id(), |f| f.amount = Some(gbp(900)))
        ),
        case!(
            AnyReconcileError as "ReconcileError",
            reconcile_error(with_id().reverse(now()).unwrap(), |f| {
                f.status = PaymentIntentStatus::Authorized;
            })
        ),
        case!(
            AnyReconcileError as "ReconcileError",
            reconcile_error(successful.copied(), |f| {
                f.captures.as_mut().unwrap()[0].status = CaptureStatus::Failed;
                f.status = PaymentIntentStatus::Authorized;
            })
        ),
        case!(
            AnyReconcileError as "ReconcileError",
            reconcile_error(refunded, |f| f.refunded_amount = Some(60))
        ),
        case!(
            AnyReconcileError as "ReconcileError",
            reconcile_error(in_flight.copied(), |f| f.captures = None)
        ),
        case!(
            AnyReconcileError as "ReconcileError",
            reconcile_error(in_flight, |f| f.captures.as_mut().unwrap()[0].amount = 200)
        ),
        case!(
            AnyReconcileError as "ReconcileError",
            reconcile_error(declined, |f| {
                f.captures.as_mut().unwrap()[0].status = CaptureStatus::Successful;
                f.status = PaymentIntentStatus::Captured;
            })
        ),
        case!(
            AnyReconcileError as "ReconcileError",
            reconcile_error(lost(with_id()), |f| {
                f.captures = Some(vec![new_capture("cp_1"), new_capture("cp_2")]);
            })
        ),
        case!(
            AnyReconcileError as "ReconcileError",
            reconcile_error(lost_refunds, |f| {
                f.refunded_amount = Some(40);
                f.status = PaymentIntentStatus::Refunded;
            })
        ),
        case!(
            AnyReconcileError as "ReconcileError",
            reconcile_error(awaited, |_| {})
        ),
    ]
}
