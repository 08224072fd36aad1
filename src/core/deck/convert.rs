//! Turning one deck into pictures of its pages with the tools made for it, as separate
//! processes (poppler is GPL: never linked): LibreOffice (`soffice`, headless, corridor's own
//! profile with macros off) turns a presentation into a PDF, `pdfinfo` counts its pages and
//! `pdftoppm` draws them at the stage's size. Each run is held to a time limit (the whole
//! process group killed past it) and runs in the idle CPU class. A zipped deck whose contents
//! would unpack past a cap is refused before LibreOffice sees it. Blocking: worker threads only.

use std::io::{Read, Seek, SeekFrom};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::DeckError;

/// How long, how much and how many pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// One conversion (LibreOffice, then poppler) at most this long.
    pub timeout: Duration,
    /// Pages drawn at most (the first ones).
    pub max_pages: u32,
    /// A zipped deck (.pptx, .ppsx, .odp) whose files unpack to more than this is refused.
    pub max_unpacked: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { timeout: Duration::from_secs(120), max_pages: 100, max_unpacked: 512 << 20 }
    }
}

/// A deck drawn: its pages' pictures in order, and how many pages the document has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drawn {
    pub pages: Vec<PathBuf>,
    pub total: u32,
}

/// The extensions LibreOffice turns into a PDF first.
pub const OFFICE_EXTENSIONS: &[&str] = &["pptx", "ppt", "pps", "ppsx", "odp"];

