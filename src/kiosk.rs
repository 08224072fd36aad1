//! Running as a kiosk under systemd: the notify protocol (`READY=1`, `WATCHDOG=1`, `STATUS=…`
//! as datagrams to `$NOTIFY_SOCKET`, the protocol of sd_notify(3)), and one clear line instead of
//! a panic when there is no display or no Vulkan driver. Nothing is sent when `NOTIFY_SOCKET` is
//! unset. Under cage, corridor is cage's child, so `WATCHDOG_PID` names cage: corridor pings
//! whenever `WATCHDOG_USEC` is set (the unit says `NotifyAccess=all`).

use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};

/// Exit code for "no Vulkan driver".
pub const EXIT_NO_VULKAN: i32 = 3;
/// Exit code for "no display".
pub const EXIT_NO_DISPLAY: i32 = 4;

/// Talks to systemd (or whoever listens on `$NOTIFY_SOCKET`).
pub struct Notifier {
    socket: UnixDatagram,
    address: std::os::unix::net::SocketAddr,
    /// How often systemd wants to hear from us, if it watches.
    watchdog: Option<Duration>,
    last_ping: Option<Instant>,
    ready: bool,
    status: String,
}

impl Notifier {
    /// The notifier the environment asks for, or None (not started by systemd, or the socket
    /// cannot be used — then one warning line and nothing more).
    pub fn from_env() -> Option<Self> {
        let path = std::env::var_os("NOTIFY_SOCKET")?;
        let watchdog = std::env::var("WATCHDOG_USEC")
            .ok()
            .and_then(|u| u.trim().parse::<u64>().ok())
            .filter(|u| *u > 0)
            .map(Duration::from_micros);
        match Self::connect(&path, watchdog) {
            Ok(n) => Some(n),
            Err(e) => {
                eprintln!(
                    "corridor: cannot talk to systemd on NOTIFY_SOCKET {}: {e}",
                    path.to_string_lossy()
                );
                None
            }
        }
    }

    fn connect(path: &std::ffi::OsStr, watchdog: Option<Duration>) -> std::io::Result<Self> {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_bytes();
        let address = match bytes.strip_prefix(b"@") {
            Some(name) => {
                use std::os::linux::net::SocketAddrExt;
                std::os::unix::net::SocketAddr::from_abstract_name(name)?
            }
            None => std::os::unix::net::SocketAddr::from_pathname(path)?,
        };
        let socket = UnixDatagram::unbound()?;
        socket.set_nonblocking(true)?;
        Ok(Self { socket, address, watchdog, last_ping: None, ready: false, status: String::new() })
    }

    fn send(&self, message: &str) {
        // A listener that has gone or is busy must never stop the screen.
        let _ = self.socket.send_to_addr(message.as_bytes(), &self.address);
    }

    /// A frame has been presented at `now`: the first makes corridor ready; then the watchdog
    /// hears of it at most four times per watchdog period.
    pub fn frame_presented(&mut self, now: Instant) {
        if !self.ready {
            self.ready = true;
            self.send("READY=1");
        }
        let Some(period) = self.watchdog else { return };
        if self.last_ping.is_none_or(|t| now.duration_since(t) >= period / 4) {
            self.last_ping = Some(now);
            self.send("WATCHDOG=1");
        }
    }

    /// Says what is on screen (shown by `systemctl status`), when it changes.
    pub fn status(&mut self, text: &str) {
        if self.status != text {
            self.status = text.to_string();
            self.send(&format!("STATUS={}", text.replace('\n', " ")));
        }
    }

    /// Whether systemd watches this process (WATCHDOG_USEC is set).
    pub fn watched(&self) -> bool {
        self.watchdog.is_some()
    }
}

/// Turns the panics that mean "this machine cannot show anything" into one clear line and an
/// exit code, so that systemd restarts corridor and the journal says what to install or fix.
pub fn explain_fatal_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if let Some((line, code)) = fatal_line(&text) {
            eprintln!("{line}");
            std::process::exit(code);
        }
        default(info);
    }));
}

/// The line and exit code for a panic message that means the screen cannot work at all.
pub fn fatal_line(panic: &str) -> Option<(String, i32)> {
    if panic.contains("Unable to find a GPU") {
        return Some((
            "corridor: no graphics driver with Vulkan was found; install the package mesa-vulkan-drivers (sudo apt install mesa-vulkan-drivers)".into(),
            EXIT_NO_VULKAN,
        ));
    }
    if panic.contains("Failed to build event loop") || panic.contains("neither WAYLAND_DISPLAY") {
        let why = panic.split("error: ").nth(1).map(|e| e.trim_end_matches(['}', ')', ' '])).unwrap_or(panic);
        return Some((
            format!(
                "corridor: cannot open the display ({why}); run it in a graphical session: the corridor-kiosk service (cage), X11, or `xvfb-run -a` for a test (see docs/kiosk.md)"
            ),
            EXIT_NO_DISPLAY,
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_once_then_watchdog_pings_spaced_by_a_quarter_period() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        listener.set_nonblocking(true).unwrap();
        let mut n = Notifier::connect(path.as_os_str(), Some(Duration::from_secs(4))).unwrap();
        let t0 = Instant::now();
        n.frame_presented(t0);
        n.frame_presented(t0 + Duration::from_millis(500));
        n.frame_presented(t0 + Duration::from_millis(1000));
        n.status("default: 01 sunset.jpg");
        n.status("default: 01 sunset.jpg");
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while let Ok(k) = listener.recv(&mut buf) {
            got.push(String::from_utf8_lossy(&buf[..k]).into_owned());
        }
        assert_eq!(got, ["READY=1", "WATCHDOG=1", "WATCHDOG=1", "STATUS=default: 01 sunset.jpg"]);
    }

    #[test]
    fn fatal_panics_have_a_line_each() {
        let (line, code) =
            fatal_line("Unable to find a GPU! Make sure you have installed required drivers!").unwrap();
        assert!(line.contains("mesa-vulkan-drivers") && code == EXIT_NO_VULKAN, "{line}");
        let msg = "Failed to build event loop: Os(OsError { line: 765, file: \"x\", error: Misc(\"neither WAYLAND_DISPLAY nor WAYLAND_SOCKET nor DISPLAY is set.\") })";
        let (line, code) = fatal_line(msg).unwrap();
        assert!(line.contains("cannot open the display") && code == EXIT_NO_DISPLAY, "{line}");
        assert_eq!(fatal_line("index out of bounds"), None);
    }
}
