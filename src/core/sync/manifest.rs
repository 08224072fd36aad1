//! `SHA256SUMS`: one line per file, `HASH  NAME` (or `HASH *NAME`), as coreutils' `sha256sum`
//! writes and checks it. Names are relative, with `/` between folders, and are refused when they
//! could lead anywhere but into the folder they describe: `..`, absolute paths, backslashes,
//! NUL and other control characters, empty parts.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::SyncError;

/// A manifest larger than this is refused unread.
pub const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;
/// A manifest listing more files than this is refused.
pub const MAX_ENTRIES: usize = 100_000;

/// One listed file: its name in the folder and its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub sha256: [u8; 32],
}

/// Reads a manifest's text; every line must be well formed and every name safe.
pub fn parse(text: &str) -> Result<Vec<Entry>, SyncError> {
    if text.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(SyncError::Manifest("the manifest is larger than 16 MB".into()));
    }
    let mut entries = Vec::new();
    let mut names = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = |why: &str| SyncError::Manifest(format!("{}:{}: {why}", super::MANIFEST, i + 1));
        if entries.len() == MAX_ENTRIES {
            return Err(bad("the manifest lists more than 100,000 files"));
        }
        let (hex, rest) = line.split_at_checked(64).ok_or_else(|| bad("not a line of sha256sum"))?;
        let name = rest
            .strip_prefix("  ")
            .or_else(|| rest.strip_prefix(" *"))
            .ok_or_else(|| bad("not a line of sha256sum"))?;
        let sha256 = from_hex(hex).ok_or_else(|| bad("the hash is not 64 hexadecimal digits"))?;
        safe_name(name).map_err(|why| bad(&why))?;
        if !names.insert(name) {
            return Err(bad(&format!("\"{name}\" is listed twice")));
        }
        entries.push(Entry { name: name.to_string(), sha256 });
    }
    Ok(entries)
}

/// The manifest's text for `entries`, as `sha256sum` writes it.
pub fn render(entries: &[Entry]) -> String {
    entries.iter().map(|e| format!("{}  {}\n", to_hex(&e.sha256), e.name)).collect()
}

/// Why a listed name could lead outside its folder, if it could.
pub fn safe_name(name: &str) -> Result<(), String> {
    let shown: String = name.chars().filter(|c| !c.is_control()).take(100).collect();
    if name.is_empty() || name.starts_with('/') || name.contains('\\') || name.chars().any(char::is_control) {
        return Err(format!("\"{shown}\" is not a name inside the folder"));
    }
    if name.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
        return Err(format!("\"{shown}\" leads outside the folder"));
    }
    Ok(())
}

/// The SHA-256 of a file, read in pieces.
pub fn hash_file(path: &Path) -> std::io::Result<[u8; 32]> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hasher.finalize().into());
        }
        hasher.update(&buf[..n]);
    }
}

pub(crate) fn from_hex(hex: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256sum_lines_are_read_and_written_back_the_same() {
        let text = format!("{}  poems/a poem.jpg\n{} *film.mp4\n", "ab".repeat(32), "0F".repeat(32));
        let entries = parse(&text).unwrap();
        assert_eq!(entries[0].name, "poems/a poem.jpg");
        assert_eq!(entries[1].sha256, [0x0f; 32]);
        assert_eq!(render(&entries[..1]), format!("{}  poems/a poem.jpg\n", "ab".repeat(32)));
    }

    #[test]
    fn names_that_could_escape_and_broken_lines_are_refused_with_their_line() {
        let hash = "00".repeat(32);
        for name in ["../etc/passwd", "/etc/passwd", "a/../../b", "a\\b", "a\0b", "a//b", "./a", "", "a/"] {
            let e = parse(&format!("{hash}  x.jpg\n{hash}  {name}\n")).unwrap_err().to_string();
            assert!(e.starts_with("SHA256SUMS:2: "), "{name:?}: {e}");
        }
        assert!(parse("abc  x.jpg\n").unwrap_err().to_string().contains("not a line of sha256sum"));
        assert!(parse(&format!("{}  x\n", "zz".repeat(32))).unwrap_err().to_string().contains("hexadecimal"));
        let twice = parse(&format!("{hash}  a.mp4\n{hash}  a.mp4\n")).unwrap_err().to_string();
        assert_eq!(twice, "SHA256SUMS:2: \"a.mp4\" is listed twice");
        let many: String = (0..=MAX_ENTRIES).map(|i| format!("{hash}  x{i}\n")).collect();
        assert!(parse(&many).unwrap_err().to_string().contains("more than 100,000"));
    }

    #[test]
    fn a_file_hashes_as_sha256sum_would() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc.txt");
        std::fs::write(&path, b"abc").unwrap();
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(to_hex(&hash_file(&path).unwrap()), expected);
    }
}
