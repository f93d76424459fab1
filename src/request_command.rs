//! The `request` command without the command line: text in, the request the
//! intent would send (or the rule that refuses it) out.
//!
//! Like [`check`](crate::check), everything that turns text into the
//! library's types lives here, so the binary only reads the file and the
//! clock. The request comes from the intent's own `prepare_…` method, the
//! only road to one: what is printed is exactly what a service using the
//! library would send, without the `Authorization` header.
//!
//! ```
//! # fn main() -> Result<(), dojo_capture::check::InputError> {
//! use dojo_capture::check;
//! use dojo_capture::request_command::{self, Args};
//!
//! let intent = br#"{
//!     "id": "pi_sandbox_doc", "captureMode": "Manual", "status": "Authorized",
//!     "amount": {"value": 1000, "currencyCode": "GBP"},
//!     "createdAt": "2024-07-25T08:48:38Z", "captures": []
//! }"#;
//! let now = check::parse_now("2024-07-26T10:00:00Z")?;
//!
//! let outcome = request_command::run(intent, &Args::new("capture").amount("7.50"), now)?;
//! assert_eq!(outcome.exit_code(), 0);
//! assert_eq!(
//!     outcome.text(),
//!     "POST https://api.dojo.tech/payment-intents/pi_sandbox_doc/captures\n\
//!      version: 2025-09-10\n\
//!      content-type: application/json\n\
//!      \n\
//!      {\"amount\":750}"
//! );
//!
//! let outcome = request_command::run(intent, &Args::new("capture").amount("10.01"), now)?;
//! assert_eq!(outcome.rule().map(|rule| rule.code()), Some("over_capture"));
//! assert_eq!(outcome.exit_code(), 1);
//! # Ok(())
//! # }
//! ```

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::any::AnyPaymentIntent;
use crate::check::{InputError, InputErrorKind, parse_amount};
use crate::ids::IdempotencyKey;
use crate::intent::Rejected;
use crate::money::Money;
use crate::prepared::RefundDetails;
use crate::request::{ApiVersion, Request};
use crate::rule::{OperationKind, Rule, RuleViolation};

/// The base URL used when none is given: Dojo's API.
pub const DEFAULT_BASE_URL: &str = "https://api.dojo.tech";

/// The environment variable the `--curl` command line reads the secret key
/// from; the key itself is never printed nor passed as an argument.
pub const SECRET_KEY_VARIABLE: &str = "DOJO_SECRET_KEY";

/// The operations `request` accepts, in the usage text's order.
const OPERATIONS: [OperationKind; 6] = [
    OperationKind::Capture,
    OperationKind::Refund,
    OperationKind::Reverse,
    OperationKind::Cancel,
    OperationKind::ChangeAmount,
    OperationKind::ChangeTips,
];

/// The command line's arguments after INTENT, as text.
///
/// ```
/// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
/// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
///
/// use dojo_capture::request_command::{self, Args};
///
/// let args = Args::new("refund").amount("1.00").key("refund-1").version("2024-02-05");
/// let outcome = request_command::run(&json, &args, now)?;
/// // Nothing captured yet: the rules refuse the refund, with check's code.
/// assert_eq!(outcome.rule().map(|rule| rule.code()), Some("invalid_transition"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Args<'a> {
    /// `capture`, `refund`, `reverse`, `cancel`, `change-amount` or `change-tips`.
    pub operation: &'a str,
    /// The AMOUNT, as `check` reads it: `7.50` or `7.50 GBP`.
    pub amount: Option<&'a str>,
    /// `--key`: the refund's idempotency key.
    pub key: Option<&'a str>,
    /// `--version`: an [`ApiVersion`]; the newest when `None`.
    pub version: Option<&'a str>,
    /// `--base-url`: [`DEFAULT_BASE_URL`] when `None`.
    pub base_url: Option<&'a str>,
}

impl<'a> Args<'a> {
    /// The arguments of `operation`, with nothing else given.
    ///
    /// ```
    /// use dojo_capture::request_command::Args;
    ///
    /// let args = Args::new("cancel");
    /// assert_eq!((args.operation, args.amount, args.key), ("cancel", None, None));
    /// ```
    pub fn new(operation: &'a str) -> Self {
        Args {
            operation,
            ..Args::default()
        }
    }

