//! Around the HTTP call, for captures: a capture is prepared (checked,
//! reserved, its request built) before the request is sent, and Dojo's
//! answer is recorded after it, without re-running the rules.

use dojo_capture::request::{ApiVersion, Method};
use dojo_capture::state::{Authorized, Captured};
use dojo_capture::{
    Answer, AnyPaymentIntent, Authorization, CaptureMode, CaptureOutcome, CaptureResolved,
    CaptureStatus, IntentState, Operation, PaymentIntent, PreparedCapture, Rule,
};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

mod common;
use common::Copied;
use common::invariants::check_intent;
use common::{cid, eur, gbp, paid, proptest_config};

const PI: &str = "pi_boundary";

fn now() -> Timestamp {
    paid() + SignedDuration::from_hours(1)
}

/// Manual, 10.00 GBP authorised at [`paid`], Dojo's id `id`.
fn authorized_with_id(id: &str) -> PaymentIntent<Authorized> {
    match PaymentIntent::new(gbp(1000), CaptureMode::Manual)
        .with_id(id)
        .authorize(paid())
    {
        Authorization::Manual(intent) => intent,
        Authorization::Auto(_) => unreachable!("a Manual intent is authorised, not captured"),
    }
}

fn authorized() -> PaymentIntent<Authorized> {
    authorized_with_id(PI)
}

fn prepare(
    intent: PaymentIntent<Authorized>,
    minor: i64,
) -> (PaymentIntent<Authorized>, PreparedCapture) {
    intent
        .prepare_capture(gbp(minor), None, now(), ApiVersion::default())
        .unwrap()
}

fn http(status: u16, body: &[u8]) -> Answer<'_> {
    Answer::Http { status, body }
}

const CREATED_CP_1: &[u8] = br#"{"message":"Capture created","captureId":"cp_1"}"#;

// ---- the request ------------------------------------------------------------

