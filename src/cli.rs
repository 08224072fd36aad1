//! The command line, in words for school staff. `corridor` alone means `corridor run`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// corridor shows your school's pictures and notices on a corridor screen.
///
/// Put pictures (JPEG, PNG, WebP, GIF, BMP) and notices (.txt or .md files) into a folder inside
/// the content folder, for example playlists/default/, and run `corridor`. The screen goes
/// fullscreen and shows them one after another, in file-name order, forever. Copy files in or out
/// at any time.
#[derive(Debug, Parser)]
#[command(name = "corridor", version, about, long_about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: Option<Command>,
}

const AFTER_HELP: &str = "\
Examples:
  corridor                      show the slides fullscreen (stop with Alt+F4 or Ctrl+C)
  corridor run --windowed       try it in a normal window on your desktop
  corridor check                list anything wrong in the settings or the content folder
  corridor plan --days 7        what plays when, for the coming week
  corridor snapshot --out shot.png   save a picture of what the screen shows now
  corridor ticker               fetch the ticker's feeds and print their headlines
  corridor publish FOLDER --key corridor.key   sign a folder for many screens (see corridor keygen)

The file formats are explained in docs/content-folder.md and docs/configuration.md.";

/// Settings every command takes.
#[derive(Debug, Args, Clone, Default)]
pub struct Common {
    /// The settings file (or the file named by the environment variable CORRIDOR_CONFIG).
    /// Without either, corridor looks for ./corridor.toml, then /etc/corridor/corridor.toml, and
    /// otherwise uses its defaults.
    #[arg(long, global = true, value_name = "FILE", env = "CORRIDOR_CONFIG")]
    pub config: Option<PathBuf>,
    /// The content folder (the folder that holds the playlist folders). Overrides the settings file.
    #[arg(long, global = true, value_name = "DIR")]
    pub content: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the slides on the screen (what `corridor` alone does).
    Run(RunArgs),
    /// Check the settings and every file in the content folder, and list each problem with
    /// what to do about it. Exit code 0: all good; 1: problems found; 2: cannot check at all.
    Check,
    /// Show the schedule: which playlist plays when, one line per stretch of time, or with --at,
    /// what plays at one moment, why, and which of its slides are due then.
    Plan(PlanArgs),
    /// Save a picture (PNG) of what the screen shows at a moment, without going fullscreen.
    /// Needs a display; on a server, run it as `xvfb-run -a corridor snapshot ...`.
    Snapshot(SnapshotArgs),
    /// Fetch the ticker's feeds (those in ticker.toml, or the FEEDs given) and print the
    /// headlines in the order they scroll, one per line. Exit code 1 if a feed failed.
    Ticker(TickerArgs),
    /// Make a key pair for publishing to many screens: corridor.key (secret: keep it on the
    /// publishing computer) and corridor.pub (the public half, for the screens).
    Keygen(KeygenArgs),
    /// Publish a folder for many screens: writes SHA256SUMS (each file's SHA-256) and its
    /// signature, SHA256SUMS.minisig, into the folder; then upload the whole folder.
    Publish(PublishArgs),
    /// Bring the published folders this screen subscribes to ([[source]] in corridor.toml) up
    /// to date now, one line each. Exit code 1 if any could not be updated.
    Sync(SyncArgs),
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Sync once and exit (the player syncs by itself while it runs).
    #[arg(long, required = true)]
    pub once: bool,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The folder to write corridor.key and corridor.pub into.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The folder to publish.
    #[arg(value_name = "FOLDER")]
    pub folder: PathBuf,
    /// The secret key (made by `corridor keygen`, or `minisign -G -W`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
}

#[derive(Debug, Args, Default)]
pub struct TickerArgs {
    /// Feeds to read instead of ticker.toml's: web addresses, file:// addresses or paths.
    #[arg(value_name = "FEED")]
    pub feeds: Vec<String>,
}

#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// Show in a normal window instead of fullscreen (to try corridor on a desktop).
    #[arg(long)]
    pub windowed: bool,
    /// Keep a small JSON file up to date with what is on screen (for IT; also `status_file` in
    /// corridor.toml).
    #[arg(long, value_name = "FILE")]
    pub status: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The first day, as YYYY-MM-DD. Default: today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// How many days to show.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub days: u32,
    /// One moment instead: "YYYY-MM-DD HH:MM".
    #[arg(long, value_name = "\"YYYY-MM-DD HH:MM\"", conflicts_with_all = ["date", "days"])]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Where to save the picture (a .png file).
    #[arg(long, value_name = "FILE", default_value = "snapshot.png")]
    pub out: PathBuf,
    /// The moment to show, as "YYYY-MM-DD HH:MM" (or "YYYY-MM-DD HH:MM:SS.s", for a moment of a
    /// film) in the screen's time zone. Default: now.
    #[arg(long, value_name = "\"YYYY-MM-DD HH:MM\"")]
    pub at: Option<String>,
    /// The size of the picture in pixels, any shape up to 3840x2160 (1080x1920 for a portrait
    /// screen).
    #[arg(long, value_name = "WIDTHxHEIGHT", default_value = "1920x1080")]
    pub size: String,
    /// Also write where every zone and every text was laid out, as JSON (for tests and tools).
    #[arg(long, value_name = "FILE.json")]
    pub layout: Option<PathBuf>,
    /// For tests and previews of transitions: save this many frames, one every --step, starting
    /// with the slide due at --at, as FILE-000.png, FILE-001.png and so on.
    #[arg(long, value_name = "N", hide = true)]
    pub frames: Option<u32>,
    /// The time between saved frames with --frames.
    #[arg(long, value_name = "DURATION", default_value = "100ms", hide = true)]
    pub step: String,
}

impl Common {
    /// Loads the settings file and applies `--content`.
    pub fn load(&self) -> Result<crate::core::config::Loaded, crate::core::config::ConfigError> {
        let mut loaded = crate::core::config::load(self.config.as_deref())?;
        if let Some(dir) = &self.content {
            loaded.config.content = dir.clone();
        }
        Ok(loaded)
    }
}
