//! A stored record back into a ledger: checked rehydration.
//!
//! Dojo's facts in the record go through [`crate::rehydrate::rehydrate`],
//! the very checks a `GET` answer goes through; what only the crate knows
//! (refund keys, pending operations, the local counter, seen webhook
//! events) is then checked against those facts. A record is never trusted
//! because the crate wrote it: a database row can be edited, truncated or
//! written by another version.

use crate::ids::IdempotencyKey;
use crate::ledger::{
    Ledger, PendingCapture, PendingKind, PendingOperation, PendingRefund, Phase, RefundRecord,
    SEEN_EVENTS_LIMIT, no_zero_tip,
};
use crate::money::Money;
use crate::prepared::RefundDetails;
use crate::rehydrate::error::Kind;
use crate::rehydrate::{RehydrateError, non_negative, non_negative_at, rehydrate};
use crate::seen::Seen;
use crate::state::IntentState;
use crate::wire::{
    CaptureDetails, CaptureMode, IntentConfig, PaymentConfig, PaymentDetails,
    PaymentIntentResource, PaymentIntentStatus,
};

use super::record::{self, Record, StoredOperation};
use super::{FORMAT, MAX_EVENT_ID_CHARS};

pub(crate) fn ledger(record: &Record<'_>) -> Result<Ledger, RehydrateError> {
    if record.format != FORMAT {
        return Err(RehydrateError::new(Kind::UnsupportedFormat {
            found: record.format,
        }));
    }
    // D15: before payment there is no payment time. Dojo's JSON may carry a
    // `createdAt` there, which means nothing; the record writes none.
    if record.paid_at.is_some()
        && matches!(
            record.status,
            PaymentIntentStatus::Created | PaymentIntentStatus::Canceled
        )
    {
        return Err(RehydrateError::new(Kind::StatusContradictsAmounts {
            status: record.status,
            why: "an intent not paid yet has no payment time, yet paidAt is set",
        }));
    }
    let mut ledger = rehydrate(&dojo_facts(record)?)?;
    let currency = ledger.currency();
    let money = |field: &dyn Fn() -> String, minor: i64| -> Result<Money, RehydrateError> {
        let minor = non_negative_at(minor, field)?;
        if minor == 0 {
            return Err(RehydrateError::new(Kind::ZeroStoredAmount {
                field: field().into(),
            }));
        }
        Ok(Money::new(minor, currency))
    };
    let key = |field: &dyn Fn() -> String, text: &str| {
        IdempotencyKey::new(text).map_err(|e| {
            RehydrateError::new(Kind::InvalidStoredField {
                field: field().into(),
                why: e.to_string().into(),
            })
        })
    };
    let mut keys: Seen<&str> = Seen::new();
    let duplicate = |text: &str| RehydrateError::new(Kind::DuplicateRefundKey(text.into()));

    // Refunds recorded under their keys: part of refundedAmount, never more.
    let mut recorded: i128 = 0;
    let mut refund_ids: Seen<&str> = Seen::new();
    for (index, refund) in record.refunds.iter().enumerate() {
        let at = |field: &str| format!("refunds[{index}].{field}");
        let key = key(&|| at("idempotencyKey"), &refund.idempotency_key)?;
        if keys.repeated(&refund.idempotency_key) {
            return Err(duplicate(&refund.idempotency_key));
        }
        let amount = money(&|| at("amount"), refund.amount)?;
        recorded += i128::from(amount.minor_units());
        if let Some(id) = refund.refund_id.as_deref()
            && (id.is_empty() || refund_ids.repeated(id))
        {
            return Err(RehydrateError::new(Kind::InvalidStoredField {
                field: at("refundId").into(),
                why: "a refund id is Dojo's, not empty and not shared by two refunds".into(),
            }));
        }
        ledger.refunds.push(RefundRecord {
            key,
            amount,
            refund_id: refund.refund_id.as_deref().map(Into::into),
        });
    }
    if recorded > i128::from(ledger.refunded.minor_units()) {
        return Err(RehydrateError::new(Kind::RefundsExceedRefunded {
            recorded,
            refunded: ledger.refunded,
        }));
    }

    // Released refund keys (D24): each once among all keys, an amount each.
    for (index, released) in record.released_refunds.iter().enumerate() {
        let at = |field: &str| format!("releasedRefunds[{index}].{field}");
        let key = key(&|| at("idempotencyKey"), &released.idempotency_key)?;
        if keys.repeated(&released.idempotency_key) {
            return Err(duplicate(&released.idempotency_key));
        }
        let amount = money(&|| at("amount"), released.amount)?;
        ledger.released_refunds.push(RefundRecord {
            key,
            amount,
            refund_id: None,
        });
    }

    // The local counter names every pending capture and operation once.
    let mut local_ids: Seen<u64> = Seen::new();
    let mut local_id = |local_id: u64| {
        if local_id >= record.next_local_id || local_ids.repeated(local_id) {
            return Err(RehydrateError::new(Kind::InvalidLocalId {
                local_id,
                next: record.next_local_id,
            }));
        }
        Ok(local_id)
    };
    ledger.next_local_id = record.next_local_id;

    // Pending captures: only on an intent the merchant captures, and never
    // more in flight than the amount (D1).
    if !record.pending_captures.is_empty()
        && (ledger.mode == CaptureMode::Auto || ledger.phase != Phase::Paid)
    {
        return Err(not_possible(
            "capture",
            "only a paid Manual intent, not released, reversed or canceled, has captures prepared",
        ));
    }
    for (index, pending) in record.pending_captures.iter().enumerate() {
        let at = |field: &str| format!("pendingCaptures[{index}].{field}");
        let tips = match pending.tips_amount {
            Some(tips) => Some(Money::new(
                non_negative_at(tips, || at("tipsAmount"))?,
                currency,
            )),
            None => None,
        };
        ledger.pending.push(PendingCapture {
            local_id: local_id(pending.local_id)?,
            amount: money(&|| at("amount"), pending.amount)?,
            tips: no_zero_tip(tips),
            prepared_at: pending.prepared_at,
            outcome_unknown: pending.outcome_unknown,
            settle_horizon: known_outcome_has_no_horizon(
                pending.outcome_unknown,
                pending.settle_horizon,
                || at("settleHorizon"),
            )?,
        });
    }
    let taken = i128::from(ledger.captured().minor_units())
        + ledger
            .captures
            .iter()
            .filter(|c| c.status == crate::wire::CaptureStatus::Created)
            .map(|c| i128::from(c.amount.minor_units()))
            .sum::<i128>()
        + ledger
            .pending
            .iter()
            .filter(|p| !p.outcome_unknown)
            .map(|p| i128::from(p.amount.minor_units()))
            .sum::<i128>();
    // Captures of unknown outcome each fit, but not always together: of two
    // lost captures and one made elsewhere, Dojo takes what fits and refuses
    // the rest, and until a read tells which, each stays in flight (D22).
    let widest = ledger
        .pending
        .iter()
        .filter(|p| p.outcome_unknown)
        .map(|p| i128::from(p.amount.minor_units()))
        .max()
        .unwrap_or(0);
    if !ledger.pending.is_empty() && taken + widest > i128::from(ledger.amount.minor_units()) {
        return Err(RehydrateError::new(Kind::PendingCapturesExceedAmount {
            reserved: taken + widest,
            amount: ledger.amount,
        }));
    }

    // Pending refunds: keys unique among all refunds, and never more
    // reserved than what was taken and not yet given back (D2, D14).
    if !record.pending_refunds.is_empty()
        && !matches!(
            ledger.state(),
            IntentState::Captured | IntentState::Refunded
        )
    {
        return Err(not_possible(
            "refund",
            "only a captured or refunded intent has refunds prepared",
        ));
    }
    let mut reserved: i128 = 0;
    for (index, pending) in record.pending_refunds.iter().enumerate() {
        let at = |field: &str| format!("pendingRefunds[{index}].{field}");
        let key = key(&|| at("idempotencyKey"), &pending.idempotency_key)?;
        if keys.repeated(&pending.idempotency_key) {
            return Err(duplicate(&pending.idempotency_key));
        }
        let amount = money(&|| at("amount"), pending.amount)?;
        reserved += i128::from(amount.minor_units());
        let details =
            RefundDetails::new(pending.refund_reason.as_deref(), pending.notes.as_deref())
                .map_err(|e| {
                    RehydrateError::new(Kind::InvalidStoredField {
                        field: format!("pendingRefunds[{index}]").into(),
                        why: e.to_string().into(),
                    })
                })?;
        ledger.pending_refunds.push(PendingRefund {
            key,
            amount,
            details,
            outcome_unknown: pending.outcome_unknown,
            settle_horizon: known_outcome_has_no_horizon(
                pending.outcome_unknown,
                pending.settle_horizon,
                || at("settleHorizon"),
            )?,
        });
    }
    if reserved > 0 {
        let refunded = i128::from(ledger.refunded.minor_units());
        let taken = i128::from(ledger.captured().minor_units())
            + i128::from(ledger.captured_tips().minor_units());
        if refunded + reserved > taken || refunded + reserved > i128::from(i64::MAX) {
            return Err(RehydrateError::new(Kind::PendingRefundsExceedRefundable {
                reserved,
                refunded: ledger.refunded,
                taken,
            }));
        }
    }

    // The pending reversal, cancel or change: alone, and one the state allows.
    if let Some(pending) = &record.pending_operation {
        ledger.pending_operation = Some(pending_operation(&ledger, pending, &mut local_id)?);
    }

    // Webhook events already applied: few, and each once.
    if record.seen_events.len() > SEEN_EVENTS_LIMIT {
        return Err(seen_events(format!(
            "{} event ids, more than the {SEEN_EVENTS_LIMIT} an intent remembers",
            record.seen_events.len()
        )));
    }
    let mut events: Seen<&str> = Seen::new();
    for id in &record.seen_events {
        if id.is_empty() || id.chars().count() > MAX_EVENT_ID_CHARS {
            return Err(seen_events(format!(
                "event id {id:?} is empty or longer than {MAX_EVENT_ID_CHARS} characters"
            )));
        }
        if events.repeated(id) {
            return Err(seen_events(format!("event id {id:?} appears twice")));
        }
        ledger.seen_events.push(id.as_ref().into());
    }
    ledger.revision = record.revision;
    ledger.recount();
    Ok(ledger)
}

