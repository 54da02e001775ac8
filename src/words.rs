//! Counting words for messages: `1 match`, `2 matches`, `checked 1 article`. One
//! helper, so that no count on screen or in a report reads `1 articles`.

/// `n` followed by the singular or the plural noun.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", noun(n, one, many))
}

/// The noun that goes with `n`, for messages that put something between the two.
pub fn noun<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "match", "matches"), "1 match");
        assert_eq!(count(0, "match", "matches"), "0 matches");
        assert_eq!(count(2, "article", "articles"), "2 articles");
    }
}
