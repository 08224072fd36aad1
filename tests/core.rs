//! The pure core and the command line, on real files in temp dirs (no screen needed).

mod common;
#[path = "parts/decks.rs"]
mod decks;
#[path = "parts/docs.rs"]
mod docs;
#[path = "parts/feeds.rs"]
mod feeds;
#[path = "parts/layers.rs"]
mod layers;
#[path = "parts/live.rs"]
mod live;
#[path = "parts/publish.rs"]
mod publish;
#[path = "parts/sync.rs"]
mod sync;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use corridor::core::config::{self, Fit, Transition};
use corridor::core::content::{self, Item};
use corridor::core::media::{self, Limits, Slide};
use corridor::core::source::{MediaKind, Source};

fn noon() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap().and_hms_opt(12, 0, 0).unwrap()
}

/// Loads a slide as the screen would, from the start.
fn load(item: &Item, stage: (u32, u32)) -> Result<Slide, media::MediaError> {
    media::load(
        &item.source,
        item.kind,
        stage,
        Limits { max_megapixels: 100.0 },
        item.play_options(Duration::ZERO),
    )
}

/// The file name of an item's source.
fn file_name(item: &Item) -> String {
    item.source.file().and_then(|p| p.file_name()).unwrap().to_string_lossy().into_owned()
}

fn slides() -> config::SlidesConfig {
    config::Config::default().slides
}

#[test]
fn sample_content_scans_in_order_with_listed_items_first() {
    let content = content::scan(Path::new("playlists"), &slides()).expect("scan");
    assert!(content.problems.is_empty(), "{:?}", content.problems);
    let default = content.playlist("default").expect("default playlist");
    let names: Vec<String> = default.items.iter().map(|i| i.rel.display().to_string()).collect();
    assert_eq!(
        names,
        [
            "default/01 sunset.jpg",
            "default/02 rainbow.png",
            "default/03 welcome.md",
            "default/04 space.jpg",
            "default/05 bouncing ball.webm"
        ]
    );
    assert_eq!(default.items[0].caption.as_deref(), Some("Sunset over the hills – Year 4"));
    assert_eq!(default.items[2].kind, MediaKind::Notice);
    assert!(default.items.iter().all(|i| i.duration == Duration::from_secs(8)));
    let mut with_lengths = content.clone();
    corridor::core::library::fill_lengths(&mut with_lengths, &mut Default::default());
    let film = &with_lengths.playlist("default").unwrap().items[4];
    assert_eq!(film.duration, Duration::from_secs(6), "the film plays for its own length");
    for item in &default.items {
        load(item, (1280, 720)).expect("sample decodes");
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
    let names: Vec<_> = items.iter().map(file_name).collect();
    assert_eq!(names, ["poster.png", "1 c.png", "2 a.png", "10 b.png"]);
    assert_eq!(items[0].duration, Duration::from_secs(20));
    assert_eq!(items[1].duration, Duration::from_secs(5));
    assert!(items.iter().all(|i| i.fit == Fit::Cover && i.transition == Transition::Cut));
}

#[test]
fn bad_files_are_each_reported_and_the_good_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let root = bad_corpus(dir.path());
    let cfg = config::Config { content: root.clone(), ..config::Config::default() };
    let report = corridor::check::check(&cfg, Vec::new(), noon()).expect("check runs");
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
        assert_eq!(lines.iter().filter(|l| l.starts_with(bad)).count(), 1, "one line for {bad} in:\n{text}");
    }
    for ignored in [".hidden", "~$lock", "copying.jpg.part", "x.tmp", "crdownload"] {
        assert!(!text.contains(ignored), "{ignored} should be ignored silently:\n{text}");
    }
    assert!(text.contains("megapixels"), "{text}");
    let default = report.content.playlist("default").unwrap();
    let good: Vec<_> = default.items.iter().filter(|i| load(i, (320, 180)).is_ok()).map(file_name).collect();
    assert_eq!(good, ["01 good.png", "02 notice.txt", "été 🌞 photo.png"]);
}

