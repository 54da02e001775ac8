//! HTML pages: a saved web page reduced to the story a reviewer needs to read.
//!
//! The page is parsed by a real HTML5 parser (`scraper`, on html5ever), which copes
//! with broken markup the way browsers do and decodes entities; what is ours is the
//! judgement of which parts of a news page are the story. Metadata comes from the
//! tags publishers fill in for link previews (`og:*`, `article:*`), then from the
//! visible page. The body is the text of paragraphs, sub-headings, list items and
//! quotes inside the `<article>` (or `<main>`, or `<body>`), leaving out navigation,
//! headers, footers, asides, scripts, forms and anything whose class or id says it is a
//! cookie banner, share bar, related-articles list, newsletter box, ad or comments.
//!
//! Every walk over the tree is iterative, so deep nesting costs no stack; and a page
//! whose markup would make the parser itself slow (deep nesting, thousands of
//! attributes on a tag) is measured first and read as plain text instead, with a
//! warning (see `html_bounds`).

use scraper::node::Element;
use scraper::{ElementRef, Html, Node};

use super::front::date;
use super::html_bounds::{exceeded, is_inline, read_plain};
use super::text::parse_with;
use super::{Article, ArticleError};
use crate::host::domain_of;

/// Elements that are never the story, whatever their content.
const SKIP_TAGS: &[&str] = &[
    "nav",
    "header",
    "footer",
    "aside",
    "script",
    "style",
    "noscript",
    "form",
    "button",
    "figcaption",
    "template",
    "svg",
    "iframe",
    "select",
    "textarea",
    "dialog",
    "head",
];

/// Words in a class or id that mark page furniture rather than the story.
const NOISE: &[&str] = &[
    "cookie",
    "consent",
    "share",
    "social",
    "related",
    "newsletter",
    "subscribe",
    "promo",
    "advert",
    "comment",
    "menu",
    "breadcrumb",
];

/// Elements whose text is one paragraph of the body.
const BLOCKS: &[&str] = &["p", "h2", "h3", "h4", "li", "blockquote"];

/// Separators between a page title and the site's name in `<title>`.
const TITLE_SEPARATORS: &[&str] = &[" | ", " - ", " — ", " – ", " · ", " :: ", " » "];

/// Reads an `.html` or `.htm` file.
pub(crate) fn parse(file_name: &str, bytes: &[u8]) -> Result<Article, ArticleError> {
    parse_with(file_name, bytes, |article, text| match exceeded(text) {
        None => read_page(article, &Html::parse_document(text)),
        Some(bound) => {
            read_plain(article, text);
            article.warnings.push(bound.warning());
        }
    })
}

/// The `<meta>` tags of a page as (lowercased name or property, content), in order.
struct Metas(Vec<(String, String)>);

impl Metas {
    fn read(page: &Html) -> Metas {
        let mut metas = Vec::new();
        for el in page.root_element().descendent_elements() {
            let el = el.value();
            if el.name() != "meta" {
                continue;
            }
            let Some(content) = el.attr("content") else {
                continue;
            };
            let content = collapse(content);
            if content.is_empty() {
                continue;
            }
            for key in ["property", "name", "itemprop"] {
                if let Some(k) = el.attr(key) {
                    metas.push((k.trim().to_ascii_lowercase(), content.clone()));
                }
            }
        }
        Metas(metas)
    }

