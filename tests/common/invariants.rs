//! Invariants that hold after every step of any sequence of operations,
//! checked without a model: the property tests and the fuzz targets share
//! this file (the fuzz crate includes it by path).

use dojo_capture::{AnyPaymentIntent, CaptureStatus, IntentState, Money};

/// Everything a round trip through the wire must keep, as comparable text.
pub fn facts(intent: &AnyPaymentIntent) -> String {
    format!(
        "{} {:?} amount={} captured={} in_flight={} refunded={} tips={} capturable={} refundable={} paid_at={:?} deadline={:?} expiry={:?} custom={} captures={:?} id={:?}",
        intent.state(),
        intent.capture_mode(),
        intent.amount(),
        intent.captured(),
        intent.in_flight(),
        intent.refunded(),
        intent.captured_tips(),
        intent.capturable(),
        intent.refundable(),
        intent.paid_at(),
        intent.authorization_deadline(),
        intent.auto_expiry(),
        intent.custom_amount_allowed(),
        intent.captures(),
        intent.id(),
    )
}

/// Re-encodes `intent` to wire JSON and rehydrates it: it must come back
/// with the same facts, and re-encode to the same JSON.
pub fn check_round_trip(intent: &AnyPaymentIntent) -> Result<(), String> {
    let wire = intent.to_resource();
    let bytes = serde_json::to_vec(&wire).map_err(|e| format!("encoding failed: {e}"))?;
    let again = AnyPaymentIntent::from_json(&bytes).map_err(|e| {
        format!(
            "re-encoded intent does not rehydrate: {e}\n{}",
            String::from_utf8_lossy(&bytes)
        )
    })?;
    if facts(&again) != facts(intent) {
        return Err(format!(
            "round trip changed the intent:\n before {}\n after  {}",
            facts(intent),
            facts(&again)
        ));
    }
    if again.to_resource() != wire {
        return Err("a second encoding differs from the first".into());
    }
    Ok(())
}

fn minor(money: Money, currency_of: &AnyPaymentIntent, what: &str) -> Result<i128, String> {
    if money.currency() != currency_of.currency() {
        return Err(format!(
            "{what} is in {} but the intent is in {}",
            money.currency(),
            currency_of.currency()
        ));
    }
    if money.minor_units() < 0 {
        return Err(format!("{what} is negative: {money}"));
    }
    Ok(i128::from(money.minor_units()))
}

/// What holds of any single intent, whatever happened before.
pub fn check_intent(intent: &AnyPaymentIntent) -> Result<(), String> {
    let amount = minor(intent.amount(), intent, "amount")?;
    let captured = minor(intent.captured(), intent, "captured")?;
    let in_flight = minor(intent.in_flight(), intent, "in_flight")?;
    let refunded = minor(intent.refunded(), intent, "refunded")?;
    let capturable = minor(intent.capturable(), intent, "capturable")?;
    let refundable = minor(intent.refundable(), intent, "refundable")?;
    let tips = minor(intent.captured_tips(), intent, "captured tips")?;
    if amount == 0 {
        return Err("the amount is zero (D19)".into());
    }
    if captured + in_flight > amount {
        return Err(format!(
            "over-captured: captured {captured} + in flight {in_flight} > amount {amount}"
        ));
    }
    // D14: the tips taken with the payment are refundable, nothing more.
    if refunded > captured + tips {
        return Err(format!(
            "over-refunded: refunded {refunded} > captured {captured} + tips {tips}"
        ));
    }
    // A pending refund reserves its amount: what Dojo may still refund,
    // with the pending ones, never passes what was taken.
    let mut pending_refunds = 0_i128;
    for pending in intent.pending_refunds() {
        pending_refunds += minor(pending.amount(), intent, "a pending refund")?;
    }
    if refunded + pending_refunds > captured + tips {
        return Err(format!(
            "over-reserved: refunded {refunded} + pending refunds {pending_refunds} > captured {captured} + tips {tips}"
        ));
    }
    if refundable > captured + tips - refunded - pending_refunds {
        return Err(format!(
            "refundable {refundable} exceeds captured + tips − refunded − pending refunds"
        ));
    }
    if capturable > amount - captured - in_flight {
        return Err(format!(
            "capturable {capturable} exceeds amount − captured − in flight"
        ));
    }
    if refunded + refundable > i128::from(i64::MAX) {
        return Err(format!(
            "refunded {refunded} + refundable {refundable} passes the int64 refundedAmount"
        ));
    }
    if refundable > captured + tips - refunded {
        return Err(format!(
            "refundable {refundable} exceeds captured + tips − refunded"
        ));
    }
    let successful_tips: i128 = intent
        .captures()
        .iter()
        .filter(|c| c.status() == CaptureStatus::Successful)
        .filter_map(|c| c.tips())
        .map(|t| i128::from(t.minor_units()))
        .sum();
    // Captured tips are the Successful captures' tips, or, when Dojo
    // captured the intent itself (no capture listed), the intent's own tip.
    if !intent.captures().is_empty() && tips != successful_tips {
        return Err(format!(
            "captured tips {tips} are not the Successful captures' tips {successful_tips}"
        ));
    }
    if intent
        .captures()
        .iter()
        .any(|c| c.tips().is_some_and(|t| t.is_zero()))
    {
        return Err("a capture holds a zero tip, which is no tip (D18)".into());
    }
    if matches!(intent.state(), IntentState::Created | IntentState::Canceled)
        && intent.paid_at().is_some()
    {
        return Err("an intent that was never paid has a payment time (D15)".into());
    }
    if capturable > 0 && intent.state() == IntentState::Refunded {
        return Err("something is capturable after a refund".into());
    }
    let from_captures: i128 = intent
        .captures()
        .iter()
        .filter(|c| c.status() == CaptureStatus::Created)
        .map(|c| i128::from(c.amount().minor_units()))
        .sum();
    // D1: a capture prepared and not yet recorded (or whose answer was
    // lost) reserves its amount like one in flight.
    let from_pending: i128 = intent
        .pending_captures()
        .iter()
        .map(|p| i128::from(p.amount().minor_units()))
        .sum();
    if from_captures + from_pending != in_flight {
        return Err(format!(
            "in flight {in_flight} is not the sum of captures in flight {from_captures} \
             and pending captures {from_pending}"
        ));
    }
    if intent.needs_read()
        != (intent
            .pending_captures()
            .iter()
            .any(|p| p.outcome_unknown())
            || intent.pending_refunds().iter().any(|p| p.outcome_unknown())
            || intent
                .pending_operation()
                .is_some_and(|p| p.outcome_unknown()))
    {
        return Err("needs_read disagrees with the pending operations".into());
    }
    if intent
        .pending_captures()
        .iter()
        .any(|p| p.amount().is_zero() || p.tips().is_some_and(|t| t.is_zero()))
    {
        return Err("a pending capture is for zero or holds a zero tip".into());
    }
    Ok(())
}

