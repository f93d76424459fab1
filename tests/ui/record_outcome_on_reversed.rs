// record_capture_outcome on a Reversed intent: a reversed intent has no capture in flight
// (rule 6), so only Authorized, Captured and Refunded intents can record one and this must
// not compile.

use dojo_capture::{
    Authorization, CaptureId, CaptureMode, CaptureOutcome, Currency, Money, PaymentIntent,
};
use jiff::Timestamp;

fn main() {
    let paid_at: Timestamp = "2024-07-25T08:49:20Z".parse().unwrap();
    let now: Timestamp = "2024-07-25T09:00:00Z".parse().unwrap();
    let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    let Authorization::Manual(authorized) = created.authorize(paid_at) else {
        unreachable!("a Manual intent waits to be captured");
    };
    let reversed = authorized.reverse(now).unwrap();
    let _ = reversed
        .record_capture_outcome(&CaptureId::new("cp_1").unwrap(), CaptureOutcome::Successful);
}
