//! Small random helpers shared by the generators.

use rand::Rng;

/// Picks an item with probability proportional to its weight. An empty or all-zero
/// table returns the first item (tables are static and non-empty).
pub(crate) fn pick_weighted<'a, T, R: Rng>(rng: &mut R, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    if total > 0 {
        let mut roll = rng.random_range(0..total);
        for (item, w) in items {
            if roll < *w {
                return item;
            }
            roll -= w;
        }
    }
    &items[0].0
}

/// Picks one element of a non-empty slice uniformly.
pub(crate) fn pick<'a, T, R: Rng>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A string of `n` random decimal digits (first digit non-zero).
pub(crate) fn digits<R: Rng>(rng: &mut R, n: usize) -> String {
    let mut s = String::with_capacity(n);
    for i in 0..n {
        let d = if i == 0 {
            rng.random_range(1..10u8)
        } else {
            rng.random_range(0..10u8)
        };
        s.push(char::from(b'0' + d));
    }
    s
}

/// A string of `n` random lowercase hex digits.
pub(crate) fn hex<R: Rng>(rng: &mut R, n: usize) -> String {
    const HEX: &[u8] = b"0123456789abcdef";
    (0..n)
        .map(|_| char::from(HEX[rng.random_range(0..16)]))
        .collect()
}

/// A sample of a Poisson distribution with mean `lambda` (Knuth for small means, a normal
/// approximation above).
pub(crate) fn poisson<R: Rng>(rng: &mut R, lambda: f64) -> u64 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda < 30.0 {
        let l = (-lambda).exp();
        let mut k = 0u64;
        let mut p = 1.0;
        loop {
            p *= rng.random::<f64>();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }
    let n = normal(rng);
    (lambda + lambda.sqrt() * n).round().max(0.0) as u64
}

/// A standard normal sample (Box–Muller).
pub(crate) fn normal<R: Rng>(rng: &mut R) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn poisson_mean_is_close() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for lambda in [0.5, 5.0, 80.0] {
            let n = 20_000;
            let sum: u64 = (0..n).map(|_| poisson(&mut rng, lambda)).sum();
            let mean = sum as f64 / n as f64;
            assert!(
                (mean - lambda).abs() < lambda * 0.05 + 0.05,
                "{lambda}: {mean}"
            );
        }
    }

    #[test]
    fn weighted_pick_respects_zero_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..1000 {
            assert_ne!(
                *pick_weighted(&mut rng, &[("a", 1), ("b", 0), ("c", 3)]),
                "b"
            );
        }
        assert_eq!(digits(&mut rng, 12).len(), 12);
    }
}
