//! The lifecycle as a table: which state each operation, or each event at
//! Dojo, leads to, and on what condition.
//!
//! The table says where an intent can go; the ledger's checks say whether
//! one particular operation, with its amounts, is allowed now. Webhooks are
//! judged with the table (a status the lifecycle cannot reach is
//! impossible, one behind the intent is stale), and the diagrams of the
//! lifecycle are drawn from it: [`mermaid`] and [`dot`] (the command line's
//! `dojo-capture diagram`), committed as `docs/lifecycle.md`,
//! `docs/lifecycle.dot` and `docs/lifecycle.svg`.
//!
//! ```
//! use dojo_capture::IntentState;
//! use dojo_capture::lifecycle::{self, TRANSITIONS};
//!
//! assert!(lifecycle::reachable(IntentState::Created, IntentState::Refunded));
//! assert!(!lifecycle::reachable(IntentState::Refunded, IntentState::Captured));
//! assert!(TRANSITIONS.iter().all(|t| !t.from.is_terminal()));
//! assert!(lifecycle::mermaid().contains("Captured -->|\"refund<br/>"));
//! ```

use std::fmt::Write as _;

use crate::state::IntentState;

/// What moves an intent along an edge of the lifecycle.
///
/// ```
/// use dojo_capture::IntentState;
/// use dojo_capture::lifecycle::{Cause, TRANSITIONS};
///
/// // The merchant refunds; Dojo alone takes the payment.
/// assert!(TRANSITIONS.iter().any(|t| t.cause == Cause::Operation("refund")));
/// assert!(TRANSITIONS
///     .iter()
///     .filter(|t| t.cause == Cause::Dojo("payment"))
///     .all(|t| t.from == IntentState::Created));
/// ```
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
///
/// ```
/// use dojo_capture::IntentState;
/// use dojo_capture::lifecycle::{Cause, TRANSITIONS};
///
/// let cancel = TRANSITIONS
///     .iter()
///     .find(|t| t.cause == Cause::Operation("cancel"))
///     .unwrap();
/// assert_eq!((cancel.from, cancel.to), (IntentState::Created, IntentState::Canceled));
/// assert!(!cancel.guard.is_empty());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Transition {
    /// The state the intent is in.
    pub from: IntentState,
    /// The state it is in afterwards.
    pub to: IntentState,
    /// What moves it.
    pub cause: Cause,
    /// The condition, in the words of Dojo's rules and the
    /// [decisions](crate::decisions).
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

/// A text format the lifecycle is drawn in.
///
/// ```
/// use dojo_capture::lifecycle::{self, Format};
///
/// assert_eq!(lifecycle::render(Format::Mermaid), lifecycle::mermaid());
/// assert_eq!(lifecycle::render(Format::Dot), lifecycle::dot());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// A Mermaid flowchart, as GitHub renders a ```` ```mermaid ```` block: see [`mermaid`].
    Mermaid,
    /// Graphviz DOT, for `dot -Tsvg`: see [`dot`].
    Dot,
}

impl Format {
    /// Every format, the default first.
    ///
    /// ```
    /// use dojo_capture::lifecycle::Format;
    ///
    /// assert_eq!(Format::ALL, [Format::Mermaid, Format::Dot]);
    /// ```
    pub const ALL: [Format; 2] = [Format::Mermaid, Format::Dot];

    /// The format's name on the command line: `mermaid` or `dot`.
    ///
    /// ```
    /// use dojo_capture::lifecycle::Format;
    ///
    /// assert_eq!(Format::Dot.name(), "dot");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Format::Mermaid => "mermaid",
            Format::Dot => "dot",
        }
    }

    /// The format named `name` (exactly as [`name`](Self::name) spells it).
    ///
    /// ```
    /// use dojo_capture::lifecycle::Format;
    ///
    /// assert_eq!(Format::from_name("mermaid"), Some(Format::Mermaid));
    /// assert_eq!(Format::from_name("svg"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }
}

/// The lifecycle drawn in `format`: [`mermaid`] or [`dot`].
///
/// ```
/// use dojo_capture::lifecycle::{self, Format};
///
/// for format in Format::ALL {
///     assert!(lifecycle::render(format).contains("Refunded"));
/// }
/// ```
pub fn render(format: Format) -> String {
    match format {
        Format::Mermaid => mermaid(),
        Format::Dot => dot(),
    }
}

/// How wide a guard's line may grow on the DOT drawing before it is
/// wrapped (Mermaid wraps its labels itself).
const GUARD_WIDTH: usize = 44;

/// The states no other state leads to: where every intent starts (Created).
fn initial_states() -> impl Iterator<Item = IntentState> {
    IntentState::ALL
        .into_iter()
        .filter(|&state| !TRANSITIONS.iter().any(|t| t.to == state && t.from != state))
}

/// The edges as drawn, in the table's order: each edge on its own, except
/// that a state's loops of one kind (operations, or Dojo's doing) are drawn
/// as one, at the place of the first, since both Graphviz and Mermaid lay
/// several loops on one node over each other's labels.
fn drawn_edges() -> Vec<Vec<&'static Transition>> {
    let same_loop = |a: &Transition, b: &Transition| {
        a.from == a.to
            && b.from == a.from
            && b.to == a.to
            && std::mem::discriminant(&a.cause) == std::mem::discriminant(&b.cause)
    };
    let mut drawn: Vec<Vec<&'static Transition>> = Vec::new();
    for transition in TRANSITIONS {
        match drawn
            .iter_mut()
            .find(|group| same_loop(group[0], transition))
        {
            Some(group) => group.push(transition),
            None => drawn.push(vec![transition]),
        }
    }
    drawn
}

