//! The job agent's logic, apart from the program around it so the
//! end-to-end tests run it against their server.
//!
//! One [`Agent::run_once`] takes the thing's next pending job and sees it
//! through: starts it (with a step timeout, so a device that dies mid-job
//! times out instead of leaving it in progress for ever), checks that the
//! job document asks for something this device does, reports each step as
//! `IN_PROGRESS` with status details, and ends it `SUCCEEDED`, `FAILED`
//! (a step failed) or `REJECTED` (the document is not something this device
//! can do). Every update carries the version the agent last saw; when the
//! service says the version moved on (someone else changed the execution),
//! the agent reads the execution again and carries on if it is still in
//! progress, or drops it if it was cancelled, removed or timed out.

use std::error::Error;
use std::fmt;

use iot_jobs_data_plane::operation::update_job_execution::UpdateJobExecutionError;
use iot_jobs_data_plane::types::JobExecutionStatus;
use iot_jobs_data_plane::Client;

/// What a job document asks of the device:
/// `{"operation": "install", "steps": ["download", "verify", "apply"]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobDocument {
    pub operation: String,
    pub steps: Vec<String>,
}

impl JobDocument {
    /// Parses a job document; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("the job document is not JSON: {e}"))?;
        let operation = value["operation"]
            .as_str()
            .ok_or("the job document has no \"operation\" string")?
            .to_owned();
        let steps = match &value["steps"] {
            serde_json::Value::Null => vec![operation.clone()],
            serde_json::Value::Array(steps) => steps
                .iter()
                .map(|step| step.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or("the job document's \"steps\" are not all strings")?,
            _ => return Err("the job document's \"steps\" is not a list".into()),
        };
        Ok(Self { operation, steps })
    }
}

/// How a job ended, as far as this agent is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No job was pending.
    Idle,
    /// Every step ran; the job is `SUCCEEDED`.
    Succeeded { job_id: String },
    /// A step failed; the job is `FAILED` with the reason in its details.
    Failed { job_id: String, reason: String },
    /// The device cannot do what the job asks; the job is `REJECTED`.
    Rejected { job_id: String, reason: String },
    /// Someone else ended the execution first (cancelled, removed, timed
    /// out); the agent left it alone.
    Dropped { job_id: String, status: String },
}

/// A call to the service failed in a way the agent does not handle; the
/// program logs it and tries again at the next poll.
#[derive(Debug)]
pub struct AgentError {
    /// The operation that failed and the job, if any.
    pub context: String,
    pub source: Box<dyn Error + Send + Sync>,
}

impl fmt::Display for AgentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.context, self.source)
    }
}

impl Error for AgentError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.source)
    }
}

fn failed(context: impl Into<String>, source: impl Error + Send + Sync + 'static) -> AgentError {
    AgentError {
        context: context.into(),
        source: Box::new(source),
    }
}

/// Runs the jobs of one thing, one at a time, with the blocking API.
pub struct Agent {
    client: Client,
    thing_name: String,
    operations: Vec<String>,
    step_timeout_minutes: i64,
}

/// Where an update left the execution.
enum Updated {
    /// Applied; the execution is at this version now.
    At(i64),
    /// The execution was ended by someone else and has this status.
    Ended(String),
}

impl Agent {
    /// An agent for `thing_name` that can perform `operations`; each step
    /// must be reported within `step_timeout_minutes` or the job times out.
    pub fn new(
        client: Client,
        thing_name: impl Into<String>,
        operations: &[&str],
        step_timeout_minutes: i64,
    ) -> Self {
        Self {
            client,
            thing_name: thing_name.into(),
            operations: operations.iter().map(|op| (*op).to_owned()).collect(),
            step_timeout_minutes,
        }
    }

