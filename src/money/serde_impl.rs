//! Money as Dojo's `Money` object: `{"value": 1000, "currencyCode": "GBP"}`.
//! Decoding goes through the same checks as [`Money::try_new`].

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

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

/// Takes the object form only: a derived struct would also take a
/// sequence (`[1000, "GBP"]`), a shape Dojo never sends and that names
/// neither field.
struct MoneyObject;

impl<'de> Visitor<'de> for MoneyObject {
    type Value = WireMoney;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Money object {\"value\", \"currencyCode\"}")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<WireMoney, A::Error> {
        WireMoney::deserialize(de::value::MapAccessDeserializer::new(map))
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = deserializer.deserialize_map(MoneyObject)?;
        Money::try_new(wire.value, wire.currency_code).map_err(serde::de::Error::custom)
    }
}
