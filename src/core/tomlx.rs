//! Reading staff's TOML files in two stages: syntax first (toml_edit keeps positions), then each
//! known key is read and checked by type. Every problem carries the file and line, and reading
//! carries on past a bad key so one run reports them all.

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml_edit::{ImDocument, Item, Table, Value};

use super::problems::Problem;

/// A parsed TOML file that remembers where everything was written.
pub struct TomlFile {
    path: PathBuf,
    doc: ImDocument<String>,
}

impl TomlFile {
    /// Stage one: syntax. A syntax error is a problem with the line where it was found.
    pub fn parse(path: &Path, text: &str) -> Result<Self, Problem> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text).to_string();
        let line_index = LineIndex::new(&text);
        match ImDocument::parse(text) {
            Ok(doc) => Ok(Self { path: path.to_path_buf(), doc }),
            Err(e) => {
                let line = e.span().map(|s| line_index.line(s.start));
                let msg = e.message().trim().to_string();
                Err(Problem::error(path.to_path_buf(), format!("this file is not valid TOML: {msg}"))
                    .at_line(line))
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stage two: a reader that collects problems as it goes.
    pub fn reader(&self) -> Reader<'_> {
        Reader { file: self, lines: LineIndex::new(self.doc.raw()), problems: Vec::new() }
    }
}

struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

/// Reads typed values out of a [`TomlFile`], recording a [`Problem`] for each bad or unknown key.
pub struct Reader<'a> {
    file: &'a TomlFile,
    lines: LineIndex,
    pub problems: Vec<Problem>,
}

