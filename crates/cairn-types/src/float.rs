//! Floats that may be NaN or infinite, on the wire as numbers when finite and as the strings "NaN",
//! "Infinity", "-Infinity" otherwise (the protobuf JSON convention MLflow's clients use). Reading
//! accepts both, and numeric strings.

use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else if v.is_nan() {
        s.serialize_str("NaN")
    } else if *v > 0.0 {
        s.serialize_str("Infinity")
    } else {
        s.serialize_str("-Infinity")
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Num(f64),
        Text(String),
    }
    match Wire::deserialize(d)? {
        Wire::Num(n) => Ok(n),
        Wire::Text(t) => match t.trim() {
            "NaN" | "nan" => Ok(f64::NAN),
            "Infinity" | "inf" | "+Infinity" => Ok(f64::INFINITY),
            "-Infinity" | "-inf" => Ok(f64::NEG_INFINITY),
            other => other.parse().map_err(serde::de::Error::custom),
        },
    }
}

/// The schema of such a float: a number, or one of the three strings.
pub fn schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type};
    let number = ObjectBuilder::new().schema_type(Type::Number).format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)));
    let word = ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["NaN", "Infinity", "-Infinity"]));
    Schema::OneOf(
        OneOfBuilder::new().item(number).item(word).description(Some("A number, or \"NaN\", \"Infinity\" or \"-Infinity\".")).build(),
    )
}
