//! `regscope repos TARGET --quick | --names-only`: repositories straight from the catalog
//! (and tag lists for `--quick`), reading no manifest. For a first look at a large
//! registry, or a script that only needs names; the full `repos` measures sizes.

use super::output::{
    print_stdout, traffic_line, Table, EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, UNKNOWN,
};
use super::repos::{RepoJson, ReposArgs};
use crate::inventory::listing::list_repositories;

pub async fn run(args: &ReposArgs) -> i32 {
    let session = match super::source::open_target(&args.target).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("regscope: {e}");
            return EXIT_USAGE;
        }
    };
    if args.verbose {
        eprintln!("{}", super::source::kind_line(&session));
    }
    let (target, settings) = (session.target().clone(), session.settings().clone());
    let registry = session.name();
    // Catalog and tag lists only: no manifest read, so nothing that counts as a pull.
    let source = match session.source() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("regscope: {e} ({})", e.next_step());
            return EXIT_ERROR;
        }
    };
    let listing = match list_repositories(
        source.as_ref(),
        target.prefix(),
        args.quick,
        settings.concurrency(),
    )
    .await
    {
        Ok(l) => l,
        Err(e) => {
            if args.verbose {
                eprintln!("{}", traffic_line(&registry, &source.stats()));
            }
            eprintln!("regscope: {e}");
            return EXIT_ERROR;
        }
    };
    if args.verbose {
        eprintln!("{}", traffic_line(&registry, &listing.stats));
    }
    let repos = &listing.repositories;
    if args.json {
        let rows: Vec<RepoJson> = repos
            .iter()
            .map(|r| RepoJson {
                registry: &registry,
                repository: &r.name,
                images: None,
                tags: r.tags,
                total_bytes: None,
                unique_bytes: None,
                newest_created: None,
                newest_push: None,
                oldest_pull: None,
                complete: r.error.is_none(),
            })
            .collect();
        match serde_json::to_string_pretty(&rows) {
            Ok(s) => print_stdout(&(s + "\n")),
            Err(e) => {
                eprintln!("regscope: cannot write JSON: {e}");
                return EXIT_ERROR;
            }
        }
    } else if args.names_only {
        let mut out = String::new();
        for r in repos {
            out.push_str(&r.name);
            out.push('\n');
        }
        print_stdout(&out);
    } else {
        let mut t = Table::new(&["REPOSITORY", "TAGS"]).right_align(&[1]);
        for r in repos {
            let tags = r
                .tags
                .map_or_else(|| UNKNOWN.to_string(), |n| n.to_string());
            t.row(vec![r.name.clone(), tags]);
        }
        print_stdout(&if t.is_empty() {
            "no repositories\n".to_string()
        } else {
            t.render()
        });
    }
    let failed: Vec<_> = repos.iter().filter_map(|r| r.error.as_ref()).collect();
    if failed.is_empty() {
        return EXIT_OK;
    }
    for e in &failed {
        eprintln!("regscope: warning: {e}");
    }
    eprintln!(
        "regscope: partial listing: the tags of {} of {} {} could not be listed; exit code {EXIT_PARTIAL}",
        failed.len(),
        repos.len(),
        crate::text::plural(repos.len(), "repository", "repositories")
    );
    EXIT_PARTIAL
}
