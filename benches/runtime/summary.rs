//! The summary: one ratio per headline figure (the README's table), and the
//! scaling table of the workloads measured at several sizes.

use crate::harness::{Measured, Sample, Stats};
use crate::{bytes_per_item, ns_per_item, overhead_per_timer};

/// Which figure of a measurement a summary row compares.
#[derive(Clone, Copy)]
enum Metric {
    /// Time per item.
    Time,
    /// Time per timer beyond the longest sleep.
    Overhead,
    /// Memory per item.
    Bytes,
}

/// A headline figure: what it compares, and the target for asyncio / tokio.
struct Headline {
    label: &'static str,
    workload: &'static str,
    size: usize,
    metric: Metric,
    target: Option<f64>,
}

const HEADLINES: &[Headline] = &[
    Headline {
        label: "`sleep(0)` yield",
        workload: "yield",
        size: 10_000_000,
        metric: Metric::Time,
        target: Some(0.2),
    },
    Headline {
        label: "spawn 1M trivial tasks, await all",
        workload: "spawn",
        size: 1_000_000,
        metric: Metric::Time,
        target: Some(0.6),
    },
    Headline {
        label: "Queue ping-pong vs mpsc / channel",
        workload: "queue",
        size: 1_000_000,
        metric: Metric::Time,
        target: Some(0.6),
    },
    Headline {
        label: "new `Future` per round trip vs oneshot",
        workload: "pingpong",
        size: 1_000_000,
        metric: Metric::Time,
        target: Some(0.7),
    },
    Headline {
        label: "100k timers 0–10 ms, overhead",
        workload: "timers",
        size: 100_000,
        metric: Metric::Overhead,
        target: Some(0.7),
    },
    Headline {
        label: "1M timers 0–10 ms, overhead",
        workload: "timers",
        size: 1_000_000,
        metric: Metric::Overhead,
        target: Some(0.7),
    },
    Headline {
        label: "peak memory, 1M tasks held",
        workload: "spawn",
        size: 1_000_000,
        metric: Metric::Bytes,
        target: Some(0.8),
    },
    Headline {
        label: "memory per task awaiting its own one-shot",
        workload: "pending",
        size: 100_000,
        metric: Metric::Bytes,
        target: Some(0.9),
    },
    Headline {
        label: "gather 100k trivial futures",
        workload: "gather",
        size: 100_000,
        metric: Metric::Time,
        target: None,
    },
    Headline {
        label: "Semaphore(10), 1,000 tasks contending",
        workload: "semaphore",
        size: 1_000_000,
        metric: Metric::Time,
        target: None,
    },
    Headline {
        label: "`to_thread` round trip",
        workload: "to_thread",
        size: 100_000,
        metric: Metric::Time,
        target: None,
    },
];

/// One row of the summary, ready to print or draw.
pub(crate) struct Row {
    pub(crate) label: &'static str,
    pub(crate) unit: &'static str,
    /// asyncio's figure.
    pub(crate) ours: Stats,
    /// Each anchor's name and figure.
    pub(crate) anchors: Vec<(&'static str, Stats)>,
    pub(crate) target: Option<f64>,
}

impl Row {
    /// asyncio's median over `anchor`'s.
    pub(crate) fn ratio(&self, anchor: &str) -> Option<f64> {
        let (_, theirs) = self.anchors.iter().find(|(a, _)| *a == anchor)?;
        Some(self.ours.median / theirs.median)
    }
}

/// The headline rows among what was measured (sizes divided by `scale`).
pub(crate) fn rows(measured: &[Measured], scale: usize) -> Vec<Row> {
    let mut rows = Vec::new();
    for h in HEADLINES {
        let n = h.size / scale;
        let Some(m) = measured
            .iter()
            .find(|m| m.workload == h.workload && m.n == n)
        else {
            continue;
        };
        let (unit, per_item): (_, fn(&Sample, usize) -> f64) = match h.metric {
            Metric::Time => ("ns", ns_per_item),
            Metric::Overhead => ("ns/timer", overhead_per_timer),
            Metric::Bytes => ("B", bytes_per_item),
        };
        let metric = |s: &Sample| per_item(s, n);
        let stats = |side: &str| m.stats(side, metric);
        let Some(ours) = stats("asyncio") else {
            continue;
        };
        let anchors = ["tokio", "smol"]
            .into_iter()
            .filter_map(|a| Some((a, stats(a)?)))
            .collect();
        rows.push(Row {
            label: h.label,
            unit,
            ours,
            anchors,
            target: h.target,
        });
    }
    rows
}

fn figure(s: &Stats) -> String {
    format!("{:.1} [{:.1}–{:.1}]", s.median, s.min, s.max)
}

/// The summary as a Markdown table (the README's).
pub(crate) fn print_markdown(rows: &[Row]) {
    println!("## summary (medians [min–max]; ratio = asyncio / anchor, below 1 is better)\n");
    println!("| workload | unit | asyncio | tokio | smol | / tokio | / smol | target / tokio |");
    println!("|---|---|---|---|---|---|---|---|");
    for row in rows {
        let anchor = |a: &str| {
            row.anchors
                .iter()
                .find(|(name, _)| *name == a)
                .map_or("–".to_owned(), |(_, s)| figure(s))
        };
        let ratio = |a: &str| row.ratio(a).map_or("–".to_owned(), |r| format!("{r:.2}"));
        let target = row.target.map_or("–".to_owned(), |t| {
            let met = row.ratio("tokio").is_some_and(|r| r <= t);
            format!("≤ {t} {}", if met { "✓" } else { "✗" })
        });
        println!(
            "| {} | {} | {} | {} | {} | **{}** | {} | {target} |",
            row.label,
            row.unit,
            figure(&row.ours),
            anchor("tokio"),
            anchor("smol"),
            ratio("tokio"),
            ratio("smol"),
        );
    }
    println!();
}

/// ns and bytes per item of the workloads measured at several sizes.
pub(crate) fn print_scaling(measured: &[Measured]) {
    let scaled: Vec<&Measured> = measured
        .iter()
        .filter(|m| matches!(m.workload, "spawn" | "timers"))
        .collect();
    if scaled.is_empty() {
        return;
    }
    println!("## scaling (medians; timers: time is the overhead beyond 10 ms)\n");
    println!("| workload | n | asyncio ns | tokio ns | smol ns | asyncio B | tokio B | smol B |");
    println!("|---|---|---|---|---|---|---|---|");
    for m in scaled {
        let n = m.n;
        let time = |side: &str| {
            let metric = |s: &Sample| {
                if m.workload == "timers" {
                    overhead_per_timer(s, n)
                } else {
                    ns_per_item(s, n)
                }
            };
            m.stats(side, metric)
                .map_or("–".to_owned(), |s| format!("{:.0}", s.median))
        };
        let bytes = |side: &str| {
            m.stats(side, |s| bytes_per_item(s, n))
                .map_or("–".to_owned(), |s| format!("{:.0}", s.median))
        };
        println!(
            "| {} | {n} | {} | {} | {} | {} | {} | {} |",
            m.workload,
            time("asyncio"),
            time("tokio"),
            time("smol"),
            bytes("asyncio"),
            bytes("tokio"),
            bytes("smol"),
        );
    }
    println!();
}
