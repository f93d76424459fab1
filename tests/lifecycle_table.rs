//! The lifecycle table (`lifecycle::TRANSITIONS`) is the one the library
//! decides with, not a drawing beside it.
//!
//! From intents in every state (`strategy::intent_in`), random sequences of
//! every operation, with random amounts, times and answers, run through the
//! runtime API (`AnyPaymentIntent`) and through the typed API
//! (`PaymentIntent<S>`, where the state's capabilities allow the call at
//! all): capture and its prepare + 2xx answer, record-capture-outcome,
//! refund and its prepare + answer, reverse and its prepare + answer,
//! cancel and its prepare + answer, change-amount and its prepare + answer,
//! change-tips (prepare + answer), and authorize for Dojo's `payment`.
//!
//! Every operation the library accepts is a (from state, operation word,
//! to state) triple, the typed API's `to` taken from the type it returns;
//! each must be an edge of the table with the same cause word. At the end,
//! every edge of the table caused by an operation, and Dojo's `payment`
//! edges, must have been taken through both APIs. Dojo's `expiry` edges are
//! no operation of the merchant: an intent reads them from Dojo.
//!
//! `cargo test --test lifecycle_table -- --nocapture` prints how often each
//! edge was taken.

use std::cell::RefCell;
use std::collections::BTreeMap;

use dojo_capture::lifecycle::{Cause, TRANSITIONS};
use dojo_capture::request::ApiVersion;
use dojo_capture::state::{
    CanCapture, CanRecordCaptureAnswer, CanRefund, CanReverse, Captured, Created, Refunded, State,
};
use dojo_capture::{
    Answer, AnyPaymentIntent, Authorization, CaptureId, CaptureOutcome, CaptureResolved,
    CaptureStatus, IdempotencyKey, IntentState, Money, PaymentIntent, RefundDetails, strategy,
};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;

mod common;
use common::Copied;

/// When a Created intent is judged: it has no payment time to start from.
const CREATED_NOW: &str = "2024-07-25T08:49:20Z";

/// An amount, chosen relative to the intent so that both sides of every
/// boundary come up.
#[derive(Clone, Copy, Debug)]
enum Amount {
    /// This percentage of what is capturable (0 gives zero).
    Capturable(u8),
    /// This percentage of what is refundable.
    Refundable(u8),
    /// This percentage of the intent's amount.
    Whole(u8),
    /// Any minor units.
    Minor(i64),
}

impl Amount {
    fn of(self, intent: &AnyPaymentIntent) -> Money {
        let share = |base: Money, percent: u8| {
            let minor = i128::from(base.minor_units()) * i128::from(percent) / 100;
            i64::try_from(minor).unwrap_or(i64::MAX)
        };
        let minor = match self {
            Amount::Capturable(percent) => share(intent.capturable(), percent),
            Amount::Refundable(percent) => share(intent.refundable(), percent),
            Amount::Whole(percent) => share(intent.amount(), percent),
            Amount::Minor(minor) => minor,
        };
        Money::new(minor, intent.currency())
    }
}

/// The time an operation is judged at.
#[derive(Clone, Copy, Debug)]
enum When {
    /// This many seconds after the payment: within the deadline, mostly on its day.
    SoonAfter(i64),
    /// This many days after the payment: another day, often past the deadline.
    DaysAfter(i64),
}

impl When {
    fn of(self, intent: &AnyPaymentIntent) -> Timestamp {
        let base = intent.paid_at().unwrap_or_else(|| common::ts(CREATED_NOW));
        let offset = match self {
            When::SoonAfter(seconds) => SignedDuration::from_secs(seconds),
            When::DaysAfter(days) => SignedDuration::from_hours(24 * days),
        };
        base.checked_add(offset).unwrap_or(base)
    }
}

/// Which capture a recorded outcome is for.
#[derive(Clone, Copy, Debug)]
enum Pick {
    /// One of the captures in flight, if any.
    InFlight(usize),
    /// Any capture recorded, if any: its own outcome again is a replay.
    Recorded(usize),
    /// An id the intent never recorded.
    Unknown,
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Authorize(When),
    Capture {
        amount: Amount,
        tips: Option<Amount>,
        now: When,
    },
    RecordCaptureOutcome(Pick, CaptureOutcome),
    /// Under a fresh key, or under one the strategy's refunds used.
    Refund {
        amount: Amount,
        reused_key: bool,
    },
    Reverse(When),
    Cancel,
    ChangeAmount(Amount),
    ChangeTips(Amount),
}

