//! The pure core and the command line, on real files in temp dirs (no screen needed).

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use corridor::core::config::{self, Fit, Transition};
use corridor::core::content::{self, MediaKind};
use corridor::core::media::{self, Limits, Slide};

fn slides() -> config::SlidesConfig {
    config::Config::default().slides
}

#[test]
fn sample_content_scans_in_order_with_listed_items_first() {
    let content = content::scan(Path::new("playlists"), &slides()).expect("scan");
    assert!(content.problems.is_empty(), "{:?}", content.problems);
    let default = content.playlist("default").expect("default playlist");
    let names: Vec<String> = default
        .items
        .iter()
        .map(|i| i.rel.display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "default/01 sunset.jpg",
            "default/02 rainbow.png",
            "default/03 welcome.md",
            "default/04 space.jpg"
        ]
    );
    assert_eq!(
        default.items[0].caption.as_deref(),
        Some("Sunset over the hills – Year 4")
    );
    assert_eq!(default.items[2].kind, MediaKind::Notice);
    assert!(
        default
            .items
            .iter()
            .all(|i| i.duration == Duration::from_secs(8))
    );
    for item in &default.items {
        media::load(
            item,
            (1280, 720),
            Limits {
                max_megapixels: 100.0,
            },
        )
        .expect("sample decodes");
    }
}

#[test]
fn playlist_toml_orders_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let pl = dir.path().join("default");
    std::fs::create_dir_all(&pl).unwrap();
    for n in ["10 b.png", "2 a.png", "1 c.png", "poster.png"] {
        write_solid(&pl.join(n), 8, 8, [1, 2, 3]);
    }
    std::fs::write(
        pl.join("playlist.toml"),
        "duration = \"5s\"\nfit = \"cover\"\ntransition = \"cut\"\n\n[[item]]\nfile = \"poster.png\"\nduration = \"20s\"\ncaption = \"Sports day\"\n",
    )
    .unwrap();
    let c = content::scan(dir.path(), &slides()).unwrap();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    let items = &c.playlist("default").unwrap().items;
    let names: Vec<_> = items
        .iter()
        .map(|i| i.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["poster.png", "1 c.png", "2 a.png", "10 b.png"]);
    assert_eq!(items[0].duration, Duration::from_secs(20));
    assert_eq!(items[1].duration, Duration::from_secs(5));
    assert!(
        items
            .iter()
            .all(|i| i.fit == Fit::Cover && i.transition == Transition::Cut)
    );
}

#[test]
fn bad_files_are_each_reported_and_the_good_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let root = bad_corpus(dir.path());
    let cfg = config::Config {
        content: root.clone(),
        ..config::Config::default()
    };
    let report = corridor::check::check(&cfg, Vec::new()).expect("check runs");
    let lines: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    let text = lines.join("\n");
    for bad in [
        "default/03 empty.jpg",
        "default/04 truncated.jpg",
        "default/05 corrupt.png",
        "default/06 webpage.jpg",
        "default/07 enormous.png",
        "default/08 essay.docx",
        "default/09 empty notice.txt",
        "default/10 link.png",
        "default/playlist.toml:2",
    ] {
        assert_eq!(
            lines.iter().filter(|l| l.starts_with(bad)).count(),
            1,
            "one line for {bad} in:\n{text}"
        );
    }
    for ignored in [
        ".hidden",
        "~$lock",
        "copying.jpg.part",
        "x.tmp",
        "crdownload",
    ] {
        assert!(
            !text.contains(ignored),
            "{ignored} should be ignored silently:\n{text}"
        );
    }
    assert!(text.contains("megapixels"), "{text}");
    let default = report.content.playlist("default").unwrap();
    let good: Vec<_> = default
        .items
        .iter()
        .filter(|i| {
            media::load(
                i,
                (320, 180),
                Limits {
                    max_megapixels: 100.0,
                },
            )
            .is_ok()
        })
        .map(|i| i.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(good, ["01 good.png", "02 notice.txt", "été 🌞 photo.png"]);
}

