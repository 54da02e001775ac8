//! One decision for many articles: marks, `.` (repeat the last decision), and the
//! machinery both use, which a folded story's copies use too.
//!
//! A decision is made on the selected article, as edits made absolute there (a
//! toggled label becomes an add or a remove, as it turned out on that article), and
//! [`AppState::decide_for_many`] applies it to each target, each in its own sidecar
//! and by the same [`Write`] a single decision makes, so the bytes written are the
//! same. Every write of one decision carries one [`StepId`], and the history keeps
//! them as one [`Step`]: one undo takes the decision back from every article, one
//! redo makes it again on every one.
//!
//! What a step holds when some of its writes fail follows the rules for one write:
//! a write the disk refused (or a sidecar found unreadable while writing, which is
//! never overwritten) stays in the step, marked unsaved, and is retried; undoing the
//! step queues its inverse behind it, so the sidecar ends where the screen says. A
//! write that can never happen (a reviewer name that cannot be written, an article
//! removed from the inbox) is left out of the step, as a single decision leaves it
//! out of the history.
//!
//! With [`OnConflict::Ask`], a target that already holds another decision is not
//! written silently: the decision waits in [`Mode::Conflict`] and the reviewer
//! chooses to overwrite those articles too, to keep their decisions (and write the
//! rest), or to cancel. Targets whose sidecar cannot be read are left out before
//! anything is written: what they hold is unknown, so they could hold a conflict.

use std::collections::BTreeSet;

use super::Action;
use super::{AppState, Effect, Mode, Write, common, describe_edits};
use crate::domain::{Decision, Edit, LabelId, Status};
use crate::labels::Axis;

/// Which decision a [`Write`] is part of. Every decision gets a new one; its undo
/// and redo keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StepId(pub(super) u64);

/// One entry of the undo or redo history: every write of one decision, in the
/// order they were made.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: StepId,
    pub writes: Vec<Write>,
}

/// Puts a write into the step on top of `stack` when it belongs to it, else into a
/// step of its own. The writes of one step are carried out one after another, so
/// the top is the only place their step can be.
pub(super) fn join(stack: &mut Vec<Step>, write: Write) {
    match stack.last_mut() {
        Some(step) if step.id == write.step => step.writes.push(write),
        _ => stack.push(Step {
            id: write.step,
            writes: vec![write],
        }),
    }
}

/// The articles marked for the next decision, by index into [`AppState::entries`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    set: BTreeSet<usize>,
    /// A decision has used them; they clear once no picker is open.
    pub(super) spent: bool,
}

impl Marks {
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    pub fn contains(&self, entry: usize) -> bool {
        self.set.contains(&entry)
    }

    /// The marked entries, in inbox order.
    pub fn entries(&self) -> impl Iterator<Item = usize> + '_ {
        self.set.iter().copied()
    }

    pub(super) fn clear(&mut self) {
        self.set.clear();
        self.spent = false;
    }
}

/// What a decision for many articles does with a target that already holds a
/// different decision than the selected article did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// Show those articles and let the reviewer choose (copies of one story).
    Ask,
    /// Apply the edits to every target (marks: the reviewer chose each article).
    Overwrite,
}

/// How the status line names the targets of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noun {
    Articles,
    Marked,
    /// The copies of a folded story.
    Copies,
}

impl Noun {
    fn count(self, n: usize) -> String {
        match self {
            Noun::Articles => crate::words::count(n, "article", "articles"),
            Noun::Marked => crate::words::count(n, "marked article", "marked articles"),
            Noun::Copies => crate::words::count(n, "copy", "copies"),
        }
    }
}

/// A target that holds a decision other than the selected article's.
#[derive(Debug, Clone, PartialEq)]
pub struct Differing {
    /// Index into [`AppState::entries`].
    pub entry: usize,
    /// Its decision now, as the prompt shows it.
    pub theirs: Decision,
    /// The edits that give it the new decision, should the reviewer overwrite it.
    pub edits: Vec<Edit>,
}

/// A decision for many articles, worked out and not yet written: what
/// [`Mode::Conflict`] shows while the reviewer chooses.
#[derive(Debug, Clone, PartialEq)]
pub struct Bulk {
    /// What the decision does, in the status line's words (`reliability mixed`).
    pub what: String,
    /// The decision the articles take (labels and status): the selected article's
    /// after the edits.
    pub new: Decision,
    /// Targets written whatever the reviewer chooses, with their edits.
    pub agreed: Vec<(usize, Vec<Edit>)>,
    /// Targets that hold a different decision.
    pub differing: Vec<Differing>,
    /// Targets the decision changes nothing on.
    pub unchanged: usize,
    /// Targets left out: their sidecar or their bytes cannot be read.
    pub left_out: usize,
    /// The decision sets a status, so the selection moves on once it is written.
    pub moves_on: bool,
    pub noun: Noun,
    /// First row of the list of differing articles shown.
    pub scroll: u16,
}

