//! The event a verified body carries.

use std::fmt;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::error::{WebhookError, WebhookErrorKind};
use crate::wire::intent::without_bom;
use crate::wire::time;
use crate::wire::{CaptureMode, PaymentIntentStatus};

/// One webhook event, from a body whose signature was verified:
///
/// ```json
/// {"id": "evt_…", "event": "payment_intent.status_updated", "accountId": "acc_…",
///  "createdAt": "…", "data": {"paymentIntentId": "pi_…", "paymentStatus": "Captured",
///  "captureMode": "Auto"}}
/// ```
///
/// An event says *that* an intent changed, never *what* changed: it carries
/// no capture id and no amount, so the intent is read again
/// (`GET /payment-intents/{id}`) to learn what. Deliveries are retried and
/// may arrive twice, late or out of order; [`WebhookEvent::id`] is the key
/// to recognise one seen before.
///
/// What is read, and how:
///
/// * `id`, `event` and `data.paymentIntentId` are required non-empty strings:
///   without them an event can be neither deduplicated nor acted on;
/// * `accountId`, `createdAt`, `data.paymentStatus` and `data.captureMode`
///   are optional, and `null` is the same as absent;
/// * `createdAt` is read as the payment intent's timestamps are: RFC 3339,
///   or a date and time without an offset, read as UTC (Dojo's own examples
///   write both); an empty string is absent, and any other text refuses the
///   body rather than guess an instant;
/// * an event name, a status or a capture mode the crate does not know is
///   kept as it arrived ([`EventName::Other`], [`PaymentStatus::Other`],
///   [`WebhookEvent::capture_mode_word`]), never refused: Dojo adds words,
///   and a refused delivery is retried until Dojo gives up on it;
/// * fields the crate does not know are ignored, and a UTF-8 byte-order
///   mark before the JSON is skipped (the signature covers it all the same).
///
/// The only way to get one is [`VerifiedBody::event`](super::VerifiedBody::event)
/// or [`verify_event`](super::verify_event): an event in hand was signed.
///
/// ```
/// use dojo_capture::PaymentIntentStatus;
/// use dojo_capture::webhook::{self, EventName, PaymentStatus, WebhookSecret};
///
/// let secret = WebhookSecret::new("ws_test")?;
/// let body = br#"{"id":"evt_1","event":"payment_intent.status_updated",
///   "createdAt":"2024-07-25T08:49:20","data":{"paymentIntentId":"pi_1",
///   "paymentStatus":"Captured","captureMode":"Auto"}}"#;
/// let event = webhook::verify_event(body, &secret.sign(body), &[secret])?;
///
/// assert_eq!(event.id(), "evt_1");
/// assert_eq!(event.name(), &EventName::StatusUpdated);
/// assert_eq!(event.status(), Some(&PaymentStatus::Captured));
/// assert_eq!(event.intent_status(), Some(PaymentIntentStatus::Captured));
/// assert_eq!(event.created_at(), Some("2024-07-25T08:49:20Z".parse()?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookEvent {
    id: String,
    name: EventName,
    account_id: Option<String>,
    created_at: Option<Timestamp>,
    payment_intent_id: String,
    status: Option<PaymentStatus>,
    capture_mode: Option<String>,
}

impl WebhookEvent {
    /// Reads a verified body; private to the crate so that nothing parses
    /// a body before its signature matched.
    pub(crate) fn parse(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
        let not_event =
            |reason: String| WebhookError::new(WebhookErrorKind::NotAnEvent(reason.into()));
        let value: Value = serde_json::from_slice(without_bom(body))
            .map_err(|e| not_event(format!("it is not JSON ({e})")))?;
        let Value::Object(top) = value else {
            return Err(not_event("it is not a JSON object".to_owned()));
        };
        let data = match top.get("data") {
            Some(Value::Object(data)) => data,
            None | Some(Value::Null) => return Err(not_event("data is missing".to_owned())),
            Some(_) => return Err(not_event("data is not an object".to_owned())),
        };
        let created_at = match optional_text(&top, "createdAt", "createdAt").map_err(not_event)? {
            Some(text) => {
                time::parse(text).map_err(|reason| not_event(format!("createdAt {reason}")))?
            }
            None => None,
        };
        Ok(WebhookEvent {
            id: required_text(&top, "id", "id")
                .map_err(not_event)?
                .to_owned(),
            name: EventName::from(required_text(&top, "event", "event").map_err(not_event)?),
            account_id: optional_text(&top, "accountId", "accountId")
                .map_err(not_event)?
                .map(str::to_owned),
            created_at,
            payment_intent_id: required_text(data, "paymentIntentId", "data.paymentIntentId")
                .map_err(not_event)?
                .to_owned(),
            status: optional_text(data, "paymentStatus", "data.paymentStatus")
                .map_err(not_event)?
                .map(PaymentStatus::from),
            capture_mode: optional_text(data, "captureMode", "data.captureMode")
                .map_err(not_event)?
                .map(str::to_owned),
        })
    }

