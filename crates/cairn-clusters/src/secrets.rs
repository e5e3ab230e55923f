//! Where cluster tokens live. The OS keyring when one answers (probed once per process); otherwise
//! `secrets.enc` in the settings folder, each token sealed with ChaCha20-Poly1305 under a key derived
//! from `secrets.key` (random, mode 0600) and this machine's id, with the cluster's name as associated
//! data. That keeps tokens out of backups, synced dotfiles and screenshots of the folder; it does not
//! protect them from a program running as this user, which the keyring does not either once unlocked.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use cairn_types::TokenStorage;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};

use crate::ClusterError;

const SERVICE: &str = "cairn";
const FILE: &str = "secrets.enc";
const KEY_FILE: &str = "secrets.key";
const KDF_CONTEXT: &str = "cairn cluster tokens 2026-11 v1";

#[derive(Default, Serialize, Deserialize)]
struct SealedFile {
    version: u32,
    /// Cluster name → base64(nonce ‖ ciphertext).
    tokens: BTreeMap<String, String>,
}

pub struct Secrets {
    dir: PathBuf,
    keyring: OnceLock<bool>,
}

impl Secrets {
    pub fn new(dir: &Path) -> Self {
        Self { dir: dir.to_path_buf(), keyring: OnceLock::new() }
    }

    /// The sealed file's path.
    pub fn file(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    /// Where a new token goes: the keyring when it works here. `CAIRN_KEYRING=off` skips it.
    pub fn preferred(&self) -> TokenStorage {
        if *self.keyring.get_or_init(keyring_works) { TokenStorage::Keyring } else { TokenStorage::EncryptedFile }
    }

    /// Where a token stored this way is, in words.
    pub fn location(&self, storage: TokenStorage) -> String {
        match storage {
            TokenStorage::Keyring => "the system keyring".into(),
            TokenStorage::EncryptedFile => format!("{} (encrypted)", self.file().display()),
            TokenStorage::None => "no token".into(),
        }
    }

    pub fn put(&self, storage: TokenStorage, name: &str, token: &str) -> Result<(), ClusterError> {
        match storage {
            TokenStorage::Keyring => entry(name)
                .and_then(|e| e.set_password(token))
                .map_err(|e| ClusterError::Keyring { name: name.into(), detail: e.to_string() }),
            TokenStorage::EncryptedFile => {
                let key = self.key(name, true)?;
                let mut file = self.read_file(name)?;
                file.tokens.insert(name.into(), seal(&key, name, token));
                self.write_file(&file)
            }
            TokenStorage::None => Ok(()),
        }
    }

    pub fn get(&self, storage: TokenStorage, name: &str) -> Result<Option<String>, ClusterError> {
        match storage {
            TokenStorage::Keyring => match entry(name).and_then(|e| e.get_password()) {
                Ok(t) => Ok(Some(t)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(ClusterError::Keyring { name: name.into(), detail: e.to_string() }),
            },
            TokenStorage::EncryptedFile => {
                let Some(sealed) = self.read_file(name)?.tokens.remove(name) else { return Ok(None) };
                let key = self.key(name, false)?;
                open(&key, name, &sealed)
                    .map(Some)
                    .ok_or_else(|| self.sealed(name, "the key or this machine changed since it was stored, or the file was altered"))
            }
            TokenStorage::None => Ok(None),
        }
    }

    /// Forgets a token; one that is not there is not an error.
    pub fn delete(&self, storage: TokenStorage, name: &str) -> Result<(), ClusterError> {
        match storage {
            TokenStorage::Keyring => match entry(name).and_then(|e| e.delete_credential()) {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(ClusterError::Keyring { name: name.into(), detail: e.to_string() }),
            },
            TokenStorage::EncryptedFile => {
                let mut file = self.read_file(name)?;
                if file.tokens.remove(name).is_some() { self.write_file(&file) } else { Ok(()) }
            }
            TokenStorage::None => Ok(()),
        }
    }

    fn sealed(&self, name: &str, detail: &str) -> ClusterError {
        ClusterError::Sealed { name: name.into(), path: self.file(), detail: detail.into() }
    }

    fn read_file(&self, name: &str) -> Result<SealedFile, ClusterError> {
        match std::fs::read(self.file()) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| self.sealed(name, &format!("the file is damaged ({e})"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SealedFile { version: 1, ..Default::default() }),
            Err(e) => Err(self.sealed(name, &e.to_string())),
        }
    }

    fn write_file(&self, file: &SealedFile) -> Result<(), ClusterError> {
        let bytes = serde_json::to_vec_pretty(file).unwrap_or_default();
        write_private(&self.file(), &bytes).map_err(|source| ClusterError::Write { path: self.file(), source })
    }

    /// The sealing key: the random key file (made on first use) mixed with this machine's id, so the two
    /// files copied elsewhere open nothing.
    fn key(&self, name: &str, create: bool) -> Result<[u8; 32], ClusterError> {
        let path = self.dir.join(KEY_FILE);
        let raw = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let mut k = [0u8; 32];
                getrandom::fill(&mut k).map_err(|e| self.sealed(name, &format!("no randomness for a key: {e}")))?;
                write_private(&path, &k).map_err(|source| ClusterError::Write { path: path.clone(), source })?;
                k.to_vec()
            }
            Err(e) => return Err(self.sealed(name, &format!("its key {} cannot be read: {e}", path.display()))),
        };
        if raw.len() != 32 {
            return Err(self.sealed(name, &format!("its key {} is not 32 bytes", path.display())));
        }
        let machine = std::fs::read("/etc/machine-id").unwrap_or_default();
        let mut material = raw;
        material.extend_from_slice(machine.trim_ascii());
        Ok(blake3::derive_key(KDF_CONTEXT, &material))
    }
}

fn entry(name: &str) -> keyring::Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &format!("cluster/{name}"))
}

/// Writes, then reads back and deletes, a probe entry: a keyring that is missing, locked or without a
/// Secret Service answers one of the three with an error.
fn keyring_works() -> bool {
    if std::env::var("CAIRN_KEYRING").is_ok_and(|v| v == "off" || v == "0") {
        return false;
    }
    let probe = || -> keyring::Result<bool> {
        let e = keyring::Entry::new(SERVICE, "probe")?;
        e.set_password("probe")?;
        let ok = e.get_password()? == "probe";
        e.delete_credential()?;
        Ok(ok)
    };
    match probe() {
        Ok(ok) => ok,
        Err(e) => {
            tracing::debug!("no usable OS keyring ({e}); cluster tokens go to an encrypted file");
            false
        }
    }
}

fn seal(key: &[u8; 32], name: &str, token: &str) -> String {
    let mut nonce = [0u8; 12];
    // Without randomness a nonce could repeat; the OS never fails this on the platforms Cairn runs on.
    let _ = getrandom::fill(&mut nonce);
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key));
    let ct = cipher.encrypt(Nonce::from_slice(&nonce), Payload { msg: token.as_bytes(), aad: name.as_bytes() }).unwrap_or_default();
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    B64.encode(out)
}

fn open(key: &[u8; 32], name: &str, sealed: &str) -> Option<String> {
    let bytes = B64.decode(sealed).ok()?;
    if bytes.len() < 12 {
        return None;
    }
    let (nonce, ct) = bytes.split_at(12);
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key));
    let plain = cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: name.as_bytes() }).ok()?;
    String::from_utf8(plain).ok()
}

/// Atomic and readable by this user only, from the first byte.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let result = (|| {
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
