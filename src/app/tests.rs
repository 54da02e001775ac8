//! `update` tests: state + action → state + effects, no terminal and no disk. The
//! loop's part (carrying out writes) is played by `run`, which applies the edits to an
//! in-memory sidecar exactly as the store applies them to the re-read file.

use std::path::{Path, PathBuf};

use super::*;
use crate::article::Article;
use crate::domain::{ReviewerName, Status};
use crate::search;
use crate::store::{Sidecar, SidecarState};

/// A reviewer name the test knows to be valid.
fn named(text: &str) -> ReviewerName {
    ReviewerName::parse(text).expect("a valid reviewer name")
}

fn entry(name: &str) -> Entry {
    let mut e = Entry::unread(
        &std::sync::Arc::from(std::path::Path::new("inbox")),
        &PathBuf::from(name),
    );
    e.article = Ok(std::sync::Arc::new(Article {
        title: format!("Title of {name}"),
        ..Article::default()
    }));
    e.sha256 = Some([7; 32]);
    e
}

/// Gives an article its own classification (label ids are found by the taxonomy
/// like names and aliases), which is what suggestions are made from.
fn classify(e: &mut Entry, regions: &[&str], themes: &[&str]) {
    if let Ok(a) = &mut e.article {
        let a = std::sync::Arc::make_mut(a);
        a.regions = regions.iter().map(|r| r.to_string()).collect();
        a.themes = themes.iter().map(|t| t.to_string()).collect();
    }
}

fn state(n: usize) -> AppState {
    let entries = (0..n).map(|i| entry(&format!("{i:03}.txt"))).collect();
    AppState::new(named("alice"), Taxonomy::default(), entries)
}

/// Plays the loop: every write succeeds against an in-memory sidecar.
fn run(state: &mut AppState, actions: impl IntoIterator<Item = Action>) -> Vec<Effect> {
    let mut all = Vec::new();
    for action in actions {
        for effect in update(state, action) {
            if let Effect::Write(write) = &effect {
                let entry = &state.entries[write.entry];
                let mut sidecar = entry
                    .mine(&state.reviewer)
                    .sidecar()
                    .cloned()
                    .unwrap_or_else(|| Sidecar {
                        schema: 1,
                        article: entry.rel.to_string_lossy().into_owned(),
                        reviewer: "alice".into(),
                        article_sha256: None,
                        decision: Decision::default(),
                        decided_at: None,
                        extra: Default::default(),
                    });
                for edit in &write.edits {
                    sidecar.decision.apply(edit);
                }
                state.write_finished(write.clone(), Ok(sidecar));
            }
            if let Effect::Search(request) = &effect {
                let hits = search::search(
                    &request.docs,
                    &request.facets,
                    &request.query,
                    request.within.as_deref().map(|v| v.as_slice()),
                    &|| false,
                )
                .unwrap_or_default();
                state.search_results(request.generation, hits, true);
            }
            all.push(effect);
        }
    }
    all
}

fn keys(text: &str) -> Vec<Action> {
    text.chars().map(Action::PickerKey).collect()
}

/// Marks one article done through the real action, then puts the cursor back.
fn mark_done(state: &mut AppState, entry: usize) {
    let cursor = state.cursor;
    state.cursor = state.view.iter().position(|&i| i == entry).unwrap_or(0);
    run(state, [Action::Done]);
    state.cursor = cursor;
}

#[test]
fn done_moves_to_next_todo_skipping_decided_articles() {
    let mut s = state(5);
    mark_done(&mut s, 1);
    mark_done(&mut s, 2);
    s.cursor = 0;
    let effects = run(&mut s, [Action::Done]);
    assert_eq!(s.status(0), Status::Done);
    assert_eq!(s.selected(), Some(3), "articles 1 and 2 were already done");
    assert!(
        matches!(&effects[..], [Effect::Write(w)] if w.edits == vec![Edit::SetStatus(Status::Done)])
    );
}

#[test]
fn done_wraps_around_to_an_earlier_todo() {
    let mut s = state(3);
    s.cursor = 2;
    run(&mut s, [Action::Done]);
    assert_eq!(s.selected(), Some(0));
}

#[test]
fn done_on_the_last_todo_stays_and_says_so() {
    let mut s = state(2);
    run(&mut s, [Action::Done, Action::Done]);
    assert_eq!(s.progress().done, 2);
    assert!(s.progress().all_decided());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.contains("nothing left"))
    );
}

#[test]
fn skip_and_flag_move_on_too() {
    let mut s = state(3);
    run(&mut s, [Action::Skip, Action::Flag]);
    assert_eq!(s.status(0), Status::Skipped);
    assert_eq!(s.status(1), Status::Flagged);
    assert_eq!(s.selected(), Some(2));
    assert_eq!(
        s.progress(),
        crate::app::Progress {
            done: 0,
            skipped: 1,
            flagged: 1,
            total: 3
        }
    );
}

#[test]
fn lowercase_label_key_toggles_and_closes_the_picker() {
    let mut s = state(1);
    run(&mut s, [Action::PickRegion]);
    assert!(matches!(
        s.mode,
        Mode::Picker(Picker {
            axis: Axis::Region,
            ..
        })
    ));
    run(&mut s, keys("m"));
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.decision(0).region, vec!["mena"]);
    // The same key again removes it.
    run(&mut s, [Action::PickRegion]);
    run(&mut s, keys("m"));
    assert!(s.decision(0).region.is_empty());
}

#[test]
fn capital_label_key_toggles_and_keeps_the_picker_open() {
    let mut s = state(1);
    run(&mut s, [Action::PickRegion]);
    run(&mut s, keys("MR"));
    assert!(matches!(s.mode, Mode::Picker(_)));
    run(&mut s, [Action::Confirm]);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.decision(0).region, vec!["mena", "russia-fsu"]);
}

#[test]
fn unknown_picker_key_changes_nothing_and_says_why() {
    let mut s = state(1);
    run(&mut s, [Action::PickTheme]);
    let effects = run(&mut s, keys("z"));
    assert!(effects.is_empty());
    assert!(matches!(s.mode, Mode::Picker(_)));
    assert!(s.message.as_ref().is_some_and(|m| m.error));
}

#[test]
fn picker_filter_then_enter_toggles_the_first_match() {
    let mut s = state(1);
    run(&mut s, [Action::PickTheme, Action::Filter]);
    assert!(
        s.typing(),
        "typed letters go to the filter, not to label keys"
    );
    run(&mut s, "energ".chars().map(Action::Input));
    run(&mut s, [Action::Confirm]);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.decision(0).theme, vec!["energy"]);
}

#[test]
fn picker_filter_ranks_the_best_name_first() {
    let mut s = state(1);
    run(&mut s, [Action::PickRegion, Action::Filter]);
    run(&mut s, "north".chars().map(Action::Input));
    let Mode::Picker(picker) = &s.mode else {
        panic!("the picker stays open while filtering");
    };
    let ids: Vec<&str> = picker
        .visible(&s.taxonomy)
        .into_iter()
        .map(|i| s.taxonomy.region.labels[i].id.as_str())
        .collect();
    assert_eq!(ids.first(), Some(&"north-america"), "{ids:?}");
    assert!(ids.contains(&"mena"), "{ids:?}");
    assert!(!ids.contains(&"asia"), "{ids:?}");
}

#[test]
fn picker_escape_leaves_the_filter_first_then_the_picker() {
    let mut s = state(1);
    run(&mut s, [Action::PickRegion, Action::Filter, Action::Close]);
    assert!(matches!(&s.mode, Mode::Picker(p) if p.filter.is_none()));
    run(&mut s, [Action::Close]);
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn by_hand_labeling_takes_six_keystrokes() {
    // r m t w 4 Enter, as product.md promises.
    let mut s = state(2);
    run(
        &mut s,
        [
            Action::PickRegion,
            Action::PickerKey('m'),
            Action::PickTheme,
            Action::PickerKey('w'),
            Action::SetReliability("unreliable".into()),
            Action::Done,
        ],
    );
    let d = s.decision(0);
    assert_eq!(d.region, vec!["mena"]);
    assert_eq!(d.theme, vec!["war-conflict"]);
    assert_eq!(d.reliability.as_deref(), Some("unreliable"));
    assert_eq!(d.status, Status::Done);
    assert_eq!(s.selected(), Some(1));
}

#[test]
fn accept_applies_suggestions_but_never_overwrites_reliability() {
    let mut s = state(1);
    classify(
        &mut s.entries[0],
        &["mena", "russia-fsu"],
        &["war-conflict"],
    );
    run(
        &mut s,
        [Action::SetReliability("unreliable".into()), Action::Accept],
    );
    let d = s.decision(0);
    assert_eq!(d.region, vec!["mena", "russia-fsu"]);
    assert_eq!(d.theme, vec!["war-conflict"]);
    assert_eq!(d.reliability.as_deref(), Some("unreliable"));
}

#[test]
fn accept_without_suggestions_writes_nothing() {
    let mut s = state(1);
    assert!(run(&mut s, [Action::Accept]).is_empty());
    assert!(s.message.is_some());
}

#[test]
fn reliability_key_twice_clears_it() {
    let mut s = state(1);
    run(&mut s, [Action::SetReliability("mixed".into())]);
    assert_eq!(s.decision(0).reliability.as_deref(), Some("mixed"));
    run(&mut s, [Action::SetReliability("mixed".into())]);
    assert_eq!(s.decision(0).reliability, None);
}

#[test]
fn undo_restores_the_labels_and_redo_puts_them_back() {
    let mut s = state(2);
    classify(&mut s.entries[0], &["mena"], &["war-conflict"]);
    run(
        &mut s,
        [
            Action::Accept,
            Action::SetReliability("unreliable".into()),
            Action::Done,
        ],
    );
    assert_eq!(s.selected(), Some(1));

    let effects = run(&mut s, [Action::Undo]);
    assert!(
        matches!(&effects[..], [Effect::Write(w)] if w.kind == WriteKind::Undo && w.entry == 0)
    );
    assert_eq!(s.selected(), Some(0), "undo shows the article it changed");
    assert_eq!(s.status(0), Status::Todo);

    run(&mut s, [Action::Undo, Action::Undo]);
    let d = s.decision(0);
    assert!(d.region.is_empty() && d.theme.is_empty() && d.reliability.is_none());

    run(&mut s, [Action::Redo, Action::Redo]);
    let d = s.decision(0);
    assert_eq!(d.region, vec!["mena"]);
    assert_eq!(d.reliability.as_deref(), Some("unreliable"));
    assert_eq!(d.status, Status::Todo);

    // A new change after undo forgets the redo history.
    run(&mut s, [Action::Flag]);
    assert!(run(&mut s, [Action::Redo]).is_empty());
}

fn disk_full() -> StoreError {
    StoreError::Io {
        op: "write",
        path: PathBuf::from("inbox/000.txt.alice.toml"),
        source: std::io::Error::from_raw_os_error(28),
    }
}

#[test]
fn a_refused_write_stays_on_screen_marked_unsaved_and_undoable() {
    let mut s = state(2);
    let effects = update(&mut s, Action::SetReliability("mixed".into()));
    let Some(Effect::Write(write)) = effects.into_iter().next() else {
        panic!("a reliability key writes");
    };
    s.write_finished(write.clone(), Err(disk_full()));
    assert_eq!(s.decision(0).reliability.as_deref(), Some("mixed"));
    assert!(
        s.unsaved_error(0)
            .is_some_and(|e| e.contains("No space left"))
    );
    assert_eq!(s.unsaved_error(1), None);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.error && m.text.contains("Not saved") && m.text.contains("retried"))
    );
    assert!(
        matches!(&run(&mut s, [Action::Undo])[..], [Effect::Write(w)] if w.kind == WriteKind::Undo),
        "the change happened on screen, so it can be undone"
    );
    // Retried and saved: the change leaves the unsaved list.
    let unsaved = s.take_unsaved();
    assert_eq!(unsaved.len(), 1);
    assert_eq!(unsaved[0].write.edits, write.edits);
}

