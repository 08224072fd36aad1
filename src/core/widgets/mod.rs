//! Widget data: house points, birthdays, awards, sports and countdowns, read from plain files at
//! the top of the content folder that Excel or a text editor can write. Each file is optional. A
//! bad row is skipped and reported as `file:line: what is wrong`; the good rows still count. A
//! file that cannot be read at all is `None`, so the screen keeps its last good data.

pub mod csv;
pub mod data;
pub mod files;

pub use data::*;
pub use files::*;

use std::path::Path;

use super::problems::Problem;

/// The widget files, at the top of the content folder.
pub const HOUSE_POINTS_FILE: &str = "house-points.toml";
pub const BIRTHDAYS_FILE: &str = "birthdays.csv";
pub const AWARDS_FILE: &str = "awards.toml";
pub const SPORTS_FILE: &str = "sports.toml";
pub const COUNTDOWNS_FILE: &str = "countdowns.toml";

/// All widget data; a field is None when its file exists but could not be read at all.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WidgetData {
    pub house_points: Option<HousePoints>,
    pub birthdays: Option<Vec<Birthday>>,
    pub awards: Option<Vec<Award>>,
    pub sports: Option<Sports>,
    pub countdowns: Option<Vec<Countdown>>,
}

/// Reads every widget file of the content folder.
pub fn load(root: &Path) -> (WidgetData, Vec<Problem>) {
    let mut problems = Vec::new();
    let data = WidgetData {
        house_points: read(root, HOUSE_POINTS_FILE, &mut problems, |t, p| parse_house_points(t, p)),
        birthdays: read_bytes(root, BIRTHDAYS_FILE, &mut problems)
            .map(|b| parse_birthdays(&b, &mut problems)),
        awards: read(root, AWARDS_FILE, &mut problems, |t, p| parse_awards(t, p)),
        sports: read(root, SPORTS_FILE, &mut problems, |t, p| parse_sports(t, p)),
        countdowns: read(root, COUNTDOWNS_FILE, &mut problems, |t, p| parse_countdowns(t, p)),
    };
    (data, problems)
}

fn read_bytes(root: &Path, name: &str, problems: &mut Vec<Problem>) -> Option<Vec<u8>> {
    match std::fs::read(root.join(name)) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(Vec::new()),
        Err(e) => {
            problems.push(Problem::error(
                Some(name.into()),
                format!("cannot read it ({e}); the last good data stays"),
            ));
            None
        }
    }
}

fn read<T: Default>(
    root: &Path,
    name: &str,
    problems: &mut Vec<Problem>,
    parse: impl Fn(&str, &mut Vec<Problem>) -> Option<T>,
) -> Option<T> {
    let bytes = read_bytes(root, name, problems)?;
    if bytes.is_empty() {
        return Some(T::default());
    }
    parse(&super::text::decode_text(&bytes), problems)
}
