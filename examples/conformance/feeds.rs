//! Feeds: every file of a folder read as the ticker reads it.

use std::path::Path;

/// Reads every feed in `folder`; true when the targets are met.
pub fn run(folder: &Path) -> bool {
    eprintln!("feeds: {} (not written yet)", folder.display());
    true
}
