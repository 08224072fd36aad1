//! Content for many screens (issue 16): a folder published once, signed, and checked by every
//! screen before any of it is shown. A published folder holds `SHA256SUMS` (the format of
//! coreutils' `sha256sum`, [`manifest`]) and `SHA256SUMS.minisig` (a minisign signature whose
//! trusted comment carries a serial number that grows with every publish, [`signing`]);
//! [`publish`] writes both, and [`verify`] checks a folder as a screen receives it. A screen
//! subscribes to `[[source]]`s ([`source`]): [`subscribe`] brings one up to date through
//! [`transport`] (web or folder; `pace` keeps each transfer within its limits) and [`fetchers`]
//! (two files at a time), switching to a new version only once all of it verified, and
//! [`record`] keeps each source's state and the lock that lets one sync run at a time.

pub mod fetchers;
pub mod guard;
pub mod manifest;
mod pace;
pub mod publish;
pub mod record;
pub mod rounds;
pub mod signing;
pub mod source;
pub mod subscribe;
pub mod transport;
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
    #[error("{name}: {why}")]
    Fetch { name: String, why: String },
    #[error("{name}: larger than the cap of {} MB; refused", cap / (1 << 20))]
    TooLarge { name: String, cap: u64 },
    #[error("the disk: {0}")]
    Disk(String),
    #[error("{0}")]
    Refused(String),
    /// A file's bytes are not those its manifest lists.
    #[error("{0}")]
    Mismatch(String),
}

impl SyncError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        SyncError::Io { path: path.to_path_buf(), source }
    }
}
