//! Timestamps: stored and signed as UTC in RFC 3339 (`2026-12-01T09:16:34Z`), shown to people in
//! the machine's local time zone (`2026-12-01 17:16`), given to scripts in RFC 3339 with the
//! local offset (`2026-12-01T17:16:34+08:00`).

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, as `2026-11-27T20:43:54Z`.
pub fn now_utc() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_from_unix(secs)
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_from_unix(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The zone times are shown in: `TZ` where set, else the system's; UTC when neither is known.
fn local_zone() -> &'static jiff::tz::TimeZone {
    static ZONE: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();
    ZONE.get_or_init(|| jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC))
}

fn zoned(stamp: &str) -> Option<jiff::Zoned> {
    let stamp = stamp.trim();
    if let Ok(ts) = stamp.parse::<jiff::Timestamp>() {
        return Some(ts.to_zoned(local_zone().clone()));
    }
    // A time without a zone (a file's time inside a zip) is already local.
    let civil = stamp.parse::<jiff::civil::DateTime>().ok()?;
    civil.to_zoned(local_zone().clone()).ok()
}

/// A stored time as people read it, in the local zone: `2026-12-01 17:16`. A text that is not a
/// time is returned as it is.
pub fn local(stamp: &str) -> String {
    match zoned(stamp) {
        Some(z) => z.strftime("%Y-%m-%d %H:%M").to_string(),
        None => stamp.to_string(),
    }
}

/// A stored time for scripts: RFC 3339 with the local offset, `2026-12-01T17:16:34+08:00`.
pub fn rfc3339_local(stamp: &str) -> String {
    match zoned(stamp) {
        Some(z) => z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        None => stamp.to_string(),
    }
}

/// The date of a stored time in the local zone, as (year, month, day).
pub fn local_date(stamp: &str) -> Option<(i16, i8, i8)> {
    zoned(stamp).map(|z| (z.year(), z.month(), z.day()))
}

/// Today's date in the local zone, `2026-12-01`.
pub fn today_local() -> String {
    jiff::Zoned::now()
        .with_time_zone(local_zone().clone())
        .strftime("%Y-%m-%d")
        .to_string()
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(utc_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_from_unix(1_704_067_199), "2023-12-31T23:59:59Z");
        assert_eq!(utc_from_unix(1_709_164_800), "2024-02-29T00:00:00Z");
    }

    #[test]
    fn shown_in_a_given_zone() {
        let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        let ts: jiff::Timestamp = "2026-12-01T09:16:34Z".parse().unwrap();
        let z = ts.to_zoned(zone);
        assert_eq!(z.strftime("%Y-%m-%d %H:%M").to_string(), "2026-12-01 17:16");
        assert_eq!(
            z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            "2026-12-01T17:16:34+08:00"
        );
    }

    #[test]
    fn text_that_is_no_time_stays() {
        assert_eq!(local("（未知）"), "（未知）");
        assert_eq!(rfc3339_local(""), "");
    }
}