    /// The first value of the first of `keys` that the page has.
    fn first(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|key| {
            self.0
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        })
    }

    fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn read_page(article: &mut Article, page: &Html) {
    let metas = Metas::read(page);
    let root = page.root_element();

    article.url = metas
        .first(&["og:url", "twitter:url"])
        .map(str::to_string)
        .or_else(|| canonical(root));
    let domain = article.url.as_deref().and_then(domain_of);
    let site = metas
        .first(&["og:site_name", "application-name"])
        .map(str::to_string);
    article.publisher = site.clone().or_else(|| domain.clone());
    article.source = domain;

    article.title = title(root, &metas, article.publisher.as_deref()).unwrap_or_default();

    let container = container(root);
    let mut body = Walk::default();
    body.run(container, false);
    if body.paragraphs.is_empty() {
        body = Walk::default();
        body.run(container, true);
    }

    article.date = metas
        .first(&[
            "article:published_time",
            "og:article:published_time",
            "datepublished",
            "date",
            "pubdate",
            "publishdate",
            "dc.date",
            "dc.date.issued",
        ])
        .and_then(date)
        .or(body.date.take())
        .or_else(|| root.descendent_elements().find_map(time_date));

    let meta_authors: Vec<String> = metas
        .all("author")
        .chain(metas.all("article:author"))
        .filter(|a| !a.contains("://"))
        .flat_map(split_names)
        .collect();
    let from_body = take_byline_paragraph(&mut body.paragraphs);
    let authors = if !meta_authors.is_empty() {
        meta_authors
    } else if let Some(names) = root.descendent_elements().find_map(byline) {
        names
    } else {
        from_body
    };
    for a in authors {
        if !article.authors.contains(&a) {
            article.authors.push(a);
        }
    }

    let mut tags: Vec<String> = Vec::new();
    for list in metas.all("keywords").chain(metas.all("news_keywords")) {
        tags.extend(list.split([',', ';']).map(collapse));
    }
    tags.extend(metas.all("article:section").map(collapse));
    tags.extend(metas.all("article:tag").map(collapse));
    for t in tags {
        if !t.is_empty() && !article.tags.contains(&t) {
            article.tags.push(t);
        }
    }
    article.body = body.paragraphs.into_iter().collect();
}

/// `<link rel="canonical" href=…>`.
fn canonical(root: ElementRef<'_>) -> Option<String> {
    root.descendent_elements().find_map(|el| {
        let el = el.value();
        let is_canonical = el.name() == "link"
            && el.attr("rel").is_some_and(|rel| {
                rel.split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
            });
        let href = el.attr("href").map(str::trim).filter(|h| !h.is_empty())?;
        is_canonical.then(|| href.to_string())
    })
}

/// `og:title`, else `<title>` without the site's name, else the first `<h1>`.
fn title(root: ElementRef<'_>, metas: &Metas, site: Option<&str>) -> Option<String> {
    if let Some(t) = metas.first(&["og:title", "twitter:title"]) {
        return Some(strip_site(t, site, false));
    }
    let from_title = root
        .descendent_elements()
        .find(|el| el.value().name() == "title")
        .map(|el| strip_site(&collapse(&el.text().collect::<String>()), site, true))
        .filter(|t| !t.is_empty());
    from_title.or_else(|| {
        root.descendent_elements()
            .find(|el| el.value().name() == "h1")
            .map(|el| collapse(&el.text().collect::<String>()))
            .filter(|t| !t.is_empty())
    })
}

/// Drops a ` | Site` tail from a title when it names the site, or (when `short_tail`)
/// when it is short enough to be a site's name rather than part of the headline.
fn strip_site(title: &str, site: Option<&str>, short_tail: bool) -> String {
    let cut = TITLE_SEPARATORS
        .iter()
        .filter_map(|sep| title.rfind(sep).map(|i| (i, sep.len())))
        .max();
    if let Some((i, len)) = cut {
        let (head, tail) = (title[..i].trim(), title[i + len..].trim());
        let names_site = site.is_some_and(|s| s.eq_ignore_ascii_case(tail));
        let short = short_tail && tail.split_whitespace().count() <= 4;
        if !head.is_empty() && (names_site || short) {
            return head.to_string();
        }
    }
    title.to_string()
}

