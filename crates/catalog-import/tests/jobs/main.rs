//! Import jobs against the real servers: the emulator's S3 (uploads through
//! presigned URLs) and a fresh Postgres database per test, with the worker
//! running in process. One binary, one file per concern.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::missing_panics_doc)]

mod helpers;

mod bad_files;
mod claims;
mod good_files;
mod large_files;
mod resume;
