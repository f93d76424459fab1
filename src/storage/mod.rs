//! The crate's own storage format: an intent written to a database and read
//! back exactly, with everything the crate knows beyond Dojo.
//!
//! Dojo's JSON ([`AnyPaymentIntent::to_resource`]) has no place for refund
//! idempotency keys, prepared operations or the webhook events already
//! applied: an intent stored that way forgets them, and after a restart a
//! retried refund would be judged as a new one. The stored record keeps
//! them, with a [`revision`](AnyPaymentIntent::revision) for optimistic
//! concurrency. `docs/storage.md` describes the format field by field, and
//! `docs/storage.schema.json` is its JSON Schema.
//!
//! Reading a record back is checked rehydration, like reading Dojo's JSON:
//! Dojo's facts go through the same checks as a `GET` answer, and what only
//! the crate knows is checked against them. A record that does not add up
//! is refused with a [`RehydrateError`] naming the field and the rule.

mod decode;
mod record;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::any::AnyPaymentIntent;
use crate::encode::format_time_span;
use crate::intent::PaymentIntent;
use crate::ledger::{AutoExpiry, Ledger, PendingKind};
use crate::rehydrate::RehydrateError;
use crate::rehydrate::error::Kind;
use crate::state::State;
use crate::wire::intent::without_bom;

use record::{Record, StoredOperation};

/// The format this version of the crate writes and reads.
pub(crate) const FORMAT: u64 = 1;

/// The longest webhook event id remembered; Dojo's are about 26 characters.
pub(crate) const MAX_EVENT_ID_CHARS: usize = 100;

impl AnyPaymentIntent {
    /// The intent as the crate stores it (`docs/storage.md`): Dojo's facts,
    /// refund keys, prepared operations, the webhook events already applied
    /// and the revision. The same intent always gives the same bytes.
    ///
    /// ```
    /// use dojo_capture::{AnyPaymentIntent, CaptureMode, Currency, Money, PaymentIntent};
    ///
    /// let intent = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual)
    ///     .with_id("pi_1")
    ///     .into_any();
    /// let stored = intent.to_stored_json();
    /// assert!(stored.starts_with(r#"{"format":1,"revision":0,"id":"pi_1""#));
    /// assert_eq!(AnyPaymentIntent::from_stored_json(stored.as_bytes()).unwrap(), intent);
    /// ```
    pub fn to_stored_json(&self) -> String {
        self.ledger().to_stored_json()
    }

    /// Reads an intent written by [`to_stored_json`](Self::to_stored_json)
    /// (or by `serde` through [`Serialize`]), checking it as Dojo's JSON is
    /// checked.
    ///
    /// # Errors
    /// Malformed JSON, a field the format does not have, a format other
    /// than 1 (`unsupported_storage_format`), any error of Dojo's JSON
    /// ([`from_json`](Self::from_json)), or facts of the crate's own that do
    /// not add up: refund keys twice, refunds or prepared operations beyond
    /// what the amounts allow, a prepared operation the state could not have
    /// prepared, a local id out of place, too many webhook event ids.
    ///
    /// ```
    /// use dojo_capture::AnyPaymentIntent;
    ///
    /// let json = br#"{"format":2,"revision":0}"#;
    /// let error = AnyPaymentIntent::from_stored_json(json).unwrap_err();
    /// assert_eq!(error.code(), "unsupported_storage_format");
    /// ```
    pub fn from_stored_json(bytes: &[u8]) -> Result<AnyPaymentIntent, RehydrateError> {
        let bytes = without_bom(bytes);
        // UTF-8 checked once, in bulk, as for Dojo's JSON; invalid UTF-8
        // goes to `from_slice` for its error, which says where.
        let decoded = match std::str::from_utf8(bytes) {
            Ok(text) => serde_json::from_str::<Record<'_>>(text),
            Err(_) => serde_json::from_slice::<Record<'_>>(bytes),
        };
        match decoded {
            Ok(record) => decode::ledger(&record)
                .map(|ledger| AnyPaymentIntent::from_ledger(Box::new(ledger))),
            // Only a refusal pays for a second look: a record of another
            // format is named as such, not as an unknown field.
            Err(error) => Err(other_format(bytes).unwrap_or_else(|| {
                RehydrateError::new(Kind::Json(error.to_string().into_boxed_str()))
            })),
        }
    }

