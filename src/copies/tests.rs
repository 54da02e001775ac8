use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::fixture::{self, Labeled, Score};
use super::grouper::{Doc, measure};
use super::*;
use crate::article::{Article, Format, parse};

/// The AG News file, when it is at hand (it is not shipped): `TRIAGE_AG_NEWS`, or
/// the development data next to the project (`TRIAGE_AG_NEWS=none`: without it).
fn ag_news_path() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Some(path) = std::env::var_os("TRIAGE_AG_NEWS") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    [
        manifest.join("../shared/dev-data/ag_news_test.csv"),
        manifest.join("../../shared/dev-data/ag_news_test.csv"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// The measured inbox: the sample inbox's articles, made-up bodies, and real wire
/// leads when the AG News file is at hand; about 2,400 articles.
fn labeled() -> &'static Labeled {
    static FIXTURE: OnceLock<Labeled> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let items = ag_news_path().and_then(|p| crate::corpus::ag_news::read(&p).ok());
        if items.is_none() {
            eprintln!("AG News not found: the fixture uses made-up bodies only");
        }
        let inbox = Path::new(env!("CARGO_MANIFEST_DIR")).join("inbox");
        fixture::inbox(
            15,
            2400,
            &fixture::Sources {
                ag_news: items.as_deref(),
                inbox: Some(&inbox),
            },
        )
    })
}

fn items(l: &Labeled) -> Vec<(usize, Arc<Article>)> {
    l.articles.iter().cloned().enumerate().collect()
}

/// Prints the pairs the grouping got wrong, with what the check measured.
fn explain(l: &Labeled, groups: &Groups, limit: usize) {
    let same = |i: usize, j: usize| {
        groups.group_of(i).is_some() && groups.group_of(i) == groups.group_of(j)
    };
    let common = super::grouper::common_of(&l.articles);
    let docs: Vec<Doc> = l.articles.iter().map(|a| Doc::new(a, &common)).collect();
    let show = |what: &str, i: usize, j: usize| {
        let pair = measure(&docs[j], &[&docs[i]])[0];
        eprintln!(
            "{what}: {} [{}] ~ {} [{}]: shared {} of {}/{} c={:.2} j={:.2} lead={:.2} title={:.2}",
            l.names[i],
            l.changes[i],
            l.names[j],
            l.changes[j],
            pair.shared,
            pair.a,
            pair.b,
            pair.containment(),
            pair.jaccard(),
            pair.lead,
            pair.title
        );
    };
    let mut shown = 0;
    for (i, j) in l.true_pairs() {
        if !same(i, j) && shown < limit {
            show("missed", i, j);
            shown += 1;
        }
    }
    shown = 0;
    for g in groups.iter() {
        for (x, &i) in g.iter().enumerate() {
            for &j in &g[x + 1..] {
                if l.story[i] != l.story[j] && shown < limit {
                    show("merged", i, j);
                    shown += 1;
                }
            }
        }
    }
}

/// The baseline the issue compares against: groups joined by one Jaccard threshold
/// over the bodies' shingles, the best threshold for precision + recall.
fn best_single_threshold(l: &Labeled) -> (f64, Score) {
    let sets: Vec<Vec<u64>> = l
        .articles
        .iter()
        .map(|a| super::text::shingles(&super::text::body_words(a)))
        .collect();
    let mut postings: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, s) in sets.iter().enumerate() {
        for &h in s {
            postings.entry(h).or_default().push(i);
        }
    }
    let mut shared: HashMap<(usize, usize), usize> = HashMap::new();
    for list in postings.values().filter(|l| l.len() <= 400) {
        for (x, &i) in list.iter().enumerate() {
            for &j in &list[x + 1..] {
                *shared.entry((i, j)).or_default() += 1;
            }
        }
    }
    let jaccards: Vec<((usize, usize), f64)> = shared
        .into_iter()
        .map(|((i, j), s)| {
            (
                (i, j),
                s as f64 / (sets[i].len() + sets[j].len() - s) as f64,
            )
        })
        .collect();
    let mut best = (0.0, Score::default(), 0.0);
    for t in (5..=95).map(|t| f64::from(t) / 100.0) {
        let mut parent: Vec<usize> = (0..sets.len()).collect();
        fn root(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for &((i, j), jac) in &jaccards {
            if jac >= t {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            }
        }
        let mut lists: HashMap<usize, Vec<usize>> = HashMap::new();
        for i in 0..sets.len() {
            let r = root(&mut parent, i);
            lists.entry(r).or_default().push(i);
        }
        let score = l.score(&Groups::from_lists(lists.into_values()));
        let f = score.precision() + score.recall();
        if f > best.2 {
            best = (t, score, f);
        }
    }
    (best.0, best.1)
}