/// The status the edits set, if they set one.
pub(super) fn status_set(edits: &[Edit]) -> Option<Status> {
    edits.iter().rev().find_map(|e| match e {
        Edit::SetStatus(s) => Some(*s),
        _ => None,
    })
}

/// A decision, as opposed to nothing: a label on any axis or a status other than
/// to do. A note alone is not a decision.
pub fn decided(d: &Decision) -> bool {
    d.status != Status::Todo
        || !d.region.is_empty()
        || !d.theme.is_empty()
        || d.reliability.is_some()
}

/// Whether two decisions say the same about an article: the same status and the
/// same labels on each axis, in whatever order they were added. Notes and time
/// spent are each article's own.
pub fn same_decision(a: &Decision, b: &Decision) -> bool {
    fn set(ids: &[LabelId]) -> BTreeSet<&LabelId> {
        ids.iter().collect()
    }
    a.status == b.status
        && a.reliability == b.reliability
        && set(&a.region) == set(&b.region)
        && set(&a.theme) == set(&b.theme)
}

/// A decision in a few words, for the conflict prompt (`region mena · theme
/// war-conflict · reliability mixed · done`); not sanitized.
pub fn describe_decision(d: &Decision) -> String {
    let mut parts = Vec::new();
    for (axis, ids) in [(Axis::Region, &d.region), (Axis::Theme, &d.theme)] {
        if !ids.is_empty() {
            let ids: Vec<&str> = ids.iter().map(LabelId::as_str).collect();
            parts.push(format!("{axis} {}", ids.join(", ")));
        }
    }
    if let Some(r) = &d.reliability {
        parts.push(format!("reliability {r}"));
    }
    parts.push(d.status.as_str().to_string());
    parts.join(" · ")
}

/// The edits that turn `from` into `to` on labels, status and note, in `to`'s
/// order: the labels `from` shares with `to` up to where their order differs stay,
/// the rest go and `to`'s come in its order, so copies end up the same, byte for byte.
fn edits_between(from: &Decision, to: &Decision) -> Vec<Edit> {
    let mut edits = Vec::new();
    for (axis, old, new) in [
        (Axis::Region, &from.region, &to.region),
        (Axis::Theme, &from.theme, &to.theme),
    ] {
        let kept = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        for id in &old[kept..] {
            edits.push(Edit::Remove(axis, id.clone()));
        }
        for id in &new[kept..] {
            edits.push(Edit::Add(axis, id.clone()));
        }
    }
    if from.reliability != to.reliability {
        edits.push(Edit::SetReliability(to.reliability.clone()));
    }
    if from.status != to.status {
        edits.push(Edit::SetStatus(to.status));
    }
    if from.note != to.note {
        edits.push(Edit::SetNote(to.note.clone()));
    }
    edits
}

/// `d` after `edits`.
fn applied(d: &Decision, edits: &[Edit]) -> Decision {
    let mut d = d.clone();
    for e in edits {
        d.apply(e);
    }
    d
}

impl AppState {
    /// Applies one decision to several articles as one undo step, and returns the
    /// writes to carry out (none while the reviewer is asked about conflicts).
    ///
    /// `edits` are made on the selected article and must already be absolute (an
    /// add or a remove, not a toggle: see how the picker makes them). The selected
    /// article is the reference: its decision before the edits is what "the same
    /// decision" means, and its decision after them is the new one. Each target
    /// (the selected one included when it is among them; duplicates, removed
    /// articles and articles whose bytes or sidecar cannot be read are left out):
    ///
    /// - with [`OnConflict::Overwrite`], gets the edits;
    /// - with [`OnConflict::Ask`], gets the edits when it held the selected
    ///   article's decision, takes the new decision whole when it held none (so
    ///   copies end up identical), and otherwise is a conflict: if there is one,
    ///   nothing is written yet and [`Mode::Conflict`] shows those articles, their
    ///   decision and the new one; the reviewer overwrites them too, keeps theirs
    ///   (the rest are written), or cancels (nothing is).
    ///
    /// A decision that sets a status moves the selection on to the next article
    /// still to do once written, as a single decision does.
    pub fn decide_for_many(
        &mut self,
        targets: &[usize],
        edits: Vec<Edit>,
        conflicts: OnConflict,
    ) -> Vec<Effect> {
        self.decide_many(targets, edits, conflicts, Noun::Articles)
    }