#[test]
fn a_change_refused_by_a_broken_sidecar_is_kept_unsaved_and_retried() {
    let mut s = state(1);
    let effects = update(&mut s, Action::SetReliability("mixed".into()));
    let Some(Effect::Write(write)) = effects.into_iter().next() else {
        panic!("a reliability key writes");
    };
    let broken = || StoreError::Broken {
        path: PathBuf::from("inbox/000.txt.alice.toml"),
        problem: "line 1: expected a value".into(),
    };
    s.write_finished(write.clone(), Err(broken()));
    assert_eq!(
        *s.entries[0].mine(&s.reviewer),
        SidecarState::Broken("line 1: expected a value".into()),
        "the row shows the sidecar is broken"
    );
    assert_eq!(s.decision(0).reliability.as_deref(), Some("mixed"));
    assert!(
        s.unsaved_error(0)
            .is_some_and(|e| e.contains("it will not be overwritten")),
        "{:?}",
        s.unsaved
    );
    assert!(s.message.as_ref().is_some_and(|m| m.error
        && m.text.contains("Not saved")
        && m.text.contains("Kept as unsaved")));
    assert!(
        !s.may_quit(),
        "quitting warns about it like any unsaved change"
    );
    assert_eq!(
        s.unsaved_articles(),
        vec![(
            PathBuf::from("inbox/000.txt"),
            "inbox/000.txt.alice.toml:1: expected a value; it will not be overwritten.".to_string()
        )]
    );

    // Still broken when retried: still kept, never given up.
    let unsaved = s.take_unsaved();
    assert_eq!(unsaved.len(), 1);
    s.retry_finished(unsaved[0].clone(), Err(broken()));
    assert_eq!(s.unsaved.len(), 1);
    assert_eq!(s.unsaved[0].write.edits, write.edits);

    // Repaired by hand: the retry saves it.
    let unsaved = s.take_unsaved();
    let mut repaired = Sidecar {
        schema: 1,
        article: "000.txt".into(),
        reviewer: "alice".into(),
        article_sha256: None,
        decision: Decision::default(),
        decided_at: None,
        extra: Default::default(),
    };
    repaired.decision.reliability = Some("mixed".into());
    s.retry_finished(unsaved[0].clone(), Ok(repaired));
    assert!(s.unsaved.is_empty());
    assert_eq!(s.decision(0).reliability.as_deref(), Some("mixed"));
}

#[test]
fn a_change_that_changes_nothing_is_not_written() {
    let mut s = state(3);
    run(&mut s, [Action::Done]); // 0 done, on to 1
    assert_eq!(s.selected(), Some(1));
    s.cursor = 0;
    // Done again on a done article: no write, but it still moves on.
    assert!(run(&mut s, [Action::Done]).is_empty());
    assert_eq!(s.selected(), Some(1));
    // The same note again: no write.
    s.cursor = 0;
    run(&mut s, [Action::Note, Action::Input('x'), Action::Confirm]);
    assert!(run(&mut s, [Action::Note, Action::Confirm]).is_empty());
    // Undo undoes the note, the last real change, not a no-op.
    let effects = run(&mut s, [Action::Undo]);
    assert!(
        matches!(&effects[..], [Effect::Write(w)] if w.edits == vec![Edit::SetNote(None)]),
        "{effects:?}"
    );
}

#[test]
fn deciding_again_after_the_article_changed_is_a_change() {
    let mut s = state(2);
    run(&mut s, [Action::Done]);
    if let Some(sidecar) = s.entries[0].mine(&s.reviewer).sidecar().cloned() {
        let mut sidecar = sidecar;
        sidecar.article_sha256 = Some("the old bytes".into());
        s.entries[0].set_sidecar("alice", SidecarState::Saved(Box::new(sidecar)));
    }
    assert!(s.entries[0].changed(&s.reviewer));
    s.cursor = 0;
    let effects = run(&mut s, [Action::Done]);
    assert!(
        matches!(&effects[..], [Effect::Write(w)] if w.edits == vec![Edit::SetStatus(Status::Done)]),
        "confirms the decision for the new text: {effects:?}"
    );
}

#[test]
fn quitting_with_unsaved_changes_warns_once_then_quits() {
    let mut s = state(1);
    assert!(s.may_quit(), "nothing unsaved: quit at once");
    let Some(Effect::Write(write)) = update(&mut s, Action::Flag).into_iter().next() else {
        panic!("flag writes");
    };
    s.write_finished(write, Err(disk_full()));
    assert_eq!(run(&mut s, [Action::Quit]), vec![Effect::Quit]);
    assert!(!s.may_quit(), "the first quit only warns");
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.error && m.text.starts_with("1 change is not saved"))
    );
    run(&mut s, [Action::Quit]);
    assert!(s.may_quit(), "asked twice: quit");
    // Any other key in between takes the warning back.
    let mut s2 = state(1);
    let Some(Effect::Write(write)) = update(&mut s2, Action::Flag).into_iter().next() else {
        panic!("flag writes");
    };
    s2.write_finished(write, Err(disk_full()));
    run(&mut s2, [Action::Quit]);
    assert!(!s2.may_quit());
    run(&mut s2, [Action::Next, Action::Quit]);
    assert!(!s2.may_quit(), "warned again after another key");
}

#[test]
fn note_is_saved_on_enter_and_dropped_on_escape() {
    let mut s = state(1);
    run(&mut s, [Action::Note]);
    assert!(s.typing());
    run(&mut s, "RT reprint".chars().map(Action::Input));
    run(&mut s, [Action::Confirm]);
    assert_eq!(s.decision(0).note.as_deref(), Some("RT reprint"));

    run(
        &mut s,
        [
            Action::Note,
            Action::Backspace,
            Action::Input('X'),
            Action::Close,
        ],
    );
    assert_eq!(s.decision(0).note.as_deref(), Some("RT reprint"));
}