#[test]
fn copies_are_found_with_the_issues_precision_and_recall() {
    let l = labeled();
    let started = std::time::Instant::now();
    let groups = group(&items(l));
    let took = started.elapsed();
    let score = l.score(&groups);
    let stories: std::collections::HashSet<usize> = l.story.iter().copied().collect();
    eprintln!(
        "{} articles, {} stories, {} true pairs; found {} groups, {} pairs in {took:?}: precision {:.4}, recall {:.4}",
        l.articles.len(),
        stories.len(),
        score.true_pairs,
        groups.count(),
        score.found_pairs,
        score.precision(),
        score.recall()
    );
    if score.precision() < 0.995 || score.recall() < 0.98 {
        explain(l, &groups, 40);
    }
    assert!(
        score.precision() >= 0.98,
        "precision {:.4}",
        score.precision()
    );
    assert!(score.recall() >= 0.95, "recall {:.4}", score.recall());
}

/// Not a check: prints the baseline of BENCHMARKS.md (`cargo test --lib copies::tests::baseline -- --ignored --nocapture`).
#[test]
#[ignore]
fn baseline_single_jaccard_threshold() {
    let l = labeled();
    let (t, score) = best_single_threshold(l);
    eprintln!(
        "best single Jaccard threshold {t:.2}: precision {:.4}, recall {:.4}",
        score.precision(),
        score.recall()
    );
}

