//! Checking and applying a capture or a refund does not allocate: the rules
//! run in the hot path of payment services, before every request.
//!
//! A counting global allocator sees every allocation made on this thread
//! between two points; ids are built before counting starts, as a caller
//! holding them from Dojo's response would have them.

// A global allocator can only be written with `unsafe`; this test file is
// the one place the crate's code allows it.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use dojo_capture::{
    AnyPaymentIntent, Authorization, CaptureId, CaptureMode, CaptureOutcome, CaptureResolved,
    Currency, IdempotencyKey, Money, Operation, PaymentIntent,
};
use jiff::Timestamp;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: delegates every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr was allocated by System with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let value = f();
    (value, ALLOCATIONS.with(Cell::get) - before)
}

fn gbp(minor: i64) -> Money {
    Money::new(minor, Currency::GBP)
}

fn ts(text: &str) -> Timestamp {
    text.parse().expect("test timestamp")
}

#[test]
fn counting_allocator_sees_allocations() {
    // Guards the guard: if counting broke, the tests below would pass vacuously.
    let (_, n) = allocations_during(|| std::hint::black_box(vec![1_u8; 32]));
    assert!(n >= 1);
}

#[test]
fn typed_capture_outcome_and_refund_do_not_allocate() {
    let paid = ts("2024-07-25T08:49:20Z");
    let now = ts("2024-07-25T09:00:00Z");
    let Authorization::Manual(authorized) =
        PaymentIntent::new(gbp(10_000), CaptureMode::Manual).authorize(paid)
    else {
        panic!("Manual mode authorises");
    };
    let ids: Vec<CaptureId> = (0..4)
        .map(|i| CaptureId::new(&format!("cp_{i}")).unwrap())
        .collect();
    let keys: Vec<IdempotencyKey> = (0..4)
        .map(|i| IdempotencyKey::new(&format!("refund-{i}")).unwrap())
        .collect();
    // Each capture needs its id twice (record, then settle): copies are made
    // before counting, as the caller already holds them.
    let pairs: Vec<(CaptureId, CaptureId)> =
        ids.iter().map(|id| (id.clone(), id.clone())).collect();
    let mut pairs = pairs.into_iter();
    let (first_record, first) = pairs.next().unwrap();
    let (captured, n) = allocations_during(|| {
        let authorized = authorized.capture(first_record, gbp(1000), now).unwrap();
        match authorized
            .record_capture_outcome(&first, CaptureOutcome::Successful)
            .unwrap()
        {
            CaptureResolved::Captured(captured) => captured,
            CaptureResolved::Authorized(_) => panic!("a Successful capture captures"),
        }
    });
    assert_eq!(n, 0, "first capture and its settlement allocated");

    let (captured, n) = allocations_during(|| {
        let mut captured = captured;
        for (record, id) in pairs.by_ref() {
            captured = captured.capture(record, gbp(1000), now).unwrap();
            captured = captured
                .record_capture_outcome(&id, CaptureOutcome::Successful)
                .unwrap();
        }
        captured
    });
    assert_eq!(n, 0, "further captures allocated");
    assert_eq!(captured.captured(), gbp(4000));

    let mut keys = keys.into_iter();
    let first_key = keys.next().unwrap();
    let (refunded, n) = allocations_during(|| {
        let mut refunded = captured.refund(first_key, gbp(500)).unwrap();
        for key in keys {
            refunded = refunded.refund(key, gbp(500)).unwrap();
        }
        refunded
    });
    assert_eq!(n, 0, "refunds allocated");
    assert_eq!(refunded.refunded(), gbp(2000));
}

#[test]
fn runtime_checks_do_not_allocate_even_when_they_refuse() {
    let json = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/examples/manual-authorized.json"
    ))
    .unwrap();
    let intent = AnyPaymentIntent::from_json(&json).unwrap();
    let now = ts("2024-07-26T10:00:00Z");
    let (results, n) = allocations_during(|| {
        [
            intent.check(Operation::Capture(gbp(1)), now).is_ok(),
            intent
                .check(Operation::Capture(gbp(1_000_000)), now)
                .is_ok(),
            intent.check(Operation::Refund(gbp(1_000_000)), now).is_ok(),
            intent
                .check(Operation::Capture(Money::new(1, Currency::EUR)), now)
                .is_ok(),
            intent.check(Operation::Reverse, now).is_ok(),
            intent.check(Operation::Cancel, now).is_ok(),
        ]
    });
    assert_eq!(n, 0, "checks allocated");
    assert_eq!(results, [true, false, false, false, false, false]);
}