/// Where the story is: the first `<article>` outside page furniture, else `<main>`,
/// else `<body>`, else the whole page.
fn container(root: ElementRef<'_>) -> ElementRef<'_> {
    let find = |name: &str| {
        root.descendent_elements()
            .find(|el| el.value().name() == name && !inside_furniture(*el))
    };
    find("article")
        .or_else(|| find("main"))
        .or_else(|| find("body"))
        .unwrap_or(root)
}

/// True when an element or one of its ancestors is skipped page furniture.
fn inside_furniture(el: ElementRef<'_>) -> bool {
    el.ancestors()
        .chain(std::iter::once(*el))
        .filter_map(|n| n.value().as_element())
        .any(is_furniture)
}

fn is_furniture(el: &Element) -> bool {
    SKIP_TAGS.contains(&el.name()) || has_marker(el, NOISE)
}

/// Whether the element's class, id or itemprop contains one of `words`, ignoring case.
fn has_marker(el: &Element, words: &[&str]) -> bool {
    ["class", "id", "itemprop"].iter().any(|attr| {
        el.attr(attr).is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            words.iter().any(|w| v.contains(w))
        })
    })
}

/// The paragraphs of the story, gathered in one pass over the container.
#[derive(Default)]
struct Walk {
    paragraphs: Vec<String>,
    buffer: String,
    /// How many body blocks are open around the current node.
    blocks: usize,
    /// The first date of a `<time>` met in the story.
    date: Option<String>,
}

impl Walk {
    /// Walks `top` depth-first without recursion. In `loose` mode (for pages with no
    /// paragraph markup) all text counts, and every non-inline element breaks it.
    fn run(&mut self, top: ElementRef<'_>, loose: bool) {
        let mut node = *top;
        loop {
            let descend = self.open(node.value(), node != *top, loose);
            if descend && let Some(child) = node.first_child() {
                node = child;
                continue;
            }
            loop {
                if descend || node != *top {
                    self.close(node.value(), loose);
                }
                if node == *top {
                    self.flush();
                    return;
                }
                if let Some(next) = node.next_sibling() {
                    node = next;
                    break;
                }
                match node.parent() {
                    Some(parent) => node = parent,
                    None => {
                        self.flush();
                        return;
                    }
                }
            }
        }
    }

    /// Enters a node; returns false when its children are to be skipped.
    fn open(&mut self, node: &Node, inner: bool, loose: bool) -> bool {
        match node {
            Node::Text(text) => {
                if self.blocks > 0 || loose {
                    self.buffer.push_str(text);
                }
                true
            }
            Node::Element(el) => {
                let name = el.name();
                if inner
                    && (is_furniture(el) || has_marker(el, &["byline", "author"]) || name == "h1")
                {
                    return false;
                }
                if name == "time" && self.date.is_none() {
                    self.date = time_of(el, None);
                }
                if name == "br" {
                    self.buffer.push(' ');
                } else if BLOCKS.contains(&name) {
                    self.flush();
                    self.blocks += 1;
                } else if loose && !is_inline(name.as_bytes()) {
                    self.flush();
                }
                true
            }
            _ => true,
        }
    }

    fn close(&mut self, node: &Node, loose: bool) {
        if let Node::Element(el) = node {
            let name = el.name();
            if BLOCKS.contains(&name) {
                self.flush();
                self.blocks = self.blocks.saturating_sub(1);
            } else if loose && !is_inline(name.as_bytes()) {
                self.flush();
            }
        }
    }

    fn flush(&mut self) {
        let p = collapse(&self.buffer);
        self.buffer.clear();
        if !p.is_empty() {
            self.paragraphs.push(p);
        }
    }
}

/// The date of a `<time>` element: its `datetime`, else its text.
fn time_date(el: ElementRef<'_>) -> Option<String> {
    let text = (el.value().name() == "time").then(|| el.text().collect::<String>());
    time_of(el.value(), text.as_deref())
}

fn time_of(el: &Element, text: Option<&str>) -> Option<String> {
    if el.name() != "time" {
        return None;
    }
    el.attr("datetime")
        .and_then(date)
        .or_else(|| text.and_then(|t| date(&collapse(t))))
}

/// Authors from a visible byline: an element whose class or itemprop says author or
/// byline, read as `By A and B`.
fn byline(el: ElementRef<'_>) -> Option<Vec<String>> {
    if !has_marker(el.value(), &["byline", "author"]) || inside_head(el) {
        return None;
    }
    let text = collapse(&el.text().collect::<String>());
    if text.is_empty() || text.chars().count() > 120 {
        return None;
    }
    let names = split_names(&text);
    (!names.is_empty()).then_some(names)
}