#[test]
fn exif_orientation_turns_phone_photos_upright() {
    // A landscape 40x20 JPEG (left half red) tagged "rotate 90° clockwise" must come out portrait.
    let img = image::RgbImage::from_fn(40, 20, |x, _| {
        if x < 20 { image::Rgb([250, 0, 0]) } else { image::Rgb([0, 0, 250]) }
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
    let frame = media::decode_image_bytes(&out, (1000, 1000), Fit::Contain, Limits { max_megapixels: 100.0 })
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
    let frame =
        media::decode_image(&path, (1920, 1080), Fit::Contain, Limits { max_megapixels: 100.0 }).unwrap();
    // Decoded at 3/8 (1500x1125) for a 1440x1080 fit; so mild a reduction is left to the GPU.
    assert_eq!((frame.width, frame.height), (1500, 1125));
    assert_eq!(frame.rgba.len(), 1500 * 1125 * 4);
    match load(
        &content::Item {
            source: Source::File(path.clone()),
            rel: PathBuf::from("big.jpg"),
            kind: MediaKind::Image,
            duration: Duration::from_secs(1),
            duration_given: false,
            transition: Transition::Cut,
            transition_time: Duration::ZERO,
            fit: Fit::Cover,
            sound: false,
            caption: None,
            when: Default::default(),
            pages: Default::default(),
            captions: true,
            subtitles: None,
        },
        (1920, 1080),
    ) {
        // Decoded at 1/2 (2000x1500), cut to the stage's shape; the GPU scales the rest.
        Ok(Slide::Picture(f)) => assert_eq!((f.width, f.height), (2000, 1125)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn check_command_exit_codes_and_words() {
    let dir = tempfile::tempdir().unwrap();
    let root = bad_corpus(dir.path());
    let out = corridor().args(["check", "--content"]).arg(&root).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("default/03 empty.jpg: the file is empty"), "{text}");
    assert!(
        text.lines().last().unwrap().starts_with("now playing: default (nothing scheduled): 3 slides"),
        "{text}"
    );

    let clean = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(clean.path().join("default")).unwrap();
    write_solid(&clean.path().join("default/a.png"), 8, 8, [1, 1, 1]);
    let out = corridor().args(["check", "--content"]).arg(clean.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("no problems found"));

    let out = corridor().args(["check", "--content", "/nonexistent/corridor"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

#[test]
fn check_reports_a_logo_that_cannot_be_shown_and_accepts_a_good_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content/default")).unwrap();
    write_solid(&dir.path().join("content/default/a.png"), 8, 8, [1, 1, 1]);
    let cfg = dir.path().join("corridor.toml");
    let write = |logo: &str| {
        std::fs::write(
            &cfg,
            format!("content = \"content\"\n[branding]\nname = \"Hawes Side\"\nlogo = \"{logo}\"\n"),
        )
        .unwrap()
    };
    write("missing.png");
    let out = corridor().arg("check").arg("--config").arg(&cfg).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("missing.png: the logo cannot be shown: cannot read the file"), "{text}");
    std::fs::write(dir.path().join("logo.svg"), "<svg><rect").unwrap();
    write("logo.svg");
    let text = stdout(&corridor().arg("check").arg("--config").arg(&cfg).output().unwrap());
    assert!(text.contains("logo.svg: the logo cannot be shown: the SVG cannot be read"), "{text}");
    write_solid(&dir.path().join("logo.png"), 40, 20, [200, 0, 0]);
    write("logo.png");
    let out = corridor().arg("check").arg("--config").arg(&cfg).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn config_mistakes_name_key_line_and_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content/default")).unwrap();
    write_solid(&dir.path().join("content/default/a.png"), 8, 8, [1, 1, 1]);
    let cfg = dir.path().join("corridor.toml");
    std::fs::write(&cfg, "content = \"content\"\n\n[slides]\ntransiton = \"cut\"\nfit = \"stretch\"\n")
        .unwrap();
    let out = corridor().arg("check").arg("--config").arg(&cfg).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("corridor.toml:4: unknown setting `transiton` in [slides]; did you mean `transition`?"),
        "{text}"
    );
    assert!(
        text.contains("corridor.toml:5: `fit`: \"stretch\" is not one of \"contain\", \"cover\""),
        "{text}"
    );
    assert!(text.contains("now playing: default (nothing scheduled): 1 slide: default/a.png"), "{text}");
}

#[test]
fn help_speaks_to_staff() {
    let out = corridor().arg("--help").output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success());
    for words in ["pictures", "playlists/default", "check", "snapshot", "--windowed", "--content", "--config"]
    {
        assert!(text.contains(words), "--help lacks {words}:\n{text}");
    }
}

// ---- The schedule ----

mod schedule_tests {
    use chrono::{Duration as CD, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
    use chrono_tz::Tz;
    use corridor::core::schedule::{self, Schedule, Slot, What};
    use corridor::core::when::{DaySet, TimeRange};
    use proptest::prelude::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn slot(playlist: &str, from: NaiveTime, to: NaiveTime) -> Slot {
        let mut s = Slot::new(What::Playlist(playlist.into()));
        s.time = Some(TimeRange { from, to: Some(to) });
        s
    }

    /// Real minutes (UTC instants) of `day` in `tz` during which `playlist` plays, as stretches
    /// of (first local time, length in real minutes).
    fn real_stretches(s: &Schedule, tz: Tz, day: NaiveDate, playlist: &str) -> Vec<(String, i64)> {
        let start =
            tz.from_local_datetime(&day.and_time(NaiveTime::MIN)).earliest().unwrap().with_timezone(&Utc);
        let mut out: Vec<(String, i64)> = Vec::new();
        let mut inside = false;
        for m in 0..(26 * 60) {
            let instant = start + CD::minutes(m);
            let local = schedule::local_time(instant, tz);
            let on = local.date() == day && s.decide(local).playlist() == Some(playlist);
            if on && !inside {
                out.push((local.format("%H:%M").to_string(), 0));
            }
            if on {
                out.last_mut().unwrap().1 += 1;
            }
            inside = on;
        }
        out
    }

    #[test]
    fn london_2027_spring_forward() {
        let day = NaiveDate::from_ymd_opt(2027, 3, 28).unwrap();
        let s = Schedule::new(vec![slot("morning", t(8, 0), t(9, 0))]);
        assert_eq!(
            real_stretches(&s, chrono_tz::Europe::London, day, "morning"),
            [("08:00".to_string(), 60)]
        );
        // Wholly inside the skipped hour (01:00-02:00): does not play that day.
        let s = Schedule::new(vec![slot("gap", t(1, 30), t(1, 45))]);
        assert_eq!(real_stretches(&s, chrono_tz::Europe::London, day, "gap"), []);
        // Starting inside it: begins when the clocks jump, ends on time.
        let s = Schedule::new(vec![slot("early", t(1, 15), t(3, 0))]);
        assert_eq!(real_stretches(&s, chrono_tz::Europe::London, day, "early"), [("02:00".to_string(), 60)]);
    }

    #[test]
    fn london_2027_fall_back() {
        let day = NaiveDate::from_ymd_opt(2027, 10, 31).unwrap();
        let s = Schedule::new(vec![slot("morning", t(8, 0), t(9, 0))]);
        assert_eq!(
            real_stretches(&s, chrono_tz::Europe::London, day, "morning"),
            [("08:00".to_string(), 60)]
        );
        // Inside the repeated hour: plays on both passes.
        let s = Schedule::new(vec![slot("twice", t(1, 30), t(1, 45))]);
        assert_eq!(
            real_stretches(&s, chrono_tz::Europe::London, day, "twice"),
            [("01:30".to_string(), 15), ("01:30".to_string(), 15)]
        );
        let local = schedule::local_time(
            Utc.with_ymd_and_hms(2027, 10, 31, 8, 0, 0).unwrap(),
            chrono_tz::Europe::London,
        );
        assert_eq!(local.time(), t(8, 0), "08:00 is 08:00 after the change");
    }

    #[test]
    fn sydney_2027_both_changes() {
        let tz = chrono_tz::Australia::Sydney;
        let s = Schedule::new(vec![slot("morning", t(8, 0), t(9, 0))]);
        for day in
            [NaiveDate::from_ymd_opt(2027, 4, 4).unwrap(), NaiveDate::from_ymd_opt(2027, 10, 3).unwrap()]
        {
            assert_eq!(real_stretches(&s, tz, day, "morning"), [("08:00".to_string(), 60)], "{day}");
        }
        // 02:00-03:00 is skipped on 3 October; 02:00-03:00 repeats on 4 April.
        let s = Schedule::new(vec![slot("night", t(2, 15), t(2, 45))]);
        assert_eq!(real_stretches(&s, tz, NaiveDate::from_ymd_opt(2027, 10, 3).unwrap(), "night"), []);
        assert_eq!(real_stretches(&s, tz, NaiveDate::from_ymd_opt(2027, 4, 4).unwrap(), "night").len(), 2);
    }

    #[test]
    fn snapshot_time_in_the_gap_is_the_jump() {
        let at = NaiveDate::from_ymd_opt(2027, 3, 28).unwrap().and_time(t(1, 30));
        let instant = schedule::instant_of(at, chrono_tz::Europe::London);
        assert_eq!(instant.naive_local().time(), t(2, 0));
    }

    fn arb_slot() -> impl Strategy<Value = Slot> {
        (
            0u8..4,
            1u8..128,
            proptest::option::of((0u32..96, 0u32..96)),
            proptest::option::of((0i64..31, 0i64..10)),
            0i64..3,
        )
            .prop_map(|(p, days_bits, time, dates, priority)| {
                let mut s = Slot::new(What::Playlist(format!("p{p}")));
                let mut days = DaySet::NONE;
                for (i, d) in [
                    Weekday::Mon,
                    Weekday::Tue,
                    Weekday::Wed,
                    Weekday::Thu,
                    Weekday::Fri,
                    Weekday::Sat,
                    Weekday::Sun,
                ]
                .into_iter()
                .enumerate()
                {
                    if days_bits & (1 << i) != 0 {
                        days = days.with(d);
                    }
                }
                s.days = days;
                if let Some((a, b)) = time {
                    if a != b {
                        s.time = Some(TimeRange {
                            from: t(a / 4, (a % 4) * 15),
                            to: Some(t(b / 4, (b % 4) * 15)),
                        });
                    }
                }
                if let Some((start, len)) = dates {
                    let a = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + CD::days(start);
                    s.dates = Some((a, a + CD::days(len)));
                }
                s.priority = priority;
                s
            })
    }

    fn minute(m: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2027, 1, 1).unwrap().and_time(NaiveTime::MIN) + CD::minutes(m)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn the_decision_is_the_best_covering_slot(slots in proptest::collection::vec(arb_slot(), 0..7), m in 0i64..(40 * 1440)) {
            let s = Schedule::new(slots);
            let at = minute(m);
            let d = s.decide(at);
            let covering: Vec<usize> = (0..s.slots.len()).filter(|&i| s.slots[i].covers(at)).collect();
            match d.slot {
                None => {
                    prop_assert!(covering.is_empty());
                    prop_assert_eq!(d.playlist(), Some("default"));
                }
                Some(i) => {
                    prop_assert!(covering.contains(&i));
                    let key = |j: usize| (s.slots[j].priority, s.slots[j].specificity(), j);
                    for &j in &covering {
                        prop_assert!(key(j) <= key(i), "slot {} beats the winner {}", j, i);
                    }
                }
            }
        }

        #[test]
        fn stretches_and_next_change_agree_with_every_minute(slots in proptest::collection::vec(arb_slot(), 0..6), day in 0i64..35) {
            let s = Schedule::new(slots);
            let from = minute(day * 1440);
            let to = from + CD::days(1);
            let stretches = s.stretches(from, to);
            // Every minute of the day lies in exactly one stretch, with that stretch's decision.
            prop_assert_eq!(stretches.first().map(|x| x.from), Some(from));
            prop_assert_eq!(stretches.last().map(|x| x.to), Some(to));
            for w in stretches.windows(2) {
                prop_assert_eq!(w[0].to, w[1].from);
                prop_assert_ne!(&w[0].decision, &w[1].decision);
            }
            for st in &stretches {
                let mut m = st.from;
                while m < st.to {
                    prop_assert_eq!(&s.decide(m), &st.decision, "at {}", m);
                    m += CD::minutes(1);
                }
            }
            // next_change is the first minute with another decision.
            let first = s.decide(from);
            let expected = (1..2 * 1440).map(|k| from + CD::minutes(k)).find(|&m| s.decide(m) != first);
            let got = s.next_change(from, 2).filter(|&c| c < from + CD::minutes(2 * 1440));
            prop_assert_eq!(got, expected);
        }
    }
}

#[test]
fn plan_and_check_read_the_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for pl in ["default", "notices", "lunch"] {
        std::fs::create_dir_all(root.join(pl)).unwrap();
        write_solid(&root.join(pl).join("a.png"), 8, 8, [1, 1, 1]);
    }
    std::fs::write(root.join("lunch/menu.txt"), "Menu\nPizza").unwrap();
    std::fs::write(root.join("lunch/playlist.toml"), "[[item]]\nfile = \"menu.txt\"\ndays = \"fri\"\n")
        .unwrap();
    std::fs::write(
        root.join("schedule.toml"),
        "[[slot]]\nname = \"Before school\"\nplaylist = \"notices\"\ndays = \"weekdays\"\nfrom = \"08:00\"\nto = \"08:50\"\n\n[[slot]]\nname = \"Lunch\"\nplaylist = \"lunch\"\nfrom = \"12:00\"\nto = \"13:00\"\n\n[[off]]\nname = \"Night\"\nfrom = \"18:00\"\nto = \"07:00\"\n",
    )
    .unwrap();
    let out = corridor().args(["plan", "--date", "2027-01-08", "--content"]).arg(root).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        stdout(&out),
        "2027-01-08 00:00-07:00 OFF (Night)\n\
         2027-01-08 07:00-08:00 default (nothing scheduled)\n\
         2027-01-08 08:00-08:50 notices (Before school)\n\
         2027-01-08 08:50-12:00 default (nothing scheduled)\n\
         2027-01-08 12:00-13:00 lunch (Lunch)\n\
         2027-01-08 13:00-18:00 default (nothing scheduled)\n\
         2027-01-08 18:00-24:00 OFF (Night)\n"
    );
    let out = corridor().args(["plan", "--at", "2027-01-07 12:30", "--content"]).arg(root).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("2027-01-07 12:30: lunch (Lunch)"), "{text}");
    assert!(text.contains("schedule.toml line 8"), "{text}");
    assert!(text.contains("until: 2027-01-07 13:00"), "{text}");
    assert!(
        text.contains("slides due (1 of 2):\n  lunch/a.png\n"),
        "Thursday: the Friday menu is not due\n{text}"
    );

    // A broken schedule: each error with its line; the default plays all day.
    std::fs::write(
        root.join("schedule.toml"),
        "[[slot]]\nplaylist = \"lunch\"\nfrom = \"25:00\"\nto = \"13:00\"\n",
    )
    .unwrap();
    let out = corridor().args(["check", "--content"]).arg(root).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("schedule.toml:3: `from`: \"25:00\" is not a time of day"), "{text}");
    assert!(text.contains("the default playlist plays all day"), "{text}");
    let out = corridor().args(["plan", "--content"]).arg(root).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_sample_content_reads_cleanly_with_its_ticker() {
    // (Every example in docs/ is run by tests/parts/docs.rs.)
    let reading = corridor::core::library::read(Path::new("playlists"), &slides(), &mut Default::default())
        .expect("the sample content reads");
    assert!(reading.all_problems().is_empty(), "{:?}", reading.all_problems());
    let ticker = reading.ticker.expect("the sample ticker.toml");
    assert!(!ticker.feeds.is_empty() || !ticker.messages.is_empty(), "{ticker:?}");
}