    /// The event's id, `evt_…`: the same for every delivery of one event,
    /// so the key to recognise a retried delivery.
    ///
    /// ```
    /// # let secret = dojo_capture::webhook::WebhookSecret::new("ws_test")?;
    /// # let body = br#"{"id":"evt_1","event":"payment_intent.created","data":{"paymentIntentId":"pi_1"}}"#;
    /// let event = dojo_capture::webhook::verify_event(body, &secret.sign(body), &[secret])?;
    /// assert_eq!(event.id(), "evt_1");
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The event's name (`event`), e.g. `payment_intent.status_updated`.
    ///
    /// ```
    /// # let secret = dojo_capture::webhook::WebhookSecret::new("ws_test")?;
    /// # let body = br#"{"id":"evt_1","event":"payment_intent.created","data":{"paymentIntentId":"pi_1"}}"#;
    /// use dojo_capture::webhook::EventName;
    ///
    /// let event = dojo_capture::webhook::verify_event(body, &secret.sign(body), &[secret])?;
    /// assert_eq!(event.name(), &EventName::Created);
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn name(&self) -> &EventName {
        &self.name
    }

    /// The merchant account (`accountId`, `acc_…`), when the body has one.
    ///
    /// ```
    /// # let secret = dojo_capture::webhook::WebhookSecret::new("ws_test")?;
    /// # let body = br#"{"id":"evt_1","event":"payment_intent.created","data":{"paymentIntentId":"pi_1"}}"#;
    /// let event = dojo_capture::webhook::verify_event(body, &secret.sign(body), &[secret])?;
    /// assert_eq!(event.account_id(), None);
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn account_id(&self) -> Option<&str> {
        self.account_id.as_deref()
    }

