//! `pages = "1-5,8"` in playlist.toml: which pages of a deck play, in the deck's order.

/// The pages chosen, each once, in order; `None` means all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageChoice(Option<Vec<(u32, u32)>>);

impl PageChoice {
    /// Every page.
    pub fn all() -> Self {
        Self(None)
    }

    /// Whether page `n` (from 1) is chosen.
    pub fn has(&self, n: u32) -> bool {
        self.0.as_ref().is_none_or(|ranges| ranges.iter().any(|(a, b)| (*a..=*b).contains(&n)))
    }

    /// The last page chosen, if the choice ends somewhere.
    pub fn last(&self) -> Option<u32> {
        self.0.as_ref().and_then(|r| r.iter().map(|(_, b)| *b).max())
    }
}

/// Reads `"1-5,8"`, `"2"`, `"3-"` (page 3 to the end).
pub fn parse_pages(text: &str) -> Result<PageChoice, String> {
    let err = || format!("\"{text}\" is not a list of pages; write it like \"1-5,8\"");
    let mut ranges = Vec::new();
    for part in text.split(',').map(str::trim) {
        let (a, b) = match part.split_once('-') {
            Some((a, "")) => (a.trim().parse().map_err(|_| err())?, u32::MAX),
            Some((a, b)) => (a.trim().parse().map_err(|_| err())?, b.trim().parse().map_err(|_| err())?),
            None => {
                let n = part.parse().map_err(|_| err())?;
                (n, n)
            }
        };
        if a == 0 || b < a {
            return Err(err());
        }
        ranges.push((a, b));
    }
    Ok(PageChoice(Some(ranges)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_lists_read_as_staff_write_them() {
        let p = parse_pages("1-3, 8").unwrap();
        assert!(p.has(1) && p.has(3) && p.has(8) && !p.has(4) && !p.has(9));
        assert_eq!(p.last(), Some(8));
        assert!(parse_pages("3-").unwrap().has(1000));
        assert!(PageChoice::all().has(7));
        for bad in ["", "0", "5-2", "a", "1,,2", "-3"] {
            assert!(parse_pages(bad).is_err(), "{bad}");
        }
    }
}