#[test]
fn search_narrows_the_list_and_escape_restores_it() {
    let mut s = state(3);
    run(&mut s, [Action::Search]);
    run(&mut s, "002".chars().map(Action::Input));
    assert_eq!(s.view, vec![2]);
    assert_eq!(s.selected(), Some(2));
    run(&mut s, [Action::Close]);
    assert_eq!(s.view, vec![0, 1, 2]);
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn a_stale_ranking_never_replaces_a_newer_one() {
    let mut s = state(3);
    s.entries[1] = entry("oil.txt");
    s = AppState::new(named("alice"), Taxonomy::default(), s.entries);
    run(&mut s, [Action::Search]);
    let first = update(&mut s, Action::Input('o'));
    let second = update(&mut s, Action::Input('i'));
    let (Some(Effect::Search(old)), Some(Effect::Search(new))) = (first.first(), second.first())
    else {
        panic!("typing asks for rankings");
    };
    assert!(new.generation > old.generation);
    let hit = |entry| Hit {
        entry,
        score: 1,
        title_chars: vec![],
        body_line: None,
    };
    s.search_results(new.generation, vec![hit(1)], true);
    s.search_results(old.generation, vec![hit(0), hit(2)], true);
    assert_eq!(
        s.view,
        vec![1],
        "the older ranking arrived last and was dropped"
    );
}

#[test]
fn a_grown_query_reranks_only_the_previous_results() {
    // "00" matches 000.txt to 009.txt: half of the inbox, small enough to narrow from.
    let mut s = state(20);
    run(&mut s, [Action::Search]);
    run(&mut s, "00".chars().map(Action::Input));
    let effects = update(&mut s, Action::Input('2'));
    let Some(Effect::Search(request)) = effects.first() else {
        panic!("typing asks for a ranking");
    };
    assert_eq!(
        request.within.as_deref().map(|v| v.len()),
        Some(10),
        "narrowed from the 10 results of \"00\""
    );
    let request = request.clone();
    s.search_results(request.generation, vec![], true);
    let effects = update(&mut s, Action::Backspace);
    let Some(Effect::Search(request)) = effects.first() else {
        panic!("deleting asks for a ranking");
    };
    assert!(
        request.within.is_none(),
        "a shorter query must look at everything again"
    );
}

#[test]
fn a_query_matching_most_of_the_inbox_is_not_narrowed_from() {
    let mut s = state(4);
    run(&mut s, [Action::Search]);
    run(&mut s, "00".chars().map(Action::Input));
    let effects = update(&mut s, Action::Input('2'));
    let Some(Effect::Search(request)) = effects.first() else {
        panic!("typing asks for a ranking");
    };
    assert!(
        request.within.is_none(),
        "all 4 matched: a fresh pass is cheaper"
    );
}

#[test]
fn articles_that_arrive_while_loading_join_the_list() {
    let mut s = AppState::empty(named("alice"), Taxonomy::default());
    s.catalog.loading = true;
    s.add_entries(vec![entry("000.txt")]);
    assert_eq!(s.selected(), Some(0));
    s.add_entries(vec![entry("001.txt")]);
    assert_eq!(s.view, vec![0, 1]);
    assert_eq!(s.selected(), Some(0), "the selection stays put");
    s.loading_finished(Vec::new());
    assert!(!s.catalog.loading);
}

#[test]
fn n_jumps_to_the_next_body_match_line() {
    let mut s = state(1);
    s.reader.max_scroll = 100;
    s.reader.match_lines = vec![5, 30, 60];
    run(&mut s, [Action::NextMatch]);
    assert_eq!(s.reader.scroll, 5);
    run(&mut s, [Action::NextMatch, Action::NextMatch]);
    assert_eq!(s.reader.scroll, 60);
    run(&mut s, [Action::PrevMatch]);
    assert_eq!(s.reader.scroll, 30);
}

#[test]
fn n_reaches_matches_past_the_last_scroll_position_and_counts_them() {
    let mut s = state(1);
    // The text stops scrolling at 50; matches at 55 and 58 are both on the last page.
    s.reader.max_scroll = 50;
    s.reader.match_lines = vec![10, 55, 58];
    let said = |s: &AppState| s.message.as_ref().map(|m| m.text.clone());
    run(&mut s, [Action::NextMatch]);
    assert_eq!(said(&s).as_deref(), Some("match 1/3"));
    run(&mut s, [Action::NextMatch]);
    assert_eq!(
        (s.reader.scroll, said(&s).as_deref()),
        (50, Some("match 2/3"))
    );
    run(&mut s, [Action::NextMatch]);
    assert_eq!(
        (s.reader.scroll, said(&s).as_deref()),
        (50, Some("match 3/3"))
    );
    run(&mut s, [Action::NextMatch]);
    assert_eq!(said(&s).as_deref(), Some("No more matches below"));
    run(&mut s, [Action::PrevMatch]);
    assert_eq!(said(&s).as_deref(), Some("match 2/3"));
}

#[test]
fn contexts_follow_mode_and_focus() {
    let mut s = state(1);
    assert_eq!(s.contexts(), &[Context::List, Context::Global]);
    run(&mut s, [Action::FocusNext]);
    assert_eq!(s.contexts(), &[Context::Reader, Context::Global]);
    run(&mut s, [Action::Help]);
    assert_eq!(s.contexts(), &[Context::Help]);
}

#[test]
fn reader_scrolling_stops_at_the_end_reported_by_the_drawing() {
    let mut s = state(1);
    s.reader.page = 10;
    s.reader.max_scroll = 12;
    run(&mut s, [Action::ScrollDown]);
    assert_eq!(s.reader.scroll, 9);
    run(&mut s, [Action::ScrollDown]);
    assert_eq!(s.reader.scroll, 12);
    run(&mut s, [Action::ScrollUp, Action::ScrollTop]);
    assert_eq!(s.reader.scroll, 0);
}

#[test]
fn quit_is_an_effect() {
    let mut s = state(1);
    assert_eq!(update(&mut s, Action::Quit), vec![Effect::Quit]);
}

#[test]
fn accept_takes_reliability_from_the_source_list_but_never_overwrites_it() {
    let mut s = state(2);
    for e in &mut s.entries {
        if let Ok(a) = &mut e.article {
            std::sync::Arc::make_mut(a).url = Some("https://news.example.org/story".into());
        }
    }
    s.sources = crate::labels::sources::Sources::parse(
        "[sources]\n\"example.org\" = \"mixed\"\n",
        "sources.toml",
        &s.taxonomy,
    )
    .expect("a valid source list");
    run(&mut s, [Action::Accept]);
    assert_eq!(s.decision(0).reliability.as_deref(), Some("mixed"));

    s.cursor = 1;
    run(
        &mut s,
        [Action::SetReliability("reliable".into()), Action::Accept],
    );
    assert_eq!(
        s.decision(1).reliability.as_deref(),
        Some("reliable"),
        "the reviewer's choice stays"
    );
}

/// The titles of the listed articles, in list order.
fn listed(s: &AppState) -> Vec<String> {
    s.view
        .iter()
        .map(|&i| s.entries[i].title().to_string())
        .collect()
}

#[test]
fn a_new_article_joins_the_list_in_inbox_order_keeping_the_selection() {
    let mut s = state(3); // 000, 001, 002
    run(&mut s, [Action::Last]);
    assert_eq!(
        s.selected_entry().map(|e| e.title()),
        Some("Title of 002.txt")
    );
    s.article_arrived(entry("0015.txt"));
    assert_eq!(
        listed(&s),
        [
            "Title of 000.txt",
            "Title of 001.txt",
            "Title of 0015.txt",
            "Title of 002.txt"
        ]
    );
    assert_eq!(
        s.selected_entry().map(|e| e.title()),
        Some("Title of 002.txt"),
        "the selection stays on the same article"
    );
    assert_eq!(s.progress().total, 4);
}

#[test]
fn a_rewritten_article_is_replaced_in_place() {
    let mut s = state(2);
    let mut newer = entry("001.txt");
    if let Ok(a) = &mut newer.article {
        std::sync::Arc::make_mut(a).title = "Corrected headline".into();
    }
    let revision = s.catalog.revision;
    s.article_arrived(newer);
    assert_eq!(s.entries.len(), 2, "no duplicate");
    assert_eq!(listed(&s), ["Title of 000.txt", "Corrected headline"]);
    assert_eq!(
        &*s.catalog.docs[1].title, "Corrected headline",
        "search sees the new text"
    );
    assert!(s.catalog.revision > revision, "the reader wraps it again");
}

#[test]
fn a_removed_article_leaves_the_list_and_the_next_one_is_selected() {
    let mut s = state(3);
    run(&mut s, [Action::Next]); // 001
    s.path_removed(Path::new("001.txt"));
    assert_eq!(listed(&s), ["Title of 000.txt", "Title of 002.txt"]);
    assert_eq!(
        s.selected_entry().map(|e| e.title()),
        Some("Title of 002.txt")
    );
    assert_eq!(s.progress().total, 2);
    assert!(s.is_gone(1));
    // It comes back (an editor that saves by renaming): same slot, listed again.
    s.article_arrived(entry("001.txt"));
    assert_eq!(s.entries.len(), 3);
    assert_eq!(listed(&s).len(), 3);
    assert!(!s.is_gone(1));
}

#[test]
fn a_removed_folder_takes_its_articles_with_it() {
    let entries = ["a/1.txt", "a/2.txt", "b/1.txt"].map(entry).to_vec();
    let mut s = AppState::new(named("alice"), Taxonomy::default(), entries);
    s.path_removed(Path::new("a"));
    assert_eq!(listed(&s), ["Title of b/1.txt"]);
}

#[test]
fn removed_articles_never_match_a_search() {
    let mut s = state(2);
    s.path_removed(Path::new("000.txt"));
    let docs = s.catalog.docs.clone();
    let facets = s.catalog.facets.clone();
    let query = search::parse("title").expect("parses");
    let hits = search::search(&docs, &facets, &query, None, &|| false).expect("not cancelled");
    let found: Vec<usize> = hits.iter().map(|h| h.entry).collect();
    assert_eq!(found, [1]);
}

#[test]
fn another_reviewers_sidecar_appears_changes_and_goes() {
    let mut s = state(1);
    let bob = |status: Status| {
        SidecarState::Saved(Box::new(Sidecar {
            schema: 1,
            article: "000.txt".into(),
            reviewer: "bob".into(),
            article_sha256: None,
            decision: Decision {
                status,
                ..Decision::default()
            },
            decided_at: None,
            extra: Default::default(),
        }))
    };
    s.sidecar_changed(Path::new("000.txt"), "bob", bob(Status::Done));
    assert_eq!(s.entries[0].others(&s.reviewer).count(), 1);
    assert_eq!(s.catalog.facets[0].reviewers, ["bob"]);
    s.sidecar_changed(Path::new("000.txt"), "bob", bob(Status::Flagged));
    assert_eq!(
        s.entries[0].others(&s.reviewer).count(),
        1,
        "replaced, not added"
    );
    s.sidecar_changed(Path::new("000.txt"), "bob", SidecarState::Missing);
    assert!(s.entries[0].others(&s.reviewer).next().is_none());
    // My own sidecar, written by my other session, shows here.
    s.sidecar_changed(Path::new("000.txt"), "alice", bob(Status::Done));
    assert_eq!(s.status(0), Status::Done);
    assert_eq!(s.progress().done, 1);
}

/// A done decision by `name` with these labels, as a sidecar state.
fn done_by(name: &str, region: &[&str], reliability: Option<&str>) -> SidecarState {
    SidecarState::Saved(Box::new(Sidecar {
        schema: 1,
        article: "000.txt".into(),
        reviewer: name.into(),
        article_sha256: None,
        decision: Decision {
            status: Status::Done,
            region: region.iter().map(|r| LabelId::from(*r)).collect(),
            reliability: reliability.map(LabelId::from),
            ..Decision::default()
        },
        decided_at: None,
        extra: Default::default(),
    }))
}

/// Alice (the session's reviewer), bob and carol all decided article 0 and disagree;
/// two of them chose an id labels.toml does not have.
fn disputed() -> AppState {
    let mut e = entry("000.txt");
    e.set_sidecar("alice", done_by("alice", &["europe"], Some("reliable")));
    e.set_sidecar("bob", done_by("bob", &["mena", "atlantis"], Some("mixed")));
    e.set_sidecar(
        "carol",
        done_by("carol", &["mena", "atlantis"], Some("mixed")),
    );
    AppState::new(
        named("alice"),
        Taxonomy::default(),
        vec![e, entry("001.txt")],
    )
}

/// The decision the entry holds for `name`, whoever the session is.
fn decision_of(s: &AppState, entry: usize, name: &str) -> Option<Decision> {
    s.entries[entry]
        .sidecar_of(name)
        .sidecar()
        .map(|x| x.decision.clone())
}

/// The watcher reads a changed article again under the name the session started
/// with; in the review the session is the adjudicator, whose decision (none here) is
/// what the row shows, not the starting reviewer's. When entries held "mine" apart
/// from the others, the re-read entry brought alice's done as the session's own.
#[test]
fn an_article_read_again_in_the_review_shows_the_adjudicators_decision_not_the_starters() {
    let mut s = disputed();
    s.start_review(named("alice"));
    assert_eq!(s.status(0), Status::Todo);
    let mut again = entry("000.txt");
    again.set_sidecar("alice", done_by("alice", &["europe"], Some("reliable")));
    again.set_sidecar("bob", done_by("bob", &["mena", "atlantis"], Some("mixed")));
    s.article_arrived(again);
    assert_eq!(s.reviewer, review::FINAL);
    assert_eq!(s.status(0), Status::Todo, "alice's done is not final's");
    assert_eq!(
        decision_of(&s, 0, "alice").map(|d| d.status),
        Some(Status::Done)
    );
}

#[test]
fn review_started_by_a_named_reviewer_writes_as_final_and_returns_to_them() {
    let mut s = disputed();
    let alice_before = decision_of(&s, 0, "alice");
    s.start_review(named("alice"));
    assert_eq!(s.reviewer, review::FINAL, "the session writes as final");
    assert_eq!(s.view, [0]);
    let effects = run(&mut s, [Action::Accept, Action::Done]);
    assert!(effects.iter().any(|e| matches!(e, Effect::Write(_))));
    assert_eq!(s.reviewer, review::FINAL, "every write was final's");
    assert_eq!(decision_of(&s, 0, "alice"), alice_before);
    run(&mut s, [Action::Review]);
    assert_eq!(s.reviewer, "alice", "R leaves the review as alice");
    assert_eq!(
        s.entries[0]
            .mine(&s.reviewer)
            .sidecar()
            .map(|x| x.decision.clone()),
        alice_before
    );
}

#[test]
fn review_opened_with_r_writes_as_final() {
    let mut s = disputed();
    run(&mut s, [Action::Review]);
    assert_eq!(s.reviewer, review::FINAL);
    run(&mut s, [Action::Accept]);
    assert_eq!(s.decision(0).region, ["mena"]);
    run(&mut s, [Action::Review]);
    assert_eq!(s.reviewer, "alice");
    assert_eq!(
        s.decision(0).region,
        ["europe"],
        "alice's own labels untouched"
    );
}

#[test]
fn a_compared_reviewer_is_refused_as_the_adjudicator() {
    for name in ["alice", "bob"] {
        let mut s = disputed();
        s.review.adjudicator = named(name);
        let effects = run(&mut s, [Action::Review]);
        assert!(effects.is_empty());
        assert!(!s.reviewing(), "{name}: no review");
        assert_eq!(s.reviewer, "alice");
        let message = s
            .message
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default();
        assert!(
            message.contains(&format!("{name} already has done decisions")),
            "{message}"
        );
    }
    // A name of its own is fine, and so is final.
    assert_eq!(
        review::adjudicator_refusal(&disputed().entries, "alice", "judge"),
        None
    );
    assert_eq!(
        review::adjudicator_refusal(&disputed().entries, "alice", review::FINAL),
        None
    );
    let mut s = disputed();
    s.review.adjudicator = named("judge");
    run(&mut s, [Action::Review]);
    assert_eq!(s.reviewer, "judge");
}

#[test]
fn majority_never_suggests_an_id_labels_toml_lacks() {
    let mut s = disputed();
    run(&mut s, [Action::Review]);
    let majority = s.majority(0);
    let ids: Vec<&str> = majority.region.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(
        ids,
        ["mena"],
        "atlantis has 2 of 3 votes but is not a label"
    );
    run(&mut s, [Action::Accept]);
    assert_eq!(s.decision(0).region, ["mena"]);
    assert_eq!(s.decision(0).reliability.as_deref(), Some("mixed"));
}

#[test]
fn a_review_with_nothing_to_settle_says_so() {
    let mut s = state(2);
    run(&mut s, [Action::Review]);
    assert!(s.reviewing());
    assert!(s.view.is_empty());
    let message = s
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(message.contains("no disagreements to settle"), "{message}");
}

#[test]
fn an_unreadable_article_refuses_every_labeling_key() {
    let mut s = state(2);
    s.entries[0].article = Err("cannot read it: Permission denied (os error 13)".into());
    s.entries[0].sha256 = None;
    let actions = [
        Action::Done,
        Action::Skip,
        Action::Flag,
        Action::Accept,
        Action::SetReliability("mixed".into()),
        Action::PickRegion,
        Action::PickTheme,
        Action::Note,
    ];
    for action in actions {
        let effects = run(&mut s, [action.clone()]);
        assert!(effects.is_empty(), "{action:?} wrote: {effects:?}");
        assert_eq!(s.mode, Mode::Normal, "{action:?} opened nothing");
        let message = s
            .message
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default();
        assert!(
            message.starts_with("This article cannot be labeled: cannot read it"),
            "{action:?}: {message}"
        );
        assert_eq!(s.selected(), Some(0));
    }
    assert!(s.entries[0].mine(&s.reviewer).sidecar().is_none());
}

#[test]
fn a_late_article_fills_its_placeholder_in_place_and_keeps_the_decision_given_meanwhile() {
    let mut placeholder = entry("001.txt");
    placeholder.article = Err(crate::store::STILL_READING.to_string());
    placeholder.sha256 = None;
    let mut s = AppState::new(
        named("alice"),
        Taxonomy::default(),
        vec![entry("000.txt"), placeholder, entry("002.txt")],
    );
    // Labeling keys wait for the bytes (a decision records them), so the decision
    // given meanwhile comes from the reviewer's other session, through the watcher.
    mark_done(&mut s, 1);
    assert_eq!(
        s.status(1),
        Status::Todo,
        "refused until the article is read"
    );
    s.entries[1].set_sidecar("alice", done_by("alice", &[], None));
    s.article_loaded(entry("001.txt"));
    assert_eq!(s.view, [0, 1, 2]);
    assert_eq!(s.entries[1].title(), "Title of 001.txt");
    assert_eq!(s.entries[1].sha256, Some([7; 32]));
    assert_eq!(
        s.status(1),
        Status::Done,
        "the decision given while it loaded"
    );

    // Read again by the watcher first: the late copy is older and changes nothing.
    let mut newer = entry("002.txt");
    if let Ok(a) = &mut newer.article {
        std::sync::Arc::make_mut(a).title = "Rewritten".into();
    }
    s.article_loaded(newer);
    assert_eq!(s.entries[2].title(), "Title of 002.txt");
}

fn typed(text: &str) -> Vec<Action> {
    text.chars().map(Action::Input).collect()
}

fn prompt_text(s: &AppState) -> String {
    match &s.mode {
        Mode::Search(e) | Mode::Note(e) => e.text().to_string(),
        Mode::Picker(p) => p
            .filter
            .as_ref()
            .map(|f| f.text().to_string())
            .unwrap_or_default(),
        other => panic!("no prompt open: {other:?}"),
    }
}

#[test]
fn a_malformed_query_says_why_and_enter_does_not_keep_it() {
    let mut s = state(3);
    run(&mut s, [Action::Search]);
    run(&mut s, typed("is:maybe"));
    let error = s.search.error.clone().expect("the query is malformed");
    assert!(error.contains("maybe"), "{error}");
    // Enter keeps only a query: the prompt stays open with the reason.
    run(&mut s, [Action::Confirm]);
    assert!(matches!(s.mode, Mode::Search(_)), "{:?}", s.mode);
    assert!(s.search.error.is_some());
    // Fixing it clears the error and finds.
    run(&mut s, std::iter::repeat_n(Action::Backspace, 5));
    run(&mut s, typed("todo"));
    assert_eq!(s.search.error, None);
    run(&mut s, [Action::Confirm]);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.search.filter.as_deref(), Some("is:todo"));
    assert_eq!(s.search.history.entries(), ["is:todo"]);
}

