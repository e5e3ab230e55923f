//! Batch transform: predictions over a dataset or a file of any size, in chunks, resumable.