/// Draws `file`'s pages to fit `stage` into the empty folder `out`, using `profile` as
/// LibreOffice's profile folder.
pub fn convert(
    file: &Path,
    stage: (u32, u32),
    out: &Path,
    profile: &Path,
    limits: &Limits,
) -> Result<Drawn, DeckError> {
    let started = Instant::now();
    let ext = file.extension().and_then(|e| e.to_str()).map(str::to_lowercase).unwrap_or_default();
    let pdf = if OFFICE_EXTENSIONS.contains(&ext.as_str()) {
        if ext != "ppt" && ext != "pps" {
            check_unpacked(file, limits.max_unpacked)?;
        }
        to_pdf(file, out, profile, limits.timeout)?
    } else {
        file.to_path_buf()
    };
    let left = |what| limits.timeout.checked_sub(started.elapsed()).ok_or(DeckError::TimedOut(what));
    let info = pdf_info(&pdf, out, left(limits.timeout.as_secs())?)?;
    let pages = info.pages.min(limits.max_pages);
    draw_pages(&pdf, &info, pages, stage, out, left(limits.timeout.as_secs())?)?;
    let mut drawn: Vec<PathBuf> = std::fs::read_dir(out)
        .map_err(|e| DeckError::Io(e.to_string()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| is_page(p))
        .collect();
    drawn.sort();
    if drawn.len() != pages as usize {
        return Err(DeckError::Damaged(format!("poppler drew {} of its {pages} pages", drawn.len())));
    }
    Ok(Drawn { pages: drawn, total: info.pages })
}

/// LibreOffice: the presentation as a PDF in `out`.
fn to_pdf(file: &Path, out: &Path, profile: &Path, timeout: Duration) -> Result<PathBuf, DeckError> {
    write_profile(profile)?;
    // Its PDF goes into a folder of its own, apart from the pages (a deck may be called page-1).
    let pdf_dir = out.join("pdf");
    std::fs::create_dir_all(&pdf_dir).map_err(|e| DeckError::Io(e.to_string()))?;
    let profile_url = std::path::absolute(profile)
        .ok()
        .and_then(|p| reqwest::Url::from_directory_path(p).ok())
        .ok_or_else(|| DeckError::Io(format!("{} cannot be LibreOffice's profile", profile.display())))?;
    let mut cmd = Command::new("soffice");
    cmd.arg(format!("-env:UserInstallation={profile_url}"))
        .args(["--headless", "--invisible", "--norestore", "--nolockcheck", "--nodefault", "--nologo"])
        .args(["--convert-to", "pdf", "--outdir"])
        .arg(&pdf_dir)
        .arg(file);
    let said = run(&mut cmd, out, timeout, DeckError::NoLibreOffice)?;
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let pdf = pdf_dir.join(format!("{stem}.pdf"));
    if !pdf.is_file() {
        let why =
            said.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("no PDF came out").trim().to_string();
        return Err(if said.contains("password") { DeckError::Protected } else { DeckError::Damaged(why) });
    }
    Ok(pdf)
}

/// What poppler says of a PDF.
#[derive(Clone, Copy, Debug)]
struct PdfInfo {
    pages: u32,
    /// The first page's size in points.
    size: (f64, f64),
}

fn pdf_info(pdf: &Path, out: &Path, timeout: Duration) -> Result<PdfInfo, DeckError> {
    let mut cmd = Command::new("pdfinfo");
    cmd.arg(pdf);
    let said = run(&mut cmd, out, timeout, DeckError::NoPoppler)?;
    if said.contains("Incorrect password") {
        return Err(DeckError::Protected);
    }
    let field = |name: &str| said.lines().find_map(|l| l.strip_prefix(name)).map(str::trim);
    let pages = field("Pages:").and_then(|p| p.parse().ok()).filter(|p| *p > 0);
    let size = field("Page size:").and_then(|s| {
        let mut parts = s.split_whitespace();
        let w: f64 = parts.next()?.parse().ok()?;
        let h: f64 = parts.nth(1)?.parse().ok()?;
        Some((w, h))
    });
    match (pages, size) {
        (Some(pages), Some(size)) if size.0 > 0.0 && size.1 > 0.0 => Ok(PdfInfo { pages, size }),
        _ => Err(DeckError::Damaged(said.lines().next().unwrap_or("not a PDF").trim().to_string())),
    }
}

/// `pdftoppm`: pages 1 to `pages` as PNGs `page-N.png`, as large as fits the stage.
fn draw_pages(
    pdf: &Path,
    info: &PdfInfo,
    pages: u32,
    stage: (u32, u32),
    out: &Path,
    timeout: Duration,
) -> Result<(), DeckError> {
    let scale = (stage.0 as f64 / info.size.0).min(stage.1 as f64 / info.size.1);
    let (w, h) = ((info.size.0 * scale).round().max(1.0), (info.size.1 * scale).round().max(1.0));
    let mut cmd = Command::new("pdftoppm");
    cmd.args(["-png", "-f", "1", "-l", &pages.to_string()])
        .args(["-scale-to-x", &format!("{w}"), "-scale-to-y", &format!("{h}")])
        .arg(pdf)
        .arg(out.join("page"));
    run(&mut cmd, out, timeout, DeckError::NoPoppler)?;
    // pdftoppm numbers them page-1 or page-01 by the page count's digits: one width for sorting.
    for entry in std::fs::read_dir(out).map_err(|e| DeckError::Io(e.to_string()))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(n) = name
            .strip_prefix("page-")
            .and_then(|r| r.strip_suffix(".png"))
            .and_then(|n| n.parse::<u32>().ok())
        {
            let _ = std::fs::rename(entry.path(), out.join(format!("page-{n:05}.png")));
        }
    }
    Ok(())
}

