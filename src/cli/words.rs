//! What a bare word on the command line is. `regscope WORD` opens the explorer on WORD only
//! when WORD looks like a registry; anything else is a mistyped command (`regscope version`,
//! `regscope repo HOST`) and gets `unknown command` with a suggestion, exit 2, and no
//! network: a DNS lookup and three retries on "version" helps nobody.
//!
//! The rule is distribution's for a registry host (`splitDockerDomain`: a `.` or a `:`, or
//! `localhost`), plus regscope's own schemes (`ecr://`, `oci:`) and the names of the config
//! file's `[[registry]]` entries (`regscope prod`).

/// Whether `word` can be a TARGET: `configured` are the `[[registry]]` names.
pub fn looks_like_target(word: &str, configured: &[String]) -> bool {
    let first = word.split('/').next().unwrap_or(word);
    word.starts_with("ecr://")
        || word.starts_with("oci:")
        || first.contains(['.', ':'])
        || first.eq_ignore_ascii_case("localhost")
        || configured.iter().any(|n| n == first || n == word)
}

/// The message for a word that is neither a command nor a target, with the nearest
/// command when one is close enough to be a typo.
pub fn unknown_command(word: &str, commands: &[String]) -> String {
    let mut msg = format!("unknown command '{word}'");
    if let Some(near) = nearest(word, commands) {
        msg.push_str(&format!("\n\n  tip: a similar command exists: '{near}'"));
    }
    msg.push_str(
        "\n\nA TARGET must look like a registry: a host with '.' or ':' (ghcr.io/org, \
         127.0.0.1:5000), localhost, ecr://REGION, oci:DIR, or a [[registry]] name from the \
         config file.\nFor more information, try 'regscope --help'.",
    );
    msg
}

/// The message for a `login`/`logout` argument that is not a registry: why, and the
/// command it is near when it looks like one (`regscope login repos` meant `regscope repos`).
pub fn not_a_registry(command: &str, word: &str, commands: &[String]) -> String {
    let mut msg = format!(
        "{command}: '{word}' is not a registry: a registry is a host with '.' or ':' \
         (ghcr.io, 127.0.0.1:5000, a one-word host with its port: myhost:443), localhost, \
         or a [[registry]] name from the config file"
    );
    if let Some(near) = nearest(word, commands) {
        if near == word {
            msg.push_str(&format!(
                "\n\n  tip: '{word}' is a regscope command: regscope {word} ..."
            ));
        } else {
            msg.push_str(&format!(
                "\n\n  tip: a similar command exists: '{near}' (regscope {near} ...)"
            ));
        }
    }
    msg.push_str(&format!("\nUsage: regscope {command} REGISTRY"));
    msg
}

/// The command closest to `word`: a prefix either way (`repo` → `repos`), else within
/// an edit distance of a third of the word (at least 1).
fn nearest<'a>(word: &str, commands: &'a [String]) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    if let Some(c) = commands
        .iter()
        .filter(|c| w.len() >= 2 && (c.starts_with(&w) || w.starts_with(c.as_str())))
        .min_by_key(|c| c.len().abs_diff(w.len()))
    {
        return Some(c);
    }
    let limit = (w.chars().count() / 3).max(1);
    commands
        .iter()
        .map(|c| (edit_distance(&w, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.as_str())
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands() -> Vec<String> {
        [
            "plan",
            "repos",
            "images",
            "inspect",
            "completion",
            "login",
            "layers",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn registries_look_like_hosts_schemes_or_configured_names() {
        let named = vec!["prod".to_string()];
        for t in [
            "ghcr.io",
            "ghcr.io/org",
            "127.0.0.1:5000",
            "localhost",
            "localhost/team",
            "LOCALHOST",
            "[::1]:5000",
            "ecr://eu-west-1",
            "oci:./dir",
            "prod",
            "prod/team",
        ] {
            assert!(looks_like_target(t, &named), "{t}");
        }
        for w in [
            "version",
            "repo",
            "login",
            "completion",
            "help2",
            "team/app",
        ] {
            assert!(!looks_like_target(w, &named), "{w}");
        }
    }

    #[test]
    fn unknown_words_suggest_the_nearest_command() {
        let c = commands();
        assert_eq!(nearest("repo", &c), Some("repos"));
        assert_eq!(nearest("imags", &c), Some("images"));
        assert_eq!(nearest("inpsect", &c), Some("inspect"));
        assert_eq!(nearest("completions", &c), Some("completion"));
        assert_eq!(nearest("version", &c), None);
        let m = unknown_command("repo", &c);
        assert!(m.starts_with("unknown command 'repo'"), "{m}");
        assert!(m.contains("'repos'"), "{m}");
        assert!(!unknown_command("version", &c).contains("similar"));
    }

    #[test]
    fn a_login_word_that_is_no_registry_says_why_and_the_near_command() {
        let c = commands();
        let m = not_a_registry("login", "repos", &c);
        assert!(m.starts_with("login: 'repos' is not a registry: "), "{m}");
        assert!(m.contains("'repos' is a regscope command"), "{m}");
        let m = not_a_registry("login", "imags", &c);
        assert!(m.contains("similar command exists: 'images'"), "{m}");
        let m = not_a_registry("logout", "myregistry", &c);
        assert!(!m.contains("tip"), "{m}");
        assert!(
            m.contains("myhost:443") && m.ends_with("regscope logout REGISTRY"),
            "{m}"
        );
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
