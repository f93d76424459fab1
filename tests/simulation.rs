//! The simulation: several clients, each with its own copy of one Manual
//! intent, drive one simulated Dojo through random interleavings of prepare,
//! send (with a fault injected in most sends), record, retry, reconcile,
//! Dojo-side resolution of captures in flight, and the clock moving on.
//!
//! After every step Dojo's invariants hold (captured + in flight never
//! exceeds the amount, refunds never exceed what is refundable, no refund key
//! applied twice, no capture made twice by one logical operation and its
//! retries), and every client's copy passes `check_intent`. At the end every
//! held answer is delivered, every client reads the intent again, and every
//! client's figures equal Dojo's.
//!
//! The steps are a plain generated list interpreted against the current
//! state: each step names a client and small selectors, and does what they
//! select when it can, or nothing.

use std::collections::BTreeMap;

use dojo_capture::request::ApiVersion;
use dojo_capture::{
    AnyPaymentIntent, CaptureStatus, PreparedCapture, PreparedRefund, PreparedReversal,
    RefundDetails,
};
use jiff::SignedDuration;
use proptest::prelude::*;

mod common;
use common::Copied;
use common::fake_dojo::{FakeDojo, Fault, NewIntent, Reply};
use common::invariants::{check_intent, check_stored, without_revision};
use common::{gbp, key, paid, proptest_config};

const AMOUNT: i64 = 1000;
/// Each client captures from its own amounts, and never prepares an amount it
/// already has pending: a fresh read can then always tell which of its
/// captures Dojo made. Two pending captures of one amount, or a capture of
/// that amount by another client, make the match ambiguous, and the crate
/// reports it rather than guess (tested in `tests/reconcile.rs`); a client
/// in that case must ask Dojo by other means, which the simulation does not
/// model. The sums still exceed the amount, so clients race.
const CAPTURE_AMOUNTS: [[i64; 2]; 3] = [[100, 700], [250, 600], [400, 550]];
const REFUND_AMOUNTS: [i64; 3] = [50, 150, 300];
/// Each client's refund keys, a small pool so that a client reuses a key
/// (its retry, or a conflict with another amount, refused by its own rules).
///
/// The pools are the client's own: a key names one refund (D7). When two
/// clients send one key, the second gets Dojo's replayed answer, which reads
/// like a new refund; if that client had already adopted the first refund
/// from a read (`refunded_elsewhere`), it now counts it twice, and its next
/// read is refused with `reconcile_refunded_shrank`. Nothing in Dojo's
/// answer or read lets the crate tell them apart (the read lists no refund
/// keys), so the simulation keeps keys per client.
const KEYS: [[&str; 3]; 3] = [
    ["c0-a", "c0-b", "c0-c"],
    ["c1-a", "c1-b", "c1-c"],
    ["c2-a", "c2-b", "c2-c"],
];

fn v() -> ApiVersion {
    ApiVersion::default()
}

/// One step of the simulation.
#[derive(Clone, Debug)]
enum Step {
    PrepareCapture {
        client: usize,
        amount: usize,
    },
    PrepareRefund {
        client: usize,
        key: usize,
        amount: usize,
    },
    PrepareReversal {
        client: usize,
    },
    /// Sends one of the client's prepared requests, with a fault or none.
    Send {
        client: usize,
        slot: usize,
        fault: Option<Fault>,
    },
    /// Retries an operation whose outcome is unknown: a refund with its key,
    /// or a capture (which must be refused until a reconcile).
    Retry {
        client: usize,
        slot: usize,
        fault: Option<Fault>,
    },
    /// Delivers one held answer (Hold), out of order.
    DeliverHeld {
        pick: usize,
    },
    Reconcile {
        client: usize,
    },
    /// Dojo settles a capture in flight.
    Resolve {
        pick: usize,
        status: usize,
    },
    Tick {
        seconds: i64,
    },
}

#[derive(Debug)]
enum Token {
    Capture(PreparedCapture),
    Refund(PreparedRefund),
    Reversal(PreparedReversal),
}

impl Token {
    fn request(&self) -> &dojo_capture::request::Request {
        match self {
            Token::Capture(p) => p.request(),
            Token::Refund(p) => p.request(),
            Token::Reversal(p) => p.request(),
        }
    }
}

/// A prepared operation with its logical operation's tag.
#[derive(Debug)]
struct Prepared {
    tag: String,
    token: Token,
}

