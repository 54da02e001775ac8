//! Copies of one story in the list, folded like a thread in mutt: a story with
//! copies shows once, on the row of its first copy in the list, with how many
//! copies it has; `z` unfolds it (its copies then follow that row, marked as a
//! thread's replies are) and folds it again, `Z` does so for every story at once.
//!
//! The groups come from the grouping in the background ([`crate::copies`]); until
//! they arrive every article shows alone. A search shows a story once too, on its
//! best-ranked copy; the review of disagreements is per article and never folds.

use std::collections::HashSet;
use std::sync::Arc;

use super::{AppState, Effect, Hit};
use crate::copies::Groups;

/// The stories with copies and which of them the reviewer unfolded.
#[derive(Debug, Default)]
pub struct Copies {
    pub groups: Arc<Groups>,
    /// Entries of the stories unfolded (or, with `all_unfolded`, folded) by hand: any
    /// copy of a story stands for it, so a story keeps its state when the groups are
    /// worked out again and numbered differently.
    toggled: HashSet<usize>,
    /// `Z`: every story unfolded, except those toggled since.
    all_unfolded: bool,
    /// The whole inbox is being grouped (the list's title says so).
    pub finding: bool,
}

/// How a row of the list stands among copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// An article without copies.
    Alone,
    /// A folded story: this row stands for all its `copies` (itself included).
    Folded { copies: usize },
    /// The first row of an unfolded story of `copies`.
    Head { copies: usize },
    /// Another copy of the unfolded story above; `last` when the next row is not.
    Copy { last: bool },
}

impl Copies {
    fn unfolded(&self, group: u32) -> bool {
        let toggled = self
            .groups
            .members(group)
            .iter()
            .any(|e| self.toggled.contains(e));
        self.all_unfolded != toggled
    }
}

impl AppState {
    /// New groups of copies from the background grouping: each copy's search facet
    /// learns it has copies (`is:copy`), and the list folds them.
    pub fn copies_found(&mut self, groups: Groups) -> Vec<Effect> {
        let facets = Arc::make_mut(&mut self.catalog.facets);
        for (i, facet) in facets.iter_mut().enumerate() {
            facet.copies = groups.group_of(i).is_some();
        }
        self.copies.groups = Arc::new(groups);
        self.copies.finding = false;
        self.refold()
    }

    /// How the row at `pos` of the list stands among copies.
    pub fn fold_at(&self, pos: usize) -> Fold {
        let Some(&entry) = self.view.get(pos) else {
            return Fold::Alone;
        };
        let groups = &self.copies.groups;
        let Some(group) = groups.group_of(entry) else {
            return Fold::Alone;
        };
        let copies = groups.members(group).len();
        if !self.folds() || !self.copies.unfolded(group) {
            return if self.folds() {
                Fold::Folded { copies }
            } else {
                Fold::Alone
            };
        }
        let same = |p: Option<usize>| {
            p.and_then(|p| self.view.get(p))
                .is_some_and(|&e| groups.group_of(e) == Some(group))
        };
        if same(pos.checked_sub(1)) {
            Fold::Copy {
                last: !same(Some(pos + 1)),
            }
        } else {
            Fold::Head { copies }
        }
    }

    /// The articles a decision on the selected row is for, when it stands for a
    /// folded story: all its copies (the selected one first). `None` for a row that
    /// stands for itself alone.
    pub fn folded_story(&self) -> Option<Vec<usize>> {
        let pos = self.cursor;
        let Fold::Folded { .. } = self.fold_at(pos) else {
            return None;
        };
        let selected = self.view.get(pos).copied()?;
        let mut story = vec![selected];
        story.extend(
            self.copies
                .groups
                .copies_of(selected)
                .iter()
                .copied()
                .filter(|&e| e != selected && !self.is_gone(e)),
        );
        Some(story)
    }

