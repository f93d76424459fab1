//! The stored record's JSON shape, field for field (`docs/storage.md`).
//!
//! Raw data, like the wire types: amounts are bare minor units in the
//! intent's currency and ids are text. Nothing here is trusted;
//! [`super::decode`] checks every figure before a ledger is built.

use std::borrow::Cow;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::wire::{AutoExpireAction, CaptureMode, CaptureStatus, PaymentIntentStatus};

/// The whole record. Every field is written, in this order, so that the
/// same intent always encodes to the same bytes; optional ones are left out
/// when empty. Unknown fields are refused: the format is the crate's own, so
/// a field it does not know is a record from a newer version or a typo.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Record<'a> {
    pub(crate) format: u64,
    pub(crate) revision: u64,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<Cow<'a, str>>,
    pub(crate) capture_mode: CaptureMode,
    pub(crate) status: PaymentIntentStatus,
    pub(crate) amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tips_amount: Option<i64>,
    pub(crate) refunded_amount: i64,
    pub(crate) custom_amount_allowed: bool,
    pub(crate) tips_allowed: bool,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub(crate) auto_expire_in: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) auto_expire_action: Option<AutoExpireAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) paid_at: Option<Timestamp>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub(crate) updated_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(crate) captures: Vec<Capture<'a>>,
    #[serde(borrow)]
    pub(crate) refunds: Vec<Refund<'a>>,
    /// Absent in records written before keys were remembered ([D24](crate::decisions#d24)).
    #[serde(borrow, default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) released_refunds: Vec<ReleasedRefund<'a>>,
    pub(crate) pending_captures: Vec<PendingCapture>,
    #[serde(borrow)]
    pub(crate) pending_refunds: Vec<PendingRefund<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) pending_operation: Option<PendingOperation>,
    pub(crate) next_local_id: u64,
    #[serde(borrow)]
    pub(crate) seen_events: Vec<Cow<'a, str>>,
}

/// One of Dojo's captures, as `captures[]` lists it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Capture<'a> {
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<Cow<'a, str>>,
    pub(crate) amount: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tips_amount: Option<i64>,
    pub(crate) status: CaptureStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) created_at: Option<Timestamp>,
}

/// A refund recorded under its idempotency key.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Refund<'a> {
    #[serde(borrow)]
    pub(crate) idempotency_key: Cow<'a, str>,
    pub(crate) amount: i64,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub(crate) refund_id: Option<Cow<'a, str>>,
}

/// A capture prepared whose answer is not recorded, or was lost.
/// A refund key whose refund Dojo refused or a read released, with its
/// amount: remembered for the life of the intent ([D24](crate::decisions#d24)).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ReleasedRefund<'a> {
    #[serde(borrow)]
    pub(crate) idempotency_key: Cow<'a, str>,
    pub(crate) amount: i64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PendingCapture {
    pub(crate) local_id: u64,
    pub(crate) amount: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tips_amount: Option<i64>,
    pub(crate) prepared_at: Timestamp,
    pub(crate) outcome_unknown: bool,
    /// [D22](crate::decisions#d22): absent until a read with a known start missed the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) settle_horizon: Option<Timestamp>,
}

/// A refund prepared whose answer is not recorded, or was lost.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PendingRefund<'a> {
    #[serde(borrow)]
    pub(crate) idempotency_key: Cow<'a, str>,
    pub(crate) amount: i64,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub(crate) refund_reason: Option<Cow<'a, str>>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub(crate) notes: Option<Cow<'a, str>>,
    pub(crate) outcome_unknown: bool,
    /// [D22](crate::decisions#d22): absent until a read with a known start missed the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) settle_horizon: Option<Timestamp>,
}

/// A reversal, cancel or change prepared whose answer is not recorded, or was lost.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PendingOperation {
    pub(crate) local_id: u64,
    pub(crate) operation: StoredOperation,
    /// The new amount or tip, minor units; absent for a reversal or a cancel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) amount: Option<i64>,
    pub(crate) outcome_unknown: bool,
    /// [D22](crate::decisions#d22): absent until a read with a known start missed the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) settle_horizon: Option<Timestamp>,
}

/// The operations that can be pending on the whole intent, by the command
/// line's words.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum StoredOperation {
    Reverse,
    Cancel,
    ChangeAmount,
    ChangeTips,
}