    fn decide_many(
        &mut self,
        targets: &[usize],
        edits: Vec<Edit>,
        conflicts: OnConflict,
        noun: Noun,
    ) -> Vec<Effect> {
        let Some(selected) = self.selected() else {
            return Vec::new();
        };
        let before = self.decision(selected);
        let new = applied(&before, &edits);
        let (usable, left_out) = self.usable(selected, targets);
        let mut bulk = Bulk {
            what: what(&edits),
            new: new.clone(),
            agreed: Vec::new(),
            differing: Vec::new(),
            unchanged: 0,
            left_out,
            moves_on: status_set(&edits).is_some(),
            noun,
            scroll: 0,
        };
        for entry in usable {
            let theirs = self.decision(entry);
            let own = match conflicts {
                OnConflict::Overwrite => edits.clone(),
                OnConflict::Ask if entry == selected || same_decision(&theirs, &before) => {
                    edits.clone()
                }
                OnConflict::Ask => {
                    // The new decision whole, keeping the article's own note unless
                    // the decision is a note.
                    let mut target = new.clone();
                    target.note = applied(&theirs, &edits).note;
                    let own = edits_between(&theirs, &target);
                    if decided(&theirs) && !same_decision(&theirs, &new) {
                        bulk.differing.push(Differing {
                            entry,
                            theirs,
                            edits: own,
                        });
                        continue;
                    }
                    own
                }
            };
            bulk.agreed.push((entry, own));
        }
        if bulk.differing.is_empty() {
            return self.commit(bulk, false);
        }
        self.mode = Mode::Conflict(Box::new(bulk));
        Vec::new()
    }

    /// The targets a decision may write, each once, the selected article first;
    /// and how many are left out because their bytes or their sidecar cannot be read
    /// (a sidecar that cannot be read is never overwritten).
    fn usable(&self, selected: usize, targets: &[usize]) -> (Vec<usize>, usize) {
        let mut seen = BTreeSet::new();
        let mut left_out = 0;
        let ordered = targets
            .iter()
            .copied()
            .filter(|&t| t == selected)
            .chain(targets.iter().copied().filter(|&t| t != selected));
        let mut usable = Vec::new();
        for t in ordered {
            let Some(e) = self.entries.get(t) else {
                continue;
            };
            if !seen.insert(t) || self.is_gone(t) {
                continue;
            }
            if e.sha256.is_none() || e.mine(&self.reviewer).broken().is_some() {
                left_out += 1;
                continue;
            }
            usable.push(t);
        }
        (usable, left_out)
    }

    /// Writes a worked-out decision as one step: the agreed targets, and the
    /// differing ones too when `overwrite`. Says what was done and how to undo it.
    fn commit(&mut self, bulk: Bulk, overwrite: bool) -> Vec<Effect> {
        let step = self.changes.new_step();
        let kept = if overwrite { 0 } else { bulk.differing.len() };
        let chosen = bulk.agreed.into_iter().chain(
            bulk.differing
                .into_iter()
                .filter(|_| overwrite)
                .map(|d| (d.entry, d.edits)),
        );
        let mut unchanged = bulk.unchanged;
        let mut effects = Vec::new();
        for (entry, edits) in chosen {
            match self.change(entry, edits, step) {
                Some(write) => effects.push(Effect::Write(write)),
                None => unchanged += 1,
            }
        }
        if bulk.noun == Noun::Marked {
            self.marks.spent = true;
        }
        let mut text = if effects.is_empty() {
            format!("{} · nothing to change", bulk.what)
        } else {
            format!(
                "{} · {} · {} undoes",
                bulk.what,
                bulk.noun.count(effects.len()),
                self.changes.undo_key
            )
        };
        if unchanged > 0 {
            text.push_str(&format!(" · {unchanged} already so"));
        }
        if kept > 0 {
            text.push_str(&format!(" · {kept} kept theirs"));
        }
        if bulk.left_out > 0 {
            text.push_str(&format!(" · {} left out (cannot be read)", bulk.left_out));
        }
        if bulk.moves_on {
            match self.next_todo() {
                Some(pos) => self.select(pos),
                None => text.push_str(" — nothing left to do here"),
            }
        }
        self.info(text);
        effects
    }

    /// A decision made while articles are marked: the marked articles and the
    /// selected one take its edits, as one step.
    ///
    /// A marked row that stands for a folded story brings all its copies, and then
    /// a copy that already holds another decision is shown, not overwritten (see
    /// [`OnConflict::Ask`]), for the marked articles as for the copies.
    pub(super) fn decide_marked(&mut self, edits: Vec<Edit>) -> Vec<Effect> {
        let targets = self.mark_targets();
        let with_copies = self.with_folded_copies(&targets);
        let conflicts = if with_copies.len() > targets.len() {
            OnConflict::Ask
        } else {
            OnConflict::Overwrite
        };
        self.decide_many(&with_copies, edits, conflicts, Noun::Marked)
    }

    /// A decision on the row of a folded story: every copy takes it, as one step,
    /// and a copy that already holds another decision is shown, never overwritten
    /// silently.
    pub(super) fn decide_story(&mut self, story: Vec<usize>, edits: Vec<Edit>) -> Vec<Effect> {
        self.decide_many(&story, edits, OnConflict::Ask, Noun::Copies)
    }

