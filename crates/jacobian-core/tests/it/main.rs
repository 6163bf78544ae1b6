//! The integration tests of `jacobian-core`, as one test crate: one binary to compile and link,
//! one module per concern. Run one module with `cargo test -p jacobian-core --test it modes::`.
//!
//! Fixtures (JAX's reference values) are in `tests/fixtures/`, found through `CARGO_MANIFEST_DIR`.

mod common;
mod cost;
mod errors;
mod jax_fixtures;
mod kept_seeds;
mod layouts;
mod linalg;
mod modes;
mod primitives;
mod random_programs;
mod second;
mod strategies;
