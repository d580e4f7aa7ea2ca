//! AWS ECR lifecycle policies (lifecycle.md §1): the full current schema, validation that
//! rejects what ECR rejects, and the claim-by-tag-match evaluation.

mod checks;
mod eval;
mod fields;
pub use eval::tag_requirement_matches;
mod glob;
mod parse;
#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod tests_scale;
#[cfg(test)]
mod tests_validation;

pub use glob::glob_match;

use crate::model::StorageClass;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagStatus {
    Tagged,
    Untagged,
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountType {
    ImageCountMoreThan,
    SinceImagePushed,
    SinceImagePulled,
    SinceImageTransitioned,
}

impl CountType {
    pub fn as_str(self) -> &'static str {
        match self {
            CountType::ImageCountMoreThan => "imageCountMoreThan",
            CountType::SinceImagePushed => "sinceImagePushed",
            CountType::SinceImagePulled => "sinceImagePulled",
            CountType::SinceImageTransitioned => "sinceImageTransitioned",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EcrAction {
    Expire,
    /// Transition to the archive storage class (the only target).
    Transition,
}

/// The tag requirement of a `tagged` rule: every entry must be matched by some tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagList {
    Patterns(Vec<String>),
    Prefixes(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcrRule {
    pub priority: i64,
    pub description: Option<String>,
    pub tag_status: TagStatus,
    pub tag_list: Option<TagList>,
    pub storage_class: StorageClass,
    pub count_type: CountType,
    pub count_number: u64,
    pub action: EcrAction,
}

/// A validated policy; rules sorted by `rulePriority` (ECR stores them that way too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcrPolicy {
    pub rules: Vec<EcrRule>,
}

impl EcrRule {
    /// `P3: tagged [prod*] imageCountMoreThan 1 -> expire`, for reasons and the UI.
    pub fn summary(&self) -> String {
        let status = match self.tag_status {
            TagStatus::Tagged => "tagged",
            TagStatus::Untagged => "untagged",
            TagStatus::Any => "any",
        };
        let list = match &self.tag_list {
            Some(TagList::Patterns(p)) => format!(" tagPatternList{p:?}"),
            Some(TagList::Prefixes(p)) => format!(" tagPrefixList{p:?}"),
            None => String::new(),
        };
        let class = if self.storage_class == StorageClass::Archive {
            " storageClass=archive"
        } else {
            ""
        };
        let action = match self.action {
            EcrAction::Expire => "expire",
            EcrAction::Transition => "transition(archive)",
        };
        format!(
            "P{}: {status}{list}{class} {} {} -> {action}",
            self.priority,
            self.count_type.as_str(),
            self.count_number
        )
    }
}