#[test]
fn an_unknown_filter_is_reported_while_typing() {
    let mut s = state(3);
    run(&mut s, [Action::Search]);
    run(&mut s, typed("foo:bar"));
    let error = s.search.error.clone().expect("foo: is no filter");
    assert!(error.contains("unknown filter `foo:`"), "{error}");
    run(&mut s, [Action::Close]);
    assert_eq!(s.search.error, None);
    assert_eq!(s.view, vec![0, 1, 2]);
}

#[test]
fn the_search_prompt_edits_in_the_middle_of_the_line() {
    use tui_input::InputRequest::*;
    let mut s = state(12);
    run(&mut s, [Action::Search]);
    run(&mut s, typed("01"));
    // Home and a character at the start, Left and Delete, Right and a character,
    // End and Ctrl-w, then Ctrl-u from the end empties it.
    run(&mut s, [Action::Edit(GoToStart)]);
    run(&mut s, typed("0"));
    assert_eq!(prompt_text(&s), "001");
    assert_eq!(s.view, vec![1]);
    run(
        &mut s,
        [Action::Edit(GoToPrevChar), Action::Edit(DeleteNextChar)],
    );
    assert_eq!(prompt_text(&s), "01");
    run(&mut s, [Action::Edit(GoToNextChar)]);
    run(&mut s, typed("2"));
    assert_eq!(prompt_text(&s), "021", "Right moved one character");
    run(&mut s, [Action::Edit(GoToEnd)]);
    run(&mut s, typed(" 1"));
    run(&mut s, [Action::Edit(DeletePrevWord)]);
    assert_eq!(prompt_text(&s), "021 ");
    run(&mut s, [Action::Edit(DeleteFromStart)]);
    assert_eq!(prompt_text(&s), "");
    assert_eq!(s.view.len(), 12, "an empty query lists everything again");
}

#[test]
fn up_and_down_recall_earlier_searches_and_give_back_what_was_typed() {
    let mut s = state(12);
    for q in ["001", "002", "001"] {
        run(
            &mut s,
            [
                Action::Search,
                Action::Edit(tui_input::InputRequest::DeleteLine),
            ],
        );
        run(&mut s, typed(q));
        run(&mut s, [Action::Confirm]);
    }
    assert_eq!(
        s.search.history.entries(),
        ["002", "001"],
        "a repeat moves to the newest"
    );
    run(
        &mut s,
        [
            Action::Search,
            Action::Edit(tui_input::InputRequest::DeleteLine),
        ],
    );
    run(&mut s, typed("01"));
    run(&mut s, [Action::HistoryPrev]);
    assert_eq!(prompt_text(&s), "001");
    assert_eq!(s.view, vec![1], "a recalled search runs");
    run(&mut s, [Action::HistoryPrev, Action::HistoryPrev]);
    assert_eq!(prompt_text(&s), "002", "the oldest stays");
    run(&mut s, [Action::HistoryNext]);
    assert_eq!(prompt_text(&s), "001");
    run(&mut s, [Action::HistoryNext]);
    assert_eq!(
        prompt_text(&s),
        "01",
        "past the newest: what was being typed"
    );
    run(&mut s, [Action::HistoryNext]);
    assert_eq!(prompt_text(&s), "01");
    // Escape does not make a search worth remembering.
    run(&mut s, [Action::Close]);
    assert_eq!(s.search.history.entries(), ["002", "001"]);
    assert_eq!(s.search.history.added(), ["001", "002", "001"]);
}

#[test]
fn the_note_editor_moves_by_word_and_deletes_to_the_end() {
    use tui_input::InputRequest::*;
    let mut s = state(1);
    run(&mut s, [Action::Note]);
    run(&mut s, typed("RT reprint of TASS"));
    run(
        &mut s,
        [Action::Edit(GoToPrevWord), Action::Edit(GoToPrevWord)],
    );
    run(&mut s, typed("a "));
    assert_eq!(prompt_text(&s), "RT reprint a of TASS");
    run(
        &mut s,
        [Action::Edit(GoToNextWord), Action::Edit(DeleteTillEnd)],
    );
    assert_eq!(prompt_text(&s), "RT reprint a of ");
    run(&mut s, [Action::Confirm]);
    assert_eq!(s.decision(0).note.as_deref(), Some("RT reprint a of"));
}

#[test]
fn a_picker_filter_is_the_same_line_editor() {
    use tui_input::InputRequest::*;
    let highlight = |s: &AppState| match &s.mode {
        Mode::Picker(p) => p.highlight,
        other => panic!("the picker closed: {other:?}"),
    };
    let mut s = state(1);
    run(&mut s, [Action::PickTheme, Action::Filter]);
    run(&mut s, typed("nergy"));
    run(&mut s, [Action::Edit(GoToStart)]);
    run(&mut s, typed("e"));
    assert_eq!(prompt_text(&s), "energy");
    run(&mut s, [Action::Edit(DeleteLine)]);
    run(&mut s, typed("e"));
    // Moving the cursor keeps the highlight; changing the text starts it again at the top.
    run(&mut s, [Action::MenuDown, Action::Edit(GoToStart)]);
    assert_eq!(highlight(&s), 1);
    run(&mut s, [Action::Edit(DeleteNextChar)]);
    assert_eq!(prompt_text(&s), "");
    assert_eq!(highlight(&s), 0);
}

#[test]
fn a_window_of_a_long_line_shows_the_cursor_and_marks_the_cuts() {
    let mut edit = LineEdit::new("a".repeat(100));
    let w = edit.window(20);
    assert_eq!(w.text, format!("…{}", "a".repeat(18)));
    assert_eq!(
        w.cursor, 19,
        "the cursor sits after the text, in the last column"
    );
    edit.apply(&Action::Edit(tui_input::InputRequest::GoToStart));
    let w = edit.window(20);
    assert_eq!(w.cursor, 0);
    assert_eq!(w.text, format!("{}…", "a".repeat(19)));
    // Short lines are shown whole.
    let w = LineEdit::new("oil").window(20);
    assert_eq!((w.text.as_str(), w.cursor), ("oil", 3));
    // Wide characters count two columns.
    let w = LineEdit::new("東京").window(20);
    assert_eq!(w.cursor, 4);
}

#[test]
fn a_ten_megabyte_note_is_edited_and_shown_by_its_window() {
    let big = "word ".repeat(2_000_000);
    let mut s = state(1);
    let mut edit = LineEdit::new(big.clone());
    s.mode = Mode::Note(edit.clone());
    run(&mut s, typed("!"));
    let Mode::Note(e) = &s.mode else {
        panic!("the note editor stays open");
    };
    assert_eq!(e.text().len(), big.len() + 1);
    let w = e.window(80);
    assert!(
        w.text.chars().count() <= 80,
        "only the visible part is built"
    );
    assert!(w.text.ends_with("word !"), "{}", w.text);
    edit.apply(&Action::Edit(tui_input::InputRequest::GoToStart));
    assert!(edit.window(80).text.starts_with("word word"));
}

#[test]
fn the_stats_overlay_scrolls_with_the_help_keys() {
    let mut s = state(2);
    run(&mut s, [Action::Stats, Action::MenuDown, Action::MenuDown]);
    assert!(
        matches!(s.mode, Mode::Stats { scroll: 2, .. }),
        "{:?}",
        s.mode
    );
    run(&mut s, [Action::MenuUp]);
    assert!(matches!(s.mode, Mode::Stats { scroll: 1, .. }));
    run(&mut s, [Action::Close]);
    assert_eq!(s.mode, Mode::Normal);
}

/// An entry this reviewer has already decided, as its sidecar on disk says.
fn decided(name: &str, status: Status) -> Entry {
    let mut e = entry(name);
    e.set_sidecar(
        "alice",
        SidecarState::Saved(Box::new(Sidecar {
            schema: 1,
            article: name.into(),
            reviewer: "alice".into(),
            article_sha256: None,
            decision: Decision {
                status,
                ..Decision::default()
            },
            decided_at: None,
            extra: Default::default(),
        })),
    );
    e
}