    /// When Dojo created the event (`createdAt`), when the body has it; a
    /// time without an offset is UTC. Deliveries can arrive out of order,
    /// and this is the only order the body itself gives.
    ///
    /// ```
    /// # let secret = dojo_capture::webhook::WebhookSecret::new("ws_test")?;
    /// let body = br#"{"id":"evt_1","event":"payment_intent.created",
    ///   "createdAt":"2023-12-13T14:15:01","data":{"paymentIntentId":"pi_1"}}"#;
    /// let event = dojo_capture::webhook::verify_event(body, &secret.sign(body), &[secret])?;
    /// assert_eq!(event.created_at(), Some("2023-12-13T14:15:01Z".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn created_at(&self) -> Option<Timestamp> {
        self.created_at
    }

    /// The intent the event is about (`data.paymentIntentId`, `pi_…`): the
    /// one to read again.
    ///
    /// ```
    /// # let secret = dojo_capture::webhook::WebhookSecret::new("ws_test")?;
    /// # let body = br#"{"id":"evt_1","event":"payment_intent.created","data":{"paymentIntentId":"pi_1"}}"#;
    /// let event = dojo_capture::webhook::verify_event(body, &secret.sign(body), &[secret])?;
    /// assert_eq!(event.payment_intent_id(), "pi_1");
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn payment_intent_id(&self) -> &str {
        &self.payment_intent_id
    }

    /// The status the event reports (`data.paymentStatus`), when it has one.
    ///
    /// ```
    /// # let secret = dojo_capture::webhook::WebhookSecret::new("ws_test")?;
    /// let body = br#"{"id":"evt_1","event":"payment_intent.status_updated",
    ///   "data":{"paymentIntentId":"pi_1","paymentStatus":"Declined"}}"#;
    /// use dojo_capture::webhook::PaymentStatus;
    ///
    /// let event = dojo_capture::webhook::verify_event(body, &secret.sign(body), &[secret])?;
    /// assert_eq!(event.status(), Some(&PaymentStatus::Declined));
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn status(&self) -> Option<&PaymentStatus> {
        self.status.as_ref()
    }

    /// The reported status as a lifecycle status, when it is one of the six
    /// a payment intent can be in; `None` when it is absent or another word
    /// (`Declined`, `AuthChallenged`, …). A report, not a state: the
    /// intent read again says what its amounts allow.
    ///
    /// ```
    /// # let secret = dojo_capture::webhook::WebhookSecret::new("ws_test")?;
    /// let body = br#"{"id":"evt_1","event":"payment_intent.status_updated",
    ///   "data":{"paymentIntentId":"pi_1","paymentStatus":"Authorized"}}"#;
    /// use dojo_capture::PaymentIntentStatus;
    ///
    /// let event = dojo_capture::webhook::verify_event(body, &secret.sign(body), &[secret])?;
    /// assert_eq!(event.intent_status(), Some(PaymentIntentStatus::Authorized));
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn intent_status(&self) -> Option<PaymentIntentStatus> {
        self.status.as_ref().and_then(PaymentStatus::intent_status)
    }

    /// The intent's capture mode (`data.captureMode`), when the body has
    /// one the crate knows; see [`WebhookEvent::capture_mode_word`] for the
    /// word as it arrived.
    ///
    /// ```
    /// # let secret = dojo_capture::webhook::WebhookSecret::new("ws_test")?;
    /// let body = br#"{"id":"evt_1","event":"payment_intent.created",
    ///   "data":{"paymentIntentId":"pi_1","captureMode":"Manual"}}"#;
    /// use dojo_capture::CaptureMode;
    ///
    /// let event = dojo_capture::webhook::verify_event(body, &secret.sign(body), &[secret])?;
    /// assert_eq!(event.capture_mode(), Some(CaptureMode::Manual));
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn capture_mode(&self) -> Option<CaptureMode> {
        self.capture_mode.as_deref()?.parse().ok()
    }

    /// `data.captureMode` exactly as it arrived, known word or not: an
    /// unknown capture mode is data, not a reason to refuse the event.
    ///
    /// ```
    /// # let secret = dojo_capture::webhook::WebhookSecret::new("ws_test")?;
    /// let body = br#"{"id":"evt_1","event":"payment_intent.created",
    ///   "data":{"paymentIntentId":"pi_1","captureMode":"Deferred"}}"#;
    ///
    /// let event = dojo_capture::webhook::verify_event(body, &secret.sign(body), &[secret])?;
    /// assert_eq!(event.capture_mode(), None);
    /// assert_eq!(event.capture_mode_word(), Some("Deferred"));
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn capture_mode_word(&self) -> Option<&str> {
        self.capture_mode.as_deref()
    }

    /// The event as the command line's `webhook verify --json` prints it:
    /// `id`, `event`, `accountId`, `createdAt` (RFC 3339, UTC),
    /// `paymentIntentId`, `paymentStatus`, `intentStatus` (see
    /// [`WebhookEvent::intent_status`]) and `captureMode`, each word as it
    /// arrived. Every key is always present, `null` when absent.
    ///
    /// ```
    /// # let secret = dojo_capture::webhook::WebhookSecret::new("ws_test")?;
    /// # let body = br#"{"id":"evt_1","event":"payment_intent.created","data":{"paymentIntentId":"pi_1"}}"#;
    /// let event = dojo_capture::webhook::verify_event(body, &secret.sign(body), &[secret])?;
    /// let json = event.to_json();
    /// assert_eq!(json["event"], "payment_intent.created");
    /// assert!(json["paymentStatus"].is_null());
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "event": self.name.as_str(),
            "accountId": self.account_id,
            "createdAt": self.created_at.map(|at| at.to_string()),
            "paymentIntentId": self.payment_intent_id,
            "paymentStatus": self.status.as_ref().map(PaymentStatus::as_str),
            "intentStatus": self.intent_status().map(PaymentIntentStatus::as_str),
            "captureMode": self.capture_mode,
        })
    }
}

/// `object[key]` as a non-empty string; the message names the field by `path`.
fn required_text<'v>(
    object: &'v Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'v str, String> {
    match optional_text(object, key, path)? {
        None => Err(format!("{path} is missing")),
        Some("") => Err(format!("{path} is empty")),
        Some(text) => Ok(text),
    }
}

/// `object[key]` as a string, `None` when absent or `null`.
fn optional_text<'v>(
    object: &'v Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'v str>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(format!(
            "{path} is {}, not a string",
            crate::error::json_kind(other)
        )),
    }
}

