//! The listings the inventory needs: projects, repositories, artifacts (with tags,
//! immutability, scan overview, accessories), single artifacts by digest, and the
//! `systeminfo` probe that tells a Harbor from any other registry.

use super::encode::{encode_segment, repository_path};
use super::model::{Artifact, Project, Repository};
use super::HarborClient;
use crate::registry::error::RegistryError;

/// Everything an artifact listing asks Harbor to include. `with_immutable_status` and
/// `with_scan_overview` are off by default (without the first every tag says
/// `immutable: false`).
pub const ARTIFACT_DETAIL: &str =
    "with_tag=true&with_immutable_status=true&with_scan_overview=true&with_accessory=true&with_label=false";

/// `q=base=*`: every artifact of the repository, index children included (the default
/// listing leaves out untagged children of an index).
const ALL_ARTIFACTS: &str = "q=base%3D*";

impl HarborClient {
    /// Projects the credentials can see (`with_detail` gives their metadata).
    pub async fn projects(&self) -> Result<Vec<Project>, RegistryError> {
        self.list("/projects", "with_detail=true", &self.place(None, None))
            .await
    }

    /// One project by name; `None` when Harbor has none by that name (or hides it).
    pub async fn project(&self, name: &str) -> Result<Option<Project>, RegistryError> {
        let path = format!("/projects/{}", encode_segment(name));
        self.get_json_named(&path, name).await
    }

    async fn get_json_named<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        repo: &str,
    ) -> Result<Option<T>, RegistryError> {
        // The project name is a name even when it looks like a number.
        let place = self.place(Some(repo), None);
        self.get_json(path, &place).await
    }

    /// The repositories of `project`, full names (`project/team/web`).
    pub async fn repositories(&self, project: &str) -> Result<Vec<Repository>, RegistryError> {
        let path = format!("/projects/{}/repositories", encode_segment(project));
        self.list(&path, "", &self.place(Some(project), None)).await
    }

    /// Every artifact of repository `full_name` with its tags, immutability, scan
    /// overview, accessories and references. Index children are included (`q=base=*`);
    /// a Harbor too old for that filter (HTTP 400) is listed plainly and each child not
    /// listed is read by digest. Accessories are not listed: they hang on their subjects.
    pub async fn artifacts(&self, full_name: &str) -> Result<Vec<Artifact>, RegistryError> {
        let path = self.artifacts_path(full_name)?;
        let place = self.place(Some(full_name), None);
        let all = format!("{ALL_ARTIFACTS}&{ARTIFACT_DETAIL}");
        match self.list::<Artifact>(&path, &all, &place).await {
            Ok(a) => Ok(a),
            Err(RegistryError::Http { status: 400, .. }) => {
                let mut listed: Vec<Artifact> = self.list(&path, ARTIFACT_DETAIL, &place).await?;
                let mut missing = Vec::new();
                for a in &listed {
                    for r in a.references.iter().flatten() {
                        if let Some(d) = &r.child_digest {
                            if !listed.iter().any(|x| &x.digest == d) && !missing.contains(d) {
                                missing.push(d.clone());
                            }
                        }
                    }
                }
                for d in missing {
                    if let Some(child) = self.artifact(full_name, &d).await? {
                        listed.push(child);
                    }
                }
                Ok(listed)
            }
            Err(e) => Err(e),
        }
    }

    /// One artifact by digest or tag, read from the API (not a pull).
    pub async fn artifact(
        &self,
        full_name: &str,
        reference: &str,
    ) -> Result<Option<Artifact>, RegistryError> {
        let path = format!(
            "{}/{}?{ARTIFACT_DETAIL}",
            self.artifacts_path(full_name)?,
            encode_segment(reference)
        );
        self.get_json(&path, &self.place(Some(full_name), Some(reference)))
            .await
    }

    pub(crate) fn artifacts_path(&self, full_name: &str) -> Result<String, RegistryError> {
        let (project, repo) = repository_path(full_name).ok_or_else(|| RegistryError::Refused {
            place: self.place(Some(full_name), None),
            why: "a Harbor repository is PROJECT/NAME".into(),
        })?;
        Ok(format!("/projects/{project}/repositories/{repo}/artifacts"))
    }

    /// True when `GET /api/v2.0/systeminfo` answers as Harbor does (a JSON object; it
    /// answers anonymous requests too). Any failure is "not Harbor".
    pub async fn is_harbor(&self) -> bool {
        let place = self.place(None, None);
        match self.get("/systeminfo", &place).await {
            Ok(r) if r.is_success() => {
                const FIELDS: [&str; 4] = [
                    "auth_mode",
                    "harbor_version",
                    "registry_url",
                    "current_time",
                ];
                serde_json::from_slice::<serde_json::Value>(&r.body)
                    .ok()
                    .and_then(|v| {
                        v.as_object()
                            .map(|o| FIELDS.iter().any(|f| o.contains_key(*f)))
                    })
                    .unwrap_or(false)
            }
            _ => false,
        }
    }
}
