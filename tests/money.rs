//! The money type: every way in is checked, every combination is checked,
//! and every error names the value and the rule it broke.

mod common;

use std::cmp::Ordering;
use std::str::FromStr;

use dojo_capture::money::{Currency, Money, MoneyError};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn gbp(minor: i64) -> Money {
    Money::new(minor, Currency::GBP)
}

fn bhd() -> Currency {
    Currency::from_code("BHD").expect("BHD has three minor digits")
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).expect("test decimal")
}

// ---- construction from minor units ----

#[test]
fn try_new_accepts_zero_and_positive() {
    assert_eq!(Money::try_new(0, Currency::GBP).unwrap().minor_units(), 0);
    assert!(Money::try_new(0, Currency::GBP).unwrap().is_zero());
    let money = Money::try_new(1050, Currency::GBP).unwrap();
    assert_eq!(money.minor_units(), 1050);
    assert_eq!(money.currency(), Currency::GBP);
    assert!(!money.is_zero());
    assert_eq!(
        Money::try_new(i64::MAX, Currency::GBP)
            .unwrap()
            .minor_units(),
        i64::MAX
    );
}

#[test]
fn try_new_rejects_negative_with_the_value_in_the_message() {
    let error = Money::try_new(-1, Currency::GBP).unwrap_err();
    assert_eq!(error.code(), "negative_amount");
    assert_eq!(
        error.to_string(),
        "-1 minor units of GBP is negative; amounts are never negative"
    );
    assert_eq!(error.currencies(), None);
    let error = Money::try_new(i64::MIN, Currency::JPY).unwrap_err();
    assert_eq!(error.code(), "negative_amount");
}

#[test]
#[should_panic(
    expected = "Money::new: -5 minor units of GBP is negative; amounts are never negative"
)]
fn new_panics_on_negative() {
    let _ = Money::new(-5, Currency::GBP);
}

#[test]
fn zero_is_zero_in_its_currency() {
    assert_eq!(Money::zero(Currency::EUR), Money::new(0, Currency::EUR));
    assert_ne!(Money::zero(Currency::EUR), Money::zero(Currency::GBP));
}

#[test]
fn money_error_debug_shows_code_and_message() {
    let error = Money::try_new(-1, Currency::GBP).unwrap_err();
    assert_eq!(
        format!("{error:?}"),
        "MoneyError { code: \"negative_amount\", message: \"-1 minor units of GBP is negative; amounts are never negative\" }"
    );
}

// ---- from_decimal ----

#[test]
fn from_decimal_rejects_a_third_decimal_place_in_gbp() {
    let error = Money::from_decimal(dec("10.001"), Currency::GBP).unwrap_err();
    assert_eq!(error.code(), "too_precise");
    assert_eq!(
        error.to_string(),
        "10.001 has more decimal places than GBP allows (2)"
    );
}

#[test]
fn from_decimal_rejects_any_decimal_place_in_jpy() {
    let error = Money::from_decimal(dec("1.5"), Currency::JPY).unwrap_err();
    assert_eq!(error.code(), "too_precise");
    assert_eq!(
        error.to_string(),
        "1.5 has more decimal places than JPY allows (0)"
    );
    assert_eq!(
        Money::from_decimal(dec("15"), Currency::JPY).unwrap(),
        Money::new(15, Currency::JPY)
    );
    // Trailing zeros are not precision, even for a currency without decimals.
    assert_eq!(
        Money::from_decimal(dec("15.000"), Currency::JPY).unwrap(),
        Money::new(15, Currency::JPY)
    );
}

#[test]
fn from_decimal_accepts_trailing_zeros() {
    assert_eq!(
        Money::from_decimal(dec("10.100"), Currency::GBP).unwrap(),
        gbp(1010)
    );
    assert_eq!(
        Money::from_decimal(dec("10.10"), Currency::GBP).unwrap(),
        gbp(1010)
    );
    assert_eq!(
        Money::from_decimal(dec("10.1"), Currency::GBP).unwrap(),
        gbp(1010)
    );
    assert_eq!(
        Money::from_decimal(dec("10"), Currency::GBP).unwrap(),
        gbp(1000)
    );
    assert_eq!(
        Money::from_decimal(dec("0.01"), Currency::GBP).unwrap(),
        gbp(1)
    );
    assert_eq!(
        Money::from_decimal(dec("0"), Currency::GBP).unwrap(),
        gbp(0)
    );
    assert_eq!(
        Money::from_decimal(dec("0.005"), bhd()).unwrap(),
        Money::new(5, bhd())
    );
}

