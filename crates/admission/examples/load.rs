//! Open-loop load client for the admission webhook (bench/admission.sh):
//! sends one AdmissionReview at a fixed rate over keep-alive HTTPS
//! connections and reports latency percentiles measured from each
//! request's scheduled start (so a stalled server cannot hide its queue).
//!
//! cargo run --release -p palisade-admission --example load -- \
//!     URL CA_PEM REVIEW_JSON RATE SECONDS [CONNECTIONS]

use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 6 {
        eprintln!("usage: load URL CA_PEM REVIEW_JSON RATE SECONDS [CONNECTIONS]");
        std::process::exit(2);
    }
    let url = args[1].clone();
    let ca = std::fs::read(&args[2]).expect("CA file");
    let body = std::fs::read(&args[3]).expect("review file");
    let rate: f64 = args[4].parse().expect("rate");
    let secs: f64 = args[5].parse().expect("seconds");
    let conns: usize = args.get(6).map_or(8, |c| c.parse().expect("connections"));
    let per_conn = rate / conns as f64;
    let interval = Duration::from_secs_f64(1.0 / per_conn);
    let total_per_conn = (per_conn * secs) as usize;
    let start = Instant::now() + Duration::from_millis(200);
    let threads: Vec<_> = (0..conns)
        .map(|i| {
            let (url, ca, body) = (url.clone(), ca.clone(), body.clone());
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
                    .pool_max_idle_per_host(1)
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                // Stagger the connections over one interval.
                let offset = interval.mul_f64(i as f64 / conns as f64);
                let mut lat = Vec::with_capacity(total_per_conn);
                let mut errors = 0usize;
                let mut denied = 0usize;
                for n in 0..total_per_conn {
                    let due = start + offset + interval.mul_f64(n as f64);
                    let now = Instant::now();
                    if due > now {
                        std::thread::sleep(due - now);
                    }
                    match client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .and_then(|r| r.error_for_status())
                        .and_then(|r| r.bytes())
                    {
                        Ok(b) => {
                            if b.windows(16).any(|w| w == b"\"allowed\":false") {
                                denied += 1;
                            }
                        }
                        Err(_) => errors += 1,
                    }
                    lat.push(due.elapsed());
                }
                (lat, errors, denied)
            })
        })
        .collect();
    let mut all = Vec::new();
    let (mut errors, mut denied) = (0, 0);
    for t in threads {
        let (l, e, d) = t.join().unwrap();
        all.extend(l);
        errors += e;
        denied += d;
    }
    let took = start.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "requests={} errors={errors} denied={denied} achieved_rps={:.0} p50_ms={:.3} p90_ms={:.3} p99_ms={:.3} max_ms={:.3}",
        all.len(),
        all.len() as f64 / took,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        all.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
}
