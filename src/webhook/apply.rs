//! What a webhook event about an intent asks of the service: the verdict
//! of applying it to the stored intent.
//!
//! A webhook says *that* something changed, never what: no event carries a
//! capture id or an amount. So an event never changes the intent's
//! figures; it is judged against them, and at most remembered by its id so
//! that a redelivery is recognised.

use std::fmt;

use jiff::Timestamp;

use super::WebhookEvent;
use crate::any::AnyPaymentIntent;
use crate::intent::PaymentIntent;
use crate::ledger::{Ledger, Phase, SEEN_EVENTS_LIMIT};
use crate::lifecycle::reachable;
use crate::state::{IntentState, State};
use crate::wire::PaymentIntentStatus;

impl AnyPaymentIntent {
    /// After a webhook delivery was verified: judges its event against the
    /// intent and says what to do; see [`PaymentIntent::apply_webhook`].
    ///
    /// ```
    /// use dojo_capture::webhook::{self, WebhookSecret};
    /// use dojo_capture::{AnyPaymentIntent, WebhookVerdict};
    ///
    /// let mut intent = AnyPaymentIntent::from_json(
    ///     br#"{"id": "pi_1", "status": "Captured", "captureMode": "Auto",
    ///          "amount": {"value": 1000, "currencyCode": "GBP"},
    ///          "createdAt": "2024-07-25T08:49:20Z"}"#,
    /// )?;
    /// let secrets = [WebhookSecret::new("ws_test")?];
    /// let body = br#"{"id": "evt_0", "event": "payment_intent.created",
    ///                 "data": {"paymentIntentId": "pi_1", "paymentStatus": "Created"}}"#;
    /// let event = webhook::verify_event(body, secrets[0].sign(body), &secrets)?;
    /// // Delivered late: the intent is past Created.
    /// assert_eq!(intent.apply_webhook(&event), WebhookVerdict::Stale);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply_webhook(&mut self, event: &WebhookEvent) -> WebhookVerdict {
        self.ledger_mut().apply_event(
            event.id(),
            event.payment_intent_id(),
            event.created_at(),
            event.intent_status(),
        )
    }
}

impl<S: State> PaymentIntent<S> {
    /// After a webhook delivery was verified ([`webhook::verify_event`](super::verify_event)):
    /// judges its event against the intent and says what to do. The
    /// intent's figures and state never change (an event carries no amount
    /// and no capture id); its id is remembered, so that a redelivery is a
    /// [`Duplicate`](WebhookVerdict::Duplicate), which adds one to the
    /// [`revision`](Self::revision): write the intent back as after any change.
    ///
    /// In this order: [`OtherIntent`](WebhookVerdict::OtherIntent) when the event names another
    /// intent (nothing remembered); [`Duplicate`](WebhookVerdict::Duplicate) for an event id
    /// applied before; [`ReadAgain`](WebhookVerdict::ReadAgain) for a status the lifecycle does not
    /// know (`AuthChallenged`, `Declined`, …) or none;
    /// [`AlreadyKnown`](WebhookVerdict::AlreadyKnown) for a status Dojo may report for the intent
    /// as it is ([D4](crate::decisions#d4), [D13](crate::decisions#d13),
    /// [D17](crate::decisions#d17)); [`Impossible`](WebhookVerdict::Impossible) when the
    /// [lifecycle](crate::lifecycle) leads neither from the intent's state to the event's nor back;
    /// [`Stale`](WebhookVerdict::Stale) when the event's status is behind the intent's, or the
    /// event was sent before Dojo's `updatedAt` of the last read;
    /// [`ReadAgain`](WebhookVerdict::ReadAgain) for a status ahead.
    ///
    /// ```
    /// use dojo_capture::webhook::{self, WebhookSecret};
    /// use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent, WebhookVerdict};
    ///
    /// let mut intent = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Auto)
    ///     .with_id("pi_1")
    ///     .cancel();
    /// let secrets = [WebhookSecret::new("ws_test")?];
    /// let body = br#"{"id": "evt_9", "event": "payment_intent.status_updated",
    ///                 "data": {"paymentIntentId": "pi_1", "paymentStatus": "Captured"}}"#;
    /// let event = webhook::verify_event(body, secrets[0].sign(body), &secrets)?;
    /// // A canceled intent is never captured.
    /// assert_eq!(intent.apply_webhook(&event), WebhookVerdict::Impossible);
    /// assert_eq!(intent.revision(), 2, "canceled, then the event remembered");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply_webhook(&mut self, event: &WebhookEvent) -> WebhookVerdict {
        self.ledger_mut().apply_event(
            event.id(),
            event.payment_intent_id(),
            event.created_at(),
            event.intent_status(),
        )
    }
}

