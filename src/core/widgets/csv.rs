//! CSV files as Excel and text editors write them: UTF-8 with or without BOM, or Windows-1252;
//! CRLF line ends; `,` or `;` as the delimiter (found from the header line); quoted fields with
//! `""` for a quote; header names in any case.

use std::collections::BTreeMap;

use crate::core::text::decode_text;

/// One data row: its 1-based line number and its fields by lower-case header name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub fields: BTreeMap<String, String>,
}

impl Row {
    /// The field `name`, trimmed; None when missing or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

/// Parses CSV bytes into rows keyed by the header line. Blank lines are skipped.
pub fn parse(bytes: &[u8]) -> Vec<Row> {
    let text = decode_text(bytes);
    let records = split_records(&text);
    let mut iter = records.into_iter().filter(|(_, f)| !(f.len() == 1 && f[0].trim().is_empty()));
    let Some((_, header)) = iter.next() else { return Vec::new() };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    iter.map(|(line, fields)| Row {
        line,
        fields: header.iter().cloned().zip(fields.into_iter().map(|f| f.trim().to_string())).collect(),
    })
    .collect()
}

fn delimiter(text: &str) -> char {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.matches(';').count() > first.matches(',').count() { ';' } else { ',' }
}

/// Splits text into records of fields, honouring quotes (which may hold delimiters and newlines).
fn split_records(text: &str) -> Vec<(usize, Vec<String>)> {
    let delim = delimiter(text);
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut line = 1;
    let mut start_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => in_quotes = !in_quotes,
            '\n' if !in_quotes => {
                fields.push(std::mem::take(&mut field));
                records.push((start_line, std::mem::take(&mut fields)));
                line += 1;
                start_line = line;
            }
            '\n' => {
                field.push(' ');
                line += 1;
            }
            c if c == delim && !in_quotes => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        records.push((start_line, fields));
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_semicolons_bom_crlf_quotes_and_header_case() {
        let bytes = b"\xEF\xBB\xBFName;Class;Date\r\n\"Smith, Anna\";3B;03-14\r\n\r\n\"Zo\xc3\xab \"\"Z\"\"\";4A;2015-12-01\r\n";
        let rows = parse(bytes);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].get("name"), Some("Smith, Anna"));
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].get("name"), Some("Zoë \"Z\""));
        assert_eq!(rows[1].get("date"), Some("2015-12-01"));
        assert_eq!(rows[1].line, 4);
    }

    #[test]
    fn windows_1252_and_missing_columns() {
        let rows = parse(b"name,class,date\nJos\xe9,2C\n");
        assert_eq!(rows[0].get("name"), Some("José"));
        assert_eq!(rows[0].get("date"), None);
    }
}
