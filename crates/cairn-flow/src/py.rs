//! Python literals for the exported script: every value a step carries, written so Python reads back
//! exactly the same value (floats by their shortest round-trip form).

use polars::prelude::{DataType, TimeUnit};
use serde_json::Value;

/// A Python string literal (JSON's escapes are Python's).
pub fn s(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// A Python list of strings.
pub fn strs(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|i| s(i)).collect::<Vec<_>>().join(", "))
}

/// A float as Python reads it back bit for bit.
pub fn f(x: f64) -> String {
    if x.is_nan() {
        "float(\"nan\")".into()
    } else if x.is_infinite() {
        if x > 0.0 { "float(\"inf\")".into() } else { "float(\"-inf\")".into() }
    } else {
        let r = format!("{x:?}");
        r
    }
}

/// A JSON value as a Python literal.
pub fn v(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(u)) => u.to_string(),
            _ => f(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(t) => s(t),
        Value::Array(a) => format!("[{}]", a.iter().map(v).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => {
            format!("{{{}}}", o.iter().map(|(k, x)| format!("{}: {}", s(k), v(x))).collect::<Vec<_>>().join(", "))
        }
    }
}

/// A polars dtype as Python spells it.
pub fn dtype(dt: &DataType) -> String {
    match dt {
        DataType::Boolean => "pl.Boolean".into(),
        DataType::Int8 => "pl.Int8".into(),
        DataType::Int16 => "pl.Int16".into(),
        DataType::Int32 => "pl.Int32".into(),
        DataType::Int64 => "pl.Int64".into(),
        DataType::UInt8 => "pl.UInt8".into(),
        DataType::UInt16 => "pl.UInt16".into(),
        DataType::UInt32 => "pl.UInt32".into(),
        DataType::UInt64 => "pl.UInt64".into(),
        DataType::Float32 => "pl.Float32".into(),
        DataType::Float64 => "pl.Float64".into(),
        DataType::String => "pl.String".into(),
        DataType::Date => "pl.Date".into(),
        DataType::Datetime(tu, tz) => {
            let unit = match tu {
                TimeUnit::Milliseconds => "ms",
                TimeUnit::Microseconds => "us",
                TimeUnit::Nanoseconds => "ns",
            };
            match tz {
                Some(z) => format!("pl.Datetime({}, {})", s(unit), s(z.as_str())),
                None => format!("pl.Datetime({})", s(unit)),
            }
        }
        other => format!("pl.{other:?}"),
    }
}
