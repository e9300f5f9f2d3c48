//! pelican against the real Postgres and the real SQS emulator of the local
//! stack (`make test` starts them). Each test has its own database and queues.
#![allow(clippy::unwrap_used)]

mod changes;
mod faults;
mod helpers;
mod replicas;
mod settings;