/// Ids and keys made before counting starts, as a caller holding them from
/// Dojo's answers would have them.
fn ids_and_keys(prefix: &str) -> (Vec<(CaptureId, CaptureId)>, Vec<IdempotencyKey>) {
    let ids = (0..4)
        .map(|i| {
            let id = CaptureId::new(&format!("{prefix}_cp_{i}")).unwrap();
            (id.clone(), id)
        })
        .collect();
    let keys = (0..4)
        .map(|i| IdempotencyKey::new(&format!("{prefix}_rf_{i}")).unwrap())
        .collect();
    (ids, keys)
}

/// Four captures, each settled, then four refunds, through the runtime API:
/// the allocations they make.
fn four_captures_and_refunds(intent: AnyPaymentIntent, prefix: &str) -> usize {
    let (ids, keys) = ids_and_keys(prefix);
    let now = ts("2024-07-26T10:00:00Z");
    let (intent, n) = allocations_during(|| {
        let mut intent = intent;
        for (record, settle) in ids {
            intent = intent.capture(record, gbp(100), now).unwrap();
            intent = intent
                .record_capture_outcome(&settle, CaptureOutcome::Successful)
                .unwrap();
        }
        for key in keys {
            intent = intent.refund(key, gbp(50)).unwrap();
        }
        intent
    });
    assert_eq!(intent.refunded(), gbp(200));
    n
}

fn example(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/docs/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn a_stored_copy_of_an_intent_keeps_its_room_for_captures_and_refunds() {
    // An intent whose records already filled the room reserved at creation,
    // copied the way a service copies one (intents are not `Clone`): through
    // its stored record.
    let paid = ts("2024-07-25T08:49:20Z");
    let now = ts("2024-07-25T09:00:00Z");
    let mut intent = PaymentIntent::new(gbp(100_000), CaptureMode::Manual)
        .into_any()
        .authorize(paid)
        .unwrap();
    for i in 0..7 {
        let id = CaptureId::new(&format!("cp_full_{i}")).unwrap();
        intent = intent.capture(id.clone(), gbp(100), now).unwrap();
        intent = intent
            .record_capture_outcome(&id, CaptureOutcome::Successful)
            .unwrap();
    }
    let copy = AnyPaymentIntent::from_stored_json(intent.to_stored_json().as_bytes()).unwrap();
    assert_eq!(
        four_captures_and_refunds(copy, "copy"),
        0,
        "a stored copy allocated"
    );
}

#[test]
fn an_intent_read_from_dojo_or_from_storage_records_captures_and_refunds_without_allocating() {
    let read = AnyPaymentIntent::from_json(&example("manual-authorized.json")).unwrap();
    let stored = AnyPaymentIntent::from_stored_json(read.to_stored_json().as_bytes()).unwrap();
    assert_eq!(
        four_captures_and_refunds(
            AnyPaymentIntent::from_stored_json(read.to_stored_json().as_bytes()).unwrap(),
            "read",
        ),
        0,
        "a read intent allocated"
    );
    assert_eq!(
        four_captures_and_refunds(read, "read2"),
        0,
        "a read intent allocated"
    );
    assert_eq!(
        four_captures_and_refunds(stored, "stored"),
        0,
        "a stored intent allocated"
    );
}

/// Dojo's JSON for a Manual intent with `n` Successful captures of 1.00.
fn with_captures(n: usize) -> Vec<u8> {
    let captures: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"id":"cp_{i:04}","amount":100,"tipsAmount":10,"status":"Successful","createdAt":"2024-07-25T09:00:00Z"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"id":"pi_alloc","status":"{status}","captureMode":"Manual","amount":{{"value":1000000,"currencyCode":"GBP"}},"createdAt":"2024-07-25T08:49:20Z","updatedAt":"2024-07-25T09:00:00Z","captures":[{}]}}"#,
        captures.join(","),
        status = if n == 0 { "Authorized" } else { "Captured" },
    )
    .into_bytes()
}