/// An answer Dojo holds back, to be delivered to the client that asked.
struct HeldFor {
    reply: Reply,
    client: usize,
    prepared: Prepared,
}

struct Client {
    intent: Option<AnyPaymentIntent>,
    /// Prepared, not yet sent.
    unsent: Vec<Prepared>,
    /// Tags of refunds whose outcome is unknown, by key (for the retry's tag).
    refund_tags: BTreeMap<String, String>,
}

impl Client {
    fn intent(&self) -> &AnyPaymentIntent {
        self.intent.as_ref().expect("the client holds its intent")
    }
}

#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    steps: u64,
    faults: u64,
    reconciles: u64,
    reconciles_failed: u64,
    /// Of those, refused as ambiguous (the others await an answer).
    reconciles_ambiguous: u64,
    retries: u64,
    /// A timeout after Dojo applied a capture, then a reconcile bound it.
    after_apply_then_bound: u64,
    refund_retried: u64,
    capture_retry_refused: u64,
    lost_race: u64,
    held_delivered: u64,
}

struct Sim {
    dojo: FakeDojo,
    id: String,
    clients: Vec<Client>,
    held: Vec<HeldFor>,
    next_tag: u64,
    counts: Counts,
    /// Clients whose capture answer was lost after Dojo applied it, not yet reconciled.
    lost_after_apply: Vec<usize>,
}

impl Sim {
    /// `clients` clients reading one authorised intent; with `captured_first`,
    /// a capture of 300 made and settled before they read it (so that refunds
    /// come early).
    fn new(clients: usize, captured_first: bool) -> Sim {
        let mut dojo = FakeDojo::new(paid());
        let id = dojo.create(NewIntent::manual(AMOUNT));
        dojo.authorize(&id, paid()).unwrap();
        if captured_first {
            let path = format!("/payment-intents/{id}/captures");
            let version = v().to_string();
            let reply = dojo.handle(
                "POST",
                &path,
                &[("version", &version), ("content-type", "application/json")],
                br#"{"amount":300}"#,
            );
            let capture = reply.json()["captureId"].as_str().unwrap().to_owned();
            dojo.resolve_capture(&id, &capture, CaptureStatus::Successful)
                .unwrap();
        }
        let mut sim = Sim {
            dojo,
            id,
            clients: Vec::new(),
            held: Vec::new(),
            next_tag: 0,
            counts: Counts::default(),
            lost_after_apply: Vec::new(),
        };
        for _ in 0..clients {
            let intent = sim.read();
            sim.clients.push(Client {
                intent: Some(intent),
                unsent: Vec::new(),
                refund_tags: BTreeMap::new(),
            });
        }
        sim
    }

    fn get(&mut self) -> Vec<u8> {
        let path = format!("/payment-intents/{}", self.id);
        let version = v().to_string();
        let reply = self
            .dojo
            .handle("GET", &path, &[("version", version.as_str())], b"");
        assert_eq!(reply.status(), Some(200), "{reply:?}");
        reply.body().to_vec()
    }

    fn read(&mut self) -> AnyPaymentIntent {
        AnyPaymentIntent::from_json(&self.get()).unwrap()
    }

    fn tag(&mut self, what: &str) -> String {
        self.next_tag += 1;
        format!("{what}-{}", self.next_tag)
    }

    fn check(&self) -> Result<(), String> {
        self.dojo.check_invariants()?;
        for (n, client) in self.clients.iter().enumerate() {
            check_intent(client.intent()).map_err(|e| format!("client {n}: {e}"))?;
            check_stored(client.intent()).map_err(|e| format!("client {n}: {e}"))?;
        }
        Ok(())
    }

