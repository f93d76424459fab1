//! Settling a lost answer (D22–D25), each way the crate used to lose money
//! around the HTTP call, as a test that failed before the settling rules:
//!
//! 1. a capture whose answer was lost is not released by a read that the
//!    request may still cross, and the audit flags a capture prepared again
//!    meanwhile;
//! 2. (binding compares no clocks: `tests/reconcile.rs`,
//!    `a_capture_dojo_dates_before_the_prepare_is_bound_clocks_are_never_compared`);
//! 3. a released refund key is remembered with its amount;
//! 4. (intents are not `Clone`: `tests/ui/intent_clone.rs`);
//! 5. answers about another intent, and change or cancel answers of an
//!    intent no longer `Created`, are never recorded, and the audit flags them;
//! 6. the simulation's old counter-example: a keyed refund whose retry Dojo
//!    refuses with a 409 while the first request landed is counted once.

use dojo_capture::audit::{Auditor, Finding};
use dojo_capture::request::{ApiVersion, Request};
use dojo_capture::{
    Answer, AnyPaymentIntent, IntentState, PaymentIntent, ReadStart, RefundDetails, Rule,
    SettleWindow, SignedDuration, Timestamp,
};
use serde_json::{Value, json};

mod common;
use common::fake_dojo::{FakeDojo, Fault, NewIntent, Reply};
use common::{gbp, key, paid};

fn v() -> ApiVersion {
    ApiVersion::default()
}

/// A service's log of one intent, as `dojo-capture audit` reads it.
#[derive(Default)]
struct Log(Vec<String>);

impl Log {
    fn request(&mut self, request: &Request, at: Timestamp) {
        let headers: serde_json::Map<String, Value> = request
            .headers()
            .map(|(name, value)| (name.to_owned(), json!(value)))
            .collect();
        let mut line = json!({"request": {"method": request.method().as_str(),
            "path": request.path(), "headers": headers}, "at": at.to_string()});
        if let Some(body) = request.body() {
            line["request"]["body"] = serde_json::from_slice(body).unwrap();
        }
        self.0.push(line.to_string());
    }

    fn answer(&mut self, request: &Request, reply: &Reply, at: Timestamp, intent: &str) {
        let response = match reply.status() {
            Some(status) => {
                json!({"status": status, "body": String::from_utf8_lossy(reply.body())})
            }
            None => json!({"status": null}),
        };
        self.0.push(
            json!({"response": response, "paymentIntentId": intent,
                "method": request.method().as_str(), "path": request.path(), "at": at.to_string()})
            .to_string(),
        );
    }

    fn findings(&self) -> Vec<Finding> {
        let mut auditor = Auditor::new();
        self.0
            .iter()
            .flat_map(|line| auditor.feed(line.as_bytes()))
            .collect()
    }
}

/// `GET /payment-intents/{id}` at Dojo's now, logged.
fn get(dojo: &mut FakeDojo, log: &mut Log, id: &str) -> Vec<u8> {
    let path = format!("/payment-intents/{id}");
    let version = v().to_string();
    let at = dojo.now().to_string();
    let reply = dojo.handle("GET", &path, &[("version", &version)], b"");
    assert_eq!(reply.status(), Some(200), "{reply:?}");
    log.0.push(
        json!({"request": {"method": "GET", "path": path, "headers": {"version": version}}, "at": at})
            .to_string(),
    );
    log.0.push(
        json!({"response": {"status": 200, "body": String::from_utf8_lossy(reply.body())},
            "paymentIntentId": id, "method": "GET", "path": path, "at": at})
        .to_string(),
    );
    reply.body().to_vec()
}

fn manual_authorized(dojo: &mut FakeDojo) -> String {
    let id = dojo.create(NewIntent::manual(1000));
    dojo.authorize(&id, paid()).unwrap();
    id
}

