//! Points in time (`timestamp` shapes) and their three wire formats.
//!
//! The arithmetic is the proleptic Gregorian calendar's (days from civil
//! dates and back), exact for any year in range, before 1970 included; no
//! date crate is needed for three fixed formats.
//!
//! A [`DateTime`] holds any second of `i64` and is never built by wrapping
//! or by a panic: a value or text out of that range is `None` or a
//! [`DateTimeError`].

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time with nanosecond precision, as carried by a `timestamp` shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime {
    seconds: i64,
    nanos: u32,
}

/// How a timestamp is written on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimestampFormat {
    /// Seconds since the epoch, as a number (`1398796238`, `1398796238.123`).
    EpochSeconds,
    /// RFC 3339 date-time in UTC (`2014-04-29T18:30:38Z`).
    DateTime,
    /// RFC 7231 IMF-fixdate (`Tue, 29 Apr 2014 18:30:38 GMT`).
    HttpDate,
}

/// A timestamp that could not be parsed or is out of range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeError {
    message: String,
}

impl DateTimeError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DateTimeError {}

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const DAY_NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl DateTime {
    /// Whole seconds since the epoch.
    pub const fn from_secs(seconds: i64) -> Self {
        Self { seconds, nanos: 0 }
    }

    /// Seconds and nanoseconds since the epoch; nanoseconds past
    /// `999_999_999` carry into the seconds. `None` if that carry leaves the
    /// range of `i64` seconds.
    ///
    /// ```
    /// use sdk_runtime::DateTime;
    ///
    /// let time = DateTime::from_secs_and_nanos(1, 1_500_000_000).unwrap();
    /// assert_eq!((time.secs(), time.subsec_nanos()), (2, 500_000_000));
    /// assert_eq!(DateTime::from_secs_and_nanos(i64::MAX, 1_000_000_000), None);
    /// ```
    pub const fn from_secs_and_nanos(seconds: i64, nanos: u32) -> Option<Self> {
        // At most 4: a u32 holds under five seconds of nanoseconds.
        let carry = (nanos / 1_000_000_000) as i64;
        match seconds.checked_add(carry) {
            Some(seconds) => Some(Self {
                seconds,
                nanos: nanos % 1_000_000_000,
            }),
            None => None,
        }
    }

    /// Milliseconds since the epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Self {
            seconds: millis.div_euclid(1000),
            nanos: (millis.rem_euclid(1000) * 1_000_000) as u32,
        }
    }

    /// Fractional seconds since the epoch, rounded to the microsecond (the
    /// precision an `f64` keeps for present-day dates). `None` if not finite
    /// or beyond ±9.2·10¹² seconds (about 292,000 years, where microseconds
    /// leave the range of `i64`).
    pub fn from_secs_f64(seconds: f64) -> Option<Self> {
        // Strictly inside i64 microseconds (±9.22e18), so the cast below is exact.
        const LIMIT: f64 = 9.2e12;
        if !seconds.is_finite() || seconds.abs() > LIMIT {
            return None;
        }
        let micros = (seconds * 1e6).round() as i64;
        Some(Self {
            seconds: micros.div_euclid(1_000_000),
            nanos: (micros.rem_euclid(1_000_000) * 1000) as u32,
        })
    }

    /// Whole seconds since the epoch (rounded down).
    pub const fn secs(&self) -> i64 {
        self.seconds
    }

    /// The nanoseconds past [`secs`](Self::secs).
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Fractional seconds since the epoch.
    pub fn as_secs_f64(&self) -> f64 {
        self.seconds as f64 + f64::from(self.nanos) / 1e9
    }

    /// The current time.
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// Writes the time in `format`.
    pub fn fmt(&self, format: TimestampFormat) -> String {
        match format {
            TimestampFormat::EpochSeconds => self.epoch_seconds_text(),
            TimestampFormat::DateTime => self.date_time_text(),
            TimestampFormat::HttpDate => self.http_date_text(),
        }
    }

    /// Parses text in `format`.
    pub fn parse(text: &str, format: TimestampFormat) -> Result<Self, DateTimeError> {
        match format {
            TimestampFormat::EpochSeconds => parse_epoch_seconds(text),
            TimestampFormat::DateTime => parse_date_time(text),
            TimestampFormat::HttpDate => parse_http_date(text),
        }
    }

    fn epoch_seconds_text(&self) -> String {
        if self.nanos == 0 {
            return self.seconds.to_string();
        }
        // Negative times with a fraction: -1.5 is seconds -2 plus 0.5.
        let (whole, frac, sign) = if self.seconds < 0 {
            let total =
                i128::from(self.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(self.nanos);
            let abs = total.unsigned_abs();
            (abs / 1_000_000_000, (abs % 1_000_000_000) as u32, "-")
        } else {
            (self.seconds as u128, self.nanos, "")
        };
        let frac = format!("{frac:09}");
        format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
    }

    fn date_time_text(&self) -> String {
        let (year, month, day, hour, minute, second) = civil(self.seconds);
        let mut out = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        out.push('Z');
        out
    }

    fn http_date_text(&self) -> String {
        let (year, month, day, hour, minute, second) = civil(self.seconds);
        let weekday = DAY_NAMES[self.seconds.div_euclid(86_400).rem_euclid(7) as usize];
        let month = MONTH_NAMES[(month - 1) as usize];
        let mut out =
            format!("{weekday}, {day:02} {month} {year:04} {hour:02}:{minute:02}:{second:02}");
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        out.push_str(" GMT");
        out
    }
}