    fn step(&mut self, step: &Step) {
        self.counts.steps += 1;
        let now = self.dojo.now();
        match *step {
            Step::PrepareCapture { client, amount } => {
                let c = &mut self.clients[client];
                if c.unsent.len() >= 3 {
                    return;
                }
                let amount = CAPTURE_AMOUNTS[client][amount];
                if c.intent()
                    .pending_captures()
                    .iter()
                    .any(|p| p.amount().minor_units() == amount)
                {
                    return;
                }
                let intent = c.intent.take().unwrap();
                match intent.prepare_capture(gbp(amount), None, now, v()) {
                    Ok((intent, token)) => {
                        c.intent = Some(intent);
                        self.next_tag += 1;
                        let tag = format!("capture-{}", self.next_tag);
                        self.clients[client].unsent.push(Prepared {
                            tag,
                            token: Token::Capture(token),
                        });
                    }
                    Err(rejected) => c.intent = Some(rejected.into_intent()),
                }
            }
            Step::PrepareRefund {
                client,
                key: k,
                amount,
            } => {
                let c = &mut self.clients[client];
                if c.unsent.len() >= 3 {
                    return;
                }
                let intent = c.intent.take().unwrap();
                match intent.prepare_refund(
                    key(KEYS[client][k]),
                    gbp(REFUND_AMOUNTS[amount]),
                    RefundDetails::default(),
                    v(),
                ) {
                    Ok((intent, token)) => {
                        c.intent = Some(intent);
                        let tag = self.tag("refund");
                        self.clients[client].unsent.push(Prepared {
                            tag,
                            token: Token::Refund(token),
                        });
                    }
                    Err(rejected) => c.intent = Some(rejected.into_intent()),
                }
            }
            Step::PrepareReversal { client } => {
                let c = &mut self.clients[client];
                if c.unsent.len() >= 3 {
                    return;
                }
                let intent = c.intent.take().unwrap();
                match intent.prepare_reversal(now, v()) {
                    Ok((intent, token)) => {
                        c.intent = Some(intent);
                        let tag = self.tag("reversal");
                        self.clients[client].unsent.push(Prepared {
                            tag,
                            token: Token::Reversal(token),
                        });
                    }
                    Err(rejected) => c.intent = Some(rejected.into_intent()),
                }
            }
            Step::Send {
                client,
                slot,
                fault,
            } => {
                let c = &mut self.clients[client];
                if c.unsent.is_empty() {
                    return;
                }
                let prepared = c.unsent.remove(slot % c.unsent.len());
                self.send(client, prepared, fault);
            }
            Step::Retry {
                client,
                slot,
                fault,
            } => self.retry(client, slot, fault),
            Step::DeliverHeld { pick } => {
                if self.held.is_empty() {
                    return;
                }
                let held = self.held.remove(pick % self.held.len());
                self.deliver_held(held);
            }
            Step::Reconcile { client } => {
                let _ = self.reconcile(client);
            }
            Step::Resolve { pick, status } => {
                let in_flight: Vec<String> = self
                    .dojo
                    .intent(&self.id)
                    .captures
                    .iter()
                    .filter(|c| c.status == CaptureStatus::Created)
                    .map(|c| c.id.clone())
                    .collect();
                if in_flight.is_empty() {
                    return;
                }
                let status = [
                    CaptureStatus::Successful,
                    CaptureStatus::Successful,
                    CaptureStatus::Declined,
                    CaptureStatus::Failed,
                ][status];
                let id = self.id.clone();
                self.dojo
                    .resolve_capture(&id, &in_flight[pick % in_flight.len()], status)
                    .unwrap();
            }
            Step::Tick { seconds } => {
                let later = now + SignedDuration::from_secs(seconds);
                self.dojo.set_now(later);
            }
        }
    }

    /// Sends `prepared` for `client` with `fault`, and records the answer
    /// unless Dojo holds it back.
    fn send(&mut self, client: usize, prepared: Prepared, fault: Option<Fault>) {
        if let Some(fault) = fault {
            self.counts.faults += 1;
            self.dojo.fail_next(fault);
        }
        let reply = self
            .dojo
            .handle_request_tagged(&prepared.tag, prepared.token.request());
        let request = self.dojo.log().last().expect("logged").number;
        // The fake hands over what it holds; the simulation keeps it.
        let mut held = self.dojo.take_held();
        if fault == Some(Fault::Hold) {
            let at = held
                .iter()
                .position(|h| h.request == request)
                .expect("the held answer waits");
            self.held.push(HeldFor {
                reply: held.remove(at).reply,
                client,
                prepared,
            });
            return;
        }
        // A duplicated answer's second copy reaches a client that awaits
        // nothing more for that request: it is dropped.
        drop(held);
        if fault == Some(Fault::TimeoutAfterApply)
            && matches!(prepared.token, Token::Capture(_))
            && self.dojo.log().last().expect("logged").status == Some(200)
        {
            self.lost_after_apply.push(client);
        }
        let fault_refused = matches!(fault, Some(Fault::Conflict409));
        self.record(client, prepared, &reply, fault_refused);
    }

    fn deliver_held(&mut self, held: HeldFor) {
        self.counts.held_delivered += 1;
        self.record(held.client, held.prepared, &held.reply, false);
    }

