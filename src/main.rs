//! The `corridor` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{NaiveDateTime, TimeZone};
use clap::Parser;

use corridor::check;
use corridor::cli::{Cli, Command, RunArgs, SnapshotArgs};
use corridor::core::config::parse_size;
use corridor::core::duration::parse_duration;
use corridor::screen::{self, Mode, SnapshotSpec};

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
    let loaded = cli.common.load()?;
    match cli.command.unwrap_or(Command::Run(RunArgs::default())) {
        Command::Run(args) => {
            for p in &loaded.problems {
                eprintln!("corridor: {p} (the default is used)");
            }
            Ok(exit_code(screen::run(
                loaded.config,
                Mode::Run {
                    windowed: args.windowed,
                },
            )))
        }
        Command::Check => {
            let report = check::check(&loaded.config, loaded.problems)?;
            let code = check::print(&report, &loaded.config, &mut std::io::stdout().lock())?;
            Ok(ExitCode::from(code as u8))
        }
        Command::Snapshot(args) => {
            let spec = snapshot_spec(&args, loaded.config.timezone)?;
            if std::env::var_os("DISPLAY").is_none()
                && std::env::var_os("WAYLAND_DISPLAY").is_none()
            {
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

fn snapshot_spec(args: &SnapshotArgs, tz: chrono_tz::Tz) -> anyhow::Result<SnapshotSpec> {
    let size = parse_size(&args.size)
        .map_err(anyhow::Error::msg)
        .context("--size")?;
    let step = parse_duration(&args.step)
        .map_err(anyhow::Error::msg)
        .context("--step")?;
    let at = match &args.at {
        None => screen::now_in(tz),
        Some(text) => {
            let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M").with_context(
                || format!("--at \"{text}\": write the moment like \"2027-03-01 08:30\""),
            )?;
            // A time skipped by a clock change means the moment just after it; a repeated one, the first.
            match tz.from_local_datetime(&naive) {
                chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t,
                chrono::LocalResult::None => tz
                    .from_local_datetime(&(naive + chrono::Duration::hours(1)))
                    .earliest()
                    .context("--at names a time that does not exist in this time zone")?,
            }
        }
    };
    Ok(SnapshotSpec {
        out: args.out.clone(),
        at,
        size,
        frames: args.frames,
        step,
    })
}

fn exit_code(exit: bevy::app::AppExit) -> ExitCode {
    match exit {
        bevy::app::AppExit::Success => ExitCode::SUCCESS,
        bevy::app::AppExit::Error(code) => ExitCode::from(code.get()),
    }
}
