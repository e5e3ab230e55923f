//! Classifies one field's text into the types it could be read as. Deliberately no looser than polars'
//! own CSV parser, so a column classified Int always parses as Int.

use cairn_types::DType;

pub const INT: u8 = 1;
pub const FLOAT: u8 = 2;
pub const BOOL: u8 = 4;
pub const DATE: u8 = 8;
pub const DATETIME: u8 = 16;
pub const ANY: u8 = INT | FLOAT | BOOL | DATE | DATETIME;

/// How a datetime column writes its values; a column must use one way throughout.
pub const DT_T: u8 = 1; // 2024-01-02T03:04
pub const DT_SPACE: u8 = 2; // 2024-01-02 03:04
pub const DT_SECONDS: u8 = 4;
pub const DT_MINUTES: u8 = 8;

#[inline]
fn digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// The set of types `f` could be read as (a bitmask of INT, FLOAT, …) and, for datetimes, its layout bits.
#[inline]
pub fn classify(f: &[u8]) -> (u8, u8) {
    let Some(&first) = f.first() else { return (0, 0) };
    if first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.' {
        let num = classify_number(f);
        if num != 0 {
            return (num, 0);
        }
        if f.len() >= 10 && first.is_ascii_digit() {
            return classify_temporal(f);
        }
        return (0, 0);
    }
    if f.len() <= 8 {
        if f.eq_ignore_ascii_case(b"true") || f.eq_ignore_ascii_case(b"false") {
            return (BOOL, 0);
        }
        if f.eq_ignore_ascii_case(b"inf") || f.eq_ignore_ascii_case(b"nan") || f.eq_ignore_ascii_case(b"infinity") {
            return (FLOAT, 0);
        }
    }
    (0, 0)
}

#[inline]
fn classify_number(f: &[u8]) -> u8 {
    let mut i = usize::from(f[0] == b'-' || f[0] == b'+');
    let int_digits = digits(&f[i..]);
    i += int_digits;
    if i == f.len() {
        // Eighteen digits always fit an i64; longer integers are read as floats.
        return if int_digits == 0 {
            0
        } else if int_digits <= 18 {
            INT | FLOAT
        } else {
            FLOAT
        };
    }
    let mut frac_digits = 0;
    if f[i] == b'.' {
        i += 1;
        frac_digits = digits(&f[i..]);
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return 0;
    }
    if i < f.len() && (f[i] == b'e' || f[i] == b'E') {
        i += 1;
        if i < f.len() && (f[i] == b'-' || f[i] == b'+') {
            i += 1;
        }
        let exp = digits(&f[i..]);
        if exp == 0 {
            return 0;
        }
        i += exp;
    }
    if i == f.len() { FLOAT } else { 0 }
}

#[inline]
fn two(b: &[u8], at: usize, max: u8) -> bool {
    b.len() >= at + 2 && b[at].is_ascii_digit() && b[at + 1].is_ascii_digit() && (b[at] - b'0') * 10 + (b[at + 1] - b'0') <= max
}

/// `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:MM[:SS[.fff]]`.
fn classify_temporal(f: &[u8]) -> (u8, u8) {
    let date = digits(&f[..4]) == 4 && f[4] == b'-' && two(f, 5, 12) && f[7] == b'-' && two(f, 8, 31);
    if !date || &f[5..7] == b"00" || &f[8..10] == b"00" {
        return (0, 0);
    }
    if f.len() == 10 {
        return (DATE | DATETIME, 0);
    }
    let sep = match f[10] {
        b'T' => DT_T,
        b' ' => DT_SPACE,
        _ => return (0, 0),
    };
    let t = &f[11..];
    if !(two(t, 0, 23) && t.len() >= 5 && t[2] == b':' && two(t, 3, 59)) {
        return (0, 0);
    }
    if t.len() == 5 {
        return (DATETIME, sep | DT_MINUTES);
    }
    if !(t.len() >= 8 && t[5] == b':' && two(t, 6, 60)) {
        return (0, 0);
    }
    let rest = &t[8..];
    let ok = rest.is_empty() || (rest[0] == b'.' && rest.len() > 1 && digits(&rest[1..]) == rest.len() - 1 && rest.len() <= 10);
    if ok { (DATETIME, sep | DT_SECONDS) } else { (0, 0) }
}

