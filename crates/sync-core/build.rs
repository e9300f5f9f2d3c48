//! `sqlx::migrate!` embeds `migrations/` at compile time, but cargo does not
//! know the macro reads that directory: without this, adding a migration
//! leaves binaries built with the old schema until something else changes.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
