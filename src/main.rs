//! The `corridor` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::NaiveDateTime;
use clap::Parser;

use corridor::check;
use corridor::cli::{Cli, Command, PlanArgs, RunArgs, SnapshotArgs};
use corridor::core::config::parse_size;
use corridor::core::config::{Config, PlayLog};
use corridor::core::duration::parse_duration;
use corridor::core::sync::guard::Guard;
use corridor::core::{library, schedule};
use corridor::screen::{self, Mode, SnapshotSpec};
use corridor::{publish_command, ticker_command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("corridor: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    corridor::kiosk::explain_fatal_panics();
    let loaded = cli.common.load()?;
    match cli.command.unwrap_or(Command::Run(RunArgs::default())) {
        Command::Run(args) => {
            for p in &loaded.problems {
                eprintln!("corridor: {p} (the default is used)");
            }
            let mut loaded = loaded;
            if let Some(status) = args.status {
                loaded.config.status_file = Some(status);
            }
            if loaded.config.play_log == PlayLog::Default {
                loaded.config.play_log = loaded
                    .config
                    .state_folder()
                    .map_or(PlayLog::Off, |s| PlayLog::Folder(s.join("play-log")));
            }
            Ok(exit_code(screen::run(loaded.config, Mode::Run { windowed: args.windowed })))
        }
        Command::Check => {
            let now = screen::now_in(loaded.config.timezone).naive_local();
            let report = check::check(&loaded.config, loaded.problems, now)?;
            let code = check::print(&report, &loaded.config, now, &mut std::io::stdout().lock())?;
            Ok(ExitCode::from(code as u8))
        }
        Command::Plan(args) => plan(&loaded.config, &args),
        Command::Ticker(args) => {
            let code = ticker_command::run(
                &loaded.config,
                &args.feeds,
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            )?;
            Ok(ExitCode::from(code as u8))
        }
        Command::Keygen(args) => {
            Ok(ExitCode::from(publish_command::keygen(&args.out, &mut std::io::stdout())? as u8))
        }
        Command::Publish(args) => {
            Ok(ExitCode::from(
                publish_command::publish(&args.folder, &args.key, &mut std::io::stdout())? as u8
            ))
        }
        Command::Sync(_) => {
            for p in &loaded.problems {
                eprintln!("corridor: {p}");
            }
            Ok(ExitCode::from(publish_command::sync_once(&loaded.config, &mut std::io::stdout())? as u8))
        }
        Command::Snapshot(args) => {
            let spec = snapshot_spec(&args, loaded.config.timezone)?;
            if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
                bail!(
                    "snapshot needs a display; on a machine without a screen run it as: xvfb-run -a corridor snapshot ..."
                );
            }
            for p in &loaded.problems {
                eprintln!("corridor: {p} (the default is used)");
            }
            Ok(exit_code(screen::run(loaded.config, Mode::Snapshot(spec))))
        }
    }
}

fn plan(config: &Config, args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let mut kept = library::Kept {
        guard: Guard::new(&config.trusted_keys, &config.sources, false),
        ..Default::default()
    };
    let reading = library::read(&config.content, &config.slides, &mut kept)?;
    for p in &reading.schedule.problems {
        eprintln!("corridor: {p}");
    }
    let content = reading.content;
    let Some(schedule) = reading.schedule.schedule else {
        bail!("schedule.toml has errors (listed above); fix them, or run `corridor check`");
    };
    let mut out = std::io::stdout().lock();
    let tz = config.timezone;
    if let Some(at) = &args.at {
        corridor::plan::print_at(&schedule, &content, parse_at(at)?, &mut out)?;
    } else {
        let date = match &args.date {
            Some(d) => chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .with_context(|| format!("--date \"{d}\": write the day like \"2027-03-01\""))?,
            None => screen::now_in(tz).date_naive(),
        };
        corridor::plan::print_days(&schedule, date, args.days, &mut out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Parses "YYYY-MM-DD HH:MM", or with seconds ("HH:MM:SS", "HH:MM:SS.5") for a moment of a film.
fn parse_at(text: &str) -> anyhow::Result<NaiveDateTime> {
    let text = text.trim();
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        .with_context(|| {
            format!("--at \"{text}\": write the moment like \"2027-03-01 08:30\" (or \"08:30:15.5\")")
        })
}

fn snapshot_spec(args: &SnapshotArgs, tz: chrono_tz::Tz) -> anyhow::Result<SnapshotSpec> {
    let size = parse_size(&args.size).map_err(anyhow::Error::msg).context("--size")?;
    let (short, long) = (size.0.min(size.1), size.0.max(size.1));
    if short > 2160 || long > 3840 || short < 16 {
        anyhow::bail!(
            "--size {}x{}: corridor previews screens up to 3840x2160 (either way round)",
            size.0,
            size.1
        );
    }
    let step = parse_duration(&args.step).map_err(anyhow::Error::msg).context("--step")?;
    let at = match &args.at {
        None => screen::now_in(tz),
        // A time skipped by a clock change means the moment the clocks jump; a repeated one, the first.
        Some(text) => schedule::instant_of(parse_at(text)?, tz),
    };
    Ok(SnapshotSpec {
        out: args.out.clone(),
        at,
        size,
        frames: args.frames,
        step,
        layout: args.layout.clone(),
    })
}

fn exit_code(exit: bevy::app::AppExit) -> ExitCode {
    match exit {
        bevy::app::AppExit::Success => ExitCode::SUCCESS,
        bevy::app::AppExit::Error(code) => ExitCode::from(code.get()),
    }
}
