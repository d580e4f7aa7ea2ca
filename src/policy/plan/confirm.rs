//! What a person types before a plan is carried out, decided once for both front ends:
//! the repository's name when the plan removes images from one repository, else the
//! number of images removed. Only removals count — untag and archive actions are not
//! carried out, so they neither widen the word nor the count.

use super::DeletionPlan;

/// The typed confirmation of a deletion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmation {
    /// What must be typed, exactly.
    pub word: String,
    /// What the word is, as a person reads it: `the repository name (app)` or
    /// `the number of images (12) across 3 repositories`.
    pub what: String,
    /// Images the deletion removes.
    pub removals: usize,
    /// Repositories it removes them from, sorted.
    pub repositories: Vec<String>,
}

impl DeletionPlan {
    /// Actions `regscope delete` carries out (the ones that remove a manifest).
    pub fn removals(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| a.action.removes_manifest())
            .count()
    }

    /// Repositories the plan removes a manifest from, sorted and without repeats.
    pub fn removal_repositories(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .actions
            .iter()
            .filter(|a| a.action.removes_manifest())
            .map(|a| a.repository.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The confirmation to ask for; `None` when the plan removes nothing.
    pub fn confirmation(&self) -> Option<Confirmation> {
        let repositories = self.removal_repositories();
        let removals = self.removals();
        let (word, what) = match repositories.as_slice() {
            [] => return None,
            [one] => (one.clone(), format!("the repository name ({one})")),
            many => (
                removals.to_string(),
                format!(
                    // plural: never one: one repository is matched above
                    "the number of images ({removals}) across {} repositories",
                    many.len()
                ),
            ),
        };
        Some(Confirmation {
            word,
            what,
            removals,
            repositories,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Digest;
    use crate::policy::{ActionKind, PlanAction};

    fn action(repo: &str, n: u8, action: ActionKind) -> PlanAction {
        PlanAction {
            repository: repo.into(),
            digest: Digest::sha256_of(&[n]),
            action,
            tag: None,
            tags: vec![],
            rule: "1".into(),
            reason: "r".into(),
            time_source: None,
            bytes: None,
            media_type: None,
            children: vec![],
        }
    }

    fn plan(actions: Vec<PlanAction>) -> DeletionPlan {
        let mut p: DeletionPlan = serde_json::from_value(serde_json::json!({
            "schema": crate::policy::PLAN_SCHEMA,
            "policy_format": "ecr",
            "evaluated_at": "2026-01-01T00:00:00Z",
            "actions": [], "protected": [], "warnings": [],
            "summary": {"images": 0, "actions": 0, "naive_bytes": 0, "reclaimed_bytes": 0}
        }))
        .unwrap();
        p.actions = actions;
        p
    }

    #[test]
    fn one_repository_asks_for_its_name() {
        let c = plan(vec![
            action("app", 1, ActionKind::Expire),
            action("app", 2, ActionKind::Delete),
            // An untag elsewhere is not carried out: it does not widen the word.
            action("other", 3, ActionKind::Untag),
        ])
        .confirmation()
        .unwrap();
        assert_eq!(c.word, "app");
        assert_eq!(c.what, "the repository name (app)");
        assert_eq!(c.removals, 2);
    }

    #[test]
    fn several_repositories_ask_for_the_count() {
        let c = plan(vec![
            action("a", 1, ActionKind::Delete),
            action("b", 2, ActionKind::Delete),
            action("b", 3, ActionKind::Expire),
        ])
        .confirmation()
        .unwrap();
        assert_eq!(c.word, "3");
        assert_eq!(c.what, "the number of images (3) across 2 repositories");
        assert_eq!(c.repositories, ["a", "b"]);
    }

    #[test]
    fn nothing_removed_asks_nothing() {
        let p = plan(vec![
            action("a", 1, ActionKind::Untag),
            action("a", 2, ActionKind::Transition),
        ]);
        assert_eq!(p.confirmation(), None);
        assert_eq!(p.removals(), 0);
    }

    #[test]
    fn actions_read_and_write_as_lowercase_words() {
        for k in ActionKind::ALL {
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{k}\""));
            assert_eq!(serde_json::from_str::<ActionKind>(&json).unwrap(), k);
            assert_eq!(ActionKind::parse(k.as_str()), Some(k));
        }
        let bad = serde_json::json!({
            "schema": crate::policy::PLAN_SCHEMA, "policy_format": "ecr",
            "evaluated_at": "2026-01-01T00:00:00Z",
            "actions": [{"repository": "a", "digest": format!("sha256:{}", "1".repeat(64)),
                         "action": "shred", "rule": "1", "reason": "r"}],
            "protected": [], "warnings": [],
            "summary": {"images": 0, "actions": 0, "naive_bytes": 0, "reclaimed_bytes": 0}
        });
        let e = DeletionPlan::from_json(&bad.to_string()).unwrap_err();
        assert!(e.contains("shred"), "{e}");
    }
}
