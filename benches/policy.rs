//! ECR lifecycle evaluation over 1,000,000 images with a five-rule policy, including the
//! plan's protections and the reclaim computation (issue 5: within 1 s).
//! Run: `cargo bench --bench policy` (release). Prints the median of several runs.

use chrono::{DateTime, Duration, Utc};
use regscope::model::{BlobRef, Digest, Image, ImageKind};
use regscope::policy::graph::Graph;
use regscope::policy::reclaim::ReclaimScope;
use regscope::policy::{DeletionPlan, PlanOptions, Policy, PolicyFormat, Switches};
use std::time::Instant;

const IMAGES: usize = 1_000_000;

/// `REGSCOPE_BENCH_IMAGES` shrinks the fleet (for profiling under callgrind).
fn image_count() -> usize {
    std::env::var("REGSCOPE_BENCH_IMAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(IMAGES)
}
const PER_REPO: usize = 1_000;

fn digest(kind: &str, n: usize) -> Digest {
    Digest::sha256_of(format!("{kind}-{n}").as_bytes())
}

/// A fleet shaped like a busy CI registry: per repository, release/v/dev/sha tags, a third
/// untagged, one index in 50 over the two images after it, shared base layers.
fn fleet(now: DateTime<Utc>) -> Vec<Image> {
    let count = image_count();
    let mut v = Vec::with_capacity(count);
    for i in 0..count {
        let repo = format!("team-{}/svc-{}", (i / PER_REPO) % 40, i / PER_REPO);
        let k = i % PER_REPO;
        let mut im = Image::new(
            &repo,
            digest("m", i),
            "application/vnd.oci.image.manifest.v1+json",
            ImageKind::Image,
        );
        im.tags = match k % 6 {
            0 => vec![format!("release-{k}")],
            1 => vec![format!("v1.{k}.0"), format!("sha-{:x}", i)],
            2 => vec![format!("dev-{k}")],
            3 => vec![format!("sha-{:x}", i)],
            _ => vec![],
        };
        if k.is_multiple_of(50) && k + 2 < PER_REPO {
            im.kind = ImageKind::Index;
            im.media_type = "application/vnd.oci.image.index.v1+json".into();
            im.children = vec![digest("m", i + 1), digest("m", i + 2)];
        }
        im.pushed_at = Some(now - Duration::hours(((i * 7919) % (500 * 24)) as i64));
        let blobs = vec![
            BlobRef {
                digest: digest("base", i % 7),
                size: 30_000_000,
            },
            BlobRef {
                digest: digest("mid", i / 10),
                size: 5_000_000,
            },
            BlobRef {
                digest: digest("top", i),
                size: 1_000_000 + (i % 1000) as u64,
            },
        ];
        im.size_bytes = Some(blobs.iter().map(|b| b.size).sum());
        im.blobs = Some(blobs);
        v.push(im);
    }
    v
}

/// CPU time this process has used (all threads, user + system), in milliseconds: what
/// the work costs whatever else the machine is running.
fn cpu_ms() -> f64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct it is given.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    tv(u.ru_utime) + tv(u.ru_stime)
}

const POLICY: &str = r#"{"rules":[
 {"rulePriority":1,"description":"keep 50 releases","selection":{"tagStatus":"tagged","tagPatternList":["release-*"],"countType":"imageCountMoreThan","countNumber":50},"action":{"type":"expire"}},
 {"rulePriority":2,"description":"versions for half a year","selection":{"tagStatus":"tagged","tagPatternList":["v*","sha-*"],"countType":"sinceImagePushed","countUnit":"days","countNumber":180},"action":{"type":"expire"}},
 {"rulePriority":3,"description":"20 dev builds","selection":{"tagStatus":"tagged","tagPrefixList":["dev-"],"countType":"imageCountMoreThan","countNumber":20},"action":{"type":"expire"}},
 {"rulePriority":4,"description":"untagged after two weeks","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},
 {"rulePriority":5,"description":"anything after a year","selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":365},"action":{"type":"expire"}}]}"#;

fn main() {
    let now: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
    let t = Instant::now();
    let images = fleet(now);
    eprintln!(
        "built {} images in {:.1?} (not timed)",
        images.len(),
        t.elapsed()
    );
    let policy = Policy::parse(PolicyFormat::Ecr, POLICY, "bench").unwrap();
    let sw = Switches::default();
    let opts = PlanOptions {
        registry: "bench.example".into(),
        format: PolicyFormat::Ecr,
        evaluated_at: now,
        policy_source: None,
        switches: sw.describe(PolicyFormat::Ecr),
        scope: ReclaimScope::Registry,
        in_use: None,
        unlock: false,
    };
    let runs: usize = std::env::args()
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(5);
    let mut graph_ms = Vec::new();
    let mut eval_ms = Vec::new();
    let mut decide_ms = Vec::new();
    let mut core_ms = Vec::new();
    let mut write_ms = Vec::new();
    let mut total_ms = Vec::new();
    let mut core_cpu = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let c0 = cpu_ms();
        let t = Instant::now();
        let g = Graph::build(&images);
        graph_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let t1 = Instant::now();
        let ev = policy.evaluate_with_graph(&images, &g, now, &sw);
        eval_ms.push(t1.elapsed().as_secs_f64() * 1e3);
        let t2 = Instant::now();
        let decided = DeletionPlan::decide(&images, &g, &ev, &opts);
        decide_ms.push(t2.elapsed().as_secs_f64() * 1e3);
        core_ms.push(t.elapsed().as_secs_f64() * 1e3);
        core_cpu.push(cpu_ms() - c0);
        let t3 = Instant::now();
        let plan = DeletionPlan::write(&images, &ev, decided, &opts);
        write_ms.push(t3.elapsed().as_secs_f64() * 1e3);
        total_ms.push(t.elapsed().as_secs_f64() * 1e3);
        // Dropping a million-record plan is not part of computing it.
        last = Some((plan, ev, g));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (plan, _, _) = last.unwrap();
    let (gm, em, dm, wm) = (
        median(&mut graph_ms),
        median(&mut eval_ms),
        median(&mut decide_ms),
        median(&mut write_ms),
    );
    let cm = median(&mut core_ms);
    let ccpu = median(&mut core_cpu);
    let tm = median(&mut total_ms);
    println!(
        "ecr 5 rules x {} images, medians of {runs} runs: graph {gm:.0} ms; evaluate {em:.0} ms; protections+reclaim {dm:.0} ms",
        images.len()
    );
    println!(
        "  evaluation incl. reclaim (graph+evaluate+protections+reclaim): median {cm:.0} ms (min {:.0}, max {:.0}); CPU time used, all threads: median {ccpu:.0} ms",
        core_ms[0],
        core_ms[runs - 1]
    );
    println!(
        "  writing the {}-action plan document (owned strings): {wm:.0} ms; everything: median {tm:.0} ms (min {:.0}, max {:.0})",
        plan.actions.len(),
        total_ms[0],
        total_ms[runs - 1]
    );
    println!(
        "plan: {} actions, {} protected, naive {} B, reclaimed {} B ({})",
        plan.summary.actions,
        plan.summary.protected,
        plan.summary.naive_bytes,
        plan.summary.reclaimed_bytes,
        plan.reclaim_method
    );
}
