//! Progress reporting's judgement of an item against its schedule (`[progress]` of a spec): **overdue** when its
//! deadline has passed and it is not complete; **behind** when its progress is below the time
//! elapsed towards its deadline (序时进度: from 1 January of the year being reported to the
//! deadline) by more than the spec's tolerance.
//!
//! Deadlines are read as offices write them: `2024年6月底前`, `6月30日前`, `2024-06-30`,
//! `12月底`, `年底前`, `第三季度末`; a deadline without a year is in the year being reported;
//! one that names no date (`长期坚持`, `持续推进`) is never overdue nor behind.

use jiff::civil::Date;
use rust_decimal::Decimal;

/// How an item stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Flag {
    /// Past `deadline` and not complete.
    Overdue { deadline: String },
    /// `percent` done where `expected` (序时进度) was due; no percent: nobody reported it (未报,
    /// never read as 0 %).
    Behind {
        percent: Option<Decimal>,
        expected: Decimal,
    },
}

/// The last day of a deadline written as people write it, in `year` when it names none.
pub fn deadline_date(text: &str, year: i16) -> Option<Date> {
    let half = crate::cell_text::to_halfwidth(text);
    let t = half.trim();
    if let Some(date) = crate::inputs::parse_date(t.trim_end_matches(['前', '止'])) {
        return date.parse().ok();
    }
    let (year, rest) = match t.find('年') {
        Some(i) => (
            t[..i].trim().parse().unwrap_or(year),
            &t[i + '年'.len_utf8()..],
        ),
        None => (year, t),
    };
    let last_of = |month: i8| Date::new(year, month, 1).ok().map(|d| d.last_of_month());
    if rest.starts_with("底") || rest.starts_with("末") || rest.is_empty() && t.contains('年') {
        return last_of(12);
    }
    if let Some(q) = rest.find("季度") {
        let n = match rest[..q].trim_start_matches('第') {
            "一" | "1" => 3,
            "二" | "2" => 6,
            "三" | "3" => 9,
            "四" | "4" => 12,
            _ => return None,
        };
        return last_of(n);
    }
    let m = rest.find('月')?;
    let month: i8 = rest[..m].trim().parse().ok()?;
    let after = &rest[m + '月'.len_utf8()..];
    let day: String = after.chars().take_while(char::is_ascii_digit).collect();
    match day.parse::<i8>() {
        Ok(day) => Date::new(year, month, day).ok(),
        Err(_) => last_of(month),
    }
}

/// The last day of a period named as offices name them: `2024-07`, `2024.07`, `202407` and
/// `2024年7月` end on 31 July; `2024Q3`, `2024-Q3` and `2024年第三季度` on 30 September;
/// `2024-H1` on 30 June; `2024` and `2024年` on 31 December. None for any other name.
pub fn period_end(name: &str) -> Option<Date> {
    let half = crate::cell_text::to_halfwidth(name).to_ascii_uppercase();
    let t = half.trim();
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let year_of = |s: &str| -> Option<i16> { (s.len() == 4 && digits(s)).then(|| s.parse().ok())? };
    let last_of = |year: i16, month: i8| Date::new(year, month, 1).ok().map(|d| d.last_of_month());
    if t.len() == 6 && digits(t) {
        return last_of(year_of(&t[..4])?, t[4..].parse().ok()?);
    }
    if let Some(year) = year_of(t) {
        return last_of(year, 12);
    }
    let (year, rest) = t.split_at_checked(4)?;
    let year = year_of(year)?;
    let rest = rest.trim_start_matches(['-', '.', '/', ' ']);
    if let Some(q) = rest.strip_prefix('Q') {
        let q: i8 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
        return last_of(year, q * 3);
    }
    if let Some(h) = rest.strip_prefix('H') {
        let h: i8 = h.parse().ok().filter(|h| (1..=2).contains(h))?;
        return last_of(year, h * 6);
    }
    if digits(rest) && rest.len() <= 2 {
        return last_of(year, rest.parse().ok().filter(|m| (1..=12).contains(m))?);
    }
    t.contains('年').then(|| deadline_date(t, year))?
}

/// The share of the time from the start of the year to `deadline` that has passed at `today`,
/// in percent (0 … 100), rounded to a whole percent.
pub fn expected_percent(today: Date, deadline: Date) -> Decimal {
    let start = Date::new(today.year(), 1, 1).unwrap_or(today).min(deadline);
    let whole = (deadline - start).get_days().max(1);
    let gone = (today - start).get_days().clamp(0, whole);
    (Decimal::from(gone) * Decimal::ONE_HUNDRED / Decimal::from(whole)).round()
}