#[test]
fn rehydration_allocates_a_constant_plus_one_per_capture() {
    let mut counts = Vec::new();
    for n in [0_usize, 1, 5, 20, 32, 33, 100] {
        let wire = dojo_capture::wire::PaymentIntentResource::from_json(&with_captures(n)).unwrap();
        let (intent, allocations) = allocations_during(|| AnyPaymentIntent::try_from(&wire));
        assert_eq!(intent.unwrap().captures().len(), n);
        counts.push((n, allocations));
    }
    // The constant: the ledger, the vectors of captures and refunds, the
    // intent's id and `updatedAt`; then each capture's id. Up to 32 capture
    // ids are checked for repeats by a scan; past that, the set that finds
    // one listed twice is one allocation more.
    const CONSTANT: usize = 5;
    for &(n, allocations) in &counts {
        let set = usize::from(n > 32);
        assert!(
            allocations <= CONSTANT + set + n,
            "{allocations} allocations for {n} captures, more than {CONSTANT} + {set} + {n}: {counts:?}"
        );
    }
}

/// A stored intent that remembers `events` webhook event ids, with two
/// refunds under their keys.
fn stored_with_events(events: usize) -> AnyPaymentIntent {
    let seen: Vec<String> = (0..events).map(|i| format!(r#""evt_{i:04}""#)).collect();
    let record = format!(
        r#"{{"format":1,"revision":8,"id":"pi_golden","captureMode":"Manual","status":"Refunded","amount":{{"value":1000,"currencyCode":"GBP"}},"refundedAmount":150,"customAmountAllowed":false,"tipsAllowed":false,"paidAt":"2024-07-25T08:49:20Z","captures":[{{"id":"cp_1","amount":300,"tipsAmount":50,"status":"Successful","createdAt":"2024-07-25T08:54:20Z"}}],"refunds":[{{"idempotencyKey":"rf_1","amount":100,"refundId":"rfnd_1"}},{{"idempotencyKey":"rf_2","amount":50}}],"pendingCaptures":[],"pendingRefunds":[],"nextLocalId":1,"seenEvents":[{}]}}"#,
        seen.join(",")
    );
    AnyPaymentIntent::from_stored_json(record.as_bytes()).expect("stored record")
}

#[test]
fn a_read_merged_in_copies_neither_refunds_nor_remembered_events() {
    // The same facts as the stored intent, as Dojo reports them.
    let fresh = dojo_capture::wire::PaymentIntentResource::from_json(
        br#"{"id":"pi_golden","status":"Refunded","captureMode":"Manual",
            "amount":{"value":1000,"currencyCode":"GBP"},"refundedAmount":150,
            "createdAt":"2024-07-25T08:49:20Z",
            "paymentDetails":{"transactionDateTime":"2024-07-25T08:49:20Z"},
            "captures":[{"id":"cp_1","amount":300,"tipsAmount":50,"status":"Successful","createdAt":"2024-07-25T08:54:20Z"}]}"#,
    )
    .expect("read");
    let mut counts = Vec::new();
    for events in [0_usize, 1, 32] {
        let intent = stored_with_events(events);
        let before =
            AnyPaymentIntent::from_stored_json(intent.to_stored_json().as_bytes()).unwrap();
        let (merged, allocations) = allocations_during(|| intent.reconcile_read(&fresh));
        let (merged, _) = merged.expect("the same facts merge");
        // Nothing lost: the keys and the events are still there.
        assert_eq!(
            merged.to_stored_json(),
            before.to_stored_json().replace(
                r#""revision":8"#,
                &format!(r#""revision":{}"#, merged.revision())
            )
        );
        counts.push(allocations);
    }
    assert!(
        counts.windows(2).all(|pair| pair[0] == pair[1]),
        "allocations grow with the remembered events: {counts:?}"
    );
}
