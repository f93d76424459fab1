//! Eight workers, each with its own connection to one SQLite database,
//! race on one stored Manual intent through the storage protocol of
//! `docs/storage.md` ("Many workers, one intent"): load the record and its
//! revision, prepare in memory, write back only over the revision loaded,
//! send only once that write succeeded, record the answer and write back
//! again; a lost race reloads and decides again.
//!
//! The simulated Dojo of `tests/common/fake_dojo.rs` answers every worker.
//! It makes each capture Successful as soon as it creates it, so refunds
//! become possible, and deduplicates refunds by idempotency key. Refund
//! keys come from a small set per seed, each with a fixed amount, so
//! workers retry one logical refund and the crate must know the key as
//! pending or recorded rather than reserve it again.
//!
//! After every committed write, and at the end of each seed: what is
//! captured and in flight never exceeds the amount, in the record and at
//! Dojo; each refund key appears once in the record and with one amount at
//! Dojo; and once every answer is recorded, the record's captured and
//! refunded totals equal Dojo's. The run prints its figures (`cargo test
//! --test storage_race -- --nocapture`) and asserts that races were lost,
//! so that the protocol was exercised under contention.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use dojo_capture::request::{ApiVersion, Request};
use dojo_capture::{
    AnyPaymentIntent, CaptureOutcome, CaptureStatus, IdempotencyKey, Money, RefundDetails,
    SignedDuration, Timestamp,
};
use rusqlite::{Connection, TransactionBehavior, params};

mod common;
use common::fake_dojo::{FakeDojo, NewIntent, Reply};
use common::invariants::check_intent;
use common::{gbp, key, paid};

const WORKERS: usize = 8;
const SEEDS: u64 = 24;
const ATTEMPTS_PER_WORKER: u32 = 16;
/// The attempts before this one capture (on even seeds only capture, on odd
/// seeds one in eight refunds), the later ones mostly refund; the workers
/// cross into the later attempts together. A refund ends capturing, so an
/// even mix would leave the race for the amount to few captures.
const CAPTURES_FIRST: u32 = 8;
const AMOUNT: i64 = 10_000;
/// Together they exceed the amount many times over, so captures race for it.
const CAPTURE_AMOUNTS: [i64; 4] = [500, 900, 1_300, 1_700];
/// Refund keys per seed; key `k` always refunds `REFUND_AMOUNTS[k]`.
const REFUND_AMOUNTS: [i64; 4] = [300, 500, 800, 1_100];
/// The tries of one load-decide-write before a worker gives up with a
/// message. A try is lost only to another worker's committed write, and a
/// seed has at most 2 × WORKERS × ATTEMPTS_PER_WORKER = 256 of those (an
/// attempt writes at most twice): far above any real run, yet a bound, so
/// that a broken protocol fails the test instead of retrying until the run
/// is killed.
const MAX_TRIES: u32 = 1_000;

fn v() -> ApiVersion {
    ApiVersion::default()
}

/// An hour after the payment: well inside the authorisation.
fn now() -> Timestamp {
    paid() + SignedDuration::from_hours(1)
}

// ---- the run's figures -------------------------------------------------------------

#[derive(Default)]
struct Figures {
    attempts: AtomicU64,
    committed: AtomicU64,
    lost_races: AtomicU64,
    captures_sent: AtomicU64,
    refunds_sent: AtomicU64,
    /// The crate's refusals of a prepare, by rule code.
    refused_by_crate: Mutex<BTreeMap<&'static str, u64>>,
    /// Refunds sent under a key another worker had reserved: its safe retry.
    refunds_retried_without_write: AtomicU64,
    replays_recognised: AtomicU64,
    answers_recorded_by_another: AtomicU64,
    refused_by_dojo: AtomicU64,
}

