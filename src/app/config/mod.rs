//! The TUI's view of `config.toml`: registries (engine-side `RegistrySettings`), keymap
//! overrides, theme and mouse. A broken file never stops the program: the problem is
//! reported as `config error in FILE line L, column C: WHY; using defaults` and the
//! defaults apply. Sections this module does not know belong to other commands and are
//! left alone.

pub mod theme;

use crate::config::{describe_toml_error, unreadable, validate_registries, RegistrySettings};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use theme::{parse_theme_file, Theme};

pub const EXAMPLE_CONFIG: &str = include_str!("../../../config.example.toml");

#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    #[serde(default, rename = "registry")]
    registries: Vec<RegistrySettings>,
    #[serde(default)]
    theme: ThemeSection,
    #[serde(default)]
    keymap: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    mouse: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeSection {
    /// A built-in theme (`dark`, `light`, `high-contrast`) or a path to a theme file.
    name: Option<String>,
    #[serde(default)]
    colors: toml::Table,
}

/// Everything the TUI takes from the config, already validated.
#[derive(Debug)]
pub struct AppConfig {
    pub registries: Vec<RegistrySettings>,
    pub keymap: super::keymap::Keymap,
    pub theme: Theme,
    pub mouse: bool,
    /// What was wrong, one sentence each, naming file and line; shown in the error list.
    pub problems: Vec<String>,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            registries: Vec::new(),
            keymap: super::keymap::Keymap::defaults(),
            theme: Theme::dark(),
            mouse: false,
            problems: Vec::new(),
        }
    }
}

/// The 1-based line of `action = ...` in the `[keymap]` table of `text`, so a keymap
/// problem names where to look.
fn keymap_line(text: &str, action: &str) -> Option<usize> {
    let mut in_keymap = false;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.starts_with('[') {
            in_keymap = l == "[keymap]";
        } else if in_keymap
            && l.strip_prefix(action)
                .is_some_and(|r| r.trim_start().starts_with('='))
        {
            return Some(i + 1);
        }
    }
    None
}

impl AppConfig {
    /// Reads `path`; a missing file is the defaults, a broken one the defaults plus a problem.
    pub fn load(path: &Path) -> AppConfig {
        match crate::config::read_config(path) {
            Ok(text) => Self::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Self::with_env(AppConfig::default())
            }
            Err(e) => {
                let mut c = Self::with_env(AppConfig::default());
                c.problems.push(unreadable(path, &e));
                c
            }
        }
    }

    pub fn parse(text: &str, path: &Path) -> AppConfig {
        let file: ConfigFile = match toml::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                let mut c = Self::with_env(AppConfig::default());
                c.problems.push(describe_toml_error(text, path, &e));
                return c;
            }
        };
        let mut problems = Vec::new();
        let (keymap, kp) = super::keymap::Keymap::with_overrides(&file.keymap);
        problems.extend(kp.into_iter().map(|p| match keymap_line(text, &p.1) {
            Some(line) => format!("config {} line {line}: {}", path.display(), p.0),
            None => format!("config {}: {}", path.display(), p.0),
        }));
        let name = file.theme.name.as_deref().unwrap_or("dark");
        let mut theme = match Theme::builtin(name) {
            Some(t) => t,
            None => match load_theme_file(Path::new(name), path) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(e);
                    Theme::dark()
                }
            },
        };
        let mut colors = BTreeMap::new();
        if let Err(e) =
            theme::flatten("", &file.theme.colors, &mut colors).and_then(|_| theme.apply(&colors))
        {
            problems.push(format!("config {}: [theme.colors]: {e}", path.display()));
        }
        let registries = validate_registries(file.registries, path, &mut problems);
        Self::with_env(AppConfig {
            registries,
            keymap,
            theme,
            mouse: file.mouse,
            problems,
        })
    }

    /// `NO_COLOR` (any non-empty value) wins over every theme.
    fn with_env(mut c: AppConfig) -> AppConfig {
        c.theme.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        c
    }
}

fn load_theme_file(theme: &Path, config: &Path) -> Result<Theme, String> {
    // Relative theme paths are relative to the config file.
    let p = if theme.is_relative() {
        config.parent().unwrap_or(Path::new(".")).join(theme)
    } else {
        theme.to_path_buf()
    };
    let text = std::fs::read_to_string(&p).map_err(|e| {
        format!(
            "config {}: theme {:?} is neither built in (dark, light, high-contrast) nor a readable file ({e}); using dark",
            config.display(),
            theme.display()
        )
    })?;
    let colors = parse_theme_file(&text)
        .map_err(|e| format!("theme file {}: {e}; using dark", p.display()))?;
    let mut t = Theme::dark();
    t.name = theme.display().to_string();
    t.apply(&colors)
        .map_err(|e| format!("theme file {}: {e}", p.display()))?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::action::Action;
    use crate::app::keymap::KeyChord;

    #[test]
    fn shipped_example_config_parses_cleanly() {
        let c = AppConfig::parse(EXAMPLE_CONFIG, Path::new("config.example.toml"));
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert!(c.registries.len() >= 2);
        assert!(c.registries.iter().any(|r| r.read_only));
    }

    #[test]
    fn broken_config_names_file_and_line_and_falls_back() {
        let text = "[theme]\nname = \"dark\"\n\n[keymap\nquit = [\"q\"]\n";
        let c = AppConfig::parse(text, Path::new("/etc/x/config.toml"));
        assert_eq!(c.problems.len(), 1);
        let p = &c.problems[0];
        assert!(
            p.starts_with("config error in /etc/x/config.toml line 4, column"),
            "{p}"
        );
        assert!(p.ends_with("; using defaults"), "{p}");
        assert_eq!(c.keymap.keys(Action::Quit).len(), 2);
        assert!(c.registries.is_empty());
    }

    #[test]
    fn overrides_apply_and_bad_parts_are_reported() {
        let text = r##"
mouse = true
[theme]
name = "light"
[theme.colors]
danger = "#000001"
bogus = "red"
[keymap]
mark = ["x"]
wide = ["q"]
[[registry]]
name = "bad"
address = "https://nope"
"##;
        let c = AppConfig::parse(text, Path::new("c.toml"));
        assert!(c.mouse);
        assert_eq!(c.theme.name, "light");
        assert_eq!(c.keymap.keys(Action::Mark), [KeyChord::parse("x").unwrap()]);
        assert_eq!(c.problems.len(), 3, "{:?}", c.problems);
        // The clash names the file, the line of the override and the key's owner.
        assert!(
            c.problems.iter().any(|p| p
                .starts_with("config c.toml line 10: keymap.wide: key q is already bound to quit")),
            "{:?}",
            c.problems
        );
        assert!(c.registries.is_empty());
    }

    #[test]
    fn missing_file_is_defaults() {
        let c = AppConfig::load(Path::new("/nonexistent/regscope/config.toml"));
        assert!(c.problems.is_empty());
    }
}
