//! A tour of the API, in the order a service meets it: money, a typed
//! intent and its states, the capabilities that make illegal calls fail to
//! compile, the runtime intent, reading Dojo's JSON, asking before acting,
//! the HTTP call, reconciling, storing, webhooks and errors. Each step is a
//! runnable example; the [crate's front page](crate) has the longer ones.
//!
//! # 1. Money
//!
//! [`Money`](crate::Money) is a non-negative count of minor units in a [`Currency`](crate::Currency) that
//! has a minor unit. Every way in is checked and nothing rounds; two
//! currencies never combine.
//!
//! ```
//! use dojo_capture::{Currency, Money};
//!
//! let price = Money::parse_in("10.50", Currency::GBP)?;
//! assert_eq!(price.minor_units(), 1050);
//! assert_eq!(price.to_string(), "10.50 GBP");
//! assert_eq!(Money::parse_in("10.505", Currency::GBP).unwrap_err().code(), "too_precise");
//! assert_eq!(price.checked_add(Money::new(1, Currency::EUR)).unwrap_err().code(), "currencies_differ");
//! # Ok::<(), dojo_capture::MoneyError>(())
//! ```
//!
//! # 2. `PaymentIntent<S>` and its states
//!
//! A [`PaymentIntent<S>`](crate::PaymentIntent) is an intent whose state `S`
//! is known at compile time: one of the markers in [`state`](crate::state)
//! ([`Created`](crate::state::Created), [`Authorized`](crate::state::Authorized),
//! [`Captured`](crate::state::Captured), [`Refunded`](crate::state::Refunded),
//! [`Reversed`](crate::state::Reversed), [`Canceled`](crate::state::Canceled)).
//! An intent starts [`Created`](crate::state::Created); each transition
//! consumes it and returns it in the state it reached, or hands it back
//! unchanged inside [`Rejected`](crate::Rejected).
//!
//! ```
//! use dojo_capture::{
//!     Authorization, CaptureId, CaptureMode, CaptureOutcome, CaptureResolved, Currency, Money,
//!     PaymentIntent,
//! };
//!
//! let gbp = |minor| Money::new(minor, Currency::GBP);
//! let paid_at = "2024-07-25T08:49:20Z".parse()?;
//! let created = PaymentIntent::new(gbp(1000), CaptureMode::Manual);
//! let Authorization::Manual(authorized) = created.authorize(paid_at) else {
//!     unreachable!("a Manual intent is authorised, not captured")
//! };
//! let id = CaptureId::new("cp_1")?;
//! let authorized = authorized.capture(id.clone(), gbp(600), paid_at)?;
//! let CaptureResolved::Captured(captured) =
//!     authorized.record_capture_outcome(&id, CaptureOutcome::Successful)?
//! else {
//!     unreachable!("a Successful capture captures")
//! };
//! assert_eq!((captured.captured(), captured.capturable()), (gbp(600), gbp(400)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 3. Capabilities
//!
//! Each operation exists only in the states that have its capability
//! ([`CanCapture`](crate::state::CanCapture), [`CanRefund`](crate::state::CanRefund),
//! [`CanReverse`](crate::state::CanReverse), [`CanCancel`](crate::state::CanCancel),
//! [`CanChangeAmount`](crate::state::CanChangeAmount), …). The traits are
//! sealed, so a refunded intent has no `capture` method, and the compile
//! error names the missing capability. Generic code can ask for one:
//!
//! ```
//! use dojo_capture::state::{CanRefund, Refunded};
//! use dojo_capture::{
//!     Authorization, CaptureMode, Currency, IdempotencyKey, Money, PaymentIntent, Rejected,
//! };
//!
//! /// Refunds everything left, from any state that can be refunded.
//! fn refund_all<S: CanRefund>(
//!     intent: PaymentIntent<S>,
//!     key: IdempotencyKey,
//! ) -> Result<PaymentIntent<Refunded>, Rejected<PaymentIntent<S>>> {
//!     let rest = intent.refundable();
//!     intent.refund(key, rest)
//! }
//!
//! let paid_at = "2024-07-25T08:49:20Z".parse()?;
//! let intent = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Auto);
//! let Authorization::Auto(captured) = intent.authorize(paid_at) else {
//!     unreachable!("Dojo captures an Auto intent itself")
//! };
//! let refunded = refund_all(captured, IdempotencyKey::new("refund-all")?)?;
//! assert_eq!(refunded.refunded(), Money::new(1000, Currency::GBP));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ```compile_fail
//! # use dojo_capture::{CaptureId, Currency, Money, PaymentIntent, state::Refunded};
//! # fn after_refund(refunded: PaymentIntent<Refunded>, now: dojo_capture::Timestamp) {
//! // Does not compile: `Refunded` does not implement `CanCapture`.
//! refunded.capture(CaptureId::new("cp_2").unwrap(), Money::new(100, Currency::GBP), now);
//! # }
//! ```
//!
//! # 4. `AnyPaymentIntent`
//!
//! When the state is known only at run time, [`AnyPaymentIntent`](crate::AnyPaymentIntent)
//! holds any of them: `match` it for the typed intent, convert it with
//! [`try_into_state`](crate::AnyPaymentIntent::try_into_state), or call its
//! methods, which run the same rules and move it to whatever state the
//! amounts then imply.
//!
//! ```
//! use dojo_capture::state::Captured;
//! use dojo_capture::{AnyPaymentIntent, Authorization, CaptureMode, Currency, IntentState, Money, PaymentIntent};
//!
//! let paid_at = "2024-07-25T08:49:20Z".parse()?;
//! let Authorization::Auto(captured) =
//!     PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Auto).authorize(paid_at)
//! else {
//!     unreachable!("Dojo captures an Auto intent itself")
//! };
//! let any: AnyPaymentIntent = captured.into();
//! assert_eq!(any.state(), IntentState::Captured);
//! let typed = any.try_into_state::<Captured>()?;
//! assert_eq!(typed.captured(), Money::new(1000, Currency::GBP));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 5. Rehydration: Dojo's JSON in, checked
//!
//! [`AnyPaymentIntent::from_json`](crate::AnyPaymentIntent::from_json) reads the body of `GET
//! /payment-intents/{id}` and checks the money again: an intent whose amounts do not add up is a
//! named [`RehydrateError`](crate::RehydrateError), never an intent. The state is derived from the
//! amounts, not copied from the status word ([D4](crate::decisions#d4),
//! [D13](crate::decisions#d13), [D17](crate::decisions#d17)).
//! [`to_resource`](crate::AnyPaymentIntent::to_resource) writes an intent back in Dojo's shape.
//!
//! ```
//! use dojo_capture::{AnyPaymentIntent, IntentState};
//!
//! let json = std::fs::read("docs/examples/manual-authorized.json")?;
//! let intent = AnyPaymentIntent::from_json(&json)?;
//! // Dojo says Authorized; a Successful partial capture makes it Captured.
//! assert_eq!(intent.state(), IntentState::Captured);
//!
//! let broken = br#"{"status": "Captured", "captureMode": "Manual",
//!     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z"}"#;
//! assert_eq!(AnyPaymentIntent::from_json(broken).unwrap_err().code(), "status_contradicts_amounts");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 6. `check`: ask before acting
//!
//! [`AnyPaymentIntent::check`](crate::AnyPaymentIntent::check) judges an
//! [`Operation`](crate::Operation) at `now` without changing anything, and
//! names the [`Rule`](crate::Rule) that refuses it. The module
//! [`check`](crate::check) is the command line's `check`, text in and
//! verdict out.
//!
//! ```
//! use dojo_capture::{AnyPaymentIntent, Currency, Money, Operation, Rule};
//!
//! let intent = AnyPaymentIntent::from_json(&std::fs::read("docs/examples/manual-authorized.json")?)?;
//! let now = "2024-07-26T10:00:00Z".parse()?;
//! assert!(intent.check(Operation::Capture(Money::new(500, Currency::GBP)), now).is_ok());
//! let refused = intent.check(Operation::Capture(Money::new(501, Currency::GBP)), now).unwrap_err();
//! assert_eq!(refused.rule(), Rule::OverCapture);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 7. Around the HTTP call: prepare, then record
//!
//! `prepare_…` checks an operation, reserves what it takes and returns a
//! token holding the [`Request`](crate::request::Request) to send; the
//! service's HTTP client sends it and `record_…_answer` takes the token and
//! Dojo's [`Answer`](crate::Answer), never re-running a rule. A lost answer
//! leaves the outcome unknown, and no capture is prepared until the intent is
//! read again.
//!
//! ```
//! use dojo_capture::request::ApiVersion;
//! use dojo_capture::{Answer, AnyPaymentIntent, Currency, Money};
//!
//! let gbp = |minor| Money::new(minor, Currency::GBP);
//! let now = "2024-07-26T10:00:00Z".parse()?;
//! let intent = AnyPaymentIntent::from_json(&std::fs::read("docs/examples/manual-fresh.json")?)?;
//! let (intent, prepared) = intent.prepare_capture(gbp(600), None, now, ApiVersion::default())?;
//! assert_eq!(prepared.request().body(), Some(&br#"{"amount":600}"#[..]));
//!
//! // The HTTP client sends it; Dojo answers 201.
//! let body = br#"{"message":"Capture created","captureId":"cp_1"}"#;
//! let (intent, capture_id) = intent.record_capture_answer(prepared, Answer::Http { status: 201, body })?;
//! assert_eq!((capture_id.as_str(), intent.in_flight()), ("cp_1", gbp(600)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 8. Reconcile a fresh read
//!
//! After a lost answer, the intent is read again from Dojo and merged with
//! [`reconcile_read_json_started`](crate::AnyPaymentIntent::reconcile_read_json_started),
//! given when the read began ([`ReadStart`](crate::ReadStart)): a pending
//! capture Dojo shows is bound to it; one Dojo does not show stays in flight
//! until its settle horizon, since a request that timed out can still land
//! after the read ([D22](crate::decisions#d22)), and is released by a read
//! that began after it. Pending refunds are matched from `refundedAmount`,
//! and anything ambiguous or unreachable is a
//! [`ReconcileError`](crate::ReconcileError) with the intent untouched. The
//! [`Reconciled`](crate::Reconciled) report says what changed.
//!
//! ```
//! use dojo_capture::request::ApiVersion;
//! use dojo_capture::{Answer, AnyPaymentIntent, Currency, Money, ReadStart, Rule, Timestamp};
//!
//! let gbp = |minor| Money::new(minor, Currency::GBP);
//! let now: Timestamp = "2024-07-26T10:00:00Z".parse()?;
//! let intent = AnyPaymentIntent::from_json(&std::fs::read("docs/examples/manual-fresh.json")?)?;
//! let (intent, prepared) = intent.prepare_capture(gbp(600), None, now, ApiVersion::default())?;
//! let intent = intent.record_capture_answer(prepared, Answer::TransportFailure).unwrap_err().into_intent();
//! assert!(intent.needs_read());
//!
//! // GET /payment-intents/{id}, sent a second later: no new capture yet.
//! let fresh = std::fs::read("docs/examples/manual-fresh.json")?;
//! let read_at: Timestamp = "2024-07-26T10:00:01Z".parse()?;
//! let (intent, reconciled) = intent.reconcile_read_json_started(&fresh, ReadStart::at(read_at))?;
//! assert!(reconciled.captures_released().is_empty(), "it may still land");
//! let horizon = reconciled.settle_after().expect("a horizon");
//! let again = intent.prepare_capture(gbp(600), None, now, ApiVersion::default()).unwrap_err();
//! assert_eq!(again.rule(), Rule::OutcomeUnknown);
//! let intent = again.into_intent();
//!
//! // Read again after the horizon: still no capture, so none was made.
//! let later = horizon + dojo_capture::SignedDuration::from_secs(1);
//! let (intent, reconciled) = intent.reconcile_read_json_started(&fresh, ReadStart::at(later))?;
//! assert_eq!(reconciled.captures_released().len(), 1);
//! assert_eq!(intent.capturable(), gbp(1000));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 9. Storage
//!
//! Dojo's JSON cannot hold what only the crate knows (refund keys, prepared
//! operations, webhook events seen), so an intent is stored in a record of the
//! crate's own: [`to_stored_json`](crate::AnyPaymentIntent::to_stored_json),
//! read back with the checks of rehydration by
//! [`from_stored_json`](crate::AnyPaymentIntent::from_stored_json). Its
//! [`revision`](crate::AnyPaymentIntent::revision) grows with every applied
//! change, so a service writes a record back only over the revision it
//! loaded (`docs/storage.md` in the repository has the protocol).
//!
//! ```
//! use dojo_capture::request::ApiVersion;
//! use dojo_capture::{AnyPaymentIntent, Currency, Money};
//!
//! let now = "2024-07-26T10:00:00Z".parse()?;
//! let intent = AnyPaymentIntent::from_json(&std::fs::read("docs/examples/manual-fresh.json")?)?;
//! let loaded = intent.revision();
//! let (intent, _prepared) =
//!     intent.prepare_capture(Money::new(600, Currency::GBP), None, now, ApiVersion::default())?;
//! assert_eq!(intent.revision(), loaded + 1);
//!
//! let record = intent.to_stored_json();
//! let again = AnyPaymentIntent::from_stored_json(record.as_bytes())?;
//! assert_eq!(again, intent, "the pending capture is kept");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 10. Webhooks
//!
//! [`webhook::verify_event`](crate::webhook::verify_event) checks a
//! delivery's `dojo-signature` before its body is parsed;
//! [`apply_webhook`](crate::AnyPaymentIntent::apply_webhook) judges the event
//! against the stored intent without changing its figures, and a
//! [`WebhookVerdict::ReadAgain`](crate::WebhookVerdict::ReadAgain) asks for a
//! read and a reconcile.
//!
//! ```
//! use dojo_capture::webhook::{self, WebhookSecret};
//! use dojo_capture::{AnyPaymentIntent, WebhookVerdict};
//!
//! let mut intent = AnyPaymentIntent::from_json(&std::fs::read("docs/examples/manual-fresh.json")?)?;
//! let secrets = [WebhookSecret::new("ws_test")?];
//! let body = br#"{"id": "evt_1", "event": "payment_intent.status_updated",
//!     "data": {"paymentIntentId": "pi_sandbox_Fr3shAuth0rIz3dK2pLm9Q", "paymentStatus": "Captured"}}"#;
//! let event = webhook::verify_event(body, secrets[0].sign(body), &secrets)?;
//! assert_eq!(intent.apply_webhook(&event), WebhookVerdict::ReadAgain);
//!
//! let forged = webhook::verify_event(body, "sha256=00", &secrets).unwrap_err();
//! assert_eq!(forged.code(), "webhook_malformed_digest");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 11. Errors
//!
//! Every refusal and error has a stable snake_case `code()`, and its `Debug`
//! is the code and the message: [`Rejected`](crate::Rejected) and
//! [`RuleViolation`](crate::RuleViolation) (a rule refused an operation; the
//! intent comes back inside `Rejected`), [`AnswerError`](crate::AnswerError)
//! (Dojo refused, or the outcome is unknown), [`ReconcileError`](crate::ReconcileError),
//! [`RehydrateError`](crate::RehydrateError), [`MoneyError`](crate::MoneyError),
//! [`IdError`](crate::IdError), [`WebhookError`](crate::WebhookError) and the
//! command line's [`InputError`](crate::check::InputError). `docs/errors.md`
//! in the repository lists every code with an example message.
//!
//! ```
//! use dojo_capture::{AnyPaymentIntent, CaptureId, Currency, Money};
//!
//! let intent = AnyPaymentIntent::from_json(&std::fs::read("docs/examples/manual-refunded.json")?)?;
//! let now = "2024-07-27T10:00:00Z".parse()?;
//! let rejected = intent.capture(CaptureId::new("cp_late")?, Money::new(1, Currency::GBP), now).unwrap_err();
//! assert_eq!(rejected.code(), "capture_after_refund");
//! assert!(format!("{rejected:?}").starts_with(r#"Rejected { code: "capture_after_refund", message: "#));
//! let intent = rejected.into_intent(); // nothing was lost
//! assert_eq!(intent.refunded(), Money::new(250, Currency::GBP));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
