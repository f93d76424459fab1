//! Why an amount of money could not be built or combined.

use std::fmt;

use super::{Currency, Money};

/// An amount that breaks a money rule: the value and the rule are in the message.
///
/// The kind is private so that new rules can be added without a breaking
/// change; [`MoneyError::code`] gives a stable snake_case name.
#[derive(Clone, PartialEq, Eq)]
pub struct MoneyError {
    kind: MoneyErrorKind,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum MoneyErrorKind {
    UnknownCurrency(Box<str>),
    NoMinorUnit(&'static str),
    Negative { text: Box<str>, currency: Currency },
    TooPrecise { text: Box<str>, currency: Currency },
    OutOfRange(Box<str>, Currency),
    Malformed(Box<str>),
    CurrencyMismatch { left: Currency, right: Currency },
    Underflow { minuend: Money, subtrahend: Money },
}

impl MoneyError {
    pub(crate) fn new(kind: MoneyErrorKind) -> MoneyError {
        MoneyError { kind }
    }

    /// A stable snake_case name for the rule that was broken.
    pub fn code(&self) -> &'static str {
        match self.kind {
            MoneyErrorKind::UnknownCurrency(_) => "unknown_currency",
            MoneyErrorKind::NoMinorUnit(_) => "no_minor_unit",
            MoneyErrorKind::Negative { .. } => "negative_amount",
            MoneyErrorKind::TooPrecise { .. } => "too_precise",
            MoneyErrorKind::OutOfRange(..) => "out_of_range",
            MoneyErrorKind::Malformed(_) => "malformed_amount",
            MoneyErrorKind::CurrencyMismatch { .. } => "currency_mismatch",
            MoneyErrorKind::Underflow { .. } => "negative_result",
        }
    }

    /// The two currencies, when the error is that they differ.
    pub fn currencies(&self) -> Option<(Currency, Currency)> {
        match self.kind {
            MoneyErrorKind::CurrencyMismatch { left, right } => Some((left, right)),
            _ => None,
        }
    }
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            MoneyErrorKind::UnknownCurrency(code) => {
                write!(f, "{code:?} is not an ISO 4217 currency code")
            }
            MoneyErrorKind::NoMinorUnit(code) => write!(
                f,
                "{code} has no minor unit, so no amount can be held in it"
            ),
            MoneyErrorKind::Negative { text, currency } => {
                write!(
                    f,
                    "{text} {currency} is negative; amounts are never negative"
                )
            }
            MoneyErrorKind::TooPrecise { text, currency } => write!(
                f,
                "{text} has more decimal places than {currency} allows ({})",
                currency.minor_unit_digits()
            ),
            MoneyErrorKind::OutOfRange(text, currency) => write!(
                f,
                "{text} {currency} is beyond the largest amount the wire can carry ({} minor units)",
                i64::MAX
            ),
            MoneyErrorKind::Malformed(text) => write!(
                f,
                "{text:?} is not an amount; expected digits with an optional decimal point, e.g. 10.50"
            ),
            MoneyErrorKind::CurrencyMismatch { left, right } => {
                write!(f, "{left} and {right} amounts never combine")
            }
            MoneyErrorKind::Underflow {
                minuend,
                subtrahend,
            } => write!(f, "{minuend} minus {subtrahend} would be negative"),
        }
    }
}

impl fmt::Debug for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MoneyError")
            .field("code", &self.code())
            .field("message", &self.to_string())
            .finish()
    }
}

impl std::error::Error for MoneyError {}