/// The narrowest type that every value of a column fits.
pub fn resolve(mask: u8, seen_values: bool) -> DType {
    if !seen_values {
        return DType::String;
    }
    if mask & INT != 0 {
        DType::Int
    } else if mask & FLOAT != 0 {
        DType::Float
    } else if mask & BOOL != 0 {
        DType::Bool
    } else if mask & DATE != 0 {
        DType::Date
    } else if mask & DATETIME != 0 {
        DType::Datetime
    } else {
        DType::String
    }
}

/// The bit a value must carry to be read as `dtype` (0 for string: everything fits).
pub fn required_bit(dtype: DType) -> u8 {
    match dtype {
        DType::Int => INT,
        DType::Float => FLOAT,
        DType::Bool => BOOL,
        DType::Date => DATE,
        DType::Datetime => DATETIME,
        DType::String | DType::Other => 0,
    }
}

/// The strptime format for a datetime column's layout bits, if it used one layout throughout.
pub fn datetime_format(layout: u8) -> Option<&'static str> {
    let sep_t = layout & DT_T != 0;
    let sep_space = layout & DT_SPACE != 0;
    let secs = layout & DT_SECONDS != 0;
    let mins = layout & DT_MINUTES != 0;
    match (sep_t, sep_space, secs, mins) {
        (true, false, true, false) => Some("%Y-%m-%dT%H:%M:%S%.f"),
        (false, true, true, false) => Some("%Y-%m-%d %H:%M:%S%.f"),
        (true, false, false, true) => Some("%Y-%m-%dT%H:%M"),
        (false, true, false, true) => Some("%Y-%m-%d %H:%M"),
        (false, false, false, false) => Some("%Y-%m-%d"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(classify(b"42").0, INT | FLOAT);
        assert_eq!(classify(b"-7").0, INT | FLOAT);
        assert_eq!(classify(b"3.25").0, FLOAT);
        assert_eq!(classify(b".5").0, FLOAT);
        assert_eq!(classify(b"1e-3").0, FLOAT);
        assert_eq!(classify(b"1234567890123456789012").0, FLOAT);
        assert_eq!(classify(b"1,5").0, 0);
        assert_eq!(classify(b"-").0, 0);
        assert_eq!(classify(b".").0, 0);
        assert_eq!(classify(b"12a").0, 0);
        assert_eq!(classify(b"[10-20)").0, 0);
    }

    #[test]
    fn other_kinds() {
        assert_eq!(classify(b"TRUE").0, BOOL);
        assert_eq!(classify(b"2024-02-29").0, DATE | DATETIME);
        assert_eq!(classify(b"2024-13-01").0, 0);
        assert_eq!(classify(b"2024-02-29 10:11:12"), (DATETIME, DT_SPACE | DT_SECONDS));
        assert_eq!(classify(b"2024-02-29T10:11"), (DATETIME, DT_T | DT_MINUTES));
        assert_eq!(classify(b"250.83").0, FLOAT);
        assert_eq!(classify(b"V57").0, 0);
    }

    #[test]
    fn resolution() {
        assert_eq!(resolve(INT | FLOAT, true), DType::Int);
        assert_eq!(resolve(FLOAT, true), DType::Float);
        assert_eq!(resolve(0, true), DType::String);
        assert_eq!(resolve(ANY, false), DType::String);
        assert_eq!(datetime_format(DT_SPACE | DT_SECONDS), Some("%Y-%m-%d %H:%M:%S%.f"));
        assert_eq!(datetime_format(DT_SPACE | DT_T | DT_SECONDS), None);
    }
}
