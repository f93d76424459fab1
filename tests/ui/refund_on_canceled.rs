// refund on a Canceled intent: refund exists only on Captured and Refunded intents, so this must not compile.

use dojo_capture::{CaptureMode, Currency, IdempotencyKey, Money, PaymentIntent};

fn main() {
    let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    let canceled = created.cancel();
    let _ = canceled.refund(
        IdempotencyKey::new("k2").unwrap(),
        Money::new(100, Currency::GBP),
    );
}
