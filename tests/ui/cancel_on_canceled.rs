// cancel on a Canceled intent: cancel exists only on Created intents (rule 4), so this must not compile.

use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent};

fn main() {
    let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    let canceled = created.cancel();
    let _ = canceled.cancel();
}