impl From<SystemTime> for DateTime {
    /// Exact where the platform's `SystemTime` holds `i64` seconds (Unix,
    /// Windows); a time beyond that range, which no supported platform
    /// has, is clamped to it.
    fn from(time: SystemTime) -> Self {
        let nanos: i128 = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i128::try_from(after.as_nanos()).unwrap_or(i128::MAX),
            Err(before) => i128::try_from(before.duration().as_nanos()).map_or(i128::MIN, |n| -n),
        };
        let seconds = nanos.div_euclid(NANOS_PER_SECOND.into());
        // rem_euclid of 1e9 is in 0..1e9.
        let subsec = nanos.rem_euclid(NANOS_PER_SECOND.into()) as u32;
        match i64::try_from(seconds) {
            Ok(seconds) => Self {
                seconds,
                nanos: subsec,
            },
            Err(_) if seconds < 0 => Self {
                seconds: i64::MIN,
                nanos: 0,
            },
            Err(_) => Self {
                seconds: i64::MAX,
                nanos: 999_999_999,
            },
        }
    }
}

impl TryFrom<DateTime> for SystemTime {
    type Error = DateTimeError;

    /// The same instant, if the platform's `SystemTime` can hold it.
    fn try_from(time: DateTime) -> Result<Self, DateTimeError> {
        let shifted = if time.seconds >= 0 {
            UNIX_EPOCH.checked_add(Duration::new(time.seconds.unsigned_abs(), time.nanos))
        } else {
            UNIX_EPOCH
                .checked_sub(Duration::from_secs(time.seconds.unsigned_abs()))
                .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(time.nanos))))
        };
        shifted.ok_or_else(|| {
            DateTimeError::new(format!(
                "{} seconds since the epoch is beyond this platform's clock",
                time.seconds
            ))
        })
    }
}

impl fmt::Display for DateTime {
    /// RFC 3339, as [`TimestampFormat::DateTime`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.date_time_text())
    }
}

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Year, month, day, hour, minute and second of seconds since the epoch.
pub(crate) fn civil(seconds: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rest / 3600) as u32,
        (rest % 3600 / 60) as u32,
        (rest % 60) as u32,
    )
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// A date and time of day as written in the text formats.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
}