/// An edge's label, line by line: its cause (a Dojo event marked as such),
/// then its guard, wrapped at spaces when `width` says so (the lines joined
/// with spaces give the guard back).
fn label_lines(transition: &Transition, width: Option<usize>) -> Vec<String> {
    let mut lines = vec![match transition.cause {
        Cause::Operation(word) => word.to_owned(),
        Cause::Dojo(word) => format!("{word} (Dojo)"),
    }];
    let Some(width) = width else {
        lines.push(transition.guard.to_owned());
        return lines;
    };
    let mut line = String::new();
    for word in transition.guard.split(' ') {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// The label of a drawn edge: each transition's lines, escaped, joined by
/// `line_break`, with an empty line between transitions.
fn label(
    edges: &[&Transition],
    width: Option<usize>,
    escape: fn(&str) -> String,
    line_break: &str,
) -> String {
    edges
        .iter()
        .map(|t| {
            label_lines(t, width)
                .iter()
                .map(|line| escape(line))
                .collect::<Vec<_>>()
                .join(line_break)
        })
        .collect::<Vec<_>>()
        .join(&format!("{line_break}{line_break}"))
}

/// The lifecycle as a Mermaid flowchart, drawn from [`TRANSITIONS`] and
/// [`IntentState::ALL`]: a node per state (terminal states as double
/// circles), a small circle where every intent starts, and an edge per
/// transition labelled with its cause and its guard; an operation's edge
/// is solid, Dojo's own doing is dotted. As in [`dot`], a state's loops
/// are drawn as one whose label lists each. The same table gives the same
/// text, byte for byte; Mermaid wraps the labels itself.
///
/// `docs/lifecycle.md` embeds it; a test fails when the two differ.
///
/// ```
/// use dojo_capture::lifecycle;
///
/// let text = lifecycle::mermaid();
/// assert!(text.starts_with("flowchart TD\n"));
/// assert!(text.contains(r#"Canceled((("Canceled")))"#));
/// assert!(text.contains(r#"Created -->|"cancel<br/>nothing pending (rule 4)"| Canceled"#));
/// assert!(text.contains(r#"Created -.->|"payment (Dojo)<br/>Manual capture mode"| Authorized"#));
/// assert_eq!(text, lifecycle::mermaid());
/// ```
pub fn mermaid() -> String {
    // A label is HTML to Mermaid: its `<`, `>`, `&` and `"` are text, never markup.
    fn escape(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }
    let mut out = String::from("flowchart TD\n");
    out.push_str("    start((\" \"))\n");
    for state in IntentState::ALL {
        let name = state.as_str();
        if state.is_terminal() {
            let _ = writeln!(out, "    {name}(((\"{name}\")))");
        } else {
            let _ = writeln!(out, "    {name}(\"{name}\")");
        }
    }
    for state in initial_states() {
        let _ = writeln!(out, "    start --> {state}");
    }
    for edges in drawn_edges() {
        let first = edges[0];
        let arrow = match first.cause {
            Cause::Operation(_) => "-->",
            Cause::Dojo(_) => "-.->",
        };
        let label = label(&edges, None, escape, "<br/>");
        let _ = writeln!(out, "    {} {arrow}|\"{label}\"| {}", first.from, first.to);
    }
    out
}

/// The lifecycle as a Graphviz DOT digraph, drawn from [`TRANSITIONS`] and
/// [`IntentState::ALL`] like [`mermaid`]: terminal states have a double
/// border, the starting point is a dot, Dojo's own doing is dashed. A
/// state's loops (the edges that keep it) are drawn as one loop whose label
/// lists each of them, since Graphviz would lay their labels over each
/// other. The same table gives the same text, byte for byte.
///
/// `docs/lifecycle.dot` is this text and `docs/lifecycle.svg` its rendering
/// (`scripts/diagram.sh` writes both); a test fails when either is out of date.
///
/// ```
/// use dojo_capture::lifecycle;
///
/// let text = lifecycle::dot();
/// assert!(text.starts_with("digraph lifecycle {\n"));
/// assert!(text.contains("    Reversed [peripheries=2];\n"));
/// assert!(text.contains(r#"Captured -> Refunded [label="refund\namount <= refundable = captured +"#));
/// assert!(text.ends_with("}\n"));
/// ```
pub fn dot() -> String {
    fn escape(text: &str) -> String {
        text.replace('\\', "\\\\").replace('"', "\\\"")
    }
    let mut out = String::from("digraph lifecycle {\n");
    out.push_str("    rankdir=TB;\n");
    out.push_str("    nodesep=0.6;\n");
    out.push_str("    ranksep=0.8;\n");
    out.push_str("    node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    out.push_str("    edge [fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("    start [shape=point, width=0.15, label=\"\"];\n");
    for state in IntentState::ALL {
        if state.is_terminal() {
            let _ = writeln!(out, "    {state} [peripheries=2];");
        } else {
            let _ = writeln!(out, "    {state};");
        }
    }
    for state in initial_states() {
        let _ = writeln!(out, "    start -> {state};");
    }
    for edges in drawn_edges() {
        let first = edges[0];
        let label = label(&edges, Some(GUARD_WIDTH), escape, "\\n");
        let style = match first.cause {
            Cause::Operation(_) => "",
            Cause::Dojo(_) => ", style=dashed",
        };
        let _ = writeln!(
            out,
            "    {} -> {} [label=\"{label}\"{style}];",
            first.from, first.to
        );
    }
    out.push_str("}\n");
    out
}
