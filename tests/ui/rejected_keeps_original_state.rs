// A refused transition hands back the intent in the state it was in: a refused
// capture of an Authorized intent holds a PaymentIntent<Authorized>, never a
// Captured one, so this must not compile.

use dojo_capture::state::Captured;
use dojo_capture::{
    Authorization, CaptureId, CaptureMode, Currency, Money, PaymentIntent, Rejected,
};
use jiff::Timestamp;

fn main() {
    let paid_at: Timestamp = "2024-07-25T08:49:20Z".parse().unwrap();
    let now: Timestamp = "2024-07-25T09:00:00Z".parse().unwrap();
    let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    let Authorization::Manual(authorized) = created.authorize(paid_at) else {
        unreachable!("a Manual intent waits to be captured");
    };
    let rejected: Rejected<PaymentIntent<Captured>> = authorized
        .capture(
            CaptureId::new("cp_1").unwrap(),
            Money::new(5000, Currency::GBP),
            now,
        )
        .unwrap_err();
    println!("{rejected}");
}
