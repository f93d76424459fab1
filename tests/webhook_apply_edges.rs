//! The edges of applying a webhook event that tests/webhook_apply.rs leaves
//! open: each verdict's code and Display word for word, which verdict asks
//! for a read, the statuses of an intent Dojo released at expiry (D17), an
//! event sent at the very instant of the last read, an Authorized event on
//! a refunded intent (D13), and the longest event id a record holds.

use dojo_capture::webhook::{self, WebhookSecret};
use dojo_capture::{AnyPaymentIntent, IntentState, WebhookEvent, WebhookVerdict};
use serde_json::json;

mod common;
use common::Copied;

/// Every verdict, in the order they are decided, with its code.
const VERDICTS: [(WebhookVerdict, &str); 6] = [
    (WebhookVerdict::OtherIntent, "other_intent"),
    (WebhookVerdict::Duplicate, "duplicate"),
    (WebhookVerdict::AlreadyKnown, "already_known"),
    (WebhookVerdict::Impossible, "impossible"),
    (WebhookVerdict::Stale, "stale"),
    (WebhookVerdict::ReadAgain, "read_again"),
];

fn secret() -> WebhookSecret {
    WebhookSecret::new("ws_edges").expect("secret")
}

/// A verified event about `pi_1` saying `status`, sent at `at`.
fn event(id: &str, status: &str, at: Option<&str>) -> WebhookEvent {
    let mut body = json!({
        "id": id, "event": "payment_intent.status_updated", "accountId": "acc_1",
        "data": {"paymentIntentId": "pi_1", "paymentStatus": status},
    });
    if let Some(at) = at {
        body["createdAt"] = json!(at);
    }
    let body = body.to_string().into_bytes();
    let secrets = [secret()];
    webhook::verify_event(&body, secrets[0].sign(&body), &secrets).expect("a signed event")
}

/// Intent `pi_1`, Manual, of 10.00 GBP, as Dojo's JSON with `extra` fields.
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

/// The verdict on a copy of `intent`, for a fresh event id.
fn verdict(intent: &AnyPaymentIntent, status: &str, at: Option<&str>) -> WebhookVerdict {
    intent.copied().apply_webhook(&event("evt_x", status, at))
}

#[test]
fn every_verdict_has_its_code_and_displays_it() {
    for (verdict, code) in VERDICTS {
        assert_eq!(verdict.code(), code, "{verdict:?}");
        assert_eq!(verdict.to_string(), code, "{verdict:?}");
        assert_eq!(format!("[{verdict}]"), format!("[{code}]"), "{verdict:?}");
    }
}

#[test]
fn only_read_again_asks_for_a_read() {
    for (verdict, _) in VERDICTS {
        assert_eq!(
            verdict.needs_read(),
            verdict == WebhookVerdict::ReadAgain,
            "{verdict:?}"
        );
    }
}

/// D17: Dojo reports a partly captured Manual intent released at expiry as
/// Reversed, so the intent is judged as Reversed, not as the Captured its
/// figures alone would say: a Refunded event is behind it, not ahead.
#[test]
fn a_released_intent_is_judged_as_reversed() {
    let released = intent(
        "Reversed",
        json!({"captures": [{"id": "cp_1", "amount": 400, "status": "Successful"}]}),
    );
    assert_eq!(released.state(), IntentState::Captured, "its figures");
    for (status, expected) in [
        ("Reversed", WebhookVerdict::AlreadyKnown),
        ("Refunded", WebhookVerdict::Stale),
        ("Captured", WebhookVerdict::Stale),
        ("Authorized", WebhookVerdict::Stale),
        ("Created", WebhookVerdict::Stale),
        ("Canceled", WebhookVerdict::Impossible),
    ] {
        assert_eq!(verdict(&released, status, None), expected, "{status}");
    }
}

/// An event is stale only when sent strictly before Dojo's `updatedAt` of
/// the last read: one sent at that very instant may say more than the read.
#[test]
fn an_event_sent_at_the_instant_of_the_last_read_asks_for_a_read() {
    for (updated, sent, expected) in [
        (
            "2024-07-25T10:00:00Z",
            "2024-07-25T10:00:00Z",
            WebhookVerdict::ReadAgain,
        ),
        (
            "2024-07-25T10:00:00Z",
            "2024-07-25T09:59:59.999999999Z",
            WebhookVerdict::Stale,
        ),
        // Dojo's times carry seven decimals.
        (
            "2024-07-25T10:00:00.1234567Z",
            "2024-07-25T10:00:00.1234567Z",
            WebhookVerdict::ReadAgain,
        ),
        (
            "2024-07-25T10:00:00.1234567Z",
            "2024-07-25T10:00:00.1234566Z",
            WebhookVerdict::Stale,
        ),
    ] {
        let read = intent("Authorized", json!({"updatedAt": updated}));
        assert_eq!(
            verdict(&read, "Captured", Some(sent)),
            expected,
            "read at {updated}, sent at {sent}"
        );
    }
}

/// D13: after a partial refund of a captured intent Dojo may still say
/// Authorized, Captured or Refunded; all three are already known.
#[test]
fn a_refunded_intent_that_captured_something_already_knows_authorized() {
    let refunded = intent(
        "Refunded",
        json!({
            "captures": [{"id": "cp_1", "amount": 400, "status": "Successful"}],
            "refundedAmount": 100,
        }),
    );
    for status in ["Authorized", "Captured", "Refunded"] {
        assert_eq!(
            verdict(&refunded, status, None),
            WebhookVerdict::AlreadyKnown,
            "{status}"
        );
    }
    // Dojo captured an Auto intent itself: the whole amount is captured.
    let auto = AnyPaymentIntent::from_json(
        br#"{"id": "pi_1", "status": "Refunded", "captureMode": "Auto",
             "amount": {"value": 1000, "currencyCode": "GBP"}, "refundedAmount": 100,
             "createdAt": "2024-07-25T08:49:20Z"}"#,
    )
    .expect("intent");
    assert_eq!(
        verdict(&auto, "Authorized", None),
        WebhookVerdict::AlreadyKnown
    );
}

/// 100 characters, the most a stored record holds, is remembered: its
/// redelivery is a duplicate, also after a restart. Characters, not bytes.
#[test]
fn an_event_id_of_exactly_one_hundred_characters_is_remembered() {
    for id in ["e".repeat(100), "é".repeat(100)] {
        let mut authorized = intent("Authorized", json!({}));
        let delivered = event(&id, "Authorized", None);
        assert_eq!(
            authorized.apply_webhook(&delivered),
            WebhookVerdict::AlreadyKnown
        );
        assert_eq!(authorized.revision(), 1, "remembered: {id}");
        let stored = authorized.to_stored_json();
        assert!(
            stored.contains(&format!(r#""seenEvents":["{id}"]"#)),
            "{stored}"
        );
        let mut restarted = AnyPaymentIntent::from_stored_json(stored.as_bytes()).expect("stored");
        assert_eq!(
            restarted.apply_webhook(&delivered),
            WebhookVerdict::Duplicate,
            "{id}"
        );
        assert_eq!(restarted.revision(), 1);
    }
    // One more is judged, not remembered.
    let mut authorized = intent("Authorized", json!({}));
    let long = event(&"e".repeat(101), "Authorized", None);
    assert_eq!(
        authorized.apply_webhook(&long),
        WebhookVerdict::AlreadyKnown
    );
    assert_eq!(authorized.revision(), 0, "not remembered");
    assert_eq!(
        authorized.apply_webhook(&long),
        WebhookVerdict::AlreadyKnown
    );
}
