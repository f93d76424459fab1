//! A worker that captures from a payment intent stored in SQLite, following
//! the protocol of `docs/storage.md` ("Many workers, one intent"):
//!
//! 1. load the record and the revision it is at;
//! 2. prepare the capture in memory (the crate reserves its amount);
//! 3. write the record back only if the row is still at that revision, and
//!    on a lost race load again and decide again;
//! 4. only then send the request (here to a stand-in for Dojo);
//! 5. record Dojo's answer and write the record back again.
//!
//! Two workers share one intent of 10.00 GBP. Worker B reserves 5.00 while
//! worker A is deciding on 6.00, so A's write finds the row moved on: A
//! loses the race, loads again, is refused 6.00 (it would over-capture) and
//! captures the 5.00 that remain instead.
//!
//! Run with `cargo run --example sqlite_worker`.

use dojo_capture::request::Request;
use dojo_capture::{
    Answer, AnyPaymentIntent, Authorization, CaptureMode, Currency, Money, Operation,
    PaymentIntent, PreparedCapture, Timestamp,
};
use rusqlite::{Connection, TransactionBehavior, params};

type Error = Box<dyn std::error::Error>;

const ID: &str = "pi_example";

fn gbp(minor: i64) -> Money {
    Money::new(minor, Currency::GBP)
}

fn main() -> Result<(), Error> {
    // In memory for the example; workers in separate processes share a file
    // (WAL mode and a busy timeout), or a PostgreSQL table of the same shape.
    let mut conn = Connection::open_in_memory()?;
    conn.execute_batch(
        "CREATE TABLE intents (
             id       TEXT    PRIMARY KEY,
             revision INTEGER NOT NULL,
             record   TEXT    NOT NULL
         ) STRICT;",
    )?;

    let paid_at: Timestamp = "2024-07-25T08:49:20Z".parse()?;
    let now: Timestamp = "2024-07-25T09:30:00Z".parse()?;
    let intent = PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id(ID);
    let Authorization::Manual(authorized) = intent.authorize(paid_at) else {
        return Err("a Manual intent is authorised, not captured".into());
    };
    let intent = authorized.into_any();
    // ON CONFLICT DO NOTHING: if another worker stored the intent first, its
    // record stays, with whatever it has recorded since.
    conn.execute(
        "INSERT INTO intents (id, revision, record) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO NOTHING",
        params![
            ID,
            revision_column(intent.revision())?,
            intent.to_stored_json()
        ],
    )?;
    println!("stored {ID}: {} authorised", intent.amount());

    // Worker A loads and decides to capture 6.00 ...
    let (a_loaded, intent) = load(&conn)?;
    let (a_intent, a_prepared) = intent
        .prepare_capture(gbp(600), None, now, Default::default())
        .map_err(|refused| refused.to_string())?;
    println!("A: loaded revision {a_loaded}, prepared a capture of 6.00");

    // ... while worker B captures 5.00 from start to end.
    let mut dojo = StandIn::default();
    capture(&mut conn, &mut dojo, "B", gbp(500), now)?;

    // A's write must not go through: A's record was loaded before B's
    // capture and would erase it, so that B's capture, already sent, would
    // vanish from the record and A would send 6.00 on top of B's 5.00 from
    // 10.00. Writing the old record again can never be right; A loads again
    // and decides again, on what is stored now.
    if !write(&conn, a_loaded, &a_intent)? {
        println!("A: lost the race, the row is no longer at revision {a_loaded}");
        drop(a_prepared); // never sent: its reservation was never stored
        let (_, fresh) = load(&conn)?;
        if let Err(refused) = fresh.check(Operation::Capture(gbp(600)), now) {
            println!("A: decided again: {refused}");
        }
        let remaining = fresh.capturable();
        println!("A: {remaining} remain, capturing that instead");
        capture(&mut conn, &mut dojo, "A", remaining, now)?;
    }

    let (revision, intent) = load(&conn)?;
    println!(
        "stored {ID} at revision {revision}: captured {}, in flight {}, capturable {}",
        intent.captured(),
        intent.in_flight(),
        intent.capturable()
    );
    assert_eq!(
        intent.in_flight(),
        gbp(1000),
        "both captures await their final status"
    );
    assert!(intent.capturable().is_zero());
    Ok(())
}

