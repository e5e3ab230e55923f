//! The model registry in the studio: groups, versions with approval, aliases, history, model cards.
