//! What a slide comes from. Today every slide is a file of the content folder; live streams and
//! the pages of a presentation come as further kinds of [`Source`]. The screen, the show, the
//! status file and `corridor check` name and tell slides apart by their source, never by a path.

use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of slide a source makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Image,
    Notice,
    Video,
}

/// Where a slide's content comes from. Two sources are the same when their paths are the same
/// bytes: cheap enough to compare every slide of a big playlist on the screen's thread (a
/// `Path`'s own comparison parses both into components).
#[derive(Clone, Debug, Hash)]
pub enum Source {
    /// A file on disk (in the content folder).
    File(PathBuf),
}

impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Source::File(a), Source::File(b)) => a.as_os_str() == b.as_os_str(),
        }
    }
}

impl Eq for Source {}

impl Source {
    /// The file on disk this source reads, if it is one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Source::File(path) => Some(path),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(path) => write!(f, "{}", path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_source_names_its_file() {
        let s = Source::File(PathBuf::from("/srv/corridor/default/a.jpg"));
        assert_eq!(s.file(), Some(Path::new("/srv/corridor/default/a.jpg")));
        assert_eq!(s.to_string(), "/srv/corridor/default/a.jpg");
        assert_eq!(s.clone(), s);
    }
}
