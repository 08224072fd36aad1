//! Pupils' presentations (issue 17): a PowerPoint (.pptx, .ppt, .pps, .ppsx), LibreOffice
//! (.odp) or PDF deck plays page by page. [`convert`] draws a deck's pages with LibreOffice and
//! poppler (separate processes, time-limited, macros off); [`cache`] keeps them by the file's
//! hash and the stage size; [`pages`] reads which pages play. Blocking work: a worker thread
//! converts, one deck at a time.

pub mod cache;
pub mod convert;
pub mod pages;

/// Why a deck cannot be shown; the words are for staff.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeckError {
    #[error(
        "LibreOffice is not installed, so presentations cannot be shown (install the Debian package libreoffice-impress-nogui)"
    )]
    NoLibreOffice,
    #[error(
        "poppler is not installed, so presentations and PDFs cannot be shown (install the Debian package poppler-utils)"
    )]
    NoPoppler,
    #[error("it is protected by a password; save it without one")]
    Protected,
    #[error("it cannot be read as a presentation: {0}")]
    Damaged(String),
    #[error("it would unpack to more than {0} MB; it is refused")]
    TooBig(u64),
    #[error("converting it took longer than {0} s; it was stopped")]
    TimedOut(u64),
    #[error("{0}")]
    Io(String),
}
