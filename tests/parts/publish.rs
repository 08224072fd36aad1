//! Publishing for many screens, checked by the reference tools: `corridor keygen` and
//! `corridor publish` write a manifest that coreutils' `sha256sum -c` accepts and a signature
//! that `minisign -V` verifies, with its serial in the trusted comment.

use std::process::Command;

use super::common::*;

fn run_in(dir: &std::path::Path, program: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn a_published_folder_checks_with_sha256sum_and_minisign() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let out = corridor().args(["keygen", "--out"]).arg(&keys).output().unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).lines().last().is_some_and(|l| l.starts_with("RW")), "{}", stdout(&out));
    // Never over an existing key.
    let again = corridor().args(["keygen", "--out"]).arg(&keys).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    let folder = dir.path().join("year4-poetry");
    std::fs::create_dir_all(folder.join("poems")).unwrap();
    write_solid(&folder.join("cover.png"), 8, 8, [200, 30, 30]);
    std::fs::write(folder.join("poems/autumn.md"), "# Autumn\nLeaves fall.\n").unwrap();
    let publish = |key: &std::path::Path| {
        let out = corridor().arg("publish").arg(&folder).arg("--key").arg(key).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        stdout(&out)
    };
    let said = publish(&keys.join("corridor.key"));
    assert!(said.contains("2 files listed in SHA256SUMS"), "{said}");
    let (ok, text) = run_in(&folder, "sha256sum", &["-c", "SHA256SUMS"]);
    assert!(ok && text.contains("poems/autumn.md: OK"), "{text}");
    let public = keys.join("corridor.pub");
    let (ok, text) = run_in(&folder, "minisign", &["-V", "-m", "SHA256SUMS", "-p", public.to_str().unwrap()]);
    assert!(ok, "{text}");
    let serial = |t: &str| t.split("serial=").nth(1).and_then(|s| s.trim().parse::<u64>().ok());
    let first = serial(&text).expect("a serial in the trusted comment");
    // A changed file: minisign still verifies the manifest, sha256sum finds the change, and a
    // new publish lists it with a greater serial.
    std::fs::write(folder.join("poems/autumn.md"), "# Autumn\nLeaves fall slowly.\n").unwrap();
    assert!(!run_in(&folder, "sha256sum", &["-c", "--quiet", "SHA256SUMS"]).0);
    publish(&keys.join("corridor.key"));
    assert!(run_in(&folder, "sha256sum", &["-c", "--quiet", "SHA256SUMS"]).0);
    let (_, text) = run_in(&folder, "minisign", &["-V", "-m", "SHA256SUMS", "-p", public.to_str().unwrap()]);
    assert!(serial(&text).is_some_and(|s| s > first), "{text}");
    // A key made by minisign itself (no password) works too.
    let (ok, text) = run_in(dir.path(), "minisign", &["-G", "-W", "-p", "m.pub", "-s", "m.key"]);
    assert!(ok, "{text}");
    publish(&dir.path().join("m.key"));
    let (ok, text) = run_in(
        &folder,
        "minisign",
        &["-V", "-m", "SHA256SUMS", "-p", dir.path().join("m.pub").to_str().unwrap()],
    );
    assert!(ok, "{text}");
    // Not a folder: a clear line, exit 2.
    let out = corridor()
        .args(["publish", "/nonexistent/folder", "--key"])
        .arg(keys.join("corridor.key"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a folder"));
}
