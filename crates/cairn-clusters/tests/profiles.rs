//! Profiles and tokens in a real settings folder, with the encrypted file (no keyring in tests).

use cairn_clusters::{ClusterError, Clusters, normalize};
use cairn_types::{AddCluster, ClusterKind, TokenStorage};

fn add(name: &str, address: &str, token: Option<&str>) -> AddCluster {
    AddCluster { name: name.into(), kind: ClusterKind::Ray, address: address.into(), token: token.map(Into::into) }
}

/// The keyring is skipped (CAIRN_KEYRING=off, set for every test by .cargo/config.toml), so a test never
/// touches a developer's real keyring and the encrypted file is what is tested.
fn clusters(dir: &std::path::Path) -> Clusters {
    assert_eq!(std::env::var("CAIRN_KEYRING").as_deref(), Ok("off"), "run through cargo, which sets CAIRN_KEYRING=off");
    Clusters::new(dir)
}

#[test]
fn a_profile_round_trips_and_its_token_is_never_in_the_profile_file() {
    let dir = tempfile::tempdir().unwrap();
    let c = clusters(dir.path());
    let p = c.add(&add("lab", "ray://10.0.0.5:8265/", Some("s3cret-token-value"))).unwrap();
    assert_eq!(p.address, "http://10.0.0.5:8265");
    assert_eq!(p.token_storage, TokenStorage::EncryptedFile);
    assert!(p.token_location.contains("secrets.enc"), "{}", p.token_location);
    assert_eq!(c.token("lab").unwrap().as_deref(), Some("s3cret-token-value"));
    // A second instance (another process) reads the same.
    assert_eq!(Clusters::new(dir.path()).token("lab").unwrap().as_deref(), Some("s3cret-token-value"));
    for f in ["clusters.toml", "secrets.enc", "secrets.key"] {
        let bytes = std::fs::read(dir.path().join(f)).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("s3cret-token-value"), "{f} holds the token in clear");
    }
    #[cfg(unix)]
    for f in ["secrets.enc", "secrets.key"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{f}");
    }
    assert_eq!(c.by_address("127.0.0.1:1"), None);
    assert_eq!(c.by_address("http://10.0.0.5:8265").map(|p| p.name), Some("lab".into()));
}

#[test]
fn replacing_and_removing_a_profile_forgets_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let c = clusters(dir.path());
    c.add(&add("a", "h:1", Some("one"))).unwrap();
    c.add(&add("b", "h:2", Some("two"))).unwrap();
    let p = c.add(&add("a", "h:3", None)).unwrap();
    assert_eq!(p.token_storage, TokenStorage::None);
    assert_eq!(c.token("a").unwrap(), None);
    assert_eq!(c.token("b").unwrap().as_deref(), Some("two"));
    c.remove("b").unwrap();
    let names: Vec<_> = c.list().unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["a"]);
    let sealed = std::fs::read_to_string(dir.path().join("secrets.enc")).unwrap();
    assert!(!sealed.contains("\"b\""), "{sealed}");
    match c.remove("b") {
        Err(ClusterError::NotFound { known, .. }) => assert_eq!(known, ["a"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_altered_sealed_file_or_a_lost_key_is_a_clear_error_not_a_wrong_token() {
    let dir = tempfile::tempdir().unwrap();
    let c = clusters(dir.path());
    c.add(&add("lab", "h:1", Some("tok"))).unwrap();
    c.add(&add("other", "h:2", Some("tok2"))).unwrap();
    // Swap the two sealed values: the name is bound to each, so neither opens.
    let path = dir.path().join("secrets.enc");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let (a, b) = (v["tokens"]["lab"].clone(), v["tokens"]["other"].clone());
    v["tokens"]["lab"] = b;
    v["tokens"]["other"] = a;
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    let err = c.token("lab").unwrap_err();
    assert!(matches!(err, ClusterError::Sealed { .. }), "{err}");
    assert!(err.to_string().contains("secrets.enc"), "{err}");
    let api: cairn_types::ApiError = err.into();
    assert_eq!(api.code, cairn_types::ErrorCode::ClusterAuth);

    std::fs::write(&path, b"{not json").unwrap();
    assert!(c.token("lab").unwrap_err().to_string().contains("damaged"));
    std::fs::write(dir.path().join("secrets.key"), b"short").unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(c.token("lab").unwrap(), None, "no sealed file: no token, and no error about the key");
}

#[test]
fn bad_names_addresses_and_a_hand_broken_profile_file_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let c = clusters(dir.path());
    for (name, why) in [("", "empty"), ("a b", "characters"), (&"x".repeat(65), "64")] {
        let e = c.add(&add(name, "h:1", None)).unwrap_err();
        assert!(e.to_string().contains(why), "{e}");
    }
    for (addr, why) in [("", "empty"), ("ftp://h:1", "`ftp`"), ("h:99999", "99999"), ("http://", "no host")] {
        let e = normalize(addr).unwrap_err();
        assert!(e.to_string().contains(why), "{addr}: {e}");
    }
    assert_eq!(normalize("https://ray.example.org/dash").unwrap(), "https://ray.example.org/dash");
    assert_eq!(normalize("[::1]:8265").unwrap(), "http://[::1]:8265");
    std::fs::write(dir.path().join("clusters.toml"), "[[cluster]]\nname = 3\n").unwrap();
    let e = c.list().unwrap_err();
    assert!(e.to_string().contains("clusters.toml"), "{e}");
    let api: cairn_types::ApiError = c.get("x").unwrap_err().into();
    assert_eq!(api.code, cairn_types::ErrorCode::FileUnreadable);
}
