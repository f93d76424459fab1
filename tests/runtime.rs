//! `AnyPaymentIntent`: every operation in every state, the rejected intent
//! handed back unchanged, `check` agreeing with the transitions, and the
//! typed and runtime paths agreeing with each other.

use dojo_capture::state::{Authorized, Canceled, Captured, Created, Refunded, Reversed, State};
use dojo_capture::{
    AnyPaymentIntent, Authorization, AutoExpireAction, AutoExpiry, CaptureMode, CaptureOutcome,
    CaptureResolved, IntentState, Operation, OperationKind, PaymentIntent, Rejected, Rule,
    RuleViolation,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

mod common;
use common::Copied;
use common::{PAID, cid, eur, gbp, key, paid, ts};

// ---- helpers ----

fn now() -> Timestamp {
    paid() + SignedDuration::from_hours(1)
}

fn created(mode: CaptureMode) -> PaymentIntent<Created> {
    PaymentIntent::new(gbp(1000), mode).with_custom_amount_allowed(true)
}

fn manual_authorized() -> PaymentIntent<Authorized> {
    match created(CaptureMode::Manual).authorize(paid()) {
        Authorization::Manual(intent) => intent,
        Authorization::Auto(_) => unreachable!(),
    }
}

/// Manual, 10.00 GBP authorised, 6.00 GBP captured by `cp_1`.
fn manual_captured() -> PaymentIntent<Captured> {
    let id = cid("cp_1");
    let intent = manual_authorized()
        .capture(id.clone(), gbp(600), now())
        .unwrap();
    match intent
        .record_capture_outcome(&id, CaptureOutcome::Successful)
        .unwrap()
    {
        CaptureResolved::Captured(intent) => intent,
        CaptureResolved::Authorized(_) => unreachable!(),
    }
}

fn auto_captured() -> PaymentIntent<Captured> {
    match created(CaptureMode::Auto).authorize(paid()) {
        Authorization::Auto(intent) => intent,
        Authorization::Manual(_) => unreachable!(),
    }
}

/// An Auto intent Dojo reports as Authorized but not yet captured: only
/// rehydration produces one.
fn auto_authorized() -> AnyPaymentIntent {
    let body = json!({
        "id": "pi_auto",
        "captureMode": "Auto",
        "status": "Authorized",
        "amount": {"value": 1000, "currencyCode": "GBP"},
        "createdAt": PAID,
        "captures": [],
    });
    AnyPaymentIntent::from_json(body.to_string().as_bytes()).unwrap()
}

/// One intent in each state, for one capture mode.
fn every_state(mode: CaptureMode) -> Vec<AnyPaymentIntent> {
    let (authorized, captured) = match mode {
        CaptureMode::Manual => (manual_authorized().into_any(), manual_captured()),
        CaptureMode::Auto => (auto_authorized(), auto_captured()),
    };
    let refunded = captured.copied().refund(key("r1"), gbp(100)).unwrap();
    let reversed = match mode {
        CaptureMode::Manual => manual_authorized().reverse(now()).unwrap(),
        CaptureMode::Auto => auto_captured().reverse(now()).unwrap(),
    };
    let all = vec![
        created(mode).into_any(),
        authorized,
        captured.into_any(),
        refunded.into_any(),
        reversed.into_any(),
        created(mode).cancel().into_any(),
    ];
    let states: Vec<IntentState> = all.iter().map(AnyPaymentIntent::state).collect();
    assert_eq!(states, IntentState::ALL);
    all
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Capture,
    Refund,
    Reverse,
    Cancel,
    ChangeAmount,
    Authorize,
}

impl Op {
    const ALL: [Op; 6] = [
        Op::Capture,
        Op::Refund,
        Op::Reverse,
        Op::Cancel,
        Op::ChangeAmount,
        Op::Authorize,
    ];

    fn kind(self) -> OperationKind {
        match self {
            Op::Capture => OperationKind::Capture,
            Op::Refund => OperationKind::Refund,
            Op::Reverse => OperationKind::Reverse,
            Op::Cancel => OperationKind::Cancel,
            Op::ChangeAmount => OperationKind::ChangeAmount,
            Op::Authorize => OperationKind::Authorize,
        }
    }

    fn run(self, intent: AnyPaymentIntent) -> Result<AnyPaymentIntent, Rejected<AnyPaymentIntent>> {
        match self {
            Op::Capture => intent.capture(cid("cp_new"), gbp(100), now()),
            Op::Refund => intent.refund(key("r_new"), gbp(100)),
            Op::Reverse => intent.reverse(now()),
            Op::Cancel => intent.cancel(),
            Op::ChangeAmount => intent.change_amount(gbp(2000)),
            Op::Authorize => intent.authorize(now()),
        }
    }

    fn check(self) -> Option<Operation> {
        match self {
            Op::Capture => Some(Operation::Capture(gbp(100))),
            Op::Refund => Some(Operation::Refund(gbp(100))),
            Op::Reverse => Some(Operation::Reverse),
            Op::Cancel => Some(Operation::Cancel),
            Op::ChangeAmount => Some(Operation::ChangeAmount(gbp(2000))),
            Op::Authorize => None,
        }
    }
}

enum Expect {
    To(IntentState),
    Refused(&'static str),
}
use Expect::{Refused, To};

const CANCELED: &str = "a canceled intent accepts no operation";

fn invalid(op: Op, state: IntentState, reason: &str) -> String {
    format!(
        "invalid_transition: {} is not possible on {} {state} intent: {reason}",
        op.kind(),
        if state == IntentState::Authorized {
            "an"
        } else {
            "a"
        }
    )
}

/// Runs `op` on `intent`, checks the outcome, that a refusal hands the intent
/// back unchanged, and that `check` gives the same verdict.
fn assert_op(intent: &AnyPaymentIntent, op: Op, expect: &Expect) {
    let state = intent.state();
    let context = format!("{op:?} on {state} {intent:?}");
    let result = op.run(intent.copied());
    let verdict = match (&result, expect) {
        (Ok(after), To(to)) => {
            assert_eq!(after.state(), *to, "{context}");
            Ok(())
        }
        (Err(rejected), Refused(message)) => {
            let violation = *rejected.violation();
            assert_eq!(violation.to_string(), *message, "{context}");
            let code = message.split(':').next().unwrap();
            assert_eq!(violation.code(), code, "{context}");
            assert_eq!(rejected.rule().code(), code, "{context}");
            assert_eq!(violation.operation(), op.kind(), "{context}");
            assert_eq!(violation.state(), state, "{context}");
            assert_eq!(rejected.intent(), intent, "{context}");
            Err(violation)
        }
        (Ok(after), Refused(message)) => {
            panic!("{context}: expected {message}, got {after:?}")
        }
        (Err(rejected), To(to)) => panic!("{context}: expected {to}, got {rejected}"),
    };
    if let Err(rejected) = result {
        assert_eq!(&rejected.into_intent(), intent, "{context}");
    }
    if let Some(operation) = op.check() {
        assert_eq!(intent.check(operation, now()), verdict, "check: {context}");
    }
}

fn assert_table(mode: CaptureMode, table: [[Expect; 6]; 6]) {
    for (intent, row) in every_state(mode).iter().zip(table) {
        for (op, expect) in Op::ALL.into_iter().zip(row) {
            assert_op(intent, op, &expect);
        }
    }
}

// ---- every operation in every state ----

#[test]
fn every_operation_in_every_state_of_a_manual_intent() {
    use IntentState as S;
    let (cp, rf, rv, cn, ch, au) = (
        Op::Capture,
        Op::Refund,
        Op::Reverse,
        Op::Cancel,
        Op::ChangeAmount,
        Op::Authorize,
    );
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let inv = |op, state, reason| Refused(leak(invalid(op, state, reason)));
    let not_created = "only a Created intent can be canceled";
    let changes = "the amount changes only before the payment";
    let paid_once = "only a Created intent is paid";
    let table = [
        // Created
        [
            inv(cp, S::Created, "the payment has not been authorised yet"),
            inv(rf, S::Created, "nothing has been captured yet"),
            inv(rv, S::Created, "the payment has not been authorised yet"),
            To(S::Canceled),
            To(S::Created),
            To(S::Authorized),
        ],
        // Authorized
        [
            To(S::Authorized),
            inv(rf, S::Authorized, "nothing has been captured yet"),
            To(S::Reversed),
            inv(cn, S::Authorized, not_created),
            inv(ch, S::Authorized, changes),
            inv(au, S::Authorized, paid_once),
        ],
        // Captured
        [
            To(S::Captured),
            To(S::Refunded),
            inv(
                rv,
                S::Captured,
                "a captured Manual payment can only be refunded, not reversed",
            ),
            inv(cn, S::Captured, not_created),
            inv(ch, S::Captured, changes),
            inv(au, S::Captured, paid_once),
        ],
        // Refunded
        [
            Refused(
                "capture_after_refund: the intent has been refunded (1.00 GBP); \
                 a refunded payment is never captured again",
            ),
            To(S::Refunded),
            inv(
                rv,
                S::Refunded,
                "a refunded payment can only be refunded further, not reversed",
            ),
            inv(cn, S::Refunded, not_created),
            inv(ch, S::Refunded, changes),
            inv(au, S::Refunded, paid_once),
        ],
        // Reversed
        [
            Refused(
                "capture_after_reversal: the intent has been reversed; \
                 a reversed payment is never captured",
            ),
            inv(
                rf,
                S::Reversed,
                "a reversed payment has already been returned in full",
            ),
            inv(rv, S::Reversed, "a reversal cannot be reversed"),
            inv(cn, S::Reversed, not_created),
            inv(ch, S::Reversed, changes),
            inv(au, S::Reversed, paid_once),
        ],
        // Canceled
        [
            inv(cp, S::Canceled, CANCELED),
            inv(rf, S::Canceled, CANCELED),
            inv(rv, S::Canceled, CANCELED),
            inv(cn, S::Canceled, CANCELED),
            inv(ch, S::Canceled, changes),
            inv(au, S::Canceled, paid_once),
        ],
    ];
    assert_table(CaptureMode::Manual, table);
}

#[test]
fn every_operation_in_every_state_of_an_auto_intent() {
    use IntentState as S;
    let (cp, rf, rv, cn, ch, au) = (
        Op::Capture,
        Op::Refund,
        Op::Reverse,
        Op::Cancel,
        Op::ChangeAmount,
        Op::Authorize,
    );
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let inv = |op, state, reason| Refused(leak(invalid(op, state, reason)));
    let not_created = "only a Created intent can be canceled";
    let changes = "the amount changes only before the payment";
    let paid_once = "only a Created intent is paid";
    let auto = "auto_capture_mode: the intent's capture mode is Auto; Dojo captures it itself, \
                only Manual intents are captured by the merchant";
    let table = [
        // Created
        [
            inv(cp, S::Created, "the payment has not been authorised yet"),
            inv(rf, S::Created, "nothing has been captured yet"),
            inv(rv, S::Created, "the payment has not been authorised yet"),
            To(S::Canceled),
            To(S::Created),
            // Dojo captures an Auto payment itself.
            To(S::Captured),
        ],
        // Authorized (reported so by Dojo, not yet captured)
        [
            Refused(auto),
            inv(rf, S::Authorized, "nothing has been captured yet"),
            inv(
                rv,
                S::Authorized,
                "an Auto payment is reversed only once Dojo has captured it",
            ),
            inv(cn, S::Authorized, not_created),
            inv(ch, S::Authorized, changes),
            inv(au, S::Authorized, paid_once),
        ],
        // Captured
        [
            Refused(auto),
            To(S::Refunded),
            To(S::Reversed),
            inv(cn, S::Captured, not_created),
            inv(ch, S::Captured, changes),
            inv(au, S::Captured, paid_once),
        ],
        // Refunded
        [
            Refused(
                "capture_after_refund: the intent has been refunded (1.00 GBP); \
                 a refunded payment is never captured again",
            ),
            To(S::Refunded),
            inv(
                rv,
                S::Refunded,
                "a refunded payment can only be refunded further, not reversed",
            ),
            inv(cn, S::Refunded, not_created),
            inv(ch, S::Refunded, changes),
            inv(au, S::Refunded, paid_once),
        ],
        // Reversed
        [
            Refused(
                "capture_after_reversal: the intent has been reversed; \
                 a reversed payment is never captured",
            ),
            inv(
                rf,
                S::Reversed,
                "a reversed payment has already been returned in full",
            ),
            inv(rv, S::Reversed, "a reversal cannot be reversed"),
            inv(cn, S::Reversed, not_created),
            inv(ch, S::Reversed, changes),
            inv(au, S::Reversed, paid_once),
        ],
        // Canceled
        [
            inv(cp, S::Canceled, CANCELED),
            inv(rf, S::Canceled, CANCELED),
            inv(rv, S::Canceled, CANCELED),
            inv(cn, S::Canceled, CANCELED),
            inv(ch, S::Canceled, changes),
            inv(au, S::Canceled, paid_once),
        ],
    ];
    assert_table(CaptureMode::Auto, table);
}

#[test]
fn change_amount_on_a_created_intent_without_custom_amounts_is_refused_at_run_time() {
    let intent = PaymentIntent::new(gbp(1000), CaptureMode::Manual).into_any();
    let rejected = intent.copied().change_amount(gbp(2000)).unwrap_err();
    assert_eq!(rejected.rule(), Rule::CustomAmountNotAllowed);
    assert_eq!(
        intent.check(Operation::ChangeAmount(gbp(2000)), now()),
        Err(*rejected.violation())
    );
    assert_eq!(rejected.into_intent(), intent);
}

#[test]
fn successful_operations_change_exactly_what_they_should() {
    let authorized = manual_authorized().into_any();
    let after = authorized
        .copied()
        .capture(cid("cp_new"), gbp(100), now())
        .unwrap();
    assert_eq!(after.in_flight(), gbp(100));
    assert_eq!(after.capturable(), gbp(900));
    let after = after
        .record_capture_outcome(&cid("cp_new"), CaptureOutcome::Successful)
        .unwrap();
    assert_eq!(after.state(), IntentState::Captured);
    assert_eq!(after.captured(), gbp(100));
    assert_eq!(after.refundable(), gbp(100));

    let refunded = manual_captured()
        .into_any()
        .refund(key("r1"), gbp(150))
        .unwrap();
    assert_eq!(refunded.state(), IntentState::Refunded);
    assert_eq!(refunded.refunded(), gbp(150));
    assert_eq!(refunded.refundable(), gbp(450));
    let replay = refunded.copied().refund(key("r1"), gbp(150)).unwrap();
    assert_eq!(replay, refunded);
    let rejected = refunded.copied().refund(key("r1"), gbp(151)).unwrap_err();
    assert_eq!(rejected.rule(), Rule::IdempotencyConflict);
    assert_eq!(rejected.into_intent(), refunded);

    let changed = created(CaptureMode::Manual)
        .into_any()
        .change_amount(gbp(2000))
        .unwrap();
    assert_eq!(changed.amount(), gbp(2000));

    let authorized = created(CaptureMode::Manual)
        .into_any()
        .authorize(paid())
        .unwrap();
    assert_eq!(authorized.state(), IntentState::Authorized);
    assert_eq!(authorized.capturable(), gbp(1000));
    let auto = created(CaptureMode::Auto)
        .into_any()
        .authorize(paid())
        .unwrap();
    assert_eq!(auto.state(), IntentState::Captured);
    assert_eq!(auto.captured(), gbp(1000));
    assert_eq!(auto.refundable(), gbp(1000));
    assert_eq!(auto.capturable(), gbp(0));
}

#[test]
fn runtime_refusals_carry_the_amounts() {
    let intent = manual_captured()
        .into_any()
        .capture(cid("cp_2"), gbp(300), now())
        .unwrap();
    let rejected = intent
        .copied()
        .capture(cid("cp_3"), gbp(101), now())
        .unwrap_err();
    assert_eq!(rejected.rule(), Rule::OverCapture);
    assert_eq!(rejected.violation().requested(), Some(gbp(101)));
    assert_eq!(rejected.violation().available(), Some(gbp(100)));
    assert_eq!(rejected.into_intent(), intent);
    assert_eq!(intent.check(Operation::Capture(gbp(100)), now()), Ok(()));

    let rejected = intent.copied().refund(key("r1"), gbp(601)).unwrap_err();
    assert_eq!(rejected.rule(), Rule::OverRefund);
    assert_eq!(rejected.violation().requested(), Some(gbp(601)));
    assert_eq!(rejected.violation().available(), Some(gbp(600)));
    assert_eq!(rejected.into_intent(), intent);
}

#[test]
fn the_refund_in_a_capture_after_refund_is_the_total_refunded() {
    let refunded = manual_captured()
        .into_any()
        .refund(key("r1"), gbp(100))
        .unwrap()
        .refund(key("r2"), gbp(250))
        .unwrap();
    let violation = refunded
        .check(Operation::Capture(gbp(1)), now())
        .unwrap_err();
    assert_eq!(violation.rule(), Rule::CaptureAfterRefund);
    assert_eq!(
        violation.to_string(),
        "capture_after_refund: the intent has been refunded (3.50 GBP); \
         a refunded payment is never captured again"
    );
}

#[test]
fn an_outcome_at_run_time_moves_to_the_state_the_amounts_imply() {
    let intent = manual_authorized()
        .into_any()
        .capture(cid("cp_1"), gbp(400), now())
        .unwrap();
    let declined = intent
        .copied()
        .record_capture_outcome(&cid("cp_1"), CaptureOutcome::Declined)
        .unwrap();
    assert_eq!(declined.state(), IntentState::Authorized);
    assert_eq!(declined.capturable(), gbp(1000));
    let captured = intent
        .copied()
        .record_capture_outcome(&cid("cp_1"), CaptureOutcome::Successful)
        .unwrap();
    assert_eq!(captured.state(), IntentState::Captured);
    let rejected = intent
        .copied()
        .record_capture_outcome(&cid("cp_9"), CaptureOutcome::Successful)
        .unwrap_err();
    assert_eq!(rejected.rule(), Rule::UnknownCapture);
    assert_eq!(
        rejected.violation().operation(),
        OperationKind::RecordCaptureOutcome
    );
    assert_eq!(rejected.into_intent(), intent);
}

#[test]
fn reversal_deadlines_at_run_time() {
    let intent = manual_authorized().into_any();
    let deadline = paid() + SignedDuration::from_hours(7 * 24);
    let closed = intent.check(Operation::Reverse, deadline).unwrap_err();
    assert_eq!(closed.rule(), Rule::ReversalWindowClosed);
    assert_eq!(
        intent.copied().reverse(deadline).unwrap_err().violation(),
        &closed
    );
    assert_eq!(
        intent.check(Operation::Reverse, deadline - SignedDuration::from_secs(1)),
        Ok(())
    );
    let expired = intent
        .check(Operation::Capture(gbp(1)), deadline)
        .unwrap_err();
    assert_eq!(expired.rule(), Rule::AuthorizationExpired);

    let auto = auto_captured().into_any();
    let next_day = ts("2024-07-25T23:00:00Z"); // 00:00 on 26 July in London
    let closed = auto.check(Operation::Reverse, next_day).unwrap_err();
    assert_eq!(closed.rule(), Rule::ReversalWindowClosed);
    assert_eq!(
        auto.check(Operation::Reverse, ts("2024-07-25T22:59:59Z")),
        Ok(())
    );
}

#[test]
fn check_reports_zero_and_currency_like_the_transitions() {
    let authorized = manual_authorized().into_any();
    let captured = manual_captured().into_any();
    let created = created(CaptureMode::Manual).into_any();
    let cases: [(&AnyPaymentIntent, Operation, Rule); 6] = [
        (&authorized, Operation::Capture(gbp(0)), Rule::ZeroAmount),
        (
            &authorized,
            Operation::Capture(eur(1)),
            Rule::CurrencyMismatch,
        ),
        (&captured, Operation::Refund(gbp(0)), Rule::ZeroAmount),
        (&captured, Operation::Refund(eur(1)), Rule::CurrencyMismatch),
        (&created, Operation::ChangeAmount(gbp(0)), Rule::ZeroAmount),
        (
            &created,
            Operation::ChangeAmount(eur(1)),
            Rule::CurrencyMismatch,
        ),
    ];
    for (intent, operation, rule) in cases {
        let checked = intent.check(operation, now()).unwrap_err();
        assert_eq!(checked.rule(), rule, "{operation:?}");
        let ran = match operation {
            Operation::Capture(amount) => intent.copied().capture(cid("cp_x"), amount, now()),
            Operation::Refund(amount) => intent.copied().refund(key("r_x"), amount),
            Operation::ChangeAmount(amount) => intent.copied().change_amount(amount),
            _ => unreachable!(),
        };
        let rejected = ran.unwrap_err();
        assert_eq!(rejected.violation(), &checked);
        assert_eq!(&rejected.into_intent(), intent);
    }
}

// ---- try_into_state ----

#[test]
fn try_into_state_gives_the_typed_intent_in_its_own_state() {
    let typed = manual_captured();
    let any = typed.copied().into_any();
    assert!(matches!(any, AnyPaymentIntent::Captured(_)));
    assert_eq!(any.copied().try_into_state::<Captured>().unwrap(), typed);
    assert_eq!(
        PaymentIntent::<Captured>::try_from(any.copied()).unwrap(),
        typed
    );
    assert_eq!(AnyPaymentIntent::from(typed.copied()), any);
}

#[test]
fn try_into_state_hands_the_intent_back_in_another_state() {
    let any = manual_captured().into_any();
    let wrong = any.copied().try_into_state::<Authorized>().unwrap_err();
    assert_eq!(wrong.expected(), IntentState::Authorized);
    assert_eq!(wrong.to_string(), "the intent is Captured, not Authorized");
    assert_eq!(wrong.into_intent(), any);

    let wrong = PaymentIntent::<Refunded>::try_from(any.copied()).unwrap_err();
    assert_eq!(wrong.expected(), IntentState::Refunded);
    assert_eq!(wrong.into_intent(), any);
}

fn assert_only_state<S: State>(intents: &[AnyPaymentIntent]) {
    for intent in intents {
        let result = intent.copied().try_into_state::<S>();
        if intent.state() == S::STATE {
            assert_eq!(result.unwrap().into_any(), *intent);
        } else {
            let wrong = result.unwrap_err();
            assert_eq!(wrong.expected(), S::STATE);
            assert_eq!(
                wrong.to_string(),
                format!("the intent is {}, not {}", intent.state(), S::STATE)
            );
            assert_eq!(&wrong.into_intent(), intent);
        }
    }
}

#[test]
fn try_into_state_for_every_state_pair() {
    for mode in [CaptureMode::Manual, CaptureMode::Auto] {
        let intents = every_state(mode);
        assert_only_state::<Created>(&intents);
        assert_only_state::<Authorized>(&intents);
        assert_only_state::<Captured>(&intents);
        assert_only_state::<Refunded>(&intents);
        assert_only_state::<Reversed>(&intents);
        assert_only_state::<Canceled>(&intents);
    }
}

#[test]
fn runtime_accessors_match_the_typed_ones() {
    let typed = manual_captured()
        .capture(cid("cp_2"), gbp(100), now())
        .unwrap();
    let any = typed.copied().into_any();
    assert_eq!(any.state(), typed.state());
    assert_eq!(any.id(), typed.id());
    assert_eq!(any.amount(), typed.amount());
    assert_eq!(any.captured(), typed.captured());
    assert_eq!(any.in_flight(), typed.in_flight());
    assert_eq!(any.refunded(), typed.refunded());
    assert_eq!(any.capturable(), typed.capturable());
    assert_eq!(any.refundable(), typed.refundable());
    assert_eq!(
        (any.captured(), any.in_flight(), any.capturable()),
        (gbp(600), gbp(100), gbp(300))
    );
    let named = created(CaptureMode::Manual).with_id("pi_9").into_any();
    assert_eq!(named.id(), Some("pi_9"));
}

#[test]
fn runtime_settings_match_the_typed_ones() {
    let expiry = AutoExpiry::new(SignedDuration::from_hours(2), AutoExpireAction::Release).unwrap();
    let typed = created(CaptureMode::Manual).with_auto_expiry(expiry);
    let any = typed.copied().into_any();
    assert_eq!(any.auto_expiry(), Some(expiry));
    assert_eq!(any.auto_expiry(), typed.auto_expiry());
    assert!(any.custom_amount_allowed());
    assert_eq!(any.custom_amount_allowed(), typed.custom_amount_allowed());
    assert_eq!(any.capture_mode(), CaptureMode::Manual);
    assert_eq!((any.paid_at(), any.authorization_deadline()), (None, None));

    let paid_any = any.authorize(paid()).unwrap();
    assert_eq!(paid_any.paid_at(), Some(paid()));
    assert_eq!(
        paid_any.authorization_deadline(),
        Some(paid() + SignedDuration::from_hours(2))
    );

    let plain = PaymentIntent::new(gbp(1000), CaptureMode::Auto).into_any();
    assert_eq!(plain.auto_expiry(), None);
    assert!(!plain.custom_amount_allowed());
    assert_eq!(plain.capture_mode(), CaptureMode::Auto);
}

// ---- the typed and runtime paths agree ----

trait ToAny {
    fn to_any(self) -> AnyPaymentIntent;
}

impl<S: State> ToAny for PaymentIntent<S> {
    fn to_any(self) -> AnyPaymentIntent {
        self.into_any()
    }
}

impl ToAny for CaptureResolved {
    fn to_any(self) -> AnyPaymentIntent {
        match self {
            CaptureResolved::Authorized(intent) => intent.into_any(),
            CaptureResolved::Captured(intent) => intent.into_any(),
        }
    }
}

impl ToAny for Authorization {
    fn to_any(self) -> AnyPaymentIntent {
        match self {
            Authorization::Manual(intent) => intent.into_any(),
            Authorization::Auto(intent) => intent.into_any(),
        }
    }
}

fn assert_agree<T: ToAny, S: State>(
    typed: Result<T, Rejected<PaymentIntent<S>>>,
    runtime: Result<AnyPaymentIntent, Rejected<AnyPaymentIntent>>,
) -> Result<AnyPaymentIntent, Rule> {
    match (typed, runtime) {
        (Ok(typed), Ok(runtime)) => {
            let typed = typed.to_any();
            assert_eq!(typed, runtime);
            Ok(runtime)
        }
        (Err(typed), Err(runtime)) => {
            assert_eq!(typed.violation(), runtime.violation());
            let rule = typed.rule();
            assert_eq!(typed.into_intent().into_any(), runtime.into_intent());
            Err(rule)
        }
        (typed, runtime) => panic!(
            "the paths disagree: typed {:?}, runtime {:?}",
            typed.map(|_| ()),
            runtime
        ),
    }
}

/// Runs the same method with the same arguments on a typed intent and on its
/// `into_any()`, and asserts the results agree.
macro_rules! agree {
    ($intent:expr, $method:ident($($arg:expr),*)) => {{
        let typed = $intent;
        let any = typed.copied().into_any();
        assert_agree(typed.$method($($arg),*), any.$method($($arg),*))
    }};
}

#[test]
fn typed_and_runtime_captures_agree() {
    let deadline = paid() + SignedDuration::from_hours(7 * 24);
    assert!(agree!(manual_authorized(), capture(cid("cp_n"), gbp(1000), now())).is_ok());
    assert_eq!(
        agree!(manual_authorized(), capture(cid("cp_n"), gbp(1001), now())),
        Err(Rule::OverCapture)
    );
    assert_eq!(
        agree!(manual_authorized(), capture(cid("cp_n"), gbp(0), now())),
        Err(Rule::ZeroAmount)
    );
    assert_eq!(
        agree!(manual_authorized(), capture(cid("cp_n"), eur(1), now())),
        Err(Rule::CurrencyMismatch)
    );
    assert_eq!(
        agree!(
            manual_authorized(),
            capture_with_tips(cid("cp_n"), gbp(1), Some(eur(1)), now())
        ),
        Err(Rule::CurrencyMismatch)
    );
    assert_eq!(
        agree!(manual_authorized(), capture(cid("cp_n"), gbp(1), deadline)),
        Err(Rule::AuthorizationExpired)
    );
    assert!(agree!(manual_captured(), capture(cid("cp_n"), gbp(400), now())).is_ok());
    assert_eq!(
        agree!(manual_captured(), capture(cid("cp_n"), gbp(401), now())),
        Err(Rule::OverCapture)
    );
    assert_eq!(
        agree!(manual_captured(), capture(cid("cp_1"), gbp(601), now())),
        Err(Rule::CaptureConflict)
    );
    let replay = agree!(manual_captured(), capture(cid("cp_1"), gbp(600), now())).unwrap();
    assert_eq!(replay, manual_captured().into_any());
    assert_eq!(
        agree!(auto_captured(), capture(cid("cp_n"), gbp(1), now())),
        Err(Rule::AutoCaptureMode)
    );
}

#[test]
fn typed_and_runtime_capture_outcomes_agree() {
    let in_flight = || {
        manual_authorized()
            .capture(cid("cp_n"), gbp(300), now())
            .unwrap()
    };
    let captured = agree!(
        in_flight(),
        record_capture_outcome(&cid("cp_n"), CaptureOutcome::Successful)
    )
    .unwrap();
    assert_eq!(captured.state(), IntentState::Captured);
    let released = agree!(
        in_flight(),
        record_capture_outcome(&cid("cp_n"), CaptureOutcome::Failed)
    )
    .unwrap();
    assert_eq!(released.state(), IntentState::Authorized);
    assert_eq!(
        agree!(
            in_flight(),
            record_capture_outcome(&cid("cp_x"), CaptureOutcome::Failed)
        ),
        Err(Rule::UnknownCapture)
    );
    assert_eq!(
        agree!(
            manual_captured(),
            record_capture_outcome(&cid("cp_1"), CaptureOutcome::Declined)
        ),
        Err(Rule::UnknownCapture)
    );
}

#[test]
fn typed_and_runtime_refunds_agree() {
    let refunded = agree!(manual_captured(), refund(key("r1"), gbp(600))).unwrap();
    assert_eq!(refunded.refundable(), gbp(0));
    assert_eq!(
        agree!(manual_captured(), refund(key("r1"), gbp(601))),
        Err(Rule::OverRefund)
    );
    assert_eq!(
        agree!(manual_captured(), refund(key("r1"), gbp(0))),
        Err(Rule::ZeroAmount)
    );
    assert_eq!(
        agree!(manual_captured(), refund(key("r1"), eur(1))),
        Err(Rule::CurrencyMismatch)
    );
    let partly = || manual_captured().refund(key("r1"), gbp(100)).unwrap();
    assert_eq!(
        agree!(partly(), refund(key("r1"), gbp(100))).unwrap(),
        partly().into_any()
    );
    assert_eq!(
        agree!(partly(), refund(key("r1"), gbp(200))),
        Err(Rule::IdempotencyConflict)
    );
    assert_eq!(
        agree!(partly(), refund(key("r2"), gbp(501))),
        Err(Rule::OverRefund)
    );
    assert!(agree!(auto_captured(), refund(key("r1"), gbp(1000))).is_ok());
}

#[test]
fn typed_and_runtime_reversals_agree() {
    let deadline = paid() + SignedDuration::from_hours(7 * 24);
    assert!(agree!(manual_authorized(), reverse(now())).is_ok());
    assert_eq!(
        agree!(manual_authorized(), reverse(deadline)),
        Err(Rule::ReversalWindowClosed)
    );
    let in_flight = manual_authorized()
        .capture(cid("cp_n"), gbp(1), now())
        .unwrap();
    assert_eq!(
        agree!(in_flight, reverse(now())),
        Err(Rule::InvalidTransition)
    );
    assert_eq!(
        agree!(manual_captured(), reverse(now())),
        Err(Rule::InvalidTransition)
    );
    assert!(agree!(auto_captured(), reverse(now())).is_ok());
    assert_eq!(
        agree!(auto_captured(), reverse(ts("2024-07-26T00:00:00Z"))),
        Err(Rule::ReversalWindowClosed)
    );
}

#[test]
fn typed_and_runtime_changes_before_payment_agree() {
    let changed = agree!(created(CaptureMode::Manual), change_amount(gbp(5500))).unwrap();
    assert_eq!(changed.amount(), gbp(5500));
    assert_eq!(
        agree!(created(CaptureMode::Manual), change_amount(gbp(0))),
        Err(Rule::ZeroAmount)
    );
    assert_eq!(
        agree!(
            PaymentIntent::new(gbp(1000), CaptureMode::Manual),
            change_amount(gbp(5500))
        ),
        Err(Rule::CustomAmountNotAllowed)
    );

    // `cancel` and `authorize` cannot fail on a typed Created intent.
    for mode in [CaptureMode::Manual, CaptureMode::Auto] {
        let typed = created(mode);
        let any = typed.copied().into_any();
        assert_eq!(
            typed.copied().cancel().into_any(),
            any.copied().cancel().unwrap()
        );
        assert_eq!(
            typed.authorize(paid()).to_any(),
            any.authorize(paid()).unwrap()
        );
    }
}

// ---- what is left to capture and refund ----

#[test]
fn capturable_and_refundable_in_every_state() {
    // (capturable, refundable) for Created, Authorized, Captured, Refunded, Reversed, Canceled.
    let manual = [
        (0, 0),
        (1000, 0),
        (400, 600),
        // A refund ends capturing for good (D3).
        (0, 500),
        (0, 0),
        (0, 0),
    ];
    // Dojo captures an Auto intent itself: the merchant never has anything to capture.
    let auto = [(0, 0), (0, 0), (0, 1000), (0, 900), (0, 0), (0, 0)];
    for (mode, expected) in [(CaptureMode::Manual, manual), (CaptureMode::Auto, auto)] {
        for (intent, (capturable, refundable)) in every_state(mode).iter().zip(expected) {
            assert_eq!(
                (intent.capturable(), intent.refundable()),
                (gbp(capturable), gbp(refundable)),
                "{mode:?} {intent:?}"
            );
        }
    }
}

#[test]
fn a_reversed_auto_intent_captured_its_amount_but_refunds_nothing() {
    let reversed = auto_captured().reverse(now()).unwrap().into_any();
    assert_eq!(reversed.captured(), gbp(1000));
    assert_eq!(reversed.refundable(), gbp(0));
    assert_eq!(
        reversed
            .check(Operation::Refund(gbp(1)), now())
            .unwrap_err()
            .rule(),
        Rule::InvalidTransition
    );
}

#[test]
fn rule_violation_is_copy_and_an_error() {
    let violation: RuleViolation = manual_authorized()
        .into_any()
        .check(Operation::Cancel, now())
        .unwrap_err();
    let copy = violation;
    assert_eq!(copy, violation);
    let error: &dyn std::error::Error = &violation;
    assert_eq!(
        error.to_string(),
        "invalid_transition: cancel is not possible on an Authorized intent: \
         only a Created intent can be canceled"
    );
}

#[test]
fn only_reversed_and_canceled_are_terminal() {
    let terminal: Vec<IntentState> = IntentState::ALL
        .into_iter()
        .filter(|state| state.is_terminal())
        .collect();
    assert_eq!(terminal, [IntentState::Reversed, IntentState::Canceled]);
}

// ---- nothing settles on a terminal intent (rules 4 and 6) ----

#[test]
fn no_capture_outcome_is_recorded_on_a_reversed_or_canceled_intent() {
    // Dojo reports a reversed Auto payment that still lists a capture in
    // flight: settling it must not add to what a returned payment took.
    let reversed = AnyPaymentIntent::from_json(
        json!({
            "status": "Reversed", "captureMode": "Auto",
            "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": PAID,
            "captures": [{"id": "cp_1", "amount": 400, "status": "Created"}]
        })
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    for outcome in [CaptureOutcome::Successful, CaptureOutcome::Declined] {
        let rejected = reversed
            .copied()
            .record_capture_outcome(&cid("cp_1"), outcome)
            .unwrap_err();
        assert_eq!(
            rejected.violation().to_string(),
            "invalid_transition: record-capture-outcome is not possible on a Reversed intent: \
             a reversed intent accepts no operation"
        );
        assert_eq!(rejected.into_intent(), reversed);
    }

    let canceled = AnyPaymentIntent::from(created(CaptureMode::Manual).cancel());
    let rejected = canceled
        .copied()
        .record_capture_outcome(&cid("cp_1"), CaptureOutcome::Successful)
        .unwrap_err();
    assert_eq!(
        rejected.violation().to_string(),
        "invalid_transition: record-capture-outcome is not possible on a Canceled intent: \
         a canceled intent accepts no operation"
    );
    assert_eq!(rejected.into_intent(), canceled);
}
