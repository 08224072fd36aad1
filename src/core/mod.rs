//! The pure core: everything corridor decides, with no Bevy types. Functions take `now`, paths
//! or bytes as arguments and are unit-tested with in-memory input.

pub mod animation;
pub mod colour;
pub mod config;
pub mod content;
pub mod duration;
pub mod feeds;
pub mod media;
pub mod problems;
pub mod schedule;
pub mod settle;
pub mod show;
pub mod text;
pub mod ticker;
pub mod tomlx;
pub mod video;
pub mod when;
pub mod widgets;
