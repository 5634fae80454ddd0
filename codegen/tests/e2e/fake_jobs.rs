//! An in-memory IoT Jobs Data Plane for one thing: the four operations with
//! their routes, bodies, versions, state transitions and errors, strict
//! about what it accepts (an unexpected query parameter, body member or
//! content type is an `InvalidRequestException` the tests would see).

use std::sync::{Mutex, PoisonError};

use serde_json::{json, Map, Value};

use super::server::{percent_decode, Reply, Seen};

/// One job execution of the thing.
#[derive(Clone, Debug)]
pub struct Execution {
    pub job_id: String,
    pub document: String,
    pub status: String,
    pub status_details: Map<String, Value>,
    pub version: i64,
    pub execution_number: i64,
    pub queued_at: i64,
    pub started_at: Option<i64>,
    pub last_updated_at: i64,
    pub step_timeout_minutes: Option<i64>,
}

impl Execution {
    fn is_terminal(&self) -> bool {
        !matches!(self.status.as_str(), "QUEUED" | "IN_PROGRESS")
    }

    fn state(&self) -> Value {
        json!({
            "status": self.status,
            "statusDetails": self.status_details,
            "versionNumber": self.version,
        })
    }

    fn summary(&self) -> Value {
        let mut summary = json!({
            "jobId": self.job_id,
            "executionNumber": self.execution_number,
            "versionNumber": self.version,
            "queuedAt": self.queued_at,
            "lastUpdatedAt": self.last_updated_at,
        });
        if let Some(started) = self.started_at {
            summary["startedAt"] = json!(started);
        }
        summary
    }

    fn full(&self, thing: &str, with_document: bool) -> Value {
        let mut execution = self.summary();
        execution["thingName"] = json!(thing);
        execution["status"] = json!(self.status);
        execution["statusDetails"] = json!(self.status_details);
        if let Some(minutes) = self.step_timeout_minutes {
            execution["approximateSecondsBeforeTimedOut"] = json!(minutes * 60);
        }
        if with_document {
            execution["jobDocument"] = json!(self.document);
        }
        execution
    }
}

/// The service's state for one thing.
#[derive(Debug)]
pub struct FakeJobs {
    thing: String,
    executions: Mutex<Vec<Execution>>,
    clock: Mutex<i64>,
}

fn error(status: u16, code: &str, message: impl Into<String>) -> Reply {
    Reply::error(status, code, &message.into())
}

fn invalid(message: impl Into<String>) -> Reply {
    error(400, "InvalidRequestException", message)
}

impl FakeJobs {
    pub fn new(thing: &str) -> Self {
        Self {
            thing: thing.to_owned(),
            executions: Mutex::default(),
            clock: Mutex::new(1_700_000_000_000),
        }
    }

    /// Queues a job for the thing.
    pub fn queue(&self, job_id: &str, document: &str) {
        let queued_at = self.tick();
        let mut executions = self.lock();
        let execution_number = executions.len() as i64 + 1;
        executions.push(Execution {
            job_id: job_id.to_owned(),
            document: document.to_owned(),
            status: "QUEUED".to_owned(),
            status_details: Map::new(),
            version: 1,
            execution_number,
            queued_at,
            started_at: None,
            last_updated_at: queued_at,
            step_timeout_minutes: None,
        });
    }

    /// The execution of `job_id`, as the service holds it now.
    pub fn execution(&self, job_id: &str) -> Execution {
        self.lock()
            .iter()
            .find(|e| e.job_id == job_id)
            .cloned()
            .unwrap_or_else(|| panic!("no job {job_id}"))
    }

