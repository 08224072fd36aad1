//! Feeds as other readers read them: real feed files made by the tests, written as old blog
//! engines write them, read the way the ticker reads them (`corridor ticker` with file:// and
//! http:// addresses, and the feed thread's fetch-and-parse against a real HTTP server).

use std::path::{Path, PathBuf};

use super::common::*;
use corridor::core::feeds::{self, FeedError, MAX_FEED_BYTES};
use corridor::core::ticker::FeedSource;
use corridor::core::ticker::fetch::{Fetched, Fetcher, Limits, Validators};

/// An Atom 1.0 feed with the attribute values older blog engines write on titles.
const ATOM_ODD_TYPES: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title type="text/html">Year 6 blog</title>
  <id>tag:year6.example.org,2027:feed</id>
  <updated>2027-01-12T09:00:00Z</updated>
  <entry>
    <title type="text/html">Our &lt;b&gt;science&lt;/b&gt; fair</title>
    <id>tag:year6.example.org,2027:3</id>
    <updated>2027-01-12T09:00:00Z</updated>
    <content type="text/html">&lt;p&gt;Volcanoes everywhere.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title type="">Sports day</title>
    <id>tag:year6.example.org,2027:2</id>
    <updated>2027-01-11T09:00:00Z</updated>
  </entry>
  <entry>
    <title type="text" xml:base="http://year6.example.org/" foo="bar">Poems by 6B</title>
    <id>tag:year6.example.org,2027:1</id>
    <updated>2027-01-10T09:00:00Z</updated>
  </entry>
</feed>
"#;

/// An Atom 0.3 feed, as old blogs still serve them.
const ATOM_0_3: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" xml:lang="en">
  <title mode="escaped">Mr Jones's class</title>
  <link rel="alternate" type="text/html" href="http://jones.example.org/"/>
  <modified>2006-03-02T10:00:00Z</modified>
  <entry>
    <title mode="escaped" type="text/html">Trip to the &lt;i&gt;zoo&lt;/i&gt;</title>
    <link rel="alternate" type="text/html" href="http://jones.example.org/2"/>
    <id>tag:jones.example.org,2006:2</id>
    <issued>2006-03-01T09:00:00Z</issued>
    <modified>2006-03-02T10:00:00Z</modified>
    <content type="text/html" mode="escaped">&lt;p&gt;We saw lions.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Spelling test on Friday</title>
    <id>tag:jones.example.org,2006:1</id>
    <issued>2006-02-20T09:00:00Z</issued>
    <modified>2006-02-20T09:00:00Z</modified>
  </entry>
</feed>
"#;

/// An RSS 2.0 feed with a comment holding `<` before its root element.
const COMMENT_FIRST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- generator="<Blogware> 1.2" -- see <http://blogware.example/> -->
<?xml-stylesheet type="text/xsl" href="/rss.xsl"?>
<rss version="2.0">
<channel><title>Library</title><link>http://library.example.org/</link><description>Books</description>
<item><title>New books in the library</title><pubDate>Tue, 12 Jan 2027 09:00:00 +0000</pubDate></item>
<item><title>Reading week</title><pubDate>Mon, 11 Jan 2027 09:00:00 +0000</pubDate></item>
</channel>
</rss>
"#;

/// RSS 1.0 and 2.0 items whose title is only in Dublin Core's `dc:title`.
const DC_TITLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://choir.example.org/">
    <title>Choir</title><link>http://choir.example.org/</link><description>Songs</description>
    <items><rdf:Seq><rdf:li rdf:resource="http://choir.example.org/2"/><rdf:li rdf:resource="http://choir.example.org/1"/></rdf:Seq></items>
  </channel>
  <item rdf:about="http://choir.example.org/2"><link>http://choir.example.org/2</link><dc:title>Choir concert on Thursday</dc:title><dc:date>2027-01-12T18:00:00Z</dc:date></item>
  <item rdf:about="http://choir.example.org/1"><link>http://choir.example.org/1</link><dc:title>Auditions</dc:title><dc:date>2027-01-05T18:00:00Z</dc:date></item>
</rdf:RDF>
"#;

/// An RSS 2.0 feed with no encoding declared, for the tests to write in a legacy encoding.
fn undeclared(titles: &[&str]) -> String {
    let mut doc = String::from(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>Blog</title><link>http://blog.example.org/</link>\n",
    );
    for (i, t) in titles.iter().enumerate() {
        doc.push_str(&format!(
            "<item><title>{t}</title><description>{t}. {t}.</description><pubDate>Mon, {:02} Jan 2027 09:00:00 +0000</pubDate></item>\n",
            20 - i
        ));
    }
    doc + "</channel></rss>\n"
}

const JAPANESE: [&str; 2] =
    ["運動会のお知らせ：雨天の場合は体育館で行います", "図書室に新しい本が届きました"];
const KOREAN: [&str; 2] = ["운동회 안내: 비가 오면 체육관에서 합니다", "도서관에 새 책이 들어왔습니다"];
const RUSSIAN: [&str; 2] = ["Школьная ярмарка в пятницу: приходите всей семьёй", "Новые книги в библиотеке"];

