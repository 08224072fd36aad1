//! Checking a published folder as a screen receives it: the signature over `SHA256SUMS` by a
//! trusted key, a serial greater than the one in force, every name inside the folder, and every
//! listed file's SHA-256. Only a folder that passes all of it may be shown; files it does not
//! list are not part of the version.

use std::path::Path;

use minisign_verify::PublicKey;

use super::manifest::{Entry, MAX_MANIFEST_BYTES, hash_file, parse, to_hex};
use super::signing::{accept, verify};
use super::{MANIFEST, SIGNATURE, SyncError};

/// The longest signature file read.
const MAX_SIGNATURE_BYTES: u64 = 4096;

/// A folder version that verified: its serial and its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub serial: u64,
    pub files: Vec<Entry>,
}

/// Verifies the published folder `folder` against `keys`; `in_force` is the serial of the
/// version shown now, if any.
pub fn verify_folder(
    folder: &Path,
    keys: &[PublicKey],
    in_force: Option<u64>,
) -> Result<Verified, SyncError> {
    verify_folder_with(folder, keys, in_force, &mut |p: &Path| hash_file(p))
}

/// [`verify_folder`], each file's SHA-256 worked out by `hash` (which may remember them).
pub fn verify_folder_with(
    folder: &Path,
    keys: &[PublicKey],
    in_force: Option<u64>,
    hash: &mut dyn FnMut(&Path) -> std::io::Result<[u8; 32]>,
) -> Result<Verified, SyncError> {
    let signature = read_capped(&folder.join(SIGNATURE), MAX_SIGNATURE_BYTES)?;
    let manifest = read_capped(&folder.join(MANIFEST), MAX_MANIFEST_BYTES)?;
    let signature = String::from_utf8(signature)
        .map_err(|_| SyncError::Signature(format!("{SIGNATURE} is not a signature file")))?;
    let serial = verify(&manifest, &signature, keys)?;
    accept(serial, in_force)?;
    let text =
        String::from_utf8(manifest).map_err(|_| SyncError::Manifest(format!("{MANIFEST} is not text")))?;
    let files = parse(&text)?;
    let root = folder.canonicalize().map_err(|e| SyncError::io(folder, e))?;
    for entry in &files {
        check_file(&root, entry, hash)?;
    }
    Ok(Verified { serial, files })
}

/// One listed file: inside the folder (a link may not lead out) and with the listed contents.
fn check_file(
    root: &Path,
    entry: &Entry,
    hash: &mut dyn FnMut(&Path) -> std::io::Result<[u8; 32]>,
) -> Result<(), SyncError> {
    let path = root.join(&entry.name);
    let bad = |why: &str| SyncError::Manifest(format!("{}: {why}", entry.name));
    let real = path.canonicalize().map_err(|_| bad("listed, but not in the folder (not copied yet?)"))?;
    if !real.starts_with(root) {
        return Err(bad("leads outside the folder"));
    }
    let hash = hash(&real).map_err(|e| SyncError::io(&path, e))?;
    if hash != entry.sha256 {
        return Err(bad(&format!(
            "its contents do not match the manifest (changed, damaged or not fully copied: {} instead of {})",
            &to_hex(&hash)[..12],
            &to_hex(&entry.sha256)[..12]
        )));
    }
    Ok(())
}

/// A file's bytes, refused when it is larger than `cap`.
fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, SyncError> {
    let len = std::fs::metadata(path).map_err(|e| SyncError::io(path, e))?.len();
    if len > cap {
        return Err(SyncError::Manifest(format!(
            "{} is larger than {} KB; it is refused",
            path.display(),
            cap / 1024
        )));
    }
    std::fs::read(path).map_err(|e| SyncError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sync::{manifest, publish::publish, signing};

    /// A published folder with two files, and its key pair.
    fn published() -> (tempfile::TempDir, signing::KeyPairText) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("poems")).unwrap();
        std::fs::write(dir.path().join("poems/a.md"), "# Autumn").unwrap();
        std::fs::write(dir.path().join("b.png"), "png").unwrap();
        let pair = signing::keygen().unwrap();
        publish(dir.path(), &pair.secret, 100).unwrap();
        (dir, pair)
    }

    fn key(pair: &signing::KeyPairText) -> Vec<PublicKey> {
        vec![signing::public_key(&pair.public_line).unwrap()]
    }

    #[test]
    fn a_whole_published_folder_verifies_and_lists_its_files() {
        let (dir, pair) = published();
        std::fs::write(dir.path().join("extra.png"), "not listed").unwrap();
        let v = verify_folder(dir.path(), &key(&pair), Some(99)).unwrap();
        assert_eq!(v.serial, 100);
        let names: Vec<&str> = v.files.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["b.png", "poems/a.md"]);
    }

    #[test]
    fn a_changed_missing_or_half_copied_file_is_refused_by_name() {
        let (dir, pair) = published();
        std::fs::write(dir.path().join("b.png"), "pn").unwrap();
        let e = verify_folder(dir.path(), &key(&pair), None).unwrap_err().to_string();
        assert!(e.starts_with("b.png: its contents do not match"), "{e}");
        std::fs::remove_file(dir.path().join("b.png")).unwrap();
        let e = verify_folder(dir.path(), &key(&pair), None).unwrap_err().to_string();
        assert!(e.starts_with("b.png: listed, but not in the folder"), "{e}");
    }

    #[test]
    fn another_key_a_changed_manifest_and_an_old_version_are_refused() {
        let (dir, pair) = published();
        let other = signing::keygen().unwrap();
        let e = verify_folder(dir.path(), &key(&other), None).unwrap_err().to_string();
        assert!(e.contains("not trusted"), "{e}");
        assert!(matches!(verify_folder(dir.path(), &key(&pair), Some(100)), Err(SyncError::Replayed { .. })));
        let text = std::fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        std::fs::write(dir.path().join(MANIFEST), text.replace("b.png", "c.png")).unwrap();
        let e = verify_folder(dir.path(), &key(&pair), None).unwrap_err().to_string();
        assert!(e.contains("changed after it was signed"), "{e}");
        std::fs::write(dir.path().join(SIGNATURE), "x".repeat(5000)).unwrap();
        assert!(
            verify_folder(dir.path(), &key(&pair), None).unwrap_err().to_string().contains("larger than")
        );
    }

    #[test]
    fn a_signed_manifest_naming_a_way_out_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        let pair = signing::keygen().unwrap();
        let hash = manifest::hash_file(&outside.path().join("secret.txt")).unwrap();
        for name in ["link/secret.txt", "../secret.txt"] {
            let text = manifest::render(&[Entry { name: name.into(), sha256: hash }]);
            std::fs::write(dir.path().join(MANIFEST), &text).unwrap();
            let sig = signing::sign(text.as_bytes(), &pair.secret, 7).unwrap();
            std::fs::write(dir.path().join(SIGNATURE), sig).unwrap();
            let e = verify_folder(dir.path(), &key(&pair), None).unwrap_err().to_string();
            assert!(e.contains("leads outside the folder"), "{name}: {e}");
        }
    }
}