#[test]
fn the_request_body_is_the_spec_s_with_and_without_tips() {
    let (_, with_tips) = authorized()
        .prepare_capture(gbp(500), Some(gbp(50)), now(), ApiVersion::default())
        .unwrap();
    assert_eq!(
        with_tips.request().body(),
        Some(&br#"{"amount":500,"tipsAmount":50}"#[..])
    );
    let (_, without) = prepare(authorized(), 500);
    assert_eq!(without.request().body(), Some(&br#"{"amount":500}"#[..]));
    // A zero tip is no tip (D18).
    let (_, zero_tip) = authorized()
        .prepare_capture(gbp(500), Some(gbp(0)), now(), ApiVersion::default())
        .unwrap();
    assert_eq!(zero_tip.request().body(), Some(&br#"{"amount":500}"#[..]));
    assert_eq!(zero_tip.tips(), None);
}

#[test]
fn the_request_is_a_post_to_the_percent_encoded_intent_s_captures() {
    let (_, prepared) = prepare(authorized_with_id("pi_a b/ü?~-._"), 500);
    let request = prepared.request();
    assert_eq!(request.method(), Method::Post);
    assert_eq!(
        request.path(),
        "/payment-intents/pi_a%20b%2F%C3%BC%3F~-._/captures"
    );
    assert_eq!(
        request.url("https://api.dojo.tech/"),
        "https://api.dojo.tech/payment-intents/pi_a%20b%2F%C3%BC%3F~-._/captures"
    );
    assert_eq!(
        request.url("https://api.dojo.tech"),
        request.url("https://api.dojo.tech/")
    );
    assert_eq!(prepared.intent_id(), "pi_a b/ü?~-._");
}

#[test]
fn the_headers_are_the_version_and_the_content_type_never_authorization() {
    for (version, date) in [
        (ApiVersion::V2024_02_05, "2024-02-05"),
        (ApiVersion::V2025_09_10, "2025-09-10"),
    ] {
        let (_, prepared) = authorized()
            .prepare_capture(gbp(500), None, now(), version)
            .unwrap();
        let headers: Vec<_> = prepared.request().headers().collect();
        assert_eq!(
            headers,
            [("version", date), ("content-type", "application/json")]
        );
        assert_eq!(prepared.request().header("Version"), Some(date));
        assert_eq!(prepared.request().header("authorization"), None);
    }
}

#[test]
fn api_versions_have_one_spelling_each() {
    assert_eq!(ApiVersion::default(), ApiVersion::V2025_09_10);
    for version in ApiVersion::ALL {
        assert_eq!(version.as_str().parse::<ApiVersion>().unwrap(), version);
        assert_eq!(version.to_string(), version.as_str());
    }
    for word in ["", "2025-9-10", "2025-09-10 ", "latest", "2023-01-01"] {
        let error = word.parse::<ApiVersion>().unwrap_err();
        assert_eq!(error.code(), "unknown_api_version");
        assert_eq!(
            error.to_string(),
            format!(
                "{word:?} is not a Dojo API version the crate supports; \
                 expected one of 2024-02-05, 2025-09-10"
            )
        );
    }
    assert_eq!(
        [Method::Get, Method::Post, Method::Delete].map(Method::as_str),
        ["GET", "POST", "DELETE"]
    );
}

#[test]
fn the_request_converts_into_an_http_request() {
    let (_, prepared) = authorized()
        .prepare_capture(gbp(500), Some(gbp(50)), now(), ApiVersion::V2024_02_05)
        .unwrap();
    let converted: http::Request<Vec<u8>> = prepared.request().clone().into();
    assert_eq!(converted.method(), http::Method::POST);
    assert_eq!(converted.uri(), "/payment-intents/pi_boundary/captures");
    assert_eq!(converted.headers().len(), 2);
    assert_eq!(converted.headers()["version"], "2024-02-05");
    assert_eq!(converted.headers()["content-type"], "application/json");
    assert!(converted.headers().get("authorization").is_none());
    assert_eq!(converted.body(), br#"{"amount":500,"tipsAmount":50}"#);
    let by_reference = http::Request::from(prepared.request());
    assert_eq!(by_reference.uri(), converted.uri());
}

// ---- prepare: the capture rules, and the reservation ---------------------------

#[test]
fn a_pending_capture_puts_its_amount_in_flight() {
    let (intent, prepared) = prepare(authorized(), 600);
    assert_eq!(intent.in_flight(), gbp(600));
    assert_eq!(intent.capturable(), gbp(400));
    assert!(intent.captures().is_empty());
    let pending = intent.pending_captures();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].local_id(), prepared.local_id());
    assert_eq!(pending[0].amount(), gbp(600));
    assert_eq!(pending[0].prepared_at(), now());
    assert!(!pending[0].outcome_unknown());
    assert!(!intent.needs_read());
    assert_eq!(intent.state(), IntentState::Authorized);
}

#[test]
fn each_pending_capture_keeps_its_own_number_and_tip() {
    let (intent, first) = prepare(authorized(), 300);
    let (intent, second) = intent
        .prepare_capture(gbp(200), Some(gbp(40)), now(), ApiVersion::default())
        .unwrap();
    assert_ne!(first.local_id(), second.local_id());
    let pending = intent.pending_captures();
    assert_eq!(pending.len(), 2);
    assert_eq!(pending[0].local_id(), first.local_id());
    assert_eq!(pending[1].local_id(), second.local_id());
    assert_eq!(pending[0].tips(), None);
    assert_eq!(pending[1].tips(), Some(gbp(40)));
    assert_eq!(second.tips(), Some(gbp(40)));
    assert_eq!(second.prepared_at(), now());
    assert_eq!(second.amount(), gbp(200));
}

#[test]
fn over_capture_counts_pending_captures() {
    let (intent, _first) = prepare(authorized(), 600);
    let rejected = intent
        .prepare_capture(gbp(401), None, now(), ApiVersion::default())
        .unwrap_err();
    assert_eq!(rejected.rule(), Rule::OverCapture);
    assert_eq!(
        rejected.to_string(),
        "over_capture: capturing 4.01 GBP exceeds the capturable 4.00 GBP \
         (authorised 10.00 GBP, captured 0.00 GBP, in flight 6.00 GBP)"
    );
    let intent = rejected.into_intent();
    // A refused prepare changes nothing, not even the local counter.
    let before = intent.copied();
    let again = intent
        .prepare_capture(gbp(401), None, now(), ApiVersion::default())
        .unwrap_err()
        .into_intent();
    assert_eq!(again, before);
    let (intent, second) = prepare(again, 400);
    assert_eq!(intent.capturable(), gbp(0));
    assert_ne!(second.local_id(), _first.local_id());
}

#[test]
fn a_pending_capture_blocks_a_manual_reversal() {
    let (intent, _prepared) = prepare(authorized(), 100);
    let rejected = intent.reverse(now()).unwrap_err();
    assert_eq!(rejected.rule(), Rule::InvalidTransition);
}

#[test]
fn prepare_runs_every_capture_rule() {
    let any = || authorized().into_any();
    let prepare_any = |intent: AnyPaymentIntent, amount, tips, at| {
        intent
            .prepare_capture(amount, tips, at, ApiVersion::default())
            .map(|(intent, _)| intent)
            .unwrap_err()
            .rule()
    };
    let created = PaymentIntent::new(gbp(1000), CaptureMode::Manual)
        .with_id(PI)
        .into_any();
    let auto = AnyPaymentIntent::from_json(
        serde_json::json!({
            "id": PI, "captureMode": "Auto", "status": "Authorized",
            "amount": {"value": 1000, "currencyCode": "GBP"},
            "createdAt": "2024-07-25T08:49:20Z", "captures": []
        })
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let refunded = {
        let (intent, prepared) = any()
            .prepare_capture(gbp(500), None, now(), ApiVersion::default())
            .unwrap();
        let (intent, id) = intent
            .record_capture_answer(prepared, http(201, CREATED_CP_1))
            .unwrap();
        intent
            .record_capture_outcome(&id, CaptureOutcome::Successful)
            .unwrap()
            .refund(common::key("r_1"), gbp(100))
            .unwrap()
    };
    let deadline = paid() + SignedDuration::from_hours(7 * 24);
    let cases = [
        (
            prepare_any(created, gbp(100), None, now()),
            Rule::InvalidTransition,
        ),
        (
            prepare_any(auto, gbp(100), None, now()),
            Rule::AutoCaptureMode,
        ),
        (
            prepare_any(refunded, gbp(100), None, now()),
            Rule::CaptureAfterRefund,
        ),
        (
            prepare_any(any(), eur(100), None, now()),
            Rule::CurrencyMismatch,
        ),
        (prepare_any(any(), gbp(0), None, now()), Rule::ZeroAmount),
        (
            prepare_any(any(), gbp(100), Some(eur(1)), now()),
            Rule::CurrencyMismatch,
        ),
        (
            prepare_any(any(), gbp(100), None, deadline),
            Rule::AuthorizationExpired,
        ),
        (
            prepare_any(any(), gbp(1001), None, now()),
            Rule::OverCapture,
        ),
    ];
    for (found, expected) in cases {
        assert_eq!(found, expected);
    }
    // One second before the deadline is still in time.
    assert!(
        any()
            .prepare_capture(
                gbp(100),
                None,
                deadline - SignedDuration::from_secs(1),
                ApiVersion::default()
            )
            .is_ok()
    );
}

#[test]
fn an_intent_without_dojo_s_id_cannot_prepare_a_request() {
    let Authorization::Manual(intent) =
        PaymentIntent::new(gbp(1000), CaptureMode::Manual).authorize(paid())
    else {
        unreachable!("a Manual intent is authorised, not captured")
    };
    let before = intent.copied();
    let rejected = intent
        .prepare_capture(gbp(100), None, now(), ApiVersion::default())
        .unwrap_err();
    assert_eq!(rejected.rule(), Rule::MissingIntentId);
    assert_eq!(
        rejected.to_string(),
        "missing_intent_id: the intent has no id from Dojo, so no request path can name it"
    );
    assert_eq!(rejected.into_intent(), before);
}

// ---- record: Dojo's answer ---------------------------------------------------

#[test]
fn a_2xx_binds_dojo_s_capture_id_and_the_capture_is_in_flight() {
    let (intent, prepared) = authorized()
        .prepare_capture(gbp(500), Some(gbp(50)), now(), ApiVersion::default())
        .unwrap();
    let (intent, id) = intent
        .record_capture_answer(prepared, http(201, CREATED_CP_1))
        .unwrap();
    assert_eq!(id, cid("cp_1"));
    assert!(intent.pending_captures().is_empty());
    assert_eq!(intent.in_flight(), gbp(500));
    let [capture] = intent.captures() else {
        panic!("one capture: {:?}", intent.captures())
    };
    assert_eq!(capture.id(), Some(&id));
    assert_eq!(capture.amount(), gbp(500));
    assert_eq!(capture.tips(), Some(gbp(50)));
    assert_eq!(capture.status(), CaptureStatus::Created);
    assert_eq!(capture.created_at(), Some(now()));
    // Written to the wire like any capture in flight.
    assert_eq!(intent.to_resource().captures.unwrap().len(), 1);
    let CaptureResolved::Captured(captured) = intent
        .record_capture_outcome(&id, CaptureOutcome::Successful)
        .unwrap()
    else {
        panic!("a Successful capture captures")
    };
    assert_eq!(captured.captured(), gbp(500));
    assert_eq!(captured.in_flight(), gbp(0));
}

#[test]
fn a_2xx_body_with_a_byte_order_mark_and_other_fields_is_read() {
    let (intent, prepared) = prepare(authorized(), 500);
    let body = b"\xEF\xBB\xBF{\"captureId\":\"cp_bom\",\"status\":\"Created\",\"extra\":1}";
    let (_, id) = intent
        .record_capture_answer(prepared, http(200, body))
        .unwrap();
    assert_eq!(id, cid("cp_bom"));
}

#[test]
fn answers_to_two_pending_captures_can_arrive_in_either_order() {
    let (intent, first) = prepare(authorized(), 300);
    let (intent, second) = prepare(intent, 200);
    let (intent, id_2) = intent
        .record_capture_answer(second, http(201, br#"{"captureId":"cp_2"}"#))
        .unwrap();
    let (intent, id_1) = intent
        .record_capture_answer(first, http(201, br#"{"captureId":"cp_1"}"#))
        .unwrap();
    let amounts: Vec<_> = intent
        .captures()
        .iter()
        .map(|c| (c.id().cloned(), c.amount()))
        .collect();
    assert_eq!(amounts, [(Some(id_2), gbp(200)), (Some(id_1), gbp(300))]);
    assert_eq!(intent.in_flight(), gbp(500));
}

#[test]
fn a_capture_dojo_accepted_before_the_deadline_is_recorded_after_it() {
    let deadline = paid() + SignedDuration::from_hours(7 * 24);
    let (intent, prepared) = authorized()
        .prepare_capture(
            gbp(500),
            None,
            deadline - SignedDuration::from_secs(1),
            ApiVersion::default(),
        )
        .unwrap();
    // The answer arrives two seconds later, past the deadline: recording
    // takes no `now` and runs no pre-flight rule, where capturing would refuse.
    let late = deadline + SignedDuration::from_secs(1);
    assert_eq!(
        intent
            .copied()
            .capture(cid("cp_1"), gbp(500), late)
            .unwrap_err()
            .rule(),
        Rule::AuthorizationExpired
    );
    let (intent, id) = intent
        .record_capture_answer(prepared, http(201, CREATED_CP_1))
        .unwrap();
    let CaptureResolved::Captured(captured) = intent
        .record_capture_outcome(&id, CaptureOutcome::Successful)
        .unwrap()
    else {
        panic!("a Successful capture captures")
    };
    assert_eq!(captured.captured(), gbp(500));
}

#[test]
fn a_4xx_releases_the_amount_in_flight_and_carries_the_problem_details() {
    let (intent, prepared) = prepare(authorized(), 600);
    let body = br#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.8","title":"Conflict","status":409,"detail":"The payment intent cannot be captured","traceId":"00-abc"}"#;
    let error = intent
        .record_capture_answer(prepared, http(409, body))
        .unwrap_err();
    assert_eq!(error.code(), "capture_refused");
    assert_eq!(
        error.to_string(),
        "Dojo refused the capture with status 409: Conflict: The payment intent cannot be captured \
         (trace 00-abc); its amount is released"
    );
    assert_eq!(error.status(), Some(409));
    assert!(!error.outcome_unknown());
    let problem = error.problem().unwrap();
    assert_eq!(problem.title.as_deref(), Some("Conflict"));
    assert_eq!(problem.status, Some(409));
    assert_eq!(problem.trace_id.as_deref(), Some("00-abc"));
    let intent = error.into_intent();
    assert_eq!(intent.in_flight(), gbp(0));
    assert_eq!(intent.capturable(), gbp(1000));
    assert!(intent.pending_captures().is_empty());
    assert!(intent.captures().is_empty());
    assert!(!intent.needs_read());
    // Nothing stands in the way of the next capture.
    assert!(
        intent
            .prepare_capture(gbp(1000), None, now(), ApiVersion::default())
            .is_ok()
    );
}

#[test]
fn an_unreadable_4xx_still_releases_with_no_details() {
    for (status, body) in [
        (400, &b"<html>Bad Request</html>"[..]),
        (401, b""),
        (499, b"{"),
    ] {
        let (intent, prepared) = prepare(authorized(), 600);
        let error = intent
            .record_capture_answer(prepared, http(status, body))
            .unwrap_err();
        assert_eq!(error.code(), "capture_refused");
        assert!(error.problem().is_none());
        assert_eq!(
            error.to_string(),
            format!("Dojo refused the capture with status {status}; its amount is released")
        );
        assert_eq!(error.into_intent().in_flight(), gbp(0));
    }
}

/// Answers after which nobody knows whether Dojo captured.
fn unknown_answers() -> Vec<(Answer<'static>, &'static str)> {
    vec![
        (http(500, b""), "capture_server_error"),
        (
            http(503, br#"{"title":"Service Unavailable"}"#),
            "capture_server_error",
        ),
        (http(599, b""), "capture_server_error"),
        (Answer::TransportFailure, "capture_no_answer"),
        (http(200, b"<html>"), "capture_answer_unreadable"),
        (http(201, b""), "capture_answer_unreadable"),
        (
            http(201, br#"{"message":"Capture created"}"#),
            "capture_answer_unreadable",
        ),
        (
            http(201, br#"{"captureId":"cp 1"}"#),
            "capture_answer_unreadable",
        ),
        (
            http(201, br#"{"captureId":""}"#),
            "capture_answer_unreadable",
        ),
        (
            http(201, br#"{"captureId":1}"#),
            "capture_answer_unreadable",
        ),
        (http(100, b""), "capture_unexpected_status"),
        (http(302, b""), "capture_unexpected_status"),
        (http(600, b""), "capture_unexpected_status"),
        (http(0, b""), "capture_unexpected_status"),
    ]
}

#[test]
fn a_lost_answer_leaves_the_outcome_unknown_and_refuses_the_next_capture() {
    for (answer, code) in unknown_answers() {
        let (intent, prepared) = prepare(authorized(), 600);
        let error = intent.record_capture_answer(prepared, answer).unwrap_err();
        assert_eq!(error.code(), code, "{answer:?}");
        assert!(error.outcome_unknown(), "{answer:?}");
        assert!(error.problem().is_none());
        let intent = error.into_intent();
        assert!(intent.needs_read(), "{answer:?}");
        assert_eq!(intent.in_flight(), gbp(600), "{answer:?}");
        assert!(intent.captures().is_empty());
        assert!(intent.pending_captures()[0].outcome_unknown());

        // Even an amount that fits is refused: it could be captured twice.
        let rejected = intent
            .prepare_capture(gbp(100), None, now(), ApiVersion::default())
            .unwrap_err();
        assert_eq!(rejected.rule(), Rule::OutcomeUnknown, "{answer:?}");
        assert_eq!(
            rejected.to_string(),
            "outcome_unknown: whether Dojo captured 6.00 GBP is unknown (its answer was lost); \
             the intent must be read again before another capture, or the money could be captured twice"
        );
        let intent = rejected.into_intent().into_any();
        assert_eq!(
            intent
                .check(Operation::Capture(gbp(100)), now())
                .unwrap_err()
                .rule(),
            Rule::OutcomeUnknown
        );
        // A fresh read (here, the intent as Dojo would show it) clears it.
        let read = AnyPaymentIntent::from_json(&serde_json::to_vec(&intent.to_resource()).unwrap())
            .unwrap();
        assert!(!read.needs_read());
        assert!(read.pending_captures().is_empty());
        assert!(
            read.prepare_capture(gbp(100), None, now(), ApiVersion::default())
                .is_ok()
        );
    }
}

#[test]
fn a_2xx_naming_a_capture_already_recorded_leaves_the_outcome_unknown() {
    let intent = authorized().capture(cid("cp_1"), gbp(100), now()).unwrap();
    let (intent, prepared) = prepare(intent, 100);
    let error = intent
        .record_capture_answer(prepared, http(201, CREATED_CP_1))
        .unwrap_err();
    assert_eq!(error.code(), "capture_id_already_recorded");
    assert!(error.outcome_unknown());
    let intent = error.into_intent();
    assert_eq!(intent.captures().len(), 1);
    assert_eq!(intent.in_flight(), gbp(200));
    assert!(intent.needs_read());
}

#[test]
fn a_prepared_capture_of_another_intent_is_not_pending_here() {
    let (_, prepared) = prepare(authorized_with_id("pi_other"), 100);
    let here = authorized();
    let error = here
        .copied()
        .record_capture_answer(prepared, http(201, CREATED_CP_1))
        .unwrap_err();
    assert_eq!(error.code(), "capture_not_pending");
    assert_eq!(error.status(), None);
    assert!(!error.outcome_unknown());
    assert_eq!(error.into_intent(), here);

    // The same intent read again from Dojo no longer holds the pending capture.
    let (intent, prepared) = prepare(authorized(), 100);
    let read =
        AnyPaymentIntent::from_json(&serde_json::to_vec(&intent.to_resource()).unwrap()).unwrap();
    let error = read
        .copied()
        .record_capture_answer(prepared, http(201, CREATED_CP_1))
        .unwrap_err();
    assert_eq!(error.code(), "capture_not_pending");
    assert_eq!(error.into_intent(), read);
}

#[test]
fn an_answer_is_recorded_in_whatever_state_the_intent_reached_since() {
    // A first capture succeeds while a second is pending: the intent is
    // Captured when the second answer arrives.
    let (intent, first) = prepare(authorized(), 300);
    let (intent, second) = prepare(intent, 200);
    let (intent, id) = intent
        .record_capture_answer(first, http(201, CREATED_CP_1))
        .unwrap();
    let CaptureResolved::Captured(captured) = intent
        .record_capture_outcome(&id, CaptureOutcome::Successful)
        .unwrap()
    else {
        panic!("a Successful capture captures")
    };
    let captured: PaymentIntent<Captured> = captured;
    let refunded = captured.refund(common::key("r_1"), gbp(100)).unwrap();
    let (refunded, _) = refunded
        .record_capture_answer(second, http(201, br#"{"captureId":"cp_2"}"#))
        .unwrap();
    assert_eq!(refunded.in_flight(), gbp(200));
    assert!(refunded.pending_captures().is_empty());
}

#[test]
fn to_resource_writes_only_what_dojo_knows() {
    let (intent, _prepared) = prepare(authorized(), 600);
    let resource = intent.to_resource();
    assert_eq!(resource.captures, Some(vec![]));
    assert_eq!(intent.into_any().to_resource(), authorized().to_resource());
}

// ---- any sequence ------------------------------------------------------------

#[derive(Clone, Debug)]
enum Step {
    Prepare {
        minor: i64,
        tips: Option<i64>,
    },
    Answer {
        token: usize,
        status: u16,
        body: Body,
    },
    Lost {
        token: usize,
    },
    Settle {
        capture: usize,
        outcome: CaptureOutcome,
    },
    Read,
}

#[derive(Clone, Debug)]
enum Body {
    NewId,
    SameId(usize),
    Problem,
    Garbage,
    Empty,
}

fn step() -> impl Strategy<Value = Step> {
    let status = prop_oneof![
        Just(200_u16),
        Just(201),
        Just(400),
        Just(409),
        Just(500),
        Just(503),
        any::<u16>(),
    ];
    let body = prop_oneof![
        3 => Just(Body::NewId),
        1 => (0..4_usize).prop_map(Body::SameId),
        1 => Just(Body::Problem),
        1 => Just(Body::Garbage),
        1 => Just(Body::Empty),
    ];
    let outcome = prop_oneof![
        Just(CaptureOutcome::Successful),
        Just(CaptureOutcome::Declined),
        Just(CaptureOutcome::Failed),
    ];
    prop_oneof![
        4 => (0..1200_i64, proptest::option::of(0..100_i64))
            .prop_map(|(minor, tips)| Step::Prepare { minor, tips }),
        4 => (0..4_usize, status, body)
            .prop_map(|(token, status, body)| Step::Answer { token, status, body }),
        1 => (0..4_usize).prop_map(|token| Step::Lost { token }),
        2 => (0..4_usize, outcome).prop_map(|(capture, outcome)| Step::Settle { capture, outcome }),
        1 => Just(Step::Read),
    ]
}

fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let mut intent = authorized().into_any();
    let mut tokens: Vec<PreparedCapture> = Vec::new();
    let mut next_id = 0;
    for step in steps {
        let before = intent.copied();
        intent = match step {
            Step::Prepare { minor, tips } => {
                match intent.prepare_capture(
                    gbp(minor),
                    tips.map(gbp),
                    now(),
                    ApiVersion::default(),
                ) {
                    Ok((intent, token)) => {
                        tokens.push(token);
                        intent
                    }
                    Err(rejected) => {
                        let intent = rejected.into_intent();
                        prop_assert_eq!(&intent, &before);
                        intent
                    }
                }
            }
            Step::Answer { .. } | Step::Lost { .. } if tokens.is_empty() => intent,
            Step::Answer {
                token,
                status,
                body,
            } => {
                let token = tokens.remove(token % tokens.len());
                let id = match body {
                    Body::NewId => {
                        next_id += 1;
                        format!("cp_{next_id}")
                    }
                    Body::SameId(n) => format!("cp_{}", n % (next_id + 1)),
                    _ => String::new(),
                };
                let bytes = match body {
                    Body::NewId | Body::SameId(_) => format!(r#"{{"captureId":"{id}"}}"#),
                    Body::Problem => r#"{"title":"Conflict","status":409}"#.to_owned(),
                    Body::Garbage => "<html>".to_owned(),
                    Body::Empty => String::new(),
                };
                match intent.record_capture_answer(token, http(status, bytes.as_bytes())) {
                    Ok((intent, _)) => {
                        prop_assert!((200..300).contains(&status));
                        intent
                    }
                    Err(error) => {
                        prop_assert_eq!(
                            error.outcome_unknown(),
                            error.code() != "capture_refused"
                                && error.code() != "capture_not_pending"
                        );
                        error.into_intent()
                    }
                }
            }
            Step::Lost { token } => {
                let token = tokens.remove(token % tokens.len());
                match intent.record_capture_answer(token, Answer::TransportFailure) {
                    Ok(_) => return Err(TestCaseError::fail("no answer bound a capture")),
                    Err(error) => error.into_intent(),
                }
            }
            Step::Settle { capture, outcome } => {
                let id = intent
                    .captures()
                    .get(capture % intent.captures().len().max(1))
                    .and_then(|c| c.id().cloned());
                match id {
                    Some(id) => match intent.record_capture_outcome(&id, outcome) {
                        Ok(intent) => intent,
                        Err(rejected) => rejected.into_intent(),
                    },
                    None => intent,
                }
            }
            Step::Read => {
                let bytes = serde_json::to_vec(&intent.to_resource()).unwrap();
                AnyPaymentIntent::from_json(&bytes)
                    .map_err(|e| TestCaseError::fail(format!("a read does not rehydrate: {e}")))?
            }
        };
        check_intent(&intent).map_err(TestCaseError::fail)?;
        let taken = intent.captured().minor_units() + intent.in_flight().minor_units();
        prop_assert!(taken <= intent.amount().minor_units());
        if intent.needs_read() {
            prop_assert_eq!(
                intent
                    .check(Operation::Capture(gbp(1)), now())
                    .map_err(|v| v.rule()),
                Err(Rule::OutcomeUnknown)
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config("capture_boundary", 2000))]

    #[test]
    fn no_sequence_puts_more_than_the_amount_in_flight(steps in proptest::collection::vec(step(), 0..40)) {
        run(steps)?;
    }
}

#[test]
fn outcome_unknown_comes_after_the_deadline_and_before_over_capture() {
    let (intent, prepared) = prepare(authorized(), 600);
    let intent = intent
        .record_capture_answer(prepared, Answer::TransportFailure)
        .unwrap_err()
        .into_intent();
    // 5.00 GBP would pass what the reservation leaves, but the reservation
    // itself is in doubt: read the intent again first.
    let rule = |amount, at| {
        intent
            .copied()
            .prepare_capture(gbp(amount), None, at, ApiVersion::default())
            .unwrap_err()
            .rule()
    };
    assert_eq!(rule(500, now()), Rule::OutcomeUnknown);
    let deadline = paid() + SignedDuration::from_hours(7 * 24);
    assert_eq!(rule(100, deadline), Rule::AuthorizationExpired);
    assert_eq!(rule(0, now()), Rule::ZeroAmount);
}

#[test]
fn an_answer_releases_its_own_pending_capture_among_equal_ones() {
    let (intent, first) = prepare(authorized(), 100);
    let (intent, second) = prepare(intent, 100);
    let first_id = first.local_id();
    let intent = intent
        .record_capture_answer(second, http(400, b""))
        .unwrap_err()
        .into_intent();
    let left: Vec<u64> = intent
        .pending_captures()
        .iter()
        .map(|p| p.local_id())
        .collect();
    assert_eq!(left, [first_id]);
}

#[test]
fn a_token_prepared_on_another_copy_of_the_intent_matches_only_the_same_capture() {
    // Two copies of one intent each prepare their own first capture: the
    // same local number, under the same intent id.
    let token_on = |intent: PaymentIntent<Authorized>, minor, tips: Option<i64>, at| {
        intent
            .prepare_capture(gbp(minor), tips.map(gbp), at, ApiVersion::default())
            .unwrap()
    };
    let later = now() + SignedDuration::from_secs(1);
    for (minor, tips, at) in [
        (200, None, now()),
        (100, Some(5), now()),
        (100, None, later),
    ] {
        let (here, _) = token_on(authorized(), 100, None, now());
        let (_, elsewhere) = token_on(authorized(), minor, tips, at);
        let error = here
            .copied()
            .record_capture_answer(elsewhere, http(201, CREATED_CP_1))
            .unwrap_err();
        assert_eq!(error.code(), "capture_not_pending", "{minor} {tips:?} {at}");
        assert_eq!(error.into_intent(), here);
    }

    // A pending capture whose outcome is unknown is recorded by no token:
    // not even one prepared the same way on another copy.
    let (here, lost) = token_on(authorized(), 100, None, now());
    let (_, twin) = token_on(authorized(), 100, None, now());
    let here = here
        .record_capture_answer(lost, Answer::TransportFailure)
        .unwrap_err()
        .into_intent();
    let error = here
        .copied()
        .record_capture_answer(twin, http(201, CREATED_CP_1))
        .unwrap_err();
    assert_eq!(error.code(), "capture_not_pending");
    assert_eq!(error.into_intent(), here);
}

#[test]
fn an_http_response_is_an_answer() {
    let response = http::Response::builder()
        .status(201)
        .body(CREATED_CP_1.to_vec())
        .unwrap();
    assert_eq!(Answer::from(&response), http(201, CREATED_CP_1));
    let (intent, prepared) = prepare(authorized(), 500);
    let (_, id) = intent
        .record_capture_answer(prepared, Answer::from(&response))
        .unwrap();
    assert_eq!(id, cid("cp_1"));
}

#[test]
fn methods_display_as_http_spells_them() {
    for (method, word) in [
        (Method::Get, "GET"),
        (Method::Post, "POST"),
        (Method::Delete, "DELETE"),
    ] {
        assert_eq!(method.to_string(), word);
        assert_eq!(method.as_str(), word);
    }
}
