//! `cargo xtask bench --concurrency`: our client (`iot-jobs-data-plane`
//! under `rt-tokio`, whose transport inside a runtime is hyper; and its
//! blocking `send_blocking`, the same transport on its own runtime) and `aws-sdk-iotjobsdataplane` (its hyper
//! 1 client) against a loopback HTTP/1.1 server of this binary's own that
//! answers `DescribeJobExecution` after a set delay.
//!
//! ```sh
//! cargo run --release --manifest-path xtask/bench/Cargo.toml -p concurrency [-- RUNS]
//! ```
//!
//! Three roles, one binary:
//!
//! - `concurrency [RUNS]`, the driver: starts two servers (100 ms and 0 ms),
//!   runs every scenario for every client `RUNS` times (3 unless told), each
//!   run in a process of its own, and prints one markdown table of medians;
//! - `concurrency serve DELAY_MS`: the server, a tokio runtime of two
//!   workers and hyper's HTTP/1.1 server with keep-alive; it counts the
//!   connections it accepts (`GET /__accepts` answers the count) and exits
//!   when its standard input closes;
//! - `concurrency run CLIENT ADDR CONCURRENCY CALLS`: one measurement,
//!   printed as `name value` lines.
//!
//! Each measurement process raises its open-file limit to the hard limit,
//! warms its client with one call, then makes CALLS calls from CONCURRENCY
//! tasks (threads for the blocking client) that take the next call from a
//! shared counter. A sampler thread reads `Threads` in `/proc/self/status`
//! every millisecond (the sampler itself not counted); CPU is `getrusage`
//! of the process over the calls, less the sampler's own; peak RSS is
//! `VmHWM`; connections are the server's accepts during the calls.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};

/// Region calls are signed for.
const REGION: &str = "us-east-1";
/// Test credentials (AWS's documentation example keys).
const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const THING: &str = "sensor-17";
const JOB_ID: &str = "firmware-update-2024-06";
/// Attempts per call, for both clients (both default to 3, standard mode).
const MAX_ATTEMPTS: u32 = 3;
/// What the server answers: a `DescribeJobExecution` response.
const BODY: &str = r#"{"execution":{"jobId":"firmware-update-2024-06","thingName":"sensor-17","status":"IN_PROGRESS","statusDetails":{"step":"download","progress":"42%","detail":"fetched 3 of 7 chunks"},"queuedAt":1718000000,"startedAt":1718000100,"lastUpdatedAt":1718000200,"approximateSecondsBeforeTimedOut":540,"versionNumber":3,"executionNumber":1}}"#;
/// Throughput counts as matching aws-sdk's from this ratio up: where the
/// server's delay bounds both clients (10 and 100 concurrent at 100 ms),
/// they differ by run-to-run noise, about 1%.
const THROUGHPUT_FLOOR: f64 = 0.98;
/// Runs of each measurement unless the command line says otherwise.
const DEFAULT_RUNS: usize = 3;

/// One scenario: the server's delay, concurrent calls, calls in all.
#[derive(Clone, Copy, Debug)]
struct Scenario {
    delay_ms: u64,
    concurrency: usize,
    calls: usize,
}

const SCENARIOS: [Scenario; 6] = [
    Scenario {
        delay_ms: 100,
        concurrency: 10,
        calls: 500,
    },
    Scenario {
        delay_ms: 100,
        concurrency: 100,
        calls: 2_000,
    },
    Scenario {
        delay_ms: 100,
        concurrency: 1_000,
        calls: 10_000,
    },
    Scenario {
        delay_ms: 100,
        concurrency: 4_000,
        calls: 20_000,
    },
    Scenario {
        delay_ms: 0,
        concurrency: 1,
        calls: 3_000,
    },
    Scenario {
        delay_ms: 0,
        concurrency: 64,
        calls: 20_000,
    },
];

/// The clients measured.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Client {
    /// hyper-util's pooled client alone, no SDK: the check that the server
    /// is not the bottleneck.
    Raw,
    /// Ours, `send().await` on a multi-thread tokio runtime.
    Ours,
    /// aws-sdk-iotjobsdataplane on the same runtime.
    Aws,
    /// Ours, `send_blocking()` from one thread per concurrent call.
    OursBlocking,
}