fn add(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

fn get(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

impl Figures {
    fn refused(&self, code: &'static str) {
        *self
            .refused_by_crate
            .lock()
            .unwrap()
            .entry(code)
            .or_default() += 1;
    }
}

// ---- the stand-in Dojo shared by the workers ---------------------------------------

/// The simulated Dojo behind one lock, with what it was sent.
struct Dojo {
    fake: FakeDojo,
    /// Every amount a refund key was sent with, per intent and key.
    refund_amounts: BTreeMap<(String, String), BTreeSet<i64>>,
    /// Codes of Dojo's refusals, and how many of each.
    refusals: BTreeMap<String, u64>,
}

impl Dojo {
    fn send(&mut self, request: &Request, figures: &Figures) -> Reply {
        if let Some(key) = request.header("idempotencyKey") {
            let body: serde_json::Value =
                serde_json::from_slice(request.body().unwrap_or_default()).unwrap();
            let intent = request.path().split('/').nth(2).unwrap().to_owned();
            self.refund_amounts
                .entry((intent, key.to_owned()))
                .or_default()
                .insert(body["amount"].as_i64().unwrap());
        }
        let reply = self.fake.handle_request(request);
        if reply.status() != Some(200) {
            add(&figures.refused_by_dojo);
            let code = reply.problem_code().unwrap_or_else(|| "unknown".into());
            *self.refusals.entry(code).or_default() += 1;
        } else if let Some(capture_id) = reply.json()["captureId"].as_str() {
            // Successful at once, so that refunds become possible.
            let intent = request.path().split('/').nth(2).unwrap();
            self.fake
                .resolve_capture(intent, capture_id, CaptureStatus::Successful)
                .unwrap();
        }
        reply
    }

    /// What Dojo holds for `id` never exceeds the amount, and no refund key
    /// was sent with two amounts.
    fn check(&self, id: &str) {
        let intent = self.fake.intent(id);
        let made: i64 = intent.captures.iter().map(|c| c.amount).sum();
        assert!(
            made <= intent.amount,
            "Dojo made captures of {made} for an amount of {}",
            intent.amount
        );
        for ((intent_id, key), amounts) in &self.refund_amounts {
            assert!(
                amounts.len() == 1,
                "{intent_id}: Dojo saw refund key {key} with amounts {amounts:?}"
            );
        }
    }
}

fn lock(dojo: &Mutex<Dojo>) -> MutexGuard<'_, Dojo> {
    dojo.lock()
        .expect("a worker panicked while holding the stand-in Dojo")
}

// ---- the database --------------------------------------------------------------------

/// A directory of its own under the system's temporary directory, removed
/// when the run ends, even by a panic.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path = std::env::temp_dir().join(format!(
            "dojo-capture-storage-race-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const SCHEMA: &str = "
    CREATE TABLE intents (
        id       TEXT    PRIMARY KEY,
        revision INTEGER NOT NULL,
        record   TEXT    NOT NULL
    ) STRICT;
";

fn open(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    // Eight writers queue for SQLite's one write lock rather than fail with
    // SQLITE_BUSY.
    conn.busy_timeout(Duration::from_secs(30)).unwrap();
    // WAL: readers never wait for the writer. NORMAL: in WAL mode, a commit
    // survives a crash of the process, which is what the protocol needs.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn
}

fn revision_column(revision: u64) -> i64 {
    i64::try_from(revision).expect("a revision fits SQLite's INTEGER")
}

/// `INSERT … ON CONFLICT DO NOTHING`: a second worker storing the same new
/// intent leaves the first one's record.
fn insert(conn: &Connection, intent: &AnyPaymentIntent) {
    conn.execute(
        "INSERT INTO intents (id, revision, record) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO NOTHING",
        params![
            intent.id().unwrap(),
            revision_column(intent.revision()),
            intent.to_stored_json()
        ],
    )
    .unwrap();
}

/// The stored intent and the revision it was loaded at.
fn load(conn: &Connection, id: &str) -> (u64, AnyPaymentIntent) {
    let (revision, record): (i64, String) = conn
        .query_row(
            "SELECT revision, record FROM intents WHERE id = ?1",
            [id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    let intent = AnyPaymentIntent::from_stored_json(record.as_bytes()).unwrap();
    let revision = u64::try_from(revision).unwrap();
    assert_eq!(intent.revision(), revision, "the column mirrors the record");
    (revision, intent)
}

/// Writes `intent` over the row only if it is still at `loaded`; false when
/// another worker moved it first (a lost race). Every committed write is
/// checked at once.
fn write(
    conn: &Connection,
    loaded: u64,
    intent: &AnyPaymentIntent,
    dojo: &Mutex<Dojo>,
    figures: &Figures,
) -> bool {
    assert!(intent.revision() > loaded, "only a change is written back");
    let record = intent.to_stored_json();
    let id = intent.id().unwrap();
    let updated = conn
        .execute(
            "UPDATE intents SET record = ?1, revision = ?2 WHERE id = ?3 AND revision = ?4",
            params![
                record,
                revision_column(intent.revision()),
                id,
                revision_column(loaded)
            ],
        )
        .unwrap();
    if updated == 0 {
        return false;
    }
    add(&figures.committed);
    check_record(&record, intent);
    lock(dojo).check(id);
    true
}

/// What a stored record must hold: nothing captured beyond the amount, and
/// each refund key once, recorded or pending.
fn check_record(record: &str, intent: &AnyPaymentIntent) {
    check_intent(intent).unwrap();
    let taken = intent.captured().minor_units() + intent.in_flight().minor_units();
    assert!(
        taken <= intent.amount().minor_units(),
        "captured + in flight {taken} > amount {}\n{record}",
        intent.amount()
    );
    let json: serde_json::Value = serde_json::from_str(record).unwrap();
    let mut keys = BTreeSet::new();
    for refund in ["refunds", "pendingRefunds"]
        .iter()
        .flat_map(|list| json[list].as_array().unwrap())
    {
        let key = refund["idempotencyKey"].as_str().unwrap();
        assert!(keys.insert(key), "refund key {key} twice in\n{record}");
    }
}

// ---- one worker ------------------------------------------------------------------------

/// xorshift64*: small, deterministic, and enough to vary the workers' choices.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, worker: usize) -> Rng {
        Rng(((seed << 8) | worker as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 33) as usize % n
    }
}

struct Worker<'a> {
    conn: Connection,
    id: &'a str,
    seed: u64,
    dojo: &'a Mutex<Dojo>,
    figures: &'a Figures,
}

impl Worker<'_> {
    fn write(&self, loaded: u64, intent: &AnyPaymentIntent) -> bool {
        let written = write(&self.conn, loaded, intent, self.dojo, self.figures);
        if !written {
            add(&self.figures.lost_races);
        }
        written
    }

    fn capture(&mut self, amount: Money) {
        // Decide on the stored record and make the reservation durable
        // before anything is sent; a lost race decides again on a fresh load.
        let mut tries = 0;
        let prepared = loop {
            tries += 1;
            assert!(
                tries <= MAX_TRIES,
                "a capture of {amount} lost the race to write its reservation {MAX_TRIES} times"
            );
            let (loaded, intent) = load(&self.conn, self.id);
            let (intent, prepared) = match intent.prepare_capture(amount, None, now(), v()) {
                Ok(prepared) => prepared,
                Err(refused) => return self.figures.refused(refused.code()),
            };
            // Another worker gets its chance to move the row, as it would
            // during a real worker's longer decision.
            std::thread::yield_now();
            if self.write(loaded, &intent) {
                break prepared;
            }
        };
        add(&self.figures.captures_sent);
        let reply = lock(self.dojo).send(prepared.request(), self.figures);
        // Recording consumes the one token, and a capture's token cannot be
        // made again (Dojo's captures have no idempotency key, so a second
        // token could capture twice): a lost race here would lose the
        // answer. The row's write lock is held from load to write instead.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        let (loaded, intent) = load(&tx, self.id);
        let intent = match intent.record_capture_answer(prepared, reply.answer()) {
            Ok((intent, capture_id)) => intent
                .record_capture_outcome(&capture_id, CaptureOutcome::Successful)
                .unwrap(),
            // Dojo refused (a refund or an over-capture got there first):
            // the amount is released.
            Err(refused) if refused.code() == "capture_refused" => refused.into_intent(),
            Err(error) => panic!("the capture's answer was not recorded: {error:?}"),
        };
        assert!(
            write(&tx, loaded, &intent, self.dojo, self.figures),
            "no race is lost while the transaction holds the write lock"
        );
        tx.commit().unwrap();
    }

    fn refund(&mut self, index: usize) {
        let key = key(&format!("rf-{}-{index}", self.seed));
        let amount = gbp(REFUND_AMOUNTS[index]);
        let mut tries = 0;
        let prepared = loop {
            tries += 1;
            assert!(
                tries <= MAX_TRIES,
                "a refund under {key} lost the race to write its reservation {MAX_TRIES} times"
            );
            let (loaded, intent) = load(&self.conn, self.id);
            let (intent, prepared) =
                match intent.prepare_refund(key.clone(), amount, RefundDetails::default(), v()) {
                    Ok(prepared) => prepared,
                    Err(refused) => return self.figures.refused(refused.code()),
                };
            if intent.revision() == loaded {
                // Nothing changed, so nothing to write. The key is either
                // pending, reserved durably by another worker: send the same
                // request again, as its safe retry; or recorded: done.
                if pending(&intent, &key) {
                    add(&self.figures.refunds_retried_without_write);
                    break prepared;
                }
                add(&self.figures.replays_recognised);
                return;
            }
            std::thread::yield_now();
            if self.write(loaded, &intent) {
                break prepared;
            }
        };
        add(&self.figures.refunds_sent);
        let reply = lock(self.dojo).send(prepared.request(), self.figures);
        assert_eq!(
            reply.status(),
            Some(200),
            "Dojo refused a refund the crate allowed"
        );
        let mut token = Some(prepared);
        for _ in 0..MAX_TRIES {
            let (loaded, intent) = load(&self.conn, self.id);
            // A refund's token can be made again from its key, for the same
            // pending refund (or as a replay once it is recorded): a lost race
            // records the answer again on a fresh load.
            let (intent, prepared) = match token.take() {
                Some(prepared) => (intent, prepared),
                None => {
                    let (intent, prepared) = intent
                        .prepare_refund(key.clone(), amount, RefundDetails::default(), v())
                        .expect("a refund pending or recorded is prepared again");
                    assert_eq!(
                        intent.revision(),
                        loaded,
                        "making the token again reserves nothing"
                    );
                    (intent, prepared)
                }
            };
            let intent = match intent.record_refund_answer(prepared, reply.answer()) {
                Ok((intent, refund_id)) => {
                    assert_eq!(Some(refund_id.as_str()), reply.json()["refundId"].as_str());
                    intent
                }
                Err(error) if error.code() == "refund_not_pending" => {
                    // Another worker sent the same key and recorded Dojo's
                    // answer first; this token's pending refund is gone.
                    add(&self.figures.answers_recorded_by_another);
                    continue;
                }
                Err(error) => panic!("the refund's answer was not recorded: {error:?}"),
            };
            if intent.revision() == loaded || self.write(loaded, &intent) {
                return;
            }
        }
        panic!("the refund's answer under {key} was not recorded in {MAX_TRIES} tries");
    }
}

