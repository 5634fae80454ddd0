//! Errors in a model: what is wrong, in which file, and where in it.

use std::fmt;

/// A model the generator cannot turn into a crate.
///
/// It names the file and, for each problem, the place in the model
/// (`shape `Foo`, member `bar``) so the fix is obvious. Resolution reports
/// every problem it finds, not just the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    file: String,
    stage: Stage,
    problems: Vec<Problem>,
}

/// The pipeline stage an [`Error`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading the JSON.
    Load,
    /// Checking and naming.
    Resolve,
    /// Formatting emitted code (a generator bug).
    Format,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::Load => "load",
            Stage::Resolve => "resolve",
            Stage::Format => "format",
        })
    }
}

/// One problem in a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: a JSON path or a shape/member description; empty for the whole file.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl Error {
    /// The file could not be read as a model: bad JSON or an unexpected value.
    pub(crate) fn load(file: &str, json_path: String, source: serde_json::Error) -> Self {
        let at = if json_path.is_empty() || json_path == "." {
            String::new()
        } else {
            format!("at `{json_path}`")
        };
        let message = if source.is_eof() {
            format!(
                "unexpected end of file (truncated JSON?) at line {} column {}",
                source.line(),
                source.column()
            )
        } else {
            source.to_string()
        };
        Self {
            file: file.to_owned(),
            stage: Stage::Load,
            problems: vec![Problem { at, message }],
        }
    }

    /// Problems found while resolving the model.
    pub(crate) fn resolve(file: &str, problems: Vec<Problem>) -> Self {
        Self {
            file: file.to_owned(),
            stage: Stage::Resolve,
            problems,
        }
    }

    /// The generator produced Rust that does not parse: a bug in the
    /// generator, reported with the file so it can be found.
    pub(crate) fn internal(file: &str, generated: &str, message: String) -> Self {
        Self {
            file: file.to_owned(),
            stage: Stage::Format,
            problems: vec![Problem {
                at: format!("generating `{generated}`"),
                message: format!("internal error, please report: {message}"),
            }],
        }
    }

    /// The model file.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The stage that failed.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The problems, in model order.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if !problem.at.is_empty() {
                write!(f, ": {}", problem.at)?;
            }
            write!(f, ": {}", problem.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
