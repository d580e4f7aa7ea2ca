//! The file content of demo layers: a base root filesystem per base/arch/rebuild, a
//! dependency layer per stack (with the package caches real Dockerfiles forget), the
//! application layer per build, and the "clean up later" layer that wastes bytes.

use super::content::{blob, layer, text, BuiltLayer, FileEntry as F};
use super::spec::{BaseSpec, RepoSpec};
use super::timeline::rng_for;

/// The base root filesystem. `/var/lib/dpkg/status` or `/lib/apk/db/installed` list the
/// packages with their versions, as scanners read them.
pub fn base_rootfs(
    seed: u64,
    base: &BaseSpec,
    arch: &str,
    base_day: u32,
    packages: &[(String, String)],
    mtime: u64,
) -> BuiltLayer {
    let day = base_day.to_string();
    let mut rng = rng_for(seed, &["base", &base.name, arch, &day]);
    let mut files = vec![
        F::text(
            "etc/os-release",
            format!(
                "PRETTY_NAME=\"{}\"\nID={}\nVERSION_ID=\"{}\"\nBUILD_ID=\"{}-{arch}-{day}\"\n",
                base.pretty, base.os_release_id, base.version, base.name
            ),
        ),
        F::exec("bin/busybox", blob(&mut rng, base.rootfs_kb * 2 / 5)),
        F::text("etc/hostname", "localhost\n"),
    ];
    let per_pkg = (base.rootfs_kb * 3 / 5) / packages.len().max(1);
    let mut db = String::new();
    for (p, v) in packages {
        files.push(F::file(
            &format!("usr/lib/{p}/{p}.so"),
            blob(&mut rng, per_pkg.max(1)),
        ));
        if base.os_release_id == "alpine" {
            db.push_str(&format!("P:{p}\nV:{v}\nA:{arch}\n\n"));
        } else {
            db.push_str(&format!(
                "Package: {p}\nStatus: install ok installed\nArchitecture: {arch}\nVersion: {v}\n\n"
            ));
        }
    }
    let db_path = if base.os_release_id == "alpine" {
        "lib/apk/db/installed"
    } else {
        "var/lib/dpkg/status"
    };
    files.push(F::text(db_path, db));
    layer(
        files,
        mtime,
        &format!("ADD rootfs.tar.gz / # {} {}", base.name, base.version),
    )
}

/// The dependency layer of a repository's stack, rebuilt every few builds.
pub fn deps(
    seed: u64,
    repo: &RepoSpec,
    base: &BaseSpec,
    arch: &str,
    generation: usize,
    mtime: u64,
) -> BuiltLayer {
    let gen = generation.to_string();
    let mut rng = rng_for(seed, &["deps", &repo.name, arch, &gen]);
    let waste = |w: &str| repo.waste.iter().any(|x| x == w);
    let alpine = base.os_release_id == "alpine";
    let mut files = Vec::new();
    let stack = repo.stack.as_deref().unwrap_or("go");
    let cmd = match stack {
        "node" => {
            for p in ["express", "react-dom", "lodash", "zod", "pino"] {
                files.push(F::file(
                    &format!("app/node_modules/{p}/index.js"),
                    text(&mut rng, 10),
                ));
                files.push(F::file(
                    &format!("app/node_modules/{p}/package.json"),
                    text(&mut rng, 1),
                ));
            }
            if waste("npm-cache") {
                for i in 0..3 {
                    let h = format!("{:016x}{:016x}", rng.u64(..), rng.u64(..));
                    files.push(F::file(
                        &format!(
                            "root/.npm/_cacache/content-v2/sha512/{}/{}/{h}",
                            &h[..2],
                            &h[2..4]
                        ),
                        blob(&mut rng, 30 + i * 10),
                    ));
                }
            }
            "RUN npm ci --omit=dev"
        }
        "python" => {
            for p in ["numpy", "pandas", "requests", "pyarrow"] {
                files.push(F::file(
                    &format!("usr/local/lib/python3.12/site-packages/{p}/_core.so"),
                    blob(&mut rng, 24),
                ));
                files.push(F::file(
                    &format!("usr/local/lib/python3.12/site-packages/{p}/__init__.py"),
                    text(&mut rng, 3),
                ));
            }
            if waste("pip-cache") {
                for i in 0..2 {
                    let h = format!("{:016x}", rng.u64(..));
                    files.push(F::file(
                        &format!("root/.cache/pip/http-v2/{}/{}/{h}", &h[..1], &h[1..2]),
                        blob(&mut rng, 60 + i * 20),
                    ));
                }
            }
            "RUN pip install -r requirements.txt"
        }
        "jvm" => {
            files.push(F::file("opt/java/openjdk/lib/modules", blob(&mut rng, 220)));
            for j in ["netty", "jackson", "postgresql", "micrometer"] {
                files.push(F::file(&format!("app/lib/{j}.jar"), blob(&mut rng, 16)));
            }
            "COPY --from=deps /opt/java /opt/java"
        }
        "static" => {
            files.push(F::exec("usr/sbin/nginx", blob(&mut rng, 60)));
            "RUN apk add --no-cache nginx"
        }
        _ => {
            files.push(F::file(
                "etc/ssl/certs/ca-certificates.crt",
                text(&mut rng, 24),
            ));
            files.push(F::file("usr/share/zoneinfo/UTC", text(&mut rng, 1)));
            if alpine {
                "RUN apk add --no-cache ca-certificates tzdata"
            } else {
                "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata"
            }
        }
    };
    if waste("apt-cache") && !alpine {
        files.push(F::file(
            &format!("var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-{arch}_Packages"),
            text(&mut rng, 96),
        ));
        files.push(F::file(
            "var/cache/apt/archives/tzdata_2024a-0+deb12u1_all.deb",
            blob(&mut rng, 48),
        ));
    }
    if waste("overwrite") {
        files.push(F::file("tmp/build/objects.a", blob(&mut rng, 40)));
    }
    layer(files, mtime, cmd)
}

