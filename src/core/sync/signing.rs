//! minisign keys and signatures for manifests. A signature's trusted comment (signed with the
//! manifest, so it cannot be changed) holds `serial=N`; a screen accepts a version only when its
//! serial is greater than the one in force, so an old manifest replayed is refused. Keys are
//! minisign's own formats: `corridor keygen` makes them, and `minisign -G -W` keys work too.

use super::SyncError;

/// A new key pair, as the files minisign writes.
pub struct KeyPairText {
    /// The secret key file's text (not protected by a password: keep the file private).
    pub secret: String,
    /// The public key file's text.
    pub public: String,
    /// The public key alone: the `RW…` line that screens are given.
    pub public_line: String,
}

/// Makes a new key pair.
pub fn keygen() -> Result<KeyPairText, SyncError> {
    let pair =
        minisign::KeyPair::generate_unencrypted_keypair().map_err(|e| SyncError::Key(e.to_string()))?;
    let secret = pair.sk.to_box(Some("corridor secret key")).map_err(|e| SyncError::Key(e.to_string()))?;
    let public = pair.pk.to_box().map_err(|e| SyncError::Key(e.to_string()))?;
    Ok(KeyPairText {
        secret: secret.to_string(),
        public: public.to_string(),
        public_line: pair.pk.to_base64(),
    })
}

/// Signs `manifest` with the secret key in `secret_key_text`, with `serial` in the trusted
/// comment; the signature file's text.
pub fn sign(manifest: &[u8], secret_key_text: &str, serial: u64) -> Result<String, SyncError> {
    let key_error = |e: minisign::PError| SyncError::Key(e.to_string());
    let sk = secret_key(secret_key_text)?;
    let trusted = format!("serial={serial}");
    let signature = minisign::sign(None, &sk, manifest, Some(&trusted), Some("signed by corridor publish"))
        .map_err(key_error)?;
    Ok(signature.to_string())
}

/// A secret key file's key. It must not be protected by a password. Debian's minisign (0.11)
/// writes `minisign -G -W` keys with an empty checksum, which is accepted as such.
fn secret_key(text: &str) -> Result<minisign::SecretKey, SyncError> {
    let needs = "make one with `corridor keygen` or `minisign -G -W`";
    let boxed =
        minisign::SecretKeyBox::from_string(text).map_err(|e| SyncError::Key(format!("{e}; {needs}")))?;
    match boxed.into_unencrypted_secret_key() {
        Ok(sk) => Ok(sk),
        Err(e) => {
            let line = text.lines().map(str::trim).filter(|l| !l.is_empty()).nth(1).unwrap_or("");
            let bytes =
                <ct_codecs::Base64 as ct_codecs::Decoder>::decode_to_vec(line, None).unwrap_or_default();
            let unchecked =
                bytes.len() == 158 && bytes[2..4] == [0, 0] && bytes[126..].iter().all(|b| *b == 0);
            match minisign::SecretKey::from_bytes(&bytes) {
                Ok(sk) if unchecked && !sk.is_encrypted() => Ok(sk),
                _ => Err(SyncError::Key(format!(
                    "{e} (a key protected by a password cannot be used: {needs})"
                ))),
            }
        }
    }
}

/// The serial a signature's trusted comment claims (not verified: for the next publish only).
pub fn claimed_serial(signature_text: &str) -> Option<u64> {
    let sig = minisign_verify::Signature::decode(signature_text).ok()?;
    serial_in(sig.trusted_comment())
}

fn serial_in(trusted_comment: &str) -> Option<u64> {
    trusted_comment.split(['\t', ' ']).find_map(|part| part.strip_prefix("serial=")?.parse().ok())
}

/// A public key as given in corridor.toml or a `.pub` file: the `RW…` line.
pub fn public_key(text: &str) -> Result<minisign_verify::PublicKey, SyncError> {
    let line = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .next_back()
        .unwrap_or("");
    minisign_verify::PublicKey::from_base64(line).map_err(|e| {
        SyncError::Key(format!(
            "\"{}\" is not a minisign public key ({e})",
            line.chars().take(60).collect::<String>()
        ))
    })
}

/// Checks `signature_text` over `manifest` against `keys` (any one of them); the serial it
/// carries.
pub fn verify(
    manifest: &[u8],
    signature_text: &str,
    keys: &[minisign_verify::PublicKey],
) -> Result<u64, SyncError> {
    let sig = minisign_verify::Signature::decode(signature_text)
        .map_err(|e| SyncError::Signature(format!("the signature file is damaged ({e})")))?;
    let mut why = "no key is trusted".to_string();
    for key in keys {
        match key.verify(manifest, &sig, false) {
            Ok(()) => {
                return serial_in(sig.trusted_comment())
                    .ok_or_else(|| SyncError::Signature("it carries no serial number".into()));
            }
            Err(minisign_verify::Error::UnexpectedKeyId) => {
                why = "it was signed by a key that is not trusted".into()
            }
            Err(e) => why = format!("the manifest was changed after it was signed ({e})"),
        }
    }
    Err(SyncError::Signature(why))
}

/// A version may replace the one in force only with a greater serial.
pub fn accept(new: u64, in_force: Option<u64>) -> Result<(), SyncError> {
    match in_force {
        Some(in_force) if new <= in_force => Err(SyncError::Replayed { new, in_force }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_manifest_verifies_with_its_key_only_and_carries_its_serial() {
        let pair = keygen().unwrap();
        assert!(pair.public_line.starts_with("RW"));
        let manifest = b"abc  x.jpg\n";
        let sig = sign(manifest, &pair.secret, 42).unwrap();
        let key = public_key(&pair.public).unwrap();
        assert_eq!(verify(manifest, &sig, &[public_key(&pair.public_line).unwrap()]).unwrap(), 42);
        assert_eq!(claimed_serial(&sig), Some(42));
        let changed = verify(b"abd  x.jpg\n", &sig, &[key]).unwrap_err().to_string();
        assert!(changed.contains("changed after it was signed"), "{changed}");
        let other = public_key(&keygen().unwrap().public_line).unwrap();
        let e = verify(manifest, &sig, &[other]).unwrap_err().to_string();
        assert!(e.contains("not trusted"), "{e}");
        assert!(public_key("RWQnot-a-key").is_err());
    }

    #[test]
    fn only_a_greater_serial_replaces_the_one_in_force() {
        assert!(accept(5, None).is_ok());
        assert!(accept(6, Some(5)).is_ok());
        assert!(matches!(accept(5, Some(5)), Err(SyncError::Replayed { .. })));
        assert!(matches!(accept(4, Some(5)), Err(SyncError::Replayed { .. })));
    }
}
