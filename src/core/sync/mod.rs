//! Content for many screens (issue 16): a folder published once, signed, and checked by every
//! screen before any of it is shown. A published folder holds `SHA256SUMS` (the format of
//! coreutils' `sha256sum`, [`manifest`]) and `SHA256SUMS.minisig` (a minisign signature whose
//! trusted comment carries a serial number that grows with every publish, [`signing`]);
//! [`publish`] writes both, and [`verify`] checks a folder as a screen receives it. Pure apart
//! from the files it is pointed at; no network here.

pub mod manifest;
pub mod publish;
pub mod signing;
pub mod verify;

pub use crate::core::files::{MANIFEST, SIGNATURE};

/// Why a folder cannot be published or a published one is refused; the words are for staff.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{path}: {source}")]
    Io { path: std::path::PathBuf, source: std::io::Error },
    #[error("{0}")]
    Manifest(String),
    #[error("the key cannot be used: {0}")]
    Key(String),
    #[error("the signature does not verify: {0}")]
    Signature(String),
    #[error(
        "this version (serial {new}) is not newer than the one in force (serial {in_force}); it is refused"
    )]
    Replayed { new: u64, in_force: u64 },
}

impl SyncError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        SyncError::Io { path: path.to_path_buf(), source }
    }
}
