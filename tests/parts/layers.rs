//! The modules form a tree, not cycles: every `crate::…`, `super::…` and `self::…` path in
//! src/ (outside `#[cfg(test)]` blocks) is read, and for each pair of sibling modules (two
//! modules with the same parent, such as `core::media` and `core::content`, or `screen::stage`
//! and `screen::video`) a use of one by the other is an edge. A child using its parent's items,
//! or a parent its child's, is not an edge between siblings. The edges between the siblings of
//! every parent must form no cycle. Also: the core knows nothing of Bevy or the screen.
//!
//! Also: no function in src/ is over 80 lines. Run alone: `cargo test --test core layers::`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every .rs file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under src/ (`core/media/video/mod.rs` → `core::media::video`).
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap().trim_end_matches(".rs").to_string();
    if !["mod", "lib", "main"].contains(&last.as_str()) {
        parts.push(last);
    }
    parts
}

/// The code of a file without comments and without its test modules.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// The modules a file's paths name, resolved from the file's own module `me` (for a mod.rs,
/// the folder's module, whose `super` is the folder's parent).
fn targets(code: &str, me: &[String]) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word =
            i == 0 || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_' || bytes[i - 1] == ':');
        if !starts_word {
            i += 1;
            continue;
        }
        let rest: String = bytes[i..bytes.len().min(i + 400)].iter().collect();
        let Some(path) = leading_path(&rest) else {
            i += 1;
            continue;
        };
        i += path.len();
        let segs: Vec<&str> = path.split("::").collect();
        let mut base: Vec<String> = match segs[0] {
            "crate" => Vec::new(),
            "super" => me[..me.len().saturating_sub(1)].to_vec(),
            "self" => me.to_vec(),
            _ => continue,
        };
        let mut k = 1;
        while k < segs.len() && segs[k] == "super" {
            base.pop();
            k += 1;
        }
        base.extend(segs[k..].iter().filter(|s| !s.is_empty() && **s != "{").map(|s| s.to_string()));
        found.insert(base);
    }
    found
}

/// `crate::a::b` / `super::a` / `self::a` at the start of `text`, as far as it goes.
fn leading_path(text: &str) -> Option<&str> {
    let head = ["crate::", "super::", "self::"].iter().find(|h| text.starts_with(**h))?;
    let end = text[head.len()..]
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .map_or(text.len(), |e| e + head.len());
    Some(text[..end].trim_end_matches(':'))
}

/// The longest module of `modules` that `path` starts with.
fn module_named<'a>(modules: &'a BTreeSet<Vec<String>>, path: &[String]) -> Option<&'a Vec<String>> {
    (0..=path.len()).rev().find_map(|n| modules.get(&path[..n].to_vec()))
}

/// A cycle in `edges`, if there is one.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m.as_str()) {
                Some(1) => {
                    let from = stack.iter().position(|s| s == m).unwrap();
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if !state.contains_key(n.as_str()) {
            if let Some(c) = visit(n, edges, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

/// Sibling edges: for each parent module, which of its children use which.
fn sibling_edges() -> BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Vec<String>> =
        files.iter().map(|f| module_of(f.strip_prefix(&src).unwrap())).collect();
    let mut by_parent: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in &files {
        let me = module_of(file.strip_prefix(&src).unwrap());
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for path in targets(&code, &me) {
            let Some(target) = module_named(&modules, &path) else { continue };
            let common = me.iter().zip(target.iter()).take_while(|(a, b)| a == b).count();
            if common >= me.len() || common >= target.len() {
                continue; // parent and child, or itself
            }
            by_parent
                .entry(me[..common].to_vec())
                .or_default()
                .entry(me[common].clone())
                .or_default()
                .insert(target[common].clone());
        }
    }
    by_parent
}

#[test]
fn modules_form_a_tree() {
    let by_parent = sibling_edges();
    assert!(by_parent.contains_key(&vec!["core".to_string()]), "the core's modules were read");
    let mut cycles = Vec::new();
    for (parent, edges) in &by_parent {
        if let Some(cycle) = find_cycle(edges) {
            cycles.push(format!("in {}: {}", parent.join("::"), cycle.join(" → ")));
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_core_knows_nothing_of_bevy_or_the_screen() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files = Vec::new();
    rust_files(&core, &mut files);
    for file in files {
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        assert!(!code.contains("bevy"), "{} uses Bevy", file.display());
        assert!(!code.contains("crate::screen"), "{} uses the screen", file.display());
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.entry("a".into()).or_default().insert("b".into());
    edges.entry("b".into()).or_default().insert("c".into());
    assert_eq!(find_cycle(&edges), None);
    edges.entry("c".into()).or_default().insert("a".into());
    assert_eq!(find_cycle(&edges).unwrap(), ["a", "b", "c", "a"]);
    let me = vec!["core".to_string(), "media".to_string(), "picture".to_string()];
    let t = targets("use super::frame::Fit; use crate::core::config::Fit;", &me);
    assert!(t.contains(&vec!["core".into(), "media".into(), "frame".into(), "Fit".into()]), "{t:?}");
    assert!(t.contains(&vec!["core".into(), "config".into(), "Fit".into()]), "{t:?}");
}

/// The functions of a file's code (test modules cut off) with their length in lines: from the
/// `fn` line to its closing brace (strings and comments do not count as braces).
fn function_lengths(code: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let Some(at) = t.find("fn ") else { continue };
        let before = &t[..at];
        let is_fn = before.is_empty()
            || before
                .split_whitespace()
                .all(|w| w.starts_with("pub") || ["const", "async", "unsafe", "extern"].contains(&w));
        if !is_fn || t.trim_end().ends_with(';') {
            continue;
        }
        let name: String = t[at + 3..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let (mut depth, mut started) = (0i32, false);
        for (j, l) in lines[i..].iter().enumerate() {
            let mut in_str = false;
            let mut prev = ' ';
            for c in l.chars() {
                match c {
                    '"' if prev != '\\' => in_str = !in_str,
                    '{' if !in_str => (depth, started) = (depth + 1, true),
                    '}' if !in_str => depth -= 1,
                    _ => {}
                }
                prev = c;
            }
            if started && depth <= 0 {
                found.push((name.clone(), i + 1, j + 1));
                break;
            }
        }
    }
    found
}

#[test]
fn no_function_is_over_80_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut long = Vec::new();
    let mut seen = 0;
    for file in &files {
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for (name, line, len) in function_lengths(&code) {
            seen += 1;
            if len > 80 {
                long.push(format!("{}:{line} {name}: {len} lines", file.display()));
            }
        }
    }
    assert!(seen > 300, "functions were found ({seen})");
    assert!(long.is_empty(), "functions over 80 lines:\n{}", long.join("\n"));
}

#[test]
fn function_lengths_are_counted_to_the_closing_brace() {
    let code = "pub fn a() {\n    let s = \"}\";\n}\nfn b(x: u8) -> u8 {\n    if x > 1 {\n        x\n    } else {\n        0\n    }\n}\n";
    assert_eq!(function_lengths(code), [("a".to_string(), 1, 3), ("b".to_string(), 4, 7)]);
}