/// One capture, from the decision to the recorded answer.
fn capture(
    conn: &mut Connection,
    dojo: &mut StandIn,
    worker: &str,
    amount: Money,
    now: Timestamp,
) -> Result<(), Error> {
    // The reservation is stored before anything is sent; after a lost race
    // the record decided on is gone, so the decision is taken again.
    let prepared: PreparedCapture = loop {
        let (loaded, intent) = load(conn)?;
        let (intent, prepared) = intent
            .prepare_capture(amount, None, now, Default::default())
            .map_err(|refused| refused.to_string())?;
        if write(conn, loaded, &intent)? {
            println!(
                "{worker}: reserved {amount} at revision {}",
                intent.revision()
            );
            break prepared;
        }
        println!("{worker}: lost the race at revision {loaded}, loading again");
    };

    // The reservation is durable, so the request may go: if this process
    // dies now, the stored record still holds the amount in flight and no
    // other worker can capture it a second time.
    let (status, body) = dojo.send(prepared.request());
    println!(
        "{worker}: Dojo answered {status} {}",
        String::from_utf8_lossy(&body)
    );

    // Recording consumes the prepared capture, the one token for this
    // request; it cannot be made again (a capture has no idempotency key),
    // so a lost race after recording would lose Dojo's answer. The answer is
    // recorded with the row's write lock held from the load to the write
    // (`BEGIN IMMEDIATE`; in PostgreSQL, `SELECT … FOR UPDATE`).
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (loaded, intent) = load(&tx)?;
    let answer = Answer::Http {
        status,
        body: &body,
    };
    let intent = match intent.record_capture_answer(prepared, answer) {
        Ok((intent, capture_id)) => {
            println!("{worker}: recorded capture {capture_id}, in flight until its final status");
            intent
        }
        // A refusal releases the amount; an unknown outcome keeps it in
        // flight until a fresh read of the intent (`reconcile_read`).
        Err(error) => {
            println!("{worker}: {}: {error}", error.code());
            error.into_intent()
        }
    };
    if intent.revision() != loaded && !write(&tx, loaded, &intent)? {
        return Err("the row moved while this transaction held its write lock".into());
    }
    tx.commit()?;
    Ok(())
}

/// The stored intent and the revision it was loaded at.
fn load(conn: &Connection) -> Result<(u64, AnyPaymentIntent), Error> {
    let (revision, record): (i64, String) = conn.query_row(
        "SELECT revision, record FROM intents WHERE id = ?1",
        [ID],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let intent = AnyPaymentIntent::from_stored_json(record.as_bytes())?;
    Ok((u64::try_from(revision)?, intent))
}

/// Writes `intent` back only if the row is still at `loaded`; false when
/// another worker wrote first.
fn write(conn: &Connection, loaded: u64, intent: &AnyPaymentIntent) -> Result<bool, Error> {
    let updated = conn.execute(
        "UPDATE intents SET record = ?1, revision = ?2 WHERE id = ?3 AND revision = ?4",
        params![
            intent.to_stored_json(),
            revision_column(intent.revision())?,
            ID,
            revision_column(loaded)?
        ],
    )?;
    Ok(updated == 1)
}

fn revision_column(revision: u64) -> Result<i64, Error> {
    Ok(i64::try_from(revision)?)
}

/// Stands in for Dojo's HTTP API: accepts every capture with a new id.
#[derive(Default)]
struct StandIn {
    captures: u32,
}

impl StandIn {
    fn send(&mut self, request: &Request) -> (u16, Vec<u8>) {
        println!(
            "   {} {} {}",
            request.method(),
            request.url("https://api.dojo.tech"),
            String::from_utf8_lossy(request.body().unwrap_or_default())
        );
        self.captures += 1;
        let body = format!(r#"{{"captureId":"cp_{}"}}"#, self.captures);
        (200, body.into_bytes())
    }
}