fn inside_head(el: ElementRef<'_>) -> bool {
    el.ancestors()
        .filter_map(|n| n.value().as_element())
        .any(|e| e.name() == "head")
}

/// Names from a byline as pages write them — `By Ana Ruiz and Tom Lee`, `Reporting by
/// X; editing by Y`, `Words by X`, `Text: X`, `X · 14 March 2022`, `X Updated 7 October
/// 2024` — without the lead-in, editors, dates and update notes.
fn split_names(text: &str) -> Vec<String> {
    let text = collapse(text);
    let lower = text.to_ascii_lowercase();
    let mut end = text.len();
    for sep in [" · ", " | ", " — ", " – "] {
        if let Some(i) = text.find(sep) {
            end = end.min(i);
        }
    }
    for word in ["updated ", "published ", "posted "] {
        if let Some(i) = word_at(&lower, word) {
            end = end.min(i);
        }
    }
    let mut text = text.get(..end).unwrap_or("");
    if let Some(i) = text
        .match_indices(',')
        .map(|(i, _)| i)
        .find(|&i| date(&text[i + 1..]).is_some())
    {
        text = &text[..i];
    }
    let mut names: Vec<String> = Vec::new();
    for part in text.split([',', ';']) {
        let part = part.trim();
        if part.to_ascii_lowercase().starts_with("edit") {
            continue;
        }
        for name in strip_lead_in(part)
            .split(" and ")
            .flat_map(|n| n.split(" & "))
        {
            let name = collapse(name);
            if name.is_empty() || date(&name).is_some() || name.chars().all(|c| c.is_ascii_digit())
            {
                continue;
            }
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// Where `word` starts in `lower` at the start of a word.
fn word_at(lower: &str, word: &str) -> Option<usize> {
    lower
        .match_indices(word)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || lower[..i].ends_with(' '))
}

/// `By X`, `Reporting by X`, `Report: X` → `X`: a lead-in of at most two words.
fn strip_lead_in(part: &str) -> &str {
    let lower = part.to_ascii_lowercase();
    if let Some(i) = word_at(&lower, "by ")
        && lower[..i].split_whitespace().count() <= 2
    {
        return part.get(i + 3..).unwrap_or(part);
    }
    if let Some((label, rest)) = part.split_once(": ")
        && label.split_whitespace().count() <= 2
    {
        return rest;
    }
    part
}

/// Takes a `By …` line out of the first paragraphs of the body, where pages without a
/// marked-up byline put it; its names are the authors when nothing better is known.
fn take_byline_paragraph(paragraphs: &mut Vec<String>) -> Vec<String> {
    let found = paragraphs
        .iter()
        .take(3)
        .position(|p| (p.starts_with("By ") || p.starts_with("by ")) && p.chars().count() <= 100);
    match found {
        Some(i) => split_names(&paragraphs.remove(i)),
        None => Vec::new(),
    }
}

/// Whitespace runs (including non-breaking spaces) collapsed to one space, trimmed.
pub(super) fn collapse(text: &str) -> String {
    // Character references (`&#27;`) decode to sequences the raw page did not hold;
    // they go before the text is split (into names, say), as in `text::decode`.
    let text = crate::sanitize::strip_sequences(text);
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c == '\u{a0}') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{Format, parse as parse_any};
    use proptest::prelude::*;

    fn read(html: &str) -> Article {
        match parse_any(Format::Html, "page.html", html.as_bytes()) {
            Ok(a) => a,
            Err(e) => panic!("an HTML page was refused: {e}"),
        }
    }

    const CLUTTERED: &str = r#"<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Port strike ends after three weeks | The Daily Example</title>
<meta property="og:site_name" content="The Daily Example">
<meta property="og:url" content="https://www.dailyexample.com/2024/03/port-strike">
<meta property="article:published_time" content="2024-03-05T10:00:00+01:00">
<meta name="keywords" content="Europe, Economy ,  Labour">
<meta property="article:section" content="Business">
<style>p { color: red }</style>
<script>var p = "<p>not text</p>";</script>
</head>
<body>
<div id="cookie-banner"><p>We use cookies to improve your experience.</p><button>Accept</button></div>
<header><p>The Daily Example — news you can use</p></header>
<nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<main>
<article>
<h1>Port strike ends after three weeks</h1>
<p class="byline">By <a href="/ana">Ana Ruiz</a> and Tom Lee</p>
<div class="Share-Buttons"><ul><li>Share on X</li><li>Share on Facebook</li></ul></div>
<p>Dock workers   returned on <em>Monday</em>&nbsp;morning.</p>
<figure><img src="a.jpg"><figcaption>Cranes at dawn.</figcaption></figure>
<h2>What changed</h2>
<p>The deal raises pay by 4%.<br>It runs to 2026.</p>
<p>   </p>
<blockquote>“We are back,” said one worker.</blockquote>
<ul><li>Shifts restart at six.</li></ul>
<script>track("read")</script>
<noscript><p>Enable JavaScript.</p></noscript>
<form><p>Sign up for our newsletter</p></form>
</article>
<section class="related-articles"><h2>Related</h2><ul><li><a href="/x">Another story</a></li></ul></section>
<aside><p>Most read</p></aside>
<div class="comments"><p>First!</p></div>
</main>
<footer><p>© 2024 The Daily Example. All rights reserved.</p></footer>
</body></html>"#;

    #[test]
    fn only_the_article_paragraphs_come_out_of_a_cluttered_page() {
        let a = read(CLUTTERED);
        assert_eq!(
            a.body,
            [
                "Dock workers returned on Monday morning.",
                "What changed",
                "The deal raises pay by 4%. It runs to 2026.",
                "“We are back,” said one worker.",
                "Shifts restart at six.",
            ]
        );
        assert!(a.footer.is_empty());
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    }

    #[test]
    fn cluttered_page_metadata_is_read() {
        let a = read(CLUTTERED);
        assert_eq!(a.title, "Port strike ends after three weeks");
        assert_eq!(a.publisher.as_deref(), Some("The Daily Example"));
        assert_eq!(a.source.as_deref(), Some("dailyexample.com"));
        assert_eq!(
            a.url.as_deref(),
            Some("https://www.dailyexample.com/2024/03/port-strike")
        );
        assert_eq!(a.date.as_deref(), Some("2024-03-05"));
        assert_eq!(a.authors, ["Ana Ruiz", "Tom Lee"]);
        assert_eq!(a.tags, ["Europe", "Economy", "Labour", "Business"]);
    }

    #[test]
    fn og_title_wins_over_title_and_h1() {
        let a = read(
            r#"<title>Other | Site</title><meta property="og:title" content="The real &amp; only title"><h1>H1</h1>"#,
        );
        assert_eq!(a.title, "The real & only title");
    }

    #[test]
    fn title_loses_the_site_name_tail() {
        let page = |title: &str, site: &str| {
            read(&format!(
                r#"<html><head><title>{title}</title>{site}</head><body><h1>Heading</h1></body></html>"#
            ))
            .title
        };
        let site = r#"<meta property="og:site_name" content="The Daily Example">"#;
        assert_eq!(page("News | The Daily Example", site), "News");
        assert_eq!(page("News - BBC News", ""), "News");
        assert_eq!(page("News — Le Monde", ""), "News");
        assert_eq!(
            page("Rates held - and what it means for the rest of us", ""),
            "Rates held - and what it means for the rest of us",
            "a long tail is part of the headline"
        );
        assert_eq!(
            page("Rates held | The Daily Example Morning Paper Online", site),
            "Rates held | The Daily Example Morning Paper Online"
        );
        assert_eq!(page("   ", ""), "Heading", "empty title falls back to h1");
        assert_eq!(read("<p>No title at all.</p>").title, "page.html");
    }

    #[test]
    fn site_comes_from_og_site_name_else_the_url() {
        let a = read(r#"<link rel="Canonical" href="https://www.news.example.org/a?b=1"><p>x</p>"#);
        assert_eq!(a.url.as_deref(), Some("https://www.news.example.org/a?b=1"));
        assert_eq!(a.source.as_deref(), Some("news.example.org"));
        assert_eq!(a.publisher.as_deref(), Some("news.example.org"));

        let a = read(
            r#"<meta property="og:site_name" content="Example News"><link rel="canonical" href="https://example.org/a"><p>x</p>"#,
        );
        assert_eq!(a.publisher.as_deref(), Some("Example News"));
        assert_eq!(a.source.as_deref(), Some("example.org"));
    }

    #[test]
    fn date_comes_from_published_time_else_the_first_time_element() {
        let a = read(
            r#"<meta property="article:published_time" content="2024-03-05T23:30:00-05:00"><article><time datetime="2020-01-01">Jan 1</time><p>x</p></article>"#,
        );
        assert_eq!(a.date.as_deref(), Some("2024-03-05"));
        let a = read(
            r#"<article><p>Posted <time datetime="2024-03-05T10:00:00.000Z">yesterday</time></p></article>"#,
        );
        assert_eq!(a.date.as_deref(), Some("2024-03-05"));
        let a = read(r#"<article><time>March 5, 2024</time><p>x</p></article>"#);
        assert_eq!(a.date.as_deref(), Some("2024-03-05"));
        let a = read(
            r#"<aside><time datetime="2019-01-01"></time></aside><article><p><time datetime="2024-03-05"></time>x</p></article>"#,
        );
        assert_eq!(
            a.date.as_deref(),
            Some("2024-03-05"),
            "a date in the story beats one in a sidebar"
        );
    }

    #[test]
    fn authors_come_from_meta_or_a_byline_element() {
        let a = read(r#"<meta name="author" content="Ana Ruiz, Tom Lee"><p>x</p>"#);
        assert_eq!(a.authors, ["Ana Ruiz", "Tom Lee"]);
        let a = read(
            r#"<meta property="article:author" content="https://x.org/ana"><span itemprop="author">by Kim Park</span><p>x</p>"#,
        );
        assert_eq!(a.authors, ["Kim Park"]);
    }

    #[test]
    fn bylines_lose_lead_ins_editors_dates_and_update_notes() {
        let cases: [(&str, &[&str]); 8] = [
            ("By Ana Ruiz and Tom Lee", &["Ana Ruiz", "Tom Lee"]),
            (
                "Reporting by Yusuf Demir; editing by Hanna Kos",
                &["Yusuf Demir"],
            ),
            ("Words by Tom Ashworth", &["Tom Ashworth"]),
            ("Report: Nikos Andreou", &["Nikos Andreou"]),
            ("Gwen Thomas · 14 March 2022", &["Gwen Thomas"]),
            ("Aminata Diallo Updated 7 October 2024", &["Aminata Diallo"]),
            ("by Abby Jones, March 5, 2024", &["Abby Jones"]),
            ("Abby Jones & Kim Park", &["Abby Jones", "Kim Park"]),
        ];
        for (byline, names) in cases {
            assert_eq!(split_names(byline), names, "{byline:?}");
        }
    }

    #[test]
    fn a_by_line_paragraph_is_taken_out_of_the_body_as_the_author() {
        let a = read(
            r#"<article><p class="meta">By <a href="/x">Léa Furrer</a> · <time datetime="2023-09-28">28 Sep</time></p><p>Story.</p></article>"#,
        );
        assert_eq!(a.authors, ["Léa Furrer"]);
        assert_eq!(a.body, ["Story."]);
        assert_eq!(a.date.as_deref(), Some("2023-09-28"));
    }

    #[test]
    fn pages_without_paragraph_markup_still_have_a_body() {
        let a = read(
            "<html><body><nav>Home</nav><div>First line of text.</div><div>Second <b>bold</b> line.</div></body></html>",
        );
        assert_eq!(a.body, ["First line of text.", "Second bold line."]);
    }

    #[test]
    fn the_body_is_read_from_main_when_there_is_no_article() {
        let a = read(
            "<body><div class=\"menu\"><p>Menu</p></div><main><p>Story.</p></main><p>Outside.</p></body>",
        );
        assert_eq!(a.body, ["Story."]);
    }

    #[test]
    fn deeply_nested_pages_do_not_overflow_the_stack() {
        let depth = 5_000;
        let page = format!(
            "<article>{}<p>Deep text.</p>{}</article>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let a = read(&page);
        assert!(a.body.iter().any(|p| p == "Deep text."), "{:?}", a.body);
    }

    #[test]
    fn empty_and_binary_pages_are_handled() {
        let a = read("  \n");
        assert_eq!(a.warnings, ["the file is empty"]);
        assert_eq!(a.title, "page.html");
        assert!(parse_any(Format::Html, "x.html", b"\x89PNG\r\n\x1a\n").is_err());
    }

    #[test]
    fn corpus_html_pages_parse_with_title_site_and_date() {
        let mut checked = 0;
        for i in 0..400 {
            let g = crate::corpus::article(1, i);
            if !g.name.ends_with(".html") {
                continue;
            }
            let a = read(&g.text);
            let og = |prop: &str| {
                let marker = format!("<meta property=\"{prop}\" content=\"");
                let start = g.text.find(&marker).map(|s| s + marker.len());
                start.and_then(|s| g.text[s..].split('"').next().map(str::to_string))
            };
            let unescape = |s: String| {
                s.replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&")
            };
            let expected_title = og("og:title").map(unescape);
            assert_eq!(Some(a.title.clone()), expected_title, "{}", g.name);
            assert!(!a.title.contains(" | "), "{}", g.name);
            assert_eq!(a.publisher, og("og:site_name").map(unescape), "{}", g.name);
            let published = og("article:published_time");
            assert_eq!(
                a.date.as_deref(),
                published.as_deref().and_then(|p| p.get(..10)),
                "{}",
                g.name
            );
            let url = og("og:url");
            assert_eq!(a.source, url.as_deref().and_then(domain_of), "{}", g.name);
            assert!(a.source.as_deref().is_some_and(|s| !s.starts_with("www.")));
            assert!(!a.authors.is_empty(), "{}", g.name);
            assert!(a.body.len() >= 2, "{}", g.name);
            for p in a.body.iter() {
                for furniture in ["All rights reserved", "About us", "Privacy", "By "] {
                    assert!(
                        !p.contains(furniture),
                        "{}: {furniture:?} in the body: {p:?}",
                        g.name
                    );
                }
                assert!(!p.contains('<') || !p.contains("</"), "{}: {p:?}", g.name);
            }
            assert_ne!(a.body.first(), Some("Home"), "{}", g.name);
            checked += 1;
        }
        assert!(
            checked >= 5,
            "only {checked} HTML pages in the corpus sample"
        );
    }

    proptest! {
        #[test]
        fn html_parse_never_panics_on_text(text in any::<String>()) {
            if let Ok(a) = parse_any(Format::Html, "p.html", text.as_bytes()) {
                prop_assert!(!a.title.is_empty());
                for p in a.body.iter() {
                    prop_assert!(!p.is_empty());
                }
            }
        }

        #[test]
        fn html_parse_never_panics_on_tag_soup(
            text in "(<p>|</p>|<article>|</article>|<nav>|<div class=\"share\">|</div>|<title>|</title>|<meta property=\"og:title\" content=\"|<time datetime=\"|2024-03-05|\">|<br>|<li>|&amp;|&#|x| |\n|[<>\"'=/])*"
        ) {
            let a = parse_any(Format::Html, "p.html", text.as_bytes());
            prop_assert!(a.is_ok());
        }

        #[test]
        fn html_parse_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..1000)) {
            let _ = parse_any(Format::Html, "p.html", &bytes);
        }

    }
}