/// Builds a time from civil parts, checking each is in range.
fn from_parts(parts: Civil, text: &str) -> Result<DateTime, DateTimeError> {
    let Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanos,
    } = parts;
    let valid = (1..=9999).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour < 24
        && minute < 60
        // A leap second is read as the last second of its minute.
        && second <= 60;
    if !valid {
        return Err(DateTimeError::new(format!(
            "`{text}` is not a valid date and time"
        )));
    }
    let seconds = days_from_civil(year, month, day) * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second.min(59));
    Ok(DateTime { seconds, nanos })
}

/// A small cursor over ASCII text for the fixed formats.
struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    fn error(&self) -> DateTimeError {
        DateTimeError::new(format!("`{}` is not a valid timestamp", self.text))
    }

    fn digits(&mut self, count: usize) -> Result<u32, DateTimeError> {
        let end = self.at + count;
        let slice = self.bytes.get(self.at..end).ok_or_else(|| self.error())?;
        if !slice.iter().all(u8::is_ascii_digit) {
            return Err(self.error());
        }
        self.at = end;
        Ok(slice.iter().fold(0, |n, b| n * 10 + u32::from(b - b'0')))
    }

    fn expect(&mut self, byte: u8) -> Result<(), DateTimeError> {
        if self.bytes.get(self.at) == Some(&byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Optional `.123...` fraction, as nanoseconds (digits past the ninth are dropped).
    fn fraction(&mut self) -> Result<u32, DateTimeError> {
        if self.peek() != Some(b'.') {
            return Ok(0);
        }
        self.at += 1;
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        let digits = &self.text[start..self.at];
        if digits.is_empty() {
            return Err(self.error());
        }
        let kept = &digits[..digits.len().min(9)];
        let value: u32 = kept.parse().map_err(|_| self.error())?;
        Ok(value * 10u32.pow(9 - kept.len() as u32))
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }
}

fn parse_epoch_seconds(text: &str) -> Result<DateTime, DateTimeError> {
    let error = || DateTimeError::new(format!("`{text}` is not a number of seconds"));
    let out_of_range = || DateTimeError::new(format!("`{text}` is out of range"));
    // Whole seconds: an integer that does not fit is out of range, not malformed.
    let whole_seconds = |digits: &str| -> Result<i64, DateTimeError> {
        digits.parse().map_err(|_| {
            let unsigned = digits.strip_prefix(['-', '+']).unwrap_or(digits);
            if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
                out_of_range()
            } else {
                error()
            }
        })
    };
    let trimmed = text.trim();
    let Some((whole, frac)) = trimmed.split_once('.') else {
        return whole_seconds(trimmed).map(DateTime::from_secs);
    };
    let negative = whole.starts_with('-');
    let whole: i64 = if whole == "-" || whole.is_empty() {
        0
    } else {
        whole_seconds(whole)?
    };
    if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(error());
    }
    let kept = &frac[..frac.len().min(9)];
    let nanos: u32 = kept.parse::<u32>().map_err(|_| error())? * 10u32.pow(9 - kept.len() as u32);
    // -1.5 is seconds -2 plus 0.5.
    let (whole, nanos) = if negative && nanos > 0 {
        (
            whole.checked_sub(1).ok_or_else(out_of_range)?,
            1_000_000_000 - nanos,
        )
    } else {
        (whole, nanos)
    };
    DateTime::from_secs_and_nanos(whole, nanos).ok_or_else(out_of_range)
}

