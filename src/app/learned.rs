//! What the state keeps of the learning: the suggester the background learner last
//! delivered, and the order of the list it allows (`--order`, and the key that
//! cycles it).

use std::sync::Arc;

use clap::ValueEnum;

use crate::learn::Model;
use crate::team::suggest::{SourceRecord, Suggester};

/// The order of the list (without a search, which ranks by relevance instead).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Order {
    /// The inbox's own order.
    #[default]
    Inbox,
    /// Articles still to do that the model is least sure about first (the
    /// smallest margin between its best and second-best label): where a decision
    /// teaches it most. Then the rest, in inbox order.
    Uncertain,
    /// Articles still to do that the model is surest about first, to confirm a run
    /// of easy ones fast. Then the rest, in inbox order.
    Confident,
}

impl Order {
    /// The next order of the cycle: inbox → uncertain → confident → inbox.
    pub fn next(self) -> Order {
        match self {
            Order::Inbox => Order::Uncertain,
            Order::Uncertain => Order::Confident,
            Order::Confident => Order::Inbox,
        }
    }

    /// How the screen names it.
    pub fn describe(self) -> &'static str {
        match self {
            Order::Inbox => "inbox order",
            Order::Uncertain => "least sure first",
            Order::Confident => "surest first",
        }
    }
}

/// The learning as the state sees it.
#[derive(Debug, Default)]
pub struct Learned {
    /// What suggests beyond the article itself (model and source record).
    pub suggester: Suggester,
    /// The list's order.
    pub order: Order,
    /// How sure the model is about each entry still to do when it last scored them
    /// (by entry index; `None` for entries it did not score), for the order.
    pub margins: Vec<Option<f32>>,
    /// The training set the current model learned from (see
    /// [`crate::team::suggest::fingerprint`]), `None` before the first.
    pub fingerprint: Option<u64>,
    /// True when `margins` were scored by the current model.
    pub scored: bool,
    /// The order was asked for at start (`--order`): the first scoring opens at the
    /// top of it (where the work in that order starts) rather than keeping the
    /// article selected while the inbox loaded.
    pub open_at_top: bool,
}

impl Learned {
    /// A new model (and, when the order needs them, margins) from the learner.
    pub fn take(
        &mut self,
        fingerprint: u64,
        model: Option<Arc<Model>>,
        margins: Option<Vec<Option<f32>>>,
    ) {
        self.fingerprint = Some(fingerprint);
        self.suggester.model = model;
        self.scored = margins.is_some();
        if let Some(m) = margins {
            self.margins = m;
        }
    }

    /// The team's record of source domains, rebuilt with each training set.
    pub fn set_record(&mut self, record: SourceRecord) {
        self.suggester.record = Arc::new(record);
    }

    /// How many decisions the model learned from (0 before there is one).
    pub fn decisions(&self) -> usize {
        self.suggester.model.as_ref().map_or(0, |m| m.examples())
    }
}

/// `view` (entry indexes) in `order`: entries still to do (`todo`) first, sorted by
/// their margin, least or most sure first, those without a margin after them; then
/// the rest, each part in the order `view` has them (the inbox's). `Order::Inbox`
/// leaves `view` as it is.
pub fn ordered(
    mut view: Vec<usize>,
    order: Order,
    margins: &[Option<f32>],
    todo: impl Fn(usize) -> bool,
) -> Vec<usize> {
    if order == Order::Inbox {
        return view;
    }
    let key = |i: usize| -> (u8, f32) {
        if !todo(i) {
            return (2, 0.0);
        }
        match margins.get(i).copied().flatten() {
            Some(m) if order == Order::Uncertain => (0, m),
            Some(m) => (0, -m),
            None => (1, 0.0),
        }
    };
    // Stable: equal keys keep the order they had.
    view.sort_by(|&a, &b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    });
    view
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncertain_puts_todo_by_smallest_margin_first_then_the_rest_in_inbox_order() {
        let margins = [Some(0.9), None, Some(0.1), Some(0.5), Some(0.05)];
        let todo = |i: usize| i != 4; // entry 4 is done
        let got = ordered(vec![0, 1, 2, 3, 4], Order::Uncertain, &margins, todo);
        assert_eq!(got, [2, 3, 0, 1, 4]);
        let got = ordered(vec![0, 1, 2, 3, 4], Order::Confident, &margins, todo);
        assert_eq!(got, [0, 3, 2, 1, 4]);
        let got = ordered(vec![4, 2, 0, 1, 3], Order::Inbox, &margins, todo);
        assert_eq!(got, [4, 2, 0, 1, 3]);
    }

    #[test]
    fn the_order_cycles_through_all_three() {
        let mut o = Order::Inbox;
        let mut seen = Vec::new();
        for _ in 0..3 {
            o = o.next();
            seen.push(o);
        }
        assert_eq!(seen, [Order::Uncertain, Order::Confident, Order::Inbox]);
    }
}