/// Declares a word enum with one variant per known word and `Other` for
/// any other, so that the three conversions read from one list.
macro_rules! open_words {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// Any other word, kept exactly as it arrived. A word the crate
            /// learns later moves to a variant of its own.
            Other(String),
        }

        impl $name {
            /// The word as it arrived on the wire.
            ///
            #[doc = concat!(
                "```\n",
                "use dojo_capture::webhook::", stringify!($name), ";\n\n",
                "// A word the crate knows and one it does not both read back as they arrived.\n",
                "for word in [", $(stringify!($word), ", ",)+ "\"SomethingNew\"] {\n",
                "    assert_eq!(", stringify!($name), "::from(word).as_str(), word);\n",
                "}\n",
                "```",
            )]
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $word, )+
                    $name::Other(word) => word,
                }
            }
        }

        impl From<&str> for $name {
            /// Exact match, case included, as Dojo's words are compared
            /// everywhere else; anything else is `Other`, never an error.
            fn from(word: &str) -> Self {
                match word {
                    $( $word => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }
    };
}

open_words! {
    /// The name of a webhook event (`event`): the four names Dojo documents,
    /// or any other, kept.
    ///
    /// ```
    /// use dojo_capture::webhook::EventName;
    ///
    /// assert_eq!(EventName::from("payment_intent.send-receipt"), EventName::SendReceipt);
    /// assert_eq!(EventName::from("refund.created").as_str(), "refund.created");
    /// assert_eq!(EventName::StatusUpdated.to_string(), "payment_intent.status_updated");
    /// ```
    EventName {
        /// `payment_intent.created`.
        Created = "payment_intent.created",
        /// `payment_intent.status_updated`.
        StatusUpdated = "payment_intent.status_updated",
        /// `payment_intent.send-receipt`.
        SendReceipt = "payment_intent.send-receipt",
        /// `payment_intent.updated`, which the spec's subscription example lists.
        Updated = "payment_intent.updated",
    }
}

open_words! {
    /// The status a webhook reports (`data.paymentStatus`): the words Dojo's
    /// generated clients list, which are more than a payment intent's six
    /// statuses, or any other, kept.
    ///
    /// ```
    /// use dojo_capture::webhook::PaymentStatus;
    ///
    /// assert_eq!(PaymentStatus::from("ManualAuthReady"), PaymentStatus::ManualAuthReady);
    /// assert_eq!(PaymentStatus::from("captured"), PaymentStatus::Other("captured".into()));
    /// ```
    PaymentStatus {
        /// `Created`.
        Created = "Created",
        /// `Authorized`.
        Authorized = "Authorized",
        /// `Captured`.
        Captured = "Captured",
        /// `Reversed`.
        Reversed = "Reversed",
        /// `Refunded`.
        Refunded = "Refunded",
        /// `Canceled`.
        Canceled = "Canceled",
        /// `AuthChallenged`: the payment awaits the customer's authentication.
        AuthChallenged = "AuthChallenged",
        /// `Declined`: the payment was declined.
        Declined = "Declined",
        /// `ManualAuthReady`.
        ManualAuthReady = "ManualAuthReady",
        /// `Error`.
        Error = "Error",
        /// `Unknown`, Dojo's own word, not an unknown word (that is `Other`).
        Unknown = "Unknown",
    }
}

impl PaymentStatus {
    /// The lifecycle status of the same name, for the six a payment intent
    /// can be in; `None` for the others.
    ///
    /// ```
    /// use dojo_capture::PaymentIntentStatus;
    /// use dojo_capture::webhook::PaymentStatus;
    ///
    /// assert_eq!(PaymentStatus::Refunded.intent_status(), Some(PaymentIntentStatus::Refunded));
    /// assert_eq!(PaymentStatus::Declined.intent_status(), None);
    /// ```
    pub fn intent_status(&self) -> Option<PaymentIntentStatus> {
        match self {
            PaymentStatus::Created => Some(PaymentIntentStatus::Created),
            PaymentStatus::Authorized => Some(PaymentIntentStatus::Authorized),
            PaymentStatus::Captured => Some(PaymentIntentStatus::Captured),
            PaymentStatus::Reversed => Some(PaymentIntentStatus::Reversed),
            PaymentStatus::Refunded => Some(PaymentIntentStatus::Refunded),
            PaymentStatus::Canceled => Some(PaymentIntentStatus::Canceled),
            PaymentStatus::AuthChallenged
            | PaymentStatus::Declined
            | PaymentStatus::ManualAuthReady
            | PaymentStatus::Error
            | PaymentStatus::Unknown
            | PaymentStatus::Other(_) => None,
        }
    }
}