impl<'a> Reader<'a> {
    pub fn root(&self) -> &'a Table {
        self.file.doc.as_table()
    }

    pub fn line(&self, span: Option<Range<usize>>) -> Option<usize> {
        span.map(|s| self.lines.line(s.start))
    }

    /// The line a table starts on (its `[header]` or `[[header]]`).
    pub fn table_line(&self, t: &Table) -> Option<usize> {
        self.line(t.span())
    }

    fn key_line(&self, t: &Table, key: &str) -> Option<usize> {
        let span = t.key(key).and_then(|k| k.span()).or_else(|| t.get(key).and_then(Item::span));
        self.line(span).or_else(|| self.table_line(t))
    }

    pub fn problem(&mut self, t: &Table, key: &str, message: String) {
        let line = self.key_line(t, key);
        self.problems.push(Problem::error(self.file.path.clone(), message).at_line(line));
    }

    pub fn problem_at(&mut self, line: Option<usize>, message: String) {
        self.problems.push(Problem::error(self.file.path.clone(), message).at_line(line));
    }

    /// Reads the section `t` by its declared `keys`: a key not declared is a problem (with the
    /// declared key it was probably meant to be), and each declared key present is read, in the
    /// order declared, into `target`. The declaration is the only list of a section's keys, so
    /// what is allowed and what is read cannot drift apart.
    pub fn read_keys<T>(&mut self, t: &'a Table, section: &str, keys: &[Key<T>], target: &mut T) {
        self.read_key_groups(t, section, &[keys], target);
    }

    /// [`Reader::read_keys`] for a section whose keys are declared in several groups (sections
    /// that share some of their keys, such as a schedule's `[[slot]]` and `[[off]]`).
    pub fn read_key_groups<T>(&mut self, t: &'a Table, section: &str, groups: &[&[Key<T>]], target: &mut T) {
        let names: Vec<&str> = groups.iter().flat_map(|g| g.iter().map(|k| k.name)).collect();
        self.check_keys(t, section, &names);
        for key in groups.iter().flat_map(|g| g.iter()) {
            if t.contains_key(key.name) {
                (key.read)(self, t, key.name, target);
            }
        }
    }

    /// Reports every key of `t` that is not in `known`, suggesting the closest known one.
    pub fn check_keys(&mut self, t: &Table, section: &str, known: &[&str]) {
        for (key, _) in t.iter() {
            if known.contains(&key) {
                continue;
            }
            let place = if section.is_empty() { String::new() } else { format!(" in [{section}]") };
            let mut msg = format!("unknown setting `{key}`{place}");
            if let Some(best) = suggest(key, known) {
                msg.push_str(&format!("; did you mean `{best}`?"));
            } else {
                msg.push_str(&format!("; known settings here: {}", known.join(", ")));
            }
            self.problem(t, key, msg);
        }
    }

    /// A sub-table `[key]`; a value of another type is a problem.
    pub fn table(&mut self, t: &'a Table, key: &str) -> Option<&'a Table> {
        match t.get(key)? {
            Item::Table(sub) => Some(sub),
            _ => {
                self.problem(t, key, format!("`{key}` should be a section written [{key}]"));
                None
            }
        }
    }

    /// An array of tables `[[key]]`.
    pub fn tables(&mut self, t: &'a Table, key: &str) -> Vec<&'a Table> {
        match t.get(key) {
            None => Vec::new(),
            Some(Item::ArrayOfTables(arr)) => arr.iter().collect(),
            Some(_) => {
                self.problem(t, key, format!("`{key}` should be a list of entries, each written [[{key}]]"));
                Vec::new()
            }
        }
    }

    /// The raw value of `key`, for values that may take several shapes; a section is a problem.
    pub fn value(&mut self, t: &'a Table, key: &str) -> Option<&'a Value> {
        match t.get(key)? {
            Item::Value(v) => Some(v),
            _ => {
                self.problem(t, key, format!("`{key}` should be a single value, not a section"));
                None
            }
        }
    }

    pub fn string(&mut self, t: &'a Table, key: &str) -> Option<String> {
        let v = self.value(t, key)?;
        match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.problem(t, key, format!("`{key}` should be text in quotes, like {key} = \"...\""));
                None
            }
        }
    }

    /// Text, or a list of texts: `days = "mon"` and `days = ["mon", "wed"]` both work.
    pub fn strings(&mut self, t: &'a Table, key: &str) -> Option<Vec<String>> {
        let v = self.value(t, key)?;
        if let Some(s) = v.as_str() {
            return Some(vec![s.to_string()]);
        }
        let list: Option<Vec<String>> =
            v.as_array().and_then(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect());
        if list.is_none() {
            self.problem(t, key, format!("`{key}` should be text in quotes, or a list like [\"a\", \"b\"]"));
        }
        list
    }

    pub fn boolean(&mut self, t: &'a Table, key: &str) -> Option<bool> {
        let v = self.value(t, key)?;
        match v.as_bool() {
            Some(b) => Some(b),
            None => {
                self.problem(t, key, format!("`{key}` should be true or false"));
                None
            }
        }
    }

    pub fn integer(&mut self, t: &'a Table, key: &str) -> Option<i64> {
        let v = self.value(t, key)?;
        match v.as_integer() {
            Some(i) => Some(i),
            None => {
                self.problem(t, key, format!("`{key}` should be a whole number"));
                None
            }
        }
    }

    pub fn number(&mut self, t: &'a Table, key: &str) -> Option<f64> {
        let v = self.value(t, key)?;
        match v.as_float().or_else(|| v.as_integer().map(|i| i as f64)) {
            Some(f) if f.is_finite() => Some(f),
            _ => {
                self.problem(t, key, format!("`{key}` should be a number"));
                None
            }
        }
    }

    /// A text value turned into `T` by `parse`; its error message is reported with the line.
    pub fn parsed<T>(
        &mut self,
        t: &'a Table,
        key: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let s = self.string(t, key)?;
        match parse(&s) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(t, key, format!("`{key}`: {e}"));
                None
            }
        }
    }
}

/// How one declared key is read: given the reader, the table it is in and its own name, it reads
/// the value (recording any problem) and stores it in the target.
pub type ReadKey<T> = for<'a> fn(&mut Reader<'a>, &'a Table, &'static str, &mut T);

/// One key a section allows, and how it is read. A section's keys are a `&[Key<T>]`, written once
/// and used both to refuse unknown keys and to read the known ones ([`Reader::read_keys`]).
pub struct Key<T> {
    pub name: &'static str,
    pub read: ReadKey<T>,
}

/// Declares a [`Key`] read with one of [`Reader`]'s typed getters and stored by an assignment:
/// `key!("fit", parsed(parse_fit), |c, v| c.fit = v)` reads `r.parsed(t, "fit", parse_fit)` and,
/// when it gives a value, runs `c.fit = v`. For anything more, write the `Key` by hand.
macro_rules! key {
    ($name:literal, $get:ident $(($($arg:expr),* $(,)?))?, |$c:ident, $v:pat_param| $set:expr) => {
        $crate::core::tomlx::Key {
            name: $name,
            read: |r, t, k, $c| {
                if let Some($v) = r.$get(t, k $($(, $arg)*)?) {
                    $set;
                }
            },
        }
    };
}
pub(crate) use key;

