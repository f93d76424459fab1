//! Money as Dojo's `Money` object: `{"value": 1000, "currencyCode": "GBP"}`.
//! Decoding goes through the same checks as [`Money::try_new`].

use serde::{Deserialize, Serialize};

use super::{Currency, Money};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMoney {
    value: i64,
    currency_code: Currency,
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WireMoney {
            value: self.minor,
            currency_code: self.currency,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = WireMoney::deserialize(deserializer)?;
        Money::try_new(wire.value, wire.currency_code).map_err(serde::de::Error::custom)
    }
}
