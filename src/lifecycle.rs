//! The lifecycle as a table: which state each operation, or each event at
//! Dojo, leads to, and on what condition.
//!
//! The table says where an intent can go; the ledger's checks say whether
//! one particular operation, with its amounts, is allowed now. Webhooks are
//! judged with the table (a status the lifecycle cannot reach is
//! impossible, one behind the intent is stale), and the diagrams of the
//! lifecycle are drawn from it.
//!
//! ```
//! use dojo_capture::IntentState;
//! use dojo_capture::lifecycle::{self, TRANSITIONS};
//!
//! assert!(lifecycle::reachable(IntentState::Created, IntentState::Refunded));
//! assert!(!lifecycle::reachable(IntentState::Refunded, IntentState::Captured));
//! assert!(TRANSITIONS.iter().all(|t| !t.from.is_terminal()));
//! ```

use crate::state::IntentState;

/// What moves an intent along an edge of the lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cause {
    /// An operation the merchant asks of Dojo, by the command line's word
    /// (`capture`, `refund`, `reverse`, `cancel`, `change-amount`, `change-tips`),
    /// or a capture's outcome recorded (`record-capture-outcome`).
    Operation(&'static str),
    /// Something Dojo does on its own: the customer pays, an authorisation
    /// is released or captured at expiry.
    Dojo(&'static str),
}

impl Cause {
    /// The word on the diagram's edge.
    ///
    /// ```
    /// use dojo_capture::lifecycle::Cause;
    ///
    /// assert_eq!(Cause::Operation("refund").label(), "refund");
    /// assert_eq!(Cause::Dojo("payment").label(), "payment");
    /// ```
    pub const fn label(self) -> &'static str {
        match self {
            Cause::Operation(word) | Cause::Dojo(word) => word,
        }
    }
}

/// One edge of the lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Transition {
    /// The state the intent is in.
    pub from: IntentState,
    /// The state it is in afterwards.
    pub to: IntentState,
    /// What moves it.
    pub cause: Cause,
    /// The condition, in the words of Dojo's rules and the decisions
    /// (`docs/design.md`).
    pub guard: &'static str,
}

const fn edge(from: IntentState, to: IntentState, cause: Cause, guard: &'static str) -> Transition {
    Transition {
        from,
        to,
        cause,
        guard,
    }
}

use Cause::{Dojo, Operation};
use IntentState::{Authorized, Canceled, Captured, Created, Refunded, Reversed};

/// Every edge of the lifecycle, in lifecycle order. An edge from a state to
/// itself is an operation that keeps the state (a second partial capture, a
/// further refund, a change before payment).
pub const TRANSITIONS: &[Transition] = &[
    edge(
        Created,
        Created,
        Operation("change-amount"),
        "custom amounts allowed; amount > 0 (rule 8)",
    ),
    edge(
        Created,
        Created,
        Operation("change-tips"),
        "tips allowed (config.payment.tipsAllowed)",
    ),
    edge(
        Created,
        Canceled,
        Operation("cancel"),
        "nothing pending (rule 4)",
    ),
    edge(Created, Authorized, Dojo("payment"), "Manual capture mode"),
    edge(
        Created,
        Captured,
        Dojo("payment"),
        "Auto capture mode: Dojo captures the whole amount",
    ),
    edge(
        Authorized,
        Authorized,
        Operation("capture"),
        "Manual; amount <= capturable; before the deadline; in flight until its outcome (rules 1-3, 7; D1)",
    ),
    edge(
        Authorized,
        Authorized,
        Operation("record-capture-outcome"),
        "a capture in flight is Declined or Failed: its amount is released (D1)",
    ),
    edge(
        Authorized,
        Captured,
        Operation("record-capture-outcome"),
        "a capture in flight is Successful (D1)",
    ),
    edge(
        Authorized,
        Reversed,
        Operation("reverse"),
        "Manual; nothing captured or in flight; before the deadline (rule 6; D5)",
    ),
    edge(
        Authorized,
        Captured,
        Dojo("expiry"),
        "autoExpireAction Capture: Dojo captures the rest at autoExpireIn (D17)",
    ),
    edge(
        Authorized,
        Reversed,
        Dojo("expiry"),
        "Manual, nothing captured: at the deadline (7 days, or autoExpireIn with autoExpireAction Release) Dojo releases the authorisation (rule 7; D12)",
    ),
    edge(
        Captured,
        Captured,
        Operation("capture"),
        "Manual; amount <= capturable; nothing refunded (rules 1-3; D3)",
    ),
    edge(
        Captured,
        Captured,
        Operation("record-capture-outcome"),
        "a capture in flight is resolved (D1)",
    ),
    edge(
        Captured,
        Refunded,
        Operation("refund"),
        "amount <= refundable = captured + captured tips - refunded (rule 5; D2, D14)",
    ),
    edge(
        Captured,
        Reversed,
        Operation("reverse"),
        "Auto; on the payment's own day in Europe/London (rule 6; D8)",
    ),
    edge(
        Captured,
        Reversed,
        Dojo("expiry"),
        "Manual, partly captured: Dojo releases the rest and reports Reversed; what was captured stays refundable (D17)",
    ),
    edge(
        Refunded,
        Refunded,
        Operation("refund"),
        "amount <= refundable (rule 5; D2, D14)",
    ),
    edge(
        Refunded,
        Refunded,
        Operation("record-capture-outcome"),
        "a capture in flight is resolved; capturing stays ended (D1, D3)",
    ),
    edge(
        Refunded,
        Reversed,
        Dojo("expiry"),
        "Manual, partly captured and refunded: Dojo reports Reversed (D17)",
    ),
];

/// Whether an intent in `from` can come to be in `to` by one or more edges
/// of [`TRANSITIONS`]; a state does not reach itself unless an edge loops.
///
/// ```
/// use dojo_capture::IntentState;
/// use dojo_capture::lifecycle::reachable;
///
/// assert!(reachable(IntentState::Authorized, IntentState::Reversed));
/// assert!(!reachable(IntentState::Canceled, IntentState::Captured));
/// ```
pub fn reachable(from: IntentState, to: IntentState) -> bool {
    // Six states: a fixed-size worklist, no allocation.
    let mut seen = [false; IntentState::ALL.len()];
    seen[from as usize] = true;
    let mut stack = [from; IntentState::ALL.len()];
    let mut len = 1;
    while len > 0 {
        len -= 1;
        let state = stack[len];
        for t in TRANSITIONS.iter().filter(|t| t.from == state) {
            if t.to == to {
                return true;
            }
            let index = t.to as usize;
            if !seen[index] {
                seen[index] = true;
                stack[len] = t.to;
                len += 1;
            }
        }
    }
    false
}
