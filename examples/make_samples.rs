//! Draws the sample pictures in `playlists/default/`: simple "pupils' art" made by code, so the
//! project owns them outright (CC0). Run: `cargo run --example make_samples`.

use image::{Rgb, RgbImage};

fn lerp(a: [u8; 3], b: [u8; 3], t: f32) -> Rgb<u8> {
    let m = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * t.clamp(0.0, 1.0)).round() as u8;
    Rgb([m(a[0], b[0]), m(a[1], b[1]), m(a[2], b[2])])
}

/// A sunset: blue sky (top half), a yellow sun, green hills (bottom).
fn sunset(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let hill = 0.62 + 0.06 * (fx * 9.0).sin() + 0.03 * (fx * 23.0).cos();
        let sun = ((fx - 0.7).powi(2) * (w as f32 / h as f32).powi(2) + (fy - 0.35).powi(2)).sqrt();
        if fy > hill {
            lerp([60, 170, 60], [20, 90, 30], (fy - hill) / (1.0 - hill))
        } else if sun < 0.12 {
            Rgb([255, 214, 40])
        } else {
            lerp([40, 110, 220], [250, 170, 120], fy / hill)
        }
    })
}

/// A rainbow over a pale sky.
fn rainbow(w: u32, h: u32) -> RgbImage {
    let bands: [[u8; 3]; 7] =
        [[228, 3, 3], [255, 140, 0], [255, 237, 0], [0, 128, 38], [0, 77, 255], [75, 0, 130], [140, 60, 200]];
    RgbImage::from_fn(w, h, |x, y| {
        let (cx, cy) = (w as f32 / 2.0, h as f32 * 0.95);
        let r = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt() / h as f32;
        let band = ((r - 0.45) / 0.05).floor();
        if (0.0..7.0).contains(&band) {
            let c = bands[6 - band as usize];
            Rgb(c)
        } else {
            lerp([200, 230, 255], [240, 250, 255], y as f32 / h as f32)
        }
    })
}

/// Space: stars and a ringed planet.
fn space(w: u32, h: u32) -> RgbImage {
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32 - 0.45, y as f32 / h as f32 - 0.5);
        let d = (fx * fx * (w as f32 / h as f32).powi(2) + fy * fy).sqrt();
        let ring = ((fx * 1.9).powi(2) * (w as f32 / h as f32).powi(2) + (fy * 7.0).powi(2)).sqrt();
        if d < 0.22 {
            lerp([230, 120, 60], [120, 40, 20], d / 0.22)
        } else if (0.5..0.62).contains(&ring) {
            Rgb([210, 190, 150])
        } else {
            Rgb([8, 10, 30])
        }
    });
    let mut seed: u32 = 12345;
    for _ in 0..(w * h / 900) {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let x = (seed >> 8) % w;
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let y = (seed >> 8) % h;
        if img.get_pixel(x, y).0 == [8, 10, 30] {
            img.put_pixel(x, y, Rgb([255, 255, 255]));
        }
    }
    img
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playlists/default");
    std::fs::create_dir_all(&dir)?;
    sunset(1600, 900).save(dir.join("01 sunset.jpg"))?;
    rainbow(1200, 900).save(dir.join("02 rainbow.png"))?;
    space(1600, 1000).save(dir.join("04 space.jpg"))?;
    println!("sample pictures written to {}", dir.display());
    Ok(())
}