    /// Takes the next pending job, if any, and runs it to its end with
    /// `perform(operation, step)`, which does the device's part of a step.
    pub fn run_once(
        &self,
        mut perform: impl FnMut(&str, &str) -> Result<(), String>,
    ) -> Result<Outcome, AgentError> {
        let pending = self
            .client
            .get_pending_job_executions()
            .thing_name(&self.thing_name)
            .send_blocking()
            .map_err(|e| failed("GetPendingJobExecutions", e))?;
        let waiting = pending.in_progress_jobs().unwrap_or_default().len()
            + pending.queued_jobs().unwrap_or_default().len();
        if waiting == 0 {
            return Ok(Outcome::Idle);
        }

        let started = self
            .client
            .start_next_pending_job_execution()
            .thing_name(&self.thing_name)
            .status_details("agent", "started")
            .step_timeout_in_minutes(self.step_timeout_minutes)
            .send_blocking()
            .map_err(|e| failed("StartNextPendingJobExecution", e))?;
        let Some(execution) = started.execution() else {
            // Someone else took it in the meantime.
            return Ok(Outcome::Idle);
        };
        let job_id = execution.job_id().unwrap_or_default().to_owned();
        let mut version = execution.version_number().unwrap_or_default();

        let document =
            JobDocument::parse(execution.job_document().unwrap_or_default()).and_then(|document| {
                if self.operations.contains(&document.operation) {
                    Ok(document)
                } else {
                    Err(format!(
                        "this device does not do \"{}\"",
                        document.operation
                    ))
                }
            });
        let document = match document {
            Ok(document) => document,
            Err(reason) => {
                let details = [("reason", reason.as_str())];
                return self.end(
                    job_id,
                    version,
                    JobExecutionStatus::Rejected,
                    &details,
                    |job_id| Outcome::Rejected {
                        job_id,
                        reason: reason.clone(),
                    },
                );
            }
        };

        let total = document.steps.len();
        for (index, step) in document.steps.iter().enumerate() {
            let progress = format!("{}/{total}", index + 1);
            let details = [("step", step.as_str()), ("progress", progress.as_str())];
            match self.update(&job_id, version, JobExecutionStatus::InProgress, &details)? {
                Updated::At(now) => version = now,
                Updated::Ended(status) => return Ok(Outcome::Dropped { job_id, status }),
            }
            if let Err(reason) = perform(&document.operation, step) {
                let details = [("step", step.as_str()), ("reason", reason.as_str())];
                return self.end(
                    job_id,
                    version,
                    JobExecutionStatus::Failed,
                    &details,
                    |job_id| Outcome::Failed {
                        job_id,
                        reason: reason.clone(),
                    },
                );
            }
        }
        let done = format!("{total}/{total}");
        let details = [("progress", done.as_str())];
        self.end(
            job_id,
            version,
            JobExecutionStatus::Succeeded,
            &details,
            |job_id| Outcome::Succeeded { job_id },
        )
    }

    /// Ends the job with `status`: `outcome`, unless someone else ended it first.
    fn end(
        &self,
        job_id: String,
        version: i64,
        status: JobExecutionStatus,
        details: &[(&str, &str)],
        outcome: impl FnOnce(String) -> Outcome,
    ) -> Result<Outcome, AgentError> {
        Ok(match self.update(&job_id, version, status, details)? {
            Updated::At(_) => outcome(job_id),
            Updated::Ended(status) => Outcome::Dropped { job_id, status },
        })
    }

    /// Reports `status` at `version`. On a version mismatch, reads the
    /// execution again and retries once at its version if it is still in
    /// progress.
    fn update(
        &self,
        job_id: &str,
        version: i64,
        status: JobExecutionStatus,
        details: &[(&str, &str)],
    ) -> Result<Updated, AgentError> {
        let context = || format!("UpdateJobExecution {job_id} to {}", status.as_str());
        let mut version = version;
        for _ in 0..2 {
            let mut call = self
                .client
                .update_job_execution()
                .thing_name(&self.thing_name)
                .job_id(job_id)
                .status(status.clone())
                .expected_version(version)
                .include_job_execution_state(true);
            for (key, value) in details {
                call = call.status_details(*key, *value);
            }
            if status == JobExecutionStatus::InProgress {
                call = call.step_timeout_in_minutes(self.step_timeout_minutes);
            }
            let err = match call.send_blocking() {
                Ok(output) => {
                    let now = output.execution_state().and_then(|s| s.version_number());
                    return Ok(Updated::At(now.unwrap_or(version + 1)));
                }
                Err(err) => err.into_service_error(),
            };
            match &err {
                UpdateJobExecutionError::InvalidStateTransitionException(_) => {
                    return self
                        .current(job_id)
                        .map(|(status, _)| Updated::Ended(status));
                }
                UpdateJobExecutionError::Unhandled(unhandled)
                    if unhandled.code() == Some("VersionMismatch") =>
                {
                    let (status, current) = self.current(job_id)?;
                    if status != "IN_PROGRESS" && status != "QUEUED" {
                        return Ok(Updated::Ended(status));
                    }
                    version = current;
                }
                _ => return Err(failed(context(), err)),
            }
        }
        Err(AgentError {
            context: context(),
            source: "the execution's version kept changing".into(),
        })
    }

    /// The execution's status and version, as the service has them now.
    fn current(&self, job_id: &str) -> Result<(String, i64), AgentError> {
        let output = self
            .client
            .describe_job_execution()
            .thing_name(&self.thing_name)
            .job_id(job_id)
            .send_blocking()
            .map_err(|e| failed(format!("DescribeJobExecution {job_id}"), e))?;
        let execution = output.execution();
        let status = execution
            .and_then(|e| e.status())
            .map_or("UNKNOWN", |s| s.as_str())
            .to_owned();
        let version = execution
            .and_then(|e| e.version_number())
            .unwrap_or_default();
        Ok((status, version))
    }
}