/// A state whose inbox is still loading, resuming at `remembered`.
fn resuming(remembered: Option<&str>) -> AppState {
    let mut s = AppState::empty(named("alice"), Taxonomy::default());
    s.catalog.loading = true;
    s.resume_at(remembered.map(PathBuf::from));
    s
}

fn selected_name(s: &AppState) -> Option<String> {
    s.selected_entry()
        .map(|e| e.rel.to_string_lossy().into_owned())
}

#[test]
fn a_restart_lands_where_the_reviewer_left_off_once_that_article_arrives() {
    let mut s = resuming(Some("004.txt"));
    s.add_entries(vec![entry("000.txt"), entry("001.txt"), entry("002.txt")]);
    assert_eq!(
        selected_name(&s).as_deref(),
        Some("000.txt"),
        "the remembered article has not arrived: wait for it rather than stop at a to-do"
    );
    s.add_entries(vec![entry("003.txt"), entry("004.txt"), entry("005.txt")]);
    assert_eq!(selected_name(&s).as_deref(), Some("004.txt"));
    s.add_entries(vec![entry("006.txt")]);
    s.loading_finished(Vec::new());
    assert_eq!(selected_name(&s).as_deref(), Some("004.txt"), "and stays");
}

#[test]
fn without_a_remembered_place_a_restart_opens_at_the_first_article_still_to_do() {
    let mut s = resuming(None);
    s.add_entries(vec![
        decided("000.txt", Status::Done),
        decided("001.txt", Status::Skipped),
    ]);
    assert_eq!(selected_name(&s).as_deref(), Some("000.txt"));
    s.add_entries(vec![
        decided("002.txt", Status::Done),
        entry("003.txt"),
        entry("004.txt"),
    ]);
    assert_eq!(selected_name(&s).as_deref(), Some("003.txt"));
    s.loading_finished(Vec::new());
    assert_eq!(selected_name(&s).as_deref(), Some("003.txt"));
}

#[test]
fn a_remembered_article_that_is_gone_gives_way_to_the_first_to_do_when_loading_ends() {
    let mut s = resuming(Some("deleted.txt"));
    s.add_entries(vec![decided("000.txt", Status::Done), entry("001.txt")]);
    assert_eq!(selected_name(&s).as_deref(), Some("000.txt"));
    s.add_entries(vec![entry("002.txt")]);
    s.loading_finished(Vec::new());
    assert_eq!(selected_name(&s).as_deref(), Some("001.txt"));
}

#[test]
fn a_key_pressed_while_loading_keeps_the_selection_where_the_reviewer_put_it() {
    let mut s = resuming(Some("005.txt"));
    s.add_entries(vec![entry("000.txt"), entry("001.txt"), entry("002.txt")]);
    run(&mut s, [Action::Next]);
    assert_eq!(selected_name(&s).as_deref(), Some("001.txt"));
    s.add_entries(vec![entry("003.txt"), entry("004.txt"), entry("005.txt")]);
    s.loading_finished(Vec::new());
    assert_eq!(
        selected_name(&s).as_deref(),
        Some("001.txt"),
        "the program never jumps away from the article the reviewer moved to"
    );

    // Any key counts, not only a move: a picker open on an article stays on it.
    let mut s = resuming(None);
    s.add_entries(vec![decided("000.txt", Status::Done)]);
    run(&mut s, [Action::PickRegion]);
    s.add_entries(vec![entry("001.txt")]);
    assert_eq!(selected_name(&s).as_deref(), Some("000.txt"));
}

#[test]
fn resuming_an_inbox_already_loaded_selects_at_once() {
    let mut s = state(4);
    s.resume_at(Some(PathBuf::from("002.txt")));
    assert_eq!(selected_name(&s).as_deref(), Some("002.txt"));
    assert_eq!(s.resume, None);
}

fn message(s: &AppState) -> String {
    s.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

#[test]
fn undo_and_redo_say_what_they_took_back() {
    let mut s = state(2);
    run(&mut s, [Action::PickRegion]);
    run(&mut s, keys("e"));
    run(&mut s, [Action::SetReliability("mixed".into())]);
    run(&mut s, [Action::Undo]);
    assert_eq!(message(&s), "undid: reliability mixed");
    run(&mut s, [Action::Undo]);
    assert_eq!(message(&s), "undid: region europe");
    run(&mut s, [Action::Redo]);
    assert_eq!(message(&s), "redid: region europe");
    // A removal and a clearing say so.
    run(&mut s, [Action::PickRegion]);
    run(&mut s, keys("e"));
    run(&mut s, [Action::Undo]);
    assert_eq!(message(&s), "undid: region europe removed");
}

#[test]
fn done_on_an_article_without_labels_is_made_and_said_with_the_way_back() {
    let mut s = state(3);
    run(&mut s, [Action::Done]);
    assert_eq!(s.status(0), Status::Done, "it is still done");
    assert_eq!(message(&s), "done without labels · u undoes");
    assert_eq!(s.selected(), Some(1));

    // With a label, done says nothing: the list shows it.
    run(
        &mut s,
        [Action::SetReliability("mixed".into()), Action::Done],
    );
    assert_eq!(s.message, None);

    // The last one to do says both.
    run(&mut s, [Action::Done]);
    assert_eq!(
        message(&s),
        "done without labels · u undoes — nothing left to do here"
    );
}

#[test]
fn o_says_when_there_are_no_colleagues_labels_to_show() {
    let mut s = state(2);
    run(&mut s, [Action::ToggleOthers]);
    assert_eq!(
        message(&s),
        "No other reviewer has labeled anything in this inbox yet"
    );

    let mut s = state(2);
    let bob = decided("001.txt", Status::Done).mine("alice").clone();
    s.entries[1].set_sidecar("bob", bob);
    run(&mut s, [Action::ToggleOthers]);
    assert_eq!(
        message(&s),
        "Other reviewers' labels shown · none on this article yet"
    );
    run(&mut s, [Action::Next, Action::ToggleOthers]);
    assert_eq!(message(&s), "Other reviewers' labels hidden");
    run(&mut s, [Action::ToggleOthers]);
    assert_eq!(s.message, None, "bob's labels show in the reader");
}

#[test]
fn next_todo_moves_on_without_deciding() {
    let mut s = state(4);
    mark_done(&mut s, 1);
    let effects = run(&mut s, [Action::NextTodo]);
    assert!(effects.is_empty(), "nothing is written");
    assert_eq!(s.selected(), Some(2), "article 1 is done, so it is passed");
    assert_eq!(s.status(0), Status::Todo);
    run(&mut s, [Action::NextTodo, Action::NextTodo]);
    assert_eq!(s.selected(), Some(0), "it wraps around");

    let mut s = state(1);
    run(&mut s, [Action::NextTodo]);
    assert_eq!(message(&s), "This is the only article left to do");
    run(&mut s, [Action::Done, Action::NextTodo]);
    assert_eq!(message(&s), "Nothing left to do here");
}

fn with_url(url: Option<&str>) -> AppState {
    let mut s = state(1);
    if let Ok(a) = &mut s.entries[0].article {
        std::sync::Arc::make_mut(a).url = url.map(String::from);
    }
    s
}

#[test]
fn the_url_keys_give_only_web_addresses_to_the_clipboard_and_the_browser() {
    let mut s = with_url(Some("https://example.org/a b?q=1"));
    assert_eq!(
        run(&mut s, [Action::CopyUrl]),
        [Effect::Copy("https://example.org/a%20b?q=1".into())]
    );
    assert_eq!(
        run(&mut s, [Action::OpenBrowser]),
        [Effect::Browser("https://example.org/a%20b?q=1".into())]
    );
    for bad in [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "-new-window",
        "ftp://example.org/x",
    ] {
        let mut s = with_url(Some(bad));
        assert!(run(&mut s, [Action::CopyUrl]).is_empty(), "{bad}");
        assert!(run(&mut s, [Action::OpenBrowser]).is_empty(), "{bad}");
        assert!(
            s.message
                .as_ref()
                .is_some_and(|m| m.error && m.text.starts_with("Not a web address")),
            "{bad}: {:?}",
            s.message
        );
    }
    let mut s = with_url(None);
    assert!(run(&mut s, [Action::OpenBrowser]).is_empty());
    assert_eq!(message(&s), "This article has no URL");
}

#[test]
fn v_asks_for_the_pager_on_the_selected_article_file() {
    let mut s = state(2);
    run(&mut s, [Action::Next]);
    assert_eq!(
        run(&mut s, [Action::OpenPager]),
        [Effect::Pager(PathBuf::from("inbox/001.txt"))]
    );
    let mut empty = AppState::empty(named("alice"), Taxonomy::default());
    assert!(run(&mut empty, [Action::OpenPager]).is_empty());
}

#[test]
fn the_order_key_puts_the_least_sure_first_keeps_the_selection_and_enter_follows_it() {
    let mut s = state(5);
    mark_done(&mut s, 1);
    // Before the model has scored anything, the order waits and says so.
    run(&mut s, [Action::CycleOrder]);
    assert_eq!(s.learned.order, Order::Uncertain);
    // Unscored, the articles to do keep the inbox's order, ahead of the decided.
    assert_eq!(s.view, [0, 2, 3, 4, 1]);
    let said = s
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(said.starts_with("Order: least sure first ("), "{said}");
    // The model's margins arrive: the articles to do, least sure first, then the rest.
    let margins = vec![Some(0.9), Some(0.0), Some(0.2), Some(0.6), Some(0.1)];
    s.model_learned(1, None, Some(margins));
    assert_eq!(s.view, [4, 2, 3, 0, 1]);
    assert_eq!(s.selected(), Some(0), "the selected article stays selected");
    // Enter goes to the next to do in this order, which wraps to the least sure.
    s.select(0);
    run(&mut s, [Action::Done]);
    assert_eq!(s.selected(), Some(2));
    // Surest first, then back to the inbox's order.
    run(&mut s, [Action::CycleOrder]);
    assert_eq!(s.learned.order, Order::Confident);
    assert_eq!(s.view[..3], [0, 3, 2]);
    run(&mut s, [Action::CycleOrder]);
    assert_eq!(s.view, [0, 1, 2, 3, 4]);
}

#[test]
fn an_order_asked_for_at_start_opens_at_its_top_once_scored() {
    let mut s = state(4);
    s.learned.order = Order::Uncertain;
    s.learned.open_at_top = true;
    s.select(1);
    s.model_learned(
        1,
        None,
        Some(vec![Some(0.9), Some(0.8), Some(0.1), Some(0.5)]),
    );
    assert_eq!(s.view, [2, 3, 1, 0]);
    assert_eq!(s.selected(), Some(2), "the least sure, at the top");
    // Later scorings keep whatever the reviewer selected (entry 1, third row).
    s.select(2);
    assert_eq!(s.selected(), Some(1));
    s.model_learned(
        2,
        None,
        Some(vec![Some(0.0), Some(0.8), Some(0.1), Some(0.5)]),
    );
    assert_eq!(s.view, [0, 2, 3, 1]);
    assert_eq!(s.selected(), Some(1));
}

// ---- Marks, repeat and decisions for many articles (one undo step) ----

/// Toggles a region by its key through the picker (which then closes).
fn region(key: char) -> Vec<Action> {
    vec![Action::PickRegion, Action::PickerKey(key)]
}

/// Selects an article by its index into `entries`.
fn select_entry(s: &mut AppState, entry: usize) {
    let pos = s.view.iter().position(|&i| i == entry).expect("listed");
    s.select(pos);
}

/// Gives an article a decision through the real actions, then puts the cursor back.
fn decide_on(s: &mut AppState, entry: usize, actions: impl IntoIterator<Item = Action>) {
    let cursor = s.cursor;
    select_entry(s, entry);
    run(s, actions);
    s.cursor = cursor;
}

/// The writes among effects.
fn writes(effects: &[Effect]) -> Vec<&Write> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Write(w) => Some(w),
            _ => None,
        })
        .collect()
}

