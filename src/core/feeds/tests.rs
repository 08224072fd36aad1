//! The feed reader on small documents made here, one per case it must read (or refuse).

use super::reading::parse_date;
use super::*;

fn titles(doc: &[u8]) -> Vec<String> {
    parse(doc).unwrap_or_else(|e| panic!("{e}")).into_iter().map(|h| h.title).collect()
}

#[test]
fn titles_come_out_clean() {
    assert_eq!(clean_title("  <b>Year 3</b> visit the\n\t<i>museum</i>  "), "Year 3 visit the museum");
    assert_eq!(clean_title("Fish &amp;amp; chips &#8217;n&#x2019; more &hellip;"), "Fish & chips ’n’ more …");
    assert_eq!(clean_title("Bell\u{7} rings"), "Bell rings");
    assert_eq!(clean_title("A & B &unknown; C"), "A & B &unknown; C");
    assert_eq!(clean_title("Caf&eacute; &Uuml;ber &yuml; 3 &lt; 4 &raquo;"), "Café Über ÿ 3 < 4 »");
    assert_eq!(clean_title("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2");
    let long = clean_title(&"word ".repeat(60));
    assert_eq!(long.chars().count(), MAX_TITLE_CHARS);
    assert!(long.ends_with('…'));
}

#[test]
fn hostile_and_broken_documents_are_errors() {
    assert_eq!(parse(b""), Err(FeedError::Empty));
    assert_eq!(parse(b"   \n"), Err(FeedError::Empty));
    assert_eq!(parse(b"<!DOCTYPE html><html><body>Please log in</body></html>"), Err(FeedError::WebPage));
    assert_eq!(parse(b"<!DOCTYPE html><body><p>Please log in<br></body>"), Err(FeedError::WebPage));
    let bomb = b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]><rss><channel><title>&lol2;</title></channel></rss>";
    assert_eq!(parse(bomb), Err(FeedError::Entities));
    let external = b"<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY % ext SYSTEM \"http://evil.example/x.dtd\"> %ext;]><rss><channel><item><title>x</title></item></channel></rss>";
    assert_eq!(parse(external), Err(FeedError::Entities));
    assert_eq!(parse(b"<notes><note/></notes>"), Err(FeedError::NotAFeed));
    assert_eq!(parse(b"{\"version\": \"https://jsonfeed.org/version/1\"}"), Err(FeedError::NotAFeed));
    assert!(matches!(parse(b"<rss version=\"2.0\"><channel><item><title>Half"), Err(FeedError::Invalid(_))));
    assert!(matches!(parse(b"<rss><channel><item><title>x</title><!-- cut"), Err(FeedError::Invalid(_))));
    assert_eq!(parse(&vec![b' '; MAX_FEED_BYTES + 1]), Err(FeedError::TooLarge));
}

#[test]
fn a_feed_cut_short_keeps_its_whole_items() {
    let doc = b"<rss version=\"2.0\"><channel><item><title>One</title></item><item><title>Tw";
    assert_eq!(titles(doc), ["One"]);
}

#[test]
fn many_items_are_bounded() {
    let mut doc = String::from(
        "<rss version=\"2.0\"><channel><title>t</title><link>l</link><description>d</description>",
    );
    for i in 0..5000 {
        doc.push_str(&format!("<item><title>News {i}</title></item>"));
    }
    doc.push_str("</channel></rss>");
    let list = titles(doc.as_bytes());
    assert_eq!(list.len(), MAX_ITEMS);
    assert_eq!(list[MAX_ITEMS - 1], format!("News {}", MAX_ITEMS - 1));
}

#[test]
fn atom_titles_with_any_type_attribute_are_read() {
    // As written by old blog engines: a MIME type, an empty type, an unknown attribute.
    let doc = br#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text/html">Year 6 blog</title>
  <updated>2027-01-10T09:00:00Z</updated>
  <entry>
<title type="text/html" mode="escaped">Our &lt;b&gt;science&lt;/b&gt; fair</title>
<id>tag:example.org,2027:1</id>
<updated>2027-01-10T09:00:00Z</updated>
  </entry>
  <entry>
<title type="">Sports day</title>
<published>2027-01-09T09:00:00+01:00</published>
<updated>2027-01-11T09:00:00Z</updated>
  </entry>
  <entry>
<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Poems <em>by</em> 6B</div></title>
<updated>2027-01-08</updated>
  </entry>
</feed>"#;
    let list = parse(doc).unwrap();
    let got: Vec<&str> = list.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(got, ["Our science fair", "Sports day", "Poems by 6B"]);
    assert_eq!(list[0].published, DateTime::parse_from_rfc3339("2027-01-10T09:00:00Z").ok());
    assert_eq!(list[1].published, DateTime::parse_from_rfc3339("2027-01-09T08:00:00Z").ok());
    assert_eq!(list[2].published, DateTime::parse_from_rfc3339("2027-01-08T00:00:00Z").ok());
}