/// The application layer of one build: the binary (or assets) and its config file.
pub fn app(
    seed: u64,
    repo: &RepoSpec,
    arch: &str,
    commit: &str,
    version: &str,
    mtime: u64,
) -> BuiltLayer {
    let mut rng = rng_for(seed, &["app", &repo.name, arch, commit]);
    let bin = repo.name.rsplit('/').next().unwrap_or("app");
    let jitter = repo.app_kb / 5;
    let kb = repo.app_kb + rng.usize(0..=jitter * 2) - jitter;
    let mut files = Vec::new();
    match repo.stack.as_deref() {
        Some("static") => {
            files.push(F::text(
                "usr/share/nginx/html/index.html",
                format!("<!doctype html><title>{bin}</title><!-- {commit} -->\n"),
            ));
            files.push(F::file(
                &format!("usr/share/nginx/html/assets/main.{}.js", &commit[..8]),
                blob(&mut rng, kb),
            ));
        }
        Some("sql") => {
            for n in 0..(kb / 2).max(1) {
                files.push(F::file(
                    &format!("app/migrations/V{n:03}__schema.sql"),
                    text(&mut rng, 2),
                ));
            }
        }
        Some("python") => files.push(F::file(&format!("app/{bin}/main.py"), blob(&mut rng, kb))),
        _ => files.push(F::exec(&format!("app/{bin}"), blob(&mut rng, kb))),
    }
    let mut cfg = format!("# {bin} {version} ({commit})\nlisten: :8080\nlog_level: info\n");
    cfg.push_str(&String::from_utf8_lossy(&text(&mut rng, 6)));
    files.push(F::text("app/config.yaml", cfg));
    layer(files, mtime, "COPY --from=build /out/ /app/")
}

/// The classic mistake: cleaning up in a later layer. The removed build directory and the
/// rewritten config still cost their bytes in the layers below.
pub fn cleanup_later(repo: &RepoSpec, version: &str, mtime: u64) -> BuiltLayer {
    let bin = repo.name.rsplit('/').next().unwrap_or("app");
    layer(
        vec![
            F::Whiteout {
                path: "tmp/build".into(),
            },
            F::text(
                "app/config.yaml",
                format!(
                    "# {bin} {version} rendered at build time\nlisten: :8080\nlog_level: warn\n"
                ),
            ),
        ],
        mtime,
        &format!("RUN rm -rf /tmp/build && /app/{bin} render-config > /app/config.yaml"),
    )
}
