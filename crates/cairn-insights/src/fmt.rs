//! Numbers in words for reasons and the HTML page.

/// 101766 → "101,766".
pub(crate) fn int(n: u64) -> String {
    cairn_types::words::thousands(n)
}

/// 0.1116 → "11.2%"; small shares keep two significant digits.
pub(crate) fn pct(share: f64) -> String {
    let p = share * 100.0;
    if p != 0.0 && p.abs() < 0.1 {
        format!("{p:.3}%")
    } else if (99.95..100.0).contains(&p) {
        // Never round a share that is not all of them up to 100%.
        if p >= 99.995 { "over 99.99%".into() } else { format!("{p:.2}%") }
    } else {
        format!("{p:.1}%")
    }
}

/// A value for people: whole numbers without decimals, others with up to four significant digits.
pub(crate) fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        int_signed(v as i64)
    } else if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn int_signed(v: i64) -> String {
    if v < 0 { format!("-{}", int(v.unsigned_abs())) } else { int(v as u64) }
}
