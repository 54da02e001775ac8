//! The publisher's site: the host of whatever an article or a source list gives.
//!
//! Articles name their publisher in every shape (`www.X.com`, `https://x.com/a?b`,
//! `x.com/`), and the source list (`sources.toml`) must meet each of them under one
//! key. Reading an article (`article`) and judging its source (`labels::sources`) both
//! need this, so it lives below both rather than in either.

/// The host of a URL or domain text, lowercase, without `www.`, port or credentials;
/// `None` when there is none. Articles give their source in every shape (`www.X.com`,
/// `https://x.com/a?b`, `x.com/`), and all of them must meet the same list entry.
/// IP addresses and single words are not domains: no source list judges them.
pub fn domain_of(text: &str) -> Option<String> {
    let text = text.trim();
    // The URL parser silently drops tabs and newlines; in a domain they mean garbage.
    if text.is_empty() || text.chars().any(char::is_control) {
        return None;
    }
    let parsed = if text.contains("://") {
        url::Url::parse(text)
    } else {
        url::Url::parse(&format!("http://{text}"))
    }
    .ok()?;
    let url::Host::Domain(host) = parsed.host()? else {
        return None;
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let valid = host.split('.').count() >= 2
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        && host
            .rsplit('.')
            .next()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()));
    if !valid {
        return None;
    }
    let mut host = host.as_str();
    while let Some(rest) = host.strip_prefix("www.").filter(|rest| rest.contains('.')) {
        host = rest;
    }
    Some(host.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn domain_of_reduces_every_shape_to_the_host() {
        for (text, want) in [
            (
                "https://user@www.Example.com:8080/path?q",
                Some("example.com"),
            ),
            (
                "https://user:pw@news.example.com/",
                Some("news.example.com"),
            ),
            ("example.com/", Some("example.com")),
            ("  www.EXAMPLE.com  ", Some("example.com")),
            ("example.com.", Some("example.com")),
            ("//example.com/x", Some("example.com")),
            ("exa\nmple.com", None),
            ("www.com", Some("www.com")),
            ("bücher.de", Some("xn--bcher-kva.de")),
            ("not a url", None),
            ("", None),
            ("localhost", None),
            ("http://192.168.1.1/x", None),
            ("[::1]", None),
            ("http://[2001:db8::1]:80/", None),
            ("[::1", None),
            ("http://[", None),
            ("::::", None),
            ("http://", None),
            ("mailto:", None),
            ("a..b.com", None),
            ("http://exa mple.com", None),
        ] {
            assert_eq!(domain_of(text).as_deref(), want, "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn domain_of_never_panics_and_gives_plain_hosts(text in "\\PC{0,40}|[a-zA-Z0-9.:/@\\[\\]%?#-]{0,40}") {
            if let Some(host) = domain_of(&text) {
                prop_assert!(host.contains('.'));
                prop_assert!(host.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_')), "{host:?}");
                prop_assert_eq!(domain_of(&host), Some(host.clone()));
            }
        }
    }
}
