//! The profile picker and the switch to another profile.

use crate::tui::action::ProfileAction;
use crate::tui::app::{App, Modal, Tone};
use crate::tui::effect::Effect;

pub(super) fn apply(app: &mut App, action: ProfileAction) -> Vec<Effect> {
    match action {
        ProfileAction::Open => {
            let selected = app
                .profiles
                .iter()
                .position(|p| p.name == app.profile.name)
                .unwrap_or(0);
            app.modal = Some(Modal::Profiles { selected });
        }
        ProfileAction::Move(delta) => {
            if let Some(Modal::Profiles { selected }) = &mut app.modal {
                let last = app.profiles.len().saturating_sub(1);
                *selected = selected.saturating_add_signed(delta).min(last);
            }
        }
        ProfileAction::Choose => return choose_profile(app),
        ProfileAction::Switched(active) => profile_switched(app, *active),
        ProfileAction::SwitchFailed { name, message } => {
            if app.switching.as_deref() == Some(name.as_str()) {
                app.switching = None;
            }
            app.say(
                Tone::Error,
                format!("Still on profile {}: {message}", app.profile.name),
            );
        }
    }
    Vec::new()
}

fn choose_profile(app: &mut App) -> Vec<Effect> {
    let Some(Modal::Profiles { selected }) = app.modal.take() else {
        return Vec::new();
    };
    let Some(chosen) = app.profiles.get(selected) else {
        return Vec::new();
    };
    if chosen.name == app.profile.name {
        return Vec::new();
    }
    if app.queue.as_ref().is_some_and(|q| q.run.busy()) {
        app.say(
            Tone::Warning,
            format!(
                "Still on profile {}: the queue is sending there; switch when it is done",
                app.profile.name
            ),
        );
        return Vec::new();
    }
    let name = chosen.name.clone();
    app.switching = Some(name.clone());
    app.say(
        Tone::Info,
        format!("Switching to profile {name}: reading its key…"),
    );
    vec![Effect::SwitchProfile { name }]
}

fn profile_switched(app: &mut App, active: crate::tui::profiles::Active) {
    if app
        .switching
        .as_deref()
        .is_some_and(|n| n != active.tag.name)
    {
        // An older switch answered after a newer one was asked for.
        return;
    }
    app.switching = None;
    app.settings.sandbox = active.tag.kind == crate::config::Kind::Sandbox;
    app.settings.base_url = active.base_url;
    app.settings.credentials = active.credentials;
    app.profile = active.tag;
    // The form stays as typed; the preview now shows this profile's URL.
    app.recheck();
    let p = &app.profile;
    let (tone, text) = match &app.settings.credentials.key {
        Some(_) => (
            if p.kind == crate::config::Kind::Sandbox {
                Tone::Success
            } else {
                Tone::Warning
            },
            format!(
                "Now on profile {} ({}): sends go to {}",
                p.name,
                p.kind.label(),
                app.settings.base_url.as_str()
            ),
        ),
        None => (
            Tone::Error,
            format!(
                "Now on profile {}, but nothing can be sent: {}",
                p.name,
                app.settings.credentials.missing_key_help()
            ),
        ),
    };
    app.say(tone, text);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn the_picker_switches_profile_through_an_effect_and_keeps_the_form() {
        let mut a = with_two_profiles();
        update(&mut a, Action::Profiles(ProfileAction::Open));
        assert_eq!(
            a.modal,
            Some(Modal::Profiles { selected: 1 }),
            "opens on the active one"
        );
        update(&mut a, Action::Profiles(ProfileAction::Move(-1)));
        let effects = update(&mut a, Action::Profiles(ProfileAction::Choose));
        assert_eq!(
            effects,
            vec![Effect::SwitchProfile {
                name: "production".into()
            }]
        );
        assert_eq!(a.switching.as_deref(), Some("production"));
        assert!(
            update(&mut a, Action::Send(SendAction::Request)).is_empty(),
            "no send while switching"
        );
        assert!(a.modal.is_none());
        update(
            &mut a,
            Action::Profiles(ProfileAction::Switched(Box::new(
                crate::tui::profiles::Active {
                    tag: tag("production", crate::config::Kind::Production),
                    base_url: crate::api::request::BaseUrl::parse("https://prod.example").unwrap(),
                    credentials: Credentials::found(
                        crate::api::key::ApiKey::new("k"),
                        crate::api::key::KeySource::Command("pass show p".into()),
                    ),
                },
            ))),
        );
        assert_eq!(a.profile.name, "production");
        assert!(a.switching.is_none());
        assert_eq!(a.form.text(Field::Agent), "agent123", "the form is kept");
        assert_eq!(
            a.checked.as_ref().unwrap().request.url,
            "https://prod.example/api/calls/agent123/call456",
            "the preview follows the profile"
        );
    }

    #[test]
    fn choosing_the_active_profile_changes_nothing() {
        let mut a = with_two_profiles();
        update(&mut a, Action::Profiles(ProfileAction::Open));
        assert!(update(&mut a, Action::Profiles(ProfileAction::Choose)).is_empty());
        assert!(a.switching.is_none());
    }

    #[test]
    fn a_failed_switch_keeps_the_profile_and_says_why() {
        let mut a = with_two_profiles();
        a.switching = Some("production".into());
        update(
            &mut a,
            Action::Profiles(ProfileAction::SwitchFailed {
                name: "production".into(),
                message: "could not start".into(),
            }),
        );
        assert_eq!(a.profile.name, "sandbox");
        assert!(a.switching.is_none());
        assert!(a.status.unwrap().text.contains("Still on profile sandbox"));
    }
}