#[test]
fn a_lost_capture_is_not_released_by_a_read_it_may_cross_and_lands_once() {
    let mut dojo = FakeDojo::new(paid() + SignedDuration::from_mins(10));
    let mut log = Log::default();
    let id = manual_authorized(&mut dojo);
    let intent = AnyPaymentIntent::from_json(&get(&mut dojo, &mut log, &id)).unwrap();

    // POST capture 4.00: the answer is lost, and the request is still
    // on its way when the service reads the intent again.
    let now = dojo.now();
    let (intent, prepared) = intent.prepare_capture(gbp(400), None, now, v()).unwrap();
    let request = prepared.request().clone();
    log.request(&request, now);
    let intent = intent
        .record_capture_answer(prepared, Answer::TransportFailure)
        .unwrap_err()
        .into_intent()
        .start_settling(now, SettleWindow::default());
    log.answer(&request, &Reply::Timeout, now, &id);

    dojo.set_now(now + SignedDuration::from_secs(5));
    let read_at = dojo.now();
    let body = get(&mut dojo, &mut log, &id);
    let (intent, report) = intent
        .reconcile_read_json_started(&body, ReadStart::at(read_at))
        .unwrap();
    assert!(
        report.captures_released().is_empty(),
        "released by a read the request may cross"
    );
    assert_eq!(intent.capturable(), gbp(600), "4.00 still in flight");
    let refused = intent
        .prepare_capture(gbp(400), None, read_at, v())
        .unwrap_err();
    assert_eq!(refused.rule(), Rule::OutcomeUnknown);
    let intent = refused.into_intent();

    // The first request lands now, after the read that missed it.
    dojo.handle_request(&request);
    dojo.set_now(read_at + SignedDuration::from_secs(30));
    let read_at = dojo.now();
    let body = get(&mut dojo, &mut log, &id);
    let (intent, report) = intent
        .reconcile_read_json_started(&body, ReadStart::at(read_at))
        .unwrap();
    assert_eq!(report.captures_bound().len(), 1);
    assert!(!intent.needs_read());
    assert_eq!(dojo.intent(&id).captures.len(), 1, "one capture, as meant");
    assert!(log.findings().is_empty(), "{:#?}", log.findings());
}

#[test]
fn the_audit_flags_a_capture_prepared_again_while_the_first_may_be_in_flight() {
    // The history the issue describes: read, POST 4.00 lost, read without
    // it, POST 4.00 again (201), and Dojo shows two captures of 4.00.
    let mut dojo = FakeDojo::new(paid() + SignedDuration::from_mins(10));
    let mut log = Log::default();
    let id = manual_authorized(&mut dojo);
    let intent = AnyPaymentIntent::from_json(&get(&mut dojo, &mut log, &id)).unwrap();
    let now = dojo.now();
    let (_, prepared) = intent.prepare_capture(gbp(400), None, now, v()).unwrap();
    let first = prepared.request().clone();
    log.request(&first, now);
    log.answer(&first, &Reply::Timeout, now, &id);
    dojo.set_now(now + SignedDuration::from_secs(5));
    get(&mut dojo, &mut log, &id);
    let again = dojo.now() + SignedDuration::from_secs(1);
    log.request(&first, again);
    let reply = dojo.handle_request(&first);
    log.answer(&first, &reply, again, &id);
    dojo.handle_request(&first);
    assert_eq!(dojo.intent(&id).captures.len(), 2);

    let findings = log.findings();
    let codes: Vec<&str> = findings.iter().map(Finding::code).collect();
    assert_eq!(codes, ["outcome_unknown"], "{findings:#?}");
    assert!(
        findings[0].message().contains("could be captured twice"),
        "{}",
        findings[0].message()
    );
}

#[test]
fn a_read_without_a_known_start_releases_nothing_and_one_after_the_horizon_does() {
    let mut dojo = FakeDojo::new(paid() + SignedDuration::from_mins(10));
    let mut log = Log::default();
    let id = manual_authorized(&mut dojo);
    let intent = AnyPaymentIntent::from_json(&get(&mut dojo, &mut log, &id)).unwrap();
    let now = dojo.now();
    let (intent, prepared) = intent.prepare_capture(gbp(400), None, now, v()).unwrap();
    let intent = intent
        .record_capture_answer(prepared, Answer::TransportFailure)
        .unwrap_err()
        .into_intent();
    let body = get(&mut dojo, &mut log, &id);
    // Start unknown: nothing released, no horizon set.
    let (intent, report) = intent.reconcile_read_json(&body).unwrap();
    assert!(report.captures_released().is_empty() && report.settle_after().is_none());
    // The first read with a known start sets the horizon…
    let (intent, report) = intent
        .reconcile_read_json_started(&body, ReadStart::at(now))
        .unwrap();
    let horizon = report.settle_after().unwrap();
    assert_eq!(horizon, now + SignedDuration::from_mins(15));
    // …a read that began at it still releases nothing…
    let (intent, report) = intent
        .reconcile_read_json_started(&body, ReadStart::at(horizon))
        .unwrap();
    assert!(report.captures_released().is_empty());
    // …and one that began after it does.
    let after = horizon + SignedDuration::from_nanos(1);
    let (intent, report) = intent
        .reconcile_read_json_started(&body, ReadStart::at(after))
        .unwrap();
    assert_eq!(report.captures_released().len(), 1);
    assert_eq!(intent.capturable(), gbp(1000));
}