    /// `targets` with, for each that is the row of a folded story, all its copies.
    pub(super) fn with_folded_copies(&self, targets: &[usize]) -> Vec<usize> {
        let mut out = targets.to_vec();
        for &t in targets {
            let folded = self
                .view
                .iter()
                .position(|&i| i == t)
                .is_some_and(|pos| matches!(self.fold_at(pos), Fold::Folded { .. }));
            if folded {
                for &c in self.copies.groups.copies_of(t) {
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
            }
        }
        out
    }

    /// Whether the list folds copies: not in the review, which is per article.
    fn folds(&self) -> bool {
        !self.reviewing() && self.copies.groups.count() > 0
    }

    /// `z`: unfolds the selected story, or folds it again.
    pub(super) fn toggle_fold(&mut self) -> Vec<Effect> {
        let Some(entry) = self.selected() else {
            return Vec::new();
        };
        let Some(group) = self.copies.groups.group_of(entry) else {
            self.info("This article has no copies");
            return Vec::new();
        };
        if self.reviewing() {
            self.info("The review shows every copy on its own");
            return Vec::new();
        }
        let members = self.copies.groups.members(group).to_vec();
        if members.iter().any(|e| self.copies.toggled.contains(e)) {
            members.iter().for_each(|e| {
                self.copies.toggled.remove(e);
            });
        } else {
            self.copies.toggled.insert(entry);
        }
        // Folding selects the story's row, wherever the selection was inside it.
        let head = if self.copies.unfolded(group) {
            entry
        } else {
            self.view
                .iter()
                .copied()
                .find(|e| members.contains(e))
                .unwrap_or(entry)
        };
        let effects = self.refold_keeping(Some(head));
        let n = members.len();
        self.info(if self.copies.unfolded(group) {
            format!("{n} copies of this story, one per row")
        } else {
            format!("{n} copies of this story on one row")
        });
        effects
    }

    /// `Z`: unfolds every story, or folds them all again.
    pub(super) fn toggle_all_folds(&mut self) -> Vec<Effect> {
        if self.copies.groups.count() == 0 {
            self.info("No story in this inbox has copies");
            return Vec::new();
        }
        self.copies.all_unfolded = !self.copies.all_unfolded;
        self.copies.toggled.clear();
        let keep = self.selected();
        let effects = self.refold_keeping(keep);
        self.info(if self.copies.all_unfolded {
            "Every copy on its own row"
        } else {
            "Each story on one row"
        });
        effects
    }

    /// The list again after the groups or the folds changed, keeping the selected
    /// article (or the row of its story, when it folded away).
    pub(super) fn refold(&mut self) -> Vec<Effect> {
        let keep = self.selected();
        self.refold_keeping(keep)
    }

    fn refold_keeping(&mut self, keep: Option<usize>) -> Vec<Effect> {
        if self.reviewing() {
            return Vec::new();
        }
        if self.search.query.is_some() {
            // The ranking is worked out again and folded as it arrives.
            self.search.last_complete = None;
            return self.rerun_search();
        }
        let inbox = self.inbox_view();
        let view = self.ordered_view(inbox);
        self.view = self.folded(view);
        self.select_again(keep);
        Vec::new()
    }

    /// Selects `keep` again, or the row that stands for its story, or the nearest row.
    pub(super) fn select_again(&mut self, keep: Option<usize>) {
        let groups = &self.copies.groups;
        let pos = keep.and_then(|k| {
            self.view.iter().position(|&i| i == k).or_else(|| {
                let group = groups.group_of(k)?;
                self.view
                    .iter()
                    .position(|&i| groups.group_of(i) == Some(group))
            })
        });
        match pos {
            Some(pos) => {
                if pos != self.cursor {
                    self.cursor = usize::MAX;
                    self.select(pos);
                }
            }
            None => {
                self.cursor = usize::MAX;
                self.select(0);
            }
        }
    }

    /// A list with each folded story on the row of its first copy in it and each
    /// unfolded one's copies right after that row.
    pub(super) fn folded(&self, view: Vec<usize>) -> Vec<usize> {
        if !self.folds() {
            return view;
        }
        let order = self.fold_order(&view);
        order.into_iter().map(|pos| view[pos]).collect()
    }

    /// [`AppState::folded`] for a search's ranking, its hits kept beside their rows.
    pub(super) fn folded_hits(&self, hits: Vec<Hit>) -> Vec<Hit> {
        if !self.folds() {
            return hits;
        }
        let view: Vec<usize> = hits.iter().map(|h| h.entry).collect();
        let order = self.fold_order(&view);
        let mut hits: Vec<Option<Hit>> = hits.into_iter().map(Some).collect();
        order
            .into_iter()
            .filter_map(|pos| hits.get_mut(pos).and_then(Option::take))
            .collect()
    }

    /// The positions of `view` to keep, in the order to show them.
    fn fold_order(&self, view: &[usize]) -> Vec<usize> {
        let groups = &self.copies.groups;
        // Where each copy sits in the list, for the copies of unfolded stories.
        let mut at: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
        for (pos, &e) in view.iter().enumerate() {
            if groups.group_of(e).is_some() {
                at.insert(e, pos);
            }
        }
        let mut placed: HashSet<u32> = HashSet::new();
        let mut order = Vec::with_capacity(view.len());
        for (pos, &e) in view.iter().enumerate() {
            let Some(group) = groups.group_of(e) else {
                order.push(pos);
                continue;
            };
            if !placed.insert(group) {
                continue;
            }
            order.push(pos);
            if self.copies.unfolded(group) {
                let mut rest: Vec<usize> = groups
                    .members(group)
                    .iter()
                    .filter(|&&m| m != e)
                    .filter_map(|m| at.get(m).copied())
                    .collect();
                rest.sort_unstable();
                order.extend(rest);
            }
        }
        order
    }
}
