//! A request a service sent: which lifecycle operation its path names, the
//! operation read from its headers and body, and how it differs from the
//! request the intent's own `prepare_…` method builds.

use std::borrow::Cow;

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::finding::shown;
use super::line::RequestLine;
use crate::any::AnyPaymentIntent;
use crate::ids::IdempotencyKey;
use crate::money::{Currency, Money};
use crate::prepared::{
    PreparedAmountChange, PreparedCancel, PreparedCapture, PreparedRefund, PreparedReversal,
    PreparedTipsChange, RefundDetails,
};
use crate::request::{ApiVersion, Request};
use crate::rule::RuleViolation;

/// The lifecycle's paths under `/payment-intents/{id}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `/payment-intents/{id}`: `GET` reads, `DELETE` cancels.
    Intent,
    Captures,
    Refunds,
    Reversal,
    Amount,
    TipsAmount,
}

/// The intent id (percent-decoded) and the endpoint `path` names, when it
/// is one of the lifecycle's: `/payment-intents/{id}` and its `captures`,
/// `refunds`, `reversal`, `amount` and `tips-amount`. A query, a fragment
/// or a malformed percent-encoding names none.
pub(crate) fn parse_path(path: &str) -> Option<(Cow<'_, str>, Endpoint)> {
    let rest = path.strip_prefix("/payment-intents/")?;
    if rest.contains(['?', '#']) {
        return None;
    }
    let (encoded, endpoint) = match rest.split_once('/') {
        None => (rest, Endpoint::Intent),
        Some((encoded, tail)) => (
            encoded,
            match tail {
                "captures" => Endpoint::Captures,
                "refunds" => Endpoint::Refunds,
                "reversal" => Endpoint::Reversal,
                "amount" => Endpoint::Amount,
                "tips-amount" => Endpoint::TipsAmount,
                _ => return None,
            },
        ),
    };
    let id = percent_decode(encoded)?;
    (!id.is_empty()).then_some((id, endpoint))
}

/// `text` with its `%XX` escapes decoded; borrowed when it has none.
fn percent_decode(text: &str) -> Option<Cow<'_, str>> {
    if !text.contains('%') {
        return Some(Cow::Borrowed(text));
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok().map(Cow::Owned)
}

/// What a request asks, before its body is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Asked {
    Read,
    Capture,
    Refund,
    Reversal,
    Cancel,
    ChangeAmount,
    ChangeTips,
}

/// The operation of `method` on `endpoint`; `None` for a method the
/// intent's own path does not take. The other endpoints are named by their
/// path alone: a wrong method there is a difference from the request the
/// crate builds, reported as such.
pub(crate) fn asked(endpoint: Endpoint, method: &str) -> Option<Asked> {
    Some(match endpoint {
        Endpoint::Intent => match method {
            "GET" => Asked::Read,
            "DELETE" => Asked::Cancel,
            _ => return None,
        },
        Endpoint::Captures => Asked::Capture,
        Endpoint::Refunds => Asked::Refund,
        Endpoint::Reversal => Asked::Reversal,
        Endpoint::Amount => Asked::ChangeAmount,
        Endpoint::TipsAmount => Asked::ChangeTips,
    })
}

/// An operation with what preparing it takes, read from the request.
#[derive(Debug)]
pub(crate) enum Wanted {
    Capture {
        amount: Money,
        tips: Option<Money>,
    },
    Refund {
        key: IdempotencyKey,
        amount: Money,
        details: RefundDetails,
    },
    Reversal,
    Cancel,
    ChangeAmount(Money),
    ChangeTips(Money),
}

/// Why a request cannot be prepared at all: a finding's code and message.
pub(crate) type Unpreparable = (&'static str, String);

fn mismatch(message: String) -> Unpreparable {
    ("request_mismatch", message)
}

/// The body as an object; `what` names the request in the message.
fn body_object<'b>(
    body: Option<&'b Value>,
    what: &str,
) -> Result<&'b Map<String, Value>, Unpreparable> {
    match body {
        Some(Value::Object(object)) => Ok(object),
        Some(_) => Err(mismatch(format!(
            "the body of this {what} request is not a JSON object"
        ))),
        None => Err(mismatch(format!("this {what} request has no body"))),
    }
}

/// `object[field]` as minor units in `currency`, or the finding.
fn minor_units(
    object: &Map<String, Value>,
    field: &str,
    currency: Currency,
    what: &str,
) -> Result<Option<Money>, Unpreparable> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => match number.as_i64() {
            Some(minor) => Money::try_new(minor, currency)
                .map(Some)
                .map_err(|error| (error.code(), error.to_string())),
            None => Err(mismatch(format!(
                "the {what} request's {field} {number} is not an integer number of minor units"
            ))),
        },
        Some(_) => Err(mismatch(format!(
            "the {what} request's {field} is not a number"
        ))),
    }
}