    /// With this AMOUNT.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::request_command::{self, Args};
    ///
    /// let outcome = request_command::run(&json, &Args::new("capture").amount("2.50"), now)?;
    /// assert_eq!(outcome.request().and_then(|r| r.body()), Some(&br#"{"amount":250}"#[..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn amount(self, amount: &'a str) -> Self {
        Args {
            amount: Some(amount),
            ..self
        }
    }

    /// With this `--key`.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::request_command::{self, Args};
    ///
    /// let error = request_command::run(&json, &Args::new("capture").amount("1.00").key("k"), now).unwrap_err();
    /// assert_eq!(error.code(), "unexpected_key");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn key(self, key: &'a str) -> Self {
        Args {
            key: Some(key),
            ..self
        }
    }

    /// With this `--version`.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::request_command::{self, Args};
    ///
    /// let args = Args::new("capture").amount("1.00").version("2024-02-05");
    /// let outcome = request_command::run(&json, &args, now)?;
    /// assert_eq!(outcome.request().and_then(|r| r.header("version")), Some("2024-02-05"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn version(self, version: &'a str) -> Self {
        Args {
            version: Some(version),
            ..self
        }
    }

    /// With this `--base-url`.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::request_command::{self, Args};
    ///
    /// let args = Args::new("capture").amount("1.00").base_url("https://sandbox.example/");
    /// let outcome = request_command::run(&json, &args, now)?;
    /// assert_eq!(
    ///     outcome.url(),
    ///     Some("https://sandbox.example/payment-intents/pi_sandbox_Fr3shAuth0rIz3dK2pLm9Q/captures")
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn base_url(self, base_url: &'a str) -> Self {
        Args {
            base_url: Some(base_url),
            ..self
        }
    }
}

/// Prepares `args.operation` on the payment intent `intent_json` at `now`
/// and returns the request it would send, or the rule that refuses it.
///
/// The intent and the AMOUNT are read as [`check::run`](crate::check::run)
/// reads them. `--key` is required by a refund and refused by the others; a
/// refund is prepared without a reason or notes.
///
/// # Errors
/// The input cannot be used: the operation is unknown, the amount or the
/// key is missing, superfluous or unusable, the version or the base URL is
/// not one the command accepts, or the intent's JSON is unusable. The
/// arguments are checked before the intent, so a typo on the command line
/// is reported as such whatever the file holds.
///
/// ```
/// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
/// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
///
/// use dojo_capture::request_command::{self, Args};
///
/// let outcome = request_command::run(&json, &Args::new("reverse"), now)?;
/// assert_eq!(outcome.exit_code(), 0);
/// assert_eq!(
///     outcome.text(),
///     "POST https://api.dojo.tech/payment-intents/pi_sandbox_Fr3shAuth0rIz3dK2pLm9Q/reversal\nversion: 2025-09-10"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(intent_json: &[u8], args: &Args<'_>, now: Timestamp) -> Result<Outcome, InputError> {
    let kind = OPERATIONS
        .into_iter()
        .find(|kind| kind.as_str() == args.operation)
        .ok_or_else(|| {
            InputError::new(InputErrorKind::UnknownOperation(
                args.operation.into(),
                operation_words(),
            ))
        })?;
    let wanted = wanted(kind, args)?;
    let version = match args.version {
        Some(text) => text
            .parse::<ApiVersion>()
            .map_err(|e| InputError::new(InputErrorKind::Version(e)))?,
        None => ApiVersion::default(),
    };
    let base_url = match args.base_url {
        Some(text) => check_base_url(text)?,
        None => DEFAULT_BASE_URL,
    };
    let intent = AnyPaymentIntent::from_json(intent_json)
        .map_err(|e| InputError::new(InputErrorKind::Intent(e)))?;
    let currency = intent.amount().currency();
    let wanted = wanted.try_map_amount(|text| parse_amount(text, currency))?;
    let result = prepare(intent, wanted, now, version);
    Ok(Outcome {
        operation: kind,
        result: result.map(|request| {
            let url = request.url(base_url);
            Prepared { request, url }
        }),
    })
}

/// An operation with its amount (`A`: the text, then [`Money`]) and, for a
/// refund, its key: each operation holds exactly what it needs.
enum Wanted<A> {
    Capture(A),
    Refund(A, IdempotencyKey),
    Reverse,
    Cancel,
    ChangeAmount(A),
    ChangeTips(A),
}