    /// How many changes were applied to the intent since it was built or
    /// read from Dojo: every operation, prepared request, recorded answer,
    /// reconciled read or webhook event that changes the intent adds one; a
    /// refusal or a replay adds nothing.
    ///
    /// A worker writes a stored intent back only over the revision it
    /// loaded (`UPDATE … WHERE id = ? AND revision = ?`, see
    /// `docs/storage.md`); when the row has moved on, it lost a race and
    /// decides again on a fresh load.
    ///
    /// ```
    /// use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent};
    ///
    /// let intent = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    /// assert_eq!(intent.revision(), 0);
    /// let paid = intent.into_any().authorize("2024-07-25T08:49:20Z".parse().unwrap()).unwrap();
    /// assert_eq!(paid.revision(), 1);
    /// ```
    pub fn revision(&self) -> u64 {
        self.ledger().revision
    }

    /// Dojo's `updatedAt` from the last read of the intent, as Dojo wrote
    /// it; no rule reads it ([D15](crate::decisions#d15)), but a webhook older than it is stale.
    ///
    /// ```
    /// use dojo_capture::AnyPaymentIntent;
    ///
    /// let json = br#"{"status": "Created", "amount": {"value": 1000, "currencyCode": "GBP"},
    ///                 "updatedAt": "2024-07-25T08:49:20Z"}"#;
    /// let intent = AnyPaymentIntent::from_json(json).unwrap();
    /// assert_eq!(intent.updated_at(), Some("2024-07-25T08:49:20Z"));
    /// ```
    pub fn updated_at(&self) -> Option<&str> {
        self.ledger().updated_at.as_deref()
    }
}

impl<S: State> PaymentIntent<S> {
    /// The intent as the crate stores it; see [`AnyPaymentIntent::to_stored_json`].
    ///
    /// ```
    /// use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent};
    ///
    /// let intent = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Auto);
    /// assert!(intent.to_stored_json().contains(r#""status":"Created""#));
    /// ```
    pub fn to_stored_json(&self) -> String {
        self.ledger().to_stored_json()
    }

    /// How many changes were applied to the intent; see [`AnyPaymentIntent::revision`].
    ///
    /// ```
    /// use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent};
    ///
    /// let intent = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Auto);
    /// assert_eq!(intent.revision(), 0);
    /// ```
    pub fn revision(&self) -> u64 {
        self.ledger().revision
    }

    /// Dojo's `updatedAt`, as Dojo wrote it; see [`AnyPaymentIntent::updated_at`].
    ///
    /// ```
    /// use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent};
    ///
    /// let intent = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Auto);
    /// assert_eq!(intent.updated_at(), None);
    /// ```
    pub fn updated_at(&self) -> Option<&str> {
        self.ledger().updated_at.as_deref()
    }
}

/// A record of another format, when `bytes` is JSON with a `format` other than ours.
fn other_format(bytes: &[u8]) -> Option<RehydrateError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let found = value.get("format")?.as_u64()?;
    (found != FORMAT).then(|| RehydrateError::new(Kind::UnsupportedFormat { found }))
}

impl Ledger {
    fn to_stored_json(&self) -> String {
        // Every field is a string, a number, a boolean or a list of them,
        // with string keys: encoding cannot fail.
        serde_json::to_string(&self.record()).unwrap_or_else(|_| unreachable!())
    }

