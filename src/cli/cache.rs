//! `regscope cache prune|clear`: the local store (manifests, configs, last known
//! inventories, history) in the cache dir.

use super::output::{EXIT_ERROR, EXIT_OK};
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct CacheArgs {
    #[command(subcommand)]
    pub action: CacheAction,
}

#[derive(Debug, Subcommand)]
pub enum CacheAction {
    /// Drop manifests and configs no last known inventory shows, and unfinished crawls;
    /// keep the history. Then compact the file.
    Prune,
    /// Delete the store (its history too). The next command starts a fresh one.
    Clear,
}

pub fn run(args: CacheArgs) -> anyhow::Result<i32> {
    let path = crate::store::default_path();
    match args.action {
        CacheAction::Clear => match crate::store::clear(&path) {
            Ok(freed) => {
                println!(
                    "cleared {} ({} freed)",
                    path.display(),
                    crate::text::size(freed)
                );
                Ok(EXIT_OK)
            }
            Err(e) => {
                eprintln!("regscope: cannot remove {}: {e}", path.display());
                Ok(EXIT_ERROR)
            }
        },
        CacheAction::Prune => {
            if crate::store::size_on_disk(&path) == 0 {
                println!("nothing to prune: {} does not exist yet", path.display());
                return Ok(EXIT_OK);
            }
            let store = match crate::store::Store::open(&path) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("regscope: {e}");
                    return Ok(EXIT_ERROR);
                }
            };
            match store.prune() {
                Some(p) => {
                    println!(
                        "pruned {}: {}, {}, {}; {} -> {}",
                        path.display(),
                        crate::text::count(p.manifests, "manifest"),
                        crate::text::count(p.configs, "config"),
                        crate::text::count(p.crawls, "unfinished crawl"),
                        crate::text::size(p.bytes_before),
                        crate::text::size(p.bytes_after)
                    );
                    Ok(EXIT_OK)
                }
                None => {
                    eprintln!("regscope: pruning {} failed (see the log)", path.display());
                    Ok(EXIT_ERROR)
                }
            }
        }
    }
}