/// Plays the loop as the runtime does: a write to an article with an unsaved change
/// waits behind it; `refuse` says which writes the disk refuses, and why.
fn run_refusing(
    state: &mut AppState,
    actions: impl IntoIterator<Item = Action>,
    refuse: impl Fn(&Write) -> Option<StoreError>,
) -> Vec<Effect> {
    let mut all = Vec::new();
    for action in actions {
        for effect in update(state, action) {
            if let Effect::Write(write) = &effect {
                if state.unsaved_error(write.entry).is_some() {
                    state.defer(write.clone());
                } else if let Some(e) = refuse(write) {
                    state.write_finished(write.clone(), Err(e));
                } else {
                    let sidecar = on_disk_after(state, write.entry, &write.edits);
                    state.write_finished(write.clone(), Ok(sidecar));
                }
            }
            all.push(effect);
        }
    }
    all
}

/// The sidecar the store would write: what is saved, with the edits applied.
fn on_disk_after(state: &AppState, entry: usize, edits: &[Edit]) -> Sidecar {
    let e = &state.entries[entry];
    let mut sidecar = e
        .mine(&state.reviewer)
        .sidecar()
        .cloned()
        .unwrap_or_else(|| Sidecar {
            schema: 1,
            article: e.rel.to_string_lossy().into_owned(),
            reviewer: "alice".into(),
            article_sha256: None,
            decision: Decision::default(),
            decided_at: None,
            extra: Default::default(),
        });
    for edit in edits {
        sidecar.decision.apply(edit);
    }
    sidecar
}

/// Retries every unsaved change, as the loop does with the next change; all succeed.
fn retry_all(state: &mut AppState) {
    for u in state.take_unsaved() {
        let sidecar = on_disk_after(state, u.write.entry, &u.write.edits);
        state.retry_finished(u, Ok(sidecar));
    }
}

fn reliability(s: &AppState, entry: usize) -> Option<String> {
    s.decision(entry).reliability.map(String::from)
}

#[test]
fn a_decision_reaches_every_marked_article_and_one_undo_takes_it_back() {
    let mut s = state(5);
    run(
        &mut s,
        [
            Action::Mark,
            Action::Next,
            Action::Next,
            Action::Mark,
            Action::Next,
            Action::Mark,
        ],
    );
    assert_eq!(s.marked(), 3);
    let effects = run(&mut s, [Action::SetReliability("unreliable".into())]);
    let ws = writes(&effects);
    assert_eq!(
        ws.iter().map(|w| w.entry).collect::<Vec<_>>(),
        [3, 0, 2],
        "the selected article first, then the marked ones"
    );
    assert!(ws.iter().all(|w| w.step == ws[0].step), "one step");
    for i in [0, 2, 3] {
        assert_eq!(reliability(&s, i).as_deref(), Some("unreliable"), "{i}");
    }
    assert_eq!(reliability(&s, 1), None, "not marked, not selected");
    assert!(s.marks.is_empty(), "marks last for one decision");
    let said = s
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert_eq!(
        said,
        "reliability unreliable · 3 marked articles · u undoes"
    );
    assert_eq!(s.changes.undoable(), 1);

    // One undo: all three, and the first of them is selected.
    select_entry(&mut s, 4);
    let effects = run(&mut s, [Action::Undo]);
    assert_eq!(writes(&effects).len(), 3);
    assert!(writes(&effects).iter().all(|w| w.kind == WriteKind::Undo));
    for i in [0, 2, 3] {
        assert_eq!(reliability(&s, i), None, "{i} undone");
    }
    assert_eq!(s.selected(), Some(3));
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.contains("undid on 3 articles"))
    );
    assert_eq!((s.changes.undoable(), s.changes.redoable()), (0, 1));

    // One redo: all three again.
    let effects = run(&mut s, [Action::Redo]);
    assert_eq!(writes(&effects).len(), 3);
    for i in [0, 2, 3] {
        assert_eq!(
            reliability(&s, i).as_deref(),
            Some("unreliable"),
            "{i} redone"
        );
    }
    assert_eq!((s.changes.undoable(), s.changes.redoable()), (1, 0));
}

#[test]
fn the_selected_article_is_decided_with_the_marked_ones_and_the_list_moves_on() {
    let mut s = state(4);
    run(&mut s, [Action::Mark, Action::Next]);
    // Article 1 is selected and not marked: it is decided too.
    let effects = run(&mut s, [Action::Skip]);
    assert_eq!(writes(&effects).len(), 2);
    assert_eq!(s.status(0), Status::Skipped);
    assert_eq!(s.status(1), Status::Skipped);
    assert_eq!(s.selected(), Some(2), "a status moves on to the next to do");
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.starts_with("skipped · 2 marked articles"))
    );
}

#[test]
fn m_twice_unmarks_and_escape_clears_the_marks_before_the_search() {
    let mut s = state(3);
    run(&mut s, [Action::Mark, Action::Mark]);
    assert!(s.marks.is_empty());
    run(&mut s, [Action::Search]);
    run(&mut s, "00".chars().map(Action::Input));
    run(&mut s, [Action::Confirm, Action::Mark]);
    assert_eq!(s.marked(), 1);
    run(&mut s, [Action::Close]);
    assert!(s.marks.is_empty(), "Esc clears the marks first");
    assert!(s.search.filter.is_some(), "and keeps the search");
    run(&mut s, [Action::Close]);
    assert!(
        s.search.filter.is_none(),
        "then Esc clears the search, as before"
    );
}

#[test]
fn mark_all_marks_the_search_results_and_again_unmarks_them() {
    let mut s = state(12);
    run(&mut s, [Action::MarkAll]);
    assert!(s.marks.is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.contains("No search")),
        "{:?}",
        s.message
    );
    run(&mut s, [Action::Search]);
    run(&mut s, "01".chars().map(Action::Input));
    run(&mut s, [Action::Confirm]);
    // 001.txt and 010.txt to 011.txt match "01".
    let found = s.view.clone();
    assert!(found.len() >= 2 && found.len() < 12, "{found:?}");
    run(&mut s, [Action::MarkAll]);
    assert_eq!(s.marks.entries().collect::<Vec<_>>(), {
        let mut f = found.clone();
        f.sort();
        f
    });
    run(&mut s, [Action::MarkAll]);
    assert!(
        s.marks.is_empty(),
        "all were marked: pressing again unmarks them"
    );

    // A decision on them all, then the search cleared: every result was decided.
    run(&mut s, [Action::MarkAll, Action::Flag]);
    for &i in &found {
        assert_eq!(s.status(i), Status::Flagged, "{i}");
    }
    assert_eq!(
        s.progress().flagged,
        found.len(),
        "nothing outside the results"
    );
}

#[test]
fn a_label_toggled_in_the_picker_is_made_absolute_for_the_marked_articles() {
    let mut s = state(3);
    decide_on(&mut s, 1, region('m'));
    assert!(s.decision(1).has(Axis::Region, "mena"));
    // Article 0 lacks mena: the toggle adds it there, and so adds it on 1 (which
    // has it already, so 1 is not written) and on 2.
    run(&mut s, [Action::Mark]);
    select_entry(&mut s, 1);
    run(&mut s, [Action::Mark]);
    select_entry(&mut s, 2);
    run(&mut s, [Action::Mark]);
    select_entry(&mut s, 0);
    let mut effects = run(&mut s, [Action::PickRegion]);
    effects.extend(run(&mut s, keys("M")));
    // The picker stays open (capital letter): the marks stay for its next key.
    assert!(!s.marks.is_empty());
    effects.extend(run(&mut s, keys("E")));
    effects.extend(run(&mut s, [Action::Confirm]));
    assert!(s.marks.is_empty(), "cleared once the picker closed");
    let ws = writes(&effects);
    assert_eq!(ws.len(), 5, "mena on 0 and 2, europe on all three: {ws:?}");
    for i in 0..3 {
        let d = s.decision(i);
        assert!(
            d.has(Axis::Region, "mena") && d.has(Axis::Region, "europe"),
            "{i}: {d:?}"
        );
    }
    assert_eq!(s.changes.undoable(), 3, "rm on 1, then one step per key");
}

#[test]
fn accept_with_marks_gives_each_article_its_own_suggestions() {
    let mut s = state(3);
    classify(&mut s.entries[0], &["mena"], &[]);
    classify(&mut s.entries[1], &["europe"], &[]);
    s = AppState::new(named("alice"), Taxonomy::default(), s.entries);
    run(&mut s, [Action::Mark, Action::Next, Action::Mark]);
    let effects = run(&mut s, [Action::Accept]);
    assert_eq!(writes(&effects).len(), 2);
    assert_eq!(s.decision(0).region, vec!["mena"]);
    assert_eq!(s.decision(1).region, vec!["europe"]);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.contains("2 marked articles"))
    );
}

#[test]
fn dot_repeats_the_last_decision_on_the_selected_article_as_its_own_step() {
    let mut s = state(4);
    run(&mut s, [Action::Repeat]);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.starts_with("Nothing to repeat")),
        "{:?}",
        s.message
    );
    run(&mut s, [Action::SetReliability("mixed".into())]);
    select_entry(&mut s, 2);
    let effects = run(&mut s, [Action::Repeat]);
    assert_eq!(writes(&effects).len(), 1);
    assert_eq!(reliability(&s, 2).as_deref(), Some("mixed"));
    // Made absolute: on an article that has it, `.` does not toggle it off.
    let effects = run(&mut s, [Action::Repeat]);
    assert!(writes(&effects).is_empty());
    assert_eq!(reliability(&s, 2).as_deref(), Some("mixed"));
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.contains("already so"))
    );
    // Its own step: one undo takes back the repeat only.
    run(&mut s, [Action::Undo]);
    assert_eq!(reliability(&s, 2), None);
    assert_eq!(reliability(&s, 0).as_deref(), Some("mixed"));

    // A toggle that removed a label repeats as a removal.
    decide_on(&mut s, 1, region('m'));
    decide_on(&mut s, 3, region('m'));
    select_entry(&mut s, 3);
    run(&mut s, region('m'));
    assert!(!s.decision(3).has(Axis::Region, "mena"));
    select_entry(&mut s, 1);
    run(&mut s, [Action::Repeat]);
    assert!(
        !s.decision(1).has(Axis::Region, "mena"),
        "removed, not toggled"
    );

    // A status repeats and moves on, like the key that made it.
    select_entry(&mut s, 0);
    run(&mut s, [Action::Done]);
    select_entry(&mut s, 2);
    run(&mut s, [Action::Repeat]);
    assert_eq!(s.status(2), Status::Done);
    assert_ne!(s.selected(), Some(2));
}

#[test]
fn dot_with_marks_repeats_on_every_marked_article() {
    let mut s = state(4);
    run(&mut s, [Action::SetReliability("reliable".into())]);
    select_entry(&mut s, 1);
    run(&mut s, [Action::Mark]);
    select_entry(&mut s, 3);
    let effects = run(&mut s, [Action::Mark, Action::Repeat]);
    assert_eq!(writes(&effects).len(), 2);
    assert!(
        writes(&effects)
            .iter()
            .all(|w| w.step == writes(&effects)[0].step)
    );
    assert_eq!(reliability(&s, 1).as_deref(), Some("reliable"));
    assert_eq!(reliability(&s, 3).as_deref(), Some("reliable"));
    assert_eq!(reliability(&s, 2), None);
}

