//! Reconcile: a fresh read of the intent merged into the local intent after
//! an answer was lost. Each matching case, each refusal, adoption, the
//! survival of refund keys, and the whole road against the simulated Dojo.

use dojo_capture::request::ApiVersion;
use dojo_capture::wire::{CaptureDetails, PaymentIntentResource};
use dojo_capture::{
    Answer, AnyPaymentIntent, Authorization, CaptureMode, CaptureOutcome, CaptureStatus,
    IntentState, OperationKind, PaymentIntent, PaymentIntentStatus, ReadStart, ReconcileError,
    Reconciled, RefundDetails, Rule,
};
use jiff::{SignedDuration, Timestamp};

mod common;
use common::Copied;
use common::fake_dojo::{FakeDojo, Fault, NewIntent};
use common::invariants::check_intent;
use common::{cid, eur, gbp, key, paid};

fn v() -> ApiVersion {
    ApiVersion::default()
}

fn now() -> Timestamp {
    paid() + SignedDuration::from_hours(1)
}

fn authorized() -> AnyPaymentIntent {
    let intent = PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id("pi_1");
    let Authorization::Manual(authorized) = intent.authorize(paid()) else {
        unreachable!()
    };
    authorized.into_any()
}

/// `intent` with a capture of `amount` prepared at `now()` whose answer was lost.
fn lost_capture(intent: AnyPaymentIntent, amount: i64) -> AnyPaymentIntent {
    let (intent, prepared) = intent
        .prepare_capture(gbp(amount), None, now(), v())
        .unwrap();
    let intent = intent
        .record_capture_answer(prepared, Answer::TransportFailure)
        .unwrap_err()
        .into_intent();
    assert!(intent.needs_read());
    missed(intent)
}

/// `intent` with captures of `amounts` prepared together, all of whose answers were lost.
fn lost_captures(intent: AnyPaymentIntent, amounts: &[i64]) -> AnyPaymentIntent {
    let mut prepared = Vec::new();
    let mut intent = intent;
    for &amount in amounts {
        let (next, token) = intent
            .prepare_capture(gbp(amount), None, now(), v())
            .unwrap();
        intent = next;
        prepared.push(token);
    }
    for token in prepared {
        intent = intent
            .record_capture_answer(token, Answer::TransportFailure)
            .unwrap_err()
            .into_intent();
    }
    missed(intent)
}

fn capture(id: &str, amount: i64, status: CaptureStatus, at: Timestamp) -> CaptureDetails {
    CaptureDetails {
        id: Some(id.into()),
        amount,
        tips_amount: None,
        status,
        created_at: Some(at),
    }
}

/// Dojo's view: the intent as encoded, with `captures` added.
fn read_with(intent: &AnyPaymentIntent, captures: Vec<CaptureDetails>) -> PaymentIntentResource {
    let mut wire = intent.to_resource();
    wire.captures.get_or_insert_with(Vec::new).extend(captures);
    wire
}

fn reconciled(
    intent: AnyPaymentIntent,
    fresh: &PaymentIntentResource,
) -> (AnyPaymentIntent, Reconciled) {
    let (intent, report) = intent
        .reconcile_read_started(fresh, ReadStart::at(after_horizon()))
        .unwrap();
    check_intent(&intent).unwrap();
    (intent, report)
}

/// Long after the horizon of anything lost and then missed by [`missed`].
fn after_horizon() -> Timestamp {
    now() + SignedDuration::from_hours(1)
}

/// `intent` after a read started at `now()` that shows nothing new: the
/// first read that misses what was lost starts its settle window (D22).
fn missed(intent: AnyPaymentIntent) -> AnyPaymentIntent {
    let wire = intent.to_resource();
    let (intent, report) = intent
        .reconcile_read_started(&wire, ReadStart::at(now()))
        .unwrap();
    assert!(report.settle_after().is_some(), "{report:?}");
    assert!(
        intent.needs_read(),
        "nothing is released before the horizon"
    );
    intent
}

fn refused(
    intent: AnyPaymentIntent,
    fresh: &PaymentIntentResource,
) -> ReconcileError<AnyPaymentIntent> {
    let before = intent.copied();
    let error = intent
        .reconcile_read_started(fresh, ReadStart::at(after_horizon()))
        .unwrap_err();
    assert_eq!(
        error.intent(),
        &before,
        "a refused reconcile leaves the intent untouched"
    );
    error
}

fn later() -> Timestamp {
    now() + SignedDuration::from_secs(1)
}

// ---- pending captures ----------------------------------------------------------------

#[test]
fn a_capture_dojo_made_is_bound_not_made_twice() {
    let intent = lost_capture(authorized(), 400);
    let fresh = read_with(
        &intent,
        vec![capture("cp_9", 400, CaptureStatus::Created, later())],
    );
    let (intent, report) = reconciled(intent, &fresh);
    assert_eq!(report.captures_bound(), &[(0, cid("cp_9"))]);
    assert!(report.captures_adopted().is_empty());
    assert!(report.captures_released().is_empty());
    assert!(intent.pending_captures().is_empty());
    assert_eq!(intent.in_flight(), gbp(400));
    assert_eq!(intent.captures()[0].id(), Some(&cid("cp_9")));
    assert!(!intent.needs_read());
    let intent = intent
        .record_capture_outcome(&cid("cp_9"), CaptureOutcome::Successful)
        .unwrap();
    assert_eq!(intent.captured(), gbp(400));
}

