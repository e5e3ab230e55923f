//! Run ids (32 lowercase hex characters, a random UUID's hex like MLflow's) and readable run names
//! ("brave-otter-417") from Cairn's own word lists.

const ADJECTIVES: &[&str] = &[
    "amber", "brave", "bright", "calm", "clever", "crisp", "dapper", "eager", "fancy", "fleet", "gentle", "glad", "golden", "grand",
    "handy", "honest", "jolly", "keen", "kind", "lively", "lucid", "lucky", "merry", "mighty", "misty", "nimble", "noble", "plucky",
    "polite", "proud", "quick", "quiet", "rapid", "rosy", "rustic", "shiny", "silent", "sleek", "snowy", "solid", "stellar", "sturdy",
    "sunny", "swift", "tidy", "vivid", "warm", "wild", "wise", "witty", "zesty", "bold", "cosmic", "dusky", "frosty", "hazy", "mellow",
    "peppy", "sage", "spry",
];

const NOUNS: &[&str] = &[
    "badger", "bear", "beaver", "bison", "crane", "crow", "deer", "dove", "eagle", "elk", "falcon", "ferret", "finch", "fox", "gecko",
    "goose", "hare", "hawk", "heron", "ibis", "jay", "koala", "lark", "lemur", "lion", "llama", "lynx", "marten", "mole", "moose", "newt",
    "orca", "otter", "owl", "panda", "pike", "puffin", "quail", "raven", "robin", "salmon", "seal", "shrew", "skink", "sloth", "snail",
    "stork", "swan", "tapir", "tern", "toad", "trout", "viper", "vole", "walrus", "whale", "wolf", "wren", "yak", "zebra",
];

/// MLflow keeps generated names to 20 characters.
const MAX_NAME_LENGTH: usize = 20;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    if getrandom::fill(&mut b).is_err() {
        // No OS randomness (rare): hash the time, the process and a counter instead; unique is enough.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let seed = format!("{t}-{}-{n}", std::process::id());
        let hash = blake3::hash(seed.as_bytes());
        for (dst, src) in b.iter_mut().zip(hash.as_bytes().iter().cycle()) {
            *dst = *src;
        }
    }
    b
}

/// A new run id: a version-4 UUID as 32 lowercase hex characters, as MLflow's `uuid.uuid4().hex`.
pub fn new_run_id() -> String {
    let mut b = random_bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A random readable name: adjective-noun-number, at most 20 characters.
pub fn new_run_name() -> String {
    let r = random_bytes::<8>();
    let a = ADJECTIVES[r[0] as usize % ADJECTIVES.len()];
    let n = NOUNS[r[1] as usize % NOUNS.len()];
    let num = u16::from_le_bytes([r[2], r[3]]) % 1000;
    let mut name = format!("{a}-{n}-{num}");
    name.truncate(MAX_NAME_LENGTH);
    name
}

/// Whether `id` has the shape of ids this store makes.
pub fn is_run_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