#[test]
#[ignore]
fn show_articles() {
    let l = labeled();
    let want: Vec<String> = std::env::var("SHOW")
        .unwrap_or_default()
        .split(',')
        .map(str::to_string)
        .collect();
    for (i, name) in l.names.iter().enumerate() {
        if want
            .iter()
            .any(|w| !w.is_empty() && name.starts_with(w.as_str()))
        {
            let a = &l.articles[i];
            eprintln!(
                "== {name} [{}] title={:?}\nbody={:#?}\nfooter={:?}",
                l.changes[i], a.title, a.body, a.footer
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// Focused cases, each written as files and read by the program's parsers.

/// The seed article's story (real text): its body paragraphs.
fn seed_story() -> (String, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("inbox/000_466bdefa64880cc0.txt");
    let bytes = std::fs::read(&path).unwrap();
    let a = parse(Format::Text, "000.txt", &bytes).unwrap();
    (a.title.clone(), a.body.iter().map(str::to_string).collect())
}

fn write(format: Format, site: &str, title: &str, paragraphs: &[String]) -> Arc<Article> {
    let mut text = String::new();
    let name = match format {
        Format::Text => {
            text.push_str(&format!(
                "{title}\n\nBy [Ana Ruiz](#)\n\n{site}, May 3, 2021\n\n"
            ));
            for p in paragraphs {
                text.push_str(&format!("{p}\n\n"));
            }
            text.push_str(&format!(
                "The original source of this article is {site}\n\nCopyright © {site}, 2021\n"
            ));
            "a.txt"
        }
        Format::Markdown => {
            text.push_str(&format!(
                "---\ntitle: {title:?}\nsite: {site}\ndate: 2021-05-04\n---\n\n"
            ));
            for p in paragraphs {
                text.push_str(&format!("{p}\n\n"));
            }
            "a.md"
        }
        Format::Html => {
            text.push_str(&format!(
                "<html><head><title>{title} | {site}</title><meta property=\"og:site_name\" content=\"{site}\"></head><body><nav><a href=\"/\">Home</a></nav><article><h1>{title}</h1>"
            ));
            for p in paragraphs {
                text.push_str(&format!("<p>{p}</p>\n"));
            }
            text.push_str(&format!(
                "</article><footer>© 2021 {site}</footer></body></html>"
            ));
            "a.html"
        }
    };
    Arc::new(parse(format, name, text.as_bytes()).unwrap())
}

fn numbered(articles: Vec<Arc<Article>>) -> Vec<(usize, Arc<Article>)> {
    articles.into_iter().enumerate().collect()
}

#[test]
fn every_kind_of_copy_is_found_in_every_format() {
    let (title, paragraphs) = seed_story();
    assert!(paragraphs.len() >= 6, "{paragraphs:?}");
    let mut note = paragraphs.clone();
    note.insert(
        0,
        "Editor's note: this report first appeared on RT and is republished with permission."
            .into(),
    );
    let mut dropped = paragraphs.clone();
    dropped.remove(3);
    let words: Vec<String> = paragraphs
        .iter()
        .map(|p| {
            p.replacen(" the ", " this ", 1)
                .replacen(" said", " stated", 1)
        })
        .collect();
    let half: usize = paragraphs.len() / 2;
    let mut excerpt: Vec<String> = paragraphs[..half].to_vec();
    excerpt.push("Continue reading at Global Research.".into());
    // Paragraphs joined two by two, as another format may give them.
    let joined: Vec<String> = paragraphs.chunks(2).map(|c| c.join(" ")).collect();
    let mut all = excerpt.clone();
    all[1] = all[1].replacen(" the ", " a ", 1);
    all.insert(0, "This story was first published by RT.".into());
    let kinds: Vec<(&str, String, Vec<String>)> = vec![
        ("reheaded", title.clone(), paragraphs.clone()),
        ("upper", title.to_uppercase(), paragraphs.clone()),
        ("tagged", format!("EXCLUSIVE: {title}"), paragraphs.clone()),
        ("video", format!("(VIDEO) {}", title.to_lowercase()), joined),
        ("note", title.clone(), note),
        ("dropped", title.clone(), dropped),
        ("words", title.clone(), words),
        ("excerpt", format!("{title} | Aggregator"), excerpt),
        ("all at once", format!("WATCH: {title}"), all),
    ];
    for format in [Format::Text, Format::Markdown, Format::Html] {
        for (kind, copy_title, copy) in &kinds {
            let original = write(Format::Text, "Global Research", &title, &paragraphs);
            let other = write(format, "Daily Planet", copy_title, copy);
            let groups = group(&numbered(vec![original, other]));
            assert_eq!(groups.copies_of(0), [0, 1], "{kind} as {format:?}");
        }
    }
}

/// Short stories of the made-up corpus: their first paragraph.
fn short_stories(n: usize) -> Vec<(String, Vec<String>)> {
    (0..n)
        .map(|i| {
            let g = crate::corpus::article(3, i);
            let format = Format::from_path(Path::new(&g.name)).unwrap();
            let a = parse(format, &g.name, g.text.as_bytes()).unwrap();
            (
                a.title.clone(),
                a.body.iter().take(1).map(str::to_string).collect(),
            )
        })
        .collect()
}

const DISCLAIMER: &[&str] = &[
    "The views expressed in this article are solely those of the author and do not necessarily reflect the official position of the Planet.",
    "The Planet is an independent, reader-funded publication and relies entirely on the support of its readers to continue its work.",
    "We do not accept advertising from governments, political parties or corporations, which allows us to report without fear or favour.",
    "If you value this kind of reporting, please consider becoming a member today for as little as five dollars a month.",
    "Members receive our weekly newsletter, early access to investigations and invitations to online events with our editors.",
    "All content published on this site may be republished for non-commercial purposes provided that the original source is credited with a link.",
];

#[test]
fn stories_sharing_a_sites_long_disclaimer_stay_apart() {
    let cookie = "We use cookies and similar technologies to improve your experience on our website and to analyse our traffic. By continuing to browse this site you agree to our use of cookies.";
    let stories = short_stories(8);
    let articles: Vec<Arc<Article>> = stories
        .iter()
        .enumerate()
        .map(|(i, (title, body))| {
            let mut paragraphs = vec![cookie.to_string()];
            paragraphs.extend(body.iter().cloned());
            paragraphs.extend(DISCLAIMER.iter().map(|s| s.to_string()));
            let format = [Format::Text, Format::Markdown, Format::Html][i % 3];
            write(format, "The Planet", title, &paragraphs)
        })
        .collect();
    let disclaimer_words: usize = DISCLAIMER
        .iter()
        .map(|s| s.split_whitespace().count())
        .sum();
    assert!(
        stories
            .iter()
            .all(|(_, b)| b[0].split_whitespace().count() < disclaimer_words)
    );
    let mut copies = articles.clone();
    // One of them reprinted: it, and only it, has a copy.
    let (title, body) = &stories[2];
    copies.push(write(
        Format::Html,
        "Daily Planet",
        &title.to_uppercase(),
        body,
    ));
    let groups = group(&numbered(copies));
    assert_eq!(groups.count(), 1, "{groups:?}");
    assert_eq!(groups.copies_of(2), [2, 8]);
}

#[test]
fn two_outlets_stories_on_one_event_stay_apart() {
    let a = [
        "MOSCOW (Reuters) - Russian Foreign Minister Sergei Lavrov said on Tuesday that Moscow would keep supplying weapons to Damascus, despite calls from Washington to halt the deliveries.",
        "\"We will not abandon our partners in Syria at this difficult moment,\" Lavrov told reporters in Moscow after talks with his Syrian counterpart Walid al-Moualem.",
        "The United States and its allies accuse the Syrian government of using the weapons against civilians, a charge Damascus denies.",
        "Lavrov added that Russia was ready to host a new round of peace talks in Geneva next month if both sides agreed.",
    ];
    let b = [
        "Sergei Lavrov, Russia's top diplomat, pledged continued military support for the government of Bashar al-Assad at a press conference in Moscow, rejecting American demands.",
        "\"We will not abandon our partners in Syria at this difficult moment,\" Lavrov told reporters in Moscow after talks with his Syrian counterpart Walid al-Moualem.",
        "Washington has repeatedly urged Moscow to stop arming Damascus, saying the supplies prolong a war that has killed tens of thousands of people.",
        "Analysts said the Kremlin sees Syria as its last firm ally in the Middle East and is unlikely to change course before the Geneva conference.",
    ];
    let to_vec = |s: &[&str]| s.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    let groups = group(&numbered(vec![
        write(
            Format::Text,
            "Reuters",
            "Russia to keep arming Syria, Lavrov says",
            &to_vec(&a),
        ),
        write(
            Format::Html,
            "AP",
            "Lavrov vows support for Assad despite U.S. demands",
            &to_vec(&b),
        ),
    ]));
    assert_eq!(groups.count(), 0, "{groups:?}");
}

#[test]
fn adding_one_by_one_finds_the_groups_the_bulk_grouping_finds() {
    let l = labeled();
    let n = 800;
    let articles: Vec<(usize, Arc<Article>)> = items(l).into_iter().take(n).collect();
    let bulk = group(&articles);
    let mut grouper = Grouper::new();
    for (item, a) in &articles {
        grouper.add(*item, a, &mut |i| articles.get(i).map(|(_, a)| a.clone()));
    }
    let one_by_one = grouper.groups();
    let sub = Labeled {
        articles: l.articles[..n].to_vec(),
        story: l.story[..n].to_vec(),
        ..Labeled::default()
    };
    let (b, o) = (sub.score(&bulk), sub.score(&one_by_one));
    eprintln!("bulk {b:?}, one by one {o:?}");
    // One by one learns the boilerplate as it comes: the same groups, bar a pair.
    assert!(
        o.found_true + 2 >= b.found_true && o.found_pairs <= b.found_pairs + 2,
        "{b:?} {o:?}"
    );
    assert!(o.precision() >= 0.99, "{o:?}");
    // Adding the last one to a grouper built in bulk gives the bulk grouping.
    let mut built = Grouper::build(&articles[..n - 1]);
    let (item, last) = &articles[n - 1];
    built.add(*item, last, &mut |i| {
        articles.get(i).map(|(_, a)| a.clone())
    });
    assert_eq!(built.groups(), bulk);
}

#[test]
fn a_removed_article_leaves_its_group_and_the_rest_stays() {
    let l = labeled();
    let articles: Vec<(usize, Arc<Article>)> = items(l).into_iter().take(600).collect();
    let mut grouper = Grouper::build(&articles);
    let before = grouper.groups();
    let big = before.iter().find(|g| g.len() >= 3).unwrap().to_vec();
    grouper.remove(big[0]);
    let after = grouper.groups();
    assert_eq!(after.group_of(big[0]), None);
    assert!(after.copies_of(big[1]).len() >= 2);
    assert_eq!(after.count(), before.count());
    // Added back, it is found again.
    let (item, a) = &articles[big[0]];
    grouper.add(*item, a, &mut |i| articles.get(i).map(|(_, a)| a.clone()));
    assert_eq!(grouper.groups().copies_of(big[0]), before.copies_of(big[0]));
}

#[test]
fn the_grouper_keeps_under_150_bytes_an_article_at_scale() {
    // The fixed boilerplate table aside (2 MiB), what grows with the inbox.
    let articles: Vec<(usize, Arc<Article>)> = short_stories(3000)
        .into_iter()
        .enumerate()
        .map(|(i, (t, b))| (i, write(Format::Text, "Site", &t, &b)))
        .collect();
    let grouper = Grouper::build(&articles);
    let per = (grouper.heap_bytes() - (1 << 21)) as f64 / articles.len() as f64;
    assert!(per <= 150.0, "{per} bytes an article");
}

#[test]
fn differences_name_another_title_and_a_missing_paragraph() {
    let (title, paragraphs) = seed_story();
    let original = write(Format::Text, "Global Research", &title, &paragraphs);
    let mut changed = paragraphs.clone();
    changed.remove(2);
    changed[0] = changed[0].replacen(" the ", " this ", 1);
    changed.push("Editor's note: republished with permission.".into());
    let joined: Vec<String> = changed.chunks(2).map(|c| c.join(" ")).collect();
    let copy = write(
        Format::Html,
        "Planet",
        &format!("EXCLUSIVE: {}", title.to_uppercase()),
        &joined,
    );
    let d = differences(&copy, &original);
    assert_eq!(
        d,
        Differences {
            title: false,
            missing: 1,
            extra: 1
        }
    );
    let retitled = write(
        Format::Markdown,
        "Planet",
        "Something else entirely",
        &paragraphs,
    );
    assert_eq!(
        differences(&retitled, &original),
        Differences {
            title: true,
            missing: 0,
            extra: 0
        }
    );
    assert!(differences(&original, &original).is_empty());
}