/// Four articles for the conflict tests: 0 (selected) and 1 hold region mena, 2
/// holds nothing, 3 holds region asia and is done.
fn copies() -> AppState {
    let mut s = state(4);
    decide_on(&mut s, 0, region('m'));
    decide_on(&mut s, 1, region('m'));
    decide_on(&mut s, 3, region('s'));
    decide_on(&mut s, 3, [Action::Done]);
    select_entry(&mut s, 0);
    s.message = None;
    s
}

#[test]
fn asking_about_a_copy_decided_differently_writes_nothing_until_the_reviewer_chooses() {
    let mut s = copies();
    let before = s.changes.undoable();
    let effects = s.decide_for_many(
        &[0, 1, 2, 3],
        vec![Edit::SetReliability(Some("unreliable".into()))],
        OnConflict::Ask,
    );
    assert!(effects.is_empty(), "nothing is written silently");
    let Mode::Conflict(bulk) = &s.mode else {
        panic!("the conflict is shown: {:?}", s.mode);
    };
    assert_eq!(bulk.differing.len(), 1);
    assert_eq!(bulk.differing[0].entry, 3);
    assert_eq!(bulk.differing[0].theirs.region, vec!["asia"]);
    assert_eq!(bulk.new.region, vec!["mena"]);
    assert_eq!(bulk.new.reliability.as_deref(), Some("unreliable"));
    assert_eq!(s.contexts(), &[Context::Conflict]);

    // Cancel: nothing written, nothing in the history.
    let effects = run(&mut s, [Action::Close]);
    assert!(effects.is_empty());
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.changes.undoable(), before);
    assert_eq!(reliability(&s, 0), None);
}

#[test]
fn overwriting_a_conflict_gives_every_copy_the_same_decision_in_one_step() {
    let mut s = copies();
    s.decide_for_many(
        &[0, 1, 2, 3],
        vec![Edit::SetReliability(Some("unreliable".into()))],
        OnConflict::Ask,
    );
    let effects = run(&mut s, [Action::Overwrite]);
    assert_eq!(writes(&effects).len(), 4);
    let d0 = s.decision(0);
    for i in 1..4 {
        let d = s.decision(i);
        assert!(
            d.region == d0.region && d.reliability == d0.reliability && d.status == d0.status,
            "{i}: {d:?} is not {d0:?}"
        );
    }
    assert_eq!(d0.reliability.as_deref(), Some("unreliable"));
    // One undo: each copy back to its own decision.
    run(&mut s, [Action::Undo]);
    assert_eq!(s.decision(0).region, vec!["mena"]);
    assert_eq!(reliability(&s, 0), None);
    assert_eq!(s.decision(2), Decision::default());
    assert_eq!(s.decision(3).region, vec!["asia"]);
    assert_eq!(s.status(3), Status::Done);
}

#[test]
fn keeping_theirs_writes_the_rest_and_leaves_the_differing_copy_alone() {
    let mut s = copies();
    s.decide_for_many(
        &[0, 1, 2, 3],
        vec![Edit::SetReliability(Some("unreliable".into()))],
        OnConflict::Ask,
    );
    let effects = run(&mut s, [Action::KeepTheirs]);
    assert_eq!(
        writes(&effects).iter().map(|w| w.entry).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert!(!writes(&effects).iter().any(|w| w.entry == 3));
    assert_eq!(s.decision(3).region, vec!["asia"]);
    assert_eq!(reliability(&s, 3), None);
    // The undecided copy took the selected article's whole decision.
    assert_eq!(s.decision(2).region, vec!["mena"]);
    assert_eq!(reliability(&s, 2).as_deref(), Some("unreliable"));
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.contains("1 kept theirs"))
    );
    run(&mut s, [Action::Undo]);
    assert_eq!(s.decision(2), Decision::default());
    assert_eq!(s.decision(1).region, vec!["mena"]);
    assert_eq!(reliability(&s, 1), None);
}

#[test]
fn asking_without_a_conflict_writes_at_once() {
    let mut s = copies();
    let effects = s.decide_for_many(
        &[0, 1, 2],
        vec![Edit::SetStatus(Status::Done)],
        OnConflict::Ask,
    );
    assert_eq!(writes(&effects).len(), 3);
    assert_eq!(s.mode, Mode::Normal);
    // A copy that already holds what the decision makes is no conflict either.
    let mut s = copies();
    decide_on(&mut s, 2, region('m'));
    decide_on(&mut s, 2, [Action::SetReliability("mixed".into())]);
    let effects = s.decide_for_many(
        &[0, 2],
        vec![Edit::SetReliability(Some("mixed".into()))],
        OnConflict::Ask,
    );
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(writes(&effects).len(), 1, "only 0 changes");
}

#[test]
fn a_refused_write_inside_a_bulk_step_stays_unsaved_and_the_step_still_undoes_it() {
    let mut s = state(3);
    run(
        &mut s,
        [Action::Mark, Action::Next, Action::Mark, Action::Next],
    );
    let refuse_1 = |w: &Write| (w.entry == 1).then(disk_full);
    let effects = run_refusing(&mut s, [Action::SetReliability("mixed".into())], refuse_1);
    assert_eq!(writes(&effects).len(), 3);
    // On screen, marked unsaved, and in the step.
    assert_eq!(reliability(&s, 1).as_deref(), Some("mixed"));
    assert!(s.unsaved_error(1).is_some());
    assert_eq!(s.changes.undoable(), 1);

    // One undo: the two saved ones are written back; 1's undo waits behind its
    // unsaved change, so the two reach the disk in order.
    let effects = run_refusing(&mut s, [Action::Undo], |_| None);
    assert_eq!(writes(&effects).len(), 3);
    assert_eq!(reliability(&s, 0), None);
    assert_eq!(reliability(&s, 2), None);
    assert_eq!(reliability(&s, 1), None, "the screen shows it undone");
    assert_eq!(s.unsaved.len(), 2, "the change and its undo, in order");
    retry_all(&mut s);
    assert!(s.unsaved.is_empty());
    assert_eq!(reliability(&s, 1), None);
    assert_eq!(
        s.entries[1]
            .mine(&s.reviewer)
            .sidecar()
            .and_then(|x| x.decision.reliability.clone()),
        None,
        "on disk too"
    );
    // Redo is one step of three again.
    let effects = run_refusing(&mut s, [Action::Redo], |_| None);
    assert_eq!(writes(&effects).len(), 3);
}

#[test]
fn an_unreadable_sidecar_among_the_targets_is_never_overwritten() {
    let mut s = state(3);
    s.entries[1].set_sidecar(
        &s.reviewer.clone(),
        SidecarState::Broken("line 1: expected a value".into()),
    );
    run(
        &mut s,
        [Action::Mark, Action::Next, Action::Mark, Action::Next],
    );
    let effects = run(&mut s, [Action::SetReliability("mixed".into())]);
    let ws = writes(&effects);
    assert_eq!(ws.iter().map(|w| w.entry).collect::<Vec<_>>(), [2, 0]);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.contains("1 left out"))
    );
    // Asked about copies, the same: its decision is unknown, so it is left out.
    select_entry(&mut s, 0);
    let effects = s.decide_for_many(
        &[0, 1],
        vec![Edit::SetStatus(Status::Done)],
        OnConflict::Ask,
    );
    assert_eq!(
        writes(&effects).iter().map(|w| w.entry).collect::<Vec<_>>(),
        [0]
    );

    // A sidecar that breaks between the decision and the write is refused by the
    // store: kept unsaved, in the step, and retried, never overwritten.
    let mut s = state(2);
    run(&mut s, [Action::Mark, Action::Next]);
    let broken = |w: &Write| {
        (w.entry == 0).then(|| StoreError::Broken {
            path: PathBuf::from("inbox/000.txt.alice.toml"),
            problem: "line 1: expected a value".into(),
        })
    };
    run_refusing(&mut s, [Action::SetReliability("mixed".into())], broken);
    assert!(s.entries[0].mine(&s.reviewer).broken().is_some());
    assert!(
        s.unsaved_error(0)
            .is_some_and(|e| e.contains("not be overwritten"))
    );
    assert_eq!(s.changes.undoable(), 1);
}

/// Six articles of which 1 and 4 tell one story and 2, 3 and 5 another.
fn with_copies() -> AppState {
    let mut s = state(6);
    let effects = s.copies_found(crate::copies::Groups::from_lists([
        vec![1, 4],
        vec![2, 3, 5],
    ]));
    assert!(effects.is_empty(), "no search to run again");
    s
}

#[test]
fn a_story_with_copies_shows_once_on_the_row_of_its_first_copy() {
    let s = with_copies();
    assert_eq!(s.view, vec![0, 1, 2]);
    assert_eq!(s.fold_at(0), Fold::Alone);
    assert_eq!(s.fold_at(1), Fold::Folded { copies: 2 });
    assert_eq!(s.fold_at(2), Fold::Folded { copies: 3 });
    // `is:copy` finds what the facets learned.
    assert!(s.catalog.facets[4].copies && !s.catalog.facets[0].copies);
}

#[test]
fn z_unfolds_the_selected_story_under_its_row_and_folds_it_back_onto_that_row() {
    let mut s = with_copies();
    select_entry(&mut s, 2);
    run(&mut s, [Action::ToggleFold]);
    assert_eq!(s.view, vec![0, 1, 2, 3, 5]);
    assert_eq!(s.fold_at(2), Fold::Head { copies: 3 });
    assert_eq!(s.fold_at(3), Fold::Copy { last: false });
    assert_eq!(s.fold_at(4), Fold::Copy { last: true });
    assert_eq!(
        s.fold_at(1),
        Fold::Folded { copies: 2 },
        "the other story stays folded"
    );
    // Folding from one of its copies selects the story's row.
    select_entry(&mut s, 5);
    run(&mut s, [Action::ToggleFold]);
    assert_eq!(s.view, vec![0, 1, 2]);
    assert_eq!(s.selected(), Some(2));
    // An article without copies says so.
    select_entry(&mut s, 0);
    run(&mut s, [Action::ToggleFold]);
    assert_eq!(s.view, vec![0, 1, 2]);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.contains("no copies"))
    );
}

#[test]
fn capital_z_unfolds_every_story_and_folding_keeps_the_selected_story() {
    let mut s = with_copies();
    run(&mut s, [Action::ToggleAllFolds]);
    assert_eq!(s.view, vec![0, 1, 4, 2, 3, 5]);
    select_entry(&mut s, 3);
    run(&mut s, [Action::ToggleAllFolds]);
    assert_eq!(s.view, vec![0, 1, 2]);
    assert_eq!(s.selected(), Some(2), "the row of the copy's story");
}

#[test]
fn a_search_shows_a_story_once_on_its_best_ranked_copy_and_is_copy_keeps_stories() {
    let mut s = with_copies();
    run(&mut s, [Action::Search]);
    run(&mut s, "is:copy".chars().map(Action::Input));
    assert_eq!(s.view, vec![1, 2]);
    assert_eq!(s.search.hits.len(), 2, "hits stay beside their rows");
    run(&mut s, [Action::Confirm, Action::ToggleAllFolds]);
    assert_eq!(s.view, vec![1, 4, 2, 3, 5]);
    assert_eq!(
        s.search.hits.iter().map(|h| h.entry).collect::<Vec<_>>(),
        s.view
    );
    // Only copy 5 matches: its story shows on that row.
    run(&mut s, [Action::ToggleAllFolds, Action::Search]);
    run(&mut s, (0..7).map(|_| Action::Backspace));
    assert_eq!(s.search.filter, None, "{:?}", s.mode);
    run(&mut s, "005".chars().map(Action::Input));
    assert_eq!(s.view, vec![5], "{:?} {:?}", s.mode, s.search.filter);
    assert_eq!(s.fold_at(0), Fold::Folded { copies: 3 });
}

