//! The taxonomy as search sees it: labels by number, and small sets of them.
//!
//! What the tool suggests for an article depends on its text, the taxonomy and the
//! source list, never on decisions, so it is worked out once when the article loads
//! and kept on its [`Doc`](super::Doc) as a [`LabelSet`]: a few bytes per article
//! however many labels are suggested. A query is matched against the labels' ids and
//! names once per keystroke (some thirty texts), and each article then only has to
//! test its set against the labels a term matched.

use crate::labels::{Axis, Taxonomy};

use crate::fold::fold_into;

/// A label's number: its position over the three axes, regions first, then themes,
/// then reliability levels. Ids are unique within an axis, not across axes, so the
/// number, not the id, names a label.
pub type LabelNumber = u16;

/// The number of `id` on `axis` in `taxonomy`, if the taxonomy has it.
pub fn label_number(taxonomy: &Taxonomy, axis: Axis, id: &str) -> Option<LabelNumber> {
    let mut offset = 0;
    for a in Axis::ALL {
        let labels = &taxonomy.axis(a).labels;
        if a == axis {
            let at = labels.iter().position(|l| l.id == id)?;
            return LabelNumber::try_from(offset + at).ok();
        }
        offset += labels.len();
    }
    None
}

/// Every label's id and its searchable text, by number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    /// Label ids, by number.
    pub ids: Vec<String>,
    /// `id name`, lowercased one character at a time like every text the engine
    /// matches, by number.
    pub texts: Vec<String>,
}

impl Labels {
    pub fn new(taxonomy: &Taxonomy) -> Labels {
        let mut labels = Labels::default();
        for axis in Axis::ALL {
            for label in &taxonomy.axis(axis).labels {
                let mut text = String::new();
                fold_into(&label.id, &mut text);
                text.push(' ');
                fold_into(&crate::sanitize::sanitize(&label.name), &mut text);
                labels.ids.push(label.id.to_string());
                labels.texts.push(text);
            }
        }
        labels
    }

    /// The labels whose id is `id` (ignoring ASCII case), on any axis.
    pub fn with_id(&self, id: &str) -> LabelSet {
        LabelSet::from_numbers(
            self.ids
                .iter()
                .enumerate()
                .filter(|(_, x)| x.eq_ignore_ascii_case(id))
                .filter_map(|(n, _)| LabelNumber::try_from(n).ok()),
        )
    }
}

/// A set of label numbers: a bit mask for the first 64 (every taxonomy seen so far),
/// a sorted list for any beyond, allocated only when there are some.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSet {
    low: u64,
    high: Box<[LabelNumber]>,
}

impl LabelSet {
    pub fn from_numbers(numbers: impl IntoIterator<Item = LabelNumber>) -> LabelSet {
        let mut low = 0u64;
        let mut high: Vec<LabelNumber> = Vec::new();
        for n in numbers {
            if n < 64 {
                low |= 1 << n;
            } else {
                high.push(n);
            }
        }
        high.sort_unstable();
        high.dedup();
        LabelSet {
            low,
            high: high.into_boxed_slice(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.low == 0 && self.high.is_empty()
    }

    pub fn contains(&self, n: LabelNumber) -> bool {
        if n < 64 {
            self.low & (1 << n) != 0
        } else {
            self.high.binary_search(&n).is_ok()
        }
    }

    pub fn intersects(&self, other: &LabelSet) -> bool {
        self.low & other.low != 0 || self.high.iter().any(|&n| other.contains(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_run_over_the_axes_in_order() {
        let t = Taxonomy::default();
        let regions = t.region.labels.len();
        let themes = t.theme.labels.len();
        assert_eq!(
            label_number(&t, Axis::Region, &t.region.labels[0].id),
            Some(0)
        );
        assert_eq!(
            label_number(&t, Axis::Theme, &t.theme.labels[1].id),
            LabelNumber::try_from(regions + 1).ok()
        );
        assert_eq!(
            label_number(&t, Axis::Reliability, &t.reliability.labels[0].id),
            LabelNumber::try_from(regions + themes).ok()
        );
        assert_eq!(label_number(&t, Axis::Region, "atlantis"), None);
        let labels = Labels::new(&t);
        assert_eq!(
            labels.texts[0],
            format!(
                "{} {}",
                t.region.labels[0].id,
                t.region.labels[0].name.to_lowercase()
            )
        );
        assert!(
            labels
                .with_id("MENA")
                .contains(label_number(&t, Axis::Region, "mena").unwrap_or(999))
        );
    }

    #[test]
    fn sets_hold_numbers_below_and_above_64() {
        let set = LabelSet::from_numbers([3, 70, 63, 200, 70]);
        for n in [3, 63, 70, 200] {
            assert!(set.contains(n), "{n}");
        }
        for n in [0, 4, 64, 199] {
            assert!(!set.contains(n), "{n}");
        }
        assert!(set.intersects(&LabelSet::from_numbers([200])));
        assert!(set.intersects(&LabelSet::from_numbers([3])));
        assert!(!set.intersects(&LabelSet::from_numbers([5, 71])));
        assert!(LabelSet::default().is_empty());
        assert!(!LabelSet::default().intersects(&set));
    }
}