#[test]
fn from_decimal_rejects_negative() {
    let error = Money::from_decimal(dec("-1.00"), Currency::GBP).unwrap_err();
    assert_eq!(error.code(), "negative_amount");
    assert_eq!(
        error.to_string(),
        "-1.00 GBP is negative; amounts are never negative"
    );
    let error = Money::from_decimal(dec("-0.01"), Currency::GBP).unwrap_err();
    assert_eq!(error.code(), "negative_amount");
}

#[test]
fn from_decimal_accepts_negative_zero_as_zero() {
    let mut negative_zero = dec("0.00");
    negative_zero.set_sign_negative(true);
    assert!(negative_zero.is_sign_negative());
    assert_eq!(
        Money::from_decimal(negative_zero, Currency::GBP).unwrap(),
        gbp(0)
    );
    assert_eq!(
        Money::from_decimal(dec("-0.00"), Currency::GBP).unwrap(),
        gbp(0)
    );
}

#[test]
fn from_decimal_rejects_beyond_i64_max_minor_units() {
    // i64::MAX = 9223372036854775807 minor units = 92233720368547758.07 GBP.
    assert_eq!(
        Money::from_decimal(dec("92233720368547758.07"), Currency::GBP).unwrap(),
        gbp(i64::MAX)
    );
    let error = Money::from_decimal(dec("92233720368547758.08"), Currency::GBP).unwrap_err();
    assert_eq!(error.code(), "out_of_range");
    assert_eq!(
        error.to_string(),
        "92233720368547758.08 GBP is beyond the largest amount the wire can carry (9223372036854775807 minor units)"
    );
    let error = Money::from_decimal(Decimal::MAX, Currency::GBP).unwrap_err();
    assert_eq!(error.code(), "out_of_range");
    assert_eq!(
        Money::from_decimal(dec("9223372036854775807"), Currency::JPY).unwrap(),
        Money::new(i64::MAX, Currency::JPY)
    );
    assert_eq!(
        Money::from_decimal(dec("9223372036854775808"), Currency::JPY)
            .unwrap_err()
            .code(),
        "out_of_range"
    );
}

#[test]
fn decimal_round_trips_are_exact() {
    let cases = [
        (gbp(1050), "10.50"),
        (gbp(1), "0.01"),
        (gbp(0), "0.00"),
        (Money::new(1500, Currency::JPY), "1500"),
        (Money::new(5, bhd()), "0.005"),
        (Money::new(12345, bhd()), "12.345"),
    ];
    for (money, text) in cases {
        let decimal = money.to_decimal();
        assert_eq!(decimal.to_string(), text);
        assert_eq!(decimal, dec(text));
        assert_eq!(
            Money::from_decimal(decimal, money.currency()).unwrap(),
            money
        );
    }
    assert_eq!(bhd().minor_unit_digits(), 3);
    assert_eq!(Currency::GBP.minor_unit_digits(), 2);
    assert_eq!(Currency::JPY.minor_unit_digits(), 0);
}

// ---- currencies ----

#[test]
fn currencies_without_a_minor_unit_are_rejected() {
    for code in ["XAU", "XXX"] {
        let error = Currency::from_code(code).unwrap_err();
        assert_eq!(error.code(), "no_minor_unit");
        assert_eq!(
            error.to_string(),
            format!("{code} has no minor unit, so no amount can be held in it")
        );
    }
}