    /// `a` while articles are marked: each takes its own suggestions (they come from
    /// its own text), as one step; `.` then repeats what the selected one took.
    pub(super) fn accept_marked(&mut self) -> Vec<Effect> {
        let Some(selected) = self.selected() else {
            return Vec::new();
        };
        let own = self.accept_for(selected);
        if !own.is_empty() {
            self.last_decision = Some(own);
        }
        let targets = self.mark_targets();
        let (usable, left_out) = self.usable(selected, &targets);
        let mut bulk = Bulk {
            what: "suggestions accepted".to_string(),
            new: self.decision(selected),
            agreed: Vec::new(),
            differing: Vec::new(),
            unchanged: 0,
            left_out,
            moves_on: false,
            noun: Noun::Marked,
            scroll: 0,
        };
        for entry in usable {
            let edits = self.accept_for(entry);
            if edits.is_empty() {
                bulk.unchanged += 1;
            } else {
                bulk.agreed.push((entry, edits));
            }
        }
        self.commit(bulk, false)
    }

    /// The marked articles and the selected one.
    fn mark_targets(&self) -> Vec<usize> {
        self.selected()
            .into_iter()
            .chain(self.marks.entries())
            .collect()
    }

    /// How many articles are marked (those removed from the inbox meanwhile not counted).
    pub fn marked(&self) -> usize {
        self.marks.entries().filter(|&i| !self.is_gone(i)).count()
    }

    /// Marks the selected article, or unmarks it.
    pub(super) fn toggle_mark(&mut self) {
        let Some(entry) = self.selected() else {
            return;
        };
        if !self.marks.set.remove(&entry) {
            self.marks.set.insert(entry);
        }
        self.marks.spent = false;
    }

    /// Marks every article of the search's result; when all of them are marked
    /// already, unmarks them.
    pub(super) fn mark_all(&mut self) {
        if self.search.query.is_none() {
            self.info("No search is active: marking all marks what a search finds");
            return;
        }
        let all = !self.view.is_empty() && self.view.iter().all(|&i| self.marks.contains(i));
        let n = self.view.len();
        if all {
            for i in &self.view {
                self.marks.set.remove(i);
            }
            self.info(format!(
                "Unmarked {} · {} marked",
                crate::words::count(n, "result", "results"),
                self.marked()
            ));
        } else {
            self.marks.set.extend(self.view.iter().copied());
            self.info(format!(
                "Marked {} · {} marked",
                crate::words::count(n, "result", "results"),
                self.marked()
            ));
        }
        self.marks.spent = false;
    }

    /// Unmarks every article.
    pub(super) fn clear_marks(&mut self) {
        let n = self.marked();
        self.marks.clear();
        self.info(format!(
            "Marks cleared ({})",
            crate::words::count(n, "article", "articles")
        ));
    }

    /// `.`: the last decision again, on the selected article or the marked ones, as
    /// a step of its own.
    pub(super) fn repeat(&mut self) -> Vec<Effect> {
        let Some(edits) = self.last_decision.clone() else {
            self.info("Nothing to repeat yet: make a decision first");
            return Vec::new();
        };
        let marked = !self.marks.is_empty();
        let effects = self.decide(edits.clone());
        if !marked && self.message.is_none() {
            self.info(if effects.is_empty() {
                format!("{} · already so here", what(&edits))
            } else {
                format!("repeated: {}", what(&edits))
            });
        }
        effects
    }
}

/// What a decision does, in the status line's words: a status alone by its name
/// (`done`), anything else as [`describe_edits`] says it.
fn what(edits: &[Edit]) -> String {
    match edits {
        [Edit::SetStatus(s)] => s.as_str().to_string(),
        _ => describe_edits(edits),
    }
}

/// The conflict prompt: overwrite the differing articles too, keep their decisions,
/// or cancel; the list scrolls.
pub(super) fn update_conflict(state: &mut AppState, mut bulk: Bulk, action: Action) -> Vec<Effect> {
    match action {
        Action::Overwrite | Action::KeepTheirs => {
            state.mode = Mode::Normal;
            state.commit(bulk, action == Action::Overwrite)
        }
        Action::Close => {
            state.mode = Mode::Normal;
            state.info("Cancelled: nothing was written");
            Vec::new()
        }
        Action::MenuDown | Action::MenuUp => {
            let last = bulk.differing.len().saturating_sub(1) as u16;
            bulk.scroll = if action == Action::MenuDown {
                bulk.scroll.saturating_add(1).min(last)
            } else {
                bulk.scroll.saturating_sub(1)
            };
            state.mode = Mode::Conflict(Box::new(bulk));
            Vec::new()
        }
        other => common(state, other),
    }
}
