//! Background threads yield to the screen's: scans, decodes, film decoding and file writing run
//! at a lower CPU priority than the screen's thread, so on a small 2-core box a big rescan or a
//! photo decode never delays a frame; and the allocator keeps freed memory (see [`steady_memory`]).

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

/// Puts the calling thread in the idle class (Linux `SCHED_IDLE`): it runs only on time no other
/// thread wants, and gives way at once when the screen's threads wake. For the scanner, the
/// status writer and the feed thread, whose work is never urgent to the millisecond.
pub fn idle_priority() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: sched_setscheduler reads `param` only during the call; pid 0 is this thread.
        let ok = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } == 0;
        if !ok {
            lower_priority();
        }
    }
    #[cfg(not(target_os = "linux"))]
    lower_priority();
}

/// Keeps freed memory in the process instead of handing it back to the kernel after every
/// rescan: returning and re-taking it takes the process's memory-map lock, which a page fault on
/// the screen's thread must then wait for. Blocks of 1 MB and more (decoded pictures, a film's
/// frames) are mapped apart and handed back as soon as they are freed, so a picture's pixels do
/// not stay behind as freed memory once its texture has them. (glibc; elsewhere nothing.)
pub fn steady_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 * 1024 * 1024);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}