/// Each odd-but-valid feed, its file name, and the headlines the ticker should show, in the
/// order it shows them (newest first).
fn odd_feeds() -> Vec<(&'static str, Vec<u8>, Vec<&'static str>)> {
    let encoded = |encoding: &'static encoding_rs::Encoding, titles: &[&str]| {
        let text = undeclared(titles);
        let (bytes, _, unmappable) = encoding.encode(&text);
        assert!(!unmappable, "{}", encoding.name());
        bytes.into_owned()
    };
    vec![
        ("atom-odd-types.xml", ATOM_ODD_TYPES.into(), vec!["Our science fair", "Sports day", "Poems by 6B"]),
        ("atom-0.3.xml", ATOM_0_3.into(), vec!["Trip to the zoo", "Spelling test on Friday"]),
        ("comment-first.xml", COMMENT_FIRST.into(), vec!["New books in the library", "Reading week"]),
        ("dc-titles.rdf", DC_TITLES.into(), vec!["Choir concert on Thursday", "Auditions"]),
        ("shift-jis.xml", encoded(encoding_rs::SHIFT_JIS, &JAPANESE), JAPANESE.to_vec()),
        ("euc-kr.xml", encoded(encoding_rs::EUC_KR, &KOREAN), KOREAN.to_vec()),
        ("windows-1251.xml", encoded(encoding_rs::WINDOWS_1251, &RUSSIAN), RUSSIAN.to_vec()),
    ]
}

fn write_all(dir: &Path) -> Vec<(PathBuf, Vec<&'static str>)> {
    odd_feeds()
        .into_iter()
        .map(|(name, bytes, want)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            (path, want)
        })
        .collect()
}

#[test]
fn odd_but_valid_feed_files_show_their_headlines_in_corridor_ticker() {
    let dir = tempfile::tempdir().unwrap();
    for (path, want) in write_all(dir.path()) {
        let url = format!("file://{}", path.display());
        let out = corridor().args(["ticker", &url]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{}: {err}", path.display());
        let shown: Vec<String> = stdout(&out).lines().map(String::from).collect();
        assert_eq!(shown, want, "{}", path.display());
    }
}

#[test]
fn legacy_encodings_are_not_utf8_on_disk_and_come_out_right() {
    let dir = tempfile::tempdir().unwrap();
    for (path, want) in write_all(dir.path()).into_iter().skip(4) {
        let bytes = std::fs::read(&path).unwrap();
        assert!(std::str::from_utf8(&bytes).is_err(), "{}", path.display());
        assert!(!String::from_utf8_lossy(&bytes).contains("encoding="), "{}", path.display());
        let titles: Vec<String> = feeds::parse(&bytes).unwrap().into_iter().map(|h| h.title).collect();
        assert_eq!(titles, want, "{}", path.display());
    }
}

#[test]
fn odd_but_valid_feeds_over_http_are_read_as_from_a_file() {
    let feeds_served = odd_feeds();
    let served: Vec<(String, Vec<u8>)> =
        feeds_served.iter().map(|(name, bytes, _)| (format!("/{name}"), bytes.clone())).collect();
    let s = TestServer::start(move |r| match served.iter().find(|(p, _)| *p == r.path) {
        Some((_, body)) => Reply::ok(body.clone()),
        None => Reply::status(404),
    });
    // The feed thread's way: fetch, then parse.
    let f = Fetcher::new(Limits::default()).unwrap();
    for (name, _, want) in &feeds_served {
        let fetched = f.fetch(&FeedSource::Web(s.url(&format!("/{name}"))), &Validators::default());
        let Ok(Fetched::Body { bytes, .. }) = fetched else { panic!("{name}: {fetched:?}") };
        let list = feeds::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let shown: Vec<String> =
            feeds::select(list, 15, None, chrono::Utc::now()).into_iter().map(|h| h.title).collect();
        assert_eq!(&shown, want, "{name}");
    }
    // `corridor ticker` with every address at once: all of them, in the order given.
    let urls: Vec<String> = feeds_served.iter().map(|(name, _, _)| s.url(&format!("/{name}"))).collect();
    let out = corridor().arg("ticker").args(&urls).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let want: Vec<&str> = feeds_served.iter().flat_map(|(_, _, want)| want.iter().copied()).collect();
    assert_eq!(stdout(&out).lines().collect::<Vec<_>>(), want);
}

#[test]
fn leniency_stops_where_safety_starts() {
    let dir = tempfile::tempdir().unwrap();
    // Entity declarations are still refused, even in an otherwise lenient read.
    let bomb = dir.path().join("bomb.xml");
    std::fs::write(
        &bomb,
        "<?xml version=\"1.0\"?>\n<!-- a comment with <markup> first -->\n<!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n<rss version=\"2.0\"><channel><item><title type=\"\">&b;</title></item></channel></rss>",
    )
    .unwrap();
    assert_eq!(feeds::parse(&std::fs::read(&bomb).unwrap()), Err(FeedError::Entities));
    // Too large, even when valid.
    let huge = dir.path().join("huge.xml");
    let item = "<item><title>Same old news</title></item>";
    let mut doc = String::from("<rss version=\"2.0\"><channel>");
    doc.push_str(&item.repeat(MAX_FEED_BYTES / item.len() + 1));
    std::fs::write(&huge, doc + "</channel></rss>").unwrap();
    assert_eq!(feeds::parse(&std::fs::read(&huge).unwrap()), Err(FeedError::TooLarge));
    // A document cut short before any whole item is still an error, named as one.
    let cut = dir.path().join("cut.xml");
    std::fs::write(&cut, &COMMENT_FIRST[..COMMENT_FIRST.find("New books").unwrap()]).unwrap();
    assert!(matches!(feeds::parse(&std::fs::read(&cut).unwrap()), Err(FeedError::Invalid(_))));

    let urls: Vec<String> = [&bomb, &huge, &cut].iter().map(|p| format!("file://{}", p.display())).collect();
    let out = corridor().arg("ticker").args(&urls).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bomb.xml: the feed declares its own XML entities"), "{err}");
    assert!(err.contains("huge.xml:"), "{err}");
    assert!(err.contains("cut.xml: the feed is not valid"), "{err}");
}