fn pending_operation(
    ledger: &Ledger,
    pending: &record::PendingOperation,
    local_id: &mut impl FnMut(u64) -> Result<u64, RehydrateError>,
) -> Result<PendingOperation, RehydrateError> {
    let currency = ledger.currency();
    let (name, kind) = match (pending.operation, pending.amount) {
        (StoredOperation::Reverse, None) => ("reversal", PendingKind::Reversal),
        (StoredOperation::Cancel, None) => ("cancel", PendingKind::Cancel),
        (StoredOperation::ChangeAmount, Some(minor)) if minor > 0 => (
            "change of amount",
            PendingKind::ChangeAmount(Money::new(minor, currency)),
        ),
        (StoredOperation::ChangeTips, Some(minor)) if minor >= 0 => (
            "change of tip",
            PendingKind::ChangeTips(Money::new(minor, currency)),
        ),
        (StoredOperation::Reverse | StoredOperation::Cancel, Some(_)) => {
            return Err(not_possible(
                "reversal or cancel",
                "it carries an amount, which only a change of amount or tip has",
            ));
        }
        (StoredOperation::ChangeAmount | StoredOperation::ChangeTips, _) => {
            return Err(not_possible(
                "change",
                "its amount is missing, negative, or zero for a change of amount",
            ));
        }
    };
    if !ledger.pending.is_empty() || !ledger.pending_refunds.is_empty() {
        return Err(not_possible(
            name,
            "no capture or refund is prepared beside a reversal, cancel or change (operation_pending)",
        ));
    }
    let allowed = match kind {
        PendingKind::Reversal => ledger.phase == Phase::Paid,
        PendingKind::Cancel | PendingKind::ChangeAmount(_) | PendingKind::ChangeTips(_) => {
            ledger.phase == Phase::Created
        }
    };
    if !allowed {
        return Err(not_possible(
            name,
            "a reversal is prepared only on a paid intent, a cancel or change only before payment",
        ));
    }
    Ok(PendingOperation {
        local_id: local_id(pending.local_id)?,
        kind,
        outcome_unknown: pending.outcome_unknown,
        settle_horizon: known_outcome_has_no_horizon(
            pending.outcome_unknown,
            pending.settle_horizon,
            || "pendingOperation.settleHorizon".to_owned(),
        )?,
    })
}

