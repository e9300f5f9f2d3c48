//! The server-rendered SVG chart of lag and backlog over the history
//! window: pure functions of the points, so every case is a unit test.
//!
//! Two stacked panels sharing the time axis (now at the right edge), each
//! scaled to a "nice" ceiling of its own maximum. A sample whose source was
//! unavailable breaks the line (a gap, never a fake zero); a point with no
//! neighbour is drawn as a dot. Colours and fonts are presentation
//! attributes, not CSS: the frontend's Content-Security-Policy forbids
//! inline styles, and attributes are not styles.

use std::fmt::Write;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::history::HistoryPoint;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
/// Room for the y-axis labels.
const LEFT: f64 = 64.0;
const RIGHT: f64 = WIDTH - 12.0;
const LAG_PANEL: Panel = Panel {
    top: 24.0,
    bottom: 100.0,
};
const BACKLOG_PANEL: Panel = Panel {
    top: 136.0,
    bottom: 212.0,
};
const LAG_COLOUR: &str = "#b45309";
const BACKLOG_COLOUR: &str = "#1d4ed8";
const INK: &str = "#374151";
const GRID: &str = "#d1d5db";

#[derive(Clone, Copy)]
struct Panel {
    top: f64,
    bottom: f64,
}

impl Panel {
    /// y of `value` on a 0..=`ceiling` scale (values above are clipped).
    fn y(self, value: f64, ceiling: f64) -> f64 {
        let fraction = (value / ceiling).clamp(0.0, 1.0);
        self.bottom - fraction * (self.bottom - self.top)
    }
}

/// The chart of `points` (oldest first) over `window` ending at `now`.
pub fn render(points: &[HistoryPoint], now: DateTime<Utc>, window: Duration) -> String {
    let window_s = window.as_secs_f64().max(1.0);
    let x = |at: DateTime<Utc>| {
        let age = (now - at).as_seconds_f64().clamp(0.0, window_s);
        RIGHT - age / window_s * (RIGHT - LEFT)
    };
    let visible: Vec<&HistoryPoint> = points
        .iter()
        .filter(|p| (now - p.at).as_seconds_f64() <= window_s)
        .collect();
    let lag: Vec<(DateTime<Utc>, Option<f64>)> = visible.iter().map(|p| (p.at, p.lag_s)).collect();
    let backlog: Vec<(DateTime<Utc>, Option<f64>)> = visible
        .iter()
        .map(|p| (p.at, p.backlog.map(|b| b as f64)))
        .collect();
    let title = format!(
        "Sync lag and backlog over the last {}",
        human_duration(window_s)
    );

    let mut svg = String::with_capacity(4096);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{title}" font-family="sans-serif" font-size="11" fill="{INK}"><title>{title}</title>"#,
        title = escape(&title),
    );
    draw_panel(&mut svg, LAG_PANEL, "lag", &lag, &x, LAG_COLOUR, |v| {
        human_duration(v)
    });
    draw_panel(
        &mut svg,
        BACKLOG_PANEL,
        "backlog (changes)",
        &backlog,
        &x,
        BACKLOG_COLOUR,
        |v| format!("{v:.0}"),
    );
    let axis_y = BACKLOG_PANEL.bottom + 16.0;
    let _ = write!(
        svg,
        r#"<text x="{LEFT}" y="{axis_y}">−{}</text><text x="{RIGHT}" y="{axis_y}" text-anchor="end">now</text>"#,
        escape(&human_duration(window_s)),
    );
    if visible.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle">no samples yet</text>"#,
            (LEFT + RIGHT) / 2.0,
            HEIGHT / 2.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