#[test]
fn unknown_or_lower_case_codes_are_rejected() {
    for code in ["gbp", "ABC", "Gbp", "GBPX", "", " GBP"] {
        let error = Currency::from_code(code).unwrap_err();
        assert_eq!(error.code(), "unknown_currency", "{code:?}");
        assert_eq!(
            error.to_string(),
            format!("{code:?} is not an ISO 4217 currency code")
        );
    }
    assert_eq!(
        Currency::from_code("gbp").unwrap_err().to_string(),
        "\"gbp\" is not an ISO 4217 currency code"
    );
}

#[test]
fn known_codes_are_accepted() {
    assert_eq!(Currency::from_code("GBP").unwrap(), Currency::GBP);
    assert_eq!(Currency::from_code("EUR").unwrap(), Currency::EUR);
    assert_eq!(Currency::from_code("JPY").unwrap(), Currency::JPY);
    assert_eq!(Currency::from_str("GBP").unwrap(), Currency::GBP);
    assert_eq!(Currency::GBP.code(), "GBP");
    assert_eq!(Currency::GBP.to_string(), "GBP");
    assert_eq!(format!("{:?}", Currency::EUR), "EUR");
    assert_eq!(bhd().code(), "BHD");
}

#[test]
fn from_iso_checks_the_minor_unit() {
    assert_eq!(
        Currency::from_iso(iso_currency::Currency::GBP).unwrap(),
        Currency::GBP
    );
    assert_eq!(
        Currency::from_iso(iso_currency::Currency::XAU)
            .unwrap_err()
            .code(),
        "no_minor_unit"
    );
}

// ---- Display and FromStr ----

#[test]
fn display_writes_every_minor_digit() {
    assert_eq!(gbp(1000).to_string(), "10.00 GBP");
    assert_eq!(gbp(1050).to_string(), "10.50 GBP");
    assert_eq!(gbp(1).to_string(), "0.01 GBP");
    assert_eq!(gbp(0).to_string(), "0.00 GBP");
    assert_eq!(Money::new(1500, Currency::JPY).to_string(), "1500 JPY");
    assert_eq!(Money::new(5, bhd()).to_string(), "0.005 BHD");
    assert_eq!(Money::new(1005, bhd()).to_string(), "1.005 BHD");
    assert_eq!(gbp(i64::MAX).to_string(), "92233720368547758.07 GBP");
}

#[test]
fn from_str_accepts_what_display_writes() {
    for money in [
        gbp(1000),
        gbp(0),
        gbp(1),
        gbp(i64::MAX),
        Money::new(1500, Currency::JPY),
        Money::new(5, bhd()),
    ] {
        assert_eq!(money.to_string().parse::<Money>().unwrap(), money);
    }
    assert_eq!("10.00 GBP".parse::<Money>().unwrap(), gbp(1000));
    assert_eq!(
        "1500 JPY".parse::<Money>().unwrap(),
        Money::new(1500, Currency::JPY)
    );
    assert_eq!("0.005 BHD".parse::<Money>().unwrap(), Money::new(5, bhd()));
}

#[test]
fn from_str_rejects_anything_else() {
    let cases = [
        ("10 gbp", "unknown_currency"),
        ("10.00GBP", "malformed_amount"),
        ("+1.00 GBP", "malformed_amount"),
        ("1e3 GBP", "malformed_amount"),
        ("1,000.00 GBP", "malformed_amount"),
        ("-1.00 GBP", "negative_amount"),
        (".5 GBP", "malformed_amount"),
        ("5. GBP", "malformed_amount"),
        ("1.2.3 GBP", "malformed_amount"),
        ("GBP 10.00", "unknown_currency"),
        ("", "malformed_amount"),
        ("10.001 GBP", "too_precise"),
        ("1.5 JPY", "too_precise"),
        ("1 XAU", "no_minor_unit"),
        ("92233720368547758.08 GBP", "out_of_range"),
        ("-x GBP", "malformed_amount"),
    ];
    for (text, code) in cases {
        let error = text.parse::<Money>().unwrap_err();
        assert_eq!(error.code(), code, "{text:?}: {error}");
    }
    // Refused, whatever the code: see `leading_or_doubled_space_is_reported_as_malformed`.
    for text in [" 10.00 GBP", "10.00  GBP", "10.00 GBP ", "10.00\tGBP"] {
        assert!(text.parse::<Money>().is_err(), "{text:?}");
    }
}

