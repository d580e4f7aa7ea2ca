//! The columns of the images pane: titles, widths, which ones survive a narrow terminal,
//! and the sort key (column + direction) every view of a table is ordered by.

use crate::app::widgets::vtable::ColumnSpec;
use crate::model::Severity;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageColumn {
    Tags,
    Digest,
    Kind,
    Platforms,
    Size,
    Unique,
    Created,
    Pushed,
    Pulled,
    /// Findings of one severity (critical, high, medium, low) where the image was scanned.
    Severity(Severity),
}

impl ImageColumn {
    pub const ALL: [ImageColumn; 13] = [
        ImageColumn::Tags,
        ImageColumn::Digest,
        ImageColumn::Kind,
        ImageColumn::Platforms,
        ImageColumn::Size,
        ImageColumn::Unique,
        ImageColumn::Severity(Severity::Critical),
        ImageColumn::Severity(Severity::High),
        ImageColumn::Severity(Severity::Medium),
        ImageColumn::Severity(Severity::Low),
        ImageColumn::Created,
        ImageColumn::Pushed,
        ImageColumn::Pulled,
    ];
    /// The columns when no image of the table carries a scan rollup: four columns of
    /// "unknown" would only push useful ones off a narrow screen.
    pub const WITHOUT_SCAN: [ImageColumn; 9] = [
        ImageColumn::Tags,
        ImageColumn::Digest,
        ImageColumn::Kind,
        ImageColumn::Platforms,
        ImageColumn::Size,
        ImageColumn::Unique,
        ImageColumn::Created,
        ImageColumn::Pushed,
        ImageColumn::Pulled,
    ];

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }
    pub fn next(self) -> Self {
        Self::ALL[(self.index() + 1) % Self::ALL.len()]
    }
    pub fn name(self) -> &'static str {
        match self {
            ImageColumn::Tags => "tags",
            ImageColumn::Digest => "digest",
            ImageColumn::Kind => "kind",
            ImageColumn::Platforms => "platforms",
            ImageColumn::Size => "size",
            ImageColumn::Unique => "unique",
            ImageColumn::Created => "created",
            ImageColumn::Pushed => "pushed",
            ImageColumn::Pulled => "pulled",
            ImageColumn::Severity(s) => s.as_str(),
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == s)
    }
    /// Numbers and times read best newest/largest first.
    pub fn default_descending(self) -> bool {
        !matches!(
            self,
            ImageColumn::Tags | ImageColumn::Digest | ImageColumn::Kind | ImageColumn::Platforms
        )
    }
}

impl ColumnSpec for ImageColumn {
    fn title(&self) -> &'static str {
        match self {
            ImageColumn::Tags => "TAGS",
            ImageColumn::Digest => "DIGEST",
            ImageColumn::Kind => "KIND",
            ImageColumn::Platforms => "PLATFORMS",
            ImageColumn::Size => "SIZE",
            ImageColumn::Unique => "UNIQUE",
            ImageColumn::Created => "CREATED",
            ImageColumn::Pushed => "PUSHED",
            ImageColumn::Pulled => "PULLED",
            ImageColumn::Severity(Severity::Critical) => "CRIT",
            ImageColumn::Severity(Severity::High) => "HIGH",
            ImageColumn::Severity(Severity::Medium) => "MED",
            ImageColumn::Severity(Severity::Low) => "LOW",
            ImageColumn::Severity(_) => "OTHER",
        }
    }
    /// The same with `w` or without: wide columns only grow (up to `max_width`) where
    /// there is room, so `w` never costs a column.
    fn min_width(&self, _wide: bool) -> u16 {
        match self {
            ImageColumn::Tags => 10,
            ImageColumn::Digest => 12,
            ImageColumn::Kind => 5,
            ImageColumn::Platforms => 11,
            // `1023 MiB` is the widest size.
            ImageColumn::Size | ImageColumn::Unique => 8,
            ImageColumn::Created | ImageColumn::Pushed | ImageColumn::Pulled => 8,
            ImageColumn::Severity(_) => 4,
        }
    }
    fn max_width(&self, wide: bool) -> u16 {
        match (self, wide) {
            (ImageColumn::Tags, true) => 80,
            (ImageColumn::Tags, false) => 30,
            (ImageColumn::Digest, true) => 64,
            (ImageColumn::Platforms, true) => 60,
            // `linux/arm64/v8 +1` whole.
            (ImageColumn::Platforms, false) => 18,
            (other, _) => other.min_width(wide),
        }
    }
    /// Which columns give way when the pane is narrow, lowest kept longest. Only width
    /// decides (never the sort), so the column set is the same under every sort. At 80×24
    /// the pane keeps TAGS, DIGEST, SIZE, UNIQUE and CREATED; findings counts come next
    /// where scans exist, then PUSHED, KIND, PLATFORMS, PULLED.
    fn priority(&self) -> u8 {
        match self {
            ImageColumn::Tags => 0,
            ImageColumn::Digest => 1,
            ImageColumn::Size => 2,
            ImageColumn::Created => 3,
            ImageColumn::Unique => 4,
            ImageColumn::Severity(Severity::Critical) => 5,
            ImageColumn::Severity(Severity::High) => 6,
            ImageColumn::Pushed => 7,
            ImageColumn::Kind => 8,
            ImageColumn::Platforms => 9,
            ImageColumn::Pulled => 10,
            ImageColumn::Severity(Severity::Medium) => 11,
            ImageColumn::Severity(_) => 12,
        }
    }
    fn right_aligned(&self) -> bool {
        matches!(
            self,
            ImageColumn::Size | ImageColumn::Unique | ImageColumn::Severity(_)
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SortKey {
    pub column: ImageColumn,
    pub descending: bool,
}

impl SortKey {
    pub fn new(column: ImageColumn, descending: bool) -> Self {
        SortKey { column, descending }
    }
    pub fn arrow(&self) -> &'static str {
        if self.descending {
            "▼"
        } else {
            "▲"
        }
    }
}

impl Default for SortKey {
    /// Newest first: what people look at first in a repository.
    fn default() -> Self {
        SortKey::new(ImageColumn::Created, true)
    }
}
