//! Runs the real binary under an address-space limit (`RLIMIT_AS`), so a regression that
//! allocates without bound fails the test (the child aborts or errors) instead of
//! exhausting the machine. Also reports the child's peak resident memory and wall time
//! (from `wait4`), for docs/performance.md; tests never assert on time.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Address space for one regscope process: the runtime, its thread stacks and two
/// malloc arenas fit with room to spare; a 1 GiB allocation does not.
pub const LIMIT: u64 = 768 << 20;
/// A child still running after this is killed (SIGKILL) so a hang fails the test instead
/// of holding the run; it is a guard, not a measurement.
pub const WATCHDOG: Duration = Duration::from_secs(300);

pub struct Limited {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// Peak resident set of the child, in KiB.
    pub peak_rss_kib: i64,
    pub elapsed: Duration,
}

impl Limited {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }
    /// For assertion messages.
    pub fn text(&self) -> String {
        format!(
            "status {:?} signal {:?} (peak {} KiB, {:?})\nstdout:\n{}\nstderr:\n{}",
            self.status.code(),
            self.status.signal(),
            self.peak_rss_kib,
            self.elapsed,
            self.stdout,
            self.stderr
        )
    }
}

/// `regscope ARGS` in `dir` with its own data/config dirs, under `limit` bytes of
/// address space.
pub fn regscope_limited(dir: &std::path::Path, args: &[&str], limit: u64) -> Limited {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_regscope"));
    cmd.args(args)
        .current_dir(dir)
        .env("REGSCOPE_DATA", dir.join("data"))
        .env("REGSCOPE_CONFIG", dir.join("config.toml"))
        .env("MALLOC_ARENA_MAX", "2")
        .env_remove("REGSCOPE_LOG");
    run_limited(&mut cmd, limit)
}

pub fn run_limited(cmd: &mut Command, limit: u64) -> Limited {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: limit as libc::rlim_t,
                rlim_max: limit as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let start = Instant::now();
    let mut child = cmd.spawn().expect("run regscope");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let pid = child.id() as libc::pid_t;
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if done_rx.recv_timeout(WATCHDOG).is_err() {
            // SAFETY: kill(2) on our own child, not yet reaped (we reap only below).
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    });
    let mut status = 0;
    // SAFETY: plain syscall on our own child; rusage is written by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(e.kind(), std::io::ErrorKind::Interrupted, "wait4: {e}");
    }
    let elapsed = start.elapsed();
    let _ = done_tx.send(());
    let _ = watchdog.join();
    // The child is reaped; `child` must not be waited on again (dropping does not wait).
    std::mem::forget(child);
    Limited {
        status: ExitStatus::from_raw(status),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap()).into_owned(),
        peak_rss_kib: usage.ru_maxrss,
        elapsed,
    }
}
