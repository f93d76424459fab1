// Link definitions for the README's reference links, first so that they win
// over the README's own, which point into the repository for readers on a
// forge: in rustdoc the first definition of a label is the one used.
#![doc = "[tour]: crate::tour"]
#![doc = "[D1]: crate::decisions#d1"]
#![doc = "[D2]: crate::decisions#d2"]
#![doc = "[D3]: crate::decisions#d3"]
#![doc = "[D4]: crate::decisions#d4"]
#![doc = "[D5]: crate::decisions#d5"]
#![doc = "[D6]: crate::decisions#d6"]
#![doc = "[D7]: crate::decisions#d7"]
#![doc = "[D8]: crate::decisions#d8"]
#![doc = "[D9]: crate::decisions#d9"]
#![doc = "[D10]: crate::decisions#d10"]
#![doc = "[D11]: crate::decisions#d11"]
#![doc = "[D12]: crate::decisions#d12"]
#![doc = "[D13]: crate::decisions#d13"]
#![doc = "[D14]: crate::decisions#d14"]
#![doc = "[D15]: crate::decisions#d15"]
#![doc = "[D16]: crate::decisions#d16"]
#![doc = "[D17]: crate::decisions#d17"]
#![doc = "[D18]: crate::decisions#d18"]
#![doc = "[D19]: crate::decisions#d19"]
#![doc = "[D20]: crate::decisions#d20"]
#![doc = "[D22]: crate::decisions#d22"]
#![doc = "[D23]: crate::decisions#d23"]
#![doc = "[D24]: crate::decisions#d24"]
#![doc = "[D25]: crate::decisions#d25"]
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod any;
#[cfg(feature = "arbitrary")]
mod arbitrary_impls;
pub mod audit;
pub mod check;
/// Dojo's rules and the decisions the crate takes where Dojo is silent, each
/// with its reason and its own anchor (`#rule-1` … `#rule-8`, `#d1` …
/// `#d25`): what every "D…" link in this documentation points to. The text
/// is `docs/decisions.md` in the repository.
#[doc = ""]
#[doc = include_str!("../docs/decisions.md")]
pub mod decisions {}
mod encode;
mod error;
mod ids;
mod intent;
mod ledger;
pub mod lifecycle;
pub mod money;
mod prepared;
mod reconcile;
mod rehydrate;
pub mod request;
pub mod request_command;
mod rule;
mod seen;
mod settle;
pub mod state;
mod storage;
#[cfg(feature = "proptest")]
pub mod strategy;
pub mod tour;
pub mod webhook;
pub mod wire;

/// The time crate of every time-taking signature (`now`, `paid_at`,
/// deadlines), re-exported so that an embedder uses the very version the
/// crate was built with.
pub use jiff;
pub use jiff::{SignedDuration, Timestamp};

pub use any::{AnyPaymentIntent, Operation, WrongState};
pub use ids::{CaptureId, IdError, IdempotencyKey};
pub use intent::{Authorization, CaptureResolved, PaymentIntent, Rejected};
pub use ledger::{
    AutoExpiry, AutoExpiryError, CaptureOutcome, CaptureRecord, PendingCapture, PendingOperation,
    PendingRefund, SEEN_EVENTS_LIMIT,
};
pub use money::{Currency, Money, MoneyError};
pub use prepared::{
    Answer, AnswerError, PreparedAmountChange, PreparedCancel, PreparedCapture, PreparedRefund,
    PreparedReversal, PreparedTipsChange, RefundDetails, RefundDetailsError,
};
pub use reconcile::{ReconcileError, Reconciled};
pub use rehydrate::RehydrateError;
pub use rule::{OperationKind, Rule, RuleViolation};
pub use settle::{ReadStart, SettleWindow, SettleWindowError};
pub use state::IntentState;
pub use webhook::{WebhookError, WebhookEvent, WebhookSecret, WebhookVerdict};
pub use wire::{AutoExpireAction, CaptureMode, CaptureStatus, PaymentIntentStatus};

/// The Rust examples of `docs/storage.md`, run as doctests so that the
/// format's documentation cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../docs/storage.md")]
pub mod storage_doc_examples {}

/// The Rust examples of `docs/design.md` (the embedding sketch), run as
/// doctests so that the design document cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../docs/design.md")]
pub mod design_doc_examples {}
