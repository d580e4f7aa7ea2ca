//! The `Examples:` section of every command's `--help` (and of its man page), kept in one
//! table so a command added without examples fails `every_command_has_examples`.

/// (command path, examples). A path is the subcommand names joined by spaces.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "",
        "  regscope ghcr.io/acme                 # explore a registry (or a prefix of it)
  regscope prod                         # a [[registry]] entry of the config file
  regscope oci:./images                 # a directory of OCI image layouts
  regscope demo                         # a realistic fleet, built locally",
    ),
    (
        "plan",
        "  regscope plan ghcr.io/acme --policy lifecycle.json
  regscope plan prod --policy cleanup.json -o plan.json      # for regscope delete
  regscope plan --inventory images.json --policy purge.txt --policy-format acr
  regscope plan ecr://eu-west-1                  # each repository's own lifecycle policy",
    ),
    (
        "delete",
        "  regscope delete --plan plan.json                # review, type the confirmation
  regscope delete --plan plan.json --yes --json   # automation, after review",
    ),
    (
        "restore",
        "  regscope restore AUDIT.jsonl                    # the log regscope delete named
  regscope restore audit.jsonl --json             # one JSON object per item",
    ),
    (
        "layers",
        "  regscope layers nginx:1.27
  regscope layers ghcr.io/acme/api:v2 --platform linux/arm64 --files
  regscope layers oci:./images/app:v1 --json
  regscope layers ghcr.io/acme/api:v2 --ci        # dive's CI gate, rules from ./.dive-ci
  regscope layers ghcr.io/acme/api:v2 --ci --ci-config ci/dive.yaml",
    ),
    (
        "cat",
        "  regscope cat alpine:3.20 /etc/os-release
  regscope cat ghcr.io/acme/api:v2 /app/config.yaml --platform linux/amd64 > config.yaml",
    ),
    (
        "diff",
        "  regscope diff ghcr.io/acme/api:v1 ghcr.io/acme/api:v2
  regscope diff nginx:1.26 nginx:1.27 --json",
    ),
    (
        "demo",
        "  regscope demo                     # build once, then explore
  regscope demo --build-only        # print the oci: target and exit",
    ),
    (
        "repos",
        "  regscope repos ghcr.io/acme
  regscope repos prod --quick                # counts without reading manifests
  regscope repos 127.0.0.1:5000 --names-only | grep team/",
    ),
    (
        "images",
        "  regscope images ghcr.io/acme/team
  regscope images prod --json > inventory.json    # for plan --inventory
  regscope images oci:./images --all",
    ),
    (
        "inspect",
        "  regscope inspect nginx:1.27
  regscope inspect ghcr.io/acme/api@sha256:4f5e… --platform linux/arm64
  regscope inspect prod/team/api:v2 --json
  regscope inspect prod/team/api@0a8b13f7          # a short digest, unique in team/api",
    ),
    (
        "doctor",
        "  regscope doctor ghcr.io/acme/api:v2
  regscope doctor registry.internal:5000/app:1 --ca-file ca.pem
  regscope doctor nginx --platform linux/arm64/v8 --json",
    ),
    (
        "findings",
        "  regscope findings ghcr.io/acme/api:v2
  regscope findings prod --cve CVE-2024-3094
  regscope findings prod --package openssl --below 3.0.14 --json
  regscope findings ghcr.io/acme/api:v2 --fail-on high      # a CI gate",
    ),
    (
        "audit",
        "  regscope audit ecr://eu-west-1                  # every repository, a glyph per check
  regscope audit prod --in-use pods.json          # kubectl get pods -A -o json > pods.json
  regscope audit 127.0.0.1:5000 --json --fail-on warn   # a CI gate: exit 1 on any warn
  regscope audit staging.example.com --compare prod.example.com   # images missing on either side",
    ),
    (
        "history",
        "  regscope history ghcr.io/acme
  regscope history prod --repo team/ --json",
    ),
    (
        "cache",
        "  regscope cache prune
  regscope cache clear",
    ),
    (
        "cache prune",
        "  regscope cache prune          # keep history, drop what no inventory needs",
    ),
    (
        "cache clear",
        "  regscope cache clear          # the next command starts a fresh store",
    ),
    (
        "completion",
        "  regscope completion bash > ~/.local/share/bash-completion/completions/regscope
  regscope completion zsh > \"${fpath[1]}/_regscope\"
  regscope completion fish > ~/.config/fish/completions/regscope.fish",
    ),
    (
        "login",
        "  regscope login ghcr.io -u octocat            # prompts for the password
  echo \"$TOKEN\" | regscope login registry.example.com -u ci --password-stdin",
    ),
    ("logout", "  regscope logout ghcr.io"),
];

/// The examples of the command at `path` (`""` for `regscope` itself, `"cache prune"`).
pub fn for_command(path: &str) -> Option<&'static str> {
    EXAMPLES.iter().find(|(p, _)| *p == path).map(|(_, e)| *e)
}

/// `cmd` with `Examples:` after the help of itself and of every subcommand that has them.
pub fn attach(cmd: clap::Command) -> clap::Command {
    attach_at(cmd, "")
}

fn attach_at(mut cmd: clap::Command, path: &str) -> clap::Command {
    if let Some(e) = for_command(path) {
        cmd = cmd.after_help(format!("Examples:\n{e}"));
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(&name, |s| attach_at(s, &sub_path));
    }
    cmd
}