#[test]
fn from_str_error_messages_name_the_value() {
    assert_eq!(
        "10.00GBP".parse::<Money>().unwrap_err().to_string(),
        "\"10.00GBP\" is not an amount; expected digits with an optional decimal point, e.g. 10.50"
    );
    assert_eq!(
        "1e3 GBP".parse::<Money>().unwrap_err().to_string(),
        "\"1e3\" is not an amount; expected digits with an optional decimal point, e.g. 10.50"
    );
    assert_eq!(
        "10 gbp".parse::<Money>().unwrap_err().to_string(),
        "\"gbp\" is not an ISO 4217 currency code"
    );
    assert_eq!(
        "-1.00 GBP".parse::<Money>().unwrap_err().to_string(),
        "-1.00 GBP is negative; amounts are never negative"
    );
    assert_eq!(
        "10.001 GBP".parse::<Money>().unwrap_err().to_string(),
        "10.001 has more decimal places than GBP allows (2)"
    );
    assert_eq!(
        "92233720368547758.08 GBP"
            .parse::<Money>()
            .unwrap_err()
            .to_string(),
        "92233720368547758.08 GBP is beyond the largest amount the wire can carry (9223372036854775807 minor units)"
    );
}

#[test]
fn leading_or_doubled_space_is_reported_as_malformed() {
    for text in [" 10.00 GBP", "10.00  GBP", "10.00 GBP "] {
        let error = text.parse::<Money>().unwrap_err();
        assert_eq!(error.code(), "malformed_amount", "{text:?}: {error}");
        assert_eq!(
            error.to_string(),
            format!(
                "{text:?} is not an amount; expected digits with an optional decimal point, e.g. 10.50"
            )
        );
    }
}

#[test]
fn parse_in_reads_a_bare_decimal() {
    assert_eq!(Money::parse_in("10.50", Currency::GBP).unwrap(), gbp(1050));
    assert_eq!(Money::parse_in("7", Currency::GBP).unwrap(), gbp(700));
    assert_eq!(Money::parse_in("10.500", Currency::GBP).unwrap(), gbp(1050));
    assert_eq!(Money::parse_in("0", Currency::GBP).unwrap(), gbp(0));
    assert_eq!(
        Money::parse_in("1500", Currency::JPY).unwrap(),
        Money::new(1500, Currency::JPY)
    );
    assert_eq!(
        Money::parse_in("0.005", bhd()).unwrap(),
        Money::new(5, bhd())
    );
    assert_eq!(
        Money::parse_in("92233720368547758.07", Currency::GBP).unwrap(),
        gbp(i64::MAX)
    );
    for (text, code) in [
        ("10.501", "too_precise"),
        ("-1", "negative_amount"),
        ("1 ", "malformed_amount"),
        ("", "malformed_amount"),
        (".", "malformed_amount"),
        ("92233720368547758.08", "out_of_range"),
        ("99999999999999999999", "out_of_range"),
    ] {
        assert_eq!(
            Money::parse_in(text, Currency::GBP).unwrap_err().code(),
            code,
            "{text:?}"
        );
    }
    assert_eq!(
        Money::parse_in("1.5", Currency::JPY).unwrap_err().code(),
        "too_precise"
    );
    assert_eq!(
        Money::parse_in("0.0005", bhd()).unwrap_err().code(),
        "too_precise"
    );
}

// ---- arithmetic ----

#[test]
fn checked_add_adds_in_one_currency() {
    assert_eq!(gbp(1000).checked_add(gbp(50)).unwrap(), gbp(1050));
    assert_eq!(
        gbp(i64::MAX - 1).checked_add(gbp(1)).unwrap(),
        gbp(i64::MAX)
    );
}

#[test]
fn checked_add_refuses_two_currencies() {
    let error = gbp(100)
        .checked_add(Money::new(100, Currency::EUR))
        .unwrap_err();
    assert_eq!(error.code(), "currencies_differ");
    assert_eq!(error.currencies(), Some((Currency::GBP, Currency::EUR)));
    assert_eq!(error.to_string(), "GBP and EUR amounts never combine");
}