fn parse_date_time(text: &str) -> Result<DateTime, DateTimeError> {
    let mut c = Cursor::new(text);
    let year = c.digits(4)?;
    c.expect(b'-')?;
    let month = c.digits(2)?;
    c.expect(b'-')?;
    let day = c.digits(2)?;
    if !matches!(c.peek(), Some(b'T' | b't')) {
        return Err(c.error());
    }
    c.at += 1;
    let hour = c.digits(2)?;
    c.expect(b':')?;
    let minute = c.digits(2)?;
    c.expect(b':')?;
    let second = c.digits(2)?;
    let nanos = c.fraction()?;
    let offset = match c.peek() {
        Some(b'Z' | b'z') => {
            c.at += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            c.at += 1;
            let hours = c.digits(2)?;
            c.expect(b':')?;
            let minutes = c.digits(2)?;
            if hours > 23 || minutes > 59 {
                return Err(c.error());
            }
            let offset = i64::from(hours * 3600 + minutes * 60);
            if sign == b'+' {
                offset
            } else {
                -offset
            }
        }
        _ => return Err(c.error()),
    };
    if !c.rest().is_empty() {
        return Err(c.error());
    }
    let local = from_parts(
        Civil {
            year: i64::from(year),
            month,
            day,
            hour,
            minute,
            second,
            nanos,
        },
        text,
    )?;
    // Years 1..=9999 and offsets under a day: far inside i64.
    Ok(DateTime {
        seconds: local.seconds - offset,
        nanos: local.nanos,
    })
}