impl<A> Wanted<A> {
    fn try_map_amount<B, E>(self, f: impl FnOnce(A) -> Result<B, E>) -> Result<Wanted<B>, E> {
        Ok(match self {
            Wanted::Capture(amount) => Wanted::Capture(f(amount)?),
            Wanted::Refund(amount, key) => Wanted::Refund(f(amount)?, key),
            Wanted::Reverse => Wanted::Reverse,
            Wanted::Cancel => Wanted::Cancel,
            Wanted::ChangeAmount(amount) => Wanted::ChangeAmount(f(amount)?),
            Wanted::ChangeTips(amount) => Wanted::ChangeTips(f(amount)?),
        })
    }
}

/// `kind` with the AMOUNT and `--key` it requires, or the input error for
/// a missing or superfluous one (the amount is judged first) or an unusable key.
fn wanted<'a>(kind: OperationKind, args: &Args<'a>) -> Result<Wanted<&'a str>, InputError> {
    let amount = || {
        args.amount
            .ok_or_else(|| InputError::new(InputErrorKind::AmountRequired(kind)))
    };
    let no_amount = || match args.amount {
        Some(text) => Err(InputError::new(InputErrorKind::UnexpectedAmount(
            kind,
            text.into(),
        ))),
        None => Ok(()),
    };
    let no_key = || match args.key {
        Some(text) => Err(InputError::new(InputErrorKind::UnexpectedKey(
            kind,
            text.into(),
        ))),
        None => Ok(()),
    };
    match kind {
        OperationKind::Refund => {
            let amount = amount()?;
            let text = args
                .key
                .ok_or_else(|| InputError::new(InputErrorKind::KeyRequired))?;
            let key =
                IdempotencyKey::new(text).map_err(|e| InputError::new(InputErrorKind::Key(e)))?;
            Ok(Wanted::Refund(amount, key))
        }
        OperationKind::Capture => {
            let amount = amount()?;
            no_key().map(|()| Wanted::Capture(amount))
        }
        OperationKind::ChangeAmount => {
            let amount = amount()?;
            no_key().map(|()| Wanted::ChangeAmount(amount))
        }
        OperationKind::ChangeTips => {
            let amount = amount()?;
            no_key().map(|()| Wanted::ChangeTips(amount))
        }
        OperationKind::Reverse => no_amount()
            .and_then(|()| no_key())
            .map(|()| Wanted::Reverse),
        OperationKind::Cancel => no_amount().and_then(|()| no_key()).map(|()| Wanted::Cancel),
        // Not in OPERATIONS, so never found there: an unknown word.
        OperationKind::Create | OperationKind::Authorize | OperationKind::RecordCaptureOutcome => {
            Err(InputError::new(InputErrorKind::UnknownOperation(
                kind.as_str().into(),
                operation_words(),
            )))
        }
    }
}

/// The request of `wanted` on `intent`, through the intent's prepare method.
fn prepare(
    intent: AnyPaymentIntent,
    wanted: Wanted<Money>,
    now: Timestamp,
    version: ApiVersion,
) -> Result<Request, RuleViolation> {
    let rejected = |rejected: Rejected<AnyPaymentIntent>| *rejected.violation();
    match wanted {
        Wanted::Capture(amount) => intent
            .prepare_capture(amount, None, now, version)
            .map(|(_, prepared)| prepared.request().clone()),
        Wanted::Refund(amount, key) => intent
            .prepare_refund(key, amount, RefundDetails::default(), version)
            .map(|(_, prepared)| prepared.request().clone()),
        Wanted::Reverse => intent
            .prepare_reversal(now, version)
            .map(|(_, prepared)| prepared.request().clone()),
        Wanted::Cancel => intent
            .prepare_cancel(version)
            .map(|(_, prepared)| prepared.request().clone()),
        Wanted::ChangeAmount(amount) => intent
            .prepare_change_amount(amount, version)
            .map(|(_, prepared)| prepared.request().clone()),
        Wanted::ChangeTips(amount) => intent
            .prepare_change_tips(amount, version)
            .map(|(_, prepared)| prepared.request().clone()),
    }
    .map_err(rejected)
}

/// `text` if it is `http://` or `https://` followed by a host, in visible
/// ASCII, without a query or a fragment: the request's path is appended to it.
fn check_base_url(text: &str) -> Result<&str, InputError> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    let usable = rest.is_some_and(|rest| {
        !rest.is_empty()
            && !rest.starts_with('/')
            && rest
                .bytes()
                .all(|byte| byte.is_ascii_graphic() && !matches!(byte, b'?' | b'#'))
    });
    if usable {
        Ok(text)
    } else {
        Err(InputError::new(InputErrorKind::BaseUrl(text.into())))
    }
}

