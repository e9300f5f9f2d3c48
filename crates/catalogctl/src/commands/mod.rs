//! The subcommands that are more than a few lines, one file each.

pub mod deploy_prepare;
pub mod pinecone;
pub mod verify;

use indicatif::{ProgressBar, ProgressStyle};

pub fn progress_bar(len: u64, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(message);
    bar
}
