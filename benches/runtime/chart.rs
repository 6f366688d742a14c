//! The summary's ratios as an SVG bar chart (written with `--svg PATH`).

use std::fmt::Write;

use crate::summary::Row;

const LABEL_WIDTH: f64 = 330.0;
const PLOT_WIDTH: f64 = 420.0;
const ROW_HEIGHT: f64 = 34.0;
const BAR_HEIGHT: f64 = 12.0;
const TOP: f64 = 56.0;
/// The anchors drawn, each with its bar colour.
const ANCHORS: [(&str, &str); 2] = [("tokio", "#3b6ea8"), ("smol", "#9aa5b1")];

/// An SVG drawing one pair of bars per row (asyncio / tokio, asyncio /
/// smol), a line at 1 (parity) and a mark at each row's target.
pub(crate) fn svg(rows: &[Row]) -> String {
    let largest = rows
        .iter()
        .flat_map(|r| ANCHORS.iter().filter_map(|(a, _)| r.ratio(a)))
        .fold(1.0_f64, f64::max);
    let x_max = largest.clamp(1.5, 3.0).ceil();
    let x = |ratio: f64| LABEL_WIDTH + ratio.min(x_max) / x_max * PLOT_WIDTH;
    let width = LABEL_WIDTH + PLOT_WIDTH + 70.0;
    let height = TOP + ROW_HEIGHT * rows.len() as f64 + 30.0;

    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        w,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>
<text x="10" y="20" font-size="14" font-weight="bold">asyncio's time or memory over each anchor's (below 1 is better)</text>"##
    );
    for (i, (anchor, colour)) in ANCHORS.iter().enumerate() {
        let lx = LABEL_WIDTH + i as f64 * 140.0;
        let _ = writeln!(
            w,
            r#"<rect x="{lx}" y="32" width="12" height="12" fill="{colour}"/><text x="{}" y="42">/ {anchor}</text>"#,
            lx + 16.0
        );
    }
    let _ = writeln!(
        w,
        r##"<rect x="{}" y="34" width="3" height="10" fill="#c0392b"/><text x="{}" y="42">target / tokio</text>"##,
        LABEL_WIDTH + 280.0,
        LABEL_WIDTH + 288.0
    );
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + ROW_HEIGHT * i as f64;
        let _ = writeln!(
            w,
            r#"<text x="10" y="{}">{}</text>"#,
            y + BAR_HEIGHT + 3.0,
            escape(&row.label.replace('`', ""))
        );
        for (j, (anchor, colour)) in ANCHORS.iter().enumerate() {
            let Some(ratio) = row.ratio(anchor) else {
                continue;
            };
            let by = y + j as f64 * (BAR_HEIGHT + 2.0);
            let _ = writeln!(
                w,
                r#"<rect x="{LABEL_WIDTH}" y="{by}" width="{:.1}" height="{BAR_HEIGHT}" fill="{colour}"/><text x="{:.1}" y="{:.1}" font-size="11">{ratio:.2}</text>"#,
                x(ratio) - LABEL_WIDTH,
                x(ratio) + 4.0,
                by + BAR_HEIGHT - 2.0
            );
        }
        if let Some(target) = row.target {
            let _ = writeln!(
                w,
                r##"<rect x="{:.1}" y="{}" width="3" height="{}" fill="#c0392b"/>"##,
                x(target) - 1.5,
                y - 2.0,
                2.0 * BAR_HEIGHT + 6.0
            );
        }
    }
    let bottom = TOP + ROW_HEIGHT * rows.len() as f64;
    let _ = writeln!(
        w,
        r##"<line x1="{0}" y1="{1}" x2="{0}" y2="{bottom}" stroke="#000" stroke-dasharray="4 3"/>"##,
        x(1.0),
        TOP - 6.0
    );
    let mut tick = 0.0;
    while tick <= x_max {
        let _ = writeln!(
            w,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{tick}</text>"#,
            x(tick),
            bottom + 16.0
        );
        tick += 0.5;
    }
    let _ = writeln!(w, "</svg>");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
