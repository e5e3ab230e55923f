//! A synthetic hospital-readmission table for the demo project: deterministic for a seed, realistic
//! types (ints, floats, dates, booleans, categories), some values missing, skewed counts, and a 30-day
//! readmission target that depends on the features the way clinicians would expect, strongly enough that
//! a newcomer's first model learns it (a default GBM scores a test ROC AUC of about 0.8; cairn-insights'
//! tests hold it to 0.75).

use polars::prelude::*;

/// SplitMix64: tiny, fast, and stable across versions, so a seed always gives the same table.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let (u, v) = (self.unit().max(1e-12), self.unit());
        mean + sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    fn poisson(&mut self, lambda: f64) -> i64 {
        let (l, mut k, mut p) = ((-lambda).exp(), 0, 1.0);
        loop {
            p *= self.unit();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }
    fn pick<'a>(&mut self, items: &[(&'a str, f64)]) -> &'a str {
        let total: f64 = items.iter().map(|i| i.1).sum();
        let mut x = self.unit() * total;
        for (v, w) in items {
            if x < *w {
                return v;
            }
            x -= w;
        }
        items[items.len() - 1].0
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Days from 1970-01-01 to 2022-01-01.
const START_DAY: i32 = 18993;

/// Builds the table: `rows` encounters from seed `seed`.
pub fn readmissions(rows: usize, seed: u64) -> PolarsResult<DataFrame> {
    let mut r = Rng(seed);
    let mut encounter = Vec::with_capacity(rows);
    let mut patient = Vec::with_capacity(rows);
    let mut admit = Vec::with_capacity(rows);
    let mut age = Vec::with_capacity(rows);
    let mut sex = Vec::with_capacity(rows);
    let mut race: Vec<Option<&str>> = Vec::with_capacity(rows);
    let mut adm_type = Vec::with_capacity(rows);
    let mut stay = Vec::with_capacity(rows);
    let mut labs = Vec::with_capacity(rows);
    let mut meds = Vec::with_capacity(rows);
    let mut diagnoses = Vec::with_capacity(rows);
    let mut prior = Vec::with_capacity(rows);
    let mut primary = Vec::with_capacity(rows);
    let mut hba1c: Vec<Option<f64>> = Vec::with_capacity(rows);
    let mut bmi: Vec<Option<f64>> = Vec::with_capacity(rows);
    let mut systolic: Vec<Option<i64>> = Vec::with_capacity(rows);
    let mut glucose = Vec::with_capacity(rows);
    let mut insulin = Vec::with_capacity(rows);
    let mut diabetes_med = Vec::with_capacity(rows);
    let mut discharge = Vec::with_capacity(rows);
    let mut readmitted = Vec::with_capacity(rows);

    let patients = (rows as f64 * 0.8) as u64 + 1;
    for i in 0..rows {
        encounter.push(100_000 + i as i64 * 7 + (r.next() % 7) as i64);
        patient.push(5_000_000 + (r.next() % patients) as i64);
        admit.push(START_DAY + (r.next() % 1096) as i32);
        let a = r.normal(64.0, 15.0).clamp(18.0, 98.0).round() as i64;
        age.push(a);
        sex.push(if r.chance(0.53) { "Female" } else { "Male" });
        race.push(if r.chance(0.023) {
            None
        } else {
            Some(r.pick(&[("Caucasian", 74.0), ("AfricanAmerican", 19.0), ("Hispanic", 2.0), ("Asian", 0.7), ("Other", 1.5)]))
        });
        let t = r.pick(&[("Emergency", 53.0), ("Urgent", 18.0), ("Elective", 19.0), ("Trauma", 2.0), ("Not Available", 8.0)]);
        adm_type.push(t);
        let s = 1 + r.poisson(if t == "Elective" { 2.8 } else { 3.6 });
        stay.push(s.min(14));
        labs.push((r.normal(43.0, 19.0) + s as f64 * 1.5).clamp(1.0, 132.0).round() as i64);
        let m = (r.normal(16.0, 8.0) + s as f64).clamp(1.0, 81.0).round() as i64;
        meds.push(m);
        let nd = (r.normal(7.4, 2.0).round() as i64).clamp(1, 16);
        diagnoses.push(nd);
        // Prior stays are skewed: most patients have none, a frail few have many.
        let frailty = r.normal(0.0, 0.9).exp();
        let pr = r.poisson((if a > 70 { 0.7 } else { 0.45 }) * frailty).min(20);
        prior.push(pr);
        let dx = r.pick(&[
            ("Circulatory", 30.0),
            ("Respiratory", 14.0),
            ("Digestive", 9.0),
            ("Diabetes", 8.6),
            ("Injury", 6.8),
            ("Musculoskeletal", 4.9),
            ("Genitourinary", 5.0),
            ("Neoplasms", 3.4),
            ("Other", 18.3),
        ]);
        primary.push(dx);
        let h = if r.chance(if dx == "Diabetes" { 0.6 } else { 0.2 }) {
            Some((r.normal(7.4, 1.6).clamp(4.0, 15.0) * 10.0).round() / 10.0)
        } else {
            None
        };
        hba1c.push(h);
        bmi.push(if r.chance(0.11) { None } else { Some((r.normal(29.5, 6.5).clamp(14.0, 65.0) * 10.0).round() / 10.0) });
        systolic.push(if r.chance(0.03) { None } else { Some(r.normal(132.0, 19.0).clamp(70.0, 230.0).round() as i64) });
        let g = r.normal(if h.is_some_and(|h| h > 8.0) { 190.0 } else { 135.0 }, 40.0).clamp(40.0, 600.0);
        glucose.push((g * 10.0).round() / 10.0);
        let ins = r.pick(&[("No", 46.0), ("Steady", 30.0), ("Down", 12.0), ("Up", 11.0)]);
        insulin.push(ins);
        diabetes_med.push(ins != "No" || r.chance(0.45));
        let d = r.pick(&[
            ("Home", 59.0),
            ("Home health", 13.0),
            ("Skilled nursing", 14.0),
            ("Rehab", 3.0),
            ("Other facility", 7.0),
            ("Left AMA", 0.6),
        ]);
        discharge.push(d);
        // Risk rises with prior admissions, long stays, many medications and diagnoses, age, poor glucose
        // control, a change of insulin, discharge to a facility or against advice, and some diagnoses.
        let logit = -3.7
            + 0.7 * pr.min(6) as f64
            + 0.14 * (s as f64 - 4.0)
            + 0.03 * (m as f64 - 16.0)
            + 0.03 * (a as f64 - 64.0)
            + 0.1 * (nd as f64 - 7.0)
            + match d {
                "Skilled nursing" | "Rehab" | "Other facility" => 1.1,
                "Left AMA" => 1.6,
                "Home health" => 0.4,
                _ => 0.0,
            }
            + match dx {
                "Neoplasms" => 0.9,
                "Respiratory" => 0.6,
                "Circulatory" => 0.45,
                "Diabetes" => 0.3,
                "Injury" => -0.5,
                "Musculoskeletal" => -0.6,
                _ => 0.0,
            }
            + if t == "Elective" { -0.8 } else { 0.0 }
            + if h.is_some_and(|h| h > 8.5) { 0.8 } else { 0.0 }
            + if g > 200.0 { 0.4 } else { 0.0 }
            + if ins == "Up" || ins == "Down" { 0.6 } else { 0.0 };
        readmitted.push(r.chance(1.0 / (1.0 + (-logit).exp())));
    }
    let admit = Series::new("admit_date".into(), admit).cast(&DataType::Date)?;
    DataFrame::new_infer_height(vec![
        Column::new("encounter_id".into(), encounter),
        Column::new("patient_id".into(), patient),
        admit.into(),
        Column::new("age".into(), age),
        Column::new("sex".into(), sex),
        Column::new("race".into(), race),
        Column::new("admission_type".into(), adm_type),
        Column::new("length_of_stay_days".into(), stay),
        Column::new("num_lab_procedures".into(), labs),
        Column::new("num_medications".into(), meds),
        Column::new("num_diagnoses".into(), diagnoses),
        Column::new("prior_inpatient_visits".into(), prior),
        Column::new("primary_diagnosis".into(), primary),
        Column::new("hba1c_pct".into(), hba1c),
        Column::new("bmi".into(), bmi),
        Column::new("systolic_bp".into(), systolic),
        Column::new("glucose_mg_dl".into(), glucose),
        Column::new("insulin".into(), insulin),
        Column::new("on_diabetes_med".into(), diabetes_med),
        Column::new("discharge_to".into(), discharge),
        Column::new("readmitted_30d".into(), readmitted),
    ])
}
