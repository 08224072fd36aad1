//! Background work runs at a lower CPU priority than the screen's thread (see
//! [`crate::core::threads`]), and memory is kept steady for the screen's thread.

pub use crate::core::threads::{idle_priority, lower_priority};

/// Keeps freed memory in the process instead of handing it back to the kernel after every
/// rescan: returning and re-taking it takes the process's memory-map lock, which a page fault on
/// the screen's thread must then wait for. (glibc; elsewhere nothing.)
pub fn steady_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 * 1024 * 1024);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 16 * 1024 * 1024);
    }
}
