//! Proptest strategies for money and for intents in a given state, so that
//! crates embedding this one can test their own code against realistic
//! values (feature `proptest`).
