//! The Distribution client against the real registry: paging, manifests of every kind
//! checked against digests computed here from the fixture bytes, blobs, delete, referrers.

use crate::support::fixtures::{push_index, tar, Entry, ImageFixture, Layer};
use crate::support::registry::TestRegistry;
use crate::support::seed::{sha256, Seeder};
use futures::StreamExt;
use regscope::config::RegistrySettings;
use regscope::model::Digest;
use regscope::registry::{
    media, DistributionClient, Manifest, ManifestSource, Referrers, RegistryError,
};
use tokio::io::AsyncReadExt;

fn client(reg: &TestRegistry) -> DistributionClient {
    DistributionClient::new(&reg.addr, &RegistrySettings::for_address(&reg.addr)).unwrap()
}

fn small_image(arch: &str, text: &[u8]) -> ImageFixture {
    ImageFixture::new(
        arch,
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(
            tar(&[Entry::File("etc/data", text)]),
            "COPY data /etc/",
        )],
    )
}

#[tokio::test]
async fn catalog_and_tags_page_through_hundreds_of_repos_and_a_thousand_tags() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let img = small_image("amd64", b"shared");
    let repos: Vec<String> = (0..120)
        .map(|i| format!("team-{}/app-{i:03}", i % 3))
        .collect();
    futures::stream::iter(repos.iter())
        .for_each_concurrent(16, |r| {
            let (s, img) = (s.clone(), img.clone());
            async move {
                img.push(&s, r, &["v1"]).await;
            }
        })
        .await;
    let pushed = img.push(&s, "big/tags", &["t-seed"]).await;
    let tags: Vec<String> = (0..1050).map(|i| format!("t-{i:04}")).collect();
    futures::stream::iter(tags.iter())
        .for_each_concurrent(32, |t| {
            let s = s.clone();
            let (mt, body) = (pushed.media_type.clone(), pushed.manifest.clone());
            async move {
                s.push_manifest("big/tags", t, &mt, &body).await;
            }
        })
        .await;

    let c = client(&reg).with_page_size(50);
    let mut expected: Vec<String> = repos.clone();
    expected.push("big/tags".into());
    expected.sort();
    let got = c.repositories(None).await.unwrap();
    assert_eq!(got, expected);
    let team1 = c.repositories(Some("team-1")).await.unwrap();
    assert_eq!(team1.len(), 40);
    assert!(team1.iter().all(|r| r.starts_with("team-1/")));
    assert!(
        c.repositories(Some("team")).await.unwrap().is_empty(),
        "prefix is a path segment"
    );
    // 121 repositories at 50 per page is at least 3 catalog pages per listing.
    assert!(c.stats().requests >= 9, "{:?}", c.stats());

    let mut want_tags = tags.clone();
    want_tags.push("t-seed".into());
    want_tags.sort();
    let got_tags = c.tags("big/tags").await.unwrap();
    assert_eq!(got_tags.len(), 1051);
    assert_eq!(got_tags, want_tags);
}

