//! Hostile config numbers and files, read by the real binary under a memory limit: a
//! `u64::MAX` timeout (which panicked when added to the clock), retries and concurrency
//! out of range, an entry with an address that is no registry, and a config path that is
//! `/dev/zero`. Each is a `config error in FILE` line; the program keeps going with the
//! defaults and reads the registry.

use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
use crate::support::limited::{regscope_limited, run_limited, LIMIT};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use regscope::model::Inventory;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_range_numbers_and_bad_entries_are_config_errors_and_the_crawl_goes_on() {
    crate::require!("docker-registry");
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let f = ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(tar(&[Entry::File("a", b"a")]), "COPY a /")],
    );
    let pushed = f.push(&s, "team/app", &["v1"]).await;
    let dir = tempfile::tempdir().unwrap();
    let max = u64::MAX;
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "[[registry]]\nname = \"local\"\naddress = \"{}\"\nread_timeout_secs = {max}\nconnect_timeout_secs = {max}\nrequest_timeout_secs = {max}\nmin_blob_bytes_per_sec = {max}\nmax_retries = 4294967295\nconcurrency = 0\n\n[[registry]]\nname = \"broken\"\naddress = \"no registry here!\"\n",
            reg.addr
        ),
    )
    .unwrap();
    let o = regscope_limited(
        dir.path(),
        &["--no-cache", "images", &reg.addr, "--json"],
        LIMIT,
    );
    assert_eq!(o.code(), Some(0), "{}", o.text());
    for field in [
        "read_timeout_secs",
        "connect_timeout_secs",
        "request_timeout_secs",
        "min_blob_bytes_per_sec",
    ] {
        assert!(
            o.stderr.contains(&format!(
                "[[registry]] entry 1 (\"local\"): {field} = {max} is out of range"
            )),
            "{field}: {}",
            o.text()
        );
    }
    assert!(
        o.stderr
            .contains("max_retries = 4294967295 is out of range"),
        "{}",
        o.text()
    );
    assert!(
        o.stderr.contains("concurrency = 0 is out of range"),
        "{}",
        o.text()
    );
    // Each problem once, however many names the command resolves through the file
    // (every warning was printed twice before).
    assert_eq!(
        o.stderr.matches("concurrency = 0 is out of range").count(),
        1,
        "{}",
        o.text()
    );
    assert!(
        o.stderr.contains("config error in")
            && o.stderr
                .contains("[[registry]] entry 2 (\"broken\"): address")
            && o.stderr.contains("entry skipped"),
        "{}",
        o.text()
    );
    let inv = Inventory::from_json(&o.stdout).unwrap();
    assert_eq!(inv.images.len(), 1, "{}", o.text());
    assert_eq!(inv.images[0].digest.as_str(), pushed.digest);
    eprintln!(
        "config numbers: {:.2} s, peak RSS {} MiB",
        o.elapsed.as_secs_f64(),
        o.peak_rss_kib / 1024
    );

    // A config path that is /dev/zero: read up to the cap, refused, defaults used.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_regscope"));
    cmd.args(["--no-cache", "images", &reg.addr, "--json"])
        .current_dir(dir.path())
        .env("REGSCOPE_DATA", dir.path().join("data"))
        .env("REGSCOPE_CONFIG", "/dev/zero")
        .env("MALLOC_ARENA_MAX", "2")
        .env_remove("REGSCOPE_LOG");
    let o = run_limited(&mut cmd, LIMIT);
    assert_eq!(o.code(), Some(0), "{}", o.text());
    assert!(
        o.stderr.contains("config error in /dev/zero"),
        "{}",
        o.text()
    );
    let inv = Inventory::from_json(&o.stdout).unwrap();
    assert_eq!(inv.images.len(), 1, "{}", o.text());
}
