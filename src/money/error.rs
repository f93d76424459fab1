//! Why an amount of money could not be built or combined.

use super::{Currency, Money};

/// An amount that breaks a money rule: the value and the rule are in the message.
///
/// The kind is private so that new rules can be added without a breaking
/// change; [`MoneyError::code`] gives a stable snake_case name, and `Debug`
/// prints that code and the message.
///
/// ```
/// use dojo_capture::{Currency, Money};
///
/// let error = Money::parse_in("1.234", Currency::GBP).unwrap_err();
/// assert_eq!(error.code(), "too_precise");
/// assert_eq!(error.to_string(), "1.234 has more decimal places than GBP allows (2)");
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct MoneyError {
    kind: MoneyErrorKind,
}

#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub(crate) enum MoneyErrorKind {
    #[error("{0:?} is not an ISO 4217 currency code")]
    UnknownCurrency(Box<str>),
    #[error("{0} has no minor unit, so no amount can be held in it")]
    NoMinorUnit(&'static str),
    #[error("{text} {currency} is negative; amounts are never negative")]
    Negative { text: Box<str>, currency: Currency },
    #[error(
        "{text} has more decimal places than {currency} allows ({})",
        .currency.minor_unit_digits()
    )]
    TooPrecise { text: Box<str>, currency: Currency },
    #[error(
        "{0} {1} is beyond the largest amount the wire can carry ({max} minor units)",
        max = i64::MAX
    )]
    OutOfRange(Box<str>, Currency),
    #[error("{0:?} is not an amount; expected digits with an optional decimal point, e.g. 10.50")]
    Malformed(Box<str>),
    #[error("{left} and {right} amounts never combine")]
    CurrencyMismatch { left: Currency, right: Currency },
    #[error("{minuend} minus {subtrahend} would be negative")]
    Underflow { minuend: Money, subtrahend: Money },
}

impl MoneyErrorKind {
    fn code(&self) -> &'static str {
        match self {
            MoneyErrorKind::UnknownCurrency(_) => "unknown_currency",
            MoneyErrorKind::NoMinorUnit(_) => "no_minor_unit",
            MoneyErrorKind::Negative { .. } => "negative_amount",
            MoneyErrorKind::TooPrecise { .. } => "too_precise",
            MoneyErrorKind::OutOfRange(..) => "out_of_range",
            MoneyErrorKind::Malformed(_) => "malformed_amount",
            // Not `currency_mismatch`: that is the rule an operation in
            // another currency than its intent breaks.
            MoneyErrorKind::CurrencyMismatch { .. } => "currencies_differ",
            MoneyErrorKind::Underflow { .. } => "negative_result",
        }
    }
}

impl MoneyError {
    pub(crate) fn new(kind: MoneyErrorKind) -> MoneyError {
        MoneyError { kind }
    }

    /// A stable snake_case name for the rule that was broken: one of
    /// `unknown_currency`, `no_minor_unit`, `negative_amount`, `too_precise`,
    /// `out_of_range`, `malformed_amount`, `currencies_differ`,
    /// `negative_result`.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    ///
    /// let gbp = Money::new(100, Currency::GBP);
    /// let eur = Money::new(100, Currency::EUR);
    /// assert_eq!(gbp.checked_add(eur).unwrap_err().code(), "currencies_differ");
    /// ```
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The two currencies, when the error is that they differ.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    ///
    /// let error = Money::new(1, Currency::GBP)
    ///     .checked_add(Money::new(1, Currency::EUR))
    ///     .unwrap_err();
    /// assert_eq!(error.currencies(), Some((Currency::GBP, Currency::EUR)));
    /// assert_eq!(Money::try_new(-1, Currency::GBP).unwrap_err().currencies(), None);
    /// ```
    pub fn currencies(&self) -> Option<(Currency, Currency)> {
        match self.kind {
            MoneyErrorKind::CurrencyMismatch { left, right } => Some((left, right)),
            _ => None,
        }
    }
}

crate::error::debug_code_and_message!(MoneyError);