#[test]
fn every_picture_format_decodes() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["png", "jpg", "webp", "gif", "bmp"] {
        let path = dir.path().join(format!("pic.{ext}"));
        write_solid(&path, 64, 48, [20, 200, 40]);
        let frame = media::decode_image(&path, (32, 32), Fit::Contain, Limits { max_megapixels: 100.0 })
            .unwrap_or_else(|e| panic!("{ext}: {e}"));
        assert_eq!((frame.width, frame.height), (32, 24), "{ext}");
        let px = &frame.rgba[(12 * 32 + 16) * 4..][..3];
        assert!(px[1] > 150 && px[0] < 80, "{ext}: {px:?}");
    }
}

mod ticker_tests {
    //! The ticker's feeds against a real HTTP server on 127.0.0.1.

    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use super::common::*;
    use chrono::Utc;
    use corridor::core::feeds::FeedError;
    use corridor::core::ticker::cache::FeedCache;
    use corridor::core::ticker::fetch::{FetchError, Fetched, Fetcher, Limits, USER_AGENT, Validators};
    use corridor::core::ticker::worker::Feeds;
    use corridor::core::ticker::{self, FeedSource, TickerSettings};

    fn limits() -> Limits {
        Limits {
            connect: Duration::from_secs(2),
            total: Duration::from_secs(2),
            max_bytes: 1024 * 1024,
            max_redirects: 5,
        }
    }

