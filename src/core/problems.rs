//! One `Problem` type that `corridor check`, the log and (later) the status file all use,
//! so a problem is reported in the same words everywhere.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is. Nothing here ever stops the screen: an error means one thing is skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing; everything still shows.
    Warning,
    /// One file, row or setting is skipped; the rest carries on.
    Error,
}

/// A thing staff should fix: which file, which line, what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file, relative to the content folder where it lies inside it.
    pub file: Option<PathBuf>,
    /// 1-based line number inside `file`, where it is known.
    pub line: Option<usize>,
    /// Plain words: what is wrong and what to do.
    pub message: String,
    pub severity: Severity,
}

impl Problem {
    pub fn error(file: impl Into<Option<PathBuf>>, message: impl Into<String>) -> Self {
        Self { file: file.into(), line: None, message: message.into(), severity: Severity::Error }
    }

    pub fn warning(file: impl Into<Option<PathBuf>>, message: impl Into<String>) -> Self {
        Self { file: file.into(), line: None, message: message.into(), severity: Severity::Warning }
    }

    pub fn at_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    /// Rewrites `file` relative to `root` when it lies below it.
    pub fn relative_to(mut self, root: &Path) -> Self {
        if let Some(file) = &self.file {
            if let Ok(rel) = file.strip_prefix(root) {
                self.file = Some(rel.to_path_buf());
            }
        }
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
            write!(f, ": ")?;
        }
        if self.severity == Severity::Warning {
            write!(f, "warning: ")?;
        }
        write!(f, "{}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_and_line() {
        let p = Problem::error(PathBuf::from("default/playlist.toml"), "bad").at_line(Some(3));
        assert_eq!(p.to_string(), "default/playlist.toml:3: bad");
        let w = Problem::warning(None, "careful");
        assert_eq!(w.to_string(), "warning: careful");
    }

    #[test]
    fn relative_to_strips_root() {
        let p = Problem::error(PathBuf::from("/c/default/a.jpg"), "x").relative_to(Path::new("/c"));
        assert_eq!(p.file.as_deref(), Some(Path::new("default/a.jpg")));
    }
}
