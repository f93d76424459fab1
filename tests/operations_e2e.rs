//! Each operation end to end against the simulated Dojo: read the intent,
//! prepare, send the crate's own request to the fake, record the fake's
//! answer, and the crate's figures equal the fake's.

use dojo_capture::request::ApiVersion;
use dojo_capture::{AnyPaymentIntent, IntentState, RefundDetails};

mod common;
use common::fake_dojo::{FakeDojo, Fault, NewIntent};
use common::invariants::check_intent;
use common::{gbp, key, paid};

fn v() -> ApiVersion {
    ApiVersion::default()
}

/// The intent as the fake shows it, rehydrated.
fn read(dojo: &FakeDojo, id: &str) -> AnyPaymentIntent {
    let bytes = serde_json::to_vec(&dojo.intent(id).resource()).unwrap();
    AnyPaymentIntent::from_json(&bytes).unwrap()
}

/// The crate's figures equal the fake's.
fn same_figures(dojo: &FakeDojo, id: &str, intent: &AnyPaymentIntent) {
    let fake = dojo.intent(id);
    assert_eq!(intent.amount().minor_units(), fake.amount);
    assert_eq!(intent.captured().minor_units(), fake.captured());
    assert_eq!(intent.in_flight().minor_units(), fake.in_flight());
    assert_eq!(intent.refunded().minor_units(), fake.refunded);
    assert_eq!(intent.tips().map(|t| t.minor_units()), fake.tips);
    check_intent(intent).unwrap();
    assert_eq!(intent.state(), read(dojo, id).state());
}

fn auto_captured(dojo: &mut FakeDojo) -> String {
    let id = dojo.create(NewIntent::auto(1000));
    dojo.authorize(&id, paid()).unwrap();
    id
}

#[test]
fn a_refund_end_to_end_and_its_safe_retry_after_a_timeout() {
    let mut dojo = FakeDojo::new(paid());
    let id = auto_captured(&mut dojo);
    let intent = read(&dojo, &id);
    let (intent, prepared) = intent
        .prepare_refund(key("rf-1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    // Dojo applies the refund, but the answer is lost.
    dojo.fail_next(Fault::TimeoutAfterApply);
    let reply = dojo.handle_request(prepared.request());
    let intent = intent
        .record_refund_answer(prepared, reply.answer())
        .unwrap_err()
        .into_intent();
    assert!(intent.needs_read());
    // The safe retry: same key, same bytes; Dojo deduplicates.
    let (intent, retry) = intent
        .prepare_refund(key("rf-1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    let reply = dojo.handle_request(retry.request());
    let (intent, _refund_id) = intent.record_refund_answer(retry, reply.answer()).unwrap();
    assert_eq!(dojo.refund_applied(&id, "rf-1"), 1);
    assert!(!intent.needs_read());
    assert_eq!(intent.state(), IntentState::Refunded);
    same_figures(&dojo, &id, &intent);
}

#[test]
fn a_reversal_end_to_end() {
    let mut dojo = FakeDojo::new(paid());
    let id = auto_captured(&mut dojo);
    let (intent, prepared) = read(&dojo, &id).prepare_reversal(paid(), v()).unwrap();
    let reply = dojo.handle_request(prepared.request());
    let intent = intent
        .record_reversal_answer(prepared, reply.answer())
        .unwrap();
    assert_eq!(intent.state(), IntentState::Reversed);
    same_figures(&dojo, &id, &intent);
}

#[test]
fn a_cancel_end_to_end() {
    let mut dojo = FakeDojo::new(paid());
    let id = dojo.create(NewIntent::manual(1000));
    let (intent, prepared) = read(&dojo, &id).prepare_cancel(v()).unwrap();
    let reply = dojo.handle_request(prepared.request());
    let intent = intent
        .record_cancel_answer(prepared, reply.answer())
        .unwrap();
    assert_eq!(intent.state(), IntentState::Canceled);
    assert_eq!(dojo.intent(&id).status().to_string(), "Canceled");
}

#[test]
fn a_change_of_amount_end_to_end() {
    let mut dojo = FakeDojo::new(paid());
    let id = dojo.create(NewIntent::manual(1000).custom_amount());
    let (intent, prepared) = read(&dojo, &id)
        .prepare_change_amount(gbp(2500), v())
        .unwrap();
    let reply = dojo.handle_request(prepared.request());
    let intent = intent
        .record_change_amount_answer(prepared, reply.answer())
        .unwrap();
    assert_eq!(intent.amount(), gbp(2500));
    same_figures(&dojo, &id, &intent);
}

#[test]
fn a_change_of_tip_end_to_end() {
    let mut dojo = FakeDojo::new(paid());
    let id = dojo.create(NewIntent::manual(1000).tips_allowed());
    let intent = read(&dojo, &id);
    assert!(intent.tips_allowed());
    let (intent, prepared) = intent.prepare_change_tips(gbp(150), v()).unwrap();
    let reply = dojo.handle_request(prepared.request());
    let intent = intent
        .record_change_tips_answer(prepared, reply.answer())
        .unwrap();
    assert_eq!(intent.tips(), Some(gbp(150)));
    same_figures(&dojo, &id, &intent);
}

#[test]
fn a_refusal_from_the_fake_releases_and_the_figures_still_agree() {
    let mut dojo = FakeDojo::new(paid());
    let id = auto_captured(&mut dojo);
    let (intent, prepared) = read(&dojo, &id)
        .prepare_refund(key("rf-1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    dojo.fail_next(Fault::Conflict409);
    let reply = dojo.handle_request(prepared.request());
    let error = intent
        .record_refund_answer(prepared, reply.answer())
        .unwrap_err();
    assert_eq!(error.code(), "refund_refused");
    assert!(error.problem().is_some());
    let intent = error.into_intent();
    assert!(intent.pending_refunds().is_empty());
    same_figures(&dojo, &id, &intent);
}
