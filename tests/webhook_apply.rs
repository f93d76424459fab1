//! Applying a verified webhook event to a stored intent: one test per
//! verdict, in the order they are decided, and a property that an event
//! never changes an intent's figures, only the events it remembers.

mod common;
use common::Copied;

use common::invariants::{check_stored, facts};
use common::proptest_config;
use dojo_capture::webhook::{self, WebhookSecret};
use dojo_capture::{AnyPaymentIntent, SEEN_EVENTS_LIMIT, WebhookEvent, WebhookVerdict};
use proptest::prelude::*;
use serde_json::json;

fn secret() -> WebhookSecret {
    WebhookSecret::new("ws_apply").expect("secret")
}

/// A verified event about `intent_id` saying `status`, sent at `at`.
fn event(id: &str, intent_id: &str, status: Option<&str>, at: Option<&str>) -> WebhookEvent {
    let mut data = json!({"paymentIntentId": intent_id, "captureMode": "Manual"});
    if let Some(status) = status {
        data["paymentStatus"] = json!(status);
    }
    let mut body = json!({"id": id, "event": "payment_intent.status_updated", "accountId": "acc_1", "data": data});
    if let Some(at) = at {
        body["createdAt"] = json!(at);
    }
    let body = body.to_string().into_bytes();
    let secrets = [secret()];
    webhook::verify_event(&body, secrets[0].sign(&body), &secrets).expect("a signed event")
}

fn intent(status: &str, extra: serde_json::Value) -> AnyPaymentIntent {
    let mut body = json!({
        "id": "pi_1", "status": status, "captureMode": "Manual",
        "amount": {"value": 1000, "currencyCode": "GBP"},
        "createdAt": "2024-07-25T08:49:20Z",
    });
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    AnyPaymentIntent::from_json(body.to_string().as_bytes()).expect("intent")
}

fn verdict(intent: &AnyPaymentIntent, status: Option<&str>, at: Option<&str>) -> WebhookVerdict {
    intent
        .copied()
        .apply_webhook(&event("evt_x", "pi_1", status, at))
}

#[test]
fn an_event_about_another_intent_changes_nothing() {
    let mut authorized = intent("Authorized", json!({}));
    let before = authorized.copied();
    let other = event("evt_1", "pi_2", Some("Captured"), None);
    assert_eq!(
        authorized.apply_webhook(&other),
        WebhookVerdict::OtherIntent
    );
    assert_eq!(authorized, before, "not even remembered");
}