    fn record(&mut self, client: usize, prepared: Prepared, reply: &Reply, fault_refused: bool) {
        let c = &mut self.clients[client];
        let intent = c.intent.take().unwrap();
        let dojo_refused =
            !fault_refused && reply.status().is_some_and(|s| (400..500).contains(&s));
        let outcome = match prepared.token {
            Token::Capture(token) => intent
                .record_capture_answer(token, reply.answer())
                .map(|(i, _)| i)
                .map_err(|e| (e.outcome_unknown(), e.code(), e.into_intent())),
            Token::Refund(token) => {
                let k = token.key().as_str().to_owned();
                match intent.record_refund_answer(token, reply.answer()) {
                    Ok((i, _)) => {
                        c.refund_tags.remove(&k);
                        Ok(i)
                    }
                    Err(e) => {
                        if e.outcome_unknown() {
                            c.refund_tags.insert(k, prepared.tag.clone());
                        } else {
                            c.refund_tags.remove(&k);
                        }
                        Err((e.outcome_unknown(), e.code(), e.into_intent()))
                    }
                }
            }
            Token::Reversal(token) => intent
                .record_reversal_answer(token, reply.answer())
                .map_err(|e| (e.outcome_unknown(), e.code(), e.into_intent())),
        };
        let intent = match outcome {
            Ok(intent) => intent,
            Err((unknown, code, intent)) => {
                if dojo_refused && !unknown && code.ends_with("_refused") {
                    self.counts.lost_race += 1;
                }
                intent
            }
        };
        self.clients[client].intent = Some(intent);
    }

    fn retry(&mut self, client: usize, slot: usize, fault: Option<Fault>) {
        let now = self.dojo.now();
        let c = &mut self.clients[client];
        let intent = c.intent.take().unwrap();
        let unknown_refunds: Vec<(String, i64)> = intent
            .pending_refunds()
            .iter()
            .filter(|p| p.outcome_unknown())
            .map(|p| (p.key().as_str().to_owned(), p.amount().minor_units()))
            .collect();
        let unknown_captures: Vec<i64> = intent
            .pending_captures()
            .iter()
            .filter(|p| p.outcome_unknown())
            .map(|p| p.amount().minor_units())
            .collect();
        let choices = unknown_refunds.len() + unknown_captures.len();
        if choices == 0 {
            c.intent = Some(intent);
            return;
        }
        self.counts.retries += 1;
        let pick = slot % choices;
        if pick < unknown_refunds.len() {
            let (k, amount) = unknown_refunds[pick].clone();
            let (intent, token) = intent
                .prepare_refund(key(&k), gbp(amount), RefundDetails::default(), v())
                .expect("a refund of unknown outcome is retried with its key");
            c.intent = Some(intent);
            let tag = c
                .refund_tags
                .get(&k)
                .cloned()
                .expect("the refund's tag is known");
            self.counts.refund_retried += 1;
            self.send(
                client,
                Prepared {
                    tag,
                    token: Token::Refund(token),
                },
                fault,
            );
        } else {
            let amount = unknown_captures[pick - unknown_refunds.len()];
            let others_pending = !intent.pending_refunds().is_empty()
                || intent.pending_operation().is_some()
                || intent.refunded().minor_units() > 0;
            let rejected = intent
                .prepare_capture(gbp(amount), None, now, v())
                .expect_err("a capture of unknown outcome is not retried before a reconcile");
            // A refund (pending or made) or a pending reversal refuses the
            // capture by its own rule first (`operation_pending`,
            // `capture_after_refund`); alone, the unknown outcome refuses it.
            if !others_pending {
                assert_eq!(rejected.code(), "outcome_unknown");
            }
            self.counts.capture_retry_refused += u64::from(rejected.code() == "outcome_unknown");
            c.intent = Some(rejected.into_intent());
        }
    }

    fn reconcile(&mut self, client: usize) -> Result<(), String> {
        self.counts.reconciles += 1;
        let body = self.get();
        let c = &mut self.clients[client];
        let intent = c.intent.take().unwrap();
        let before = intent.copied();
        match intent.reconcile_read_json(&body) {
            Ok((intent, report)) => {
                if self.lost_after_apply.contains(&client) {
                    if !report.captures_bound().is_empty() {
                        self.counts.after_apply_then_bound += 1;
                    }
                    self.lost_after_apply.retain(|&n| n != client);
                }
                c.intent = Some(intent);
                Ok(())
            }
            Err(error) => {
                self.counts.reconciles_failed += 1;
                self.counts.reconciles_ambiguous += u64::from(error.ambiguous());
                assert_eq!(
                    error.intent(),
                    &before,
                    "a refused reconcile changes nothing"
                );
                let code = error.code();
                assert!(
                    code == "reconcile_answer_awaited" || error.ambiguous(),
                    "client {client}: reconcile refused: {error:?}"
                );
                let text = format!("{error:?}");
                c.intent = Some(error.into_intent());
                Err(text)
            }
        }
    }