/// Declares a [`Key`] that is a section `[name]`, read by its own declared keys into the same
/// target: `section!("display", DISPLAY_KEYS)`.
macro_rules! section {
    ($name:literal, $keys:expr) => {
        $crate::core::tomlx::Key {
            name: $name,
            read: |r, t, k, target| {
                if let Some(sub) = r.table(t, k) {
                    r.read_keys(sub, k, $keys, target);
                }
            },
        }
    };
}
pub(crate) use section;

/// The known name closest to `word`, when it is close enough to be a likely typo.
pub fn suggest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(word, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// One of `choices`, or a message listing them.
pub fn one_of<T: Copy>(text: &str, choices: &[(&str, T)]) -> Result<T, String> {
    let lower = text.trim().to_ascii_lowercase();
    choices.iter().find(|(name, _)| *name == lower).map(|(_, v)| *v).ok_or_else(|| {
        let names: Vec<String> = choices.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        format!("\"{text}\" is not one of {}", names.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> TomlFile {
        TomlFile::parse(Path::new("x.toml"), text).expect("valid toml")
    }

    #[test]
    fn syntax_error_has_line() {
        let err = TomlFile::parse(Path::new("x.toml"), "a = 1\nb = = 2\n").err().expect("error");
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("not valid TOML"));
    }

    #[test]
    fn unknown_key_suggests_and_has_line() {
        let f = file("[slides]\ntransiton = \"cut\"\n");
        let mut r = f.reader();
        let slides = r.table(r.root(), "slides").expect("table");
        r.check_keys(slides, "slides", &["transition", "fit"]);
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].line, Some(2));
        assert!(r.problems[0].message.contains("did you mean `transition`"), "{}", r.problems[0].message);
    }

    #[test]
    fn wrong_types_are_reported_and_reading_continues() {
        let f = file("a = 5\nb = \"x\"\nc = true\n");
        let mut r = f.reader();
        let root = r.root();
        assert_eq!(r.string(root, "a"), None);
        assert_eq!(r.integer(root, "b"), None);
        assert_eq!(r.boolean(root, "c"), Some(true));
        assert_eq!(r.problems.len(), 2);
        assert_eq!(r.problems[1].line, Some(2));
    }

    #[derive(Default)]
    struct Target {
        fit: Option<String>,
        size: Option<i64>,
        inner: Option<bool>,
    }

    const INNER: &[Key<Target>] = &[key!("on", boolean, |c, v| c.inner = Some(v))];
    const KEYS: &[Key<Target>] = &[
        key!("fit", string, |c, v| c.fit = Some(v)),
        key!("size", integer, |c, v| c.size = Some(v)),
        section!("inner", INNER),
    ];

    #[test]
    fn declared_keys_are_read_and_others_refused() {
        let f = file("fitt = \"cover\"\nsize = 3\n[inner]\non = true\nof = 1\n");
        let mut r = f.reader();
        let mut target = Target::default();
        r.read_keys(r.root(), "", KEYS, &mut target);
        assert_eq!((target.fit, target.size, target.inner), (None, Some(3), Some(true)));
        let msgs: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].starts_with("x.toml:1: unknown setting `fitt`; did you mean `fit`?"), "{msgs:?}");
        assert!(msgs[1].starts_with("x.toml:5: unknown setting `of` in [inner]"), "{msgs:?}");
    }

    #[test]
    fn key_groups_share_keys() {
        let f = file("fit = \"a\"\nsize = \"big\"\n");
        let mut r = f.reader();
        let mut target = Target::default();
        r.read_key_groups(r.root(), "", &[&KEYS[..1], &KEYS[1..2]], &mut target);
        assert_eq!(target.fit.as_deref(), Some("a"));
        assert_eq!(r.problems.len(), 1, "a wrong type is reported once: {:?}", r.problems);
        assert!(r.problems[0].message.contains("whole number"));
    }

    #[test]
    fn bom_is_accepted() {
        let f = file("\u{feff}a = \"x\"\n");
        let mut r = f.reader();
        let root = r.root();
        assert_eq!(r.string(root, "a").as_deref(), Some("x"));
    }
}
