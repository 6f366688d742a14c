//! Bridges to other async ecosystems, each behind a cargo feature.

#[cfg(feature = "tokio")]
pub mod tokio;

#[cfg(feature = "hyper")]
pub mod hyper;