#[test]
fn exif_orientation_turns_phone_photos_upright() {
    // A landscape 40x20 JPEG (left half red) tagged "rotate 90° clockwise" must come out portrait.
    let img = image::RgbImage::from_fn(40, 20, |x, _| {
        if x < 20 {
            image::Rgb([250, 0, 0])
        } else {
            image::Rgb([0, 0, 250])
        }
    });
    let mut jpg = std::io::Cursor::new(Vec::new());
    img.write_to(&mut jpg, image::ImageFormat::Jpeg).unwrap();
    let jpg = jpg.into_inner();
    // Insert an APP1 Exif segment with Orientation = 6 right after SOI.
    let tiff: Vec<u8> = [
        b"MM\0\x2a".as_slice(),
        &8u32.to_be_bytes(),
        &1u16.to_be_bytes(),
        &0x0112u16.to_be_bytes(),
        &3u16.to_be_bytes(),
        &1u32.to_be_bytes(),
        &6u16.to_be_bytes(),
        &[0, 0],
        &0u32.to_be_bytes(),
    ]
    .concat();
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpg[2..]);
    let frame = media::decode_image_bytes(
        &out,
        (1000, 1000),
        Fit::Contain,
        Limits {
            max_megapixels: 100.0,
        },
    )
    .unwrap();
    assert_eq!((frame.width, frame.height), (20, 40));
    // Rotated clockwise: the red (left) half is now on top.
    let top = &frame.rgba[((5 * 20 + 10) * 4) as usize..][..3];
    let bottom = &frame.rgba[((35 * 20 + 10) * 4) as usize..][..3];
    assert!(top[0] > 180 && top[2] < 80, "top {top:?}");
    assert!(bottom[2] > 180 && bottom[0] < 80, "bottom {bottom:?}");
}

#[test]
fn big_jpeg_is_decoded_to_stage_size_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jpg");
    write_solid(&path, 4000, 3000, [90, 120, 200]);
    let frame = media::decode_image(
        &path,
        (1920, 1080),
        Fit::Contain,
        Limits {
            max_megapixels: 100.0,
        },
    )
    .unwrap();
    assert_eq!((frame.width, frame.height), (1440, 1080));
    assert_eq!(frame.rgba.len(), 1440 * 1080 * 4);
    match media::load(
        &content::Item {
            path: path.clone(),
            rel: PathBuf::from("big.jpg"),
            kind: MediaKind::Image,
            duration: Duration::from_secs(1),
            transition: Transition::Cut,
            transition_time: Duration::ZERO,
            fit: Fit::Cover,
            caption: None,
        },
        (1920, 1080),
        Limits {
            max_megapixels: 100.0,
        },
    ) {
        Ok(Slide::Picture(f)) => assert_eq!((f.width, f.height), (1920, 1080)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn check_command_exit_codes_and_words() {
    let dir = tempfile::tempdir().unwrap();
    let root = bad_corpus(dir.path());
    let out = corridor()
        .args(["check", "--content"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("default/03 empty.jpg: the file is empty"),
        "{text}"
    );
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("now playing: default (3 slides"),
        "{text}"
    );

    let clean = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(clean.path().join("default")).unwrap();
    write_solid(&clean.path().join("default/a.png"), 8, 8, [1, 1, 1]);
    let out = corridor()
        .args(["check", "--content"])
        .arg(clean.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("no problems found"));

    let out = corridor()
        .args(["check", "--content", "/nonexistent/corridor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

#[test]
fn config_mistakes_name_key_line_and_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content/default")).unwrap();
    write_solid(&dir.path().join("content/default/a.png"), 8, 8, [1, 1, 1]);
    let cfg = dir.path().join("corridor.toml");
    std::fs::write(
        &cfg,
        "content = \"content\"\n\n[slides]\ntransiton = \"cut\"\nfit = \"stretch\"\n",
    )
    .unwrap();
    let out = corridor()
        .arg("check")
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "corridor.toml:4: unknown setting `transiton` in [slides]; did you mean `transition`?"
        ),
        "{text}"
    );
    assert!(
        text.contains("corridor.toml:5: `fit`: \"stretch\" is not one of \"contain\", \"cover\""),
        "{text}"
    );
    assert!(
        text.contains("now playing: default (1 slide: default/a.png)"),
        "{text}"
    );
}

#[test]
fn help_speaks_to_staff() {
    let out = corridor().arg("--help").output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success());
    for words in [
        "pictures",
        "playlists/default",
        "check",
        "snapshot",
        "--windowed",
        "--content",
        "--config",
    ] {
        assert!(text.contains(words), "--help lacks {words}:\n{text}");
    }
}
