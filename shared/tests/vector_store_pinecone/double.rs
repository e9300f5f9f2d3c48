//! The Pinecone data-plane double lives in `shared::testing::pinecone_double`
//! (one implementation for shared's, emu's and the chaos suite's tests).
//! This path stays for the tests that include it with `#[path]`.
#![allow(unused_imports)]

pub use shared::testing::pinecone_double::*;
