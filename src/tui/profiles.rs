//! Profiles in the workbench: what the screen knows of each (name, kind, where it sends), and
//! the runtime's switcher that reads a profile's key once per session and, for the built-in
//! `sandbox`, starts the bundled sandbox in-process.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::api::key::Credentials;
use crate::api::request::BaseUrl;
use crate::config::{Kind, Profile, SANDBOX, secret};
use crate::sandbox::RunningSandbox;

/// A profile as the screen shows it (never its key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileTag {
    pub name: String,
    pub kind: Kind,
    /// Where it sends, as configured ("in-process sandbox" for the built-in one).
    pub target: String,
}

impl ProfileTag {
    pub fn of(profile: &Profile) -> Self {
        Self {
            name: profile.name.clone(),
            kind: profile.kind(),
            target: if profile.is_sandbox() {
                "the bundled sandbox".to_string()
            } else {
                profile.base_url.as_str().to_string()
            },
        }
    }

    pub fn production(&self) -> bool {
        self.kind == Kind::Production
    }
}

/// A profile ready to send: where requests go and the key that was read for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Active {
    pub tag: ProfileTag,
    pub base_url: BaseUrl,
    pub credentials: Credentials,
}

/// Turns profile names into [`Active`] profiles, each at most once per session (a key command
/// runs once; a failed one is tried again on the next switch).
#[derive(Default)]
pub struct Switcher {
    profiles: Vec<Profile>,
    ready: Mutex<HashMap<String, Active>>,
    sandbox: tokio::sync::Mutex<Option<RunningSandbox>>,
}

impl std::fmt::Debug for Switcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Switcher")
            .field("profiles", &self.profiles)
            .finish_non_exhaustive()
    }
}

impl Switcher {
    pub fn new(profiles: Vec<Profile>) -> Self {
        Self {
            profiles,
            ..Self::default()
        }
    }

    /// What the picker lists.
    pub fn tags(&self) -> Vec<ProfileTag> {
        self.profiles.iter().map(ProfileTag::of).collect()
    }

    /// The profile, ready to send: its key read (once), the sandbox started if it is the
    /// built-in one. An unreadable key is not an error here: the profile becomes active with
    /// no key and the reason, so the screen says what to fix and nothing can be sent.
    pub async fn activate(&self, name: &str) -> Result<Active, String> {
        if let Some(a) = self.cached(name) {
            return Ok(a);
        }
        let Some(profile) = self.profiles.iter().find(|p| p.name == name) else {
            return Err(format!("there is no profile named \"{name}\""));
        };
        let active = if profile.is_sandbox() {
            let mut slot = self.sandbox.lock().await;
            if slot.is_none() {
                let running = crate::sandbox::start("127.0.0.1:0", crate::sandbox::DEFAULT_KEY)
                    .await
                    .map_err(|e| format!("could not start the sandbox: {e}"))?;
                *slot = Some(running);
            }
            let url = slot
                .as_ref()
                .map(RunningSandbox::base_url)
                .unwrap_or_default();
            Active {
                tag: ProfileTag::of(profile),
                base_url: BaseUrl::parse(&url)?,
                credentials: Credentials::sandbox(crate::sandbox::DEFAULT_KEY),
            }
        } else {
            Active {
                tag: ProfileTag::of(profile),
                base_url: profile.base_url.clone(),
                credentials: secret::resolve(&profile.key, &profile.name).await,
            }
        };
        tracing::info!(
            profile = name,
            base_url = active.base_url.as_str(),
            key_found = active.credentials.key.is_some(),
            key_source = %active.credentials.source.describe(),
            "profile activated"
        );
        if active.credentials.key.is_some() {
            self.remember(active.clone());
        }
        Ok(active)
    }

    /// Records a profile made ready before the workbench started.
    pub fn remember(&self, active: Active) {
        let mut ready = self
            .ready
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ready.insert(active.tag.name.clone(), active);
    }

    fn cached(&self, name: &str) -> Option<Active> {
        self.ready
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
            .cloned()
    }
}

/// The tag for a workbench started without profiles (tests, and `App::new`): the sandbox when
/// `sandbox` is set, else `default` coloured by where it sends.
pub fn fallback_tag(sandbox: bool, base_url: &BaseUrl) -> ProfileTag {
    if sandbox {
        ProfileTag {
            name: SANDBOX.to_string(),
            kind: Kind::Sandbox,
            target: "the bundled sandbox".to_string(),
        }
    } else {
        ProfileTag {
            name: crate::config::DEFAULT.to_string(),
            kind: if base_url.is_loopback() {
                Kind::Local
            } else {
                Kind::Live
            },
            target: base_url.as_str().to_string(),
        }
    }
}
