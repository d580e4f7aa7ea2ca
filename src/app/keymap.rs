//! Keys to actions: the embedded default keymap, per-action user overrides, and clash
//! detection (two actions on one key where both apply). A clashing override is reported
//! and dropped, so the program always starts with a keymap that works.

use super::action::{Action, Scope, ACTIONS};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;

pub const DEFAULT_KEYMAP: &str = include_str!("config/keymap-default.toml");

/// A key with the modifiers that matter. Shift is folded into the character.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeyChord {
    pub fn from_event(ev: &KeyEvent) -> Self {
        KeyChord {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "esc" => KeyCode::Esc,
            "enter" => KeyCode::Enter,
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
            other => return Err(format!("unknown key {other:?}")),
        };
        Ok(KeyChord { code, ctrl, alt })
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: Vec<(Action, Vec<KeyChord>)>,
}

/// Something wrong with a keymap override, reported to the user; the rest still applies.
/// The second field is the action whose override it concerns (the config names its line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeymapProblem(pub String, pub String);

impl Keymap {
    pub fn defaults() -> Self {
        Self::with_overrides(&BTreeMap::new()).0
    }

    /// The default keymap with `overrides` (action name → keys) applied.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> (Self, Vec<KeymapProblem>) {
        let defaults: BTreeMap<String, Vec<String>> =
            toml::from_str(DEFAULT_KEYMAP).expect("the embedded default keymap parses");
        let parse_all = |keys: &[String]| -> Result<Vec<KeyChord>, String> {
            keys.iter().map(|k| KeyChord::parse(k)).collect()
        };
        let mut bindings: Vec<(Action, Vec<KeyChord>)> = ACTIONS
            .iter()
            .map(|i| {
                let keys = defaults.get(i.name).map(Vec::as_slice).unwrap_or(&[]);
                (i.action, parse_all(keys).expect("default keys parse"))
            })
            .collect();
        let mut problems = Vec::new();
        for (name, keys) in overrides {
            let Some(action) = Action::by_name(name) else {
                problems.push(KeymapProblem(
                    format!("keymap: unknown action {name:?}"),
                    name.clone(),
                ));
                continue;
            };
            let chords = match parse_all(keys) {
                Ok(c) => c,
                Err(e) => {
                    problems.push(KeymapProblem(format!("keymap.{name}: {e}"), name.clone()));
                    continue;
                }
            };
            let clash = chords.iter().find_map(|k| {
                bindings
                    .iter()
                    .filter(|(a, _)| *a != action && !overrides.contains_key(a.name()))
                    .find(|(a, ks)| ks.contains(k) && scopes_overlap(*a, action))
                    .map(|(a, _)| (*k, *a))
            });
            if let Some((k, other)) = clash {
                problems.push(KeymapProblem(
                    format!(
                        "keymap.{name}: key {k} is already bound to {}; override ignored",
                        other.name()
                    ),
                    name.clone(),
                ));
                continue;
            }
            if let Some(slot) = bindings.iter_mut().find(|(a, _)| *a == action) {
                slot.1 = chords;
            }
        }
        let mut km = Keymap { bindings };
        // Overrides may clash among themselves; the later action in ACTIONS order loses.
        for (a, b, k) in km.clashes() {
            problems.push(KeymapProblem(
                format!(
                    "keymap: key {k} is bound to both {} and {}; {} keeps it",
                    a.name(),
                    b.name(),
                    a.name()
                ),
                b.name().to_string(),
            ));
            if let Some(slot) = km.bindings.iter_mut().find(|(x, _)| *x == b) {
                slot.1.retain(|x| *x != k);
            }
        }
        (km, problems)
    }

    /// Pairs of actions that share a key where both apply.
    pub fn clashes(&self) -> Vec<(Action, Action, KeyChord)> {
        let mut out = Vec::new();
        for (i, (a, ka)) in self.bindings.iter().enumerate() {
            for (b, kb) in &self.bindings[i + 1..] {
                for k in ka.iter().filter(|k| kb.contains(k)) {
                    if scopes_overlap(*a, *b) {
                        out.push((*a, *b, *k));
                    }
                }
            }
        }
        out
    }

    /// The action for `key` in `scope`: a binding specific to the scope wins over a global one.
    pub fn action(&self, scope: Scope, key: KeyChord) -> Option<Action> {
        let bound = |a: &Action| self.keys(*a).contains(&key);
        ACTIONS
            .iter()
            .map(|i| i.action)
            .filter(|a| a.info().scopes.contains(&scope) && bound(a))
            .chain(
                ACTIONS
                    .iter()
                    .map(|i| i.action)
                    .filter(|a| a.info().scopes.contains(&Scope::Global) && bound(a)),
            )
            .next()
    }

    pub fn keys(&self, action: Action) -> &[KeyChord] {
        self.bindings
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, k)| k.as_slice())
            .unwrap_or(&[])
    }

    /// The keys of an action as the help and hint bar show them (`j/↓`).
    pub fn label(&self, action: Action) -> String {
        let keys: Vec<String> = self.keys(action).iter().map(|k| k.to_string()).collect();
        if keys.is_empty() {
            "(unbound)".into()
        } else {
            keys.join("/")
        }
    }
}