/// The operation words in the usage text's order, for the message.
fn operation_words() -> String {
    let words: Vec<&str> = OPERATIONS.iter().map(|kind| kind.as_str()).collect();
    words.join(", ")
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Prepared {
    request: Request,
    url: String,
}

/// The answer to `request`: the request the intent would send, or the rule
/// that refuses the operation, ready to print in three forms.
///
/// ```
/// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
/// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
///
/// use dojo_capture::request_command::{self, Args};
///
/// let outcome = request_command::run(&json, &Args::new("capture").amount("10.01"), now)?;
/// assert_eq!(outcome.exit_code(), 1);
/// assert_eq!(outcome.violation().map(|v| v.code()), Some("over_capture"));
/// assert!(outcome.request().is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    operation: OperationKind,
    result: Result<Prepared, RuleViolation>,
}

impl Outcome {
    /// The operation asked for.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::OperationKind;
    /// use dojo_capture::request_command::{self, Args};
    ///
    /// let outcome = request_command::run(&json, &Args::new("reverse"), now)?;
    /// assert_eq!(outcome.operation(), OperationKind::Reverse);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn operation(&self) -> OperationKind {
        self.operation
    }

    /// The request, when the rules allow the operation.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::request::Method;
    /// use dojo_capture::request_command::{self, Args};
    ///
    /// let outcome = request_command::run(&json, &Args::new("capture").amount("1.00"), now)?;
    /// assert_eq!(outcome.request().map(|r| r.method()), Some(Method::Post));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn request(&self) -> Option<&Request> {
        self.result.as_ref().ok().map(|prepared| &prepared.request)
    }

    /// The request's full URL, when the rules allow the operation.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::request_command::{self, Args};
    ///
    /// let outcome = request_command::run(&json, &Args::new("reverse"), now)?;
    /// assert_eq!(
    ///     outcome.url(),
    ///     Some("https://api.dojo.tech/payment-intents/pi_sandbox_Fr3shAuth0rIz3dK2pLm9Q/reversal")
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn url(&self) -> Option<&str> {
        self.result.as_ref().ok().map(|prepared| &*prepared.url)
    }

    /// The rule that refuses the operation; `None` when it is allowed.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::Rule;
    /// use dojo_capture::request_command::{self, Args};
    ///
    /// let outcome = request_command::run(&json, &Args::new("cancel"), now)?;
    /// assert_eq!(outcome.rule(), Some(Rule::InvalidTransition));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rule(&self) -> Option<Rule> {
        self.result.as_ref().err().map(RuleViolation::rule)
    }

    /// The refusal, when a rule refuses the operation.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::request_command::{self, Args};
    ///
    /// let outcome = request_command::run(&json, &Args::new("capture").amount("0"), now)?;
    /// let violation = outcome.violation().expect("refused");
    /// assert_eq!(violation.code(), "zero_amount");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn violation(&self) -> Option<&RuleViolation> {
        self.result.as_ref().err()
    }

    /// The process exit code, as `check`'s: 0 when the request is ready, 1
    /// when a rule refuses it.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::request_command::{self, Args};
    ///
    /// assert_eq!(request_command::run(&json, &Args::new("capture").amount("10.00"), now)?.exit_code(), 0);
    /// assert_eq!(request_command::run(&json, &Args::new("capture").amount("10.01"), now)?.exit_code(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn exit_code(&self) -> u8 {
        if self.result.is_ok() { 0 } else { 1 }
    }

    /// The request as an HTTP message: `METHOD URL`, one `name: value`
    /// line per header, then an empty line and the body when there is one.
    /// A refusal is the rule violation's one line, which starts with its code.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::request_command::{self, Args};
    ///
    /// let outcome = request_command::run(&json, &Args::new("capture").amount("1.00"), now)?;
    /// assert_eq!(
    ///     outcome.text(),
    ///     "POST https://api.dojo.tech/payment-intents/pi_sandbox_Fr3shAuth0rIz3dK2pLm9Q/captures\n\
    ///      version: 2025-09-10\n\
    ///      content-type: application/json\n\
    ///      \n\
    ///      {\"amount\":100}"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn text(&self) -> String {
        let prepared = match &self.result {
            Ok(prepared) => prepared,
            Err(violation) => return violation.to_string(),
        };
        let request = &prepared.request;
        let mut lines = vec![format!("{} {}", request.method(), prepared.url)];
        lines.extend(
            request
                .headers()
                .map(|(name, value)| format!("{name}: {value}")),
        );
        if let Some(body) = request.body() {
            lines.push(String::new());
            lines.push(String::from_utf8_lossy(body).into_owned());
        }
        lines.join("\n")
    }

    /// The request as one curl command line, every argument single-quoted
    /// for a POSIX shell, with an `Authorization` header that reads the
    /// secret key from `$DOJO_SECRET_KEY` when the shell runs it: the key is
    /// never printed. A refusal is the rule violation's one line.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::request_command::{self, Args};
    ///
    /// let outcome = request_command::run(&json, &Args::new("capture").amount("1.00"), now)?;
    /// let curl = outcome.curl();
    /// assert!(curl.starts_with("curl -X POST 'https://api.dojo.tech/payment-intents/"));
    /// assert!(curl.contains("\"Authorization: Basic $DOJO_SECRET_KEY\""), "the key is never printed");
    /// assert!(curl.ends_with("--data-binary '{\"amount\":100}'"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn curl(&self) -> String {
        let prepared = match &self.result {
            Ok(prepared) => prepared,
            Err(violation) => return violation.to_string(),
        };
        let request = &prepared.request;
        let mut words = vec![
            "curl".to_owned(),
            "-X".to_owned(),
            request.method().to_string(),
            shell_quote(&prepared.url),
        ];
        for (name, value) in request.headers() {
            words.push("-H".to_owned());
            words.push(shell_quote(&format!("{name}: {value}")));
        }
        words.push("-H".to_owned());
        // Double quotes so the shell expands the variable, and only it.
        words.push(format!("\"Authorization: Basic ${SECRET_KEY_VARIABLE}\""));
        if let Some(body) = request.body() {
            words.push("--data-binary".to_owned());
            words.push(shell_quote(&String::from_utf8_lossy(body)));
        }
        words.join(" ")
    }

    /// The outcome as the command line's `--json` prints it.
    ///
    /// A request: `{"allowed": true, "operation", "method", "url",
    /// "headers": {name: value}, "body"}`, the body as JSON (`null` when there
    /// is none). A refusal: `{"allowed": false, "operation", "rule",
    /// "message"}`, `rule` being [`Rule::code`].
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-fresh.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::request_command::{self, Args};
    ///
    /// let outcome = request_command::run(&json, &Args::new("capture").amount("1.00"), now)?;
    /// let json = outcome.to_json();
    /// assert_eq!(json["method"], "POST");
    /// assert_eq!(json["body"], serde_json::json!({"amount": 100}));
    /// assert_eq!(json["headers"]["version"], "2025-09-10");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self) -> Value {
        match &self.result {
            Ok(prepared) => {
                let request = &prepared.request;
                let headers: Map<String, Value> = request
                    .headers()
                    .map(|(name, value)| (name.to_owned(), Value::from(value)))
                    .collect();
                let body = request.body().map(|body| {
                    serde_json::from_slice::<Value>(body)
                        .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(body)))
                });
                json!({
                    "allowed": true,
                    "operation": self.operation.as_str(),
                    "method": request.method().as_str(),
                    "url": prepared.url,
                    "headers": headers,
                    "body": body,
                })
            }
            Err(violation) => json!({
                "allowed": false,
                "operation": self.operation.as_str(),
                "rule": violation.code(),
                "message": violation.to_string(),
            }),
        }
    }
}

/// `text` in single quotes for a POSIX shell: nothing inside is expanded,
/// and each `'` is closed, escaped and reopened (`'\''`).
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::{check_base_url, shell_quote};

    #[test]
    fn single_quotes_are_closed_escaped_and_reopened() {
        assert_eq!(shell_quote("a'b"), r"'a'\''b'");
        assert_eq!(shell_quote("$HOME `x`"), "'$HOME `x`'");
    }

    #[test]
    fn base_urls_need_a_scheme_and_a_host() {
        assert!(check_base_url("https://api.dojo.tech/").is_ok());
        assert!(check_base_url("http://localhost:8080").is_ok());
        for bad in [
            "",
            "api.dojo.tech",
            "https://",
            "https:///x",
            "https://a b",
            "https://a?x",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad:?}");
        }
    }
}