#[test]
fn an_event_delivered_again_is_a_duplicate_and_adds_one_revision_the_first_time() {
    let mut authorized = intent("Authorized", json!({}));
    let captured = event("evt_1", "pi_1", Some("Captured"), None);
    assert_eq!(
        authorized.apply_webhook(&captured),
        WebhookVerdict::ReadAgain
    );
    assert_eq!(authorized.revision(), 1);
    let stored = authorized.to_stored_json();
    assert!(stored.contains(r#""seenEvents":["evt_1"]"#), "{stored}");
    // After a restart too: the id is in the stored record.
    let mut restarted = AnyPaymentIntent::from_stored_json(stored.as_bytes()).expect("stored");
    assert_eq!(
        restarted.apply_webhook(&captured),
        WebhookVerdict::Duplicate
    );
    assert_eq!(restarted.revision(), 1, "a duplicate changes nothing");
}

#[test]
fn a_status_the_lifecycle_does_not_know_or_none_asks_for_a_read() {
    let authorized = intent("Authorized", json!({}));
    assert_eq!(
        verdict(&authorized, Some("Declined"), None),
        WebhookVerdict::ReadAgain
    );
    assert_eq!(
        verdict(&authorized, Some("Pending"), None),
        WebhookVerdict::ReadAgain
    );
    assert_eq!(verdict(&authorized, None, None), WebhookVerdict::ReadAgain);
}

#[test]
fn a_status_dojo_may_report_for_the_intent_as_it_is_is_already_known() {
    let capture = |status: &str| json!([{"id": "cp_1", "amount": 400, "status": status}]);
    let authorized = intent("Authorized", json!({}));
    assert_eq!(
        verdict(&authorized, Some("Authorized"), None),
        WebhookVerdict::AlreadyKnown
    );
    // D17: Captured while the only capture is in flight.
    let in_flight = intent("Authorized", json!({"captures": capture("Created")}));
    assert_eq!(
        verdict(&in_flight, Some("Captured"), None),
        WebhookVerdict::AlreadyKnown
    );
    // D4: Authorized after a partial capture.
    let partly = intent("Captured", json!({"captures": capture("Successful")}));
    assert_eq!(
        verdict(&partly, Some("Authorized"), None),
        WebhookVerdict::AlreadyKnown
    );
    assert_eq!(
        verdict(&partly, Some("Captured"), None),
        WebhookVerdict::AlreadyKnown
    );
    // D13: Captured after a partial refund.
    let refunded = intent(
        "Refunded",
        json!({"captures": capture("Successful"), "refundedAmount": 100}),
    );
    assert_eq!(
        verdict(&refunded, Some("Captured"), None),
        WebhookVerdict::AlreadyKnown
    );
    // D17: a partly captured Manual intent released at expiry says Reversed.
    let released = intent("Reversed", json!({"captures": capture("Successful")}));
    assert_eq!(
        verdict(&released, Some("Reversed"), None),
        WebhookVerdict::AlreadyKnown
    );
    // Nothing captured: Authorized does not stand for a capture.
    assert_eq!(
        verdict(&authorized, Some("Captured"), None),
        WebhookVerdict::ReadAgain
    );
}

#[test]
fn a_status_the_lifecycle_cannot_reach_either_way_is_impossible() {
    let canceled = intent("Canceled", json!({}));
    assert_eq!(
        verdict(&canceled, Some("Captured"), None),
        WebhookVerdict::Impossible
    );
    let authorized = intent("Authorized", json!({}));
    assert_eq!(
        verdict(&authorized, Some("Canceled"), None),
        WebhookVerdict::Impossible
    );
    let reversed = intent("Reversed", json!({}));
    assert_eq!(
        verdict(&reversed, Some("Canceled"), None),
        WebhookVerdict::Impossible
    );
}

#[test]
fn a_status_behind_the_intent_or_an_event_older_than_the_last_read_is_stale() {
    let captured = intent(
        "Captured",
        json!({"captures": [{"id": "cp_1", "amount": 1000, "status": "Successful"}]}),
    );
    assert_eq!(
        verdict(&captured, Some("Created"), None),
        WebhookVerdict::Stale
    );
    let read_at_ten = intent("Authorized", json!({"updatedAt": "2024-07-25T10:00:00Z"}));
    assert_eq!(
        verdict(&read_at_ten, Some("Captured"), Some("2024-07-25T09:59:59Z")),
        WebhookVerdict::Stale,
        "sent before the read that still said Authorized"
    );
    // An offset-less time is UTC.
    assert_eq!(
        verdict(&read_at_ten, Some("Captured"), Some("2024-07-25T09:59:59")),
        WebhookVerdict::Stale
    );
    assert_eq!(
        verdict(&read_at_ten, Some("Captured"), Some("2024-07-25T10:00:01Z")),
        WebhookVerdict::ReadAgain
    );
    // An updatedAt that is not a time does not make anything stale.
    let unreadable = intent("Authorized", json!({"updatedAt": "yesterday"}));
    assert_eq!(
        verdict(&unreadable, Some("Captured"), Some("2024-07-25T09:59:59Z")),
        WebhookVerdict::ReadAgain
    );
}

#[test]
fn a_status_ahead_of_the_intent_asks_for_a_read() {
    let created = intent("Created", json!({"createdAt": null}));
    for status in ["Authorized", "Captured", "Refunded", "Reversed", "Canceled"] {
        assert_eq!(
            verdict(&created, Some(status), None),
            WebhookVerdict::ReadAgain,
            "{status}"
        );
    }
}

#[test]
fn the_intent_remembers_the_last_events_only_and_only_ids_a_record_can_hold() {
    let mut authorized = intent("Authorized", json!({}));
    for n in 0..=SEEN_EVENTS_LIMIT {
        let applied = authorized.apply_webhook(&event(
            &format!("evt_{n}"),
            "pi_1",
            Some("Authorized"),
            None,
        ));
        assert_eq!(applied, WebhookVerdict::AlreadyKnown);
    }
    check_stored(&authorized).expect("a full list is stored and read back");
    // The oldest was forgotten, the newest is remembered.
    let mut again = authorized.copied();
    assert_eq!(
        again.apply_webhook(&event("evt_0", "pi_1", Some("Authorized"), None)),
        WebhookVerdict::AlreadyKnown
    );
    assert_eq!(
        authorized.apply_webhook(&event(
            &format!("evt_{SEEN_EVENTS_LIMIT}"),
            "pi_1",
            Some("Authorized"),
            None
        )),
        WebhookVerdict::Duplicate
    );
    let long = "e".repeat(101);
    let before = authorized.copied();
    assert_eq!(
        authorized.apply_webhook(&event(&long, "pi_1", Some("Captured"), None)),
        WebhookVerdict::ReadAgain
    );
    assert_eq!(authorized, before, "judged, not remembered");
}

proptest! {
    #![proptest_config(proptest_config("webhook_apply", 512))]

    /// Whatever the event, the intent's figures and state stay; the stored
    /// record reads back; the revision moves by one exactly when the event
    /// was remembered.
    #[test]
    fn an_event_never_changes_the_figures(
        intent in dojo_capture::strategy::intent(),
        status in proptest::option::of(prop_oneof![
            Just("Created"), Just("Authorized"), Just("Captured"), Just("Refunded"),
            Just("Reversed"), Just("Canceled"), Just("Declined"), Just("ManualAuthReady"),
        ]),
        id in "evt_[a-z0-9]{1,8}",
        same_intent in any::<bool>(),
    ) {
        let intent_id = match (same_intent, intent.id()) {
            (true, Some(id)) => id.to_owned(),
            _ => "pi_elsewhere".to_owned(),
        };
        let event = event(&id, &intent_id, status, None);
        let mut after = intent.copied();
        let verdict = after.apply_webhook(&event);
        prop_assert_eq!(facts(&after), facts(&intent));
        check_stored(&after).map_err(TestCaseError::fail)?;
        let remembered = !matches!(verdict, WebhookVerdict::OtherIntent | WebhookVerdict::Duplicate);
        prop_assert_eq!(after.revision(), intent.revision() + u64::from(remembered));
        prop_assert_eq!(after.copied().apply_webhook(&event) == WebhookVerdict::Duplicate, remembered);
    }
}
