//! The simulated Dojo (`tests/common/fake_dojo.rs`) follows the spec and
//! Dojo's rules: each endpoint's answer and each refusal, refunds deduplicated
//! by key, the faults as documented, and bodies the crate's wire types read.
//! Each test fails if the rule it names is taken out of the fake.

mod common;
use common::Copied;

use common::fake_dojo::{FakeDojo, Fault, Made, NewIntent, Reply};
use common::{gbp, paid, ts};
use dojo_capture::request::ApiVersion;
use dojo_capture::wire::{
    CaptureResponse, PaymentIntentResource, RefundResponse, ReversalResponse,
};
use dojo_capture::{
    AnyPaymentIntent, AutoExpireAction, CaptureMode, CaptureStatus, Currency, IntentState,
    PaymentIntent, PaymentIntentStatus,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

const VERSION: (&str, &str) = ("version", "2025-09-10");
const JSON: (&str, &str) = ("content-type", "application/json");

fn dojo() -> FakeDojo {
    FakeDojo::new(paid())
}

/// A paid Manual intent of `amount` pence.
fn manual(dojo: &mut FakeDojo, amount: i64) -> String {
    let id = dojo.create(NewIntent::manual(amount));
    dojo.authorize(&id, paid()).unwrap();
    id
}

fn post(dojo: &mut FakeDojo, id: &str, endpoint: &str, body: Value) -> Reply {
    let path = format!("/payment-intents/{id}/{endpoint}");
    dojo.handle("POST", &path, &[VERSION, JSON], body.to_string().as_bytes())
}

fn capture(dojo: &mut FakeDojo, id: &str, amount: i64) -> Reply {
    post(dojo, id, "captures", json!({ "amount": amount }))
}

fn refund(dojo: &mut FakeDojo, id: &str, key: &str, amount: i64) -> Reply {
    let path = format!("/payment-intents/{id}/refunds");
    let body = json!({ "amount": amount }).to_string();
    dojo.handle(
        "POST",
        &path,
        &[VERSION, JSON, ("idempotencyKey", key)],
        body.as_bytes(),
    )
}

fn reverse(dojo: &mut FakeDojo, id: &str) -> Reply {
    let path = format!("/payment-intents/{id}/reversal");
    dojo.handle("POST", &path, &[VERSION], b"")
}

fn get(dojo: &mut FakeDojo, path_and_query: &str) -> Reply {
    dojo.handle("GET", path_and_query, &[VERSION], b"")
}

/// The capture id of a 200 capture answer, read with the crate's wire type.
fn capture_id(reply: &Reply) -> String {
    assert_eq!(reply.status(), Some(200), "{reply:?}");
    let answer: CaptureResponse = serde_json::from_slice(reply.body()).unwrap();
    answer.capture_id.expect("captureId")
}

/// A refusal with this status and code.
#[track_caller]
fn refused(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status(), Some(status), "{reply:?}");
    assert_eq!(
        reply.problem_code().as_deref(),
        Some(code),
        "{:?}",
        reply.json()
    );
}

/// Reads the intent with `GET` and the crate's wire type and rehydration,
/// which must both accept it and agree with the fake's figures.
#[track_caller]
fn read_back(dojo: &mut FakeDojo, id: &str) -> (PaymentIntentResource, AnyPaymentIntent) {
    let reply = get(dojo, &format!("/payment-intents/{id}?returnCanceled=true"));
    assert_eq!(reply.status(), Some(200));
    let resource = PaymentIntentResource::from_json(reply.body()).expect("wire type reads it");
    let any = AnyPaymentIntent::from_json(reply.body()).expect("rehydration accepts it");
    let intent = dojo.intent(id);
    assert_eq!(any.amount().minor_units(), intent.amount);
    assert_eq!(any.captured().minor_units(), intent.captured());
    assert_eq!(any.in_flight().minor_units(), intent.in_flight());
    assert_eq!(any.refunded().minor_units(), intent.refunded);
    assert_eq!(any.captured_tips().minor_units(), intent.captured_tips());
    (resource, any)
}

// ---- captures ----------------------------------------------------------------------