impl Op {
    /// The cause word of the table's edges this operation takes.
    fn word(self) -> &'static str {
        match self {
            Op::Authorize(_) => "payment",
            Op::Capture { .. } => "capture",
            Op::RecordCaptureOutcome(..) => "record-capture-outcome",
            Op::Refund { .. } => "refund",
            Op::Reverse(_) => "reverse",
            Op::Cancel => "cancel",
            Op::ChangeAmount(_) => "change-amount",
            Op::ChangeTips(_) => "change-tips",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Api {
    Runtime,
    Typed,
}

/// One operation of a sequence: through which API, and whether through
/// `prepare_…` and a 2xx answer rather than the direct method (change-tips
/// has only the former, authorize only the latter).
#[derive(Clone, Copy, Debug)]
struct Step {
    op: Op,
    api: Api,
    prepared: bool,
    version: ApiVersion,
}

fn amount() -> impl Strategy<Value = Amount> {
    prop_oneof![
        3 => (0_u8..=100).prop_map(Amount::Capturable),
        3 => (0_u8..=100).prop_map(Amount::Refundable),
        2 => (0_u8..=120).prop_map(Amount::Whole),
        1 => strategy::minor_units().prop_map(Amount::Minor),
    ]
}

fn when() -> impl Strategy<Value = When> {
    prop_oneof![
        3 => (0_i64..4 * 3600).prop_map(When::SoonAfter),
        1 => (1_i64..10).prop_map(When::DaysAfter),
    ]
}

fn outcome() -> impl Strategy<Value = CaptureOutcome> {
    prop_oneof![
        Just(CaptureOutcome::Successful),
        Just(CaptureOutcome::Declined),
        Just(CaptureOutcome::Failed),
    ]
}

/// One strategy per operation, in the order of [`Op`].
fn ops() -> Vec<BoxedStrategy<Op>> {
    vec![
        when().prop_map(Op::Authorize).boxed(),
        (amount(), proptest::option::of(amount()), when())
            .prop_map(|(amount, tips, now)| Op::Capture { amount, tips, now })
            .boxed(),
        (
            prop_oneof![
                3 => (0_usize..4).prop_map(Pick::InFlight),
                1 => (0_usize..4).prop_map(Pick::Recorded),
                1 => Just(Pick::Unknown),
            ],
            outcome(),
        )
            .prop_map(|(pick, outcome)| Op::RecordCaptureOutcome(pick, outcome))
            .boxed(),
        (amount(), proptest::bool::weighted(0.2))
            .prop_map(|(amount, reused_key)| Op::Refund { amount, reused_key })
            .boxed(),
        when().prop_map(Op::Reverse).boxed(),
        Just(Op::Cancel).boxed(),
        amount().prop_map(Op::ChangeAmount).boxed(),
        amount().prop_map(Op::ChangeTips).boxed(),
    ]
}

fn step_with(
    op: impl Strategy<Value = Op>,
    api: impl Strategy<Value = Api>,
) -> impl Strategy<Value = Step> {
    (
        op,
        api,
        any::<bool>(),
        proptest::sample::select(&ApiVersion::ALL[..]),
    )
        .prop_map(|(op, api, prepared, version)| Step {
            op,
            api,
            prepared,
            version,
        })
}

/// Any step.
fn step() -> impl Strategy<Value = Step> {
    step_with(
        proptest::strategy::Union::new(ops()),
        prop_oneof![Just(Api::Runtime), Just(Api::Typed)],
    )
}

/// An intent in `state`; a Created one also gets Dojo's id (for the
/// `prepare_…` paths) and tips allowed, or not, since the strategy leaves
/// both to the intent's later life.
fn intent(state: IntentState) -> impl Strategy<Value = AnyPaymentIntent> {
    (strategy::intent_in(state), any::<bool>(), any::<bool>()).prop_map(
        |(intent, with_id, tips_allowed)| match intent.try_into_state::<Created>() {
            Ok(created) => {
                let created = created.with_tips_allowed(tips_allowed);
                let created = match created.id().map(str::to_owned) {
                    Some(id) => created.with_id(&id),
                    None if with_id => created.with_id("pi_table"),
                    None => created,
                };
                AnyPaymentIntent::from(created)
            }
            Err(other) => other.into_intent(),
        },
    )
}

/// What one step did: the intent afterwards, and the state it reached when
/// the operation was accepted (`None`: refused, or not callable in the
/// typed API for this state).
struct Done {
    intent: AnyPaymentIntent,
    reached: Option<IntentState>,
}

fn refused(intent: AnyPaymentIntent) -> Done {
    Done {
        intent,
        reached: None,
    }
}

/// The runtime API's outcome: the state the intent is in afterwards.
fn runtime_accepted(intent: AnyPaymentIntent) -> Done {
    Done {
        reached: Some(intent.state()),
        intent,
    }
}

/// The typed API's outcome: the state its return type names.
fn typed_accepted<S: State>(intent: PaymentIntent<S>) -> Done {
    Done {
        reached: Some(intent.state()),
        intent: intent.into_any(),
    }
}

const OK: u16 = 200;

/// The inputs of one step, resolved against the intent it runs on.
struct Inputs {
    index: usize,
    capture_id: Option<CaptureId>,
    refund_key: IdempotencyKey,
}

impl Inputs {
    fn new(intent: &AnyPaymentIntent, op: Op, index: usize) -> Inputs {
        let capture_id = match op {
            Op::Capture { .. } => CaptureId::new(&format!("cp_step_{index}")).ok(),
            Op::RecordCaptureOutcome(pick, _) => {
                let ids = |in_flight: bool| -> Vec<CaptureId> {
                    intent
                        .captures()
                        .iter()
                        .filter(|c| !in_flight || c.status() == CaptureStatus::Created)
                        .filter_map(|c| c.id().cloned())
                        .collect()
                };
                match pick {
                    Pick::InFlight(n) => ids(true).get(n % ids(true).len().max(1)).cloned(),
                    Pick::Recorded(n) => ids(false).get(n % ids(false).len().max(1)).cloned(),
                    Pick::Unknown => None,
                }
                .or_else(|| CaptureId::new("cp_never_recorded").ok())
            }
            _ => None,
        };
        let refund_key = match op {
            // The strategy's refunds use `refund-0`, `refund-1`, …
            Op::Refund {
                reused_key: true, ..
            } => common::key("refund-0"),
            _ => common::key(&format!("key_step_{index}")),
        };
        Inputs {
            index,
            capture_id,
            refund_key,
        }
    }

    fn capture_answer(&self) -> Vec<u8> {
        format!(r#"{{"captureId":"cp_answer_{}"}}"#, self.index).into_bytes()
    }

    fn refund_answer(&self) -> Vec<u8> {
        format!(r#"{{"refundId":"rf_answer_{}"}}"#, self.index).into_bytes()
    }
}

fn ok(body: &[u8]) -> Answer<'_> {
    Answer::Http { status: OK, body }
}

/// Runs `step` through the runtime API. A 2xx answer to a request the
/// library prepared is always recorded.
fn runtime(intent: AnyPaymentIntent, step: Step, inputs: &Inputs) -> Result<Done, String> {
    let v = step.version;
    let done = match step.op {
        Op::Authorize(when) => {
            let at = when.of(&intent);
            match intent.authorize(at) {
                Ok(intent) => runtime_accepted(intent),
                Err(rejected) => refused(rejected.into_intent()),
            }
        }
        Op::Capture { amount, tips, now } => {
            let (amount, tips, now) = (
                amount.of(&intent),
                tips.map(|tips| tips.of(&intent)),
                now.of(&intent),
            );
            if step.prepared {
                match intent.prepare_capture(amount, tips, now, v) {
                    Ok((intent, prepared)) => {
                        let body = inputs.capture_answer();
                        let (intent, _) = intent
                            .record_capture_answer(prepared, ok(&body))
                            .map_err(|e| format!("capture answer not recorded: {e}"))?;
                        runtime_accepted(intent)
                    }
                    Err(rejected) => refused(rejected.into_intent()),
                }
            } else {
                let id = inputs.capture_id.clone().expect("a capture id");
                match intent.capture_with_tips(id, amount, tips, now) {
                    Ok(intent) => runtime_accepted(intent),
                    Err(rejected) => refused(rejected.into_intent()),
                }
            }
        }
        Op::RecordCaptureOutcome(_, outcome) => {
            let id = inputs.capture_id.clone().expect("a capture id");
            match intent.record_capture_outcome(&id, outcome) {
                Ok(intent) => runtime_accepted(intent),
                Err(rejected) => refused(rejected.into_intent()),
            }
        }
        Op::Refund { amount, .. } => {
            let amount = amount.of(&intent);
            let key = inputs.refund_key.clone();
            if step.prepared {
                match intent.prepare_refund(key, amount, RefundDetails::default(), v) {
                    Ok((intent, prepared)) => {
                        let body = inputs.refund_answer();
                        let (intent, _) = intent
                            .record_refund_answer(prepared, ok(&body))
                            .map_err(|e| format!("refund answer not recorded: {e}"))?;
                        runtime_accepted(intent)
                    }
                    Err(rejected) => refused(rejected.into_intent()),
                }
            } else {
                match intent.refund(key, amount) {
                    Ok(intent) => runtime_accepted(intent),
                    Err(rejected) => refused(rejected.into_intent()),
                }
            }
        }
        Op::Reverse(when) => {
            let now = when.of(&intent);
            if step.prepared {
                match intent.prepare_reversal(now, v) {
                    Ok((intent, prepared)) => runtime_accepted(
                        intent
                            .record_reversal_answer(prepared, ok(b"{}"))
                            .map_err(|e| format!("reversal answer not recorded: {e}"))?,
                    ),
                    Err(rejected) => refused(rejected.into_intent()),
                }
            } else {
                match intent.reverse(now) {
                    Ok(intent) => runtime_accepted(intent),
                    Err(rejected) => refused(rejected.into_intent()),
                }
            }
        }
        Op::Cancel => {
            if step.prepared {
                match intent.prepare_cancel(v) {
                    Ok((intent, prepared)) => runtime_accepted(
                        intent
                            .record_cancel_answer(prepared, ok(b""))
                            .map_err(|e| format!("cancel answer not recorded: {e}"))?,
                    ),
                    Err(rejected) => refused(rejected.into_intent()),
                }
            } else {
                match intent.cancel() {
                    Ok(intent) => runtime_accepted(intent),
                    Err(rejected) => refused(rejected.into_intent()),
                }
            }
        }
        Op::ChangeAmount(amount) => {
            let amount = amount.of(&intent);
            if step.prepared {
                match intent.prepare_change_amount(amount, v) {
                    Ok((intent, prepared)) => runtime_accepted(
                        intent
                            .record_change_amount_answer(prepared, ok(b""))
                            .map_err(|e| format!("change-amount answer not recorded: {e}"))?,
                    ),
                    Err(rejected) => refused(rejected.into_intent()),
                }
            } else {
                match intent.change_amount(amount) {
                    Ok(intent) => runtime_accepted(intent),
                    Err(rejected) => refused(rejected.into_intent()),
                }
            }
        }
        Op::ChangeTips(tips) => {
            let tips = tips.of(&intent);
            match intent.prepare_change_tips(tips, v) {
                Ok((intent, prepared)) => runtime_accepted(
                    intent
                        .record_change_tips_answer(prepared, ok(b""))
                        .map_err(|e| format!("change-tips answer not recorded: {e}"))?,
                ),
                Err(rejected) => refused(rejected.into_intent()),
            }
        }
    };
    Ok(done)
}

/// The typed API's capture, in any state that has it.
fn typed_capture<S: CanCapture + CanRecordCaptureAnswer>(
    intent: PaymentIntent<S>,
    step: Step,
    inputs: &Inputs,
) -> Result<Done, String> {
    let Op::Capture { amount, tips, now } = step.op else {
        unreachable!("a capture step")
    };
    let any = intent.copied().into_any();
    let (amount, tips, now) = (amount.of(&any), tips.map(|t| t.of(&any)), now.of(&any));
    Ok(if step.prepared {
        match intent.prepare_capture(amount, tips, now, step.version) {
            Ok((intent, prepared)) => {
                let body = inputs.capture_answer();
                let (intent, _) = intent
                    .record_capture_answer(prepared, ok(&body))
                    .map_err(|e| format!("capture answer not recorded: {e}"))?;
                typed_accepted(intent)
            }
            Err(rejected) => refused(rejected.into_intent().into_any()),
        }
    } else {
        let id = inputs.capture_id.clone().expect("a capture id");
        match intent.capture_with_tips(id, amount, tips, now) {
            Ok(intent) => typed_accepted(intent),
            Err(rejected) => refused(rejected.into_intent().into_any()),
        }
    })
}

/// The typed API's refund, in any state that has it.
fn typed_refund<S: CanRefund>(
    intent: PaymentIntent<S>,
    step: Step,
    inputs: &Inputs,
) -> Result<Done, String> {
    let Op::Refund { amount, .. } = step.op else {
        unreachable!("a refund step")
    };
    let amount = amount.of(&intent.copied().into_any());
    let key = inputs.refund_key.clone();
    Ok(if step.prepared {
        match intent.prepare_refund(key, amount, RefundDetails::default(), step.version) {
            Ok((intent, prepared)) => {
                let body = inputs.refund_answer();
                let (intent, _) = intent
                    .record_refund_answer(prepared, ok(&body))
                    .map_err(|e| format!("refund answer not recorded: {e}"))?;
                typed_accepted(intent)
            }
            Err(rejected) => refused(rejected.into_intent().into_any()),
        }
    } else {
        match intent.refund(key, amount) {
            Ok(intent) => typed_accepted(intent),
            Err(rejected) => refused(rejected.into_intent().into_any()),
        }
    })
}

/// The typed API's reversal, in any state that has it.
fn typed_reverse<S: CanReverse>(intent: PaymentIntent<S>, step: Step) -> Result<Done, String> {
    let Op::Reverse(when) = step.op else {
        unreachable!("a reverse step")
    };
    let now = when.of(&intent.copied().into_any());
    Ok(if step.prepared {
        match intent.prepare_reversal(now, step.version) {
            Ok((intent, prepared)) => typed_accepted(
                intent
                    .record_reversal_answer(prepared, ok(b"{}"))
                    .map_err(|e| format!("reversal answer not recorded: {e}"))?,
            ),
            Err(rejected) => refused(rejected.into_intent().into_any()),
        }
    } else {
        match intent.reverse(now) {
            Ok(intent) => typed_accepted(intent),
            Err(rejected) => refused(rejected.into_intent().into_any()),
        }
    })
}

/// The operations only a Created intent has.
fn typed_created(intent: PaymentIntent<Created>, step: Step) -> Result<Done, String> {
    let any = intent.copied().into_any();
    let v = step.version;
    Ok(match step.op {
        Op::Authorize(when) => match intent.authorize(when.of(&any)) {
            Authorization::Manual(intent) => typed_accepted(intent),
            Authorization::Auto(intent) => typed_accepted(intent),
        },
        Op::Cancel if step.prepared => match intent.prepare_cancel(v) {
            Ok((intent, prepared)) => typed_accepted(
                intent
                    .record_cancel_answer(prepared, ok(b""))
                    .map_err(|e| format!("cancel answer not recorded: {e}"))?,
            ),
            Err(rejected) => refused(rejected.into_intent().into_any()),
        },
        Op::Cancel => typed_accepted(intent.cancel()),
        Op::ChangeAmount(amount) if step.prepared => {
            match intent.prepare_change_amount(amount.of(&any), v) {
                Ok((intent, prepared)) => typed_accepted(
                    intent
                        .record_change_amount_answer(prepared, ok(b""))
                        .map_err(|e| format!("change-amount answer not recorded: {e}"))?,
                ),
                Err(rejected) => refused(rejected.into_intent().into_any()),
            }
        }
        Op::ChangeAmount(amount) => match intent.change_amount(amount.of(&any)) {
            Ok(intent) => typed_accepted(intent),
            Err(rejected) => refused(rejected.into_intent().into_any()),
        },
        Op::ChangeTips(tips) => match intent.prepare_change_tips(tips.of(&any), v) {
            Ok((intent, prepared)) => typed_accepted(
                intent
                    .record_change_tips_answer(prepared, ok(b""))
                    .map_err(|e| format!("change-tips answer not recorded: {e}"))?,
            ),
            Err(rejected) => refused(rejected.into_intent().into_any()),
        },
        // A Created intent has no capture, refund, reversal or capture
        // outcome in the typed API: the call does not compile.
        Op::Capture { .. } | Op::RecordCaptureOutcome(..) | Op::Refund { .. } | Op::Reverse(_) => {
            refused(any)
        }
    })
}

/// Runs `step` through the typed API, when the intent's state has the
/// operation at all; otherwise nothing happens.
fn typed(intent: AnyPaymentIntent, step: Step, inputs: &Inputs) -> Result<Done, String> {
    let id = inputs.capture_id.clone();
    let outcome = |op: Op| match op {
        Op::RecordCaptureOutcome(_, outcome) => outcome,
        _ => unreachable!("a record-capture-outcome step"),
    };
    match (intent, step.op) {
        (AnyPaymentIntent::Created(intent), _) => typed_created(intent, step),
        (AnyPaymentIntent::Authorized(intent), Op::Capture { .. }) => {
            typed_capture(intent, step, inputs)
        }
        (AnyPaymentIntent::Captured(intent), Op::Capture { .. }) => {
            typed_capture(intent, step, inputs)
        }
        (AnyPaymentIntent::Authorized(intent), Op::RecordCaptureOutcome(..)) => Ok(
            match intent.record_capture_outcome(&id.expect("an id"), outcome(step.op)) {
                Ok(CaptureResolved::Authorized(intent)) => typed_accepted(intent),
                Ok(CaptureResolved::Captured(intent)) => typed_accepted(intent),
                Err(rejected) => refused(rejected.into_intent().into_any()),
            },
        ),
        (AnyPaymentIntent::Captured(intent), Op::RecordCaptureOutcome(..)) => Ok(
            match intent.record_capture_outcome(&id.expect("an id"), outcome(step.op)) {
                Ok(intent) => typed_accepted::<Captured>(intent),
                Err(rejected) => refused(rejected.into_intent().into_any()),
            },
        ),
        (AnyPaymentIntent::Refunded(intent), Op::RecordCaptureOutcome(..)) => Ok(
            match intent.record_capture_outcome(&id.expect("an id"), outcome(step.op)) {
                Ok(intent) => typed_accepted::<Refunded>(intent),
                Err(rejected) => refused(rejected.into_intent().into_any()),
            },
        ),
        (AnyPaymentIntent::Captured(intent), Op::Refund { .. }) => {
            typed_refund(intent, step, inputs)
        }
        (AnyPaymentIntent::Refunded(intent), Op::Refund { .. }) => {
            typed_refund(intent, step, inputs)
        }
        (AnyPaymentIntent::Authorized(intent), Op::Reverse(_)) => typed_reverse(intent, step),
        (AnyPaymentIntent::Captured(intent), Op::Reverse(_)) => typed_reverse(intent, step),
        // Every other pair does not compile: no state but Created is
        // authorised, canceled or changed; Refunded is not captured or
        // reversed; Reversed and Canceled accept nothing.
        (intent, _) => Ok(refused(intent)),
    }
}

/// (from, operation word, to) → how often each API took it.
type Seen = BTreeMap<(IntentState, &'static str, IntentState), BTreeMap<Api, usize>>;

fn edge_in_table(from: IntentState, word: &str, to: IntentState) -> bool {
    TRANSITIONS
        .iter()
        .any(|t| t.from == from && t.to == to && t.cause.label() == word)
}

/// The edges an operation takes: the table's operations and Dojo's `payment`.
fn driven(cause: Cause) -> bool {
    match cause {
        Cause::Operation(_) => true,
        Cause::Dojo(word) => word == "payment",
    }
}

/// Runs one sequence of steps from `intent`, recording every accepted
/// operation in `seen`; fails on a triple the table does not have.
fn run_sequence(
    mut intent: AnyPaymentIntent,
    steps: &[Step],
    seen: &RefCell<Seen>,
) -> Result<(), TestCaseError> {
    for (index, &step) in steps.iter().enumerate() {
        let from = intent.state();
        let inputs = Inputs::new(&intent, step.op, index);
        let before = intent.copied();
        let done = match step.api {
            Api::Runtime => runtime(intent, step, &inputs),
            Api::Typed => typed(intent, step, &inputs),
        }
        .map_err(TestCaseError::fail)?;
        intent = done.intent;
        let Some(to) = done.reached else {
            prop_assert_eq!(&intent, &before, "a refused operation changes nothing");
            continue;
        };
        prop_assert_eq!(
            intent.state(),
            to,
            "the typed state and the intent's amounts agree"
        );
        let word = step.op.word();
        prop_assert!(
            edge_in_table(from, word, to),
            "the library accepted {} on a {} intent, which became {}, and TRANSITIONS has no \
             such edge ({:?})",
            word,
            from,
            to,
            step
        );
        *seen
            .borrow_mut()
            .entry((from, word, to))
            .or_default()
            .entry(step.api)
            .or_default() += 1;
    }
    Ok(())
}

#[test]
fn every_accepted_operation_is_an_edge_of_the_table_and_every_edge_is_taken() {
    let seen = RefCell::new(Seen::new());
    // From every state, each operation through each API first, so that
    // every edge is tried often whatever the seed; then a few random steps.
    for state in IntentState::ALL {
        for (kind, op) in ops().into_iter().enumerate() {
            for api in [Api::Runtime, Api::Typed] {
                let config = common::proptest_config("lifecycle_table", 256);
                let mut runner = TestRunner::new(config);
                let cases = (
                    intent(state),
                    step_with(op.clone(), Just(api)),
                    proptest::collection::vec(step(), 0..4),
                );
                let result = runner.run(&cases, |(intent, first, rest)| {
                    prop_assert_eq!(intent.state(), state);
                    let steps: Vec<Step> = std::iter::once(first).chain(rest).collect();
                    run_sequence(intent, &steps, &seen)
                });
                if let Err(error) = result {
                    panic!("from {state}, operation {kind} through {api:?} first: {error}");
                }
            }
        }
    }
    let seen = seen.into_inner();
    println!("edge of the table: taken through the runtime API, the typed API");
    let mut missing = Vec::new();
    for t in TRANSITIONS {
        let counts = seen.get(&(t.from, t.cause.label(), t.to));
        let count = |api| counts.and_then(|c| c.get(&api)).copied().unwrap_or(0);
        let (runtime, typed) = (count(Api::Runtime), count(Api::Typed));
        println!(
            "{} -> {} ({}): {runtime}, {typed}",
            t.from,
            t.to,
            t.cause.label()
        );
        if driven(t.cause) && (runtime == 0 || typed == 0) {
            missing.push(format!(
                "{} -> {} ({}): runtime {runtime}, typed {typed}",
                t.from,
                t.to,
                t.cause.label()
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "edges of the table no operation took: {missing:#?}"
    );
}

/// The edges no operation takes are Dojo's own, and each operation word of
/// the table is one the test drives.
#[test]
fn the_table_s_operation_words_are_the_ones_driven_here() {
    let words: Vec<&str> = TRANSITIONS
        .iter()
        .filter(|t| driven(t.cause))
        .map(|t| t.cause.label())
        .collect();
    for word in [
        "payment",
        "capture",
        "record-capture-outcome",
        "refund",
        "reverse",
        "cancel",
        "change-amount",
        "change-tips",
    ] {
        assert!(words.contains(&word), "no edge of the table is {word}");
    }
    for t in TRANSITIONS.iter().filter(|t| !driven(t.cause)) {
        assert_eq!(t.cause, Cause::Dojo("expiry"), "{t:?}");
    }
}