    /// Changes an execution behind the client's back (an operator
    /// cancelling it, another agent updating it): the version moves on.
    pub fn change(&self, job_id: &str, status: &str) {
        let now = self.tick();
        let mut executions = self.lock();
        if let Some(execution) = executions.iter_mut().find(|e| e.job_id == job_id) {
            execution.status = status.to_owned();
            execution.version += 1;
            execution.last_updated_at = now;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Execution>> {
        self.executions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A millisecond timestamp that moves on at each call.
    fn tick(&self) -> i64 {
        let mut clock = self.clock.lock().unwrap_or_else(PoisonError::into_inner);
        *clock += 1000;
        *clock
    }

    /// Answers one request.
    pub fn handle(&self, seen: &Seen) -> Reply {
        let segments: Result<Vec<String>, String> = seen
            .path
            .split('/')
            .map(|s| percent_decode(s).map(|b| String::from_utf8_lossy(&b).into_owned()))
            .collect();
        let Ok(segments) = segments else {
            return invalid(format!("bad path {}", seen.path));
        };
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let thing = match segments.as_slice() {
            ["", "things", thing, "jobs", ..] => *thing,
            _ => {
                return error(
                    404,
                    "UnknownOperationException",
                    format!("no route {}", seen.path),
                )
            }
        };
        if thing != self.thing {
            return error(
                404,
                "ResourceNotFoundException",
                format!("no thing {thing}"),
            );
        }
        let query = match parse_query(&seen.query) {
            Ok(query) => query,
            Err(reply) => return reply,
        };
        let body = match (seen.method.as_str(), seen.body.is_empty()) {
            ("GET", true) => Map::new(),
            ("GET", false) => return invalid("a GET has no body"),
            (_, _) if seen.header("content-type").as_deref() != Some("application/json") => {
                return invalid("the body must be application/json")
            }
            _ => match serde_json::from_slice(&seen.body) {
                Ok(Value::Object(body)) => body,
                _ => return invalid("the body is not a JSON object"),
            },
        };
        match (seen.method.as_str(), &segments[4..]) {
            ("GET", []) if query.is_empty() => self.get_pending(),
            ("PUT", ["$next"]) if query.is_empty() => self.start_next(&body),
            ("GET", [job_id]) => self.describe(job_id, &query),
            ("POST", [job_id]) if query.is_empty() => self.update(job_id, &body),
            _ => invalid(format!(
                "no operation for {} {}?{}",
                seen.method, seen.path, seen.query
            )),
        }
    }

    fn get_pending(&self) -> Reply {
        let executions = self.lock();
        let with_status = |status: &str| -> Vec<Value> {
            executions
                .iter()
                .filter(|e| e.status == status)
                .map(Execution::summary)
                .collect()
        };
        Reply::ok(
            json!({
                "inProgressJobs": with_status("IN_PROGRESS"),
                "queuedJobs": with_status("QUEUED"),
            })
            .to_string(),
        )
    }

    fn start_next(&self, body: &Map<String, Value>) -> Reply {
        let details = match status_details(body) {
            Ok(details) => details,
            Err(reply) => return reply,
        };
        let timeout = match step_timeout(body) {
            Ok(timeout) => timeout,
            Err(reply) => return reply,
        };
        if let Some(unknown) = body
            .keys()
            .find(|k| !["statusDetails", "stepTimeoutInMinutes"].contains(&k.as_str()))
        {
            return invalid(format!("unknown member {unknown}"));
        }
        let now = self.tick();
        let mut executions = self.lock();
        let next = executions
            .iter()
            .position(|e| e.status == "IN_PROGRESS")
            .or_else(|| executions.iter().position(|e| e.status == "QUEUED"));
        let Some(index) = next else {
            return Reply::ok("{}");
        };
        let execution = &mut executions[index];
        if execution.status == "QUEUED" {
            execution.status = "IN_PROGRESS".to_owned();
            execution.started_at = Some(now);
            execution.version += 1;
            execution.last_updated_at = now;
            execution.status_details = details.unwrap_or_default();
            execution.step_timeout_minutes = timeout;
        }
        Reply::ok(json!({ "execution": execution.full(&self.thing, true) }).to_string())
    }

    fn describe(&self, job_id: &str, query: &[(String, String)]) -> Reply {
        let mut with_document = false;
        let mut number = None;
        for (key, value) in query {
            match (key.as_str(), value.as_str()) {
                ("includeJobDocument", "true") => with_document = true,
                ("includeJobDocument", "false") => with_document = false,
                ("executionNumber", n) => match n.parse::<i64>() {
                    Ok(n) => number = Some(n),
                    Err(_) => return invalid(format!("executionNumber `{n}`")),
                },
                _ => return invalid(format!("unexpected query parameter {key}={value}")),
            }
        }
        let executions = self.lock();
        match executions
            .iter()
            .find(|e| e.job_id == job_id && number.is_none_or(|n| n == e.execution_number))
        {
            Some(execution) => Reply::ok(
                json!({ "execution": execution.full(&self.thing, with_document) }).to_string(),
            ),
            None => error(
                404,
                "ResourceNotFoundException",
                format!("no execution of {job_id}"),
            ),
        }
    }

    fn update(&self, job_id: &str, body: &Map<String, Value>) -> Reply {
        const MEMBERS: [&str; 7] = [
            "status",
            "statusDetails",
            "stepTimeoutInMinutes",
            "expectedVersion",
            "includeJobExecutionState",
            "includeJobDocument",
            "executionNumber",
        ];
        if let Some(unknown) = body.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
            return invalid(format!("unknown member {unknown}"));
        }
        let Some(status) = body.get("status").and_then(Value::as_str) else {
            return invalid("status is required");
        };
        if !["IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED"].contains(&status) {
            return invalid(format!("a device cannot set status {status}"));
        }
        let (details, timeout) = match (status_details(body), step_timeout(body)) {
            (Ok(details), Ok(timeout)) => (details, timeout),
            (Err(reply), _) | (_, Err(reply)) => return reply,
        };
        let flag = |name: &str| body.get(name).and_then(Value::as_bool).unwrap_or(false);
        let now = self.tick();
        let mut executions = self.lock();
        let Some(execution) = executions.iter_mut().find(|e| e.job_id == job_id) else {
            return error(
                404,
                "ResourceNotFoundException",
                format!("no execution of {job_id}"),
            );
        };
        if let Some(expected) = body.get("expectedVersion") {
            if expected.as_i64() != Some(execution.version) {
                // What the service answers: a code the model does not list,
                // with the current state.
                return Reply::Json(
                    409,
                    json!({
                        "code": "VersionMismatch",
                        "message": format!("expected version {expected}, the execution is at {}", execution.version),
                        "executionState": execution.state(),
                    })
                    .to_string(),
                );
            }
        }
        if execution.is_terminal() {
            return error(
                409,
                "InvalidStateTransitionException",
                format!("the execution is {}", execution.status),
            );
        }
        execution.status = status.to_owned();
        if let Some(details) = details {
            execution.status_details = details;
        }
        if timeout.is_some() {
            execution.step_timeout_minutes = timeout;
        }
        execution.version += 1;
        execution.last_updated_at = now;
        let mut out = json!({});
        if flag("includeJobExecutionState") {
            out["executionState"] = execution.state();
        }
        if flag("includeJobDocument") {
            out["jobDocument"] = json!(execution.document);
        }
        Reply::ok(out.to_string())
    }
}

fn parse_query(query: &str) -> Result<Vec<(String, String)>, Reply> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => Ok((key.to_owned(), value.to_owned())),
            None => Err(invalid(format!("query parameter without value: {pair}"))),
        })
        .collect()
}

fn status_details(body: &Map<String, Value>) -> Result<Option<Map<String, Value>>, Reply> {
    match body.get("statusDetails") {
        None => Ok(None),
        Some(Value::Object(details)) => {
            for (key, value) in details {
                let fine = !key.is_empty()
                    && key.len() <= 128
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b":_-".contains(&b))
                    && value.as_str().is_some_and(|v| !v.is_empty());
                if !fine {
                    return Err(invalid(format!("statusDetails {key}: {value}")));
                }
            }
            Ok(Some(details.clone()))
        }
        Some(other) => Err(invalid(format!("statusDetails is {other}"))),
    }
}

fn step_timeout(body: &Map<String, Value>) -> Result<Option<i64>, Reply> {
    match body.get("stepTimeoutInMinutes") {
        None => Ok(None),
        Some(minutes) => match minutes.as_i64() {
            Some(m) if (1..=10_080).contains(&m) => Ok(Some(m)),
            _ => Err(invalid(format!("stepTimeoutInMinutes {minutes}"))),
        },
    }
}
