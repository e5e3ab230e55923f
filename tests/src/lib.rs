//! Cross-crate tests with real parts live in tests/it.
