//! Screens of the profile features: the picker, and a production profile's confirmation that
//! asks for the profile's name, with its colour.

mod common;

use common::{fill_example1, screen};
use phonely_outcomes::config::Kind;
use phonely_outcomes::tui::action::{Action, ProfileAction, SendAction};
use phonely_outcomes::tui::profiles::ProfileTag;
use phonely_outcomes::tui::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

fn tag(name: &str, kind: Kind, target: &str) -> ProfileTag {
    ProfileTag {
        name: name.into(),
        kind,
        target: target.into(),
    }
}

fn production() -> ProfileTag {
    tag("production", Kind::Production, "https://app.phonely.ai")
}

fn app() -> phonely_outcomes::tui::app::App {
    let a = common::app();
    let sandbox = a.profile.clone();
    a.with_profiles(
        sandbox.clone(),
        vec![
            production(),
            tag("staging", Kind::Live, "https://staging.example.com"),
            sandbox,
        ],
    )
}

#[test]
fn profile_picker() {
    let mut a = app();
    fill_example1(&mut a);
    update(&mut a, Action::Profiles(ProfileAction::Open));
    update(&mut a, Action::Profiles(ProfileAction::Move(-1)));
    let s = screen(&a, 120, 32);
    assert!(s.contains("Profile (account)"), "{s}");
    assert!(s.contains("● sandbox"), "the active one is marked:\n{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn production_confirmation_asks_for_the_name() {
    let mut a = app();
    a.profile = production();
    fill_example1(&mut a);
    common::ctrl_s(&mut a);
    for c in "produ".chars() {
        update(&mut a, Action::Send(SendAction::ConfirmType(c)));
    }
    let s = screen(&a, 120, 32);
    assert!(s.contains("Type production and press Enter to send"), "{s}");
    assert!(s.contains("> produ"), "{s}");
    assert!(s.contains(" PRODUCTION  profile production"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn production_is_red_and_the_sandbox_green() {
    let badge_bg = |a: &phonely_outcomes::tui::app::App| {
        let mut t = Terminal::new(TestBackend::new(120, 32)).unwrap();
        t.draw(|f| phonely_outcomes::tui::view::view(a, f)).unwrap();
        let buffer = t.backend().buffer().clone();
        // The badge starts the status line (second to last row).
        buffer[(1, 30)].bg
    };
    let mut a = app();
    assert_eq!(badge_bg(&a), Color::Green);
    a.profile = production();
    assert_eq!(badge_bg(&a), Color::Red);
}
