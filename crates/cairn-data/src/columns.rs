//! Typed columns built during the scan itself, so a CSV file is read in one pass instead of a scan for
//! types followed by a parse. Each column starts from the type the file's head suggests; an integer
//! column that meets a decimal becomes a float column, and a column that meets a value its type cannot
//! hold gives up ("dead"), which sends the whole file through the two-pass reader instead.

use polars::prelude::*;

use crate::infer::{self, FLOAT, INT};

/// What a column is built as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guess {
    Int,
    Float,
    Bool,
    Text,
}

impl Guess {
    /// The builder for a column whose head sample resolved to `mask` (numbers, booleans; else text).
    pub fn from_mask(mask: u8, seen: bool) -> Guess {
        match infer::resolve(mask, seen) {
            cairn_types::DType::Int => Guess::Int,
            cairn_types::DType::Float => Guess::Float,
            cairn_types::DType::Bool => Guess::Bool,
            _ => Guess::Text,
        }
    }
}

pub enum Col {
    Int { vals: Vec<i64>, nulls: Vec<u32> },
    Float { vals: Vec<f64>, nulls: Vec<u32> },
    Bool(BooleanChunkedBuilder),
    Text(StringChunkedBuilder),
    Dead,
}

#[inline]
fn trim(f: &[u8]) -> &[u8] {
    f.trim_ascii()
}

#[inline]
fn parse_int(f: &[u8]) -> Option<i64> {
    let (neg, digits) = match f.first()? {
        b'-' => (true, &f[1..]),
        b'+' => (false, &f[1..]),
        _ => (false, f),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (b - b'0') as i64;
    }
    Some(if neg { -v } else { v })
}

#[inline]
fn parse_float(f: &[u8]) -> Option<f64> {
    // The classifier's grammar first: fast_float also accepts forms (like "1.") polars reads the same way,
    // but a value must be one the scan calls a number, or the column's inferred type would disagree.
    if infer::classify(f).0 & FLOAT == 0 {
        return None;
    }
    fast_float2::parse(f).ok()
}

impl Col {
    pub fn new(guess: Guess, capacity: usize) -> Col {
        match guess {
            Guess::Int => Col::Int { vals: Vec::with_capacity(capacity), nulls: Vec::new() },
            Guess::Float => Col::Float { vals: Vec::with_capacity(capacity), nulls: Vec::new() },
            Guess::Bool => Col::Bool(BooleanChunkedBuilder::new(PlSmallStr::EMPTY, capacity)),
            Guess::Text => Col::Text(StringChunkedBuilder::new(PlSmallStr::EMPTY, capacity)),
        }
    }

    #[inline]
    pub fn null(&mut self) {
        match self {
            Col::Int { vals, nulls } => {
                nulls.push(vals.len() as u32);
                vals.push(0);
            }
            Col::Float { vals, nulls } => {
                nulls.push(vals.len() as u32);
                vals.push(0.0);
            }
            Col::Bool(b) => b.append_null(),
            Col::Text(b) => b.append_null(),
            Col::Dead => {}
        }
    }

    /// Adds a value. `escaped` is a quoted field with doubled quotes inside; `mask` is the scan's
    /// classification of the value when it made one (0 when it did not look).
    #[inline]
    pub fn value(&mut self, raw: &[u8], escaped: bool, quote: u8) {
        match self {
            Col::Int { vals, .. } => match parse_int(trim(raw)) {
                Some(v) => vals.push(v),
                None => self.promote(raw),
            },
            Col::Float { vals, .. } => match parse_float(trim(raw)) {
                Some(v) => vals.push(v),
                None => *self = Col::Dead,
            },
            Col::Bool(b) => {
                let t = trim(raw);
                if t.eq_ignore_ascii_case(b"true") {
                    b.append_value(true)
                } else if t.eq_ignore_ascii_case(b"false") {
                    b.append_value(false)
                } else {
                    *self = Col::Dead
                }
            }
            Col::Text(b) => match std::str::from_utf8(raw) {
                Ok(s) if escaped => {
                    let q = (quote as char).to_string();
                    b.append_value(s.replace(&q.repeat(2), &q))
                }
                Ok(s) => b.append_value(s),
                Err(_) => *self = Col::Dead,
            },
            Col::Dead => {}
        }
    }

    /// An integer column met a value that is not an integer: a decimal makes it a float column.
    fn promote(&mut self, raw: &[u8]) {
        let Col::Int { vals, nulls } = self else { return };
        match parse_float(trim(raw)) {
            Some(v) if infer::classify(trim(raw)).0 & (FLOAT | INT) != 0 => {
                let mut floats: Vec<f64> = vals.iter().map(|&i| i as f64).collect();
                floats.push(v);
                *self = Col::Float { vals: floats, nulls: std::mem::take(nulls) };
            }
            _ => *self = Col::Dead,
        }
    }

    pub fn is_dead(&self) -> bool {
        matches!(self, Col::Dead)
    }

    /// What the column became; None when it gave up.
    pub fn kind(&self) -> Option<Guess> {
        Some(match self {
            Col::Int { .. } => Guess::Int,
            Col::Float { .. } => Guess::Float,
            Col::Bool(_) => Guess::Bool,
            Col::Text(_) => Guess::Text,
            Col::Dead => return None,
        })
    }

    pub fn finish(self, name: &str) -> Option<Series> {
        let name = PlSmallStr::from(name);
        Some(match self {
            Col::Int { vals, nulls } => with_nulls::<Int64Type>(name, vals, &nulls),
            Col::Float { vals, nulls } => with_nulls::<Float64Type>(name, vals, &nulls),
            Col::Bool(b) => b.finish().with_name(name).into_series(),
            Col::Text(b) => b.finish().with_name(name).into_series(),
            Col::Dead => return None,
        })
    }
}

fn with_nulls<T>(name: PlSmallStr, vals: Vec<T::Native>, nulls: &[u32]) -> Series
where
    T: PolarsNumericType,
    ChunkedArray<T>: IntoSeries,
{
    if nulls.is_empty() {
        return ChunkedArray::<T>::from_vec(name, vals).into_series();
    }
    let mut next = nulls.iter().peekable();
    let it = vals.into_iter().enumerate().map(|(i, v)| {
        if next.peek().is_some_and(|&&n| n as usize == i) {
            next.next();
            None
        } else {
            Some(v)
        }
    });
    ChunkedArray::<T>::from_iter_options(name, it).into_series()
}