    /// The end: every held answer delivered, every unsent request given up
    /// (as a timeout before it reached Dojo), then every client reads the
    /// intent again and its figures equal Dojo's.
    fn finish(&mut self) -> Result<(), String> {
        for held in std::mem::take(&mut self.held) {
            self.deliver_held(held);
        }
        for client in 0..self.clients.len() {
            for prepared in std::mem::take(&mut self.clients[client].unsent) {
                self.record(client, prepared, &Reply::Timeout, false);
            }
        }
        // A refund of unknown outcome is settled by its retry, not by a read:
        // the read shows only the refunded total, which other clients' refunds
        // move too (the crate calls that ambiguous and guesses nothing).
        for client in 0..self.clients.len() {
            let keys: Vec<(String, i64)> = self.clients[client]
                .intent()
                .pending_refunds()
                .iter()
                .map(|p| (p.key().as_str().to_owned(), p.amount().minor_units()))
                .collect();
            for (k, amount) in keys {
                let intent = self.clients[client].intent.take().unwrap();
                let (intent, token) = intent
                    .prepare_refund(key(&k), gbp(amount), RefundDetails::default(), v())
                    .map_err(|e| format!("client {client}: the retry of {k}: {e:?}"))?;
                self.clients[client].intent = Some(intent);
                let tag = match self.clients[client].refund_tags.get(&k) {
                    Some(tag) => tag.clone(),
                    None => self.tag("refund"),
                };
                self.send(
                    client,
                    Prepared {
                        tag,
                        token: Token::Refund(token),
                    },
                    None,
                );
            }
        }
        self.check()?;
        let dojo = self.read();
        let view = |intent: &AnyPaymentIntent| {
            let captures: BTreeMap<String, (i64, CaptureStatus)> = intent
                .captures()
                .iter()
                .map(|c| {
                    (
                        c.id().map(|id| id.as_str().to_owned()).unwrap_or_default(),
                        (c.amount().minor_units(), c.status()),
                    )
                })
                .collect();
            format!(
                "{} captured={} in_flight={} refunded={} captures={captures:?} needs_read={}",
                intent.state(),
                intent.captured(),
                intent.in_flight(),
                intent.refunded(),
                intent.needs_read(),
            )
        };
        let want = view(&dojo);
        for client in 0..self.clients.len() {
            self.reconcile(client)
                .map_err(|e| format!("client {client}: the final reconcile was refused: {e}"))?;
            let got = view(self.clients[client].intent());
            if got != want {
                return Err(format!(
                    "client {client} disagrees with Dojo:\n client {got}\n dojo   {want}"
                ));
            }
            if !self.clients[client].intent().pending_refunds().is_empty()
                || !self.clients[client].intent().pending_captures().is_empty()
            {
                return Err(format!("client {client}: something still pending"));
            }
        }
        self.check()
    }
}

fn fault() -> impl Strategy<Value = Option<Fault>> {
    prop_oneof![
        2 => Just(None),
        2 => Just(Some(Fault::TimeoutAfterApply)),
        2 => Just(Some(Fault::TimeoutBeforeApply)),
        1 => prop_oneof![Just(500u16), Just(502), Just(503)].prop_map(|s| Some(Fault::ServerError(s))),
        1 => Just(Some(Fault::Conflict409)),
        1 => Just(Some(Fault::Duplicate)),
        2 => Just(Some(Fault::Hold)),
    ]
}

