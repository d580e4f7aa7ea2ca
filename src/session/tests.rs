use super::*;

fn settings(address: &str, kind: Option<Kind>) -> RegistrySettings {
    RegistrySettings {
        kind,
        ..RegistrySettings::for_address(address)
    }
}

#[tokio::test]
async fn the_config_kind_wins_and_the_address_needs_no_probe() {
    let host = Target::parse("harbor.internal.example").unwrap();
    // No network: the configured kind is taken as said.
    let s = open(
        &host,
        &settings("harbor.internal.example", Some(Kind::Harbor)),
    )
    .await;
    assert_eq!(s.kind(), Kind::Harbor);
    assert!(s.caps().manifest_read_counts_as_pull);
    let ecr = Target::parse("ecr://eu-west-1").unwrap();
    let s = open(&ecr, &settings("ecr://eu-west-1", None)).await;
    assert_eq!(s.kind(), Kind::Ecr);
    assert_eq!(
        s.opening_note().as_deref(),
        Some(crate::registry::ecr::OPENING_COUNTS_AS_PULL)
    );
    // A kind that does not fit the address is ignored, not obeyed.
    let s = open(&ecr, &settings("ecr://eu-west-1", Some(Kind::Harbor))).await;
    assert_eq!(s.kind(), Kind::Ecr);
}

#[test]
fn before_opening_the_kind_comes_from_settings_or_address() {
    let t = Target::parse("myreg.azurecr.io").unwrap();
    assert_eq!(kind_without_probe(&t, &settings("x", None)), Kind::Acr);
    let t = Target::parse("reg.example.com").unwrap();
    assert_eq!(
        kind_without_probe(&t, &settings("x", None)),
        Kind::Distribution
    );
    assert_eq!(
        kind_without_probe(&t, &settings("x", Some(Kind::Gar))),
        Kind::Gar
    );
}

#[tokio::test]
async fn a_read_only_registry_has_no_deletion_target() {
    let t = Target::parse("oci:/nonexistent").unwrap();
    let s = Session::with_kind(
        &t,
        &RegistrySettings {
            read_only: true,
            ..RegistrySettings::for_address("oci:/nonexistent")
        },
        Kind::Layout,
    );
    let e = s.deletion_target().await.err().unwrap();
    assert!(e.to_string().contains("read_only"), "{e}");
    // Kinds without a policy of their own answer "none" without asking.
    assert_eq!(s.own_policy("any").await.unwrap(), None);
}
