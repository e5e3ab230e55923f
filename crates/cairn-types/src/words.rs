//! Numbers as people read them in messages: one spelling for every crate's sentences.

/// 101766 → "101,766".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(101_766), "101,766");
        assert_eq!(super::thousands(12), "12");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }
}