fn draw_panel(
    svg: &mut String,
    panel: Panel,
    label: &str,
    series: &[(DateTime<Utc>, Option<f64>)],
    x: &impl Fn(DateTime<Utc>) -> f64,
    colour: &str,
    format_value: impl Fn(f64) -> String,
) {
    let max = series
        .iter()
        .filter_map(|(_, v)| *v)
        .fold(0.0_f64, f64::max);
    let ceiling = nice_ceiling(max);
    let latest = series
        .last()
        .and_then(|(_, v)| *v)
        .map_or_else(|| "unavailable".to_owned(), &format_value);
    let _ = write!(
        svg,
        r#"<text x="{LEFT}" y="{}" font-weight="bold">{} <tspan fill="{colour}">{}</tspan></text>"#,
        panel.top - 8.0,
        escape(label),
        escape(&format!("now {latest}")),
    );
    // Frame with the scale: ceiling at the top, 0 at the bottom.
    let _ = write!(
        svg,
        r#"<rect x="{LEFT}" y="{top}" width="{w}" height="{h}" fill="none" stroke="{GRID}"/><line x1="{LEFT}" y1="{mid}" x2="{RIGHT}" y2="{mid}" stroke="{GRID}" stroke-dasharray="3 3"/><text x="{lx}" y="{ty}" text-anchor="end">{ceiling_label}</text><text x="{lx}" y="{by}" text-anchor="end">0</text>"#,
        top = panel.top,
        w = RIGHT - LEFT,
        h = panel.bottom - panel.top,
        mid = (panel.top + panel.bottom) / 2.0,
        lx = LEFT - 6.0,
        ty = panel.top + 4.0,
        by = panel.bottom,
        ceiling_label = escape(&format_value(ceiling)),
    );
    for run in runs(series) {
        if let [(at, value)] = run.as_slice() {
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{colour}"/>"#,
                x(*at),
                panel.y(*value, ceiling),
            );
        } else {
            let coordinates: Vec<String> = run
                .iter()
                .map(|(at, value)| format!("{:.1},{:.1}", x(*at), panel.y(*value, ceiling)))
                .collect();
            let _ = write!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="1.5" stroke-linejoin="round"/>"#,
                coordinates.join(" "),
            );
        }
    }
}