fn pending(intent: &AnyPaymentIntent, key: &IdempotencyKey) -> bool {
    intent.pending_refunds().iter().any(|p| p.key() == key)
}

// ---- one seed, and the run ------------------------------------------------------------

/// A barrier for the workers of one seed that a panicking worker breaks.
/// With std's `Barrier`, the others would wait forever for a worker that
/// panicked before reaching it (as under a decoding bug, when a load is
/// refused), and the test would hang instead of failing; here they stop
/// waiting and panic too, and the first worker's message says why.
struct Gate {
    /// How many workers reached it, and whether one panicked.
    state: Mutex<(usize, bool)>,
    changed: Condvar,
}

impl Gate {
    fn new() -> Gate {
        Gate {
            state: Mutex::new((0, false)),
            changed: Condvar::new(),
        }
    }

    /// Waits until every worker reached the gate.
    fn wait(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.0 += 1;
        self.changed.notify_all();
        let state = self
            .changed
            .wait_while(state, |(arrived, broken)| *arrived < WORKERS && !*broken)
            .unwrap_or_else(PoisonError::into_inner);
        let broken = state.1;
        drop(state);
        assert!(
            !broken,
            "another worker panicked: it will never reach the gate"
        );
    }

    fn break_open(&self) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).1 = true;
        self.changed.notify_all();
    }
}