#[test]
fn a_capture_dojo_would_refuse_now_is_released_before_the_horizon() {
    // A capture of 7.00 lost, then 5.00 captured elsewhere: Dojo would
    // refuse the 7.00 were it to land, so the read releases it at once.
    let mut dojo = FakeDojo::new(paid() + SignedDuration::from_mins(10));
    let mut log = Log::default();
    let id = manual_authorized(&mut dojo);
    let intent = AnyPaymentIntent::from_json(&get(&mut dojo, &mut log, &id)).unwrap();
    let now = dojo.now();
    let (intent, prepared) = intent.prepare_capture(gbp(700), None, now, v()).unwrap();
    let intent = intent
        .record_capture_answer(prepared, Answer::TransportFailure)
        .unwrap_err()
        .into_intent();
    let version = v().to_string();
    dojo.handle(
        "POST",
        &format!("/payment-intents/{id}/captures"),
        &[("version", &version), ("content-type", "application/json")],
        br#"{"amount":500}"#,
    );
    let body = get(&mut dojo, &mut log, &id);
    let (intent, report) = intent
        .reconcile_read_json_started(&body, ReadStart::at(now))
        .unwrap();
    assert_eq!(report.captures_released().len(), 1);
    assert_eq!(report.captures_adopted().len(), 1);
    assert!(!intent.needs_read());
}