fn scopes_overlap(a: Action, b: Action) -> bool {
    let (sa, sb) = (a.info().scopes, b.info().scopes);
    sa.contains(&Scope::Global) || sb.contains(&Scope::Global) || sa.iter().any(|s| sb.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ov(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(a, ks)| (a.to_string(), ks.iter().map(|k| k.to_string()).collect()))
            .collect()
    }

    #[test]
    fn shipped_keymap_parses_without_clashes() {
        let names: BTreeMap<String, Vec<String>> = toml::from_str(DEFAULT_KEYMAP).unwrap();
        for n in names.keys() {
            assert!(
                Action::by_name(n).is_some(),
                "default keymap names unknown action {n}"
            );
        }
        let km = Keymap::defaults();
        assert!(km.clashes().is_empty(), "{:?}", km.clashes());
        for i in ACTIONS {
            assert!(
                !km.keys(i.action).is_empty(),
                "{} has no default key",
                i.name
            );
        }
        let q = KeyChord::parse("q").unwrap();
        assert_eq!(km.action(Scope::Images, q), Some(Action::Quit));
        let l = KeyChord::parse("l").unwrap();
        assert_eq!(km.action(Scope::Detail, l), Some(Action::NextTab));
        assert_eq!(km.action(Scope::Images, l), None);
    }

    #[test]
    fn key_names_round_trip() {
        for k in [
            "ctrl-c",
            "shift-tab",
            "space",
            "S",
            "f5",
            "alt-x",
            "pagedown",
        ] {
            let c = KeyChord::parse(k).unwrap();
            assert_eq!(
                KeyChord::parse(&c.to_string().replace("pgdn", "pagedown")).unwrap(),
                c
            );
        }
        assert!(KeyChord::parse("hyper-q").is_err());
    }

    #[test]
    fn override_replaces_and_clash_is_reported_and_ignored() {
        let (km, problems) = Keymap::with_overrides(&ov(&[("mark", &["x"])]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(km.keys(Action::Mark), [KeyChord::parse("x").unwrap()]);

        let (km, problems) = Keymap::with_overrides(&ov(&[("mark", &["q"])]));
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].0.contains("already bound to quit"),
            "{problems:?}"
        );
        assert_eq!(km.keys(Action::Mark), [KeyChord::parse("space").unwrap()]);

        let (_, problems) = Keymap::with_overrides(&ov(&[("fly", &["f"]), ("mark", &["nope"])]));
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn two_overrides_on_one_key_keep_one() {
        let (km, problems) = Keymap::with_overrides(&ov(&[("mark", &["z"]), ("wide", &["z"])]));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(km.clashes().is_empty());
    }
}
