// reverse on a Refunded intent: reverse exists only on Authorized and Captured intents, so this must not compile.

use dojo_capture::{
    Authorization, CaptureId, CaptureMode, CaptureOutcome, CaptureResolved, Currency,
    IdempotencyKey, Money, PaymentIntent,
};
use jiff::Timestamp;

fn main() {
    let paid_at: Timestamp = "2024-07-25T08:49:20Z".parse().unwrap();
    let now: Timestamp = "2024-07-25T09:00:00Z".parse().unwrap();
    let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    let Authorization::Manual(authorized) = created.authorize(paid_at) else {
        unreachable!("a Manual intent waits to be captured");
    };
    let capture_id = CaptureId::new("cp_1").unwrap();
    let in_flight = authorized
        .capture(capture_id.clone(), Money::new(1000, Currency::GBP), now)
        .unwrap();
    let CaptureResolved::Captured(captured) = in_flight
        .record_capture_outcome(&capture_id, CaptureOutcome::Successful)
        .unwrap()
    else {
        unreachable!("a Successful capture of the whole amount captures it");
    };
    let refunded = captured
        .refund(
            IdempotencyKey::new("k1").unwrap(),
            Money::new(400, Currency::GBP),
        )
        .unwrap();
    let _ = refunded.reverse(now);
}
