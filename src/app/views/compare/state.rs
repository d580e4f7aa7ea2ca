//! What the diff view and the file viewer remember: the request on its way (latest wins by
//! ticket), then the engine's answer, and the scroll offset.

use crate::layers::compare::DiffReport;
use crate::layers::fileread::FilePrefix;
use std::sync::Arc;

#[derive(Debug)]
pub struct DiffPage {
    pub a: String,
    pub b: String,
    /// `None` while the images are read.
    pub outcome: Option<Result<Arc<DiffReport>, String>>,
}

#[derive(Debug)]
pub struct FilePage {
    /// As shown (with a leading `/`).
    pub path: String,
    pub image: String,
    pub outcome: Option<Result<Arc<FilePrefix>, String>>,
}

#[derive(Debug, Default)]
pub struct CompareState {
    pub ticket: u64,
    pub diff: Option<DiffPage>,
    pub file: Option<FilePage>,
    pub scroll: u16,
}
