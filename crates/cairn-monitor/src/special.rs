//! The special functions the drift tests' p-values need: the normal and chi-square survival functions.
//!
//! Written here rather than taken from a crate: two functions (about 80 lines) do not earn a dependency's build
//! time, and `libm` (musl's `erfc` and `lgamma`, pure Rust) is already in the tree. Their accuracy (about 1e-14
//! relative) is far inside the 1e-9 the drift values are matched to against scipy's cephes.

/// `P(Z > z)` for a standard normal `Z`: scipy's `norm.sf`, through `erfc` so the tail keeps its precision.
pub fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

/// `P(Z ≤ z)` for a standard normal `Z`: scipy's `norm.cdf` (`ndtr`).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// The chi-square survival function with `df` degrees of freedom at `x`: scipy's `chi2.sf` (`chdtrc`).
pub fn chi2_sf(df: f64, x: f64) -> f64 {
    if x.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    gamma_q(df / 2.0, x / 2.0)
}

/// The regularized upper incomplete gamma function `Q(a, x)`: a series below `a + 1`, a continued fraction above
/// (the split cephes' `igamc` uses, where each converges fast).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x < a + 1.0 { 1.0 - gamma_p_series(a, x) } else { gamma_q_fraction(a, x) }
}

/// `exp(-x) x^a / Γ(a)`, the factor both expansions share, in logs so it neither overflows nor underflows early.
fn prefactor(a: f64, x: f64) -> f64 {
    (a * x.ln() - x - libm::lgamma(a)).exp()
}

fn gamma_p_series(a: f64, x: f64) -> f64 {
    let mut term = 1.0 / a;
    let mut sum = term;
    let mut ap = a;
    for _ in 0..10_000 {
        ap += 1.0;
        term *= x / ap;
        sum += term;
        if term.abs() < sum.abs() * 1e-17 {
            break;
        }
    }
    sum * prefactor(a, x)
}

/// Lentz's method on the continued fraction of `Q(a, x)`.
fn gamma_q_fraction(a: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    prefactor(a, x) * h
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from scipy 1.17.1 (`scipy.stats.chi2.sf`, `scipy.stats.norm.sf`).
    #[test]
    fn matches_scipy() {
        let cases = [
            (1.0, 3.84, 0.05004352124870519),
            (4.0, 2.0, 0.7357588823428847),
            (199.0, 250.0, 0.008230113044724758),
            (2.0, 0.5, 0.7788007830714049),
            (10.0, 40.0, 1.694474393006737e-05),
        ];
        for (df, x, want) in cases {
            let got = chi2_sf(df, x);
            assert!((got - want).abs() < 1e-13 * want.max(1e-3), "chi2.sf({df}, {x}) = {got}, scipy {want}");
        }
        assert!((normal_sf(1.959963984540054) - 0.025).abs() < 1e-15);
        assert!((normal_sf(5.0) - 2.866515718791933e-07).abs() < 1e-20);
        assert_eq!(chi2_sf(3.0, f64::INFINITY), 0.0);
    }
}