#[test]
fn a_capture_dojo_did_not_make_is_released_and_another_can_be_prepared() {
    let intent = lost_capture(authorized(), 400);
    let fresh = read_with(&intent, vec![]);
    let (intent, report) = reconciled(intent, &fresh);
    assert_eq!(report.captures_released(), &[0]);
    assert!(report.captures_bound().is_empty());
    assert_eq!(intent.in_flight(), gbp(0));
    assert_eq!(intent.capturable(), gbp(1000));
    assert!(!intent.needs_read());
    let (intent, _prepared) = intent.prepare_capture(gbp(400), None, now(), v()).unwrap();
    // The counter goes on: the new pending capture is not mistaken for the old.
    assert_eq!(intent.pending_captures()[0].local_id(), 1);
}

#[test]
fn a_capture_dojo_dates_before_the_prepare_is_bound_clocks_are_never_compared() {
    // Dojo's clock may be behind the service's (D23): a capture of the
    // amount it shows dated a second before `prepared_at` is still the one.
    let intent = lost_capture(authorized(), 400);
    let before = now() - SignedDuration::from_secs(1);
    let fresh = read_with(
        &intent,
        vec![capture("cp_9", 400, CaptureStatus::Created, before)],
    );
    let (intent, report) = reconciled(intent, &fresh);
    assert_eq!(report.captures_bound(), &[(0, cid("cp_9"))]);
    assert!(report.captures_released().is_empty());
    assert!(report.captures_adopted().is_empty());
    assert_eq!(intent.in_flight(), gbp(400));
}

#[test]
fn a_capture_created_at_the_prepare_matches() {
    let intent = lost_capture(authorized(), 400);
    let fresh = read_with(
        &intent,
        vec![capture("cp_9", 400, CaptureStatus::Created, now())],
    );
    let (_, report) = reconciled(intent, &fresh);
    assert_eq!(report.captures_bound(), &[(0, cid("cp_9"))]);
}

#[test]
fn a_capture_without_a_creation_time_could_be_it() {
    let intent = lost_capture(authorized(), 400);
    let mut undated = capture("cp_9", 400, CaptureStatus::Created, later());
    undated.created_at = None;
    let (_, report) = reconciled(intent, &read_with(&authorized(), vec![undated]));
    assert_eq!(report.captures_bound(), &[(0, cid("cp_9"))]);
}

#[test]
fn a_read_without_an_id_keeps_the_local_id() {
    let intent = authorized();
    let mut fresh = intent.to_resource();
    fresh.id = None;
    let (intent, _) = reconciled(intent, &fresh);
    assert_eq!(intent.id(), Some("pi_1"));
}

#[test]
fn a_capture_of_another_amount_or_tip_does_not_match() {
    let intent = lost_capture(authorized(), 400);
    let fresh = read_with(
        &intent,
        vec![capture("cp_9", 300, CaptureStatus::Created, later())],
    );
    let (_, report) = reconciled(intent.copied(), &fresh);
    assert_eq!(report.captures_released(), &[0]);
    assert_eq!(report.captures_adopted(), &[cid("cp_9")]);

    let mut tipped = capture("cp_9", 400, CaptureStatus::Created, later());
    tipped.tips_amount = Some(50);
    let (_, report) = reconciled(intent, &read_with(&authorized(), vec![tipped]));
    assert_eq!(report.captures_released(), &[0]);
    assert_eq!(report.captures_adopted(), &[cid("cp_9")]);
}

#[test]
fn a_tipped_pending_capture_matches_its_tipped_capture() {
    let (intent, prepared) = authorized()
        .prepare_capture(gbp(400), Some(gbp(50)), now(), v())
        .unwrap();
    let intent = intent
        .record_capture_answer(prepared, Answer::TransportFailure)
        .unwrap_err()
        .into_intent();
    let mut tipped = capture("cp_9", 400, CaptureStatus::Created, later());
    tipped.tips_amount = Some(50);
    let (intent, report) = reconciled(intent, &read_with(&authorized(), vec![tipped]));
    assert_eq!(report.captures_bound(), &[(0, cid("cp_9"))]);
    assert_eq!(intent.captures()[0].tips(), Some(gbp(50)));
}

