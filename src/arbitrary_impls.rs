//! `arbitrary::Arbitrary` for the crate's value types (feature `arbitrary`).
//!
//! Every impl builds its value through the public, checked constructors, so
//! a fuzzer can only ever hold values the crate itself would accept: invalid
//! text (an unknown currency, a 101-character key) is the fuzz target's job,
//! fed through the parsers, not these impls'. The choices lean towards the
//! values where rules change their answer (zero, one minor unit, the edge of
//! the wire's int64 range, currencies with 0, 3 or 4 decimal places), because
//! uniformly random amounts almost never land there.

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::any::Operation;
use crate::ids::{CaptureId, IdempotencyKey};
use crate::ledger::CaptureOutcome;
use crate::money::{Currency, Money};

/// The currencies most inputs use: Dojo's own (GBP, EUR) and one for each
/// other minor-unit size ISO 4217 has (0: JPY, 3: BHD, 4: CLF), so that
/// decimal-place rules are exercised without waiting for a rare pick.
const COMMON_CODES: [&str; 5] = ["GBP", "EUR", "JPY", "BHD", "CLF"];

/// Every ISO 4217 code that has a minor unit, as `iso_currency` 0.7 lists
/// them; the ones without (`XAU`, `XXX`, …) are left out because `Currency`
/// refuses them ([D9](crate::decisions#d9)). Kept as text, not `iso_currency` values, so that the
/// crate's own `Currency::from_code` decides, as it does for wire input.
const ALL_CODES: [&str; 170] = [
    "AED", "AFN", "ALL", "AMD", "XCG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR",
    "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW",
    "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA",
    "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG",
    "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
    "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED",
    "VES", "VND", "VUV", "WST", "XAD", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL",
    "ZWG",
];

/// Picks a currency with a minor unit, usually GBP, EUR, JPY, BHD or CLF.
///
/// A table entry `Currency::from_code` refused would be a bug in the table,
/// not in the input: it is reported as `IncorrectFormat` rather than
/// replaced by another currency, so the unit test below catches it instead
/// of the fuzzer quietly never seeing that currency.
impl<'a> Arbitrary<'a> for Currency {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let code = if u.ratio(3_u8, 4)? {
            u.choose(&COMMON_CODES)?
        } else {
            u.choose(&ALL_CODES)?
        };
        Currency::from_code(code).map_err(|_| arbitrary::Error::IncorrectFormat)
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        // One byte for the ratio, up to four for the index.
        (1, Some(5))
    }
}

/// Minor units concentrated on the edges of the rules: most bugs in money
/// code sit at zero, at one unit, or where i64 runs out.
fn minor_units(u: &mut Unstructured<'_>) -> Result<i64> {
    Ok(match u.int_in_range(0_u8..=5)? {
        0 => 0,
        1 => 1,
        2 => i64::from(u.int_in_range(0_u16..=10_000)?),
        3 => i64::MAX - i64::from(u.int_in_range(0_u16..=1_000)?),
        4 => {
            // A power of ten, or one either side of it: where decimal
            // formatting gains a digit.
            let power = 10_i64.pow(u.int_in_range(0_u32..=18)?);
            power + i64::from(u.int_in_range(-1_i8..=1)?)
        }
        _ => u.int_in_range(0..=i64::MAX)?,
    })
}

/// Any valid amount: never negative, always in a currency with a minor unit.
impl<'a> Arbitrary<'a> for Money {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let currency = Currency::arbitrary(u)?;
        let minor = minor_units(u)?;
        // `minor_units` never yields a negative, so this cannot fail; an
        // error rather than a panic keeps that a fuzzing concern only.
        Money::try_new(minor, currency).map_err(|_| arbitrary::Error::IncorrectFormat)
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        let (low, high) = Currency::size_hint(depth);
        (low + 1, high.map(|h| h + 1 + 8 + 1))
    }
}

/// 1–100 visible ASCII characters, the rule both id types share: short ones
/// mostly, so that pools of ids collide, up to the 100-character limit.
fn visible_ascii(u: &mut Unstructured<'_>) -> Result<String> {
    let len = if u.ratio(7_u8, 8)? {
        u.int_in_range(1_usize..=8)?
    } else {
        u.int_in_range(1_usize..=100)?
    };
    (0..len)
        .map(|_| u.int_in_range(b'!'..=b'~').map(char::from))
        .collect()
}

/// A valid capture id; invalid ids are fed as text by the fuzz targets.
impl<'a> Arbitrary<'a> for CaptureId {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        CaptureId::new(&visible_ascii(u)?).map_err(|_| arbitrary::Error::IncorrectFormat)
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (2, Some(1 + 1 + 100))
    }
}

/// A valid idempotency key; invalid keys are fed as text by the fuzz targets.
impl<'a> Arbitrary<'a> for IdempotencyKey {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        IdempotencyKey::new(&visible_ascii(u)?).map_err(|_| arbitrary::Error::IncorrectFormat)
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (2, Some(1 + 1 + 100))
    }
}

/// Each final status of a capture, equally likely.
impl<'a> Arbitrary<'a> for CaptureOutcome {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(*u.choose(&[
            CaptureOutcome::Successful,
            CaptureOutcome::Declined,
            CaptureOutcome::Failed,
        ])?)
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (1, Some(4))
    }
}

/// Each operation [`AnyPaymentIntent::check`](crate::AnyPaymentIntent::check)
/// judges, with an arbitrary amount where it takes one: often in another
/// currency than the intent's, which is itself a rule to check.
impl<'a> Arbitrary<'a> for Operation {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0_u8..=4)? {
            0 => Operation::Capture(Money::arbitrary(u)?),
            1 => Operation::Refund(Money::arbitrary(u)?),
            2 => Operation::Reverse,
            3 => Operation::Cancel,
            _ => Operation::ChangeAmount(Money::arbitrary(u)?),
        })
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        let (_, money_high) = Money::size_hint(depth);
        (1, money_high.map(|h| h + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_code_is_a_currency_with_a_minor_unit() {
        for code in COMMON_CODES.iter().chain(&ALL_CODES) {
            assert!(Currency::from_code(code).is_ok(), "{code} is refused");
        }
    }

    #[test]
    fn any_bytes_give_valid_values_or_an_error_never_a_panic() {
        // A spread of inputs, including empty and all-0xff, which drive
        // every `int_in_range` to its ends.
        let inputs: Vec<Vec<u8>> = (0_u8..=255)
            .map(|b| vec![b; 64])
            .chain([Vec::new(), (0..=255).collect()])
            .collect();
        for bytes in &inputs {
            let mut u = Unstructured::new(bytes);
            let money = Money::arbitrary(&mut u).expect("money from bytes");
            assert!(money.minor_units() >= 0);
            let mut u = Unstructured::new(bytes);
            let id = CaptureId::arbitrary(&mut u).expect("capture id from bytes");
            assert!((1..=100).contains(&id.as_str().len()));
            let mut u = Unstructured::new(bytes);
            let key = IdempotencyKey::arbitrary(&mut u).expect("key from bytes");
            assert!(key.as_str().bytes().all(|b| b.is_ascii_graphic()));
            let mut u = Unstructured::new(bytes);
            Operation::arbitrary(&mut u).expect("operation from bytes");
        }
    }
}