fn parse_http_date(text: &str) -> Result<DateTime, DateTimeError> {
    let mut c = Cursor::new(text.trim());
    // `Tue, 29 Apr 2014 18:30:38 GMT`; the weekday is checked for form, not value.
    let weekday = c.rest().get(..3).ok_or_else(|| c.error())?;
    if !DAY_NAMES.contains(&weekday) {
        return Err(c.error());
    }
    c.at += 3;
    c.expect(b',')?;
    c.expect(b' ')?;
    let day = c.digits(2)?;
    c.expect(b' ')?;
    let month_name = c.rest().get(..3).ok_or_else(|| c.error())?;
    let month = MONTH_NAMES
        .iter()
        .position(|m| *m == month_name)
        .ok_or_else(|| c.error())? as u32
        + 1;
    c.at += 3;
    c.expect(b' ')?;
    let year = c.digits(4)?;
    c.expect(b' ')?;
    let hour = c.digits(2)?;
    c.expect(b':')?;
    let minute = c.digits(2)?;
    c.expect(b':')?;
    let second = c.digits(2)?;
    let nanos = c.fraction()?;
    if c.rest() != " GMT" {
        return Err(c.error());
    }
    from_parts(
        Civil {
            year: i64::from(year),
            month,
            day,
            hour,
            minute,
            second,
            nanos,
        },
        text,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: DateTime = DateTime::from_secs(1_398_796_238);
    /// Years 0001 to 9999, the range the text formats can write.
    const MIN_SECONDS: i64 = -62_135_596_800;
    const MAX_SECONDS: i64 = 253_402_300_799;

    #[test]
    fn formats() {
        assert_eq!(T.fmt(TimestampFormat::EpochSeconds), "1398796238");
        assert_eq!(T.fmt(TimestampFormat::DateTime), "2014-04-29T18:30:38Z");
        assert_eq!(
            T.fmt(TimestampFormat::HttpDate),
            "Tue, 29 Apr 2014 18:30:38 GMT"
        );
        let frac = DateTime::from_secs_and_nanos(946_845_296, 123_000_000).unwrap();
        assert_eq!(frac.fmt(TimestampFormat::EpochSeconds), "946845296.123");
        assert_eq!(
            frac.fmt(TimestampFormat::DateTime),
            "2000-01-02T20:34:56.123Z"
        );
        assert_eq!(
            frac.fmt(TimestampFormat::HttpDate),
            "Sun, 02 Jan 2000 20:34:56.123 GMT"
        );
    }

    #[test]
    fn round_trips_across_the_calendar() {
        // Every 1,000,003 seconds from year 1 to 9999, plus edges: leap days,
        // the epoch, before the epoch, 2038 and beyond.
        let mut samples: Vec<i64> = (MIN_SECONDS..MAX_SECONDS).step_by(1_000_003 * 97).collect();
        samples.extend([
            0,
            -1,
            -86_400,
            951_782_400,   // 2000-02-29
            4_107_542_400, // 2100-02-28 (2100 is not a leap year)
            2_147_483_648, // past i32 seconds
            MIN_SECONDS,
            MAX_SECONDS,
        ]);
        for seconds in samples {
            let time = DateTime::from_secs_and_nanos(seconds, 5_000_000).unwrap();
            for format in [
                TimestampFormat::EpochSeconds,
                TimestampFormat::DateTime,
                TimestampFormat::HttpDate,
            ] {
                let text = time.fmt(format);
                assert_eq!(
                    DateTime::parse(&text, format),
                    Ok(time),
                    "{format:?} {text}"
                );
            }
        }
    }

    #[test]
    fn known_calendar_dates() {
        assert_eq!(
            DateTime::from_secs(0).fmt(TimestampFormat::HttpDate),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
        assert_eq!(
            DateTime::from_secs(951_782_400).fmt(TimestampFormat::DateTime),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(
            DateTime::from_secs(-1).fmt(TimestampFormat::DateTime),
            "1969-12-31T23:59:59Z"
        );
        assert_eq!(
            DateTime::from_secs(4_102_444_800).fmt(TimestampFormat::DateTime),
            "2100-01-01T00:00:00Z"
        );
        assert_eq!(
            DateTime::from_millis(-1500).fmt(TimestampFormat::EpochSeconds),
            "-1.5"
        );
        assert_eq!(
            DateTime::parse("-1.5", TimestampFormat::EpochSeconds),
            Ok(DateTime::from_millis(-1500))
        );
    }

    #[test]
    fn civil_dates_match_a_day_count() {
        // Walks 1970..2500 a day at a time against a plain calendar.
        let mut seconds = 0;
        for year in 1970..2500i64 {
            for month in 1..=12u32 {
                for day in 1..=days_in_month(year, month) {
                    assert_eq!(civil(seconds), (year, month, day, 0, 0, 0));
                    assert_eq!(days_from_civil(year, month, day) * 86_400, seconds);
                    seconds += 86_400;
                }
            }
        }
    }

    #[test]
    fn offsets_and_fractions_parse() {
        let expected = DateTime::from_secs(1_576_540_098);
        assert_eq!(
            DateTime::parse("2019-12-16T22:48:18-01:00", TimestampFormat::DateTime),
            Ok(expected)
        );
        assert_eq!(
            DateTime::parse("2019-12-17T00:48:18+01:00", TimestampFormat::DateTime),
            Ok(expected)
        );
        assert_eq!(
            DateTime::parse(
                "2000-01-02T20:34:56.123456789123Z",
                TimestampFormat::DateTime
            ),
            Ok(DateTime::from_secs_and_nanos(946_845_296, 123_456_789).unwrap())
        );
        assert_eq!(
            DateTime::parse("1398796238.5", TimestampFormat::EpochSeconds),
            Ok(DateTime::from_secs_and_nanos(1_398_796_238, 500_000_000).unwrap())
        );
    }

    #[test]
    fn bad_text_is_an_error_not_a_panic() {
        for text in [
            "",
            "2014-04-29",
            "2014-02-30T00:00:00Z",
            "2014-04-29T24:00:00Z",
            "2014-04-29T18:30:38",
            "2014-04-29T18:30:38Zjunk",
            "2014-04-29T18:30:38.Z",
            "٢٠١٤-04-29T18:30:38Z",
            "Tue, 29 Foo 2014 18:30:38 GMT",
            "Tue, 29 Apr 2014 18:30:38 UTC",
            "Tue 29 Apr 2014 18:30:38 GMT",
            "abc",
            "1.2.3",
            "1.",
        ] {
            for format in [
                TimestampFormat::EpochSeconds,
                TimestampFormat::DateTime,
                TimestampFormat::HttpDate,
            ] {
                assert!(
                    DateTime::parse(text, format).is_err(),
                    "{format:?} {text:?}"
                );
            }
        }
    }

    #[test]
    fn system_time_conversions() {
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(DateTime::from(before), DateTime::from_millis(-1500));
        assert_eq!(
            SystemTime::try_from(DateTime::from_millis(-1500)),
            Ok(before)
        );
        let after = UNIX_EPOCH + Duration::new(5, 7);
        assert_eq!(SystemTime::try_from(DateTime::from(after)), Ok(after));
    }

    #[test]
    fn from_f64() {
        assert_eq!(
            DateTime::from_secs_f64(946_845_296.123),
            DateTime::from_secs_and_nanos(946_845_296, 123_000_000)
        );
        assert_eq!(DateTime::from_secs_f64(f64::NAN), None);
        assert_eq!(
            DateTime::from_secs_f64(-0.5),
            Some(DateTime::from_millis(-500))
        );
    }

    #[test]
    fn overflow_is_an_error_not_a_panic_or_a_wrap() {
        assert_eq!(DateTime::from_secs_and_nanos(i64::MAX, 1_000_000_000), None);
        assert_eq!(
            DateTime::from_secs_and_nanos(i64::MAX, 999_999_999),
            Some(DateTime {
                seconds: i64::MAX,
                nanos: 999_999_999
            })
        );
        assert_eq!(
            DateTime::from_secs_and_nanos(i64::MIN, u32::MAX).map(|t| t.secs()),
            Some(i64::MIN + 4)
        );
        for text in [
            "-9223372036854775808.5",
            "-9223372036854775809",
            "9223372036854775808",
            "9223372036854775808.5",
        ] {
            let err = DateTime::parse(text, TimestampFormat::EpochSeconds).unwrap_err();
            assert_eq!(err.to_string(), format!("`{text}` is out of range"));
        }
        // The extremes that do fit.
        assert_eq!(
            DateTime::parse("-9223372036854775808", TimestampFormat::EpochSeconds),
            Ok(DateTime::from_secs(i64::MIN))
        );
        assert_eq!(
            DateTime::parse("-9223372036854775807.5", TimestampFormat::EpochSeconds),
            Ok(DateTime {
                seconds: i64::MIN,
                nanos: 500_000_000
            })
        );
        assert_eq!(
            DateTime::parse("9223372036854775807.5", TimestampFormat::EpochSeconds),
            Ok(DateTime {
                seconds: i64::MAX,
                nanos: 500_000_000
            })
        );
        for huge in [1e13, -1e13, 1e17, f64::MAX, f64::MIN] {
            assert_eq!(DateTime::from_secs_f64(huge), None, "{huge}");
        }
        let near = DateTime::from_secs_f64(9.1e12).unwrap();
        assert_eq!(near.secs(), 9_100_000_000_000);
    }

    #[test]
    fn extremes_convert_to_system_time_or_say_why_not() {
        for time in [
            DateTime::from_secs(i64::MAX),
            DateTime::from_secs(i64::MIN),
            DateTime::from_secs_and_nanos(i64::MAX, 999_999_999).unwrap(),
            DateTime::from_secs_and_nanos(i64::MIN, 1).unwrap(),
        ] {
            // Either the same instant back, or an error: never a panic.
            if let Ok(system) = SystemTime::try_from(time) {
                assert_eq!(DateTime::from(system), time);
            }
        }
    }

    #[test]
    fn formatting_any_time_does_not_panic() {
        for seconds in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX] {
            let time = DateTime::from_secs_and_nanos(seconds, 999_999_999).unwrap();
            for format in [
                TimestampFormat::EpochSeconds,
                TimestampFormat::DateTime,
                TimestampFormat::HttpDate,
            ] {
                let text = time.fmt(format);
                assert!(!text.is_empty());
            }
        }
    }
}
