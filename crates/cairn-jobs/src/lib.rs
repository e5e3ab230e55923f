//! Jobs (being built): serializable job specs and executors.