#[tokio::test]
async fn manifests_of_every_kind_resolve_verify_and_match_the_fixture_bytes() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let amd = small_image("amd64", b"amd");
    let mut arm = small_image("arm64", b"arm");
    arm.variant = Some("v8".into());
    let mut docker = small_image("amd64", b"docker");
    docker.docker = true;
    let p_amd = amd.push(&s, "kinds/app", &["oci"]).await;
    let p_arm = arm.push(&s, "kinds/app", &[]).await;
    let p_docker = docker.push(&s, "kinds/app", &["docker"]).await;
    let p_index = push_index(
        &s,
        "kinds/app",
        false,
        &[(&amd, &p_amd), (&arm, &p_arm)],
        vec![],
        &["multi"],
    )
    .await;
    let p_list = push_index(
        &s,
        "kinds/app",
        true,
        &[(&docker, &p_docker)],
        vec![],
        &["list"],
    )
    .await;
    let c = client(&reg);

    for (tag, p, mt) in [
        ("oci", &p_amd, media::OCI_MANIFEST),
        ("docker", &p_docker, media::DOCKER_MANIFEST),
        ("multi", &p_index, media::OCI_INDEX),
        ("list", &p_list, media::DOCKER_LIST),
    ] {
        let head = c.head_manifest("kinds/app", tag).await.unwrap();
        assert_eq!(head.digest.as_str(), sha256(&p.manifest), "{tag}");
        assert_eq!(head.media_type, mt, "{tag}");
        assert_eq!(head.size, p.manifest.len() as u64, "{tag}");
        let got = c.manifest("kinds/app", tag).await.unwrap();
        assert_eq!(got.bytes, p.manifest, "{tag}");
        assert_eq!(got.digest.as_str(), p.digest, "{tag}");
        assert_eq!(got.media_type, mt, "{tag}");
        let by_digest = c.manifest("kinds/app", &p.digest).await.unwrap();
        assert_eq!(by_digest.bytes, p.manifest);
    }
    let Manifest::Index(idx) = c.manifest("kinds/app", "multi").await.unwrap().manifest else {
        panic!("multi is an index")
    };
    let plats: Vec<String> = idx
        .manifests
        .iter()
        .map(|d| d.platform.as_ref().unwrap().to_platform().to_string())
        .collect();
    assert_eq!(plats, vec!["linux/amd64", "linux/arm64/v8"]);

    // Config read whole and verified; layer streamed; sizes from HEAD.
    let (cfg_digest, cfg_size) = &p_amd.blobs[0];
    let cfg = Digest::parse(cfg_digest).unwrap();
    assert_eq!(
        c.blob("kinds/app", &cfg, 1 << 20).await.unwrap(),
        p_amd.config
    );
    assert_eq!(
        c.head_blob("kinds/app", &cfg).await.unwrap(),
        Some(*cfg_size)
    );
    let (layer_digest, layer_size) = &p_amd.blobs[1];
    let layer = Digest::parse(layer_digest).unwrap();
    let mut bytes = Vec::new();
    c.blob_reader("kinds/app", &layer)
        .await
        .unwrap()
        .read_to_end(&mut bytes)
        .await
        .unwrap();
    assert_eq!(bytes.len() as u64, *layer_size);
    assert_eq!(sha256(&bytes), *layer_digest);
    let absent = Digest::sha256_of(b"never pushed");
    assert_eq!(c.head_blob("kinds/app", &absent).await.unwrap(), None);
    let e = c.blob("kinds/app", &cfg, 10).await.unwrap_err();
    assert!(
        matches!(e, RegistryError::TooLarge { limit: 10, .. }),
        "{e}"
    );

    // Missing things name registry, repository and reference.
    let e = c.manifest("kinds/app", "nope").await.unwrap_err();
    assert_eq!(e.http_status(), Some(404));
    assert_eq!(e.error_code(), Some("MANIFEST_UNKNOWN"));
    assert!(
        e.to_string()
            .starts_with(&format!("{}/kinds/app:nope: not found", reg.addr)),
        "{e}"
    );
    let e = c.tags("kinds/none").await.unwrap_err();
    assert_eq!(e.error_code(), Some("NAME_UNKNOWN"), "{e}");
}

#[tokio::test]
async fn delete_is_by_digest_and_referrers_fall_back_on_distribution_2() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let p = small_image("amd64", b"gone")
        .push(&s, "del/app", &["v1", "v2"])
        .await;
    let c = client(&reg);
    let d = Digest::parse(&p.digest).unwrap();
    assert_eq!(
        c.referrers("del/app", &d).await.unwrap(),
        Referrers::Unsupported
    );
    c.delete_manifest("del/app", &d).await.unwrap();
    assert_eq!(s.manifest_status("del/app", "v1").await, 404);
    assert_eq!(s.manifest_status("del/app", "v2").await, 404);
    let e = c.delete_manifest("del/app", &d).await.unwrap_err();
    assert_eq!(e.http_status(), Some(404), "{e}");

    // put_manifest round-trips and reports the digest of the bytes.
    let pushed = c
        .put_manifest("del/app", "again", &p.media_type, &p.manifest)
        .await
        .unwrap();
    assert_eq!(pushed.as_str(), p.digest);
    assert_eq!(s.manifest_status("del/app", "again").await, 200);
    let e = c
        .put_manifest(
            "del/app",
            &Digest::sha256_of(b"x").to_string(),
            &p.media_type,
            &p.manifest,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::DigestMismatch { .. }), "{e}");
}
