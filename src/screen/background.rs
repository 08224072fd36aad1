//! Background work (scans, decodes, file writing) runs at a lower CPU priority than the screen's
//! thread, so on a small 2-core box a big rescan or a photo decode never delays a frame.

/// Lowers the calling thread's CPU priority (Linux: each thread has its own nice value).
/// Calling it again on the same thread does nothing more.
pub fn lower_priority() {
    thread_local! {
        static DONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    DONE.with(|done| {
        if !done.replace(true) {
            #[cfg(target_os = "linux")]
            // SAFETY: setpriority only reads its integer arguments; `who = 0` is the calling thread.
            unsafe {
                libc::setpriority(libc::PRIO_PROCESS, 0, 10);
            }
        }
    });
}
