// change_amount on a Authorized intent: change_amount exists only on Created intents (rule 8), so this must not compile.

use dojo_capture::{Authorization, CaptureMode, Currency, Money, PaymentIntent};
use jiff::Timestamp;

fn main() {
    let paid_at: Timestamp = "2024-07-25T08:49:20Z".parse().unwrap();
    let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    let Authorization::Manual(authorized) = created.authorize(paid_at) else {
        unreachable!("a Manual intent waits to be captured");
    };
    let _ = authorized.change_amount(Money::new(1500, Currency::GBP));
}
