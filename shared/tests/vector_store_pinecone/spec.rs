//! The Pinecone spec checker lives in `shared::testing::pinecone_spec`.
//! This path stays for the tests that include it with `#[path]`.
#![allow(unused_imports)]

pub use shared::testing::pinecone_spec::*;