impl Client {
    const ALL: [Client; 4] = [Client::Raw, Client::Ours, Client::Aws, Client::OursBlocking];

    fn name(self) -> &'static str {
        match self {
            Client::Raw => "raw",
            Client::Ours => "ours",
            Client::Aws => "aws",
            Client::OursBlocking => "ours-blocking",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Client::Raw => "raw hyper client (server check)",
            Client::Ours => "ours, `send().await` (hyper)",
            Client::Aws => "aws-sdk (hyper 1 client)",
            Client::OursBlocking => "ours, `send_blocking()` (hyper on the transport's runtime), a thread per call",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether this client runs `scenario` (a thread per call stops at 1,000).
    fn runs(self, scenario: &Scenario) -> bool {
        self != Client::OursBlocking || scenario.concurrency <= 1_000
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        [] => drive(DEFAULT_RUNS),
        [runs] => match runs.parse() {
            Ok(n) if n > 0 => drive(n),
            _ => Err(usage()),
        },
        ["serve", delay] => match delay.parse() {
            Ok(ms) => serve(Duration::from_millis(ms)),
            Err(_) => Err(usage()),
        },
        ["run", client, addr, concurrency, calls] => {
            match (
                Client::parse(client),
                addr.parse(),
                concurrency.parse(),
                calls.parse(),
            ) {
                (Some(client), Ok(addr), Ok(concurrency), Ok(calls))
                    if concurrency > 0 && calls >= concurrency =>
                {
                    measure(client, addr, concurrency, calls).map(|m| m.print())
                }
                _ => Err(usage()),
            }
        }
        _ => Err(usage()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("concurrency: {message}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> String {
    "usage: concurrency [RUNS] | concurrency serve DELAY_MS | \
     concurrency run raw|ours|aws|ours-blocking ADDR CONCURRENCY CALLS"
        .to_owned()
}

// ----- the server -----

/// Serves until standard input closes.
fn serve(delay: Duration) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("server runtime: {e}"))?;
    raise_open_files();
    runtime.block_on(async move {
        let socket = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
        socket.set_reuseaddr(true).map_err(|e| e.to_string())?;
        socket
            .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .map_err(|e| format!("bind: {e}"))?;
        // A backlog for 4,000 connections opened at once (the kernel caps
        // it at net.core.somaxconn).
        let listener = socket.listen(8192).map_err(|e| format!("listen: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("{addr}");
        std::io::stdout().flush().map_err(|e| e.to_string())?;
        std::thread::spawn(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
            std::process::exit(0);
        });
        let accepts = Arc::new(AtomicU64::new(0));
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                // Out of file descriptors, say: wait and accept again.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    continue;
                }
            };
            accepts.fetch_add(1, Ordering::Relaxed);
            let _ = stream.set_nodelay(true);
            let accepts = accepts.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let accepts = accepts.clone();
                    async move { answer(request, delay, &accepts).await }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

async fn answer(
    request: http::Request<hyper::body::Incoming>,
    delay: Duration,
    accepts: &AtomicU64,
) -> Result<http::Response<Full<Bytes>>, hyper::Error> {
    let path = request.uri().path().to_owned();
    // Read the request body whole, as a real service would.
    request.into_body().collect().await?;
    if path == "/__accepts" {
        let count = accepts.load(Ordering::Relaxed).to_string();
        return Ok(http::Response::new(Full::new(Bytes::from(count))));
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("x-amzn-requestid", "8d1f2c0e-5b7a-4c1d-9e3f-2a6b8c4d0e1f")
        .body(Full::new(Bytes::from_static(BODY.as_bytes())))
        .expect("a valid response"))
}

/// Connections the server at `addr` has accepted, this query's own included.
fn accepts(addr: SocketAddr) -> Result<u64, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("{addr}: {e}"))?;
    stream
        .write_all(b"GET /__accepts HTTP/1.1\r\nhost: bench\r\nconnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut reply = String::new();
    stream
        .read_to_string(&mut reply)
        .map_err(|e| e.to_string())?;
    reply
        .split("\r\n\r\n")
        .nth(1)
        .and_then(|body| body.trim().parse().ok())
        .ok_or_else(|| format!("the server's count: `{reply}`"))
}

/// Raises the open-file limit to the hard limit (4,000 connections, and
/// the server's side of them).
fn raise_open_files() {
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

// ----- one measurement -----

/// What one run measured.
#[derive(Clone, Debug, Default)]
struct Measurement {
    calls_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    threads: f64,
    connections: f64,
    rss_mb: f64,
    cpu_us_per_call: f64,
    errors: f64,
}

impl Measurement {
    const NAMES: [&'static str; 8] = [
        "calls_per_sec",
        "p50_ms",
        "p99_ms",
        "threads",
        "connections",
        "rss_mb",
        "cpu_us_per_call",
        "errors",
    ];

    fn values(&self) -> [f64; 8] {
        [
            self.calls_per_sec,
            self.p50_ms,
            self.p99_ms,
            self.threads,
            self.connections,
            self.rss_mb,
            self.cpu_us_per_call,
            self.errors,
        ]
    }

    fn from_values(v: [f64; 8]) -> Self {
        Self {
            calls_per_sec: v[0],
            p50_ms: v[1],
            p99_ms: v[2],
            threads: v[3],
            connections: v[4],
            rss_mb: v[5],
            cpu_us_per_call: v[6],
            errors: v[7],
        }
    }

    fn print(&self) {
        for (name, value) in Self::NAMES.iter().zip(self.values()) {
            println!("{name} {value}");
        }
    }

    fn parse(text: &str) -> Result<Self, String> {
        let mut values = [f64::NAN; 8];
        for line in text.lines() {
            let Some((name, value)) = line.split_once(' ') else {
                continue;
            };
            if let Some(i) = Self::NAMES.iter().position(|n| *n == name) {
                values[i] = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("a measurement printed `{line}`"))?;
            }
        }
        if values.iter().any(|v| v.is_nan()) {
            return Err(format!("a measurement printed `{text}`"));
        }
        Ok(Self::from_values(values))
    }
}

/// CPU seconds (user and system) of `who`.
fn cpu_secs(who: libc::c_int) -> f64 {
    // SAFETY: getrusage writes into a zeroed local struct.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// A field of `/proc/self/status`, as a number (kB for sizes).
fn status_field(name: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// Samples the process's thread count until stopped.
struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<(u64, f64)>,
}

impl Sampler {
    fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let cpu_before = cpu_secs(libc::RUSAGE_THREAD);
            let mut peak = 0;
            while !flag.load(Ordering::Relaxed) {
                peak = peak.max(status_field("Threads").unwrap_or(0));
                std::thread::sleep(Duration::from_millis(1));
            }
            peak = peak.max(status_field("Threads").unwrap_or(0));
            (peak, cpu_secs(libc::RUSAGE_THREAD) - cpu_before)
        });
        Self { stop, thread }
    }

    /// The peak thread count, the sampler not included, and the sampler's CPU seconds.
    fn finish(self) -> (u64, f64) {
        self.stop.store(true, Ordering::Relaxed);
        let (peak, cpu) = self.thread.join().unwrap_or((0, 0.0));
        (peak.saturating_sub(1), cpu)
    }
}

fn our_client(addr: SocketAddr) -> iot_jobs_data_plane::Client {
    let config = iot_jobs_data_plane::Config::builder()
        .region(REGION)
        .credentials(iot_jobs_data_plane::Credentials::new(
            ACCESS_KEY, SECRET_KEY, None,
        ))
        .endpoint_url(format!("http://{addr}"))
        .max_attempts(MAX_ATTEMPTS)
        .build();
    iot_jobs_data_plane::Client::from_conf(config)
}

fn aws_client(addr: SocketAddr) -> aws_sdk_iotjobsdataplane::Client {
    use aws_sdk_iotjobsdataplane::config::{
        retry::RetryConfig, BehaviorVersion, Credentials, Region,
    };
    let config = aws_sdk_iotjobsdataplane::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            ACCESS_KEY, SECRET_KEY, None, None, "bench",
        ))
        .endpoint_url(format!("http://{addr}"))
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_iotjobsdataplane::Client::from_conf(config)
}

type RawClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
>;

/// One call of `client`, checked.
#[derive(Clone)]
enum Caller {
    Raw(RawClient, http::Uri),
    Ours(iot_jobs_data_plane::Client),
    Aws(aws_sdk_iotjobsdataplane::Client),
}

impl Caller {
    async fn call(&self) -> Result<(), String> {
        match self {
            Caller::Raw(client, uri) => {
                let request = http::Request::get(uri.clone())
                    .body(Full::new(Bytes::new()))
                    .map_err(|e| e.to_string())?;
                let response = client.request(request).await.map_err(|e| e.to_string())?;
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| e.to_string())?;
                check(body.to_bytes().len() == BODY.len(), "raw body")
            }
            Caller::Ours(client) => {
                let output = client
                    .describe_job_execution()
                    .thing_name(THING)
                    .job_id(JOB_ID)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                check(
                    output.execution().and_then(|e| e.version_number()) == Some(3),
                    "our output",
                )
            }
            Caller::Aws(client) => {
                let output = client
                    .describe_job_execution()
                    .thing_name(THING)
                    .job_id(JOB_ID)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                check(
                    output.execution.map(|e| e.version_number) == Some(3),
                    "aws-sdk's output",
                )
            }
        }
    }
}

fn check(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("{what} is not the canned response"))
    }
}