fn not_possible(what: &'static str, why: &'static str) -> RehydrateError {
    RehydrateError::new(Kind::PendingNotPossible { what, why })
}

fn seen_events(why: String) -> RehydrateError {
    RehydrateError::new(Kind::InvalidSeenEvents(why.into()))
}

/// The record's facts as Dojo would send them, for the checks every `GET`
/// answer goes through.
fn dojo_facts(record: &Record<'_>) -> Result<PaymentIntentResource, RehydrateError> {
    let currency = record.amount.currency();
    let tips_amount = match record.tips_amount {
        Some(minor) => Some(Money::new(non_negative("tipsAmount", minor)?, currency)),
        None => None,
    };
    Ok(PaymentIntentResource {
        id: record.id.as_deref().map(str::to_owned),
        capture_mode: Some(record.capture_mode),
        status: record.status,
        amount: Some(record.amount),
        total_amount: None,
        requested_amount: None,
        tips_amount,
        refunded_amount: Some(record.refunded_amount),
        created_at: None,
        updated_at: record.updated_at.as_deref().map(str::to_owned),
        expire_at: None,
        auto_expire_in: record.auto_expire_in.as_deref().map(str::to_owned),
        auto_expire_action: record.auto_expire_action,
        payment_details: record.paid_at.map(|at| PaymentDetails {
            transaction_date_time: Some(at),
            ..PaymentDetails::default()
        }),
        config: Some(IntentConfig {
            payment: Some(PaymentConfig {
                custom_amount_allowed: Some(record.custom_amount_allowed),
                tips_allowed: Some(record.tips_allowed),
            }),
        }),
        reference: None,
        description: None,
        captures: Some(
            record
                .captures
                .iter()
                .map(|c| CaptureDetails {
                    id: c.id.as_deref().map(str::to_owned),
                    amount: c.amount,
                    tips_amount: c.tips_amount,
                    status: c.status,
                    created_at: c.created_at,
                })
                .collect(),
        ),
    })
}

/// A horizon is set only on an operation of unknown outcome: one still
/// awaiting its answer has not been missed by any read ([D22](crate::decisions#d22)).
fn known_outcome_has_no_horizon(
    outcome_unknown: bool,
    horizon: Option<jiff::Timestamp>,
    field: impl Fn() -> String,
) -> Result<Option<jiff::Timestamp>, RehydrateError> {
    if horizon.is_some() && !outcome_unknown {
        return Err(RehydrateError::new(Kind::InvalidStoredField {
            field: field().into(),
            why: "a settle horizon is set only on an operation of unknown outcome".into(),
        }));
    }
    Ok(horizon)
}