/// `object[field]` as a `Money` object `{"value", "currencyCode"}`, or the finding.
fn money_object(
    object: &Map<String, Value>,
    field: &str,
    what: &str,
) -> Result<Money, Unpreparable> {
    let not_money = || {
        mismatch(format!(
            "the {what} request's {field} is not {{\"value\": MINOR_UNITS, \"currencyCode\": CODE}}"
        ))
    };
    let money = object
        .get(field)
        .and_then(Value::as_object)
        .ok_or_else(not_money)?;
    let value = money
        .get("value")
        .and_then(Value::as_i64)
        .ok_or_else(not_money)?;
    let code = money
        .get("currencyCode")
        .and_then(Value::as_str)
        .ok_or_else(not_money)?;
    let currency = Currency::from_code(code).map_err(|error| (error.code(), error.to_string()))?;
    Money::try_new(value, currency).map_err(|error| (error.code(), error.to_string()))
}

fn optional_text<'b>(
    object: &'b Map<String, Value>,
    field: &str,
    what: &str,
) -> Result<Option<&'b str>, Unpreparable> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(mismatch(format!(
            "the {what} request's {field} is not a string"
        ))),
    }
}

/// Reads what `asked` needs from the request: the amounts of its body, in
/// the intent's `currency` where the wire carries bare minor units, and a
/// refund's key and details.
pub(crate) fn wanted(
    asked: Asked,
    request: &RequestLine<'_>,
    currency: Currency,
) -> Result<Wanted, Unpreparable> {
    let body = request.body.as_ref();
    Ok(match asked {
        // A read prepares nothing; never called for it.
        Asked::Read | Asked::Cancel => Wanted::Cancel,
        Asked::Reversal => Wanted::Reversal,
        Asked::Capture => {
            let object = body_object(body, "capture")?;
            let amount = minor_units(object, "amount", currency, "capture")?
                .ok_or_else(|| mismatch("the capture request's body has no amount".to_owned()))?;
            let tips = minor_units(object, "tipsAmount", currency, "capture")?;
            Wanted::Capture { amount, tips }
        }
        Asked::Refund => {
            let key = request.header("idempotencyKey").ok_or_else(|| {
                mismatch(
                    "this refund request has no idempotencyKey header; the crate sends every \
                     refund under one, so that a retry cannot refund twice"
                        .to_owned(),
                )
            })?;
            let key =
                IdempotencyKey::new(key).map_err(|error| (error.code(), error.to_string()))?;
            let object = body_object(body, "refund")?;
            let amount = minor_units(object, "amount", currency, "refund")?
                .ok_or_else(|| mismatch("the refund request's body has no amount".to_owned()))?;
            let details = RefundDetails::new(
                optional_text(object, "refundReason", "refund")?,
                optional_text(object, "notes", "refund")?,
            )
            .map_err(|error| (error.code(), error.to_string()))?;
            Wanted::Refund {
                key,
                amount,
                details,
            }
        }
        Asked::ChangeAmount => {
            let object = body_object(body, "change of amount")?;
            Wanted::ChangeAmount(money_object(object, "amount", "change of amount")?)
        }
        Asked::ChangeTips => {
            let object = body_object(body, "change of tip")?;
            Wanted::ChangeTips(money_object(object, "tipsAmount", "change of tip")?)
        }
    })
}

/// What a request awaiting its answer records it with.
#[derive(Debug)]
pub(crate) enum Token {
    /// A read (`GET`) sent at this time: its answer, when it is an intent,
    /// is a read that began then ([D22](crate::decisions#d22)).
    Read(jiff::Timestamp),
    /// A request the audit could not judge (refused, unpreparable, for an
    /// intent never read): its answer is taken without a finding, so that
    /// one problem is reported once.
    Unjudged,
    Capture(PreparedCapture),
    Refund(PreparedRefund),
    Reversal(PreparedReversal),
    Cancel(PreparedCancel),
    ChangeAmount(PreparedAmountChange),
    ChangeTips(PreparedTipsChange),
}

impl Token {
    /// The request the crate built, for a prepared operation.
    fn request(&self) -> Option<&Request> {
        match self {
            Token::Read(_) | Token::Unjudged => None,
            Token::Capture(prepared) => Some(prepared.request()),
            Token::Refund(prepared) => Some(prepared.request()),
            Token::Reversal(prepared) => Some(prepared.request()),
            Token::Cancel(prepared) => Some(prepared.request()),
            Token::ChangeAmount(prepared) => Some(prepared.request()),
            Token::ChangeTips(prepared) => Some(prepared.request()),
        }
    }
}

