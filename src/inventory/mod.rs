//! Crawls a registry into inventory records, streaming: repositories, then each
//! repository's images once all of its manifests are known (unique bytes need the whole
//! repository). The TUI and the CLI consume the same [`InventoryEvent`] stream.

mod event;

pub use event::InventoryEvent;
