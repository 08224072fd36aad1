//! Reading a slide's file into memory, with the size checks every kind shares.

use std::path::Path;

/// Files larger than this are not read at all.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Why a file cannot be read; the words are for staff.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read the file: {0}")]
    Unreadable(#[from] std::io::Error),
    #[error("the file is empty (0 bytes); copy it again")]
    Empty,
    #[error("the file is {0} MB, too large to show; save a smaller copy")]
    TooLarge(u64),
}

/// The whole file, unless it is empty or larger than [`MAX_FILE_BYTES`].
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    let len = std::fs::metadata(path)?.len();
    if len == 0 {
        return Err(ReadError::Empty);
    }
    if len > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(len / 1_000_000));
    }
    Ok(std::fs::read(path)?)
}
