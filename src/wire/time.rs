//! The timestamps the rules read ([D15](crate::decisions#d15)): `createdAt`,
//! `paymentDetails.transactionDateTime` and `captures[].createdAt`.
//!
//! Dojo writes most of them in RFC 3339 with an offset, but not all: its own
//! webhook example has `"createdAt": "2023-12-13T14:15:01"`. A time of day
//! with no offset at all is read as UTC, which is what Dojo's servers keep;
//! an empty string is no timestamp. Anything else that is not a time (a
//! bracketed zone without an offset, a date alone) is refused, because the
//! deadlines count from these instants and a guess could move them by hours.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::{Deserialize, Deserializer};

/// Reads an optional timestamp as described in the module docs.
pub(crate) fn lenient<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Timestamp>, D::Error> {
    let Some(text) = Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)? else {
        return Ok(None);
    };
    parse(&text).map_err(serde::de::Error::custom)
}

/// `Ok(None)` for an empty string; the message names the text otherwise.
pub(crate) fn parse(text: &str) -> Result<Option<Timestamp>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(Some(at));
    }
    if is_bare_date_time(text)
        && let Ok(civil) = text.parse::<DateTime>()
        && let Ok(at) = TimeZone::UTC.to_timestamp(civil)
    {
        return Ok(Some(at));
    }
    Err(format!(
        "{text:?} is not a timestamp; expected RFC 3339, e.g. 2024-07-25T08:49:20Z, \
         or a date and time without an offset, read as UTC"
    ))
}

/// `YYYY-MM-DDThh:mm:ss[.fff…]` and nothing more: no offset, no zone
/// annotation, which jiff's civil parser would otherwise accept and drop.
fn is_bare_date_time(text: &str) -> bool {
    let Some((date, time)) = text.split_once('T') else {
        return false;
    };
    date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && !time.is_empty()
        && time
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
}