/// How an item stands at `today`: its deadline text, its progress (percent) and whether it is
/// complete.
pub fn flag(
    deadline: Option<&str>,
    percent: Option<Decimal>,
    complete: bool,
    today: Date,
    tolerance: Decimal,
) -> Option<Flag> {
    let text = deadline?;
    let due = deadline_date(text, today.year())?;
    let complete = complete || percent.is_some_and(|p| p >= Decimal::ONE_HUNDRED);
    if complete {
        return None;
    }
    if today > due {
        return Some(Flag::Overdue {
            deadline: text.trim().to_string(),
        });
    }
    let expected = expected_percent(today, due);
    let behind = percent.is_none_or(|p| p + tolerance < expected);
    (behind && expected > tolerance).then_some(Flag::Behind { percent, expected })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_ends_where_its_name_says() {
        let d = |y, m, day| Some(jiff::civil::date(y, m, day));
        assert_eq!(period_end("2024-07"), d(2024, 7, 31));
        assert_eq!(period_end("2024.02"), d(2024, 2, 29));
        assert_eq!(period_end("202411"), d(2024, 11, 30));
        assert_eq!(period_end("2024年7月"), d(2024, 7, 31));
        assert_eq!(period_end("2024Q3"), d(2024, 9, 30));
        assert_eq!(period_end("2024-q1"), d(2024, 3, 31));
        assert_eq!(period_end("2024年第三季度"), d(2024, 9, 30));
        assert_eq!(period_end("2024-H1"), d(2024, 6, 30));
        assert_eq!(period_end("2024"), d(2024, 12, 31));
        assert_eq!(period_end("2024年"), d(2024, 12, 31));
        assert_eq!(period_end("第一期"), None);
        assert_eq!(period_end("2024-13"), None);
        assert_eq!(period_end("2024Q5"), None);
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn deadlines_are_read_as_offices_write_them() {
        let cases = [
            ("2024年6月底前", "2024-06-30"),
            ("6月30日前", "2026-06-30"),
            ("2024-09-15", "2024-09-15"),
            ("12月底", "2026-12-31"),
            ("年底前", "2026-12-31"),
            ("2025年底", "2025-12-31"),
            ("第三季度末", "2026-09-30"),
            ("2月底前", "2026-02-28"),
            ("2024年2月底前", "2024-02-29"),
        ];
        for (text, want) in cases {
            assert_eq!(deadline_date(text, 2026), Some(date(want)), "{text}");
        }
        for text in ["长期坚持", "持续推进", ""] {
            assert_eq!(deadline_date(text, 2026), None, "{text}");
        }
    }

    /// (deadline, percent, complete, today, flag)
    #[test]
    fn items_are_flagged_overdue_or_behind() {
        let d = Decimal::from;
        type Case<'a> = (&'a str, Option<i64>, bool, &'a str, Option<Flag>);
        let cases: Vec<Case> = vec![
            (
                "2026年3月31日",
                Some(60),
                false,
                "2026-04-01",
                Some(Flag::Overdue {
                    deadline: "2026年3月31日".into(),
                }),
            ),
            ("2026年3月31日", Some(60), true, "2026-04-01", None),
            ("2026年3月31日", Some(100), false, "2026-04-01", None),
            (
                "2026年12月31日",
                Some(40),
                false,
                "2026-07-02",
                Some(Flag::Behind {
                    percent: Some(d(40)),
                    expected: d(50),
                }),
            ),
            ("2026年12月31日", Some(50), false, "2026-07-02", None),
            (
                "2026年12月31日",
                None,
                false,
                "2026-07-02",
                Some(Flag::Behind {
                    percent: None,
                    expected: d(50),
                }),
            ),
            ("长期坚持", Some(0), false, "2026-07-02", None),
            (
                "2027年6月30日",
                Some(10),
                false,
                "2026-07-02",
                Some(Flag::Behind {
                    percent: Some(d(10)),
                    expected: d(33),
                }),
            ),
        ];
        for (deadline, percent, complete, today, want) in cases {
            let got = flag(
                Some(deadline),
                percent.map(d),
                complete,
                date(today),
                Decimal::ZERO,
            );
            assert_eq!(got, want, "{deadline} {percent:?} {today}");
        }
    }
}