#[test]
fn atom_0_3_feeds_are_read() {
    let doc = br#"<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:lang="en">
  <title mode="escaped">Mr Jones&#39;s class</title>
  <modified>2006-03-01T10:00:00Z</modified>
  <entry>
<title mode="escaped" type="text/html">Trip to the &lt;i&gt;zoo&lt;/i&gt;</title>
<issued>2006-02-28T09:00:00Z</issued>
<modified>2006-03-01T10:00:00Z</modified>
<content type="text/html" mode="escaped">&lt;p&gt;We saw lions.&lt;/p&gt;</content>
  </entry>
  <entry>
<title>Spelling test</title>
<modified>2006-02-20T09:00:00Z</modified>
  </entry>
</feed>"#;
    let list = parse(doc).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].title, "Trip to the zoo");
    assert_eq!(list[0].published, DateTime::parse_from_rfc3339("2006-02-28T09:00:00Z").ok());
    assert_eq!(list[1].title, "Spelling test");
    assert_eq!(list[1].published, DateTime::parse_from_rfc3339("2006-02-20T09:00:00Z").ok());
}

#[test]
fn comments_and_doctypes_before_the_root_are_read_as_xml() {
    let doc = br#"<?xml version="1.0"?>
<!-- Generated by <blog-engine> 2.1 -- see <http://example.org/> -->
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<?xml-stylesheet type="text/xsl" href="rss.xsl"?>
<rss version="0.91"><channel><title>Library</title>
<item><title>New books&nbsp;in the library</title></item>
</channel></rss>"#;
    assert_eq!(titles(doc), ["New books in the library"]);
}

#[test]
fn rss_titles_only_in_dublin_core_are_shown() {
    let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://example.org/"><title>Blog</title></channel>
  <item rdf:about="http://example.org/1"><dc:title>Choir concert</dc:title><dc:date>2027-01-05T18:00:00Z</dc:date></item>
  <item rdf:about="http://example.org/2"><title>Own title</title><dc:title>Not this one</dc:title></item>
</rdf:RDF>"#;
    let list = parse(doc).unwrap();
    assert_eq!(list[0].title, "Choir concert");
    assert_eq!(list[0].published, DateTime::parse_from_rfc3339("2027-01-05T18:00:00Z").ok());
    assert_eq!(list[1].title, "Own title");
    let rss2 = br#"<rss version="2.0" xmlns:d="http://purl.org/dc/elements/1.1/"><channel>
<item><d:title>Bake sale</d:title></item><item><x:title xmlns:x="http://example.org/x">Not a title</x:title></item>
</channel></rss>"#;
    assert_eq!(titles(rss2), ["Bake sale"]);
}

