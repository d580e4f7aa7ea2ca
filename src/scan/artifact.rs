//! How scanner reports travel as OCI artifacts: the artifact (and layer) media types the
//! demo fleet and our tests attach, and that detection accepts besides content sniffing.

/// Trivy's JSON report (`trivy image --format json`).
pub const TRIVY_JSON: &str = "application/vnd.aquasec.trivy.report.v1+json";
/// Grype's JSON report (`grype -o json`).
pub const GRYPE_JSON: &str = "application/vnd.anchore.grype.report.v1+json";
/// SARIF 2.1.0, as Trivy, Grype and Snyk can emit.
pub const SARIF: &str = "application/sarif+json";
/// A cosign attestation: a DSSE envelope around an in-toto statement.
pub const DSSE_ENVELOPE: &str = "application/vnd.dsse.envelope.v1+json";
/// cosign's vulnerability attestation predicate type.
pub const COSIGN_VULN_PREDICATE: &str = "https://cosign.sigstore.dev/attestation/vuln/v1";
/// The payload type of a DSSE envelope carrying an in-toto statement.
pub const IN_TOTO_PAYLOAD: &str = "application/vnd.in-toto+json";