#[test]
fn two_candidates_for_one_pending_capture_are_ambiguous() {
    let intent = lost_capture(authorized(), 400);
    let fresh = read_with(
        &intent,
        vec![
            capture("cp_8", 400, CaptureStatus::Created, later()),
            capture("cp_9", 400, CaptureStatus::Created, later()),
        ],
    );
    let error = refused(intent, &fresh);
    assert_eq!(error.code(), "reconcile_ambiguous_capture");
    assert!(error.ambiguous());
    assert_eq!(
        error.to_string(),
        "pending capture 0 of 4.00 GBP could be any of 2 new captures in the fresh read, or shares one with another pending capture; nothing is guessed"
    );
    assert!(error.into_intent().needs_read());
}

#[test]
fn one_candidate_for_two_pending_captures_is_ambiguous() {
    let intent = lost_captures(authorized(), &[400, 400]);
    let fresh = read_with(
        &intent,
        vec![capture("cp_9", 400, CaptureStatus::Created, later())],
    );
    let error = refused(intent, &fresh);
    assert_eq!(error.code(), "reconcile_ambiguous_capture");
    assert_eq!(
        error.to_string(),
        "pending capture 0 of 4.00 GBP could be any of 1 new captures in the fresh read, or shares one with another pending capture; nothing is guessed"
    );
}

#[test]
fn two_pending_captures_each_with_its_own_capture_are_bound() {
    let intent = lost_captures(authorized(), &[400, 300]);
    let fresh = read_with(
        &intent,
        vec![
            capture("cp_8", 300, CaptureStatus::Created, later()),
            capture("cp_9", 400, CaptureStatus::Successful, later()),
        ],
    );
    let (intent, report) = reconciled(intent, &fresh);
    assert_eq!(
        report.captures_bound(),
        &[(0, cid("cp_9")), (1, cid("cp_8"))]
    );
    assert_eq!(intent.captured(), gbp(400));
    assert_eq!(intent.in_flight(), gbp(300));
    assert_eq!(intent.state(), IntentState::Captured);
}

#[test]
fn a_pending_capture_whose_answer_is_awaited_refuses_the_reconcile() {
    let (intent, _prepared) = authorized()
        .prepare_capture(gbp(400), None, now(), v())
        .unwrap();
    let fresh = read_with(&intent, vec![]);
    let error = refused(intent, &fresh);
    assert_eq!(error.code(), "reconcile_answer_awaited");
    assert!(!error.ambiguous());
    assert_eq!(
        error.to_string(),
        "a prepared capture awaits its answer: record it before reconciling, or the request could still arrive after the read"
    );
}

// ---- adoption and statuses ---------------------------------------------------------

#[test]
fn captures_made_elsewhere_are_adopted_and_statuses_that_moved_are_applied() {
    let intent = authorized().capture(cid("cp_1"), gbp(200), now()).unwrap();
    let mut fresh = read_with(
        &intent,
        vec![capture("cp_2", 300, CaptureStatus::Successful, later())],
    );
    fresh.captures.as_mut().unwrap()[0].status = CaptureStatus::Successful;
    fresh.status = PaymentIntentStatus::Captured;
    let (intent, report) = reconciled(intent, &fresh);
    assert_eq!(report.captures_adopted(), &[cid("cp_2")]);
    assert_eq!(
        report.captures_resolved(),
        &[(
            cid("cp_1"),
            CaptureStatus::Created,
            CaptureStatus::Successful
        )]
    );
    assert!(report.changed());
    assert_eq!(intent.captured(), gbp(500));
    assert_eq!(intent.state(), IntentState::Captured);
}

#[test]
fn the_same_read_again_changes_nothing() {
    let intent = authorized().capture(cid("cp_1"), gbp(200), now()).unwrap();
    let fresh = intent.to_resource();
    let (again, report) = reconciled(intent.copied(), &fresh);
    assert!(!report.changed());
    assert_eq!(again, intent);
}

#[test]
fn the_typed_intent_reconciles_too_and_comes_back_typed_when_refused() {
    let intent = PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id("pi_1");
    let Authorization::Manual(typed) = intent.authorize(paid()) else {
        unreachable!()
    };
    let mut fresh = typed.to_resource();
    fresh.captures = Some(vec![capture(
        "cp_9",
        1000,
        CaptureStatus::Successful,
        later(),
    )]);
    fresh.status = PaymentIntentStatus::Captured;
    let (any, report) = typed.copied().reconcile_read(&fresh).unwrap();
    assert_eq!(report.captures_adopted(), &[cid("cp_9")]);
    assert_eq!(any.state(), IntentState::Captured);
    fresh.id = Some("pi_2".into());
    let error = typed.copied().reconcile_read(&fresh).unwrap_err();
    assert_eq!(error.code(), "reconcile_different_intent");
    assert_eq!(error.into_intent(), typed);
}

// ---- refunds -----------------------------------------------------------------------

fn captured() -> AnyPaymentIntent {
    authorized()
        .capture(cid("cp_1"), gbp(1000), now())
        .unwrap()
        .record_capture_outcome(&cid("cp_1"), CaptureOutcome::Successful)
        .unwrap()
}