fn step(clients: usize) -> impl Strategy<Value = Step> {
    let client = 0..clients;
    prop_oneof![
        4 => (client.clone(), 0..2usize)
            .prop_map(|(client, amount)| Step::PrepareCapture { client, amount }),
        3 => (client.clone(), 0..KEYS[0].len(), 0..REFUND_AMOUNTS.len())
            .prop_map(|(client, key, amount)| Step::PrepareRefund { client, key, amount }),
        1 => client.clone().prop_map(|client| Step::PrepareReversal { client }),
        8 => (client.clone(), 0..3usize, fault())
            .prop_map(|(client, slot, fault)| Step::Send { client, slot, fault }),
        3 => (client.clone(), 0..4usize, fault())
            .prop_map(|(client, slot, fault)| Step::Retry { client, slot, fault }),
        2 => (0..4usize).prop_map(|pick| Step::DeliverHeld { pick }),
        3 => client.prop_map(|client| Step::Reconcile { client }),
        2 => (0..4usize, 0..4usize).prop_map(|(pick, status)| Step::Resolve { pick, status }),
        1 => (1..120i64).prop_map(|seconds| Step::Tick { seconds }),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, bool, Vec<Step>)> {
    (2..=3usize, any::<bool>()).prop_flat_map(|(clients, captured_first)| {
        (
            Just(clients),
            Just(captured_first),
            prop::collection::vec(step(clients), 1..40),
        )
    })
}

/// Runs one scenario, checking after every step; the counts on success.
fn run(clients: usize, captured_first: bool, steps: &[Step]) -> Result<Counts, String> {
    let mut sim = Sim::new(clients, captured_first);
    for (n, step) in steps.iter().enumerate() {
        let before: Vec<(u64, String)> = sim
            .clients
            .iter()
            .map(|c| (c.intent().revision(), without_revision(c.intent())))
            .collect();
        sim.step(step);
        sim.check()
            .map_err(|e| format!("after step {n} {step:?}: {e}"))?;
        // A step may apply several changes to one client (a prepare and its
        // answer); the revision moves exactly when the stored record does.
        for (client, (revision, record)) in sim.clients.iter().zip(&before) {
            let moved = client.intent().revision() != *revision;
            let changed = without_revision(client.intent()) != *record;
            if moved != changed || client.intent().revision() < *revision {
                return Err(format!(
                    "after step {n} {step:?}: revision {} -> {} while the record {}",
                    revision,
                    client.intent().revision(),
                    if changed { "changed" } else { "did not change" }
                ));
            }
        }
    }
    sim.finish()?;
    Ok(sim.counts)
}

proptest! {
    #![proptest_config(proptest_config("simulation", 2_000))]

    #[test]
    fn clients_racing_through_faults_never_double_capture_and_agree_with_dojo_at_the_end(
        (clients, captured_first, steps) in scenario()
    ) {
        if let Err(error) = run(clients, captured_first, &steps) {
            prop_assert!(false, "{}", error);
        }
    }
}

/// Samples the generator: most cases hold a fault, and it reaches each
/// situation the simulation is for.
#[test]
fn the_generator_reaches_faults_retries_reconciles_and_lost_races() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let strategy = scenario();
    let cases = 500u64;
    let (mut total, mut with_fault) = (Counts::default(), 0u64);
    let mut with = [0u64; 4];
    for _ in 0..cases {
        let (clients, captured_first, steps) = strategy.new_tree(&mut runner).unwrap().current();
        let counts = run(clients, captured_first, &steps).unwrap();
        with_fault += u64::from(counts.faults > 0);
        total.steps += counts.steps;
        total.faults += counts.faults;
        total.reconciles += counts.reconciles;
        total.reconciles_failed += counts.reconciles_failed;
        total.reconciles_ambiguous += counts.reconciles_ambiguous;
        total.retries += counts.retries;
        total.held_delivered += counts.held_delivered;
        for (slot, n) in with.iter_mut().zip([
            counts.after_apply_then_bound,
            counts.refund_retried,
            counts.capture_retry_refused,
            counts.lost_race,
        ]) {
            *slot += u64::from(n > 0);
        }
    }
    eprintln!(
        "simulation sample: {cases} cases, {} steps, {} faults ({with_fault} cases with one), \
         {} reconciles ({} refused, {} of them ambiguous), {} retries, {} held answers delivered late; cases with \
         a bound timeout-after-apply {}, a refund retried {}, a capture retry refused {}, \
         a lost race {}",
        total.steps,
        total.faults,
        total.reconciles,
        total.reconciles_failed,
        total.reconciles_ambiguous,
        total.retries,
        total.held_delivered,
        with[0],
        with[1],
        with[2],
        with[3],
    );
    assert!(with_fault * 2 > cases, "most cases hold a fault");
    for (n, what) in with.iter().zip([
        "a timeout after apply bound by a reconcile",
        "a refund retried with its key",
        "a capture retry refused with outcome_unknown",
        "a lost race refused by Dojo",
    ]) {
        assert!(*n > 0, "the generator never reaches {what}");
    }
}
