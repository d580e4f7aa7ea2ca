//! Pull-failure diagnosis: walks the pull path step by step.
