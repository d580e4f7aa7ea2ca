//! An ECR target as a `ManifestSource`: listings from the ECR API (moto), manifests and
//! blobs from an OCI registry endpoint (the real docker-registry, behind Basic auth with
//! the user and password moto's GetAuthorizationToken hands out).

use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
use crate::support::moto::{Moto, ACCOUNT, REGION};
use crate::support::registry::{RegistryAuth, TestRegistry};
use crate::support::seed::Seeder;
use regscope::config::RegistrySettings;
use regscope::model::Digest;
use regscope::registry::ecr::{EcrClient, EcrManifestSource};
use regscope::registry::{ClientOptions, ManifestSource, Target};
use std::sync::Arc;

#[tokio::test]
async fn ecr_serves_manifests_and_blobs_through_the_oci_api_with_its_token() {
    let Some(m) = Moto::start() else { return };
    // moto's token is base64("AWS:<account>-auth-token").
    let password = format!("{ACCOUNT}-auth-token");
    let Some(reg) = TestRegistry::start_with(RegistryAuth::Basic {
        user: "AWS".into(),
        password: password.clone(),
    }) else {
        return;
    };
    let seeder = Seeder::new(&reg.base_url()).with_basic("AWS", &password);
    let img = ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(
            tar(&[Entry::File("etc/app", b"v1\n")]),
            "COPY app /etc/",
        )],
    );
    let pushed = img.push(&seeder, "team-a/api", &["v1"]).await;
    // The same manifest, same digest, known to the ECR API.
    m.create_repository("team-a/api", false, false).await;
    let text = String::from_utf8(pushed.manifest.clone()).unwrap();
    assert_eq!(
        m.put_image("team-a/api", &text, &pushed.media_type, Some("v1"))
            .await,
        pushed.digest
    );

    let address = format!("ecr://{ACCOUNT}/{REGION}");
    let settings = RegistrySettings::for_address(&address);
    let ecr = EcrClient::connect(
        &Target::parse(&address).unwrap(),
        &settings,
        m.connect_options(),
    )
    .await
    .unwrap();
    let docker_dir = tempfile::tempdir().unwrap();
    let src = EcrManifestSource::new(Arc::new(ecr), &settings).with_endpoint_host(
        &reg.addr,
        ClientOptions {
            docker_config_dir: Some(docker_dir.path().to_path_buf()),
            ..ClientOptions::default()
        },
    );
    assert!(src.opening_counts_as_pull());
    assert_eq!(src.repositories(None).await.unwrap(), ["team-a/api"]);
    assert_eq!(src.tags("team-a/api").await.unwrap(), ["v1"]);

    let digest = Digest::parse(&pushed.digest).unwrap();
    let got = src.manifest("team-a/api", "v1").await.unwrap();
    assert_eq!(got.digest, digest);
    assert_eq!(got.bytes, pushed.manifest);
    let (config_digest, config_size) = &pushed.blobs[0];
    let config = src
        .blob(
            "team-a/api",
            &Digest::parse(config_digest).unwrap(),
            1 << 20,
        )
        .await
        .unwrap();
    assert_eq!(config.len() as u64, *config_size);
    assert_eq!(config, pushed.config);

    let ops = m.recorded_operations();
    assert!(ops.iter().any(|o| o == "GetAuthorizationToken"), "{ops:?}");
    assert!(!ops.iter().any(|o| o == "BatchGetImage"), "{ops:?}");
}