    fn server() -> TestServer {
        let changing = Arc::new(AtomicUsize::new(0));
        let flaky = Arc::new(AtomicUsize::new(0));
        TestServer::start(move |r| match r.path.as_str() {
            "/blog" if r.header("If-None-Match") == Some("\"v1\"") => Reply::status(304),
            "/blog" => Reply::Full {
                status: 200,
                headers: vec![("ETag".into(), "\"v1\"".into())],
                body: rss(&["Trip to the &lt;b&gt;museum&lt;/b&gt;", "Harvest   festival"]).into_bytes(),
            },
            "/error" => Reply::status(500),
            "/slow" => Reply::After(Duration::from_secs(10), Box::new(Reply::ok(rss(&["Late"])))),
            "/loop" => {
                Reply::Full { status: 302, headers: vec![("Location".into(), "/loop2".into())], body: vec![] }
            }
            "/loop2" => {
                Reply::Full { status: 302, headers: vec![("Location".into(), "/loop".into())], body: vec![] }
            }
            "/huge" => Reply::Claiming(50_000_000),
            "/endless" => Reply::Endless { slow: false },
            "/drip" => Reply::Endless { slow: true },
            "/silent" => Reply::Silent,
            "/login" => Reply::ok("<!DOCTYPE html><html><body><form>Log in</form></body></html>"),
            "/empty" => Reply::ok(""),
            "/invalid" => Reply::ok("<rss version=\"2.0\"><channel><item><title>Half"),
            "/bomb" => Reply::ok(
                "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><rss><channel><item><title>&c;</title></item></channel></rss>",
            ),
            "/many" => {
                let mut doc = String::from("<rss version=\"2.0\"><channel><title>t</title>");
                for i in 0..100_000 {
                    doc.push_str(&format!("<item><title>N{i}</title></item>"));
                }
                Reply::ok(doc + "</channel></rss>")
            }
            "/changing" => match changing.fetch_add(1, Ordering::SeqCst) {
                0 => Reply::ok(rss(&["Old news"])),
                _ => Reply::ok(rss(&["Fresh news", "Old news"])),
            },
            "/flaky" => match flaky.fetch_add(1, Ordering::SeqCst) {
                0 => Reply::ok(rss(&["Good headline"])),
                _ => Reply::status(503),
            },
            _ => Reply::status(404),
        })
    }

