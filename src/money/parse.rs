//! Text to money. One validator serves `FromStr`, the command line and the
//! amounts given without a currency.

use std::str::FromStr;

use super::{Currency, Money, MoneyError, MoneyErrorKind};

impl Money {
    /// Parses a plain decimal in major units (`"10.50"`, `"7"`) as an amount of `currency`.
    ///
    /// Only ASCII digits with at most one decimal point are accepted: no sign,
    /// exponent, separators or spaces, so nothing about the amount is guessed.
    ///
    /// # Errors
    /// The text is not such a decimal, has more decimal places than the
    /// currency allows (trailing zeros aside), or is beyond `i64::MAX` minor units.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    ///
    /// assert_eq!(Money::parse_in("10.50", Currency::GBP)?.minor_units(), 1050);
    /// assert_eq!(Money::parse_in("1500", Currency::JPY)?.minor_units(), 1500);
    /// assert_eq!(Money::parse_in("1.5", Currency::JPY).unwrap_err().code(), "too_precise");
    /// assert_eq!(Money::parse_in("1,000", Currency::GBP).unwrap_err().code(), "malformed_amount");
    /// # Ok::<(), dojo_capture::MoneyError>(())
    /// ```
    pub fn parse_in(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let malformed = || MoneyError::new(MoneyErrorKind::Malformed(text.into()));
        if let Some(rest) = text.strip_prefix('-') {
            if is_plain_decimal(rest) {
                return Err(MoneyError::new(MoneyErrorKind::Negative {
                    text: text.into(),
                    currency,
                }));
            }
            return Err(malformed());
        }
        if !is_plain_decimal(text) {
            return Err(malformed());
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let fraction = fraction.trim_end_matches('0');
        let digits = currency.minor_unit_digits() as usize;
        if fraction.len() > digits {
            return Err(MoneyError::new(MoneyErrorKind::TooPrecise {
                text: text.into(),
                currency,
            }));
        }
        let out_of_range = || MoneyError::new(MoneyErrorKind::OutOfRange(text.into(), currency));
        let mut minor: i64 = 0;
        let padding = std::iter::repeat_n(b'0', digits - fraction.len());
        for digit in whole.bytes().chain(fraction.bytes()).chain(padding) {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(digit - b'0')))
                .ok_or_else(out_of_range)?;
        }
        Ok(Money { minor, currency })
    }
}

/// Digits, optionally one `.` followed by digits; at least one digit before the point.
fn is_plain_decimal(text: &str) -> bool {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty()
        && all_digits(whole)
        && fraction.is_none_or(|f| !f.is_empty() && all_digits(f))
}

/// Parses `"10.50 GBP"`: an amount as [`Money::parse_in`] takes it, exactly one
/// space, and an upper-case currency code. Everything [`Display`](std::fmt::Display)
/// writes parses back to the same value; `"10.5 GBP"` is accepted too.
impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(' ') {
            // Stray spaces are a malformed amount, not an unknown currency called " GBP".
            Some((amount, code)) if !amount.is_empty() && !code.contains(' ') => {
                Money::parse_in(amount, Currency::from_code(code)?)
            }
            _ => Err(MoneyError::new(MoneyErrorKind::Malformed(s.into()))),
        }
    }
}
