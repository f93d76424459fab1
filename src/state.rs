//! The states of a payment intent: zero-sized markers for the typed API and
//! [`IntentState`] for state known only at run time.

use std::fmt;

mod sealed {
    pub trait Sealed {}
}

/// A state a [`PaymentIntent`](crate::PaymentIntent) can be in.
///
/// Sealed: the set of states is the crate's, so no other crate can add a
/// state that the rules know nothing about.
pub trait State: sealed::Sealed + Send + Sync + Unpin + 'static {
    /// The runtime name of this state.
    const STATE: IntentState;
}

macro_rules! states {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            pub enum $name {}
            impl sealed::Sealed for $name {}
            impl State for $name {
                const STATE: IntentState = IntentState::$name;
            }
        )*
    };
}

states! {
    /// Created, not yet paid: can be canceled or have its amount changed.
    Created,
    /// Paid and authorised, nothing captured yet (captures may be in flight).
    Authorized,
    /// Some or all of the amount captured, nothing refunded.
    Captured,
    /// At least one refund made: capturing has ended for good (D3).
    Refunded,
    /// Reversed: terminal.
    Reversed,
    /// Canceled before payment: terminal.
    Canceled,
}

/// The state of an intent whose state is known only at run time.
///
/// It is derived from the intent's amounts, not copied from Dojo's status
/// field: Dojo may report `Authorized` or `Captured` after a partial capture (D4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntentState {
    /// See [`Created`].
    Created,
    /// See [`Authorized`].
    Authorized,
    /// See [`Captured`].
    Captured,
    /// See [`Refunded`].
    Refunded,
    /// See [`Reversed`].
    Reversed,
    /// See [`Canceled`].
    Canceled,
}

impl IntentState {
    /// Every state, in lifecycle order.
    pub const ALL: [IntentState; 6] = [
        IntentState::Created,
        IntentState::Authorized,
        IntentState::Captured,
        IntentState::Refunded,
        IntentState::Reversed,
        IntentState::Canceled,
    ];

    /// The state's name, as Dojo spells the matching status.
    pub const fn as_str(self) -> &'static str {
        match self {
            IntentState::Created => "Created",
            IntentState::Authorized => "Authorized",
            IntentState::Captured => "Captured",
            IntentState::Refunded => "Refunded",
            IntentState::Reversed => "Reversed",
            IntentState::Canceled => "Canceled",
        }
    }

    /// "an Authorized intent", "a Captured intent": messages share one rule.
    pub(crate) const fn article(self) -> &'static str {
        match self {
            IntentState::Authorized => "an",
            _ => "a",
        }
    }

    /// Whether no operation will ever apply again.
    pub const fn is_terminal(self) -> bool {
        matches!(self, IntentState::Reversed | IntentState::Canceled)
    }
}

impl fmt::Display for IntentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
