//! Every public type is `Send + Sync + Unpin`, so intents, errors and wire
//! values can cross threads and `.await` points. A type that stops being so
//! fails to compile here; a public type missing from the list fails the scan.

use dojo_capture::audit::{Auditor, Finding, LineReader, Summary};
use dojo_capture::check::{Amounts, InputError, Verdict};
use dojo_capture::lifecycle::{Cause, Format, Transition};
use dojo_capture::request::{ApiVersion, Method, Request, UnknownApiVersion};
use dojo_capture::request_command::{Args, Outcome};
use dojo_capture::state::{Authorized, Canceled, Captured, Created, Refunded, Reversed};
use dojo_capture::webhook::{EventName, PaymentStatus, VerifiedBody};
use dojo_capture::wire::{
    CaptureDetails, CaptureRequest, CaptureResponse, ChangeAmountRequest, ChangeTipsRequest,
    IntentConfig, PaymentConfig, PaymentDetails, PaymentIntentResource, ProblemDetails,
    RefundRequest, RefundResponse, ReversalResponse, UnknownVariant,
};
use dojo_capture::{
    Answer, AnswerError, AnyPaymentIntent, Authorization, AutoExpireAction, AutoExpiry,
    AutoExpiryError, CaptureId, CaptureMode, CaptureOutcome, CaptureRecord, CaptureResolved,
    CaptureStatus, Currency, IdError, IdempotencyKey, IntentState, Money, MoneyError, Operation,
    OperationKind, PaymentIntent, PaymentIntentStatus, PendingCapture, PendingOperation,
    PendingRefund, PreparedAmountChange, PreparedCancel, PreparedCapture, PreparedRefund,
    PreparedReversal, PreparedTipsChange, ReadStart, ReconcileError, Reconciled, RefundDetails,
    RefundDetailsError, RehydrateError, Rejected, Rule, RuleViolation, SettleWindow,
    SettleWindowError, WebhookError, WebhookEvent, WebhookSecret, WebhookVerdict, WrongState,
};

fn send_sync_unpin<T: Send + Sync + Unpin>() {}

/// Checks each type and returns the names it checked.
macro_rules! checked {
    ($($ty:ty),* $(,)?) => {{
        $(send_sync_unpin::<$ty>();)*
        vec![$(stringify!($ty)),*]
    }};
}

fn checked_types() -> Vec<&'static str> {
    checked![
        // Intents, in every state.
        PaymentIntent<Created>,
        PaymentIntent<Authorized>,
        PaymentIntent<Captured>,
        PaymentIntent<Refunded>,
        PaymentIntent<Reversed>,
        PaymentIntent<Canceled>,
        AnyPaymentIntent,
        Authorization,
        CaptureResolved,
        Rejected<PaymentIntent<Authorized>>,
        Rejected<PaymentIntent<Captured>>,
        Rejected<AnyPaymentIntent>,
        WrongState,
        Operation,
        // States.
        Created,
        Authorized,
        Captured,
        Refunded,
        Reversed,
        Canceled,
        IntentState,
        // Money and ids.
        Money,
        Currency,
        MoneyError,
        CaptureId,
        IdempotencyKey,
        IdError,
        // Rules.
        Rule,
        RuleViolation,
        OperationKind,
        AutoExpiry,
        AutoExpiryError,
        CaptureOutcome,
        CaptureRecord,
        RehydrateError,
        // Wire.
        PaymentIntentStatus,
        CaptureMode,
        CaptureStatus,
        AutoExpireAction,
        UnknownVariant,
        PaymentIntentResource,
        CaptureDetails,
        PaymentDetails,
        IntentConfig,
        PaymentConfig,
        CaptureRequest,
        CaptureResponse,
        RefundRequest,
        RefundResponse,
        ReversalResponse,
        ChangeAmountRequest,
        ChangeTipsRequest,
        ProblemDetails,
        // Around the HTTP call.
        ApiVersion,
        UnknownApiVersion,
        Method,
        Request,
        PreparedCapture,
        PendingCapture,
        PreparedRefund,
        PendingRefund,
        PreparedReversal,
        PreparedCancel,
        PreparedAmountChange,
        PreparedTipsChange,
        PendingOperation,
        RefundDetails,
        RefundDetailsError,
        Answer<'static>,
        AnswerError<AnyPaymentIntent>,
        AnswerError<PaymentIntent<Authorized>>,
        AnswerError<PaymentIntent<Captured>>,
        AnswerError<PaymentIntent<Refunded>>,
        AnswerError<PaymentIntent<Created>>,
        Reconciled,
        ReadStart,
        SettleWindow,
        SettleWindowError,
        ReconcileError<AnyPaymentIntent>,
        ReconcileError<PaymentIntent<Authorized>>,
        // The check command.
        Verdict,
        Amounts,
        InputError,
        // The request command.
        Args<'static>,
        Outcome,
        // Webhooks.
        WebhookSecret,
        VerifiedBody<'static>,
        WebhookEvent,
        EventName,
        PaymentStatus,
        WebhookError,
        WebhookVerdict,
        // The lifecycle table.
        Transition,
        Cause,
        Format,
        // The audit of a history.
        Auditor,
        Finding,
        Summary,
        LineReader<std::io::Empty>,
    ]
}

/// Names declared `pub struct` or `pub enum` in the library's sources.
fn declared_public_types() -> Vec<String> {
    fn walk(dir: &std::path::Path, names: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, names);
            } else if path.extension().is_some_and(|e| e == "rs") {
                for line in std::fs::read_to_string(&path).unwrap().lines() {
                    let line = line.trim_start();
                    for keyword in ["pub struct ", "pub enum "] {
                        if let Some(rest) = line.strip_prefix(keyword) {
                            let name: String = rest
                                .chars()
                                .take_while(|c| c.is_alphanumeric() || *c == '_')
                                .collect();
                            // Macro-made types (`pub enum $name`) are listed by hand above.
                            if !name.is_empty() {
                                names.push(name);
                            }
                        }
                    }
                }
            }
        }
    }
    let mut names = Vec::new();
    walk(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &mut names,
    );
    names
}

#[test]
fn every_public_type_is_send_sync_and_unpin() {
    let checked: Vec<&str> = checked_types()
        .into_iter()
        .map(|ty| ty.split('<').next().unwrap().trim())
        .collect();
    let declared = declared_public_types();
    assert!(declared.len() > 30, "the scan found only {declared:?}");
    for name in &declared {
        assert!(
            checked.contains(&name.as_str()),
            "public type {name} is not checked for Send + Sync + Unpin"
        );
    }
}
