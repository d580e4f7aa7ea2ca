//! Streaming layer walk: file trees, wasted bytes, efficiency.
