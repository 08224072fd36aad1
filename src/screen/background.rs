//! Background work runs at a lower CPU priority than the screen's thread (see
//! [`crate::core::threads`]), and memory is kept steady for the screen's thread.

pub use crate::core::threads::{idle_priority, lower_priority, steady_memory};
