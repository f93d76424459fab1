// capture on a Reversed intent: capture exists only on Authorized and Captured intents, so this must not compile.

use dojo_capture::{Authorization, CaptureId, CaptureMode, Currency, Money, PaymentIntent};
use jiff::Timestamp;

fn main() {
    let paid_at: Timestamp = "2024-07-25T08:49:20Z".parse().unwrap();
    let now: Timestamp = "2024-07-25T09:00:00Z".parse().unwrap();
    let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    let Authorization::Manual(authorized) = created.authorize(paid_at) else {
        unreachable!("a Manual intent waits to be captured");
    };
    let reversed = authorized.reverse(now).unwrap();
    let _ = reversed.capture(
        CaptureId::new("cp_2").unwrap(),
        Money::new(100, Currency::GBP),
        now,
    );
}
