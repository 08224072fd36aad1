//! Draws the sample pictures in `playlists/default/`: simple "pupils' art" made by code, so the
//! project owns them outright (CC0), and films the sample video with GStreamer's test source.
//! Run: `cargo run --example make_samples`.

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
    film(&dir.join("05 bouncing ball.webm"))?;
    println!("sample pictures and film written to {}", dir.display());
    write_widget_samples(&dir.join(".."))?;
    Ok(())
}

/// A 6-second 640x360 film of a yellow ball bouncing on navy blue (VP8 in WebM, about 60 KB).
fn film(path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let status = std::process::Command::new("gst-launch-1.0")
        .args(["-q", "videotestsrc", "pattern=ball", "foreground-color=0xffffcc00"])
        .args(["background-color=0xff103050", "num-buffers=150", "!"])
        .args(["video/x-raw,format=I420,width=640,height=360,framerate=25/1", "!"])
        .args(["vp8enc", "deadline=1", "target-bitrate=300000", "!", "webmmux", "!", "filesink"])
        .arg(format!("location={}", path.display()))
        .status()?;
    if !status.success() {
        return Err(format!("gst-launch-1.0 failed ({status}); install it with scripts/setup.sh").into());
    }
    Ok(())
}

const NAMES: [&str; 24] = [
    "Amara", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Harry", "Isla", "Jack", "Kai", "Lily", "Mia",
    "Noah", "Olivia", "Priya", "Quinn", "Rosie", "Sam", "Tom", "Una", "Vik", "Wren", "Zara",
];
const CLASSES: [&str; 7] = ["R", "1A", "2B", "3C", "4A", "5B", "6C"];

/// Invented widget data, dense enough that every widget has something to show on any day
/// up to the end of 2030.
fn write_widget_samples(root: &std::path::Path) -> std::io::Result<()> {
    use chrono::{Datelike, Duration, NaiveDate};
    std::fs::write(
        root.join("house-points.toml"),
        "# House points (invented). See docs/content-folder.md.\nupdated = \"this week\"\n\n\
         [[house]]\nname = \"Oak\"\npoints = 412\ncolour = \"#16a34a\"\n\n\
         [[house]]\nname = \"Ash\"\npoints = 389\ncolour = \"#2563eb\"\n\n\
         [[house]]\nname = \"Elm\"\npoints = 455\ncolour = \"#dc2626\"\n\n\
         [[house]]\nname = \"Yew\"\npoints = 301\ncolour = \"#facc15\"\n",
    )?;
    // A birthday on every day of the year (first names are all that is ever shown).
    let mut csv = String::from("name,class,date\n");
    let mut d = NaiveDate::from_ymd_opt(2028, 1, 1).expect("date");
    let mut i = 0usize;
    while d.year() == 2028 {
        csv.push_str(&format!(
            "{} Example,{},{:02}-{:02}\n",
            NAMES[i % NAMES.len()],
            CLASSES[i % CLASSES.len()],
            d.month(),
            d.day()
        ));
        d += Duration::days(1);
        i += 7;
    }
    std::fs::write(root.join("birthdays.csv"), csv)?;
    let awards_list = ["Star of the week", "Kindness award", "Super reader", "Maths whizz", "Art star"];
    let mut awards = String::from("# Awards (invented): the most recent few show.\n");
    let mut sports = String::from("# Sports (invented): recent results, coming fixtures and news show.\n");
    let mut countdowns = String::from("# Countdowns (invented).\n");
    let mut d = NaiveDate::from_ymd_opt(2026, 9, 4).expect("date");
    let mut k = 0usize;
    while d.year() <= 2030 {
        awards.push_str(&format!(
            "\n[[award]]\nname = \"{}\"\nclass = \"{}\"\naward = \"{}\"\ndate = \"{d}\"\n",
            NAMES[k % NAMES.len()],
            CLASSES[k % CLASSES.len()],
            awards_list[k % awards_list.len()]
        ));
        sports.push_str(&format!(
            "\n[[result]]\nteam = \"Year {}\"\nopponent = \"Hill School\"\nscore = \"{}-{}\"\ndate = \"{d}\"\n\n[[fixture]]\nteam = \"Netball\"\nopponent = \"Park Primary\"\ndate = \"{}\"\nplace = \"Home\"\n",
            3 + k % 4,
            k % 4,
            (k + 1) % 3,
            d + Duration::days(8)
        ));
        if k % 2 == 0 {
            sports.push_str(&format!(
                "\n[[news]]\ntext = \"Cross-country club meets on Thursday\"\ndate = \"{d}\"\n"
            ));
        }
        if k % 3 == 0 {
            countdowns.push_str(&format!(
                "\n[[event]]\nname = \"{}\"\ndate = \"{}\"\n",
                ["Sports day", "Book fair", "School trip"][k / 3 % 3],
                d + Duration::days(20)
            ));
        }
        d += Duration::days(7);
        k += 1;
    }
    std::fs::write(root.join("awards.toml"), awards)?;
    std::fs::write(root.join("sports.toml"), sports)?;
    std::fs::write(root.join("countdowns.toml"), countdowns)?;
    println!("sample widget files written to {}", root.display());
    Ok(())
}