/// Stretches of consecutive available values; an unavailable value ends a
/// stretch.
fn runs(series: &[(DateTime<Utc>, Option<f64>)]) -> Vec<Vec<(DateTime<Utc>, f64)>> {
    let mut out: Vec<Vec<(DateTime<Utc>, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (at, value) in series {
        match value {
            Some(v) if v.is_finite() => current.push((*at, *v)),
            _ => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The smallest of 1, 2, 5 × 10ⁿ that is ≥ `max` (at least 1), so the
/// scale reads well and a flat zero line sits at the bottom.
pub fn nice_ceiling(max: f64) -> f64 {
    if !max.is_finite() || max <= 1.0 {
        return 1.0;
    }
    let magnitude = 10_f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|c| *c >= max)
        .unwrap_or(10.0 * magnitude)
}

/// "850 ms", "12 s", "4.5 min", "2 h": short enough for an axis label.
pub fn human_duration(seconds: f64) -> String {
    if seconds < 1.0 && seconds > 0.0 {
        format!("{:.0} ms", seconds * 1000.0)
    } else if seconds < 60.0 {
        format!("{seconds:.0} s")
    } else if seconds < 3600.0 {
        trim_zero(format!("{:.1}", seconds / 60.0)) + " min"
    } else {
        trim_zero(format!("{:.1}", seconds / 3600.0)) + " h"
    }
}

fn trim_zero(number: String) -> String {
    number
        .strip_suffix(".0")
        .map_or_else(|| number.clone(), str::to_owned)
}

/// Text for an SVG (XML) text node or attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(900);

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    fn point(seconds_ago: i64, lag_s: Option<f64>, backlog: Option<u64>) -> HistoryPoint {
        HistoryPoint {
            at: now() - chrono::Duration::seconds(seconds_ago),
            lag_s,
            backlog,
        }
    }

    fn count(svg: &str, needle: &str) -> usize {
        svg.matches(needle).count()
    }

    #[test]
    fn ceilings_are_round_numbers_at_or_above_the_maximum() {
        let cases = [
            (0.0, 1.0),
            (0.4, 1.0),
            (1.0, 1.0),
            (1.5, 2.0),
            (3.0, 5.0),
            (7.0, 10.0),
            (10.0, 10.0),
            (11.0, 20.0),
            (420.0, 500.0),
            (9_999.0, 10_000.0),
            (f64::NAN, 1.0),
        ];
        for (max, ceiling) in cases {
            assert_eq!(nice_ceiling(max), ceiling, "max {max}");
        }
    }

    #[test]
    fn values_are_scaled_into_their_panel() {
        let panel = LAG_PANEL;
        assert_eq!(panel.y(0.0, 10.0), panel.bottom);
        assert_eq!(panel.y(10.0, 10.0), panel.top);
        assert_eq!(panel.y(5.0, 10.0), (panel.top + panel.bottom) / 2.0);
        // Above the ceiling or negative: clipped to the frame.
        assert_eq!(panel.y(50.0, 10.0), panel.top);
        assert_eq!(panel.y(-1.0, 10.0), panel.bottom);
    }

    #[test]
    fn time_runs_from_the_window_start_on_the_left_to_now_on_the_right() {
        let svg = render(
            &[
                point(900, Some(0.0), Some(0)),
                point(0, Some(8.0), Some(40)),
            ],
            now(),
            WINDOW,
        );
        // Lag: ceiling 10 s; oldest at the left edge on 0, newest at the right.
        let lag_line = format!(
            r#"points="{LEFT:.1},{:.1} {RIGHT:.1},{:.1}""#,
            LAG_PANEL.bottom,
            LAG_PANEL.y(8.0, 10.0)
        );
        assert!(svg.contains(&lag_line), "{svg}");
        assert!(svg.contains(">10 s</text>"), "lag scale label: {svg}");
        // Backlog: ceiling 50.
        assert!(svg.contains(">50</text>"), "backlog scale label: {svg}");
        assert!(svg.contains("now 8 s"), "{svg}");
        assert!(svg.contains("now 40"), "{svg}");
        assert!(svg.contains("−15 min"), "{svg}");
    }

    #[test]
    fn points_older_than_the_window_are_left_out() {
        let svg = render(
            &[
                point(2_000, Some(500.0), Some(9_000)),
                point(10, Some(1.0), Some(1)),
            ],
            now(),
            WINDOW,
        );
        assert!(
            !svg.contains("10000"),
            "old maximum must not set the scale: {svg}"
        );
        assert_eq!(count(&svg, "<circle"), 2, "one dot per panel: {svg}");
    }

    #[test]
    fn an_empty_history_draws_the_frame_and_says_so() {
        let svg = render(&[], now(), WINDOW);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(svg.contains("no samples yet"));
        assert_eq!(count(&svg, "<polyline"), 0);
        assert_eq!(count(&svg, "<circle"), 0);
        assert_eq!(count(&svg, "<rect"), 2);
        assert!(svg.contains("now unavailable"));
    }

    #[test]
    fn a_single_point_is_a_dot() {
        let svg = render(&[point(0, Some(2.0), Some(3))], now(), WINDOW);
        assert_eq!(count(&svg, "<circle"), 2);
        assert_eq!(count(&svg, "<polyline"), 0);
        assert!(!svg.contains("no samples yet"));
    }

    #[test]
    fn an_unavailable_sample_breaks_the_line() {
        let points = [
            point(40, Some(1.0), Some(5)),
            point(30, Some(2.0), Some(6)),
            point(20, None, None),
            point(10, Some(1.0), Some(2)),
            point(0, Some(0.5), Some(1)),
        ];
        let svg = render(&points, now(), WINDOW);
        assert_eq!(
            count(&svg, "<polyline"),
            4,
            "two stretches per panel: {svg}"
        );
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &apos;b&apos;&lt;/script&gt;"
        );
        let svg = render(&[point(0, Some(1.0), Some(1))], now(), WINDOW);
        // Every '<' opens one of our elements; nothing else is markup.
        for tag in svg.split('<').skip(1) {
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            assert!(
                [
                    "svg", "title", "text", "tspan", "rect", "line", "circle", "polyline"
                ]
                .contains(&name.as_str()),
                "unexpected element {name:?} in {svg}"
            );
        }
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(0.25), "250 ms");
        assert_eq!(human_duration(0.0), "0 s");
        assert_eq!(human_duration(12.4), "12 s");
        assert_eq!(human_duration(90.0), "1.5 min");
        assert_eq!(human_duration(900.0), "15 min");
        assert_eq!(human_duration(7_200.0), "2 h");
    }
}
