//! The string enums of Dojo's wire format.
//!
//! Each enum is parsed by one validator, its `FromStr`, and serde's
//! `Deserialize` calls that same validator (the approach of the `semver`
//! crate) rather than deriving its own. So a bad word reads the same whether
//! it came from a CLI argument or from a response body: the message names the
//! word that arrived and lists the words the spec allows.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::{Serialize, Serializer};

/// A word that is not one of an enum's wire values.
///
/// Opaque on purpose: the message is the useful part, and keeping the kind
/// private leaves room to change how the expected words are stored.
///
/// ```
/// use dojo_capture::PaymentIntentStatus;
///
/// let error = "Pending".parse::<PaymentIntentStatus>().unwrap_err();
/// assert_eq!(error.code(), "unknown_variant");
/// assert_eq!(error.value(), "Pending");
/// assert_eq!(
///     error.to_string(),
///     "\"Pending\" is not a payment intent status; \
///      expected one of Created, Authorized, Captured, Reversed, Refunded, Canceled"
/// );
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct UnknownVariant {
    kind: UnknownVariantKind,
}

// Debug formatting quotes the value and escapes control characters, so an
// empty or odd string from the network is still visible in a log.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
enum UnknownVariantKind {
    #[error("{value:?} is not {what}; expected one of {}", .expected.join(", "))]
    NotAWord {
        value: Box<str>,
        what: &'static str,
        expected: &'static [&'static str],
    },
}

impl UnknownVariant {
    fn new(value: &str, what: &'static str, expected: &'static [&'static str]) -> Self {
        UnknownVariant {
            kind: UnknownVariantKind::NotAWord {
                value: value.into(),
                what,
                expected,
            },
        }
    }

    /// The word that was rejected, exactly as it arrived.
    ///
    /// ```
    /// use dojo_capture::CaptureStatus;
    ///
    /// let error = "Pending".parse::<CaptureStatus>().unwrap_err();
    /// assert_eq!(error.value(), "Pending");
    /// ```
    pub fn value(&self) -> &str {
        match &self.kind {
            UnknownVariantKind::NotAWord { value, .. } => value,
        }
    }

    /// A stable snake_case name for the error: always `unknown_variant`,
    /// whichever enum refused the word (the message names it).
    ///
    /// ```
    /// use dojo_capture::CaptureMode;
    ///
    /// assert_eq!("manual".parse::<CaptureMode>().unwrap_err().code(), "unknown_variant");
    /// ```
    pub fn code(&self) -> &'static str {
        match self.kind {
            UnknownVariantKind::NotAWord { .. } => "unknown_variant",
        }
    }
}

crate::error::debug_code_and_message!(UnknownVariant);

/// Declares a wire enum with `as_str`, `Display`, `FromStr` and serde impls
/// that all read from the one list of variants, so they cannot drift apart.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every variant, in the order the spec lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub(crate) const WORDS: &'static [&'static str] = &[$(stringify!($variant)),+];

            /// The word Dojo uses on the wire.
            ///
            #[doc = concat!(
                "```\n",
                "use dojo_capture::wire::", stringify!($name), ";\n\n",
                "for value in ", stringify!($name), "::ALL {\n",
                "    // The one list of words: the text reads back as the value.\n",
                "    assert_eq!(value.as_str().parse::<", stringify!($name), ">(), Ok(*value));\n",
                "}\n",
                "```",
            )]
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => stringify!($variant), )+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownVariant;

            /// Exact match only: the spec's words are case-sensitive and a
            /// lenient reader would accept what Dojo itself would reject.
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $( stringify!($variant) => Ok($name::$variant), )+
                    _ => Err(UnknownVariant::new(text, $what, $name::WORDS)),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct WordVisitor;

                impl Visitor<'_> for WordVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "{} ({})", $what, $name::WORDS.join(", "))
                    }

                    fn visit_str<E: de::Error>(self, text: &str) -> Result<$name, E> {
                        text.parse().map_err(E::custom)
                    }
                }

                deserializer.deserialize_str(WordVisitor)
            }
        }
    };
}

wire_enum! {
    /// Where a payment intent is in its life, as Dojo reports it.
    ///
    /// A report, not a proof: the lifecycle core checks it against the
    /// amounts before trusting it (a partially captured intent may say either
    /// `Authorized` or `Captured`).
    ///
    /// ```
    /// use dojo_capture::PaymentIntentStatus;
    ///
    /// let status: PaymentIntentStatus = serde_json::from_str(r#""Captured""#)?;
    /// assert_eq!(status, PaymentIntentStatus::Captured);
    /// assert!("captured".parse::<PaymentIntentStatus>().is_err(), "case matters (D20)");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    PaymentIntentStatus, "a payment intent status" {
        /// Created, not yet paid.
        Created,
        /// Paid and authorised; a `Manual` intent waits here to be captured.
        Authorized,
        /// Captured, wholly or (for `Manual` intents) in part.
        Captured,
        /// Reversed in full; nothing more can happen.
        Reversed,
        /// Money has been refunded to the customer.
        Refunded,
        /// Canceled before payment; nothing more can happen.
        Canceled,
    }
}

wire_enum! {
    /// Who captures the payment: Dojo at once, or the merchant later.
    ///
    /// The spec's default is `Auto`, so an intent created without the field
    /// is captured by Dojo itself.
    ///
    /// ```
    /// use dojo_capture::CaptureMode;
    ///
    /// assert_eq!(CaptureMode::default(), CaptureMode::Auto);
    /// assert_eq!("Manual".parse::<CaptureMode>()?, CaptureMode::Manual);
    /// # Ok::<(), dojo_capture::wire::UnknownVariant>(())
    /// ```
    #[derive(Default)]
    CaptureMode, "a capture mode" {
        /// Dojo captures the payment as soon as it is authorised.
        #[default]
        Auto,
        /// The merchant captures it with one or more capture requests.
        Manual,
    }
}

wire_enum! {
    /// The outcome of one capture request.
    ///
    /// The capture guide lists three values; the spec has four (`Failed` too),
    /// and the spec is what Dojo's servers are generated from.
    ///
    /// ```
    /// use dojo_capture::CaptureStatus;
    ///
    /// assert_eq!(CaptureStatus::ALL.len(), 4);
    /// assert_eq!(serde_json::to_string(&CaptureStatus::Declined)?, r#""Declined""#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    CaptureStatus, "a capture status" {
        /// Accepted, outcome not yet known.
        Created,
        /// The amount was captured.
        Successful,
        /// The acquirer declined the capture.
        Declined,
        /// The capture did not go through for another reason.
        Failed,
    }
}

wire_enum! {
    /// What Dojo does to a `Manual` intent when its `autoExpireIn` runs out.
    ///
    /// ```
    /// use dojo_capture::AutoExpireAction;
    ///
    /// assert_eq!("Release".parse::<AutoExpireAction>()?, AutoExpireAction::Release);
    /// assert_eq!(AutoExpireAction::Capture.to_string(), "Capture");
    /// # Ok::<(), dojo_capture::wire::UnknownVariant>(())
    /// ```
    AutoExpireAction, "an auto-expire action" {
        /// Release the authorised funds to the customer.
        Release,
        /// Capture whatever is still uncaptured.
        Capture,
    }
}