#[test]
fn the_review_never_folds() {
    let mut s = with_copies();
    assert_eq!(s.folded(vec![0, 1, 4]), vec![0, 1], "the inbox folds");
    let alice = s.reviewer.clone();
    s.start_review(alice);
    assert!(s.reviewing());
    assert_eq!(
        s.folded(vec![0, 1, 4]),
        vec![0, 1, 4],
        "the review does not"
    );
    s.view = vec![1, 4];
    assert_eq!(s.fold_at(0), Fold::Alone);
    s.cursor = 0;
    run(&mut s, [Action::ToggleFold]);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.contains("every copy on its own"))
    );
}

#[test]
fn a_decision_on_a_folded_story_reaches_every_copy_and_one_undo_takes_it_back() {
    let mut s = with_copies();
    select_entry(&mut s, 2);
    let effects = run(&mut s, [Action::SetReliability("unreliable".into())]);
    let mut written: Vec<usize> = writes(&effects).iter().map(|w| w.entry).collect();
    written.sort_unstable();
    assert_eq!(written, vec![2, 3, 5]);
    for i in [2, 3, 5] {
        assert_eq!(reliability(&s, i).as_deref(), Some("unreliable"), "{i}");
    }
    assert_eq!(reliability(&s, 1), None, "another story is untouched");
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.contains("3 copies"))
    );
    run(&mut s, [Action::Undo]);
    for i in [2, 3, 5] {
        assert_eq!(reliability(&s, i), None, "{i} is back");
    }
    run(&mut s, [Action::Redo]);
    for i in [2, 3, 5] {
        assert_eq!(
            reliability(&s, i).as_deref(),
            Some("unreliable"),
            "{i} again"
        );
    }
}

#[test]
fn a_copy_decided_otherwise_is_shown_not_overwritten_and_an_unfolded_copy_is_decided_alone() {
    let mut s = with_copies();
    // Unfolded, a decision is the selected copy's only.
    run(&mut s, [Action::ToggleAllFolds]);
    decide_on(&mut s, 5, region('s'));
    assert_eq!(s.decision(5).region, vec!["asia"]);
    assert_eq!(s.decision(2), Decision::default());
    run(&mut s, [Action::ToggleAllFolds]);
    // Folded, copy 5's own decision stops the story's: the conflict is shown.
    select_entry(&mut s, 2);
    let effects = run(&mut s, region('m'));
    assert!(writes(&effects).is_empty(), "nothing written silently");
    let Mode::Conflict(bulk) = &s.mode else {
        panic!("the conflict is shown: {:?}", s.mode);
    };
    assert_eq!(
        bulk.differing.iter().map(|d| d.entry).collect::<Vec<_>>(),
        [5]
    );
    // Keeping theirs writes the rest.
    run(&mut s, [Action::KeepTheirs]);
    assert_eq!(s.decision(2).region, vec!["mena"]);
    assert_eq!(s.decision(3).region, vec!["mena"]);
    assert_eq!(s.decision(5).region, vec!["asia"]);
}

/// A state whose first article is decided as done, with saved searches for "done"
/// and for the name of the third article.
fn with_saved_searches() -> AppState {
    let mut s = state(3);
    run(&mut s, [Action::Done]);
    s.saved.add(
        "finished = \"is:done\"\nthird = \"002\"\n",
        "inbox/queries.toml",
        search::saved::Origin::Team,
    );
    s
}

#[test]
fn a_saved_search_runs_as_if_typed_and_kept() {
    let mut s = with_saved_searches();
    assert_eq!(s.view, vec![0, 1, 2]);
    run(&mut s, [Action::SavedSearches]);
    assert_eq!(s.mode, Mode::SavedSearches { highlight: 0 });
    assert_eq!(s.contexts(), &[Context::SavedSearches]);
    // Down past the end stays on the last; Enter runs it and closes the list.
    run(&mut s, [Action::MenuDown, Action::MenuDown]);
    assert_eq!(s.mode, Mode::SavedSearches { highlight: 1 });
    run(&mut s, [Action::Confirm]);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.view, vec![2]);
    assert_eq!(s.search.filter.as_deref(), Some("002"));
    assert_eq!(
        s.search.history.entries(),
        ["002"],
        "kept, as Enter keeps it"
    );
    // The list opens on the search in use; up, Enter: the other one replaces it.
    run(&mut s, [Action::SavedSearches]);
    assert_eq!(s.mode, Mode::SavedSearches { highlight: 1 });
    run(&mut s, [Action::MenuUp, Action::Confirm]);
    assert_eq!(s.view, vec![0]);
    assert_eq!(s.search.filter.as_deref(), Some("is:done"));
    // Esc in the list changes nothing; Esc afterwards clears the filter as usual.
    run(
        &mut s,
        [Action::SavedSearches, Action::MenuDown, Action::Close],
    );
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.view, vec![0]);
    run(&mut s, [Action::Close]);
    assert_eq!(s.view, vec![0, 1, 2]);
}

#[test]
fn the_list_of_saved_searches_opens_and_closes_when_there_are_none() {
    let mut s = state(2);
    run(&mut s, [Action::SavedSearches]);
    assert_eq!(s.mode, Mode::SavedSearches { highlight: 0 });
    run(&mut s, [Action::MenuDown, Action::Confirm]);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.search.filter, None);
    assert_eq!(s.view, vec![0, 1]);
}

/// `assignments.toml` giving alice 001 and 003, bob 000 and 002.
fn assignments() -> crate::team::assign::Assignments {
    crate::team::assign::Assignments::parse(
        "[articles]\n\"000.txt\" = [\"bob\"]\n\"001.txt\" = [\"alice\"]\n\
         \"002.txt\" = [\"bob\"]\n\"003.txt\" = [\"alice\", \"bob\"]\n",
        "assignments.toml",
    )
    .expect("parses")
}

fn search_for(s: &mut AppState, query: &str) -> Vec<usize> {
    run(s, [Action::Search]);
    run(s, query.chars().map(Action::Input));
    let view = s.view.clone();
    run(s, [Action::Close]);
    view
}

#[test]
fn is_mine_shows_the_reviewers_assigned_articles_and_every_article_without_assignments() {
    let mut entries: Vec<Entry> = (0..5).map(|i| entry(&format!("{i:03}.txt"))).collect();
    entries[1] = decided("001.txt", Status::Done);
    let mut s = AppState::new(named("alice"), Taxonomy::default(), entries);
    assert_eq!(search_for(&mut s, "is:mine"), vec![0, 1, 2, 3, 4]);
    s.assignments_loaded(Some(assignments()));
    assert_eq!(search_for(&mut s, "is:mine"), vec![1, 3]);
    assert_eq!(search_for(&mut s, "is:m is:todo"), vec![3]);
    assert_eq!(search_for(&mut s, "is:mine is:done"), vec![1]);
    // A change to a decision keeps the article the reviewer's.
    s.cursor = 3;
    run(&mut s, [Action::SetReliability("mixed".into())]);
    assert_eq!(search_for(&mut s, "is:mine rel:mixed"), vec![3]);
    // An article that arrives later, not in the file, is nobody's.
    s.article_arrived(entry("005.txt"));
    assert_eq!(search_for(&mut s, "is:mine"), vec![1, 3]);
    // Gone again: everything is the reviewer's.
    s.assignments_loaded(None);
    assert_eq!(search_for(&mut s, "is:mine").len(), 6);
}

#[test]
fn with_assignments_a_session_opens_on_the_first_assigned_article_to_do() {
    let mut s = AppState::empty(named("alice"), Taxonomy::default());
    s.catalog.loading = true;
    s.assignments = Some(Arc::new(assignments()));
    s.resume_at(None);
    s.add_entries(vec![entry("000.txt"), decided("001.txt", Status::Done)]);
    assert_eq!(
        selected_name(&s).as_deref(),
        Some("000.txt"),
        "none of alice's to do has arrived: wait rather than stop on bob's"
    );
    s.add_entries(vec![entry("002.txt"), entry("003.txt")]);
    assert_eq!(selected_name(&s).as_deref(), Some("003.txt"));
    s.loading_finished(Vec::new());
    assert_eq!(selected_name(&s).as_deref(), Some("003.txt"));

    // A remembered place still wins.
    let mut s = AppState::empty(named("alice"), Taxonomy::default());
    s.catalog.loading = true;
    s.assignments = Some(Arc::new(assignments()));
    s.resume_at(Some(PathBuf::from("002.txt")));
    s.add_entries((0..4).map(|i| entry(&format!("{i:03}.txt"))).collect());
    assert_eq!(selected_name(&s).as_deref(), Some("002.txt"));

    // All of alice's done: the first to do of all, once loading ends.
    let mut s = AppState::empty(named("alice"), Taxonomy::default());
    s.catalog.loading = true;
    s.assignments = Some(Arc::new(assignments()));
    s.resume_at(None);
    s.add_entries(vec![
        decided("000.txt", Status::Done),
        decided("001.txt", Status::Done),
        entry("002.txt"),
        decided("003.txt", Status::Done),
    ]);
    s.loading_finished(Vec::new());
    assert_eq!(selected_name(&s).as_deref(), Some("002.txt"));

    // Someone with no assignments opens as before: the first to do.
    let mut s = AppState::empty(named("carol"), Taxonomy::default());
    s.catalog.loading = true;
    s.assignments = Some(Arc::new(assignments()));
    s.resume_at(None);
    s.add_entries(vec![entry("000.txt"), entry("001.txt")]);
    assert_eq!(selected_name(&s).as_deref(), Some("000.txt"));
}

#[test]
fn the_stats_overlay_has_progress_per_assignee() {
    let mut entries: Vec<Entry> = (0..4).map(|i| entry(&format!("{i:03}.txt"))).collect();
    entries[1] = decided("001.txt", Status::Done);
    let mut s = AppState::new(named("alice"), Taxonomy::default(), entries);
    s.assignments_loaded(Some(assignments()));
    run(&mut s, [Action::Stats]);
    let Mode::Stats { stats, .. } = &s.mode else {
        panic!("the stats overlay is open");
    };
    let rows: Vec<(&str, usize, usize, usize)> = stats
        .assignees
        .iter()
        .map(|a| (a.reviewer.as_str(), a.assigned, a.done, a.left))
        .collect();
    assert_eq!(rows, [("alice", 2, 1, 1), ("bob", 3, 0, 3)]);
}

#[test]
fn bodies_written_to_the_index_are_let_go_only_by_the_entries_still_holding_them() {
    use std::sync::Arc;
    let mut s = state(3);
    let whole = |s: &AppState, i: usize| Arc::clone(s.entries[i].article.as_ref().expect("read"));
    let release = |rel: &str, was: &Arc<Article>, key: i64| crate::store::Released {
        rel: PathBuf::from(rel),
        was: Arc::downgrade(was),
        key,
    };
    let (first, second) = (whole(&s, 0), whole(&s, 1));
    // The second article changed after it was written: its entry holds another one.
    s.article_arrived(entry("001.txt"));
    let moved = s.hold_bodies(vec![
        release("000.txt", &first, 10),
        release("001.txt", &second, 11),
        release("gone.txt", &first, 12),
    ]);
    assert_eq!(moved.iter().map(|m| m.0).collect::<Vec<_>>(), [0]);
    assert_eq!(whole(&s, 0).held, Some(10), "the entry holds the copy");
    let doc = s.catalog.docs[0].article.as_ref().expect("a document");
    assert_eq!(doc.held, Some(10), "and so does its search document");
    assert_eq!(&*s.catalog.docs[0].title, "Title of 000.txt");
    assert_eq!(
        whole(&s, 1).held,
        None,
        "a changed article is kept as it is"
    );
    assert_eq!(whole(&s, 2).held, None);
}
