//! Helpers shared by the test binaries: real files in temp dirs, made the way staff would make them.
#![allow(dead_code)]

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use image::{ImageFormat, Rgb, RgbImage};

/// A solid-colour picture file.
pub fn write_solid(path: &Path, w: u32, h: u32, colour: [u8; 3]) {
    let img = RgbImage::from_pixel(w, h, Rgb(colour));
    let format = ImageFormat::from_path(path).expect("known extension");
    let mut buf = Cursor::new(Vec::new());
    img.write_to(&mut buf, format).expect("encode");
    std::fs::write(path, buf.into_inner()).expect("write");
}

/// Bytes of a PNG whose header claims `w`x`h` pixels but which holds no such image data:
/// a decoder that trusted the header would try to allocate w*h*4 bytes.
pub fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_pixel(8, 8, Rgb([1, 2, 3]));
    let mut buf = Cursor::new(Vec::new());
    img.write_to(&mut buf, ImageFormat::Png).expect("encode");
    let mut bytes = buf.into_inner();
    bytes[16..20].copy_from_slice(&w.to_be_bytes());
    bytes[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// Builds the corpus of bad files of the player issue, next to one good picture and one notice.
/// Returns the content folder.
pub fn bad_corpus(root: &Path) -> PathBuf {
    let content = root.join("content");
    let default = content.join("default");
    std::fs::create_dir_all(&default).expect("mkdir");
    write_solid(&default.join("01 good.png"), 64, 36, [200, 30, 30]);
    std::fs::write(default.join("02 notice.txt"), "Book fair\nFriday in the hall\n").expect("write");
    std::fs::write(default.join("03 empty.jpg"), b"").expect("write");
    let mut jpg = Cursor::new(Vec::new());
    RgbImage::from_pixel(300, 200, Rgb([10, 200, 10])).write_to(&mut jpg, ImageFormat::Jpeg).expect("jpeg");
    let jpg = jpg.into_inner();
    std::fs::write(default.join("04 truncated.jpg"), &jpg[..jpg.len() / 3]).expect("write");
    std::fs::write(default.join("05 corrupt.png"), b"\x89PNG\r\n\x1a\nthis is not really a png at all")
        .expect("write");
    std::fs::write(default.join("06 webpage.jpg"), b"<html><body>Login</body></html>").expect("write");
    std::fs::write(default.join("07 enormous.png"), png_claiming(100_000, 100_000)).expect("write");
    std::fs::write(default.join("08 essay.docx"), b"PK\x03\x04 not a slide").expect("write");
    std::fs::write(default.join("09 empty notice.txt"), b"\n  \n").expect("write");
    write_solid(&default.join("été 🌞 photo.png"), 32, 18, [30, 30, 200]);
    // Ignored without a word:
    std::fs::write(default.join(".hidden.jpg"), b"x").expect("write");
    std::fs::write(default.join("~$lock.docx"), b"x").expect("write");
    std::fs::write(default.join("copying.jpg.part"), b"x").expect("write");
    std::fs::write(default.join("x.tmp"), b"x").expect("write");
    std::fs::write(default.join("download.jpg.crdownload"), b"x").expect("write");
    // Leads outside the content folder:
    write_solid(&root.join("outside.png"), 8, 8, [0, 0, 0]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("outside.png"), default.join("10 link.png")).expect("symlink");
    std::fs::write(default.join("playlist.toml"), "[[item]]\nfile = \"../../outside.png\"\n").expect("write");
    content
}

/// The corridor binary.
pub fn corridor() -> Command {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