#[test]
fn a_capture_is_in_flight_until_dojo_resolves_it() {
    let mut dojo = dojo();
    let id = manual(&mut dojo, 1000);
    let reply = post(
        &mut dojo,
        &id,
        "captures",
        json!({"amount": 400, "tipsAmount": 50}),
    );
    let cp = capture_id(&reply);
    assert_eq!(cp, "cp_1");
    assert_eq!(reply.json()["message"], "Capture created");
    assert_eq!(
        (dojo.in_flight_total(&id), dojo.captured_total(&id)),
        (400, 0)
    );
    let (resource, any) = read_back(&mut dojo, &id);
    assert_eq!(resource.status, PaymentIntentStatus::Authorized);
    let listed = &resource.captures.unwrap()[0];
    assert_eq!((listed.amount, listed.tips_amount), (400, Some(50)));
    assert_eq!(listed.status, CaptureStatus::Created);
    assert_eq!(any.state(), IntentState::Authorized);

    dojo.resolve_capture(&id, &cp, CaptureStatus::Successful)
        .unwrap();
    assert_eq!(
        (dojo.in_flight_total(&id), dojo.captured_total(&id)),
        (0, 400)
    );
    assert!(
        dojo.resolve_capture(&id, &cp, CaptureStatus::Failed)
            .is_err(),
        "settled once"
    );
    let (resource, any) = read_back(&mut dojo, &id);
    assert_eq!(resource.status, PaymentIntentStatus::Captured);
    assert_eq!(any.state(), IntentState::Captured);
    assert_eq!(
        any.refundable().minor_units(),
        450,
        "D14: the tip is refundable"
    );
}

#[test]
fn captures_in_flight_hold_their_amount_and_a_declined_one_releases_it() {
    let mut dojo = dojo();
    let id = manual(&mut dojo, 1000);
    let first = capture_id(&capture(&mut dojo, &id, 600));
    // D1: 600 is in flight, so 500 would pass the amount.
    refused(&capture(&mut dojo, &id, 500), 400, "over_capture");
    assert_eq!(
        dojo.intent(&id).captures.len(),
        1,
        "a refusal creates nothing"
    );
    capture_id(&capture(&mut dojo, &id, 400));
    refused(&capture(&mut dojo, &id, 1), 400, "over_capture");
    // Declined releases the 600.
    dojo.resolve_capture(&id, &first, CaptureStatus::Declined)
        .unwrap();
    capture_id(&capture(&mut dojo, &id, 600));
    assert_eq!(dojo.in_flight_total(&id), 1000);
    dojo.check_invariants().unwrap();
    read_back(&mut dojo, &id);
}

#[test]
fn tips_are_not_counted_against_the_amount() {
    let mut dojo = dojo();
    let id = manual(&mut dojo, 1000);
    let reply = post(
        &mut dojo,
        &id,
        "captures",
        json!({"amount": 1000, "tipsAmount": 300}),
    );
    capture_id(&reply);
    let reply = post(
        &mut dojo,
        &id,
        "captures",
        json!({"amount": 10, "tipsAmount": -1}),
    );
    refused(&reply, 400, "invalid_body");
    let reply = post(&mut dojo, &id, "captures", json!({"amount": 0}));
    refused(&reply, 400, "zero_amount");

    // D18: a zero tip is no tip.
    let other = manual(&mut dojo, 1000);
    let reply = post(
        &mut dojo,
        &other,
        "captures",
        json!({"amount": 10, "tipsAmount": 0}),
    );
    capture_id(&reply);
    let (resource, _) = read_back(&mut dojo, &other);
    assert_eq!(resource.captures.unwrap()[0].tips_amount, None);
}

#[test]
fn only_a_paid_manual_intent_is_captured() {
    let mut dojo = dojo();
    let auto = dojo.create(NewIntent::auto(1000));
    dojo.authorize(&auto, paid()).unwrap();
    refused(&capture(&mut dojo, &auto, 100), 409, "auto_capture_mode");
    let created = dojo.create(NewIntent::manual(1000));
    refused(
        &capture(&mut dojo, &created, 100),
        409,
        "invalid_transition",
    );
    let body = b"{\"amount\": \"ten\"}";
    let path = format!("/payment-intents/{created}/captures");
    refused(
        &dojo.handle("POST", &path, &[VERSION, JSON], body),
        400,
        "invalid_body",
    );
}

#[test]
fn no_capture_after_a_refund_or_a_reversal() {
    let mut dojo = dojo();
    let id = manual(&mut dojo, 1000);
    let cp = capture_id(&capture(&mut dojo, &id, 500));
    dojo.resolve_capture(&id, &cp, CaptureStatus::Successful)
        .unwrap();
    assert_eq!(refund(&mut dojo, &id, "k1", 100).status(), Some(200));
    refused(&capture(&mut dojo, &id, 100), 409, "capture_after_refund");

    let reversed = manual(&mut dojo, 1000);
    assert_eq!(reverse(&mut dojo, &reversed).status(), Some(200));
    refused(
        &capture(&mut dojo, &reversed, 100),
        409,
        "capture_after_reversal",
    );
}