#[test]
fn a_released_refund_key_is_remembered_with_its_amount() {
    let mut dojo = FakeDojo::new(paid() + SignedDuration::from_mins(10));
    let mut log = Log::default();
    let id = manual_authorized(&mut dojo);
    let version = v().to_string();
    let reply = dojo.handle(
        "POST",
        &format!("/payment-intents/{id}/captures"),
        &[("version", &version), ("content-type", "application/json")],
        br#"{"amount":1000}"#,
    );
    let capture = reply.json()["captureId"].as_str().unwrap().to_owned();
    dojo.resolve_capture(&id, &capture, dojo_capture::CaptureStatus::Successful)
        .unwrap();
    let intent = AnyPaymentIntent::from_json(&get(&mut dojo, &mut log, &id)).unwrap();

    // k1 for 3.00: the answer is lost, a read after the horizon releases it.
    let now = dojo.now();
    let (intent, _prepared) = intent
        .prepare_refund(key("k1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    let intent = intent
        .record_refund_answer_lost(&key("k1"))
        .start_settling(now, SettleWindow::default());
    let later = now + SignedDuration::from_mins(16);
    let body = get(&mut dojo, &mut log, &id);
    let (intent, report) = intent
        .reconcile_read_json_started(&body, ReadStart::at(later))
        .unwrap();
    assert_eq!(report.refunds_released(), [key("k1")]);

    // k1 for 5.00 would be deduplicated to 3.00 if the first landed late.
    let refused = intent
        .prepare_refund(key("k1"), gbp(500), RefundDetails::default(), v())
        .unwrap_err();
    assert_eq!(refused.rule(), Rule::IdempotencyConflict);
    assert_eq!(
        refused.to_string(),
        "idempotency_conflict: this idempotency key was already used for a refund of 3.00 GBP, not 5.00 GBP"
    );
    // The record keeps it across a restart.
    let intent =
        AnyPaymentIntent::from_stored_json(refused.into_intent().to_stored_json().as_bytes())
            .unwrap();
    let refused = intent
        .prepare_refund(key("k1"), gbp(500), RefundDetails::default(), v())
        .unwrap_err();
    assert_eq!(refused.rule(), Rule::IdempotencyConflict);
    // The same amount is the retry: reserved again, the same request.
    let (intent, prepared) = refused
        .into_intent()
        .prepare_refund(key("k1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    assert_eq!(intent.pending_refunds().len(), 1);
    assert_eq!(prepared.request().header("idempotencyKey"), Some("k1"));
}

#[test]
fn a_refund_key_refused_by_dojo_is_remembered_too() {
    let captured = AnyPaymentIntent::from_json(
        br#"{"id":"pi_1","status":"Captured","captureMode":"Manual",
        "amount":{"value":1000,"currencyCode":"GBP"},"createdAt":"2024-07-25T08:49:20Z",
        "captures":[{"id":"cp_1","amount":1000,"status":"Successful"}]}"#,
    )
    .unwrap();
    let (intent, prepared) = captured
        .prepare_refund(key("k1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    let intent = intent
        .record_refund_answer(
            prepared,
            Answer::Http {
                status: 400,
                body: b"{}",
            },
        )
        .unwrap_err()
        .into_intent();
    let refused = intent
        .prepare_refund(key("k1"), gbp(500), RefundDetails::default(), v())
        .unwrap_err();
    assert_eq!(refused.rule(), Rule::IdempotencyConflict);
}

// ---- 5. answers about another intent -------------------------------------------------

fn captured() -> AnyPaymentIntent {
    AnyPaymentIntent::from_json(
        br#"{"id":"pi_1","status":"Captured","captureMode":"Manual",
        "amount":{"value":1000,"currencyCode":"GBP"},"createdAt":"2024-07-25T08:49:20Z",
        "captures":[{"id":"cp_1","amount":1000,"status":"Successful"}]}"#,
    )
    .unwrap()
}

fn created() -> AnyPaymentIntent {
    PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
        .with_id("pi_1")
        .with_custom_amount_allowed(true)
        .into_any()
}

#[test]
fn a_refund_answer_about_another_intent_is_not_recorded() {
    let (intent, prepared) = captured()
        .prepare_refund(key("k1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    let error = intent
        .record_refund_answer(
            prepared,
            Answer::Http {
                status: 201,
                body: br#"{"paymentIntentId":"pi_OTHER","refundId":"rfnd_1"}"#,
            },
        )
        .unwrap_err();
    assert_eq!(error.code(), "refund_answer_other_intent");
    assert!(error.outcome_unknown());
    assert_eq!(
        error.to_string(),
        "Dojo accepted the refund with status 201 but its answer is about the intent \"pi_OTHER\", not the one asked: whether it refunded is unknown until the intent is read again"
    );
    let intent = error.into_intent();
    assert_eq!(intent.refunded(), gbp(0), "not recorded");
    assert!(intent.needs_read());
    // The answer about the intent asked is still recorded.
    let (intent, prepared) = intent
        .prepare_refund(key("k1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    let intent = refund_made(intent, prepared, "rfnd_1");
    assert_eq!(intent.refunded(), gbp(300));
}

#[test]
fn a_cancel_answer_about_another_intent_is_not_recorded() {
    let (intent, prepared) = created().prepare_cancel(v()).unwrap();
    let error = intent
        .record_cancel_answer(
            prepared,
            Answer::Http {
                status: 200,
                body: br#"{"id":"pi_OTHER","status":"Canceled"}"#,
            },
        )
        .unwrap_err();
    assert_eq!(error.code(), "cancel_answer_other_intent");
    assert!(error.outcome_unknown());
    assert_eq!(error.into_intent().state(), IntentState::Created);
}

#[test]
fn a_change_amount_answer_of_an_intent_already_paid_contradicts_it() {
    let (intent, prepared) = created().prepare_change_amount(gbp(1200), v()).unwrap();
    let error = intent
        .record_change_amount_answer(
            prepared,
            Answer::Http {
                status: 200,
                body: br#"{"id":"pi_1","status":"Authorized","amount":{"value":1200,"currencyCode":"GBP"}}"#,
            },
        )
        .unwrap_err();
    assert_eq!(error.code(), "change_amount_answer_contradicts");
    assert!(error.outcome_unknown());
    let intent = error.into_intent();
    assert_eq!(intent.amount(), gbp(1000), "not recorded");
    assert_eq!(intent.state(), IntentState::Created);
}

#[test]
fn a_reversal_answer_naming_its_own_id_is_still_recorded() {
    // A reversal's answer is no intent: the spec's example sends the
    // reversal's own id as `id`.
    let authorized = AnyPaymentIntent::from_json(
        br#"{"id":"pi_1","status":"Authorized","captureMode":"Manual",
        "amount":{"value":1000,"currencyCode":"GBP"},"createdAt":"2024-07-25T08:49:20Z"}"#,
    )
    .unwrap();
    let now = paid() + SignedDuration::from_hours(1);
    let (intent, prepared) = authorized.prepare_reversal(now, v()).unwrap();
    let intent = intent
        .record_reversal_answer(
            prepared,
            Answer::Http {
                status: 200,
                body: br#"{"id":"rvs_1","message":"Reversed"}"#,
            },
        )
        .unwrap();
    assert_eq!(intent.state(), IntentState::Reversed);
}

#[test]
fn the_audit_flags_an_answer_about_another_intent_and_a_key_reused_with_another_amount() {
    let mut dojo = FakeDojo::new(paid() + SignedDuration::from_mins(10));
    let mut log = Log::default();
    let id = manual_authorized(&mut dojo);
    let version = v().to_string();
    let reply = dojo.handle(
        "POST",
        &format!("/payment-intents/{id}/captures"),
        &[("version", &version), ("content-type", "application/json")],
        br#"{"amount":1000}"#,
    );
    let capture = reply.json()["captureId"].as_str().unwrap().to_owned();
    dojo.resolve_capture(&id, &capture, dojo_capture::CaptureStatus::Successful)
        .unwrap();
    let intent = AnyPaymentIntent::from_json(&get(&mut dojo, &mut log, &id)).unwrap();
    let now = dojo.now();
    let (_, prepared) = intent
        .prepare_refund(key("k1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    let request = prepared.request().clone();
    log.request(&request, now);
    let other = Reply::Http {
        status: 201,
        body: br#"{"paymentIntentId":"pi_OTHER","refundId":"rfnd_9"}"#.to_vec(),
    };
    log.answer(&request, &other, now, &id);
    // The same key again, for another amount.
    let mut reused: Value = serde_json::from_str(&log.0[log.0.len() - 2]).unwrap();
    reused["request"]["body"]["amount"] = json!(500);
    log.0.push(reused.to_string());
    let codes: Vec<&'static str> = log.findings().iter().map(Finding::code).collect();
    assert_eq!(
        codes,
        ["refund_answer_other_intent", "idempotency_conflict"]
    );
}

// ---- 6. the simulation's old counter-example -------------------------------------------

#[test]
fn a_keyed_refund_whose_retry_dojo_refuses_is_counted_once() {
    // Two clients' intent captured 3.00 first; a refund of 0.50 under key 0
    // lands but its answer is lost; its retry is answered 409; a read; the
    // key prepared again; at the end, the client agrees with Dojo.
    let mut dojo = FakeDojo::new(paid());
    let id = dojo.create(NewIntent::manual(1000));
    dojo.authorize(&id, paid()).unwrap();
    let version = v().to_string();
    let reply = dojo.handle(
        "POST",
        &format!("/payment-intents/{id}/captures"),
        &[("version", &version), ("content-type", "application/json")],
        br#"{"amount":300}"#,
    );
    let capture = reply.json()["captureId"].as_str().unwrap().to_owned();
    dojo.resolve_capture(&id, &capture, dojo_capture::CaptureStatus::Successful)
        .unwrap();
    let mut log = Log::default();
    let intent = AnyPaymentIntent::from_json(&get(&mut dojo, &mut log, &id)).unwrap();
    let refund = |intent: AnyPaymentIntent| {
        intent
            .prepare_refund(key("c0-a"), gbp(50), RefundDetails::default(), v())
            .unwrap()
    };

    let (intent, prepared) = refund(intent);
    dojo.fail_next(Fault::TimeoutAfterApply);
    let reply = dojo.handle_request(prepared.request());
    let intent = intent
        .record_refund_answer(prepared, reply.answer())
        .unwrap_err()
        .into_intent();

    let (intent, prepared) = refund(intent);
    dojo.fail_next(Fault::Conflict409);
    let reply = dojo.handle_request(prepared.request());
    let error = intent
        .record_refund_answer(prepared, reply.answer())
        .unwrap_err();
    assert_eq!(error.code(), "refund_retry_refused");
    assert!(error.outcome_unknown(), "the first request may have landed");
    let intent = error.into_intent();

    let body = get(&mut dojo, &mut log, &id);
    let (intent, report) = intent
        .reconcile_read_json_started(&body, ReadStart::at(dojo.now()))
        .unwrap();
    assert_eq!(report.refunds_matched(), [key("c0-a")]);

    let (intent, prepared) = refund(intent);
    let reply = dojo.handle_request(prepared.request());
    let (intent, _) = intent
        .record_refund_answer(prepared, reply.answer())
        .unwrap();
    let body = get(&mut dojo, &mut log, &id);
    let (intent, _) = intent
        .reconcile_read_json_started(&body, ReadStart::at(dojo.now()))
        .expect("the client still agrees with Dojo");
    assert_eq!(intent.refunded(), gbp(50));
    assert_eq!(dojo.refunded_total(&id), 50);
}

// ---- the settle window and lost answers, edge by edge ----------------------------------

/// A Manual intent of 10.00 authorised at 08:49:20.
fn authorized() -> AnyPaymentIntent {
    AnyPaymentIntent::from_json(
        br#"{"id":"pi_1","status":"Authorized","captureMode":"Manual",
        "amount":{"value":1000,"currencyCode":"GBP"},"createdAt":"2024-07-25T08:49:20Z"}"#,
    )
    .unwrap()
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[test]
fn a_lost_answer_is_marked_on_the_operation_its_local_id_names_only() {
    let (intent, prepared) = authorized()
        .prepare_reversal(at("2024-07-25T09:00:00Z"), v())
        .unwrap();
    let local_id = prepared.local_id();
    assert_eq!(intent.pending_operation().unwrap().local_id(), local_id);
    let revision = intent.revision();

    let intent = intent.record_answer_lost(local_id + 1);
    assert!(!intent.pending_operation().unwrap().outcome_unknown());
    assert_eq!(
        intent.revision(),
        revision,
        "another local id changes nothing"
    );

    let intent = intent.record_answer_lost(local_id);
    assert!(intent.pending_operation().unwrap().outcome_unknown());
    assert_eq!(intent.revision(), revision + 1);
}

#[test]
fn the_settle_window_starts_once_for_each_kind_of_pending_operation_and_only_moves_later() {
    let window = SettleWindow::DEFAULT;
    let lost = at("2024-07-25T09:00:00Z");
    let horizon = at("2024-07-25T09:15:00Z");
    // One intent per kind, each with only that operation of unknown outcome.
    let capture = {
        let (intent, prepared) = authorized()
            .prepare_capture(gbp(300), None, lost, v())
            .unwrap();
        intent.record_answer_lost(prepared.local_id())
    };
    let refund = {
        let (intent, _) = captured()
            .prepare_refund(key("k1"), gbp(300), RefundDetails::default(), v())
            .unwrap();
        intent.record_refund_answer_lost(&key("k1"))
    };
    let reversal = {
        let (intent, prepared) = authorized().prepare_reversal(lost, v()).unwrap();
        intent.record_answer_lost(prepared.local_id())
    };
    let horizons = |intent: &AnyPaymentIntent| {
        let mut all: Vec<Option<Timestamp>> = Vec::new();
        all.extend(intent.pending_captures().iter().map(|p| p.settle_horizon()));
        all.extend(intent.pending_refunds().iter().map(|p| p.settle_horizon()));
        all.extend(intent.pending_operation().map(|p| p.settle_horizon()));
        all
    };
    for intent in [capture, refund, reversal] {
        let revision = intent.revision();
        assert_eq!(horizons(&intent), [None]);

        let intent = intent.start_settling(lost, window);
        assert_eq!(horizons(&intent), [Some(horizon)]);
        assert_eq!(
            intent.revision(),
            revision + 1,
            "a horizon stamped is a change"
        );

        let intent = intent.start_settling(lost, window);
        assert_eq!(
            intent.revision(),
            revision + 1,
            "the same horizon again is none"
        );

        let intent = intent.start_settling(at("2024-07-25T08:59:00Z"), window);
        assert_eq!(horizons(&intent), [Some(horizon)], "never earlier");
        assert_eq!(intent.revision(), revision + 1);

        let intent = intent.start_settling(at("2024-07-25T09:01:00Z"), window);
        assert_eq!(
            horizons(&intent),
            [Some(at("2024-07-25T09:16:00Z"))],
            "later moves it"
        );
        assert_eq!(intent.revision(), revision + 2);
        // The stored record keeps it.
        let stored =
            AnyPaymentIntent::from_stored_json(intent.to_stored_json().as_bytes()).unwrap();
        assert_eq!(horizons(&stored), horizons(&intent));
    }
    // An operation whose answer is still awaited has no window yet.
    let (intent, _) = authorized()
        .prepare_capture(gbp(300), None, lost, v())
        .unwrap();
    let revision = intent.revision();
    let intent = intent.start_settling(lost, window);
    assert_eq!(horizons(&intent), [None]);
    assert_eq!(intent.revision(), revision);
}

#[test]
fn a_replay_token_records_only_on_an_intent_that_recorded_its_key_and_amount() {
    // k1 recorded with 3.00 here…
    let (intent, prepared) = captured()
        .prepare_refund(key("k1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    let intent = refund_made(intent, prepared, "rfnd_1");
    let (_, replay) = intent
        .prepare_refund(key("k1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    // …and on another copy of the intent, another key with the same amount.
    let other = captured();
    let (other, second) = other
        .prepare_refund(key("k2"), gbp(300), RefundDetails::default(), v())
        .unwrap_or_else(|e| panic!("{e}"));
    let (other, _) = other
        .record_refund_answer(
            second,
            Answer::Http {
                status: 201,
                body: br#"{"paymentIntentId":"pi_1","refundId":"rfnd_2"}"#,
            },
        )
        .unwrap();
    let error = other
        .record_refund_answer(
            replay,
            Answer::Http {
                status: 201,
                body: br#"{"paymentIntentId":"pi_1","refundId":"rfnd_1"}"#,
            },
        )
        .unwrap_err();
    assert_eq!(error.code(), "refund_not_pending");
}

#[test]
fn a_change_tips_answer_of_an_intent_already_paid_or_with_another_tip_contradicts_it() {
    let tipped = || {
        PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
            .with_id("pi_1")
            .with_tips_allowed(true)
            .into_any()
    };
    for body in [
        // Paid meanwhile, though with the tip asked for.
        &br#"{"id":"pi_1","status":"Authorized","amount":{"value":1000,"currencyCode":"GBP"},"tipsAmount":{"value":150,"currencyCode":"GBP"}}"#[..],
        // Still Created, with another tip.
        br#"{"id":"pi_1","status":"Created","amount":{"value":1000,"currencyCode":"GBP"},"tipsAmount":{"value":100,"currencyCode":"GBP"}}"#,
    ] {
        let (intent, prepared) = tipped().prepare_change_tips(gbp(150), v()).unwrap();
        let error = intent
            .record_change_tips_answer(prepared, Answer::Http { status: 200, body })
            .unwrap_err();
        assert_eq!(error.code(), "change_tips_answer_contradicts");
        assert!(error.outcome_unknown());
        assert_eq!(error.into_intent().tips(), None, "not recorded");
    }
    // Created with the tip asked for: recorded.
    let (intent, prepared) = tipped().prepare_change_tips(gbp(150), v()).unwrap();
    let intent = intent
        .record_change_tips_answer(
            prepared,
            Answer::Http {
                status: 200,
                body: br#"{"id":"pi_1","status":"Created","amount":{"value":1000,"currencyCode":"GBP"},"tipsAmount":{"value":150,"currencyCode":"GBP"}}"#,
            },
        )
        .unwrap();
    assert_eq!(intent.tips(), Some(gbp(150)));
}

#[test]
fn a_read_that_changes_the_intent_moves_its_revision_and_the_same_read_again_does_not() {
    let intent = authorized();
    let revision = intent.revision();
    let read = br#"{"id":"pi_1","status":"Authorized","captureMode":"Manual",
        "amount":{"value":1000,"currencyCode":"GBP"},"createdAt":"2024-07-25T08:49:20Z",
        "captures":[{"id":"cp_9","amount":300,"status":"Created"}]}"#;
    let start = ReadStart::at(at("2024-07-25T10:00:00Z"));
    let (intent, report) = intent.reconcile_read_json_started(read, start).unwrap();
    assert_eq!(report.captures_adopted().len(), 1);
    assert_eq!(
        intent.revision(),
        revision + 1,
        "a capture made elsewhere is a change"
    );
    let (intent, _) = intent.reconcile_read_json_started(read, start).unwrap();
    assert_eq!(intent.revision(), revision + 1);
}

#[test]
fn sixteen_pending_refunds_are_matched_by_the_one_set_that_adds_up_to_the_growth() {
    let read = |refunded: i64| {
        format!(
            r#"{{"id":"pi_1","status":"Captured","captureMode":"Auto",
            "amount":{{"value":100000,"currencyCode":"GBP"}},"createdAt":"2024-07-25T08:49:20Z",
            "refundedAmount":{refunded}}}"#
        )
        .into_bytes()
    };
    let mut intent = AnyPaymentIntent::from_json(&read(0)).unwrap();
    // 1, 2, 4, … 32768 minor units: every sum is made by one set only.
    for n in 0..16 {
        let amount = 1_i64 << n;
        let (prepared_intent, _) = intent
            .prepare_refund(
                key(&format!("k{n}")),
                gbp(amount),
                RefundDetails::default(),
                v(),
            )
            .unwrap();
        intent = prepared_intent.record_refund_answer_lost(&key(&format!("k{n}")));
    }
    assert_eq!(intent.pending_refunds().len(), 16);
    // k0 and k15 landed; the other fourteen may still land.
    let (intent, report) = intent
        .reconcile_read_json_started(&read(1 + 32768), ReadStart::at(at("2024-07-25T10:00:00Z")))
        .unwrap();
    assert_eq!(report.refunds_matched(), [key("k0"), key("k15")]);
    assert_eq!(intent.pending_refunds().len(), 14);
    assert_eq!(intent.refunded(), gbp(32769));
}

#[test]
fn a_read_judged_with_a_shorter_window_releases_sooner() {
    let window = SettleWindow::new(SignedDuration::from_mins(5)).unwrap();
    assert_eq!(window.duration(), SignedDuration::from_mins(5));
    let started = at("2024-07-25T10:00:00Z");
    let read = ReadStart::at(started).with_settle_window(window);
    assert_eq!(read.started_at(), Some(started));
    assert_eq!(read.settle_window(), window);
    assert_eq!(
        ReadStart::at(started).settle_window(),
        SettleWindow::DEFAULT
    );

    let lost = || {
        let (intent, prepared) = authorized()
            .prepare_capture(gbp(300), None, at("2024-07-25T09:59:00Z"), v())
            .unwrap();
        intent.record_answer_lost(prepared.local_id())
    };
    let body = br#"{"id":"pi_1","status":"Authorized","captureMode":"Manual",
        "amount":{"value":1000,"currencyCode":"GBP"},"createdAt":"2024-07-25T08:49:20Z"}"#;
    // The first read that misses it stamps its horizon with the read's window…
    let (intent, report) = lost().reconcile_read_json_started(body, read).unwrap();
    assert!(report.captures_released().is_empty());
    assert_eq!(report.settle_after(), Some(at("2024-07-25T10:05:00Z")));
    assert_eq!(
        intent.pending_captures()[0].settle_horizon(),
        Some(at("2024-07-25T10:05:00Z"))
    );
    // …and a read six minutes later releases it, where the default keeps it.
    let later = ReadStart::at(at("2024-07-25T10:06:00Z"));
    let (_, report) = intent.reconcile_read_json_started(body, later).unwrap();
    assert_eq!(report.captures_released().len(), 1);
    let (intent, _) = lost()
        .reconcile_read_json_started(body, ReadStart::at(started))
        .unwrap();
    let (_, report) = intent.reconcile_read_json_started(body, later).unwrap();
    assert!(report.captures_released().is_empty());
}

/// The intent after Dojo's 201 to `prepared`, naming `refund_id`.
fn refund_made(
    intent: AnyPaymentIntent,
    prepared: dojo_capture::PreparedRefund,
    refund_id: &str,
) -> AnyPaymentIntent {
    let body = format!(r#"{{"paymentIntentId":"pi_1","refundId":"{refund_id}"}}"#);
    intent
        .record_refund_answer(
            prepared,
            Answer::Http {
                status: 201,
                body: body.as_bytes(),
            },
        )
        .unwrap()
        .0
}

#[test]
fn a_stored_record_whose_known_pending_captures_pass_the_amount_is_refused() {
    let intent = AnyPaymentIntent::from_json(
        br#"{"id":"pi_1","status":"Captured","captureMode":"Manual",
        "amount":{"value":1000,"currencyCode":"GBP"},"createdAt":"2024-07-25T08:49:20Z",
        "captures":[{"id":"cp_1","amount":600,"status":"Successful"}]}"#,
    )
    .unwrap();
    let (intent, _) = intent
        .prepare_capture(gbp(400), None, at("2024-07-25T09:00:00Z"), v())
        .unwrap();
    let mut record: Value = serde_json::from_str(&intent.to_stored_json()).unwrap();
    assert!(AnyPaymentIntent::from_stored_json(record.to_string().as_bytes()).is_ok());
    // 6.00 captured and 5.00 awaiting its answer: more than the 10.00.
    record["pendingCaptures"][0]["amount"] = json!(500);
    let error = AnyPaymentIntent::from_stored_json(record.to_string().as_bytes()).unwrap_err();
    assert_eq!(error.code(), "pending_captures_exceed_amount");
}