fn lost_refund(intent: AnyPaymentIntent, name: &str, amount: i64) -> AnyPaymentIntent {
    let (intent, prepared) = intent
        .prepare_refund(key(name), gbp(amount), RefundDetails::default(), v())
        .unwrap();
    missed(
        intent
            .record_refund_answer(prepared, Answer::TransportFailure)
            .unwrap_err()
            .into_intent(),
    )
}

fn refunded_read(intent: &AnyPaymentIntent, refunded: i64) -> PaymentIntentResource {
    let mut wire = intent.to_resource();
    wire.refunded_amount = Some(refunded);
    if refunded > 0 {
        wire.status = PaymentIntentStatus::Refunded;
    }
    wire
}

#[test]
fn a_refund_dojo_made_is_matched_and_its_key_survives_so_a_retry_is_a_replay() {
    let intent = lost_refund(captured(), "rf-1", 300);
    let (intent, report) = reconciled(intent, &refunded_read(&captured(), 300));
    assert_eq!(report.refunds_matched(), &[key("rf-1")]);
    assert!(report.refunds_released().is_empty());
    assert_eq!(report.refunded_elsewhere(), None);
    assert_eq!(intent.refunded(), gbp(300));
    assert!(intent.pending_refunds().is_empty());
    assert!(!intent.needs_read());
    // The key is still known: the same refund again is a replay, not a second refund.
    let intent = intent.refund(key("rf-1"), gbp(300)).unwrap();
    assert_eq!(intent.refunded(), gbp(300));
    let conflict = intent.refund(key("rf-1"), gbp(200)).unwrap_err();
    assert_eq!(conflict.rule(), Rule::IdempotencyConflict);
}

#[test]
fn refund_keys_known_before_survive_a_reconcile() {
    let intent = captured().refund(key("rf-0"), gbp(100)).unwrap();
    let (intent, report) = reconciled(intent, &refunded_read(&captured(), 100));
    assert!(!report.changed());
    let intent = intent.refund(key("rf-0"), gbp(100)).unwrap();
    assert_eq!(intent.refunded(), gbp(100));
}

