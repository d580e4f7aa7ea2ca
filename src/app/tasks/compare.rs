//! Background work of the diff view and the file viewer. Both ask the layer engine
//! (`layers::compare`, `layers::fileread`); nothing here knows a registry's kind.

use crate::layers::compare::{compare, DiffReport, Target};
use crate::layers::fileread::{read_file, FilePrefix};
use crate::layers::AnalyzeOptions;
use crate::registry::ManifestSource;
use std::sync::Arc;

/// What the viewer reads of a file at most (a note says when there is more).
pub const VIEW_CAP: u64 = 256 * 1024;

/// One image of a comparison, as the explorer knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SideRef {
    pub registry: usize,
    pub repository: String,
    /// Tag or digest.
    pub reference: String,
    /// As shown (`repo:tag` or `repo@sha256:…`).
    pub shown: String,
}

#[derive(Clone, Debug)]
pub struct DiffRequest {
    pub ticket: u64,
    pub a: SideRef,
    pub b: SideRef,
}

#[derive(Debug)]
pub struct DiffResult {
    pub ticket: u64,
    pub outcome: Result<Arc<DiffReport>, String>,
}

#[derive(Clone, Debug)]
pub struct FileRequest {
    pub ticket: u64,
    pub registry: usize,
    pub repository: String,
    pub digest: String,
    pub path: String,
    /// The layer the tree showed the file as of (`None`: the whole image).
    pub as_of: Option<usize>,
}

#[derive(Debug)]
pub struct FileResult {
    pub ticket: u64,
    pub outcome: Result<Arc<FilePrefix>, String>,
}

pub async fn run_diff(
    a: Arc<dyn ManifestSource>,
    b: Arc<dyn ManifestSource>,
    req: &DiffRequest,
) -> DiffResult {
    let target = |source, s: &SideRef| Target {
        source,
        repository: s.repository.clone(),
        reference: s.reference.clone(),
        shown: s.shown.clone(),
    };
    let (ta, tb) = (target(a, &req.a), target(b, &req.b));
    let outcome = compare(&ta, &tb, None, &AnalyzeOptions::default()).await;
    DiffResult {
        ticket: req.ticket,
        outcome: outcome.map(Arc::new),
    }
}

pub async fn run_file(source: Arc<dyn ManifestSource>, req: &FileRequest) -> FileResult {
    let outcome = read_file(
        source.as_ref(),
        &req.repository,
        &req.digest,
        &req.path,
        req.as_of,
        VIEW_CAP,
        &AnalyzeOptions::default(),
    )
    .await;
    FileResult {
        ticket: req.ticket,
        outcome: outcome.map(Arc::new),
    }
}
