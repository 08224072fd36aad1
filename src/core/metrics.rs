//! The screen's health in Prometheus' text format, for node-exporter's textfile collector
//! (`metrics_file` in corridor.toml): up, frames presented and the time of the last one, the
//! slide on screen, problems found, each source's and feed's state, on air. An IT team's
//! Prometheus then watches every screen. Pure: the screen hands over what it knows.

use std::fmt::Write;

use super::sync::source::without_password;

/// What the screen knows at one moment.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub screen: String,
    pub version: String,
    /// Frames presented since start, and the Unix time of the last one (seconds).
    pub frames: u64,
    pub last_frame: Option<f64>,
    pub playlist: Option<String>,
    pub slide: Option<String>,
    /// Unix time the slide on screen went up.
    pub slide_since: Option<i64>,
    pub errors: usize,
    pub warnings: usize,
    pub sources: Vec<SourceMetric>,
    pub feeds: Vec<FeedMetric>,
    /// The on-air stream, and whether it is on air.
    pub on_air: Option<(String, bool)>,
}

#[derive(Clone, Debug, Default)]
pub struct SourceMetric {
    pub into: String,
    pub ok: bool,
    pub serial: Option<u64>,
    pub last_success: Option<i64>,
}

#[derive(Clone, Debug, Default)]
pub struct FeedMetric {
    pub label: String,
    pub ok: bool,
    pub last_success: Option<i64>,
}

/// The text of the metrics file.
pub fn render(s: &Snapshot) -> String {
    let screen = format!("screen=\"{}\"", escape(&s.screen));
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, rows: Vec<(String, String)>| {
        let _ = writeln!(out, "# HELP corridor_{name} {help}\n# TYPE corridor_{name} {kind}");
        for (labels, value) in rows {
            let _ = writeln!(out, "corridor_{name}{{{screen}{labels}}} {value}");
        }
    };
    let one = |value: String| vec![(String::new(), value)];
    let version = format!(",version=\"{}\"", escape(&s.version));
    metric("up", "gauge", "1 while corridor runs.", vec![(version, "1".into())]);
    metric(
        "frames_presented_total",
        "counter",
        "Frames presented since corridor started.",
        one(s.frames.to_string()),
    );
    if let Some(t) = s.last_frame {
        metric(
            "last_frame_timestamp_seconds",
            "gauge",
            "When the last frame was presented (Unix time).",
            one(format!("{t:.3}")),
        );
    }
    if let (Some(playlist), Some(slide)) = (&s.playlist, &s.slide) {
        let labels = format!(",playlist=\"{}\",slide=\"{}\"", escape(playlist), escape(slide));
        metric("slide_info", "gauge", "The slide on screen (always 1).", vec![(labels, "1".into())]);
    }
    if let Some(t) = s.slide_since {
        metric(
            "slide_start_timestamp_seconds",
            "gauge",
            "When the slide on screen went up (Unix time).",
            one(t.to_string()),
        );
    }
    let problems = vec![
        (",severity=\"error\"".into(), s.errors.to_string()),
        (",severity=\"warning\"".into(), s.warnings.to_string()),
    ];
    metric("problems", "gauge", "Problems found in the settings and the content folder.", problems);
    sources(s, &mut metric);
    feeds(s, &mut metric);
    if let Some((stream, live)) = &s.on_air {
        let labels = format!(",stream=\"{}\"", escape(&without_password(stream)));
        metric(
            "on_air",
            "gauge",
            "1 while the live broadcast is on screen.",
            vec![(labels, u8::from(*live).to_string())],
        );
    }
    out
}

type Metric<'a> = dyn FnMut(&str, &str, &str, Vec<(String, String)>) + 'a;

fn sources(s: &Snapshot, metric: &mut Metric<'_>) {
    if s.sources.is_empty() {
        return;
    }
    let label = |m: &SourceMetric| format!(",source=\"{}\"", escape(&m.into));
    let up = s.sources.iter().map(|m| (label(m), u8::from(m.ok).to_string())).collect();
    metric("source_up", "gauge", "1 if the source's last look went well.", up);
    let serial = s.sources.iter().filter_map(|m| Some((label(m), m.serial?.to_string()))).collect();
    metric("source_serial", "gauge", "The serial of the source's version in force.", serial);
    let last = s.sources.iter().filter_map(|m| Some((label(m), m.last_success?.to_string()))).collect();
    metric(
        "source_last_success_timestamp_seconds",
        "gauge",
        "When the source was last up to date (Unix time).",
        last,
    );
}

fn feeds(s: &Snapshot, metric: &mut Metric<'_>) {
    if s.feeds.is_empty() {
        return;
    }
    let label = |m: &FeedMetric| format!(",feed=\"{}\"", escape(&m.label));
    let up = s.feeds.iter().map(|m| (label(m), u8::from(m.ok).to_string())).collect();
    metric("feed_up", "gauge", "1 if the ticker feed's last fetch went well.", up);
    let last = s.feeds.iter().filter_map(|m| Some((label(m), m.last_success?.to_string()))).collect();
    metric(
        "feed_last_success_timestamp_seconds",
        "gauge",
        "When the feed was last fetched (Unix time).",
        last,
    );
}

/// A label value as the text format wants it: backslash, double quote and newline escaped.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_has_help_and_type_and_labels_are_escaped() {
        let s = Snapshot {
            screen: "Main \"corridor\"\\1".into(),
            version: "0.1.0".into(),
            frames: 42,
            last_frame: Some(1_796_000_000.5),
            playlist: Some("default".into()),
            slide: Some("default/a\nb.png".into()),
            errors: 1,
            sources: vec![SourceMetric {
                into: "poetry".into(),
                ok: false,
                serial: Some(7),
                last_success: None,
            }],
            feeds: vec![FeedMetric { label: "News".into(), ok: true, last_success: Some(5) }],
            on_air: Some(("rtsp://studio/live".into(), true)),
            ..Snapshot::default()
        };
        let text = render(&s);
        assert!(
            text.contains("corridor_up{screen=\"Main \\\"corridor\\\"\\\\1\",version=\"0.1.0\"} 1"),
            "{text}"
        );
        assert!(text.contains("corridor_frames_presented_total{screen=\"Main \\\"corridor\\\"\\\\1\"} 42"));
        assert!(text.contains(",slide=\"default/a\\nb.png\"} 1"), "{text}");
        assert!(text.contains(",source=\"poetry\"} 0"), "{text}");
        assert!(!text.contains("source_last_success_timestamp_seconds{"), "{text}");
        assert!(text.contains(",stream=\"rtsp://studio/live\"} 1"), "{text}");
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split('{').next().unwrap();
            assert!(text.contains(&format!("# TYPE {name} ")), "{name}");
        }
    }
}