#[test]
fn a_capture_is_accepted_strictly_before_the_deadline() {
    let mut dojo = dojo();
    let id = manual(&mut dojo, 1000);
    let deadline = paid() + SignedDuration::from_hours(7 * 24);
    dojo.set_now(deadline - SignedDuration::from_secs(1));
    capture_id(&capture(&mut dojo, &id, 100));
    dojo.set_now(deadline);
    refused(&capture(&mut dojo, &id, 100), 409, "authorization_expired");

    // With autoExpireIn, that interval replaces the seven days.
    dojo.set_now(paid());
    let short = dojo.create(NewIntent::manual(1000).auto_expire(3600, AutoExpireAction::Release));
    dojo.authorize(&short, paid()).unwrap();
    dojo.set_now(paid() + SignedDuration::from_secs(3599));
    capture_id(&capture(&mut dojo, &short, 100));
    dojo.set_now(paid() + SignedDuration::from_secs(3600));
    refused(
        &capture(&mut dojo, &short, 100),
        409,
        "authorization_expired",
    );
    let (resource, any) = read_back(&mut dojo, &short);
    assert_eq!(resource.auto_expire_in.as_deref(), Some("01:00:00"));
    assert_eq!(
        any.authorization_deadline(),
        Some(paid() + SignedDuration::from_secs(3600))
    );
}

// ---- refunds -----------------------------------------------------------------------

/// A Manual intent of 1000 with 500 captured and a tip of 100 captured with it.
fn captured_with_tip(dojo: &mut FakeDojo) -> String {
    let id = manual(dojo, 1000);
    let reply = post(
        dojo,
        &id,
        "captures",
        json!({"amount": 500, "tipsAmount": 100}),
    );
    let cp = capture_id(&reply);
    dojo.resolve_capture(&id, &cp, CaptureStatus::Successful)
        .unwrap();
    id
}

#[test]
fn a_refund_key_is_applied_once_and_answered_again_the_same_way() {
    let mut dojo = dojo();
    let id = captured_with_tip(&mut dojo);
    let first = refund(&mut dojo, &id, "key-1", 200);
    assert_eq!(first.status(), Some(200));
    let answer: RefundResponse = serde_json::from_slice(first.body()).unwrap();
    assert_eq!(answer.payment_intent_id.as_deref(), Some(id.as_str()));
    assert_eq!(answer.refund_id.as_deref(), Some("rfnd_1"));

    let again = refund(&mut dojo, &id, "key-1", 200);
    assert_eq!(again, first, "the same refund, answered again");
    assert_eq!(dojo.refunded_total(&id), 200, "not applied twice");
    assert_eq!(dojo.refund_applied(&id, "key-1"), 1);
    assert_eq!(dojo.refund_replayed(&id, "key-1"), 1);
    let replay = dojo.log().last().unwrap();
    assert_eq!(replay.made, None, "a replay makes nothing");

    refused(
        &refund(&mut dojo, &id, "key-1", 300),
        400,
        "idempotency_conflict",
    );
    assert_eq!(dojo.refunded_total(&id), 200);
    let (resource, any) = read_back(&mut dojo, &id);
    assert_eq!(resource.status, PaymentIntentStatus::Refunded);
    assert_eq!(resource.refunded_amount, Some(200));
    assert_eq!(any.state(), IntentState::Refunded);
}

#[test]
fn refunds_never_pass_what_was_captured_with_its_tips() {
    let mut dojo = dojo();
    let id = captured_with_tip(&mut dojo);
    // D14: 500 + the tip of 100.
    refused(&refund(&mut dojo, &id, "too-much", 601), 400, "over_refund");
    assert_eq!(refund(&mut dojo, &id, "a", 550).status(), Some(200));
    refused(&refund(&mut dojo, &id, "b", 51), 400, "over_refund");
    assert_eq!(refund(&mut dojo, &id, "b", 50).status(), Some(200));
    assert_eq!(dojo.refunded_total(&id), 600);
    assert_eq!(dojo.refund_applied(&id, "too-much"), 0);
    dojo.check_invariants().unwrap();
    read_back(&mut dojo, &id);
}

#[test]
fn an_auto_intents_own_tip_is_refundable() {
    let mut dojo = dojo();
    let id = dojo.create(NewIntent::auto(1000).tips_allowed());
    let reply = post(
        &mut dojo,
        &id,
        "tips-amount",
        json!({"tipsAmount": {"value": 150, "currencyCode": "GBP"}}),
    );
    assert_eq!(reply.status(), Some(200));
    dojo.authorize(&id, paid()).unwrap();
    assert_eq!(dojo.intent(&id).refundable(), 1150);
    refused(&refund(&mut dojo, &id, "k", 1151), 400, "over_refund");
    assert_eq!(refund(&mut dojo, &id, "k", 1150).status(), Some(200));
    read_back(&mut dojo, &id);
}

