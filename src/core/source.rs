//! What a slide comes from: a file of the content folder, or a live stream named by a `.stream`
//! (or `.url`) file there; the pages of a presentation come as a further kind of [`Source`]. The
//! screen, the show, the status file and `corridor check` name and tell slides apart by their
//! source, never by a path.

use std::fmt;
use std::path::{Path, PathBuf};

use super::stream::StreamAddress;

/// What kind of slide a source makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Image,
    Notice,
    Video,
    /// A live stream: played like a film, for its slide's time, the newest frame at once.
    Stream,
    /// A presentation or PDF: its pages play as pictures, one slide each (`core::deck`).
    Deck,
}

/// Where a slide's content comes from. Two sources are the same when their paths are the same
/// bytes: cheap enough to compare every slide of a big playlist on the screen's thread (a
/// `Path`'s own comparison parses both into components).
#[derive(Clone, Debug, Hash)]
pub enum Source {
    /// A file on disk (in the content folder).
    File(PathBuf),
    /// A live stream, named by the file in the content folder that holds its address.
    Stream { file: PathBuf, address: StreamAddress },
}

impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Source::File(a), Source::File(b)) => a.as_os_str() == b.as_os_str(),
            (Source::Stream { file: a, address: x }, Source::Stream { file: b, address: y }) => {
                a.as_os_str() == b.as_os_str() && x == y
            }
            _ => false,
        }
    }
}

impl Eq for Source {}

impl Source {
    /// The file in the content folder this source is named by (for a stream, the file that
    /// holds its address).
    pub fn file(&self) -> Option<&Path> {
        match self {
            Source::File(path) | Source::Stream { file: path, .. } => Some(path),
        }
    }

    /// The live stream this source plays, if it is one.
    pub fn stream(&self) -> Option<&StreamAddress> {
        match self {
            Source::Stream { address, .. } => Some(address),
            Source::File(_) => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(path) | Source::Stream { file: path, .. } => write!(f, "{}", path.display()),
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

    #[test]
    fn a_stream_source_is_named_by_its_file_and_plays_its_address() {
        let address = crate::core::stream::parse_address("rtsp://studio.local:8554/assembly").unwrap();
        let file = PathBuf::from("/srv/corridor/assembly/assembly.stream");
        let s = Source::Stream { file: file.clone(), address: address.clone() };
        assert_eq!(s.file(), Some(file.as_path()));
        assert_eq!(s.stream(), Some(&address));
        assert_eq!(s.to_string(), "/srv/corridor/assembly/assembly.stream");
        assert_ne!(s, Source::File(file));
        let other = crate::core::stream::parse_address("srt://studio.local:9000").unwrap();
        assert_ne!(
            s,
            Source::Stream { file: PathBuf::from("/srv/corridor/assembly/assembly.stream"), address: other }
        );
    }
}