/// What holds between the intent before an operation and the intent after
/// it, `accepted` or not.
pub fn check_step(
    before: &AnyPaymentIntent,
    after: &AnyPaymentIntent,
    accepted: bool,
) -> Result<(), String> {
    check_intent(after)?;
    check_stored(after)?;
    check_revision(before, after)?;
    if !accepted {
        // A refusal hands the intent back exactly as it was.
        if after != before {
            return Err(format!(
                "a rejected operation changed the intent:\n before {}\n after  {}",
                facts(before),
                facts(after)
            ));
        }
        return Ok(());
    }
    if before.state().is_terminal() && after != before {
        return Err(format!(
            "an operation changed a terminal intent:\n before {}\n after  {}",
            facts(before),
            facts(after)
        ));
    }
    if after.captured().minor_units() < before.captured().minor_units() {
        return Err(format!(
            "captured went down from {} to {}",
            before.captured(),
            after.captured()
        ));
    }
    if after.refunded().minor_units() < before.refunded().minor_units() {
        return Err(format!(
            "refunded went down from {} to {}",
            before.refunded(),
            after.refunded()
        ));
    }
    // In flight goes down only when a capture's outcome is recorded: into
    // captured when Successful, released when Declined or Failed.
    let released = before.in_flight().minor_units() - after.in_flight().minor_units();
    let resolved = before.captures().iter().any(|b| {
        b.status() == CaptureStatus::Created
            && after
                .captures()
                .iter()
                .any(|a| a.id() == b.id() && a.status() != CaptureStatus::Created)
    });
    if released > 0 && !resolved {
        return Err(format!(
            "in flight went down from {} to {} with no capture outcome recorded",
            before.in_flight(),
            after.in_flight()
        ));
    }
    if after.amount() != before.amount() && before.state() != IntentState::Created {
        return Err(format!(
            "the amount changed from {} to {} after payment",
            before.amount(),
            after.amount()
        ));
    }
    if after.captures().len() < before.captures().len()
        || after.captures()[..before.captures().len()]
            .iter()
            .zip(before.captures())
            .any(|(a, b)| a.id() != b.id() || a.amount() != b.amount() || a.tips() != b.tips())
    {
        return Err("a recorded capture was lost or rewritten".into());
    }
    check_round_trip(after)
}

/// The crate's own storage format gives back the very intent, refund keys,
/// pending operations and revision included, and the same bytes again.
pub fn check_stored(intent: &AnyPaymentIntent) -> Result<(), String> {
    let stored = intent.to_stored_json();
    let again = AnyPaymentIntent::from_stored_json(stored.as_bytes())
        .map_err(|e| format!("a stored intent is refused on reading: {e:?}\n{stored}"))?;
    if &again != intent {
        return Err(format!(
            "the stored record changed the intent:\n before {intent:?}\n after  {again:?}\n{stored}"
        ));
    }
    if again.to_stored_json() != stored {
        return Err(format!(
            "a second stored encoding differs from the first:\n{stored}"
        ));
    }
    Ok(())
}

/// The stored record without its revision, to tell whether anything else changed.
pub fn without_revision(intent: &AnyPaymentIntent) -> String {
    let stored = intent.to_stored_json();
    let revision = format!(",\"revision\":{},", intent.revision());
    stored.replacen(&revision, ",", 1)
}

/// One step adds one to the revision when it changed anything the stored
/// record holds, and nothing when it changed nothing (a refusal, a replay).
pub fn check_revision(before: &AnyPaymentIntent, after: &AnyPaymentIntent) -> Result<(), String> {
    let changed = without_revision(before) != without_revision(after);
    let expected = if changed {
        before.revision().wrapping_add(1)
    } else {
        before.revision()
    };
    if after.revision() != expected {
        return Err(format!(
            "revision went from {} to {} on a step that {} the stored record",
            before.revision(),
            after.revision(),
            if changed { "changed" } else { "did not change" }
        ));
    }
    Ok(())
}