#[test]
fn a_refund_needs_a_key_something_captured_and_a_positive_amount() {
    let mut dojo = dojo();
    let id = manual(&mut dojo, 1000);
    refused(&refund(&mut dojo, &id, "k", 100), 400, "invalid_transition");
    let cp = capture_id(&capture(&mut dojo, &id, 500));
    refused(&refund(&mut dojo, &id, "k", 100), 400, "invalid_transition");
    dojo.resolve_capture(&id, &cp, CaptureStatus::Successful)
        .unwrap();
    refused(&refund(&mut dojo, &id, "k", 0), 400, "zero_amount");
    refused(
        &refund(&mut dojo, &id, "", 100),
        400,
        "invalid_idempotency_key",
    );
    refused(
        &refund(&mut dojo, &id, &"k".repeat(101), 100),
        400,
        "invalid_idempotency_key",
    );
    let path = format!("/payment-intents/{id}/refunds");
    let reply = dojo.handle("POST", &path, &[VERSION, JSON], br#"{"amount":100}"#);
    refused(&reply, 400, "missing_idempotency_key");
    // Header names are case-insensitive.
    let reply = dojo.handle(
        "POST",
        &path,
        &[VERSION, ("IdempotencyKey", "k")],
        br#"{"amount":100}"#,
    );
    assert_eq!(reply.status(), Some(200));
    assert_eq!(
        refund(&mut dojo, &id, &"k".repeat(100), 100).status(),
        Some(200)
    );
    assert_eq!(dojo.refunded_total(&id), 200);
    // The spec's limits on the body's texts.
    let with = |reason: usize, notes: usize| {
        let body =
            json!({"amount": 10, "refundReason": "r".repeat(reason), "notes": "n".repeat(notes)});
        body.to_string()
    };
    for (body, status) in [
        (with(1025, 0), 400),
        (with(0, 4097), 400),
        (with(1024, 4096), 200),
    ] {
        let reply = dojo.handle(
            "POST",
            &path,
            &[VERSION, ("idempotencyKey", "texts")],
            body.as_bytes(),
        );
        assert_eq!(reply.status(), Some(status), "{:?}", reply.json());
    }
    assert_eq!(dojo.refunded_total(&id), 210);
}

// ---- reversal ------------------------------------------------------------------------

#[test]
fn a_manual_intent_is_reversed_only_while_authorised_and_within_the_deadline() {
    let mut dojo = dojo();
    let id = manual(&mut dojo, 1000);
    let reply = reverse(&mut dojo, &id);
    assert_eq!(reply.status(), Some(200));
    let answer: ReversalResponse = serde_json::from_slice(reply.body()).unwrap();
    assert_eq!(answer.reversal_id.as_deref(), Some("rvs_1"));
    refused(&reverse(&mut dojo, &id), 409, "invalid_transition");
    let (resource, any) = read_back(&mut dojo, &id);
    assert_eq!(resource.status, PaymentIntentStatus::Reversed);
    assert_eq!(any.state(), IntentState::Reversed);

    // D5: not with a capture in flight, not once captured.
    let in_flight = manual(&mut dojo, 1000);
    let cp = capture_id(&capture(&mut dojo, &in_flight, 100));
    refused(&reverse(&mut dojo, &in_flight), 409, "invalid_transition");
    dojo.resolve_capture(&in_flight, &cp, CaptureStatus::Successful)
        .unwrap();
    refused(&reverse(&mut dojo, &in_flight), 409, "invalid_transition");

    // D12: strictly before the deadline.
    let late = manual(&mut dojo, 1000);
    dojo.set_now(paid() + SignedDuration::from_hours(7 * 24));
    refused(&reverse(&mut dojo, &late), 409, "reversal_window_closed");
    dojo.set_now(paid() + SignedDuration::from_hours(7 * 24) - SignedDuration::from_secs(1));
    assert_eq!(reverse(&mut dojo, &late).status(), Some(200));

    let unpaid = dojo.create(NewIntent::manual(1000));
    refused(&reverse(&mut dojo, &unpaid), 409, "invalid_transition");
}

/// Reverses a fresh Auto intent paid at `paid_at`, at `now`.
fn auto_reversal(paid_at: &str, now: &str) -> Reply {
    let mut dojo = FakeDojo::new(ts(paid_at));
    let id = dojo.create(NewIntent::auto(1000));
    dojo.authorize(&id, ts(paid_at)).unwrap();
    dojo.set_now(ts(now));
    let reply = reverse(&mut dojo, &id);
    if reply.status() == Some(200) {
        let (resource, any) = read_back(&mut dojo, &id);
        assert_eq!(resource.status, PaymentIntentStatus::Reversed);
        assert_eq!(any.state(), IntentState::Reversed);
    }
    reply
}

#[test]
fn an_auto_intent_is_reversed_on_its_london_day_across_clock_changes() {
    // 2024-10-27: clocks go back at 01:00 UTC, a 25-hour London day.
    // Paid 00:30 BST on the 27th, reversed 23:30 GMT the same London day, 24 h later.
    assert_eq!(
        auto_reversal("2024-10-26T23:30:00Z", "2024-10-27T23:30:00Z").status(),
        Some(200)
    );
    // Paid 23:30 BST on the 26th; an hour later it is the 27th in London, still the 26th in UTC.
    let reply = auto_reversal("2024-10-26T22:30:00Z", "2024-10-26T23:30:00Z");
    refused(&reply, 409, "reversal_window_closed");
    // 2024-03-31: clocks go forward at 01:00 UTC. Paid 23:30 GMT on the 30th; at 00:30 UTC
    // it is the 31st in London.
    let reply = auto_reversal("2024-03-30T23:30:00Z", "2024-03-31T00:30:00Z");
    refused(&reply, 409, "reversal_window_closed");
    // Paid 01:30 BST (00:30 UTC, 31 March): 22:59 UTC is 23:59 BST, the same day.
    assert_eq!(
        auto_reversal("2024-03-31T00:30:00Z", "2024-03-31T22:59:00Z").status(),
        Some(200)
    );
    let reply = auto_reversal("2024-03-31T00:30:00Z", "2024-03-31T23:00:00Z");
    refused(&reply, 409, "reversal_window_closed");
}

#[test]
fn an_auto_intent_is_not_reversed_after_a_refund() {
    let mut dojo = dojo();
    let id = dojo.create(NewIntent::auto(1000));
    dojo.authorize(&id, paid()).unwrap();
    assert_eq!(refund(&mut dojo, &id, "k", 100).status(), Some(200));
    refused(&reverse(&mut dojo, &id), 409, "invalid_transition");
}

// ---- cancel, amount, tips, read ----------------------------------------------------

#[test]
fn cancel_only_a_created_intent_which_then_reads_as_not_found() {
    let mut dojo = dojo();
    let id = dojo.create(NewIntent::manual(1000));
    let path = format!("/payment-intents/{id}");
    let reply = dojo.handle("DELETE", &path, &[VERSION], b"");
    assert_eq!(reply.status(), Some(200));
    let resource = PaymentIntentResource::from_json(reply.body()).unwrap();
    assert_eq!(resource.status, PaymentIntentStatus::Canceled);
    AnyPaymentIntent::from_json(reply.body()).unwrap();

    refused(&get(&mut dojo, &path), 404, "not_found");
    refused(
        &get(&mut dojo, &format!("{path}?returnCanceled=false")),
        404,
        "not_found",
    );
    let (resource, any) = read_back(&mut dojo, &id);
    assert_eq!(resource.status, PaymentIntentStatus::Canceled);
    assert_eq!(any.state(), IntentState::Canceled);
    // Rule 4: every operation fails afterwards.
    refused(
        &dojo.handle("DELETE", &path, &[VERSION], b""),
        404,
        "not_found",
    );
    assert!(dojo.authorize(&id, paid()).is_err());
    refused(&capture(&mut dojo, &id, 100), 404, "not_found");

    let paid_intent = manual(&mut dojo, 1000);
    let path = format!("/payment-intents/{paid_intent}");
    refused(
        &dojo.handle("DELETE", &path, &[VERSION], b""),
        400,
        "invalid_transition",
    );
    assert_eq!(
        dojo.intent(&paid_intent).status(),
        PaymentIntentStatus::Authorized
    );
}

#[test]
fn the_amount_changes_only_before_payment_when_allowed_in_its_currency() {
    let mut dojo = dojo();
    let id = dojo.create(NewIntent::manual(1000).custom_amount());
    let money = |value: i64, code: &str| json!({"amount": {"value": value, "currencyCode": code}});
    refused(
        &post(&mut dojo, &id, "amount", money(1500, "EUR")),
        400,
        "currency_mismatch",
    );
    refused(
        &post(&mut dojo, &id, "amount", money(0, "GBP")),
        400,
        "zero_amount",
    );
    refused(
        &post(&mut dojo, &id, "amount", money(-5, "GBP")),
        400,
        "invalid_body",
    );
    let reply = post(&mut dojo, &id, "amount", money(1500, "GBP"));
    assert_eq!(reply.status(), Some(200));
    let resource = PaymentIntentResource::from_json(reply.body()).unwrap();
    assert_eq!(resource.amount, Some(gbp(1500)));
    assert_eq!(resource.requested_amount, Some(gbp(1000)));
    AnyPaymentIntent::from_json(reply.body()).unwrap();

    dojo.authorize(&id, paid()).unwrap();
    refused(
        &post(&mut dojo, &id, "amount", money(900, "GBP")),
        405,
        "invalid_transition",
    );
    capture_id(&capture(&mut dojo, &id, 1500));

    let fixed = dojo.create(NewIntent::manual(1000));
    let reply = post(&mut dojo, &fixed, "amount", money(900, "GBP"));
    refused(&reply, 405, "custom_amount_not_allowed");
    assert_eq!(dojo.intent(&fixed).amount, 1000);
}

#[test]
fn tips_change_only_when_allowed_and_before_payment() {
    let mut dojo = dojo();
    let tips =
        |value: i64, code: &str| json!({"tipsAmount": {"value": value, "currencyCode": code}});
    let id = dojo.create(
        NewIntent::manual(1000)
            .currency(Currency::EUR)
            .tips_allowed(),
    );
    refused(
        &post(&mut dojo, &id, "tips-amount", tips(100, "GBP")),
        400,
        "currency_mismatch",
    );
    let reply = post(&mut dojo, &id, "tips-amount", tips(100, "EUR"));
    assert_eq!(reply.status(), Some(200));
    let resource = PaymentIntentResource::from_json(reply.body()).unwrap();
    assert_eq!(resource.tips_amount.map(|m| m.minor_units()), Some(100));
    // D18: a zero tip is no tip.
    let reply = post(&mut dojo, &id, "tips-amount", tips(0, "EUR"));
    assert_eq!(
        PaymentIntentResource::from_json(reply.body())
            .unwrap()
            .tips_amount,
        None
    );
    dojo.authorize(&id, paid()).unwrap();
    refused(
        &post(&mut dojo, &id, "tips-amount", tips(100, "EUR")),
        405,
        "invalid_transition",
    );

    let no_tips = dojo.create(NewIntent::manual(1000));
    refused(
        &post(&mut dojo, &no_tips, "tips-amount", tips(100, "GBP")),
        405,
        "tips_not_allowed",
    );
    assert_eq!(dojo.intent(&no_tips).tips, None);
}

#[test]
fn version_paths_methods_and_unknown_intents() {
    let mut dojo = dojo();
    let id = manual(&mut dojo, 1000);
    let path = format!("/payment-intents/{id}/captures");
    let body = br#"{"amount":100}"#;
    refused(
        &dojo.handle("POST", &path, &[JSON], body),
        400,
        "missing_version",
    );
    refused(
        &dojo.handle("POST", &path, &[("version", "2023-01-01"), JSON], body),
        400,
        "invalid_version",
    );
    refused(
        &dojo.handle("POST", &path, &[("version", "latest")], body),
        400,
        "invalid_version",
    );
    assert!(
        dojo.intent(&id).captures.is_empty(),
        "nothing applied without a version"
    );
    let reply = dojo.handle("POST", &path, &[("Version", "2024-02-05")], body);
    assert_eq!(
        reply.status(),
        Some(200),
        "either version, any case of the name"
    );

    refused(&get(&mut dojo, "/payment-intents/pi_404"), 404, "not_found");
    refused(&capture(&mut dojo, "pi_404", 100), 404, "not_found");
    refused(
        &get(&mut dojo, &format!("/payment-intents/{id}/charge")),
        404,
        "not_found",
    );
    refused(&get(&mut dojo, "/setup-intents"), 404, "not_found");
    refused(&get(&mut dojo, &path), 405, "method_not_allowed");
    // The id in the path is percent-decoded.
    let encoded = format!("/payment-intents/{}", id.replace('_', "%5F"));
    assert_eq!(get(&mut dojo, &encoded).status(), Some(200));
}

#[test]
fn every_state_reads_back_through_the_crate() {
    let mut dojo = dojo();
    let created = dojo.create(NewIntent::manual(1000).custom_amount().tips_allowed());
    let auto_created = dojo.create(NewIntent::auto(700));
    let authorized = manual(&mut dojo, 1000);
    let expiring = dojo
        .create(NewIntent::manual(1000).auto_expire(2 * 86_400 + 3723, AutoExpireAction::Capture));
    dojo.authorize(&expiring, paid()).unwrap();
    capture_id(&capture(&mut dojo, &expiring, 300));
    let captured = captured_with_tip(&mut dojo);
    let refunded = captured_with_tip(&mut dojo);
    assert_eq!(refund(&mut dojo, &refunded, "k", 600).status(), Some(200));
    let auto = dojo.create(NewIntent::auto(700));
    dojo.authorize(&auto, paid()).unwrap();
    let auto_reversed = dojo.create(NewIntent::auto(700));
    dojo.authorize(&auto_reversed, paid()).unwrap();
    assert_eq!(reverse(&mut dojo, &auto_reversed).status(), Some(200));
    let failed = manual(&mut dojo, 1000);
    let cp = capture_id(&capture(&mut dojo, &failed, 1000));
    dojo.resolve_capture(&failed, &cp, CaptureStatus::Failed)
        .unwrap();

    let expected = [
        (&created, IntentState::Created),
        (&auto_created, IntentState::Created),
        (&authorized, IntentState::Authorized),
        (&expiring, IntentState::Authorized),
        (&captured, IntentState::Captured),
        (&refunded, IntentState::Refunded),
        (&auto, IntentState::Captured),
        (&auto_reversed, IntentState::Reversed),
        (&failed, IntentState::Authorized),
    ];
    for (id, state) in expected {
        let (resource, any) = read_back(&mut dojo, id);
        assert_eq!(any.state(), state, "{id}: {resource:?}");
        assert_eq!(resource.status, dojo.intent(id).status());
        assert_eq!(any.id(), Some(id.as_str()));
    }
    let (resource, _) = read_back(&mut dojo, &expiring);
    assert_eq!(resource.auto_expire_in.as_deref(), Some("2.01:02:03"));
    assert_eq!(
        read_back(&mut dojo, &auto).1.capture_mode(),
        CaptureMode::Auto
    );
    dojo.check_invariants().unwrap();
}

#[test]
fn a_request_the_crate_prepared_is_served() {
    let mut dojo = dojo();
    let id = manual(&mut dojo, 1000);
    let intent = PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id(&id);
    let dojo_capture::Authorization::Manual(authorized) = intent.authorize(paid()) else {
        unreachable!("a Manual intent")
    };
    for version in ApiVersion::ALL {
        let (_, prepared) = authorized
            .copied()
            .prepare_capture(gbp(300), Some(gbp(20)), paid(), version)
            .unwrap();
        let reply = dojo.handle_request_tagged("capture-300", prepared.request());
        capture_id(&reply);
    }
    assert_eq!(dojo.in_flight_total(&id), 600);
    assert_eq!(dojo.intent(&id).captures[0].tips, Some(20));
}

// ---- faults ----------------------------------------------------------------------------

#[test]
fn a_timeout_after_apply_hides_a_capture_that_was_made() {
    let mut dojo = dojo();
    let id = manual(&mut dojo, 1000);
    dojo.fail_next(Fault::TimeoutAfterApply);
    let path = format!("/payment-intents/{id}/captures");
    let body = br#"{"amount":700}"#;
    assert_eq!(
        dojo.handle_tagged("op-1", "POST", &path, &[VERSION], body),
        Reply::Timeout
    );
    assert_eq!(dojo.in_flight_total(&id), 700, "Dojo applied it");
    assert_eq!(
        capture_id(&dojo.last_reply().unwrap()),
        "cp_1",
        "the lost answer"
    );
    assert_eq!(dojo.captures_created_by_tag("op-1"), 1);
    dojo.check_invariants().unwrap();
    // A blind retry is a new capture: the fault makes the double capture visible.
    let retry = dojo.handle_tagged("op-1", "POST", &path, &[VERSION], br#"{"amount":300}"#);
    assert_eq!(capture_id(&retry), "cp_2");
    assert_eq!(dojo.captures_created_by_tag("op-1"), 2);
    assert_eq!(dojo.captures_created_by_request(2), 1);
    assert!(
        dojo.check_invariants()
            .unwrap_err()
            .contains("op-1 created 2 captures")
    );
    // A capture Dojo declined moved no money: the operation may be captured again.
    dojo.resolve_capture(&id, "cp_1", CaptureStatus::Declined)
        .unwrap();
    assert_eq!(dojo.captures_standing_by_tag("op-1"), 1);
    assert_eq!(dojo.captures_created_by_tag("op-1"), 2);
    dojo.check_invariants().unwrap();
}

#[test]
fn a_timeout_after_apply_on_a_refund_is_retried_safely_with_its_key() {
    let mut dojo = dojo();
    let id = captured_with_tip(&mut dojo);
    dojo.fail_next(Fault::TimeoutAfterApply);
    assert_eq!(refund(&mut dojo, &id, "r-1", 300), Reply::Timeout);
    assert_eq!(dojo.refunded_total(&id), 300);
    let retry = refund(&mut dojo, &id, "r-1", 300);
    assert_eq!(Some(retry), dojo.last_reply());
    assert_eq!(dojo.refunded_total(&id), 300);
    assert_eq!(
        (
            dojo.refund_applied(&id, "r-1"),
            dojo.refund_replayed(&id, "r-1")
        ),
        (1, 1)
    );
}

#[test]
fn faults_that_do_not_apply_leave_dojo_unchanged() {
    let mut dojo = dojo();
    let id = manual(&mut dojo, 1000);
    let before = dojo.intent(&id).clone();
    dojo.fail_next(Fault::TimeoutBeforeApply);
    dojo.fail_next(Fault::ServerError(503));
    dojo.fail_next(Fault::Conflict409);
    assert_eq!(capture(&mut dojo, &id, 100), Reply::Timeout);
    assert_eq!(dojo.last_reply(), None, "no answer was produced");
    refused(&capture(&mut dojo, &id, 100), 503, "server_error");
    refused(&capture(&mut dojo, &id, 100), 409, "conflict");
    assert_eq!(dojo.intent(&id), &before);
    assert!(dojo.log().iter().all(|e| !e.processed && e.made.is_none()));
    assert_eq!(dojo.log()[0].status, None);
    assert_eq!(dojo.log()[1].status, Some(503));
    // The plan is used up: the next request goes through.
    capture_id(&capture(&mut dojo, &id, 100));
    assert_eq!(dojo.log()[3].made, Some(Made::Capture("cp_1".into())));
}

#[test]
fn a_schedule_assigns_faults_to_requests_in_order() {
    let mut dojo = dojo();
    let id = captured_with_tip(&mut dojo);
    dojo.schedule([
        None,
        Some(Fault::TimeoutBeforeApply),
        None,
        Some(Fault::ServerError(500)),
    ]);
    assert_eq!(refund(&mut dojo, &id, "a", 10).status(), Some(200));
    assert_eq!(refund(&mut dojo, &id, "b", 10), Reply::Timeout);
    assert_eq!(refund(&mut dojo, &id, "b", 10).status(), Some(200));
    assert_eq!(refund(&mut dojo, &id, "c", 10).status(), Some(500));
    assert_eq!(dojo.refunded_total(&id), 20);
    assert_eq!(dojo.refund_applied(&id, "c"), 0);
    dojo.schedule([Some(Fault::Conflict409)]);
    dojo.clear_faults();
    assert_eq!(refund(&mut dojo, &id, "c", 10).status(), Some(200));
}

#[test]
fn a_duplicated_answer_is_delivered_twice_but_applied_once() {
    let mut dojo = dojo();
    let id = manual(&mut dojo, 1000);
    dojo.fail_next(Fault::Duplicate);
    let reply = capture(&mut dojo, &id, 400);
    assert_eq!(capture_id(&reply), "cp_1");
    let held = dojo.take_held();
    assert_eq!(held.len(), 1);
    assert_eq!((held[0].request, &held[0].reply), (1, &reply));
    assert_eq!(dojo.last_reply(), Some(reply));
    assert_eq!(dojo.intent(&id).captures.len(), 1);
    assert!(dojo.take_held().is_empty(), "taken once");
}

#[test]
fn held_answers_arrive_after_later_ones() {
    let mut dojo = dojo();
    let id = manual(&mut dojo, 1000);
    dojo.fail_next(Fault::Hold);
    assert_eq!(
        capture(&mut dojo, &id, 400),
        Reply::Timeout,
        "no answer yet"
    );
    assert_eq!(dojo.in_flight_total(&id), 400, "but Dojo applied it");
    let later = capture(&mut dojo, &id, 200);
    assert_eq!(capture_id(&later), "cp_2");
    let held = dojo.take_held();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].request, 1);
    assert_eq!(capture_id(&held[0].reply), "cp_1");
}

#[test]
fn dojo_time_is_the_tests() {
    let mut dojo = FakeDojo::new(Timestamp::UNIX_EPOCH);
    let id = dojo.create(NewIntent::manual(1000));
    assert_eq!(dojo.intent(&id).created_at, Timestamp::UNIX_EPOCH);
    dojo.set_now(paid());
    assert_eq!(dojo.now(), paid());
    let reply = get(&mut dojo, &format!("/payment-intents/{id}"));
    let resource = PaymentIntentResource::from_json(reply.body()).unwrap();
    assert_eq!(resource.created_at, Some(Timestamp::UNIX_EPOCH));
    assert_eq!(
        resource.payment_details, None,
        "D15: no payment time before payment"
    );
}
