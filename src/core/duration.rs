//! Durations as staff write them: "10s", "0.8s", "1m30s", "500ms", "2h", "14d".

use std::time::Duration;

/// Parses a duration such as `"10s"`, `"0.8s"`, `"1m30s"`, `"500ms"`, `"2h"` or `"14d"`.
/// A bare number is taken as seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("a duration is empty; write it like \"10s\" or \"0.8s\"".into());
    }
    if let Ok(secs) = s.parse::<f64>() {
        return secs_to_duration(secs, text);
    }
    let mut total = 0.0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return Err(bad(text));
        }
        let value: f64 = rest[..num_len].parse().map_err(|_| bad(text))?;
        rest = rest[num_len..].trim_start();
        let unit_len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" | "sec" | "secs" => 1.0,
            "m" | "min" | "mins" => 60.0,
            "h" | "hr" | "hrs" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            _ => return Err(bad(text)),
        };
        total += value * factor;
        rest = rest[unit_len..].trim_start();
    }
    secs_to_duration(total, text)
}

fn secs_to_duration(secs: f64, text: &str) -> Result<Duration, String> {
    if !secs.is_finite() || secs < 0.0 || secs > 1.0e9 {
        return Err(bad(text));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn bad(text: &str) -> String {
    format!("\"{text}\" is not a duration; write it like \"10s\", \"0.8s\", \"1m30s\" or \"500ms\"")
}

/// Formats a duration the way it is written in the config files ("10s", "0.8s", "2m").
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 60.0 && (secs % 60.0).abs() < 1e-9 {
        format!("{}m", (secs / 60.0) as u64)
    } else if (secs.fract()).abs() < 1e-9 {
        format!("{}s", secs as u64)
    } else {
        format!("{}s", (secs * 1000.0).round() / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_staff_write() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("0.8s"), Ok(Duration::from_millis(800)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1m 30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("14d"), Ok(Duration::from_secs(14 * 86_400)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
    }

    #[test]
    fn rejects_nonsense() {
        for bad in ["", "ten", "10x", "-3s", "s", "1..2s", "nan"] {
            assert!(parse_duration(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn formats_round_trip() {
        for s in ["10s", "0.8s", "2m"] {
            assert_eq!(format_duration(parse_duration(s).unwrap()), s);
        }
    }
}