/// Prepares `wanted` on `intent` at `at` through the intent's own
/// `prepare_…` method: the token, or the rule that refuses it; the intent
/// comes back either way.
pub(crate) fn prepare(
    intent: AnyPaymentIntent,
    wanted: Wanted,
    at: Timestamp,
    version: ApiVersion,
) -> (AnyPaymentIntent, Result<Token, RuleViolation>) {
    macro_rules! token {
        ($result:expr, $variant:ident) => {
            match $result {
                Ok((intent, prepared)) => (intent, Ok(Token::$variant(prepared))),
                Err(rejected) => {
                    let violation = *rejected.violation();
                    (rejected.into_intent(), Err(violation))
                }
            }
        };
    }
    match wanted {
        Wanted::Capture { amount, tips } => {
            token!(intent.prepare_capture(amount, tips, at, version), Capture)
        }
        Wanted::Refund {
            key,
            amount,
            details,
        } => token!(intent.prepare_refund(key, amount, details, version), Refund),
        Wanted::Reversal => token!(intent.prepare_reversal(at, version), Reversal),
        Wanted::Cancel => token!(intent.prepare_cancel(version), Cancel),
        Wanted::ChangeAmount(amount) => {
            token!(intent.prepare_change_amount(amount, version), ChangeAmount)
        }
        Wanted::ChangeTips(tips) => token!(intent.prepare_change_tips(tips, version), ChangeTips),
    }
}

/// The `version` header as an [`ApiVersion`]; the default when it is absent
/// or not one the crate supports, which the comparison then reports.
pub(crate) fn version(request: &RequestLine<'_>) -> ApiVersion {
    request
        .header("version")
        .and_then(|text| text.parse().ok())
        .unwrap_or_default()
}

/// How the logged request differs from the one `token` holds: its method,
/// path, each header the crate sends (names compared without regard to
/// case; `content-type` by its media type) and its body as JSON. Headers
/// the crate does not send (`Authorization`, a user agent) are not
/// compared. Empty when they agree.
pub(crate) fn differences(token: &Token, logged: &RequestLine<'_>) -> Vec<String> {
    let Some(prepared) = token.request() else {
        return Vec::new();
    };
    let mut differences = Vec::new();
    if logged.method != prepared.method().as_str() {
        differences.push(format!(
            "method {} instead of {}",
            shown(&logged.method),
            prepared.method()
        ));
    }
    if logged.path != prepared.path() {
        differences.push(format!(
            "path {} instead of {}",
            shown(&logged.path),
            prepared.path()
        ));
    }
    for (name, value) in prepared.headers() {
        match logged.header(name) {
            None => differences.push(format!("no {name} header (expected {value})")),
            Some(found) if !same_header(name, found, value) => {
                differences.push(format!("{name} header {} instead of {value}", shown(found)))
            }
            Some(_) => {}
        }
    }
    let expected: Option<Value> = prepared
        .body()
        .and_then(|body| serde_json::from_slice(body).ok());
    if logged.body != expected {
        let show = |body: Option<&Value>| {
            body.map_or_else(|| "none".to_owned(), |b| shown(&b.to_string()))
        };
        differences.push(format!(
            "body {} instead of {}",
            show(logged.body.as_ref()),
            show(expected.as_ref())
        ));
    }
    differences
}

fn same_header(name: &str, found: &str, expected: &str) -> bool {
    if name.eq_ignore_ascii_case("content-type") {
        // Parameters such as `; charset=utf-8` do not change the media type.
        let media = found.split(';').next().unwrap_or("").trim();
        media.eq_ignore_ascii_case(expected)
    } else {
        found == expected
    }
}

#[cfg(test)]
mod tests {
    use super::{Endpoint, parse_path};

    #[test]
    fn paths_name_an_intent_and_an_endpoint() {
        assert_eq!(
            parse_path("/payment-intents/pi_1/captures"),
            Some(("pi_1".into(), Endpoint::Captures))
        );
        assert_eq!(
            parse_path("/payment-intents/pi%201"),
            Some(("pi 1".into(), Endpoint::Intent))
        );
        for bad in [
            "/payment-intents/",
            "/payment-intents/pi_1/",
            "/payment-intents/pi_1/capture",
            "/payment-intents/pi_1?x=1",
            "/payment-intents/pi%2",
            "/payment-intents/pi%FF",
            "/customers/pi_1",
        ] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
    }
}
