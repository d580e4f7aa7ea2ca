//! Colours by meaning. Built-in themes are embedded from `themes/`; a user picks one by name
//! and may override any subset of colours. Under `NO_COLOR` every role still reads: the
//! selection is reversed, danger and severities are bold, marked rows carry a marker.

use ratatui::style::{Color, Modifier, Style};
use std::collections::BTreeMap;
use std::str::FromStr;

pub const BUILTIN_THEMES: &[(&str, &str)] = &[
    ("dark", include_str!("../../../themes/dark.toml")),
    ("light", include_str!("../../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../../themes/high-contrast.toml"),
    ),
];

/// Every meaning a colour can have. The config names them in snake case
/// (`severity.critical`, `border_focus`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Text,
    Muted,
    Accent,
    Title,
    Border,
    BorderFocus,
    Header,
    Selection,
    SelectionText,
    Marked,
    Danger,
    Warning,
    Ok,
    Info,
    Filter,
    BarTotal,
    BarUnique,
    Sparkline,
    SevCritical,
    SevHigh,
    SevMedium,
    SevLow,
    SevNegligible,
    SevUnknown,
}

impl Role {
    pub const ALL: [Role; 24] = [
        Role::Text,
        Role::Muted,
        Role::Accent,
        Role::Title,
        Role::Border,
        Role::BorderFocus,
        Role::Header,
        Role::Selection,
        Role::SelectionText,
        Role::Marked,
        Role::Danger,
        Role::Warning,
        Role::Ok,
        Role::Info,
        Role::Filter,
        Role::BarTotal,
        Role::BarUnique,
        Role::Sparkline,
        Role::SevCritical,
        Role::SevHigh,
        Role::SevMedium,
        Role::SevLow,
        Role::SevNegligible,
        Role::SevUnknown,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Role::Text => "text",
            Role::Muted => "muted",
            Role::Accent => "accent",
            Role::Title => "title",
            Role::Border => "border",
            Role::BorderFocus => "border_focus",
            Role::Header => "header",
            Role::Selection => "selection",
            Role::SelectionText => "selection_text",
            Role::Marked => "marked",
            Role::Danger => "danger",
            Role::Warning => "warning",
            Role::Ok => "ok",
            Role::Info => "info",
            Role::Filter => "filter",
            Role::BarTotal => "bar_total",
            Role::BarUnique => "bar_unique",
            Role::Sparkline => "sparkline",
            Role::SevCritical => "severity.critical",
            Role::SevHigh => "severity.high",
            Role::SevMedium => "severity.medium",
            Role::SevLow => "severity.low",
            Role::SevNegligible => "severity.negligible",
            Role::SevUnknown => "severity.unknown",
        }
    }
    fn index(self) -> usize {
        Self::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
    /// The weight a role keeps with or without colour, so meaning never rides on hue alone.
    fn modifier(self) -> Modifier {
        match self {
            Role::Title | Role::Header | Role::Danger | Role::SevCritical | Role::SevHigh => {
                Modifier::BOLD
            }
            Role::Marked => Modifier::BOLD,
            _ => Modifier::empty(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    colors: [Option<Color>; Role::ALL.len()],
    pub no_color: bool,
}

impl Theme {
    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Option<Theme> {
        let (_, text) = BUILTIN_THEMES.iter().find(|(n, _)| *n == name)?;
        let mut t = Theme {
            name: name.to_string(),
            colors: [None; Role::ALL.len()],
            no_color: false,
        };
        let colors = parse_theme_file(text).expect("built-in themes parse");
        t.apply(&colors).expect("built-in themes use valid colours");
        Some(t)
    }

    pub fn dark() -> Theme {
        Self::builtin("dark").expect("dark is built in")
    }

    /// Applies `role → colour` overrides; unknown roles and bad colours are errors naming them.
    pub fn apply(&mut self, colors: &BTreeMap<String, String>) -> Result<(), String> {
        let mut problems = Vec::new();
        for (k, v) in colors {
            let Some(role) = Role::ALL.iter().find(|r| r.key() == k) else {
                problems.push(format!("unknown theme colour {k:?}"));
                continue;
            };
            match Color::from_str(v) {
                Ok(c) => self.colors[role.index()] = Some(c),
                Err(_) => problems.push(format!("theme colour {k} = {v:?} is not a colour")),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    pub fn color(&self, role: Role) -> Option<Color> {
        if self.no_color {
            None
        } else {
            self.colors[role.index()]
        }
    }

    /// The foreground style of a role.
    pub fn fg(&self, role: Role) -> Style {
        let mut s = Style::default().add_modifier(role.modifier());
        if let Some(c) = self.color(role) {
            s = s.fg(c);
        } else if self.no_color && role == Role::Muted {
            s = s.add_modifier(Modifier::DIM);
        }
        s
    }

    /// The highlighted row: coloured, and reversed when there is no colour.
    pub fn selection(&self) -> Style {
        match (self.color(Role::Selection), self.color(Role::SelectionText)) {
            (Some(bg), fg) if !self.no_color => {
                let s = Style::default().bg(bg).add_modifier(Modifier::BOLD);
                fg.map_or(s, |f| s.fg(f))
            }
            _ => Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(Role::BorderFocus).add_modifier(Modifier::BOLD)
        } else {
            self.fg(Role::Border)
        }
    }
}

/// Reads a theme file's `[colors]` table, flattening nested tables (`[colors.severity]`)
/// into dotted keys.
pub fn parse_theme_file(text: &str) -> Result<BTreeMap<String, String>, String> {
    let v: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    if let Some(toml::Value::Table(c)) = v.get("colors") {
        flatten("", c, &mut out)?;
    }
    Ok(out)
}

pub fn flatten(
    prefix: &str,
    t: &toml::Table,
    out: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(inner) => flatten(&key, inner, out)?,
            other => return Err(format!("theme colour {key} must be a string, not {other}")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_theme_parses_and_defines_every_role() {
        for (name, _) in BUILTIN_THEMES {
            let t = Theme::builtin(name).unwrap();
            for r in Role::ALL {
                assert!(t.color(r).is_some(), "{name} lacks {}", r.key());
            }
        }
    }

    #[test]
    fn partial_override_keeps_the_rest() {
        let mut t = Theme::dark();
        let before = t.color(Role::Muted);
        let mut o = BTreeMap::new();
        o.insert("danger".to_string(), "#010203".to_string());
        t.apply(&o).unwrap();
        assert_eq!(t.color(Role::Danger), Some(Color::Rgb(1, 2, 3)));
        assert_eq!(t.color(Role::Muted), before);
        o.insert("dnager".to_string(), "red".to_string());
        assert!(t.apply(&o).unwrap_err().contains("dnager"));
    }

    #[test]
    fn no_color_keeps_selection_and_severity_readable() {
        let mut t = Theme::dark();
        t.no_color = true;
        assert!(t.selection().add_modifier.contains(Modifier::REVERSED));
        assert_eq!(t.selection().bg, None);
        assert!(t
            .fg(Role::SevCritical)
            .add_modifier
            .contains(Modifier::BOLD));
        assert_eq!(t.fg(Role::SevCritical).fg, None);
    }
}