/// Latencies in µs of the calls a worker made, and its failures.
type Outcome = (Vec<u32>, usize, Option<String>);

fn measure(
    client: Client,
    addr: SocketAddr,
    concurrency: usize,
    calls: usize,
) -> Result<Measurement, String> {
    raise_open_files();
    let next = Arc::new(AtomicUsize::new(0));
    let (outcomes, elapsed, cpu, sampler) = if client == Client::OursBlocking {
        let sdk = our_client(addr);
        let call = |sdk: &iot_jobs_data_plane::Client| -> Result<(), String> {
            let output = sdk
                .describe_job_execution()
                .thing_name(THING)
                .job_id(JOB_ID)
                .send_blocking()
                .map_err(|e| e.to_string())?;
            check(
                output.execution().and_then(|e| e.version_number()) == Some(3),
                "our output",
            )
        };
        call(&sdk)?;
        let before = accepts(addr)?;
        let sampler = Sampler::start();
        let cpu_before = cpu_secs(libc::RUSAGE_SELF);
        let start = Instant::now();
        let workers: Vec<_> = (0..concurrency)
            .map(|_| {
                let (sdk, next) = (sdk.clone(), next.clone());
                std::thread::spawn(move || {
                    let mut outcome: Outcome = (Vec::new(), 0, None);
                    while next.fetch_add(1, Ordering::Relaxed) < calls {
                        let clock = Instant::now();
                        match call(&sdk) {
                            Ok(()) => outcome.0.push(clock.elapsed().as_micros() as u32),
                            Err(e) => {
                                outcome.1 += 1;
                                outcome.2 = Some(e);
                            }
                        }
                    }
                    outcome
                })
            })
            .collect();
        let outcomes: Vec<Outcome> = workers
            .into_iter()
            .map(|w| w.join().unwrap_or_default())
            .collect();
        let elapsed = start.elapsed();
        let cpu = cpu_secs(libc::RUSAGE_SELF) - cpu_before;
        let sampler = sampler.finish();
        let after = accepts(addr)?;
        (outcomes, elapsed, cpu, (sampler, after - before - 1))
    } else {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("runtime: {e}"))?;
        runtime.block_on(async {
            let caller = match client {
                Client::Raw => {
                    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
                    http.set_nodelay(true);
                    let raw = hyper_util::client::legacy::Client::builder(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .build(http);
                    let uri = format!("http://{addr}/things/{THING}/jobs/{JOB_ID}")
                        .parse()
                        .map_err(|e| format!("uri: {e}"))?;
                    Caller::Raw(raw, uri)
                }
                Client::Ours => Caller::Ours(our_client(addr)),
                _ => Caller::Aws(aws_client(addr)),
            };
            caller.call().await?;
            let before = accepts(addr)?;
            let sampler = Sampler::start();
            let cpu_before = cpu_secs(libc::RUSAGE_SELF);
            let start = Instant::now();
            let tasks: Vec<_> = (0..concurrency)
                .map(|_| {
                    let (caller, next) = (caller.clone(), next.clone());
                    tokio::spawn(async move {
                        let mut outcome: Outcome = (Vec::new(), 0, None);
                        while next.fetch_add(1, Ordering::Relaxed) < calls {
                            let clock = Instant::now();
                            match caller.call().await {
                                Ok(()) => outcome.0.push(clock.elapsed().as_micros() as u32),
                                Err(e) => {
                                    outcome.1 += 1;
                                    outcome.2 = Some(e);
                                }
                            }
                        }
                        outcome
                    })
                })
                .collect();
            let mut outcomes = Vec::new();
            for task in tasks {
                outcomes.push(task.await.unwrap_or_default());
            }
            let elapsed = start.elapsed();
            let cpu = cpu_secs(libc::RUSAGE_SELF) - cpu_before;
            let sampler = sampler.finish();
            let after = accepts(addr)?;
            Ok::<_, String>((outcomes, elapsed, cpu, (sampler, after - before - 1)))
        })?
    };
    let ((threads, sampler_cpu), connections) = sampler;
    let mut latencies: Vec<u32> = Vec::with_capacity(calls);
    let mut errors = 0;
    let mut last_error = None;
    for (l, e, message) in outcomes {
        latencies.extend(l);
        errors += e;
        last_error = last_error.or(message);
    }
    if let Some(message) = last_error {
        eprintln!(
            "{}: {errors} calls failed, the last: {message}",
            client.name()
        );
    }
    latencies.sort_unstable();
    let quantile = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(f64::NAN, |us| f64::from(*us) / 1e3)
    };
    Ok(Measurement {
        calls_per_sec: calls as f64 / elapsed.as_secs_f64(),
        p50_ms: quantile(0.50),
        p99_ms: quantile(0.99),
        threads: threads as f64,
        connections: connections as f64,
        rss_mb: status_field("VmHWM").unwrap_or(0) as f64 / 1024.0,
        cpu_us_per_call: (cpu - sampler_cpu).max(0.0) / calls as f64 * 1e6,
        errors: errors as f64,
    })
}

