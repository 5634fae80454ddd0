//! `send().await` under `rt-tokio` is non-blocking: many concurrent calls
//! complete on a current-thread runtime without a thread more, over
//! keep-alive connections reused across calls and clients.
//!
//! One test in its own binary: it counts the process's threads.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use iot_jobs_data_plane::{Client, Config, Credentials};

const EXECUTION: &str =
    r#"{"execution":{"jobId":"job-1","thingName":"thing-1","status":"IN_PROGRESS"}}"#;

/// A keep-alive HTTP/1.1 server on one thread (non-blocking sockets, polled):
/// answers every request with the execution above after `delay`, counts the
/// connections it accepted, stops after `lifetime`.
fn serve(delay: Duration, lifetime: Duration) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&accepted);
    thread::spawn(move || {
        let started = Instant::now();
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{EXECUTION}",
            EXECUTION.len()
        );
        // Per connection: the bytes read so far, and when each complete
        // request head arrived (its reply is due `delay` after).
        let mut connections = HashMap::new();
        let mut next = 0;
        while started.elapsed() < lifetime {
            while let Ok((stream, _)) = listener.accept() {
                stream.set_nonblocking(true).unwrap();
                counted.fetch_add(1, Ordering::SeqCst);
                connections.insert(next, (stream, Vec::new(), Vec::<Instant>::new()));
                next += 1;
            }
            let mut closed = Vec::new();
            for (id, (stream, buffer, due)) in &mut connections {
                let mut chunk = [0; 8192];
                match stream.read(&mut chunk) {
                    Ok(0) => closed.push(*id),
                    Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(_) => closed.push(*id),
                }
                while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                    buffer.drain(..end + 4);
                    due.push(Instant::now() + delay);
                }
                while due.first().is_some_and(|at| *at <= Instant::now()) {
                    due.remove(0);
                    stream.set_nonblocking(false).unwrap();
                    let written = stream.write_all(reply.as_bytes());
                    stream.set_nonblocking(true).unwrap();
                    if written.is_err() {
                        closed.push(*id);
                        break;
                    }
                }
            }
            for id in closed {
                connections.remove(&id);
            }
            thread::sleep(Duration::from_micros(500));
        }
    });
    (endpoint, accepted)
}

/// The process's threads now (Linux).
fn threads() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

fn client(endpoint: &str) -> Client {
    Client::from_conf(
        Config::builder()
            .region("us-east-1")
            .endpoint_url(endpoint)
            .credentials(Credentials::new("AKID", "SECRET", None))
            .max_attempts(1)
            .build(),
    )
}

#[test]
fn many_concurrent_calls_on_a_current_thread_runtime_spawn_no_thread() {
    const CONCURRENT: usize = 200;
    let (endpoint, accepted) = serve(Duration::from_millis(50), Duration::from_secs(60));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let before = threads();
    let round = |client: Client| {
        runtime.block_on(async move {
            let mut calls = tokio::task::JoinSet::new();
            for _ in 0..CONCURRENT {
                let client = client.clone();
                calls.spawn(async move {
                    client
                        .describe_job_execution()
                        .thing_name("thing-1")
                        .job_id("job-1")
                        .send()
                        .await
                });
            }
            let mut done = 0;
            while let Some(call) = calls.join_next().await {
                let output = call.unwrap().unwrap();
                assert_eq!(output.execution().unwrap().job_id(), Some("job-1"));
                done += 1;
            }
            done
        })
    };
    let started = Instant::now();
    assert_eq!(round(client(&endpoint)), CONCURRENT);
    // 200 calls of 50 ms each, all at once: far less than one after the other.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let opened = accepted.load(Ordering::SeqCst);
    assert!(opened <= CONCURRENT, "{opened} connections");
    // Another client of the same process, another round: the connections
    // are reused.
    assert_eq!(round(client(&endpoint)), CONCURRENT);
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        opened,
        "connections reused"
    );
    // No thread was started: not per call, not per connection (tokio's
    // blocking pool keeps a thread it started for 10 s, so one would show).
    assert_eq!(threads(), before);
}