/// Runs `cmd` (its output into a file in `dir`) in the idle CPU class, in a process group of its
/// own that is killed whole past `timeout`; what it printed. A missing tool is `missing`.
fn run(cmd: &mut Command, dir: &Path, timeout: Duration, missing: DeckError) -> Result<String, DeckError> {
    let log = dir.join(".tool-output.txt");
    let file = std::fs::File::create(&log).map_err(|e| DeckError::Io(e.to_string()))?;
    let err = file.try_clone().map_err(|e| DeckError::Io(e.to_string()))?;
    cmd.stdin(Stdio::null()).stdout(file).stderr(err).process_group(0);
    // SAFETY: between fork and exec only sched_setscheduler (a system call) runs.
    unsafe {
        cmd.pre_exec(|| {
            let param = libc::sched_param { sched_priority: 0 };
            libc::sched_setscheduler(0, libc::SCHED_IDLE, &param);
            Ok(())
        });
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing),
        Err(e) => return Err(DeckError::Io(e.to_string())),
    };
    let started = Instant::now();
    loop {
        if let Some(_status) = child.try_wait().map_err(|e| DeckError::Io(e.to_string()))? {
            break;
        }
        if started.elapsed() > timeout {
            // SAFETY: kill only sends a signal, to the group the child leads.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            let _ = child.wait();
            return Err(DeckError::TimedOut(timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut said = String::new();
    let _ = std::fs::File::open(&log).and_then(|f| f.take(64 * 1024).read_to_string(&mut said));
    let _ = std::fs::remove_file(&log);
    Ok(said)
}

/// A drawn page: `page-N.png`.
pub fn is_page(p: &Path) -> bool {
    p.file_name().is_some_and(|n| {
        let n = n.to_string_lossy();
        n.starts_with("page-") && n.ends_with(".png")
    })
}

/// Macros never run: corridor's own LibreOffice profile sets the highest macro security and
/// turns macro execution off.
fn write_profile(profile: &Path) -> Result<(), DeckError> {
    let settings = profile.join("user/registrymodifications.xcu");
    if settings.is_file() {
        return Ok(());
    }
    let xcu = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"#;
    std::fs::create_dir_all(profile.join("user")).map_err(|e| DeckError::Io(e.to_string()))?;
    std::fs::write(&settings, xcu).map_err(|e| DeckError::Io(e.to_string()))
}

/// The total unpacked size a zip's central directory declares; refused past `cap` (a zip bomb),
/// and when it is not a zip at all.
pub fn check_unpacked(file: &Path, cap: u64) -> Result<u64, DeckError> {
    let damaged = |why: &str| DeckError::Damaged(why.to_string());
    let mut f = std::fs::File::open(file).map_err(|e| DeckError::Io(e.to_string()))?;
    let len = f.metadata().map_err(|e| DeckError::Io(e.to_string()))?.len();
    let tail_len = len.min(65_557);
    let mut tail = vec![0u8; tail_len as usize];
    f.seek(SeekFrom::Start(len - tail_len))
        .and_then(|_| f.read_exact(&mut tail))
        .map_err(|e| DeckError::Io(e.to_string()))?;
    let eocd = tail
        .windows(4)
        .rposition(|w| w == [0x50, 0x4b, 0x05, 0x06])
        .ok_or_else(|| damaged("it is not a presentation (not a zip file)"))?;
    let le32 =
        |b: &[u8], at: usize| b.get(at..at + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as u64);
    let le16 = |b: &[u8], at: usize| b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]) as u64);
    let (size, offset) = match (le32(&tail, eocd + 12), le32(&tail, eocd + 16)) {
        (Some(s), Some(o)) if s < 64 << 20 && o + s <= len => (s, o),
        _ => return Err(damaged("its zip directory is damaged")),
    };
    let mut dir = vec![0u8; size as usize];
    f.seek(SeekFrom::Start(offset))
        .and_then(|_| f.read_exact(&mut dir))
        .map_err(|e| DeckError::Io(e.to_string()))?;
    let (mut at, mut total) = (0usize, 0u64);
    while dir.get(at..at + 4) == Some(&[0x50, 0x4b, 0x01, 0x02]) {
        let entry = (le32(&dir, at + 24), le16(&dir, at + 28), le16(&dir, at + 30), le16(&dir, at + 32));
        let (Some(unpacked), Some(name), Some(extra), Some(comment)) = entry else {
            return Err(damaged("its zip directory is damaged"));
        };
        total = total.saturating_add(if unpacked == 0xFFFF_FFFF { u64::MAX } else { unpacked });
        if total > cap {
            return Err(DeckError::TooBig(cap >> 20));
        }
        at += 46 + (name + extra + comment) as usize;
    }
    Ok(total)
}
