//! Lifecycle and cleanup policy evaluators (ECR, Artifact Registry, ACR purge, Harbor) producing a deletion plan.