    fn get(f: &Fetcher, s: &TestServer, path: &str) -> Result<Vec<String>, FetchError> {
        match f.fetch(&FeedSource::Web(s.url(path)), &Validators::default())? {
            Fetched::Body { bytes, .. } => {
                Ok(corridor::core::feeds::parse(&bytes)?.into_iter().map(|h| h.title).collect())
            }
            Fetched::NotModified => Ok(vec![]),
        }
    }

    #[test]
    fn every_kind_of_answer_is_handled_in_bounded_time() {
        let s = server();
        let f = Fetcher::new(limits()).unwrap();
        assert_eq!(get(&f, &s, "/blog").unwrap(), ["Trip to the museum", "Harvest festival"]);
        let ua = s.hits("/blog")[0].header("User-Agent").unwrap().to_string();
        assert_eq!(ua, USER_AGENT);
        assert!(ua.starts_with(concat!("corridor/", env!("CARGO_PKG_VERSION"))));
        // Conditional GET: the ETag comes back and the unchanged feed is a 304.
        let first = f.fetch(&FeedSource::Web(s.url("/blog")), &Validators::default()).unwrap();
        let Fetched::Body { validators, .. } = first else { panic!("a body") };
        assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
        assert!(matches!(f.fetch(&FeedSource::Web(s.url("/blog")), &validators), Ok(Fetched::NotModified)));

        let started = Instant::now();
        assert_eq!(get(&f, &s, "/error"), Err(FetchError::Status("500 Internal Server Error".into())));
        assert_eq!(get(&f, &s, "/slow"), Err(FetchError::TimedOut(2)));
        assert_eq!(get(&f, &s, "/silent"), Err(FetchError::TimedOut(2)));
        assert_eq!(get(&f, &s, "/drip"), Err(FetchError::TimedOut(2)));
        assert_eq!(get(&f, &s, "/loop"), Err(FetchError::Redirects(5)));
        assert_eq!(get(&f, &s, "/huge"), Err(FetchError::TooLarge(1024 * 1024)));
        assert_eq!(get(&f, &s, "/endless"), Err(FetchError::TooLarge(1024 * 1024)));
        assert_eq!(get(&f, &s, "/login"), Err(FetchError::Feed(FeedError::WebPage)));
        assert_eq!(get(&f, &s, "/empty"), Err(FetchError::Feed(FeedError::Empty)));
        assert_eq!(get(&f, &s, "/bomb"), Err(FetchError::Feed(FeedError::Entities)));
        assert!(matches!(get(&f, &s, "/invalid"), Err(FetchError::Feed(FeedError::Invalid(_)))));
        assert!(matches!(get(&f, &s, "/nothing-here"), Err(FetchError::Status(st)) if st.starts_with("404")));
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let refused = f.fetch(&FeedSource::Web(format!("http://{closed}/feed")), &Validators::default());
        assert!(matches!(refused, Err(FetchError::Connect(_))), "{refused:?}");
        // Each slow case gave up at the 2 s limit (a loose upper bound, not a timing figure).
        assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
        // 100,000 items (3 MB): read, and only the first MAX_ITEMS kept.
        let many = get(&Fetcher::new(Limits { max_bytes: 5_000_000, ..limits() }).unwrap(), &s, "/many");
        assert_eq!(many.map(|m| m.len()), Ok(corridor::core::feeds::MAX_ITEMS));
    }