// ----- the driver -----

/// A server child process and its address.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(delay_ms: u64) -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut child = Command::new(exe)
            .args(["serve", &delay_ms.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("starting the server: {e}"))?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("the server's stdout")?;
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let addr = line
            .trim()
            .parse()
            .map_err(|_| format!("the server printed `{line}`"))?;
        Ok(Self { child, addr })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Closing its standard input ends it.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn run_child(client: Client, addr: SocketAddr, scenario: &Scenario) -> Result<Measurement, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let output = Command::new(exe)
        .args([
            "run",
            client.name(),
            &addr.to_string(),
            &scenario.concurrency.to_string(),
            &scenario.calls.to_string(),
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "{} at {} concurrent failed ({})",
            client.name(),
            scenario.concurrency,
            output.status
        ));
    }
    Measurement::parse(&String::from_utf8_lossy(&output.stdout))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn median_of(runs: &[Measurement]) -> Measurement {
    let mut out = [0.0; 8];
    for (i, slot) in out.iter_mut().enumerate() {
        let mut column: Vec<f64> = runs.iter().map(|m| m.values()[i]).collect();
        *slot = median(&mut column);
    }
    Measurement::from_values(out)
}

fn drive(runs: usize) -> Result<(), String> {
    let slow = Server::start(100)?;
    let fast = Server::start(0)?;
    // results[scenario][client]: one measurement per run.
    let mut results = vec![vec![Vec::new(); Client::ALL.len()]; SCENARIOS.len()];
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let started = Instant::now();
    for run in 0..runs {
        for (s, scenario) in SCENARIOS.iter().enumerate() {
            let addr = if scenario.delay_ms == 0 {
                fast.addr
            } else {
                slow.addr
            };
            // The clients alternate, starting with a different one each run,
            // so load from elsewhere falls on all alike.
            for k in 0..Client::ALL.len() {
                let c = (run + k) % Client::ALL.len();
                let client = Client::ALL[c];
                if !client.runs(scenario) {
                    continue;
                }
                eprintln!(
                    "==> run {}/{runs}: {} ms, {} concurrent, {} calls: {}",
                    run + 1,
                    scenario.delay_ms,
                    scenario.concurrency,
                    scenario.calls,
                    client.name()
                );
                results[s][c].push(run_child(client, addr, scenario)?);
            }
        }
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{}", table(&results, workers, runs));
    println!();
    println!(
        "tokio workers {workers}; load average (1 min) {} at the start, {} at the end; {:.0} s",
        load_before.split_whitespace().next().unwrap_or("n/a"),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .unwrap_or("n/a"),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn table(results: &[Vec<Vec<Measurement>>], workers: usize, runs: usize) -> String {
    let mut out = format!(
        "| scenario (median of {runs} runs) | client | calls/s | p50 | p99 | peak threads | \
         connections opened | peak RSS | CPU per call | targets (ours async against aws-sdk) |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
    );
    for (scenario, by_client) in SCENARIOS.iter().zip(results) {
        let what = if scenario.concurrency == 1 {
            format!(
                "{} ms, sequential, {} calls",
                scenario.delay_ms, scenario.calls
            )
        } else {
            format!(
                "{} ms, {} concurrent, {} calls",
                scenario.delay_ms,
                thousands(scenario.concurrency),
                thousands(scenario.calls)
            )
        };
        let medians: Vec<Option<Measurement>> = by_client
            .iter()
            .map(|runs| (!runs.is_empty()).then(|| median_of(runs)))
            .collect();
        for (client, m) in Client::ALL.iter().zip(&medians) {
            let Some(m) = m else { continue };
            let mut targets = String::new();
            if *client == Client::Ours {
                if let Some(aws) = &medians[2] {
                    targets = verdicts(scenario, m, aws, workers);
                }
            }
            let errors = if m.errors > 0.0 {
                format!(" ({:.0} failed)", m.errors)
            } else {
                String::new()
            };
            out.push_str(&format!(
                "| {what} | {}{errors} | {:.0} | {} | {} | {:.0} | {:.0} | {:.1} MB | {:.0} µs | {targets} |\n",
                client.label(),
                m.calls_per_sec,
                ms(m.p50_ms),
                ms(m.p99_ms),
                m.threads,
                m.connections,
                m.rss_mb,
                m.cpu_us_per_call,
            ));
        }
    }
    out.trim_end().to_owned()
}

/// The targets for ours against aws-sdk in one scenario, with the ratios.
fn verdicts(scenario: &Scenario, ours: &Measurement, aws: &Measurement, workers: usize) -> String {
    let mark = |met: bool| if met { "met" } else { "**missed**" };
    let throughput = ours.calls_per_sec / aws.calls_per_sec;
    let cpu = ours.cpu_us_per_call / aws.cpu_us_per_call;
    let thread_limit = workers + 4;
    let connection_limit = 1.1 * scenario.concurrency as f64;
    let mut parts = vec![
        format!(
            "calls/s {:.3}x ≥ {THROUGHPUT_FLOOR}: {}",
            throughput,
            mark(throughput >= THROUGHPUT_FLOOR)
        ),
        format!(
            "threads {:.0} ≤ {thread_limit}: {}",
            ours.threads,
            mark(ours.threads <= thread_limit as f64)
        ),
        format!(
            "connections {:.0} ≤ {:.0}: {}",
            ours.connections,
            connection_limit.floor(),
            mark(ours.connections <= connection_limit)
        ),
        format!("CPU {:.2}x ≤ 1: {}", cpu, mark(cpu <= 1.0)),
    ];
    if scenario.concurrency == 1 {
        let latency = ours.p50_ms / aws.p50_ms;
        parts.push(format!("p50 {:.2}x ≤ 1: {}", latency, mark(latency <= 1.0)));
    }
    parts.join("; ")
}

fn ms(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.2} ms")
    } else {
        format!("{value:.0} ms")
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
