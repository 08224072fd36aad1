//! The pure core: everything corridor decides, with no Bevy types. Functions take `now`, paths
//! or bytes as arguments and are unit-tested with in-memory input.

pub mod colour;
pub mod config;
pub mod content;
pub mod deck;
pub mod duration;
pub mod feeds;
pub mod files;
pub mod layout;
pub mod library;
pub mod live;
pub mod media;
pub mod metrics;
pub mod problems;
pub mod schedule;
pub mod settle;
pub mod show;
pub mod source;
pub mod stream;
pub mod subtitles;
pub mod sync;
pub mod text;
pub mod threads;
pub mod ticker;
pub mod tomlx;
pub mod when;
pub mod widgets;