    fn settings(text: &str) -> Arc<TickerSettings> {
        let mut problems = Vec::new();
        let s = ticker::parse(text, std::path::Path::new("/nowhere"), &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        Arc::new(s)
    }

    #[test]
    fn feeds_keep_their_last_good_copy_follow_changes_and_start_from_the_cache() {
        let s = server();
        let dir = tempfile::tempdir().unwrap();
        let cache = FeedCache::new(dir.path().join("feeds"));
        let text = format!(
            "[[message]]\ntext = \"Book fair on Friday\"\n[[feed]]\nurl = \"{}\"\nlabel = \"Year 3\"\n[[feed]]\nurl = \"{}\"\nlabel = \"Year 4\"\n[[feed]]\nurl = \"{}\"\nlabel = \"Broken\"\n[[feed]]\nurl = \"{}\"\nlabel = \"Blog\"\n",
            s.url("/changing"),
            s.url("/flaky"),
            s.url("/error"),
            s.url("/blog"),
        );
        let f = Fetcher::new(limits()).unwrap();
        let mut feeds = Feeds::new(Some(cache.clone()));
        let t0 = Instant::now();
        feeds.set_settings(settings(&text), t0);
        let due = feeds.due(t0);
        assert_eq!(due.len(), 4);
        let log = feeds.fetch(&f, &due, t0, Utc::now());
        assert_eq!(log.len(), 1, "{log:?}");
        assert!(log[0].contains("Broken") && log[0].contains("500"), "{log:?}");
        let shown = |feeds: &Feeds| -> Vec<String> {
            feeds.lines(Utc::now()).iter().map(|l| l.shown(true)).collect()
        };
        assert_eq!(
            shown(&feeds),
            [
                "Book fair on Friday",
                "Year 3: Old news",
                "Year 4: Good headline",
                "Blog: Trip to the museum",
                "Blog: Harvest festival"
            ]
        );
        // The failing feed is tried again sooner than the refresh; the good ones at the refresh.
        assert_eq!(feeds.due(t0 + Duration::from_secs(31)).len(), 1);
        let later = t0 + Duration::from_secs(601);
        let due = feeds.due(later);
        assert_eq!(due.len(), 4);
        let log = feeds.fetch(&f, &due, later, Utc::now());
        // The changed feed shows its news; the feed that now fails keeps its last good copy; the
        // unchanged one was a 304.
        let after = [
            "Book fair on Friday",
            "Year 3: Fresh news",
            "Year 3: Old news",
            "Year 4: Good headline",
            "Blog: Trip to the museum",
            "Blog: Harvest festival",
        ];
        assert_eq!(shown(&feeds), after);
        assert!(log.iter().any(|l| l.contains("Year 4") && l.contains("503")), "{log:?}");
        let blog = s.hits("/blog");
        assert_eq!(blog.len(), 2);
        assert_eq!(blog[1].header("If-None-Match"), Some("\"v1\""));
        let states = feeds.states();
        assert!(states[1].error.as_deref().is_some_and(|e| e.contains("503")), "{states:?}");
        assert_eq!(states[1].headlines, 1);
        assert!(states[1].last_success.is_some());
        assert!(states[2].last_success.is_none());

        // A restart with the network down: the cached copies show before any fetch.
        let mut restarted = Feeds::new(Some(cache));
        restarted.set_settings(settings(&text), Instant::now());
        assert_eq!(shown(&restarted), after);
    }

    #[test]
    fn ticker_command_prints_headlines_in_scroll_order() {
        let s = server();
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(content.join("default")).unwrap();
        std::fs::write(content.join("library.xml"), rss(&["New books: Welsh ŵ ŷ, Polish ł, Turkish ğ"]))
            .unwrap();
        std::fs::write(
            content.join("ticker.toml"),
            format!(
                "[[message]]\ntext = \"Book fair on Friday\"\n[[feed]]\nurl = \"{}\"\nlabel = \"Year 3 blog\"\n[[feed]]\nurl = \"library.xml\"\nlabel = \"Library\"\n",
                s.url("/blog")
            ),
        )
        .unwrap();
        let out = corridor().arg("--content").arg(&content).arg("ticker").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            stdout(&out),
            "Book fair on Friday\nYear 3 blog: Trip to the museum\nYear 3 blog: Harvest festival\nLibrary: New books: Welsh ŵ ŷ, Polish ł, Turkish ğ\n"
        );
        // Feeds given on the command line: a URL and a file:// address.
        let file_url = format!("file://{}", content.join("library.xml").display());
        let out = corridor().args(["ticker", &s.url("/changing"), &file_url]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(stdout(&out), "Old news\nNew books: Welsh ŵ ŷ, Polish ł, Turkish ğ\n");
        // A failing feed: the others still print, the reason is on stderr, exit code 1.
        let out = corridor().args(["ticker", &s.url("/error"), &s.url("/blog")]).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(stdout(&out), "Trip to the museum\nHarvest festival\n");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("/error: the server answered 500"), "{err}");

        // `check` reports a failing feed as a problem of ticker.toml.
        std::fs::write(
            content.join("ticker.toml"),
            format!("[[feed]]\nurl = \"{}\"\nlabel = \"Year 5\"\n", s.url("/login")),
        )
        .unwrap();
        let out = corridor().arg("--content").arg(&content).arg("check").output().unwrap();
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(text.contains("ticker.toml: feed \"Year 5\""), "{text}");
        assert!(text.contains("this is a web page, not a feed"), "{text}");
    }
}

#[test]
fn check_reports_each_videos_length_and_each_bad_video() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let pl = content.join("default");
    std::fs::create_dir_all(&pl).unwrap();
    make_clip(&pl.join("film.webm"), &["red", "blue"]);
    make_clip(&pl.join("advert.mp4"), &["green"]);
    make_clip(&pl.join("iphone.mov"), &["blue"]);
    make_clip(&pl.join("story.mkv"), &["red", "green", "blue"]);
    std::fs::write(pl.join("empty.mp4"), b"").unwrap();
    // An MP4 cut short loses its index (written last): nothing in it can be found.
    let whole = std::fs::read(pl.join("advert.mp4")).unwrap();
    std::fs::write(pl.join("truncated.mp4"), &whole[..whole.len() / 2]).unwrap();
    std::fs::write(pl.join("webpage.mov"), b"<html><body>Log in</body></html>").unwrap();
    let out = corridor().arg("--content").arg(&content).arg("check").output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    // Each with the decoder GStreamer picked (software here; a graphics chip's where installed).
    for (film, line, codec) in [
        ("film.webm", "2s long", "vp8"),
        ("advert.mp4", "1s long", "h264"),
        ("iphone.mov", "1s long", "h264"),
        ("story.mkv", "3s long", "vp9"),
    ] {
        let start = format!("default/{film}: video, {line}, plays on this machine (decoded by ");
        let found = text.lines().find(|l| l.starts_with(&start));
        assert!(found.is_some_and(|l| l.contains(codec)), "{film}: {text}");
    }
    assert!(text.contains("default/empty.mp4: the file is empty"), "{text}");
    // Cut short, it fails at once or, if its decoder waits for the missing part, at the start limit.
    assert!(
        text.contains("default/truncated.mp4: this machine cannot play it")
            || text.contains("default/truncated.mp4: the video did not start within"),
        "{text}"
    );
    assert!(text.contains("default/webpage.mov: this machine cannot play it"), "{text}");
    assert!(text.contains("3 problems found"), "{text}");
}

