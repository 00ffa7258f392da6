// The planted hot spot, in Rust: hot_loop does about 95% of the work.
#[inline(never)]
fn hot_loop(n: u64, k: u64) -> f64 {
    let mut s = 0.0;
    for i in 1..n {
        s += 1.0 / ((i * i + k) as f64 + s * 1e-9);
    }
    s
}

#[inline(never)]
fn cold(n: u64, k: u64) -> f64 {
    (1..n).map(|i| 1.0 / (i + k) as f64).sum()
}

fn main() {
    let reps: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let mut t = 0.0;
    for k in 0..reps {
        t += hot_loop(10_000_000, k) + cold(500_000, k);
    }
    println!("{}", t);
}