    fn record(&self) -> Record<'_> {
        let (status, tips_amount) = (self.wire_status(), self.tips);
        Record {
            format: FORMAT,
            revision: self.revision,
            id: self.id.as_deref().map(Into::into),
            capture_mode: self.mode,
            status,
            amount: self.amount,
            tips_amount: tips_amount.map(|t| t.minor_units()),
            refunded_amount: self.refunded.minor_units(),
            custom_amount_allowed: self.custom_amount_allowed,
            tips_allowed: self.tips_allowed,
            auto_expire_in: self.auto_expiry.map(|e| format_time_span(e.after()).into()),
            auto_expire_action: self.auto_expiry.map(AutoExpiry::action),
            paid_at: self.paid_at,
            updated_at: self.updated_at.as_deref().map(Into::into),
            captures: self
                .captures
                .iter()
                .map(|c| record::Capture {
                    id: c.id.as_ref().map(|id| id.as_str().into()),
                    amount: c.amount.minor_units(),
                    tips_amount: c.tips.map(|t| t.minor_units()),
                    status: c.status,
                    created_at: c.created_at,
                })
                .collect(),
            refunds: self
                .refunds
                .iter()
                .map(|r| record::Refund {
                    idempotency_key: r.key.as_str().into(),
                    amount: r.amount.minor_units(),
                    refund_id: r.refund_id.as_deref().map(Into::into),
                })
                .collect(),
            released_refunds: self
                .released_refunds
                .iter()
                .map(|r| record::ReleasedRefund {
                    idempotency_key: r.key.as_str().into(),
                    amount: r.amount.minor_units(),
                })
                .collect(),
            pending_captures: self
                .pending
                .iter()
                .map(|p| record::PendingCapture {
                    local_id: p.local_id,
                    amount: p.amount.minor_units(),
                    tips_amount: p.tips.map(|t| t.minor_units()),
                    prepared_at: p.prepared_at,
                    outcome_unknown: p.outcome_unknown,
                    settle_horizon: p.settle_horizon,
                })
                .collect(),
            pending_refunds: self
                .pending_refunds
                .iter()
                .map(|p| record::PendingRefund {
                    idempotency_key: p.key.as_str().into(),
                    amount: p.amount.minor_units(),
                    refund_reason: p.details.reason().map(Into::into),
                    notes: p.details.notes().map(Into::into),
                    outcome_unknown: p.outcome_unknown,
                    settle_horizon: p.settle_horizon,
                })
                .collect(),
            pending_operation: self.pending_operation.as_ref().map(|p| {
                let (operation, amount) = match p.kind {
                    PendingKind::Reversal => (StoredOperation::Reverse, None),
                    PendingKind::Cancel => (StoredOperation::Cancel, None),
                    PendingKind::ChangeAmount(amount) => {
                        (StoredOperation::ChangeAmount, Some(amount.minor_units()))
                    }
                    PendingKind::ChangeTips(tips) => {
                        (StoredOperation::ChangeTips, Some(tips.minor_units()))
                    }
                };
                record::PendingOperation {
                    local_id: p.local_id,
                    operation,
                    amount,
                    outcome_unknown: p.outcome_unknown,
                    settle_horizon: p.settle_horizon,
                }
            }),
            next_local_id: self.next_local_id,
            seen_events: self
                .seen_events
                .iter()
                .map(|id| id.as_ref().into())
                .collect(),
        }
    }
}

impl Serialize for AnyPaymentIntent {
    /// The stored record of [`AnyPaymentIntent::to_stored_json`].
    fn serialize<Se: Serializer>(&self, serializer: Se) -> Result<Se::Ok, Se::Error> {
        self.ledger().record().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for AnyPaymentIntent {
    /// The checks of [`AnyPaymentIntent::from_stored_json`]; a refusal is a
    /// custom error whose message starts with the [`RehydrateError`] code.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let record = Record::deserialize(deserializer)?;
        decode::ledger(&record)
            .map(|ledger| AnyPaymentIntent::from_ledger(Box::new(ledger)))
            .map_err(|e| serde::de::Error::custom(format_args!("{}: {e}", e.code())))
    }
}

impl<S: State> Serialize for PaymentIntent<S> {
    /// The stored record of [`AnyPaymentIntent::to_stored_json`].
    fn serialize<Se: Serializer>(&self, serializer: Se) -> Result<Se::Ok, Se::Error> {
        self.ledger().record().serialize(serializer)
    }
}

impl<'de, S: State> Deserialize<'de> for PaymentIntent<S> {
    /// A stored record read as an [`AnyPaymentIntent`], then asked for the
    /// state `S`: a record in another state is refused (`wrong_state`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        AnyPaymentIntent::deserialize(deserializer)?
            .try_into_state::<S>()
            .map_err(|e| serde::de::Error::custom(format_args!("{}: {e}", e.code())))
    }
}