#[test]
fn refunds_dojo_did_not_make_are_released() {
    let intent = lost_refund(lost_refund(captured(), "rf-1", 300), "rf-2", 200);
    let (intent, report) = reconciled(intent, &refunded_read(&captured(), 0));
    assert_eq!(report.refunds_released(), &[key("rf-1"), key("rf-2")]);
    assert_eq!(intent.refundable(), gbp(1000));
    assert!(!intent.needs_read());
    // A released key is remembered with its amount (D24): another amount
    // is a conflict, the same amount a retry that reserves it again.
    let conflict = intent
        .prepare_refund(key("rf-1"), gbp(100), RefundDetails::default(), v())
        .unwrap_err();
    assert_eq!(conflict.rule(), Rule::IdempotencyConflict);
    let intent = conflict.into_intent();
    let (intent, _) = intent
        .prepare_refund(key("rf-1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    assert_eq!(intent.pending_refunds().len(), 1);
}

#[test]
fn refunds_whose_sum_dojo_shows_are_all_matched() {
    let intent = lost_refund(lost_refund(captured(), "rf-1", 300), "rf-2", 200);
    let (intent, report) = reconciled(intent, &refunded_read(&captured(), 500));
    assert_eq!(report.refunds_matched(), &[key("rf-1"), key("rf-2")]);
    assert_eq!(intent.refunded(), gbp(500));
}

#[test]
fn a_growth_that_one_set_of_pending_refunds_explains_matches_those_and_keeps_the_rest() {
    let intent = lost_refund(lost_refund(captured(), "rf-1", 300), "rf-2", 200);
    let (intent, report) = reconciled(intent, &refunded_read(&captured(), 300));
    assert_eq!(report.refunds_matched(), &[key("rf-1")]);
    // rf-2 was missed by a read long after its horizon: released, key kept.
    assert_eq!(report.refunds_released(), &[key("rf-2")]);
    assert_eq!(intent.refunded(), gbp(300));
    assert!(intent.pending_refunds().is_empty());
}

#[test]
fn a_growth_that_no_one_set_of_pending_refunds_explains_is_ambiguous() {
    let intent = lost_refund(lost_refund(captured(), "rf-1", 300), "rf-2", 200);
    let error = refused(intent, &refunded_read(&captured(), 250));
    assert_eq!(error.code(), "reconcile_ambiguous_refund");
    assert!(error.ambiguous());
    assert_eq!(
        error.to_string(),
        "the refunded total grew by 2.50 GBP, which no one set of the pending refunds (5.00 GBP in all) adds up to; nothing is guessed"
    );
    // Two sets of the same sum: which key landed cannot be told.
    let intent = lost_refund(lost_refund(captured(), "rf-1", 200), "rf-2", 200);
    let error = refused(intent, &refunded_read(&captured(), 200));
    assert_eq!(error.code(), "reconcile_ambiguous_refund");
}

#[test]
fn a_refund_made_elsewhere_is_reported() {
    let (intent, report) = reconciled(captured(), &refunded_read(&captured(), 250));
    assert_eq!(report.refunded_elsewhere(), Some(gbp(250)));
    assert!(report.changed());
    assert_eq!(intent.refunded(), gbp(250));
}

#[test]
fn a_pending_refund_whose_answer_is_awaited_refuses_the_reconcile() {
    let (intent, _prepared) = captured()
        .prepare_refund(key("rf-1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    let error = refused(intent, &refunded_read(&captured(), 0));
    assert_eq!(error.code(), "reconcile_answer_awaited");
    assert_eq!(
        error.to_string(),
        "a prepared refund awaits its answer: record it before reconciling, or the request could still arrive after the read"
    );
}

// ---- pending reversal, cancel, change ------------------------------------------------

fn lost_reversal() -> AnyPaymentIntent {
    let (intent, prepared) = authorized().prepare_reversal(now(), v()).unwrap();
    missed(
        intent
            .record_reversal_answer(prepared, Answer::TransportFailure)
            .unwrap_err()
            .into_intent(),
    )
}

#[test]
fn a_reversal_dojo_made_is_applied_and_one_it_did_not_is_released() {
    let mut fresh = authorized().to_resource();
    fresh.status = PaymentIntentStatus::Reversed;
    let (intent, report) = reconciled(lost_reversal(), &fresh);
    assert_eq!(report.operation_applied(), Some(OperationKind::Reverse));
    assert_eq!(intent.state(), IntentState::Reversed);
    assert!(intent.pending_operation().is_none());

    let (intent, report) = reconciled(lost_reversal(), &authorized().to_resource());
    assert_eq!(report.operation_released(), Some(OperationKind::Reverse));
    assert_eq!(intent.state(), IntentState::Authorized);
    assert!(intent.pending_operation().is_none());
    assert!(!intent.needs_read());
}

fn created() -> AnyPaymentIntent {
    PaymentIntent::new(gbp(1000), CaptureMode::Manual)
        .with_id("pi_1")
        .with_custom_amount_allowed(true)
        .into_any()
}

#[test]
fn a_cancel_is_applied_from_dojos_status_or_released() {
    let lost = || {
        let (intent, prepared) = created().prepare_cancel(v()).unwrap();
        missed(
            intent
                .record_cancel_answer(prepared, Answer::TransportFailure)
                .unwrap_err()
                .into_intent(),
        )
    };
    let mut fresh = created().to_resource();
    fresh.status = PaymentIntentStatus::Canceled;
    let (intent, report) = reconciled(lost(), &fresh);
    assert_eq!(report.operation_applied(), Some(OperationKind::Cancel));
    assert_eq!(intent.state(), IntentState::Canceled);
    let (intent, report) = reconciled(lost(), &created().to_resource());
    assert_eq!(report.operation_released(), Some(OperationKind::Cancel));
    assert_eq!(intent.state(), IntentState::Created);
}

#[test]
fn a_change_of_amount_is_applied_from_dojos_amount_or_released() {
    let lost = || {
        let (intent, prepared) = created().prepare_change_amount(gbp(700), v()).unwrap();
        missed(
            intent
                .record_change_amount_answer(prepared, Answer::TransportFailure)
                .unwrap_err()
                .into_intent(),
        )
    };
    let mut fresh = created().to_resource();
    fresh.amount = Some(gbp(700));
    fresh.total_amount = Some(gbp(700));
    let (intent, report) = reconciled(lost(), &fresh);
    assert_eq!(
        report.operation_applied(),
        Some(OperationKind::ChangeAmount)
    );
    assert_eq!(intent.amount(), gbp(700));
    let (intent, report) = reconciled(lost(), &created().to_resource());
    assert_eq!(
        report.operation_released(),
        Some(OperationKind::ChangeAmount)
    );
    assert_eq!(intent.amount(), gbp(1000));
    // Without the pending change, another amount is a refusal.
    let error = refused(created(), &fresh);
    assert_eq!(error.code(), "reconcile_amount_changed");
    assert_eq!(
        error.to_string(),
        "the fresh read's amount is 7.00 GBP, but the intent's is 10.00 GBP and no change of amount to it is pending"
    );
}

#[test]
fn a_change_of_tip_is_applied_from_dojos_tip_or_released() {
    let tipping = || {
        PaymentIntent::new(gbp(1000), CaptureMode::Manual)
            .with_id("pi_1")
            .with_tips_allowed(true)
            .into_any()
    };
    let lost = || {
        let (intent, prepared) = tipping().prepare_change_tips(gbp(150), v()).unwrap();
        missed(
            intent
                .record_change_tips_answer(prepared, Answer::TransportFailure)
                .unwrap_err()
                .into_intent(),
        )
    };
    let mut fresh = tipping().to_resource();
    fresh.tips_amount = Some(gbp(150));
    let (intent, report) = reconciled(lost(), &fresh);
    assert_eq!(report.operation_applied(), Some(OperationKind::ChangeTips));
    assert_eq!(intent.tips(), Some(gbp(150)));
    let (intent, report) = reconciled(lost(), &tipping().to_resource());
    assert_eq!(report.operation_released(), Some(OperationKind::ChangeTips));
    assert_eq!(intent.tips(), None);
}

#[test]
fn a_pending_operation_whose_answer_is_awaited_refuses_the_reconcile() {
    let (intent, _prepared) = authorized().prepare_reversal(now(), v()).unwrap();
    let error = refused(intent, &authorized().to_resource());
    assert_eq!(error.code(), "reconcile_answer_awaited");
    assert_eq!(
        error.to_string(),
        "a prepared reversal awaits its answer: record it before reconciling, or the request could still arrive after the read"
    );
}

// ---- what the local intent cannot reach ------------------------------------------------

#[test]
fn a_read_that_does_not_rehydrate_is_refused() {
    let intent = authorized();
    let mut fresh = intent.to_resource();
    fresh.amount = None;
    let error = refused(intent.copied(), &fresh);
    assert_eq!(error.code(), "reconcile_unreadable");
    assert!(
        error
            .to_string()
            .starts_with("the fresh read does not rehydrate: ")
    );
    let error = intent.reconcile_read_json(b"{").unwrap_err();
    assert_eq!(error.code(), "reconcile_unreadable");
}

#[test]
fn json_bytes_reconcile_like_the_resource() {
    let intent = lost_capture(authorized(), 400);
    let fresh = read_with(
        &intent,
        vec![capture("cp_9", 400, CaptureStatus::Created, later())],
    );
    let bytes = serde_json::to_vec(&fresh).unwrap();
    let (from_bytes, report) = intent.copied().reconcile_read_json(&bytes).unwrap();
    assert_eq!((from_bytes, report), intent.reconcile_read(&fresh).unwrap());
}

#[test]
fn another_intent_is_refused() {
    let intent = authorized();
    let mut fresh = intent.to_resource();
    fresh.id = Some("pi_2".into());
    let error = refused(intent, &fresh);
    assert_eq!(error.code(), "reconcile_different_intent");
    assert_eq!(
        error.to_string(),
        "the fresh read is of intent pi_2, not of pi_1"
    );
}

#[test]
fn another_currency_is_refused() {
    let intent = authorized();
    let mut fresh = intent.to_resource();
    fresh.amount = Some(eur(1000));
    fresh.total_amount = Some(eur(1000));
    let error = refused(intent, &fresh);
    assert_eq!(error.code(), "reconcile_currency_changed");
    assert_eq!(
        error.to_string(),
        "the fresh read is in EUR, but the intent is in GBP"
    );
}

#[test]
fn a_terminal_state_left_is_refused() {
    let intent = authorized().reverse(now()).unwrap();
    let fresh = authorized().to_resource();
    let error = refused(intent, &fresh);
    assert_eq!(error.code(), "reconcile_state_unreachable");
    assert_eq!(
        error.to_string(),
        "the intent is Reversed here, and Dojo's status Authorized cannot follow from it"
    );
}

#[test]
fn a_partly_captured_intent_released_at_expiry_is_reachable() {
    let intent = authorized()
        .capture(cid("cp_1"), gbp(400), now())
        .unwrap()
        .record_capture_outcome(&cid("cp_1"), CaptureOutcome::Successful)
        .unwrap();
    let mut fresh = intent.to_resource();
    fresh.status = PaymentIntentStatus::Reversed;
    let (intent, _) = reconciled(intent, &fresh);
    assert_eq!(intent.captured(), gbp(400));
    assert_eq!(intent.capturable(), gbp(0));
}

#[test]
fn a_paid_intent_is_not_created_again() {
    let error = refused(authorized(), &created().to_resource());
    assert_eq!(error.code(), "reconcile_state_unreachable");
}

#[test]
fn a_captured_total_that_shrank_is_refused() {
    let intent = captured();
    let mut fresh = intent.to_resource();
    fresh.captures.as_mut().unwrap()[0].status = CaptureStatus::Declined;
    fresh.status = PaymentIntentStatus::Authorized;
    let error = refused(intent, &fresh);
    assert_eq!(error.code(), "reconcile_captured_shrank");
    assert_eq!(
        error.to_string(),
        "the captured total shrank from 10.00 GBP to 0.00 GBP"
    );
}

#[test]
fn a_refunded_total_that_shrank_is_refused() {
    let intent = captured().refund(key("rf-0"), gbp(100)).unwrap();
    let error = refused(intent, &refunded_read(&captured(), 50));
    assert_eq!(error.code(), "reconcile_refunded_shrank");
    assert_eq!(
        error.to_string(),
        "the refunded total shrank from 1.00 GBP to 0.50 GBP"
    );
}

#[test]
fn a_known_capture_that_disappeared_is_refused() {
    let intent = authorized().capture(cid("cp_1"), gbp(200), now()).unwrap();
    let error = refused(intent, &authorized().to_resource());
    assert_eq!(error.code(), "reconcile_capture_disappeared");
    assert_eq!(
        error.to_string(),
        "capture cp_1 is recorded here but missing from the fresh read"
    );
}

#[test]
fn a_known_capture_whose_amount_or_tip_changed_is_refused() {
    let intent = authorized().capture(cid("cp_1"), gbp(200), now()).unwrap();
    let mut fresh = intent.to_resource();
    fresh.captures.as_mut().unwrap()[0].amount = 300;
    let error = refused(intent.copied(), &fresh);
    assert_eq!(error.code(), "reconcile_capture_changed");
    assert_eq!(
        error.to_string(),
        "capture cp_1 is recorded here for 2.00 GBP but the fresh read shows 3.00 GBP"
    );
    let mut fresh = intent.to_resource();
    fresh.captures.as_mut().unwrap()[0].tips_amount = Some(25);
    let error = refused(intent, &fresh);
    assert_eq!(
        error.to_string(),
        "capture cp_1 is recorded here for 2.00 GBP but the fresh read shows 2.00 GBP with a tip of 0.25 GBP"
    );
}

#[test]
fn a_final_capture_status_that_changed_is_refused() {
    let intent = authorized()
        .capture(cid("cp_1"), gbp(200), now())
        .unwrap()
        .record_capture_outcome(&cid("cp_1"), CaptureOutcome::Declined)
        .unwrap();
    let mut fresh = intent.to_resource();
    fresh.captures.as_mut().unwrap()[0].status = CaptureStatus::Successful;
    fresh.status = PaymentIntentStatus::Captured;
    let error = refused(intent, &fresh);
    assert_eq!(error.code(), "reconcile_capture_status_changed");
    assert_eq!(
        error.to_string(),
        "capture cp_1 is Declined here, a final status, but Successful in the fresh read"
    );
}

#[test]
fn debug_is_code_and_message() {
    let intent = authorized();
    let mut fresh = intent.to_resource();
    fresh.id = Some("pi_2".into());
    let error = intent.reconcile_read(&fresh).unwrap_err();
    assert_eq!(
        format!("{error:?}"),
        "ReconcileError { code: \"reconcile_different_intent\", message: \"the fresh read is of intent pi_2, not of pi_1\" }"
    );
}

// ---- end to end against the simulated Dojo ---------------------------------------------

/// `GET /payment-intents/{id}` against the fake, as a client would send it.
fn get(dojo: &mut FakeDojo, id: &str) -> Vec<u8> {
    let reply = dojo.handle(
        "GET",
        &format!("/payment-intents/{id}"),
        &[("version", "2025-09-10")],
        b"",
    );
    assert_eq!(reply.status(), Some(200), "{reply:?}");
    reply.body().to_vec()
}

fn e2e_capture(fault: Fault) -> (FakeDojo, String, AnyPaymentIntent, Reconciled) {
    let mut dojo = FakeDojo::new(paid());
    let id = dojo.create(NewIntent::manual(1000));
    dojo.authorize(&id, paid()).unwrap();
    let intent = AnyPaymentIntent::from_json(&get(&mut dojo, &id)).unwrap();
    let (intent, prepared) = intent
        .prepare_capture(gbp(600), None, dojo.now(), v())
        .unwrap();
    dojo.fail_next(fault);
    let reply = dojo.handle_request(prepared.request());
    let intent = intent
        .record_capture_answer(prepared, reply.answer())
        .unwrap_err()
        .into_intent();
    assert!(intent.needs_read());
    let refused = intent
        .copied()
        .prepare_capture(gbp(600), None, dojo.now(), v())
        .unwrap_err();
    assert_eq!(refused.rule(), Rule::OutcomeUnknown);
    // A read at once binds what landed; one that starts after the horizon
    // releases what did not (D22).
    let body = get(&mut dojo, &id);
    let (intent, first) = intent
        .reconcile_read_json_started(&body, ReadStart::at(dojo.now()))
        .unwrap();
    check_intent(&intent).unwrap();
    if !first.captures_bound().is_empty() {
        assert!(!intent.needs_read());
        return (dojo, id, intent, first);
    }
    assert!(
        first.captures_released().is_empty(),
        "released before the horizon"
    );
    let horizon = first.settle_after().unwrap();
    dojo.set_now(horizon + SignedDuration::from_secs(1));
    let body = get(&mut dojo, &id);
    let (intent, report) = intent
        .reconcile_read_json_started(&body, ReadStart::at(dojo.now()))
        .unwrap();
    check_intent(&intent).unwrap();
    assert!(!intent.needs_read());
    (dojo, id, intent, report)
}

#[test]
fn e2e_a_capture_applied_then_timed_out_is_bound_not_made_twice() {
    let (mut dojo, id, intent, report) = e2e_capture(Fault::TimeoutAfterApply);
    assert_eq!(report.captures_bound().len(), 1);
    assert_eq!(dojo.intent(&id).captures.len(), 1);
    assert_eq!(intent.in_flight().minor_units(), dojo.in_flight_total(&id));
    // The rest can be captured; the same 600 again would pass the amount.
    assert_eq!(intent.capturable(), gbp(400));
    let refused = intent
        .copied()
        .prepare_capture(gbp(600), None, dojo.now(), v())
        .unwrap_err();
    assert_eq!(refused.rule(), Rule::OverCapture);
    let (intent, prepared) = intent
        .prepare_capture(gbp(400), None, dojo.now(), v())
        .unwrap();
    let reply = dojo.handle_request(prepared.request());
    let (intent, _) = intent
        .record_capture_answer(prepared, reply.answer())
        .unwrap();
    assert_eq!(dojo.intent(&id).captures.len(), 2);
    assert_eq!(intent.in_flight().minor_units(), dojo.in_flight_total(&id));
    dojo.check_invariants().unwrap();
}

#[test]
fn e2e_a_capture_timed_out_before_dojo_is_released_and_made_once_by_the_retry() {
    let (mut dojo, id, intent, report) = e2e_capture(Fault::TimeoutBeforeApply);
    assert_eq!(report.captures_released(), &[0]);
    assert!(dojo.intent(&id).captures.is_empty());
    assert_eq!(intent.capturable(), gbp(1000));
    let (intent, prepared) = intent
        .prepare_capture(gbp(600), None, dojo.now(), v())
        .unwrap();
    let reply = dojo.handle_request(prepared.request());
    let (intent, _) = intent
        .record_capture_answer(prepared, reply.answer())
        .unwrap();
    assert_eq!(dojo.intent(&id).captures.len(), 1);
    assert_eq!(intent.in_flight().minor_units(), dojo.in_flight_total(&id));
    dojo.check_invariants().unwrap();
}

#[test]
fn e2e_a_refund_applied_then_timed_out_is_matched_and_its_retry_is_a_replay() {
    let mut dojo = FakeDojo::new(paid());
    let id = dojo.create(NewIntent::auto(1000));
    dojo.authorize(&id, paid()).unwrap();
    let intent = AnyPaymentIntent::from_json(&get(&mut dojo, &id)).unwrap();
    let (intent, prepared) = intent
        .prepare_refund(key("rf-1"), gbp(300), RefundDetails::default(), v())
        .unwrap();
    dojo.fail_next(Fault::TimeoutAfterApply);
    let reply = dojo.handle_request(prepared.request());
    let intent = intent
        .record_refund_answer(prepared, reply.answer())
        .unwrap_err()
        .into_intent();
    let (intent, report) = intent.reconcile_read_json(&get(&mut dojo, &id)).unwrap();
    check_intent(&intent).unwrap();
    assert_eq!(report.refunds_matched(), &[key("rf-1")]);
    assert_eq!(intent.refunded().minor_units(), dojo.refunded_total(&id));
    // A retry with the key is a replay here, and would be one at Dojo.
    let intent = intent.refund(key("rf-1"), gbp(300)).unwrap();
    assert_eq!(intent.refunded(), gbp(300));
    assert_eq!(dojo.refund_applied(&id, "rf-1"), 1);
}

#[test]
fn every_awaited_operation_is_named() {
    let (intent, _p) = created().prepare_cancel(v()).unwrap();
    let error = refused(intent, &created().to_resource());
    assert_eq!(
        error.to_string(),
        "a prepared cancel awaits its answer: record it before reconciling, or the request could still arrive after the read"
    );
    let (intent, _p) = created().prepare_change_amount(gbp(700), v()).unwrap();
    let error = refused(intent, &created().to_resource());
    assert!(
        error
            .to_string()
            .starts_with("a prepared change of amount awaits")
    );
    let tipping = PaymentIntent::new(gbp(1000), CaptureMode::Manual)
        .with_id("pi_1")
        .with_tips_allowed(true)
        .into_any();
    let fresh = tipping.to_resource();
    let (intent, _p) = tipping.prepare_change_tips(gbp(100), v()).unwrap();
    let error = refused(intent, &fresh);
    assert!(
        error
            .to_string()
            .starts_with("a prepared change of tip awaits")
    );
}

#[test]
fn e2e_a_capture_by_another_worker_is_adopted() {
    let mut dojo = FakeDojo::new(paid());
    let id = dojo.create(NewIntent::manual(1000));
    dojo.authorize(&id, paid()).unwrap();
    let mine = AnyPaymentIntent::from_json(&get(&mut dojo, &id)).unwrap();
    let theirs = mine.copied();
    let (theirs, prepared) = theirs
        .prepare_capture(gbp(300), None, dojo.now(), v())
        .unwrap();
    let reply = dojo.handle_request(prepared.request());
    let (_theirs, capture_id) = theirs
        .record_capture_answer(prepared, reply.answer())
        .unwrap();
    let (mine, report) = mine.reconcile_read_json(&get(&mut dojo, &id)).unwrap();
    check_intent(&mine).unwrap();
    assert_eq!(report.captures_adopted(), &[capture_id]);
    assert_eq!(mine.capturable(), gbp(700));
    assert_eq!(mine.in_flight().minor_units(), dojo.in_flight_total(&id));
}
