//! The `/acr/v1` documents, as the ACR data-plane specification (`containerregistry.json`,
//! 2021-07-01) defines them. Every field the specification marks optional is an `Option`:
//! a missing attribute is unknown, never `true` or zero. Times carry seven fractional
//! digits (`2018-09-07T16:30:46.6583219Z`); chrono reads them as RFC 3339.

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// `changeableAttributes` of a repository, tag or manifest. Independent per object:
/// locking a tag does not lock its manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeableAttributes {
    pub delete_enabled: Option<bool>,
    pub write_enabled: Option<bool>,
    pub read_enabled: Option<bool>,
    pub list_enabled: Option<bool>,
}

impl ChangeableAttributes {
    /// Why deletion is refused, if it is: `deleteEnabled=false` refuses deletion, and
    /// `writeEnabled=false` (a lock) refuses overwrite and deletion alike.
    pub fn deletion_refusal(&self) -> Option<&'static str> {
        match (self.delete_enabled, self.write_enabled) {
            (Some(false), Some(false)) => Some("deleteEnabled=false, writeEnabled=false"),
            (Some(false), _) => Some("deleteEnabled=false"),
            (_, Some(false)) => Some("writeEnabled=false"),
            _ => None,
        }
    }
}

/// `Repositories`: one page of `GET /acr/v1/_catalog`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RepositoriesPage {
    #[serde(default)]
    pub repositories: Option<Vec<String>>,
}

/// `RepositoryAttributes`: `GET /acr/v1/{name}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryProperties {
    pub registry: Option<String>,
    pub image_name: String,
    pub created_time: Option<DateTime<Utc>>,
    pub last_update_time: Option<DateTime<Utc>>,
    pub manifest_count: Option<u64>,
    pub tag_count: Option<u64>,
    #[serde(default)]
    pub changeable_attributes: ChangeableAttributes,
}

/// `TagAttributesBase`: one tag of `GET /acr/v1/{name}/_tags`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagProperties {
    pub name: String,
    pub digest: String,
    pub created_time: Option<DateTime<Utc>>,
    /// Moves when the tag moves; `acr purge --ago` ages tags by it.
    pub last_update_time: Option<DateTime<Utc>>,
    pub signed: Option<bool>,
    #[serde(default)]
    pub changeable_attributes: ChangeableAttributes,
}

/// `TagList`: one page of `GET /acr/v1/{name}/_tags`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TagsPage {
    #[serde(default)]
    pub tags: Option<Vec<TagProperties>>,
}

/// `TagAttributes`: `GET /acr/v1/{name}/_tags/{reference}`.
#[derive(Clone, Debug, Deserialize)]
pub struct TagDocument {
    pub tag: TagProperties,
}

/// `ManifestAttributes_manifest_references`: an index child with its platform.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ManifestReference {
    pub digest: String,
    pub architecture: Option<String>,
    pub os: Option<String>,
}

/// `ManifestAttributesBase`: one manifest of `GET /acr/v1/{name}/_manifests` (untagged
/// manifests and index children included).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestProperties {
    pub digest: String,
    /// Bytes of the image (config and layers) as ACR counts them.
    pub image_size: Option<u64>,
    pub created_time: Option<DateTime<Utc>>,
    pub last_update_time: Option<DateTime<Utc>>,
    pub architecture: Option<String>,
    pub os: Option<String>,
    /// Not in the specification's schema but in its examples and in every answer of the
    /// service; acr-cli keeps a manifest whose media type is missing.
    pub media_type: Option<String>,
    pub config_media_type: Option<String>,
    #[serde(default)]
    pub references: Option<Vec<ManifestReference>>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub changeable_attributes: ChangeableAttributes,
}

/// `AcrManifests`: one page of `GET /acr/v1/{name}/_manifests`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ManifestsPage {
    #[serde(default)]
    pub manifests: Option<Vec<ManifestProperties>>,
}

/// `ManifestAttributes`: `GET /acr/v1/{name}/_manifests/{digest}`.
#[derive(Clone, Debug, Deserialize)]
pub struct ManifestDocument {
    pub manifest: ManifestProperties,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's own example of `ManifestAttributes`.
    #[test]
    fn the_specification_example_reads_with_seven_fractional_digits() {
        let doc: ManifestDocument = serde_json::from_str(
            r#"{"registry":"acrapi.azurecr-test.io","imageName":"nanoserver","manifest":{
            "digest":"sha256:110d2b6c84592561338aa040b1b14b7ab81c2f9edbd564c2285dd7d70d777086",
            "imageSize":2401606,"createdTime":"2018-09-06T06:17:20.9983915Z",
            "lastUpdateTime":"2018-09-06T06:17:20.9983915Z","architecture":"amd64","os":"windows",
            "mediaType":"application/vnd.docker.distribution.manifest.v2+json",
            "configMediaType":"application/vnd.docker.container.image.v1+json",
            "tags":["4.7.2-20180905-nanoserver-1803"],
            "changeableAttributes":{"deleteEnabled":true,"writeEnabled":true,"readEnabled":true,"listEnabled":true}}}"#,
        )
        .unwrap();
        let m = doc.manifest;
        assert_eq!(m.image_size, Some(2401606));
        let t = m.created_time.unwrap();
        assert_eq!(t.timestamp_subsec_nanos(), 998_391_500);
        assert_eq!(m.changeable_attributes.deletion_refusal(), None);
        assert_eq!(m.os.as_deref(), Some("windows"));
    }

    #[test]
    fn either_flag_refuses_deletion_and_missing_flags_are_unknown() {
        let a = |d, w| ChangeableAttributes {
            delete_enabled: d,
            write_enabled: w,
            ..Default::default()
        };
        assert_eq!(
            a(Some(true), Some(false)).deletion_refusal(),
            Some("writeEnabled=false")
        );
        assert_eq!(
            a(Some(false), None).deletion_refusal(),
            Some("deleteEnabled=false")
        );
        assert_eq!(a(None, None).deletion_refusal(), None);
        let tag: TagProperties = serde_json::from_str(
            r#"{"name":"v1","digest":"sha256:00","createdTime":"2018-08-10T17:28:44.1082945Z","lastUpdateTime":"2018-08-10T17:28:44.1082945Z"}"#,
        )
        .unwrap();
        assert_eq!(tag.changeable_attributes, ChangeableAttributes::default());
    }
}
