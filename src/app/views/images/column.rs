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
    fn min_width(&self, wide: bool) -> u16 {
        match self {
            ImageColumn::Tags => {
                if wide {
                    24
                } else {
                    12
                }
            }
            ImageColumn::Digest => {
                if wide {
                    71
                } else {
                    12
                }
            }
            ImageColumn::Kind => 5,
            ImageColumn::Platforms => {
                if wide {
                    24
                } else {
                    11
                }
            }
            ImageColumn::Size | ImageColumn::Unique => 9,
            ImageColumn::Created | ImageColumn::Pushed | ImageColumn::Pulled => 8,
            ImageColumn::Severity(_) => 4,
        }
    }
    fn max_width(&self, wide: bool) -> u16 {
        match self {
            ImageColumn::Tags => {
                if wide {
                    80
                } else {
                    30
                }
            }
            ImageColumn::Platforms => {
                if wide {
                    60
                } else {
                    16
                }
            }
            other => other.min_width(wide),
        }
    }
    /// Lower survives longer when the terminal is narrow.
    fn priority(&self) -> u8 {
        match self {
            ImageColumn::Tags => 0,
            ImageColumn::Digest => 1,
            ImageColumn::Size => 2,
            ImageColumn::Created => 3,
            ImageColumn::Unique => 4,
            ImageColumn::Pushed => 5,
            ImageColumn::Kind => 6,
            ImageColumn::Platforms => 7,
            ImageColumn::Pulled => 8,
            // Where scans exist, critical and high findings matter as much as size.
            ImageColumn::Severity(Severity::Critical) => 2,
            ImageColumn::Severity(Severity::High) => 3,
            ImageColumn::Severity(Severity::Medium) => 5,
            ImageColumn::Severity(_) => 6,
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
