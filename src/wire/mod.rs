//! Dojo's wire format: serde types for the JSON the lifecycle sends and reads,
//! matching the 2025-09-10 OpenAPI spec (the 2024-02-05 spec has the same
//! lifecycle schemas).
//!
//! These types are raw data, deliberately. They check only what JSON itself
//! can get wrong (a value of the wrong type, a status word the spec does not
//! list, a money object that is negative or lacks its currency) and nothing
//! about whether the values make sense together: a captured total larger
//! than the amount decodes fine here. Keeping the two apart lets every
//! response Dojo sends be read and inspected, and lets the rules be enforced
//! in one place, when a resource is turned into a typed lifecycle state.
//!
//! Decoding ignores fields it does not know, although the spec declares
//! `additionalProperties: false`: the spec's own examples carry fields its
//! schemas lack, so a strict reader would fail on Dojo's real responses.
//! Optional fields are left out on encoding rather than written as `null`.
//!
//! # Timestamps
//! Only the timestamps the rules use are parsed ([D15](crate::decisions#d15)): `createdAt`,
//! `paymentDetails.transactionDateTime` and `captures[].createdAt`. Each
//! takes RFC 3339 with an offset, or a date and time without any offset,
//! read as UTC (Dojo's own webhook example writes `2023-12-13T14:15:01`);
//! an empty string is absent. `updatedAt` and `expireAt` are carried as text.
//!
//! A UTF-8 byte-order mark before a body is ignored ([D20](crate::decisions#d20)).

pub(crate) mod intent;
mod operations;
mod status;
pub(crate) mod time;

pub use intent::{
    CaptureDetails, IntentConfig, PaymentConfig, PaymentDetails, PaymentIntentResource,
};
pub use operations::{
    CaptureRequest, CaptureResponse, ChangeAmountRequest, ChangeTipsRequest, ProblemDetails,
    RefundRequest, RefundResponse, ReversalResponse,
};
pub use status::{
    AutoExpireAction, CaptureMode, CaptureStatus, PaymentIntentStatus, UnknownVariant,
};
