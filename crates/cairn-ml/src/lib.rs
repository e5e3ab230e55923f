//! Machine learning for Cairn (being built): trainers, metrics and model files as functions of (frame, spec).
