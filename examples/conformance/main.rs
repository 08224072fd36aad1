//! Conformance: how corridor reads other projects' test corpora (never copied into this
//! repository; they sit beside the checkout in ../shared/corpus).
//!
//! `cargo run --release --example conformance -- ../shared/corpus/images` reads the image suites
//! against their manifest's verdicts; `-- ../shared/corpus/feeds` (or any folder of feeds) reads
//! feeds as the ticker would. Prints one line a file that disagrees and a table per suite, for
//! BENCHMARKS.md.

mod feeds;
mod images;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let folders: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if folders.is_empty() {
        eprintln!("usage: conformance FOLDER... (an image corpus with manifest.tsv, or a folder of feeds)");
        return ExitCode::from(2);
    }
    let mut ok = true;
    for folder in &folders {
        let passed =
            if folder.join("manifest.tsv").is_file() { images::run(folder) } else { feeds::run(folder) };
        ok &= passed;
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