#[test]
fn a_video_starts_mid_film_and_one_with_sound_waits_for_its_slide() {
    use corridor::core::media::video::{PlayOptions, Sound, VideoEvent, VideoStream};
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("story.webm");
    make_clip_with_sound(&clip, &["red", "blue", "green"]);
    let name = colour_name;
    let near = |a: Duration, b: Duration| a.abs_diff(b) <= Duration::from_millis(40);
    // The colour of each frame to the film's end.
    let play_through = |s: &VideoStream| {
        let mut colours = String::new();
        let started = std::time::Instant::now();
        loop {
            assert!(started.elapsed() < Duration::from_secs(20), "the film ends");
            match s.try_next() {
                Some(VideoEvent::Frame(f)) => colours.push(name(f.rgb_at(80, 45).unwrap())),
                Some(VideoEvent::End) => return colours,
                Some(VideoEvent::Failed(e)) => panic!("{e}"),
                None => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    };

    // Silent, from 1.5 s: the first frame is the one at 1.5 s (blue), and it plays on from there.
    let how = PlayOptions { from: Duration::from_millis(1500), ..Default::default() };
    let s = VideoStream::open(&clip, (160, 90), how).expect("opens");
    assert_eq!(s.length, Some(Duration::from_secs(3)));
    assert_eq!(s.sound(), Sound::Off);
    let first = s.take_first().expect("first frame");
    assert!(near(first.pts, Duration::from_millis(1500)), "{:?}", first.pts);
    assert_eq!(name(first.rgb_at(80, 45).unwrap()), 'B');
    let colours = play_through(&s);
    assert!(colours.starts_with("BBBB") && colours.ends_with("GGGG"), "{colours}");
    assert!(!colours.contains('R') && !colours.contains('?'), "{colours}");

    // The same from an MP4 (H.264 with B-frames, frames stored out of order).
    let mp4 = dir.path().join("story.mp4");
    make_clip(&mp4, &["red", "blue", "green"]);
    let s = VideoStream::open(&mp4, (160, 90), how).expect("opens");
    let first = s.take_first().expect("first frame");
    assert!(near(first.pts, Duration::from_millis(1500)), "{:?}", first.pts);
    assert_eq!(name(first.rgb_at(80, 45).unwrap()), 'B');
    let colours = play_through(&s);
    assert!(colours.starts_with("BBBB") && colours.ends_with("GGGG"), "{colours}");

    // With sound: the sound is taken (to a device, or decoded in time where the machine has
    // none), and the film waits on its first frame until its slide goes on screen.
    let how = PlayOptions { sound: true, ..Default::default() };
    let s = VideoStream::open(&clip, (160, 90), how).expect("opens with sound");
    let first = s.take_first().expect("first frame");
    assert_eq!((first.pts, name(first.rgb_at(80, 45).unwrap())), (Duration::ZERO, 'R'));
    assert_ne!(s.sound(), Sound::Off);
    std::thread::sleep(Duration::from_millis(300));
    assert!(s.try_next().is_none(), "a film with sound waits for its slide");
    s.play();
    let colours = play_through(&s);
    assert!(
        colours.starts_with("RRRR")
            && colours.contains("RB")
            && colours.contains("BG")
            && colours.ends_with("GGGG"),
        "{colours}"
    );
    assert!(colours.len() >= 75, "the whole film plays: {colours}");

    // Started mid-film (a snapshot of a moment), a film with sound on is silent.
    let how = PlayOptions { sound: true, from: Duration::from_millis(2200), ..Default::default() };
    let s = VideoStream::open(&clip, (160, 90), how).expect("opens");
    assert_eq!(s.sound(), Sound::Off);
    assert_eq!(name(s.take_first().expect("first frame").rgb_at(80, 45).unwrap()), 'G');
}

#[test]
fn video_lengths_are_known_to_the_schedule_before_they_play() {
    let dir = tempfile::tempdir().unwrap();
    let pl = dir.path().join("default");
    std::fs::create_dir_all(&pl).unwrap();
    make_clip(&pl.join("1 film.webm"), &["red", "blue", "green"]);
    make_clip(&pl.join("2 given.mp4"), &["green"]);
    std::fs::write(pl.join("3 broken.mp4"), b"not a film").unwrap();
    std::fs::write(
        pl.join("playlist.toml"),
        "[[item]]\nfile = \"2 given.mp4\"\nduration = \"4s\"\nsound = true\n",
    )
    .unwrap();
    let mut content = content::scan(dir.path(), &slides()).unwrap();
    corridor::core::library::fill_lengths(&mut content, &mut Default::default());
    let items = &content.playlist("default").unwrap().items;
    let of = |n: &str| items.iter().find(|i| i.rel.ends_with(n)).unwrap();
    assert_eq!(of("1 film.webm").duration, Duration::from_secs(3), "its own length");
    assert!(!of("1 film.webm").sound, "silent unless switched on");
    assert_eq!(of("2 given.mp4").duration, Duration::from_secs(4), "playlist.toml's duration wins");
    assert!(of("2 given.mp4").sound);
    assert_eq!(
        of("3 broken.mp4").duration,
        slides().default_duration,
        "unreadable: the default (check says why)"
    );
}

#[test]
fn films_keep_their_true_shape_and_bad_ones_fail_fast_with_sound_on() {
    use corridor::core::media::video::{PlayOptions, VideoError, VideoStream};
    let dir = tempfile::tempdir().unwrap();
    // Anamorphic: 120x90 stored, pixels 4:3 wide, so the picture is 160x90.
    let wide = dir.path().join("wide.webm");
    gst_launch(&format!(
        "videotestsrc num-buffers=10 ! video/x-raw,width=120,height=90,pixel-aspect-ratio=4/3,framerate=25/1 ! vp8enc deadline=1 ! webmmux ! filesink location=\"{}\"",
        wide.display()
    ));
    let s = VideoStream::open(&wide, (1920, 1080), PlayOptions::default()).expect("opens");
    assert_eq!(s.size, (160, 90));

    // A sound file, and a web page, named as films, with sound on: refused at once, not after
    // the start limit (the film waits paused for its slide, and nothing arrives to wait for).
    let sound_only = dir.path().join("song.webm");
    gst_launch(&format!(
        "audiotestsrc num-buffers=20 ! audioconvert ! vorbisenc ! webmmux ! filesink location=\"{}\"",
        sound_only.display()
    ));
    let page = dir.path().join("page.mp4");
    std::fs::write(&page, b"<html><body>Log in</body></html>").unwrap();
    let how = PlayOptions { sound: true, ..Default::default() };
    for (file, want) in [(&sound_only, "no pictures"), (&page, "cannot play")] {
        let started = std::time::Instant::now();
        let e = VideoStream::open(file, (320, 180), how).expect_err("refused");
        assert!(e.to_string().contains(want), "{e}");
        assert!(!matches!(e, VideoError::Stalled(_)), "{e}");
        assert!(started.elapsed() < corridor::core::media::video::START_LIMIT, "{:?}", started.elapsed());
    }
}

#[test]
fn films_from_photo_story_old_cameras_and_phones_play_with_their_colours() {
    use corridor::core::media::video::{PlayOptions, VideoEvent, VideoStream};
    let dir = tempfile::tempdir().unwrap();
    let films = [
        ("photostory.wmv", "-c:v wmv2"),
        ("camera.avi", "-c:v mpeg4"),
        ("camcorder.mpg", "-c:v mpeg1video -f mpeg"),
        ("dvd.mpeg", "-c:v mpeg2video -f mpeg"),
        ("phone.3gp", "-c:v h263"),
        ("itunes.m4v", "-c:v libx264 -pix_fmt yuv420p"),
        ("iphone.mov", "-c:v libx265 -tag:v hvc1 -pix_fmt yuv420p -x265-params log-level=error"),
    ];
    for (name, args) in films {
        let path = dir.path().join(name);
        ffmpeg_clip(&path, args);
        assert_eq!(content::classify(name), Ok(MediaKind::Video), "{name}");
        let s = VideoStream::open(&path, (176, 144), PlayOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // The length the schedule plans with (an MPEG program stream's is found at its end).
        let length = corridor::core::media::probe_length(&Source::File(path.clone())).unwrap_or_default();
        assert!(length.abs_diff(Duration::from_secs(3)) < Duration::from_millis(100), "{name}: {length:?}");
        let mut colours = String::new();
        let started = std::time::Instant::now();
        if let Some(f) = s.take_first() {
            colours.push(colour_name(f.rgb_at(88, 72).unwrap()));
        }
        loop {
            assert!(started.elapsed() < Duration::from_secs(30), "{name}: the film ends");
            match s.try_next() {
                Some(VideoEvent::Frame(f)) => colours.push(colour_name(f.rgb_at(88, 72).unwrap())),
                Some(VideoEvent::End) => break,
                Some(VideoEvent::Failed(e)) => panic!("{name}: {e}"),
                None => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        let runs: String = colours.chars().fold(String::new(), |mut r, c| {
            if !r.ends_with(c) {
                r.push(c);
            }
            r
        });
        assert_eq!(runs, "RBG", "{name}: {colours}");
        assert!(colours.len() >= 70, "{name}: every frame: {colours}");
    }
}

#[test]
fn check_lists_each_films_subtitles_and_each_file_that_is_not_right() {
    let dir = tempfile::tempdir().unwrap();
    let default = dir.path().join("playlists/default");
    std::fs::create_dir_all(&default).unwrap();
    make_clip(&default.join("story.mp4"), &["red"]);
    std::fs::write(
        default.join("story.srt"),
        "1\n00:00:00,100 --> 00:00:00,500\nHello\n\n2\n00:00:00,600 --> 00:00:00,900\nBye\n",
    )
    .unwrap();
    make_clip(&default.join("bad.webm"), &["blue"]);
    std::fs::write(default.join("bad.srt"), "1\n00:99:99,000 --> 00:00:02,000\nx\n").unwrap();
    make_clip(&default.join("notes.webm"), &["green"]);
    std::fs::write(default.join("notes.vtt"), "Remember to film the ending again.\n").unwrap();
    std::fs::write(default.join("lonely.srt"), "00:00:01,000 --> 00:00:02,000\nNo film\n").unwrap();
    let out = corridor().args(["check", "--content"]).arg(dir.path().join("playlists")).output().unwrap();
    let said = stdout(&out);
    assert!(said.contains("subtitles from default/story.srt (2 cues)"), "{said}");
    assert!(said.contains("default/bad.srt: line 2: \"00:99:99,000\" is not a time like 00:01:02,500; the film plays without subtitles"), "{said}");
    assert!(said.contains("default/notes.vtt: these are not subtitles"), "{said}");
    assert!(
        said.contains("default/lonely.srt: warning: these subtitles have no film of the same name"),
        "{said}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_films_own_subtitle_track_is_read_as_it_plays() {
    use corridor::core::media::video::{PlayOptions, VideoEvent, VideoStream};
    let dir = tempfile::tempdir().unwrap();
    let srt = dir.path().join("words.srt");
    std::fs::write(&srt, "1\n00:00:00,500 --> 00:00:01,500\n<i>Once upon a time</i>\n\n2\n00:00:02,000 --> 00:00:02,800\nthe end\n").unwrap();
    for (name, codec) in [("story.mkv", "srt"), ("story.mp4", "mov_text")] {
        let film = dir.path().join(name);
        let args = format!("-map 3:s -c:v libx264 -pix_fmt yuv420p -c:s {codec}");
        ffmpeg_clip_with(&film, &[&srt], &args);
        let how = PlayOptions { captions: true, ..Default::default() };
        let s = VideoStream::open(&film, (176, 144), how).unwrap_or_else(|e| panic!("{name}: {e}"));
        let started = std::time::Instant::now();
        loop {
            assert!(started.elapsed() < Duration::from_secs(30), "{name}: the film ends");
            match s.try_next() {
                Some(VideoEvent::End) => break,
                Some(VideoEvent::Failed(e)) => panic!("{name}: {e}"),
                Some(VideoEvent::Frame(_)) => {}
                None => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        let at = |ms| s.subtitle_at(Duration::from_millis(ms));
        assert_eq!(at(1000).as_deref(), Some("Once upon a time"), "{name}");
        assert_eq!(at(1700), None, "{name}");
        assert_eq!(at(2500).as_deref(), Some("the end"), "{name}");
    }
}
