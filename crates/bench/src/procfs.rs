//! What the kernel says about a process and the machine: CPU time (`/proc/<pid>/stat`), resident
//! memory and its peak (`/proc/<pid>/status`), resetting that peak (`/proc/<pid>/clear_refs`),
//! and how busy all cores were (`/proc/stat`).

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// Clock ticks per second of `utime`/`stime`, from `getconf CLK_TCK` (100 on every Linux
/// configuration we know; used when `getconf` is missing).
pub fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100)
}

/// User plus system CPU time a process (all its threads, living and exited) has used.
pub fn cpu_time(pid: u32, ticks_per_second: u64) -> Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    let ticks = cpu_ticks(&stat)?;
    Ok(Duration::from_secs_f64(
        ticks as f64 / ticks_per_second as f64,
    ))
}

/// `utime + stime` (fields 14 and 15) of a `/proc/<pid>/stat` line.
pub fn cpu_ticks(stat: &str) -> Result<u64> {
    let (_, user, system) = parse_stat(stat)?;
    Ok(user + system)
}

/// The command name, `utime` and `stime` of a `/proc/<pid>/stat` (or `task/<tid>/stat`) line.
/// The name (field 2) may hold spaces and parentheses, so fields are counted from its last `)`.
fn parse_stat(stat: &str) -> Result<(&str, u64, u64)> {
    let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
        bail!("no command name in a /proc stat line");
    };
    // After the name comes field 3 (state): utime is field 14, so index 11 here.
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    let field = |index: usize| -> Result<u64> {
        fields
            .get(index)
            .context("short /proc stat line")?
            .parse::<u64>()
            .context("non-numeric /proc stat field")
    };
    Ok((&stat[open + 1..close], field(11)?, field(12)?))
}

/// User and system CPU ticks of a process's living threads, summed by kind: the thread's name
/// without a trailing number (`password-hash-0` and `password-hash-1` are one kind). Threads
/// that exited are not counted.
pub fn ticks_by_thread_kind(pid: u32) -> Result<BTreeMap<String, (u64, u64)>> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
        .with_context(|| format!("reading /proc/{pid}/task"))?;
    let mut kinds = BTreeMap::new();
    for task in tasks.flatten() {
        // A thread may exit between listing and reading.
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let (name, user, system) = parse_stat(&stat)?;
        let entry = kinds.entry(thread_kind(name)).or_insert((0, 0));
        entry.0 += user;
        entry.1 += system;
    }
    Ok(kinds)
}

fn thread_kind(name: &str) -> String {
    name.trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end_matches(['-', '_', ' '])
        .to_owned()
}

/// Resident memory of a process now (`VmRSS`) and at its peak (`VmHWM`), in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    pub rss_kib: u64,
    pub peak_kib: u64,
}

pub fn memory(pid: u32) -> Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    parse_memory(&status)
}

pub fn parse_memory(status: &str) -> Result<Memory> {
    let kib = |key: &str| -> Result<u64> {
        status
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .and_then(|rest| rest.trim().strip_suffix("kB"))
            .and_then(|number| number.trim().parse().ok())
            .with_context(|| format!("no {key} in /proc status"))
    };
    Ok(Memory {
        rss_kib: kib("VmRSS:")?,
        peak_kib: kib("VmHWM:")?,
    })
}

/// Sets the peak (`VmHWM`) back to the current RSS, so each measurement has its own peak
/// (Linux ≥ 4.0, same user or root). Returns false when the kernel refused.
pub fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// Jiffies all cores spent busy and in total, from the first line of `/proc/stat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HostCpu {
    pub busy: u64,
    pub total: u64,
}

impl HostCpu {
    pub fn now() -> Result<Self> {
        let stat = std::fs::read_to_string("/proc/stat").context("reading /proc/stat")?;
        parse_host_cpu(&stat)
    }

    /// Share of the machine's CPU that was busy between `self` and `later`, in percent.
    pub fn busy_percent_until(self, later: Self) -> f64 {
        let total = later.total.saturating_sub(self.total);
        if total == 0 {
            return 0.0;
        }
        later.busy.saturating_sub(self.busy) as f64 * 100.0 / total as f64
    }
}

pub fn parse_host_cpu(stat: &str) -> Result<HostCpu> {
    let line = stat
        .lines()
        .find(|line| line.starts_with("cpu "))
        .context("no cpu line in /proc/stat")?;
    let values: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(str::parse)
        .collect::<Result<_, _>>()
        .context("non-numeric /proc/stat field")?;
    if values.len() < 5 {
        bail!("short cpu line in /proc/stat");
    }
    // user nice system idle iowait irq softirq steal [guest guest_nice, already in user/nice]
    let total: u64 = values.iter().take(8).sum();
    let idle = values[3] + values[4];
    Ok(HostCpu {
        busy: total - idle,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_utime_plus_stime_even_with_odd_command_names() {
        let stat = "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 1234 0 0 0 \
                    250 75 0 0 20 0 9 0 12345 123456789 2048 18446744073709551615";
        assert_eq!(cpu_ticks(stat).unwrap(), 325);
    }

    #[test]
    fn threads_are_grouped_by_their_name_without_its_number() {
        assert_eq!(thread_kind("password-hash-1"), "password-hash");
        assert_eq!(thread_kind("r2d2-worker-12"), "r2d2-worker");
        assert_eq!(thread_kind("actix-server wo"), "actix-server wo");
        let (name, user, system) =
            parse_stat("77 (tokio-rt-worker) S 1 1 1 0 -1 0 0 0 0 0 40 2 0 0").unwrap();
        assert_eq!((name, user, system), ("tokio-rt-worker", 40, 2));
    }

    #[test]
    fn a_truncated_stat_line_is_an_error() {
        assert!(cpu_ticks("12 (x) S 1 2").is_err());
        assert!(cpu_ticks("no parenthesis").is_err());
    }

    #[test]
    fn memory_comes_from_vmrss_and_vmhwm() {
        let status = "Name:\tconnector\nVmPeak:\t  900000 kB\nVmHWM:\t   15360 kB\n\
                      VmRSS:\t   12288 kB\nThreads:\t8\n";
        assert_eq!(
            parse_memory(status).unwrap(),
            Memory {
                rss_kib: 12288,
                peak_kib: 15360
            }
        );
        assert!(parse_memory("Name:\tx\n").is_err());
    }

    #[test]
    fn host_cpu_busy_share() {
        let before = parse_host_cpu("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n").unwrap();
        let after = parse_host_cpu("cpu  250 0 100 850 50 0 0 0 0 0\n").unwrap();
        assert_eq!(before.total, 1000);
        assert_eq!(before.busy, 150);
        assert!((before.busy_percent_until(after) - 80.0).abs() < 1e-9);
    }
}
