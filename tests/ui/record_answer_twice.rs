// A prepared capture is the one token that can record Dojo's answer: it is
// not Clone, and recording consumes it, so an answer cannot be recorded
// twice (here, a lost answer followed by a retry's): this must not compile.

use dojo_capture::request::ApiVersion;
use dojo_capture::{Answer, Authorization, CaptureMode, Currency, Money, PaymentIntent};
use jiff::Timestamp;

fn main() {
    let paid_at: Timestamp = "2024-07-25T08:49:20Z".parse().unwrap();
    let intent = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual)
        .with_id("pi_1");
    let Authorization::Manual(authorized) = intent.authorize(paid_at) else {
        return;
    };
    let (authorized, prepared) = authorized
        .prepare_capture(Money::new(500, Currency::GBP), None, paid_at, ApiVersion::default())
        .unwrap();
    let authorized = authorized
        .record_capture_answer(prepared, Answer::TransportFailure)
        .unwrap_err()
        .into_intent();
    let body = br#"{"captureId":"cp_1"}"#;
    let _ = authorized.record_capture_answer(prepared, Answer::Http { status: 201, body });
}