/// Held by each worker: when it unwinds from a panic, it breaks the gates,
/// so that no other worker waits for it.
struct BreaksOnPanic<'a>(&'a [&'a Gate]);

impl Drop for BreaksOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for gate in self.0 {
                gate.break_open();
            }
        }
    }
}

fn run_seed(db: &Path, seed: u64, dojo: &Mutex<Dojo>, figures: &Figures) {
    let id = {
        let mut dojo = lock(dojo);
        let id = dojo.fake.create(NewIntent::manual(AMOUNT));
        dojo.fake.authorize(&id, paid()).unwrap();
        let read = serde_json::to_vec(&dojo.fake.intent(&id).resource()).unwrap();
        let intent = AnyPaymentIntent::from_json(&read).unwrap();
        insert(&open(db), &intent);
        id
    };
    let (start, refunds) = (Gate::new(), Gate::new());
    let gates = [&start, &refunds];
    std::thread::scope(|scope| {
        for worker in 0..WORKERS {
            let (id, start, refunds, gates) = (&id, &start, &refunds, &gates);
            scope.spawn(move || {
                let _breaks = BreaksOnPanic(gates);
                let mut rng = Rng::new(seed, worker);
                let mut worker = Worker {
                    conn: open(db),
                    id,
                    seed,
                    dojo,
                    figures,
                };
                start.wait();
                for attempt in 0..ATTEMPTS_PER_WORKER {
                    if attempt == CAPTURES_FIRST {
                        refunds.wait();
                    }
                    add(&figures.attempts);
                    let capture = if attempt < CAPTURES_FIRST {
                        seed.is_multiple_of(2) || rng.below(8) != 0
                    } else {
                        rng.below(8) == 0
                    };
                    if capture {
                        worker.capture(gbp(CAPTURE_AMOUNTS[rng.below(CAPTURE_AMOUNTS.len())]));
                    } else {
                        worker.refund(rng.below(REFUND_AMOUNTS.len()));
                    }
                }
            });
        }
    });

    // Every answer is recorded: the record and Dojo agree.
    let (_, intent) = load(&open(db), &id);
    check_record(&intent.to_stored_json(), &intent);
    assert!(intent.pending_captures().is_empty() && intent.pending_refunds().is_empty());
    let dojo = lock(dojo);
    dojo.check(&id);
    dojo.fake.check_invariants().unwrap();
    let fake = dojo.fake.intent(&id);
    assert_eq!(
        intent.captured().minor_units(),
        fake.captured(),
        "seed {seed}"
    );
    assert_eq!(
        intent.in_flight().minor_units(),
        fake.in_flight(),
        "seed {seed}"
    );
    assert_eq!(
        intent.refunded().minor_units(),
        fake.refunded,
        "seed {seed}"
    );
    let json: serde_json::Value = serde_json::from_str(&intent.to_stored_json()).unwrap();
    let recorded: BTreeMap<String, (i64, String)> = json["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let key = r["idempotencyKey"].as_str().unwrap().to_owned();
            let refund_id = r["refundId"].as_str().unwrap().to_owned();
            (key, (r["amount"].as_i64().unwrap(), refund_id))
        })
        .collect();
    let at_dojo: BTreeMap<String, (i64, String)> = fake
        .refunds
        .iter()
        .map(|(key, r)| (key.clone(), (r.amount, r.id.clone())))
        .collect();
    assert_eq!(recorded, at_dojo, "seed {seed}: refunds recorded and made");
}