#[test]
fn checked_add_refuses_overflow() {
    let error = gbp(i64::MAX).checked_add(gbp(1)).unwrap_err();
    assert_eq!(error.code(), "out_of_range");
    assert_eq!(
        error.to_string(),
        "92233720368547758.08 GBP is beyond the largest amount the wire can carry (9223372036854775807 minor units)"
    );
    let error = gbp(i64::MAX).checked_add(gbp(i64::MAX)).unwrap_err();
    assert_eq!(error.code(), "out_of_range");
}

#[test]
fn checked_sub_subtracts_down_to_zero() {
    assert_eq!(gbp(1000).checked_sub(gbp(400)).unwrap(), gbp(600));
    assert_eq!(gbp(1000).checked_sub(gbp(1000)).unwrap(), gbp(0));
}

#[test]
fn checked_sub_refuses_a_negative_result() {
    let error = gbp(100).checked_sub(gbp(101)).unwrap_err();
    assert_eq!(error.code(), "negative_result");
    assert_eq!(
        error.to_string(),
        "1.00 GBP minus 1.01 GBP would be negative"
    );
    assert_eq!(error.currencies(), None);
}

#[test]
fn checked_sub_refuses_two_currencies() {
    let error = gbp(100)
        .checked_sub(Money::new(1, Currency::JPY))
        .unwrap_err();
    assert_eq!(error.code(), "currencies_differ");
    assert_eq!(error.currencies(), Some((Currency::GBP, Currency::JPY)));
    assert_eq!(error.to_string(), "GBP and JPY amounts never combine");
}

#[test]
fn saturating_sub_stops_at_zero() {
    assert_eq!(gbp(100).saturating_sub(gbp(30)).unwrap(), gbp(70));
    assert_eq!(gbp(100).saturating_sub(gbp(300)).unwrap(), gbp(0));
    assert_eq!(
        gbp(100)
            .saturating_sub(Money::new(1, Currency::EUR))
            .unwrap_err()
            .code(),
        "currencies_differ"
    );
}

#[test]
fn checked_cmp_orders_one_currency_only() {
    assert_eq!(gbp(1).checked_cmp(gbp(2)).unwrap(), Ordering::Less);
    assert_eq!(gbp(2).checked_cmp(gbp(2)).unwrap(), Ordering::Equal);
    assert_eq!(gbp(3).checked_cmp(gbp(2)).unwrap(), Ordering::Greater);
    let error = Money::new(1, Currency::EUR)
        .checked_cmp(gbp(1))
        .unwrap_err();
    assert_eq!(error.code(), "currencies_differ");
    assert_eq!(error.currencies(), Some((Currency::EUR, Currency::GBP)));
    assert_eq!(error.to_string(), "EUR and GBP amounts never combine");
}

#[test]
fn same_currency_checks_only_the_currency() {
    assert!(gbp(1).same_currency(gbp(2)).is_ok());
    assert_eq!(
        gbp(1)
            .same_currency(Money::new(1, Currency::EUR))
            .unwrap_err()
            .currencies(),
        Some((Currency::GBP, Currency::EUR))
    );
}

// ---- serde ----

