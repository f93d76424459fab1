//! Money: a non-negative amount of minor units in one currency.
//!
//! Every way in is checked (minor units, [`Decimal`] major units, text,
//! JSON), and every way of combining two amounts is checked: nothing rounds,
//! nothing overflows, and two currencies never mix.

mod currency;
mod display;
mod error;
mod parse;
mod serde_impl;

pub use currency::Currency;
pub use error::MoneyError;
pub(crate) use error::MoneyErrorKind;

use rust_decimal::Decimal;

/// A non-negative amount in an ISO 4217 currency, held in minor units.
///
/// The amount is at most `i64::MAX` minor units, the range of Dojo's
/// `int64` amounts, so every `Money` can be sent on the wire.
///
/// ```
/// use dojo_capture::{Currency, Money};
///
/// let price = Money::parse_in("10.50", Currency::GBP)?;
/// assert_eq!(price, Money::new(1050, Currency::GBP));
/// assert_eq!(price.to_string(), "10.50 GBP");
/// // Two currencies never combine.
/// assert!(price.checked_add(Money::new(1, Currency::EUR)).is_err());
/// # Ok::<(), dojo_capture::MoneyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

/// The error of a negative count of minor units, built out of line.
#[cold]
#[inline(never)]
fn negative(minor: i64, currency: Currency) -> MoneyError {
    MoneyError::new(MoneyErrorKind::Negative {
        text: format!("{minor} minor units of").into_boxed_str(),
        currency,
    })
}

/// `Money::new`'s documented panic, out of line.
#[cold]
#[inline(never)]
#[track_caller]
fn negative_literal(minor: i64, currency: Currency) -> ! {
    panic!("Money::new: {}", negative(minor, currency))
}

impl Money {
    /// An amount from a literal count of minor units: `Money::new(1050, Currency::GBP)` is 10.50 GBP.
    ///
    /// # Panics
    /// When `minor` is negative. Use [`Money::try_new`] for values that are not
    /// literals in your own code.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    ///
    /// let price = Money::new(1050, Currency::GBP);
    /// assert_eq!(price.to_string(), "10.50 GBP");
    /// ```
    #[inline]
    #[track_caller]
    pub fn new(minor: i64, currency: Currency) -> Money {
        // The check inline, the message out of line: the rules build several
        // amounts per check, and each must cost a comparison, not a call
        // returning a `Result` through memory.
        if minor < 0 {
            negative_literal(minor, currency);
        }
        Money { minor, currency }
    }

    /// An amount from a count of minor units.
    ///
    /// # Errors
    /// `minor` is negative.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    ///
    /// assert_eq!(Money::try_new(0, Currency::GBP)?, Money::zero(Currency::GBP));
    /// let error = Money::try_new(-1, Currency::GBP).unwrap_err();
    /// assert_eq!(error.code(), "negative_amount");
    /// # Ok::<(), dojo_capture::MoneyError>(())
    /// ```
    #[inline]
    pub fn try_new(minor: i64, currency: Currency) -> Result<Money, MoneyError> {
        if minor < 0 {
            return Err(negative(minor, currency));
        }
        Ok(Money { minor, currency })
    }

    /// Nothing, in `currency`.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    ///
    /// let nothing = Money::zero(Currency::EUR);
    /// assert!(nothing.is_zero());
    /// assert_eq!(nothing.to_string(), "0.00 EUR");
    /// ```
    pub const fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// An amount from a decimal in major units: `10.5` GBP is 1050 minor units.
    ///
    /// Trailing zeros are not precision (`10.500` GBP is accepted), but any
    /// non-zero digit beyond the currency's minor unit is an error, never rounded.
    ///
    /// # Errors
    /// A negative value, more decimal places than the currency has, or a value
    /// beyond `i64::MAX` minor units.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    /// use rust_decimal::Decimal;
    ///
    /// let ten_fifty = Decimal::new(10500, 3); // 10.500
    /// assert_eq!(Money::from_decimal(ten_fifty, Currency::GBP)?.minor_units(), 1050);
    /// // A third decimal place that is not zero is refused, never rounded.
    /// let error = Money::from_decimal(Decimal::new(10001, 3), Currency::GBP).unwrap_err();
    /// assert_eq!(error.code(), "too_precise");
    /// # Ok::<(), dojo_capture::MoneyError>(())
    /// ```
    pub fn from_decimal(major: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        let text = || major.to_string().into_boxed_str();
        if major.is_sign_negative() && !major.is_zero() {
            return Err(MoneyError::new(MoneyErrorKind::Negative {
                text: text(),
                currency,
            }));
        }
        let normalized = major.normalize();
        let scale = normalized.scale();
        let digits = currency.minor_unit_digits();
        if scale > digits {
            return Err(MoneyError::new(MoneyErrorKind::TooPrecise {
                text: text(),
                currency,
            }));
        }
        let factor = 10_i128.pow(digits - scale);
        normalized
            .mantissa()
            .checked_mul(factor)
            .and_then(|minor| i64::try_from(minor).ok())
            .map(|minor| Money { minor, currency })
            .ok_or_else(|| MoneyError::new(MoneyErrorKind::OutOfRange(text(), currency)))
    }

