//! Re-encoding: an intent back into the wire shape Dojo uses, so that what
//! the crate holds can be stored, sent to a webhook consumer or compared with
//! a fresh `GET`, and rehydrated again to the same state.

use jiff::SignedDuration;

use crate::any::AnyPaymentIntent;
use crate::intent::PaymentIntent;
use crate::ledger::{AutoExpiry, Ledger, Phase};
use crate::state::{IntentState, State};
use crate::wire::{
    CaptureDetails, IntentConfig, PaymentConfig, PaymentDetails, PaymentIntentResource,
    PaymentIntentStatus,
};

impl AnyPaymentIntent {
    /// The intent as `GET /payment-intents/{id}` would return it.
    ///
    /// Rehydrating the result gives back the same state, amounts and
    /// captures. Refund idempotency keys are not part of Dojo's intent, so
    /// they are not carried: after a round trip a reused key is no longer
    /// recognised as a replay, while the refunded total still caps refunds.
    ///
    /// It writes only what Dojo knows: captures prepared whose answer has
    /// not been recorded, or was lost ([`pending_captures`](Self::pending_captures)),
    /// are not Dojo's captures and are left out, so their amount in flight is not
    /// carried either. A stored intent with a capture of unknown outcome
    /// must be read again from Dojo, not from the stored copy.
    ///
    /// ```
    /// use dojo_capture::{AnyPaymentIntent, wire::PaymentIntentStatus};
    ///
    /// let json = std::fs::read("docs/examples/manual-authorized.json")?;
    /// let intent = AnyPaymentIntent::from_json(&json)?;
    /// let resource = intent.to_resource();
    /// // The status the amounts imply, not the one Dojo wrote (D4).
    /// assert_eq!(resource.status, PaymentIntentStatus::Captured);
    /// let again = AnyPaymentIntent::from_json(&serde_json::to_vec(&resource)?)?;
    /// assert_eq!((again.captured(), again.in_flight()), (intent.captured(), intent.in_flight()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_resource(&self) -> PaymentIntentResource {
        self.ledger().to_resource()
    }
}

impl<S: State> PaymentIntent<S> {
    /// The intent as `GET /payment-intents/{id}` would return it, without
    /// pending captures (not Dojo's); see [`AnyPaymentIntent::to_resource`].
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    /// use dojo_capture::{Authorization, CaptureMode, Currency, Money, PaymentIntent};
    ///
    /// let gbp = |minor| Money::new(minor, Currency::GBP);
    /// let paid_at = "2024-07-25T08:49:20Z".parse()?;
    /// let Authorization::Manual(authorized) =
    ///     PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id("pi_1").authorize(paid_at)
    /// else {
    ///     unreachable!("a Manual intent is authorised, not captured")
    /// };
    /// let (authorized, _prepared) = authorized.prepare_capture(gbp(600), None, paid_at, ApiVersion::default())?;
    /// // A prepared capture is not Dojo's: it is not written.
    /// assert_eq!(authorized.to_resource().captures, Some(vec![]));
    /// assert_eq!(
    ///     authorized.to_resource().payment_details.and_then(|d| d.transaction_date_time),
    ///     Some(paid_at)
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_resource(&self) -> PaymentIntentResource {
        self.ledger().to_resource()
    }
}

impl Ledger {
    /// The status Dojo would report for the intent.
    pub(crate) fn wire_status(&self) -> PaymentIntentStatus {
        // The status is the derived state (D4): Dojo may still say Authorized
        // after a partial capture, but the crate reports what the amounts imply.
        match self.state() {
            // Dojo said Reversed after a partial capture; that is what it
            // says again, so the released remainder stays closed (D17).
            _ if self.phase == Phase::Released => PaymentIntentStatus::Reversed,
            IntentState::Created => PaymentIntentStatus::Created,
            IntentState::Authorized => PaymentIntentStatus::Authorized,
            IntentState::Captured => PaymentIntentStatus::Captured,
            IntentState::Refunded => PaymentIntentStatus::Refunded,
            IntentState::Reversed => PaymentIntentStatus::Reversed,
            IntentState::Canceled => PaymentIntentStatus::Canceled,
        }
    }

    fn to_resource(&self) -> PaymentIntentResource {
        let status = self.wire_status();
        let captures = self
            .captures
            .iter()
            .map(|c| CaptureDetails {
                id: c.id.as_ref().map(|id| id.as_str().to_owned()),
                amount: c.amount.minor_units(),
                tips_amount: c.tips.map(|t| t.minor_units()),
                status: c.status,
                created_at: c.created_at,
            })
            .collect();
        PaymentIntentResource {
            id: self.id.as_deref().map(str::to_owned),
            capture_mode: Some(self.mode),
            status,
            amount: Some(self.amount),
            total_amount: None,
            requested_amount: None,
            tips_amount: self.tips,
            refunded_amount: Some(self.refunded.minor_units()),
            created_at: None,
            updated_at: self.updated_at.as_deref().map(str::to_owned),
            expire_at: None,
            auto_expire_in: self.auto_expiry.map(|e| format_time_span(e.after())),
            auto_expire_action: self.auto_expiry.map(AutoExpiry::action),
            // D11: the payment time travels as the transaction time, which
            // rehydration prefers over `createdAt`.
            payment_details: self.paid_at.map(|at| PaymentDetails {
                transaction_date_time: Some(at),
                ..PaymentDetails::default()
            }),
            config: Some(IntentConfig {
                payment: Some(PaymentConfig {
                    custom_amount_allowed: Some(self.custom_amount_allowed),
                    tips_allowed: Some(self.tips_allowed),
                }),
            }),
            reference: None,
            description: None,
            captures: Some(captures),
        }
    }
}

/// `[dd.]hh:MM:ss[.fffffff]`, the .NET time span Dojo sends in `autoExpireIn`.
/// Exact: [`AutoExpiry`] only holds whole multiples of the span's 100 ns tick.
pub(crate) fn format_time_span(span: SignedDuration) -> String {
    let whole = span.as_secs().unsigned_abs();
    let (days, hours) = (whole / 86_400, whole / 3_600 % 24);
    let (minutes, seconds) = (whole / 60 % 60, whole % 60);
    let mut text = if days > 0 {
        format!("{days:02}.{hours:02}:{minutes:02}:{seconds:02}")
    } else {
        format!("{hours:02}:{minutes:02}:{seconds:02}")
    };
    let ticks = span.subsec_nanos().unsigned_abs() / 100;
    if ticks > 0 {
        text.push_str(&format!(".{ticks:07}"));
    }
    text
}