#[test]
fn serde_uses_dojos_money_object() {
    let json = serde_json::to_string(&gbp(1000)).unwrap();
    assert_eq!(json, r#"{"value":1000,"currencyCode":"GBP"}"#);
    let back: Money = serde_json::from_str(&json).unwrap();
    assert_eq!(back, gbp(1000));
    let yen: Money = serde_json::from_str(r#"{"value":1500,"currencyCode":"JPY"}"#).unwrap();
    assert_eq!(yen, Money::new(1500, Currency::JPY));
    let currency: Currency = serde_json::from_str(r#""EUR""#).unwrap();
    assert_eq!(currency, Currency::EUR);
    assert_eq!(serde_json::to_string(&Currency::EUR).unwrap(), r#""EUR""#);
}

#[test]
fn serde_rejects_negative_value_naming_it() {
    let error = serde_json::from_str::<Money>(r#"{"value":-1,"currencyCode":"GBP"}"#).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("-1 minor units of GBP is negative; amounts are never negative"),
        "{error}"
    );
}

#[test]
fn serde_rejects_unknown_currency_naming_it() {
    let error = serde_json::from_str::<Money>(r#"{"value":1,"currencyCode":"ZZZ"}"#).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("\"ZZZ\" is not an ISO 4217 currency code"),
        "{error}"
    );
    let error = serde_json::from_str::<Money>(r#"{"value":1,"currencyCode":"XAU"}"#).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("XAU has no minor unit, so no amount can be held in it"),
        "{error}"
    );
    let error = serde_json::from_str::<Money>(r#"{"value":1,"currencyCode":"gbp"}"#).unwrap_err();
    assert!(error.to_string().contains("\"gbp\""), "{error}");
}

#[test]
fn serde_rejects_missing_currency_and_fractional_value() {
    assert!(serde_json::from_str::<Money>(r#"{"value":1}"#).is_err());
    assert!(serde_json::from_str::<Money>(r#"{"value":1.5,"currencyCode":"GBP"}"#).is_err());
    assert!(serde_json::from_str::<Money>(r#"{"currencyCode":"GBP"}"#).is_err());
}

#[test]
fn money_error_is_a_std_error() {
    fn takes(_: &dyn std::error::Error) {}
    let error: MoneyError = gbp(1).checked_sub(gbp(2)).unwrap_err();
    takes(&error);
}

// ---- properties ----

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        Just(Currency::GBP),
        Just(Currency::EUR),
        Just(Currency::JPY),
        Just(Currency::from_code("BHD").unwrap()),
    ]
}

proptest! {
    #![proptest_config(common::proptest_config("money", 256))]

    #[test]
    fn display_then_from_str_is_identity(minor in 0..=i64::MAX, currency in currency()) {
        let money = Money::new(minor, currency);
        prop_assert_eq!(money.to_string().parse::<Money>().unwrap(), money);
    }

    #[test]
    fn decimal_then_from_decimal_is_identity(minor in 0..=i64::MAX, currency in currency()) {
        let money = Money::new(minor, currency);
        prop_assert_eq!(Money::from_decimal(money.to_decimal(), currency).unwrap(), money);
    }

    #[test]
    fn parse_in_reads_the_decimal_display(minor in 0..=i64::MAX, currency in currency()) {
        let money = Money::new(minor, currency);
        let text = money.to_decimal().to_string();
        prop_assert_eq!(Money::parse_in(&text, currency).unwrap(), money);
    }

    #[test]
    fn add_then_sub_is_identity(a in 0..=i64::MAX, b in 0..=i64::MAX, currency in currency()) {
        let (a, b) = (Money::new(a, currency), Money::new(b, currency));
        match a.checked_add(b) {
            Ok(sum) => {
                prop_assert_eq!(sum.checked_sub(b).unwrap(), a);
                prop_assert_eq!(sum.checked_sub(a).unwrap(), b);
            }
            Err(error) => {
                prop_assert_eq!(error.code(), "out_of_range");
                prop_assert!(i128::from(a.minor_units()) + i128::from(b.minor_units()) > i128::from(i64::MAX));
            }
        }
    }

    #[test]
    fn negative_minor_units_never_build(minor in i64::MIN..0) {
        prop_assert_eq!(Money::try_new(minor, Currency::GBP).unwrap_err().code(), "negative_amount");
    }
}

#[test]
fn a_currency_that_is_not_a_string_says_what_was_expected() {
    let error = serde_json::from_str::<Currency>("826").unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid type: integer `826`, expected an ISO 4217 currency code such as \"GBP\" at line 1 column 3"
    );
}

#[test]
fn money_decodes_from_the_object_form_only() {
    let error = serde_json::from_str::<dojo_capture::Money>(r#"[0, "EUR"]"#).unwrap_err();
    assert!(error.to_string().contains("a Money object"), "{error}");
    let money: dojo_capture::Money =
        serde_json::from_str(r#"{"value": 0, "currencyCode": "EUR"}"#).unwrap();
    assert!(money.is_zero());
}