    /// The amount in major units, exactly: 1050 GBP minor units is `10.50`.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    /// use rust_decimal::Decimal;
    ///
    /// assert_eq!(Money::new(1050, Currency::GBP).to_decimal(), Decimal::new(1050, 2));
    /// assert_eq!(Money::new(1050, Currency::JPY).to_decimal(), Decimal::new(1050, 0));
    /// ```
    pub fn to_decimal(self) -> Decimal {
        Decimal::from_i128_with_scale(i128::from(self.minor), self.currency.minor_unit_digits())
    }

    /// The amount in minor units, as Dojo's wire carries it.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    ///
    /// assert_eq!(Money::parse_in("7.5", Currency::GBP)?.minor_units(), 750);
    /// # Ok::<(), dojo_capture::MoneyError>(())
    /// ```
    pub const fn minor_units(self) -> i64 {
        self.minor
    }

    /// The currency.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    ///
    /// assert_eq!(Money::new(100, Currency::EUR).currency(), Currency::EUR);
    /// ```
    pub const fn currency(self) -> Currency {
        self.currency
    }

    /// Whether the amount is nothing.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    ///
    /// assert!(Money::new(0, Currency::GBP).is_zero());
    /// assert!(!Money::new(1, Currency::GBP).is_zero());
    /// ```
    pub const fn is_zero(self) -> bool {
        self.minor == 0
    }

    /// `self + other`.
    ///
    /// # Errors
    /// The currencies differ, or the sum passes `i64::MAX` minor units.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    ///
    /// let gbp = |minor| Money::new(minor, Currency::GBP);
    /// assert_eq!(gbp(600).checked_add(gbp(400))?, gbp(1000));
    /// assert_eq!(gbp(i64::MAX).checked_add(gbp(1)).unwrap_err().code(), "out_of_range");
    /// # Ok::<(), dojo_capture::MoneyError>(())
    /// ```
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_add(other.minor)
            .map(|minor| Money {
                minor,
                currency: self.currency,
            })
            .ok_or_else(|| {
                let sum = i128::from(self.minor) + i128::from(other.minor);
                MoneyError::new(MoneyErrorKind::OutOfRange(
                    Decimal::from_i128_with_scale(sum, self.currency.minor_unit_digits())
                        .to_string()
                        .into_boxed_str(),
                    self.currency,
                ))
            })
    }

    /// `self - other`.
    ///
    /// # Errors
    /// The currencies differ, or `other` is larger than `self`.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    ///
    /// let gbp = |minor| Money::new(minor, Currency::GBP);
    /// assert_eq!(gbp(1000).checked_sub(gbp(400))?, gbp(600));
    /// assert_eq!(gbp(100).checked_sub(gbp(101)).unwrap_err().code(), "negative_result");
    /// # Ok::<(), dojo_capture::MoneyError>(())
    /// ```
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        if other.minor > self.minor {
            return Err(MoneyError::new(MoneyErrorKind::Underflow {
                minuend: self,
                subtrahend: other,
            }));
        }
        Ok(Money {
            minor: self.minor - other.minor,
            currency: self.currency,
        })
    }

    /// `self - other`, or zero when `other` is larger.
    ///
    /// # Errors
    /// The currencies differ.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    ///
    /// let gbp = |minor| Money::new(minor, Currency::GBP);
    /// assert_eq!(gbp(100).saturating_sub(gbp(250))?, gbp(0));
    /// assert!(gbp(100).saturating_sub(Money::new(1, Currency::EUR)).is_err());
    /// # Ok::<(), dojo_capture::MoneyError>(())
    /// ```
    pub fn saturating_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Ok(Money {
            minor: self.minor.saturating_sub(other.minor).max(0),
            currency: self.currency,
        })
    }

    /// Orders two amounts of the same currency.
    ///
    /// # Errors
    /// The currencies differ: a GBP amount is neither more nor less than a EUR one.
    ///
    /// ```
    /// use std::cmp::Ordering;
    ///
    /// use dojo_capture::{Currency, Money};
    ///
    /// let gbp = |minor| Money::new(minor, Currency::GBP);
    /// assert_eq!(gbp(100).checked_cmp(gbp(250))?, Ordering::Less);
    /// assert!(gbp(100).checked_cmp(Money::new(100, Currency::EUR)).is_err());
    /// # Ok::<(), dojo_capture::MoneyError>(())
    /// ```
    pub fn checked_cmp(self, other: Money) -> Result<std::cmp::Ordering, MoneyError> {
        self.same_currency(other)?;
        Ok(self.minor.cmp(&other.minor))
    }

    /// Succeeds when `other` is in the same currency.
    ///
    /// # Errors
    /// The currencies differ.
    ///
    /// ```
    /// use dojo_capture::{Currency, Money};
    ///
    /// let gbp = Money::new(100, Currency::GBP);
    /// assert!(gbp.same_currency(Money::zero(Currency::GBP)).is_ok());
    /// let error = gbp.same_currency(Money::new(100, Currency::EUR)).unwrap_err();
    /// assert_eq!(error.currencies(), Some((Currency::GBP, Currency::EUR)));
    /// ```
    pub fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::new(MoneyErrorKind::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            }))
        }
    }
}
