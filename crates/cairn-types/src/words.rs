//! Numbers and dates as people read them in messages (one spelling for every crate's sentences), and
//! text made safe for the HTML pages the studio writes.

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

/// Column names for a message: the first eight quoted, then how many more — "'a', 'b' and 3 more".
pub fn quoted_names(names: &[&str]) -> String {
    const SHOWN: usize = 8;
    let shown = names.iter().take(SHOWN).map(|m| format!("'{m}'")).collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN { format!("{shown} and {} more", names.len() - SHOWN) } else { shown }
}

/// Text for an HTML page's text or attribute: `& < > " '` as entities (the studio's report pages).
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Days since 1970-01-01 as YYYY-MM-DD (the proleptic Gregorian calendar).
pub fn iso_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Milliseconds since 1970-01-01 as "YYYY-MM-DD HH:MM" (UTC).
pub fn iso_minute(ms: i64) -> String {
    let (days, rest) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    format!("{} {:02}:{:02}", iso_date(days), rest / 3_600_000, rest / 60_000 % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::iso_date(0), "1970-01-01");
        assert_eq!(super::iso_date(19_723), "2024-01-01");
        assert_eq!(super::iso_date(-1), "1969-12-31");
        assert_eq!(super::iso_minute(86_400_000 + 3_600_000 * 13 + 60_000 * 30), "1970-01-02 13:30");
    }

    #[test]
    fn thousands() {
        assert_eq!(super::thousands(101_766), "101,766");
        assert_eq!(super::thousands(12), "12");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }
}
