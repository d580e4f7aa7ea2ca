//! The terminal UI (ratatui + crossterm). Nothing in the engine imports this.
