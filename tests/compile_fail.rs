//! The typestate's promises, checked from outside the crate: every program
//! under `tests/ui/` builds an intent legitimately and then makes one call
//! that can never be legal in the state it has reached (capturing a refunded
//! intent, canceling a paid one, implementing the sealed `State`, forging an
//! intent, reusing a consumed one, …). Such a call is not a run-time
//! rejection but a type error: an operation's method asks for its capability
//! (`CanCapture`, `CanRefund`, …), which the state lacks, and the error names
//! it. Each program must fail to compile, with exactly the error committed
//! next to it in its `.stderr`.
//!
//! The messages are rustc's own, so they are pinned to the toolchain in
//! `rust-toolchain.toml`; regenerate them with
//! `TRYBUILD=overwrite cargo test --test compile_fail` after a toolchain bump,
//! and read every changed `.stderr` before committing it.

#[test]
fn typestate_misuse_does_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
