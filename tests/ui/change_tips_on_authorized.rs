// prepare_change_tips on an Authorized intent: the tip changes only on Created intents (after payment a tip travels with a capture), so this must not compile.

use dojo_capture::request::ApiVersion;
use dojo_capture::{Authorization, CaptureMode, Currency, Money, PaymentIntent};
use jiff::Timestamp;

fn main() {
    let paid_at: Timestamp = "2024-07-25T08:49:20Z".parse().unwrap();
    let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual)
        .with_tips_allowed(true);
    let Authorization::Manual(authorized) = created.authorize(paid_at) else {
        unreachable!("a Manual intent waits to be captured");
    };
    let _ = authorized.prepare_change_tips(Money::new(100, Currency::GBP), ApiVersion::default());
}
