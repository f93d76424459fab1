//! ISO 4217 currencies that have a minor unit.

use std::fmt;
use std::str::FromStr;

use super::error::{MoneyError, MoneyErrorKind};

/// An ISO 4217 currency that has a minor unit (GBP, EUR, JPY, BHD, …).
///
/// Currencies without a minor unit (`XAU`, `XXX`, …) cannot carry an amount in minor units, so they
/// cannot be built (decision [D9](crate::decisions#d9)). Codes are upper case, as on the wire.
///
/// ```
/// use dojo_capture::Currency;
///
/// let gbp: Currency = "GBP".parse()?;
/// assert_eq!(gbp, Currency::GBP);
/// assert_eq!(gbp.minor_unit_digits(), 2);
/// assert_eq!("XAU".parse::<Currency>().unwrap_err().code(), "no_minor_unit");
/// # Ok::<(), dojo_capture::MoneyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    iso: iso_currency::Currency,
    // Cached so that amount checks never look the table up again. ISO 4217's
    // largest is 4 (CLF, UYW), far inside what i64 and Decimal scale can hold.
    exponent: u16,
}

impl Currency {
    /// Pound sterling, two decimal places.
    pub const GBP: Currency = Currency {
        iso: iso_currency::Currency::GBP,
        exponent: 2,
    };
    /// Euro, two decimal places.
    pub const EUR: Currency = Currency {
        iso: iso_currency::Currency::EUR,
        exponent: 2,
    };
    /// Yen: no decimal places, but still a minor unit (the yen itself).
    pub const JPY: Currency = Currency {
        iso: iso_currency::Currency::JPY,
        exponent: 0,
    };

    /// The currency with this upper-case ISO 4217 alphabetic code.
    ///
    /// # Errors
    /// The code is not an ISO 4217 code, or it names a currency without a
    /// minor unit (`XAU`, `XXX`).
    ///
    /// ```
    /// use dojo_capture::Currency;
    ///
    /// assert_eq!(Currency::from_code("BHD")?.minor_unit_digits(), 3);
    /// assert_eq!(Currency::from_code("gbp").unwrap_err().code(), "unknown_currency");
    /// assert_eq!(Currency::from_code("XXX").unwrap_err().code(), "no_minor_unit");
    /// # Ok::<(), dojo_capture::MoneyError>(())
    /// ```
    pub fn from_code(code: &str) -> Result<Currency, MoneyError> {
        // `iso_currency` matches codes exactly, so "gbp" is unknown too.
        match iso_currency::Currency::from_code(code) {
            Some(iso) => Currency::from_iso(iso),
            None => Err(MoneyError::new(MoneyErrorKind::UnknownCurrency(
                code.into(),
            ))),
        }
    }

    /// Wraps an `iso_currency` value.
    ///
    /// # Errors
    /// The currency has no minor unit (`XAU`, `XXX`, …).
    ///
    /// ```
    /// use dojo_capture::Currency;
    ///
    /// assert_eq!(Currency::from_iso(iso_currency::Currency::EUR)?, Currency::EUR);
    /// assert!(Currency::from_iso(iso_currency::Currency::XAU).is_err());
    /// # Ok::<(), dojo_capture::MoneyError>(())
    /// ```
    pub fn from_iso(iso: iso_currency::Currency) -> Result<Currency, MoneyError> {
        match iso.exponent() {
            Some(exponent) => Ok(Currency { iso, exponent }),
            None => Err(MoneyError::new(MoneyErrorKind::NoMinorUnit(iso.code()))),
        }
    }

    /// The three-letter code, e.g. `"GBP"`.
    ///
    /// ```
    /// use dojo_capture::Currency;
    ///
    /// assert_eq!(Currency::GBP.code(), "GBP");
    /// ```
    pub fn code(self) -> &'static str {
        self.iso.code()
    }

    /// How many decimal places the minor unit has: 2 for GBP, 0 for JPY, 3 for BHD.
    ///
    /// ```
    /// use dojo_capture::Currency;
    ///
    /// assert_eq!(Currency::GBP.minor_unit_digits(), 2);
    /// assert_eq!(Currency::JPY.minor_unit_digits(), 0);
    /// ```
    pub fn minor_unit_digits(self) -> u32 {
        u32::from(self.exponent)
    }

    /// The `iso_currency` value.
    ///
    /// ```
    /// use dojo_capture::Currency;
    ///
    /// assert_eq!(Currency::EUR.iso(), iso_currency::Currency::EUR);
    /// ```
    pub fn iso(self) -> iso_currency::Currency {
        self.iso
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::from_code(s)
    }
}

impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Currency;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 4217 currency code such as \"GBP\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Currency, E> {
                Currency::from_code(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}