#[test]
fn undeclared_encodings_are_guessed() {
    let cases: [(&'static encoding_rs::Encoding, &str); 4] = [
        (encoding_rs::SHIFT_JIS, "運動会のお知らせ：雨天の場合は体育館で行います"),
        (encoding_rs::EUC_KR, "운동회 안내: 비가 오면 체육관에서 합니다"),
        (encoding_rs::WINDOWS_1251, "Школьная ярмарка в пятницу: приходите всей семьёй"),
        (encoding_rs::WINDOWS_1252, "Fête de l'école: les élèves préparent un spectacle"),
    ];
    for (encoding, title) in cases {
        let doc = format!(
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>{title}</title><item><title>{title}</title><description>{title} {title}</description></item></channel></rss>"
        );
        let (bytes, _, unmappable) = encoding.encode(&doc);
        assert!(!unmappable && std::str::from_utf8(&bytes).is_err(), "{}", encoding.name());
        assert_eq!(titles(&bytes), [title], "{}", encoding.name());
    }
    // A declared encoding is honoured; a byte-order mark wins over everything.
    let (bytes, _, _) = encoding_rs::KOI8_R.encode("<?xml version=\"1.0\" encoding=\"koi8-r\"?><rss><channel><item><title>Ярмарка</title></item></channel></rss>");
    assert_eq!(titles(&bytes), ["Ярмарка"]);
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "<rss><channel><item><title>Ünïcødé</title></item></channel></rss>".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    assert_eq!(titles(&utf16), ["Ünïcødé"]);
    let utf32: Vec<u8> = "<rss><channel><item><title>Ünïcødé 🎉</title></item></channel></rss>"
        .chars()
        .flat_map(|c| (c as u32).to_be_bytes())
        .collect();
    assert_eq!(titles(&utf32), ["Ünïcødé 🎉"]);
}

#[test]
fn lenient_where_feedparser_is_lenient() {
    // A stray `&`, an end tag that matches nothing, an unclosed inline tag, upper-case CDF.
    let doc = b"<rss version=\"2.0\"><channel><item><title>Fish & chips</title></p></item>\
<item><title><![CDATA[Maths <b>week</b>]]></title><description>a <br> b</description></item></channel></rss>";
    assert_eq!(titles(doc), ["Fish & chips", "Maths week"]);
    let cdf = b"<CHANNEL HREF=\"http://example.org/\"><TITLE>Site</TITLE><ITEM HREF=\"/1\"><TITLE>Open evening</TITLE></ITEM></CHANNEL>";
    assert_eq!(titles(cdf), ["Open evening"]);
    let entry = b"<?xml version=\"1.0\"?><entry xmlns=\"http://www.w3.org/2005/Atom\"><title>Lone entry</title></entry>";
    assert_eq!(titles(entry), ["Lone entry"]);
}

#[test]
fn titles_in_base64_xhtml_and_media_rss_are_read() {
    let doc = br#"<feed xmlns="http://www.w3.org/2005/Atom">
<entry><title type="application/octet-stream">
PHA+SGlzdG9yeSBvZiB0aGUgJmx0O2JsaW5rJmd0OyB0YWc8L3A+
</title></entry>
<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Is 1 &lt; 2? <b>Yes</b> &amp; no</div></title></entry>
<entry><title type="html">safe&lt;script type="text/javascript">location.href='x';&lt;/script> description</title></entry>
<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Also <script>alert(1)</script>safe</div></title></entry>
</feed>"#;
    assert_eq!(
        titles(doc),
        ["History of the <blink> tag", "Is 1 < 2? Yes & no", "safe description", "Also safe"]
    );
    let old = b"<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><entry><title mode=\"base64\">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</title></entry></feed>";
    assert_eq!(titles(old), ["Example Atom"]);
    let media = br#"<rss version="2.0" xmlns:m="http://search.yahoo.com/mrss/"><channel>
<item><m:group><m:content url="a.mp4"><m:title type="plain">Assembly film</m:title></m:content></m:group></item>
<item><title>Own title</title><m:title>Not this one</m:title></item>
</channel></rss>"#;
    assert_eq!(titles(media), ["Assembly film", "Own title"]);
}

#[test]
fn dates_in_the_forms_feeds_use() {
    let at = |s: &str| DateTime::parse_from_rfc3339(s).ok();
    assert_eq!(parse_date("Mon, 04 Jan 2027 09:00:00 GMT"), at("2027-01-04T09:00:00Z"));
    assert_eq!(parse_date("Fri, 04 Jan 2027 09:00:00 +0000"), at("2027-01-04T09:00:00Z"));
    assert_eq!(parse_date("04 Jan 2027 09:00:00 +0000"), at("2027-01-04T09:00:00Z"));
    assert_eq!(parse_date(" 2027-01-04T09:00:00+01:00 "), at("2027-01-04T08:00:00Z"));
    assert_eq!(parse_date("2027-01-04T09:00Z"), at("2027-01-04T09:00:00Z"));
    assert_eq!(parse_date("2027-01-04T09:00:00"), at("2027-01-04T09:00:00Z"));
    assert_eq!(parse_date("2027-01-04"), at("2027-01-04T00:00:00Z"));
    assert_eq!(parse_date("next Tuesday"), None);
}

#[test]
fn select_orders_dedupes_and_ages() {
    let h = |t: &str, d: Option<&str>| Headline {
        title: t.into(),
        published: d.map(|d| DateTime::parse_from_rfc3339(d).unwrap()),
    };
    let now = DateTime::parse_from_rfc3339("2027-01-20T12:00:00Z").unwrap().with_timezone(&Utc);
    let list = vec![
        h("Old", Some("2026-12-01T00:00:00Z")),
        h("New", Some("2027-01-19T00:00:00Z")),
        h("new", Some("2027-01-18T00:00:00Z")),
        h("Mid", Some("2027-01-10T00:00:00Z")),
        h("Undated", None),
    ];
    let got: Vec<String> =
        select(list, 10, Some(Duration::from_secs(14 * 86_400)), now).into_iter().map(|h| h.title).collect();
    assert_eq!(got, ["New", "Mid", "Undated"]);
}
