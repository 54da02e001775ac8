//! Copies of one story (reprints): articles that tell the same story, found by the
//! text of their bodies, whatever their format, header, footer or title prefix.
//!
//! [`Groups`] is what the rest of the program sees: for each item (an index the
//! caller chose, the entry's index in the TUI and the commands), the group of
//! copies it belongs to, if any. How groups are found is this module's business.

mod differences;
#[cfg(any(test, feature = "corpus"))]
pub mod fixture;
mod grouper;
#[cfg(test)]
mod tests;
mod text;

pub use differences::{Differences, differences};
pub use grouper::{Grouper, group};

/// Groups of copies over items numbered by the caller. Only groups of two or more
/// items exist: an article with no copy has no group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Groups {
    /// For each item, its group (an index into `members`), when it has copies.
    of: Vec<Option<u32>>,
    /// Each group's items in increasing order; always two or more.
    members: Vec<Vec<usize>>,
}

impl Groups {
    /// Groups made from lists of items (each list one story; lists of fewer than
    /// two items are dropped, and an item in two lists joins the first).
    pub fn from_lists(lists: impl IntoIterator<Item = Vec<usize>>) -> Groups {
        let mut lists: Vec<Vec<usize>> = lists
            .into_iter()
            .map(|mut list| {
                list.sort_unstable();
                list.dedup();
                list
            })
            .collect();
        lists.sort_by_key(|list| list.first().copied());
        let mut groups = Groups::default();
        for mut list in lists {
            list.retain(|&item| groups.group_of(item).is_none());
            if list.len() < 2 {
                continue;
            }
            let id = u32::try_from(groups.members.len()).unwrap_or(u32::MAX);
            for &item in &list {
                if groups.of.len() <= item {
                    groups.of.resize(item + 1, None);
                }
                groups.of[item] = Some(id);
            }
            groups.members.push(list);
        }
        groups
    }

    /// The group of `item`, when it has copies.
    pub fn group_of(&self, item: usize) -> Option<u32> {
        self.of.get(item).copied().flatten()
    }

    /// The items of a group, in increasing order (empty for an unknown group).
    pub fn members(&self, group: u32) -> &[usize] {
        self.members
            .get(group as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every item of `item`'s group, itself included; empty when it has no copy.
    pub fn copies_of(&self, item: usize) -> &[usize] {
        self.group_of(item).map_or(&[], |g| self.members(g))
    }

    /// How many groups there are.
    pub fn count(&self) -> usize {
        self.members.len()
    }

    /// Every group's items, groups in the order of their first item.
    pub fn iter(&self) -> impl Iterator<Item = &[usize]> + '_ {
        self.members.iter().map(Vec::as_slice)
    }
}