/// What to do with a webhook event, once its signature was verified; one
/// code per verdict, listed in the order they are decided.
///
/// ```
/// use dojo_capture::webhook::{self, WebhookSecret};
/// use dojo_capture::{AnyPaymentIntent, WebhookVerdict};
///
/// let mut intent = AnyPaymentIntent::from_json(&std::fs::read("docs/examples/manual-fresh.json")?)?;
/// let secrets = [WebhookSecret::new("ws_test")?];
/// let body = br#"{"id": "evt_1", "event": "payment_intent.status_updated",
///     "data": {"paymentIntentId": "pi_sandbox_Fr3shAuth0rIz3dK2pLm9Q", "paymentStatus": "Reversed"}}"#;
/// let event = webhook::verify_event(body, secrets[0].sign(body), &secrets)?;
/// // Ahead of the intent: read it again and reconcile.
/// assert_eq!(intent.apply_webhook(&event), WebhookVerdict::ReadAgain);
/// // Delivered again: nothing to do.
/// assert_eq!(intent.apply_webhook(&event), WebhookVerdict::Duplicate);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WebhookVerdict {
    /// The event is about another intent: it was applied to the wrong one.
    /// Nothing changes, not even the events remembered.
    OtherIntent,
    /// The event was applied before (Dojo delivers at least once): nothing to do.
    Duplicate,
    /// The intent already has the event's status: nothing to do.
    AlreadyKnown,
    /// The lifecycle cannot reach the event's status from the intent's, nor
    /// the intent's from the event's: the event and the intent contradict
    /// each other, a finding for a person, never a change.
    Impossible,
    /// The event is older than what is known: its status is behind the
    /// intent's, or it was sent before Dojo's `updatedAt` of the last read.
    /// Nothing to do.
    Stale,
    /// The intent moved on at Dojo (a status ahead of it, or one the crate
    /// does not know): read it again (`GET`) and reconcile the read.
    ReadAgain,
}

impl WebhookVerdict {
    /// A stable snake_case name, e.g. `"read_again"`.
    ///
    /// ```
    /// use dojo_capture::WebhookVerdict;
    ///
    /// assert_eq!(WebhookVerdict::ReadAgain.code(), "read_again");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            WebhookVerdict::OtherIntent => "other_intent",
            WebhookVerdict::Duplicate => "duplicate",
            WebhookVerdict::AlreadyKnown => "already_known",
            WebhookVerdict::Impossible => "impossible",
            WebhookVerdict::Stale => "stale",
            WebhookVerdict::ReadAgain => "read_again",
        }
    }

    /// Whether the service should read the intent again from Dojo.
    ///
    /// ```
    /// use dojo_capture::WebhookVerdict;
    ///
    /// assert!(WebhookVerdict::ReadAgain.needs_read());
    /// assert!(!WebhookVerdict::Stale.needs_read());
    /// ```
    pub const fn needs_read(self) -> bool {
        matches!(self, WebhookVerdict::ReadAgain)
    }
}