#[test]
fn eight_workers_race_on_one_stored_intent_and_never_take_more_than_it_holds() {
    let started = Instant::now();
    let dir = TempDir::new();
    let db = dir.0.join("intents.sqlite3");
    open(&db).execute_batch(SCHEMA).unwrap();
    let mut fake = FakeDojo::new(paid());
    fake.set_now(now());
    let dojo = Mutex::new(Dojo {
        fake,
        refund_amounts: BTreeMap::new(),
        refusals: BTreeMap::new(),
    });
    let figures = Figures::default();
    for seed in 0..SEEDS {
        run_seed(&db, seed, &dojo, &figures);
    }
    let f = &figures;
    eprintln!(
        "storage_race: {SEEDS} seeds, {WORKERS} workers, {} attempts, {} committed writes, \
         {} lost races retried; sent {} captures and {} refunds ({} of them a pending refund's \
         retry, with nothing to write); refused by the crate {:?}; recorded keys recognised {}, answers \
         recorded by another worker first {}; refused by Dojo {} {:?}; {:.1?}",
        get(&f.attempts),
        get(&f.committed),
        get(&f.lost_races),
        get(&f.captures_sent),
        get(&f.refunds_sent),
        get(&f.refunds_retried_without_write),
        f.refused_by_crate.lock().unwrap(),
        get(&f.replays_recognised),
        get(&f.answers_recorded_by_another),
        get(&f.refused_by_dojo),
        lock(&dojo).refusals,
        started.elapsed(),
    );
    assert!(
        get(&f.lost_races) > 0,
        "no race was lost: the workers never contended"
    );
    assert!(get(&f.captures_sent) > 0 && get(&f.refunds_sent) > 0);
    // The crate never sends what Dojo would refuse for the amounts.
    let refusals = &lock(&dojo).refusals;
    for code in ["over_capture", "over_refund", "idempotency_conflict"] {
        assert!(
            !refusals.contains_key(code),
            "Dojo refused with {code}: {refusals:?}"
        );
    }
}
