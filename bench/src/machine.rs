//! What the run ran on (CPU, cores, memory, kernel, load, commit) and the
//! CPU-time counters the phases read from /proc.

use std::path::Path;

use serde_json::{Value, json};

/// The machine, from /proc: recorded in every report so that numbers from
/// different machines are never compared by accident.
pub fn describe() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map_or("unknown", |(_, v)| v.trim())
        .to_owned();
    let flags = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("flags"))
        .unwrap_or_default();
    let has = |flag: &str| flags.split_whitespace().any(|f| f == flag);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    json!({
        "cpu_model": cpu_model,
        "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "memory_gib": (mem_kib / 1024.0 / 1024.0).round(),
        "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map_or_else(|_| "unknown".to_owned(), |s| format!("Linux {}", s.trim())),
        "avx512f": has("avx512f"),
        "avx512_bf16": has("avx512_bf16"),
        "amx_bf16": has("amx_bf16"),
        "loadavg_at_start": load_average(),
    })
}

/// The 1-minute load average: other work on the machine skews every figure.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// `git describe`-like: the short commit, with `-dirty` when the work tree
/// has uncommitted changes (the numbers then belong to those changes).
pub fn commit(root: &Path) -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let Some(hash) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return "unknown".to_owned();
    };
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    if dirty { format!("{hash}-dirty") } else { hash }
}

/// CPU seconds (user + system) a process has used so far.
pub fn process_cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name: utime and stime are the
    // 12th and 13th, in clock ticks (100 per second on Linux).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// Busy and total CPU time of the whole machine (all cores), in ticks.
#[derive(Debug, Clone, Copy)]
pub struct MachineCpu {
    busy: u64,
    total: u64,
}

impl MachineCpu {
    pub fn now() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let v: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|x| x.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal ...
        let idle = v.get(3)? + v.get(4).copied().unwrap_or(0);
        let total: u64 = v.iter().take(8).sum();
        Some(Self {
            busy: total - idle,
            total,
        })
    }

    /// Percentage of all cores that were busy since `earlier`.
    pub fn busy_pct_since(self, earlier: Self) -> f64 {
        let total = self.total.saturating_sub(earlier.total).max(1);
        100.0 * self.busy.saturating_sub(earlier.busy) as f64 / total as f64
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process_and_the_machine() {
        let me = process_cpu_seconds(std::process::id()).unwrap();
        assert!(me >= 0.0);
        let before = MachineCpu::now().unwrap();
        let after = MachineCpu::now().unwrap();
        let pct = after.busy_pct_since(before);
        assert!((0.0..=100.0).contains(&pct));
        assert!(describe()["cores"].as_u64().unwrap() >= 1);
    }
}