impl fmt::Display for WebhookVerdict {
    /// The code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The lifecycle state a status word names, with the decisions' readings: Dojo may still say
/// `Authorized` after a partial capture ([D4](crate::decisions#d4)) or refund
/// ([D13](crate::decisions#d13)), and `Captured` while the only capture is in flight
/// ([D17](crate::decisions#d17)).
fn named(status: PaymentIntentStatus) -> IntentState {
    match status {
        PaymentIntentStatus::Created => IntentState::Created,
        PaymentIntentStatus::Authorized => IntentState::Authorized,
        PaymentIntentStatus::Captured => IntentState::Captured,
        PaymentIntentStatus::Refunded => IntentState::Refunded,
        PaymentIntentStatus::Reversed => IntentState::Reversed,
        PaymentIntentStatus::Canceled => IntentState::Canceled,
    }
}

impl Ledger {
    /// The statuses Dojo may report for the intent as the ledger knows it.
    fn reports(&self, status: PaymentIntentStatus) -> bool {
        let captured = !self.captured().is_zero();
        let in_flight = !self.in_flight().is_zero();
        if self.phase == Phase::Released {
            return status == PaymentIntentStatus::Reversed;
        }
        match self.state() {
            IntentState::Authorized => {
                status == PaymentIntentStatus::Authorized
                    || (in_flight && status == PaymentIntentStatus::Captured)
            }
            IntentState::Captured => matches!(
                status,
                PaymentIntentStatus::Captured | PaymentIntentStatus::Authorized
            ),
            IntentState::Refunded => {
                matches!(
                    status,
                    PaymentIntentStatus::Refunded | PaymentIntentStatus::Captured
                ) || (captured && status == PaymentIntentStatus::Authorized)
            }
            state => named(status) == state,
        }
    }

    /// Judges an event about intent `intent_id`, sent at `sent_at`, saying
    /// the intent's status is `status` (`None`: a word the crate does not
    /// know), and remembers its id unless it was about another intent or
    /// seen before.
    pub(crate) fn apply_event(
        &mut self,
        event_id: &str,
        intent_id: &str,
        sent_at: Option<Timestamp>,
        status: Option<PaymentIntentStatus>,
    ) -> WebhookVerdict {
        // An intent without Dojo's id cannot tell: the event is judged.
        if self.id.as_deref().is_some_and(|id| id != intent_id) {
            return WebhookVerdict::OtherIntent;
        }
        if self.seen_events.iter().any(|seen| &**seen == event_id) {
            return WebhookVerdict::Duplicate;
        }
        let verdict = self.judge_event(sent_at, status);
        self.remember_event(event_id);
        verdict
    }

    fn judge_event(
        &self,
        sent_at: Option<Timestamp>,
        status: Option<PaymentIntentStatus>,
    ) -> WebhookVerdict {
        // A status the crate does not know (AuthChallenged, Declined, …)
        // cannot be judged; Dojo's intent can.
        let Some(status) = status else {
            return WebhookVerdict::ReadAgain;
        };
        if self.reports(status) {
            return WebhookVerdict::AlreadyKnown;
        }
        let here = match self.phase {
            // Dojo reports a released intent as Reversed (D17).
            Phase::Released => IntentState::Reversed,
            _ => self.state(),
        };
        let there = named(status);
        let ahead = reachable(here, there);
        let behind = reachable(there, here);
        if !ahead && !behind {
            return WebhookVerdict::Impossible;
        }
        let before_last_read = match (sent_at, self.updated_at.as_deref()) {
            (Some(sent), Some(updated)) => crate::wire::time::parse(updated)
                .ok()
                .flatten()
                .is_some_and(|updated| sent < updated),
            _ => false,
        };
        if behind || before_last_read {
            WebhookVerdict::Stale
        } else {
            WebhookVerdict::ReadAgain
        }
    }

    /// Remembers an event id, forgetting the oldest past
    /// [`SEEN_EVENTS_LIMIT`]. An id a stored record could not hold (empty,
    /// or longer than Dojo's ever are) is judged but not remembered.
    fn remember_event(&mut self, event_id: &str) {
        if event_id.is_empty() || event_id.chars().count() > crate::storage::MAX_EVENT_ID_CHARS {
            return;
        }
        if self.seen_events.len() >= SEEN_EVENTS_LIMIT {
            self.seen_events.remove(0);
        }
        self.seen_events.push(event_id.into());
        self.changed();
    }
}
