//! corridor: a digital-signage player for school corridor screens.
//!
//! [`core`] holds every decision, free of Bevy; [`screen`] puts them on screen with thin Bevy
//! plugins; [`check`], [`plan`], [`ticker_command`] and [`cli`] serve the command line;
//! [`kiosk`] talks to systemd.

pub mod check;
pub mod cli;
pub mod core;
pub mod kiosk;
pub mod plan;
pub mod publish_command;
pub mod screen;
pub mod ticker_command;
