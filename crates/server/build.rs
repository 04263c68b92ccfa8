//! Records build facts for `GET /Monitoring/Version`.

use std::process::Command;

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn main() {
    let commit = output("git", &["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let date = output("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"]).unwrap_or_else(|| "unknown".into());
    let rustc = std::env::var("RUSTC")
        .ok()
        .and_then(|rustc| output(&rustc, &["--version"]))
        .unwrap_or_else(|| "unknown".into());
    let profile = std::env::var("PROFILE").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=CONNECTOR_BUILD_COMMIT={commit}");
    println!("cargo:rustc-env=CONNECTOR_BUILD_DATE={date}");
    println!("cargo:rustc-env=CONNECTOR_RUSTC_VERSION={rustc}");
    println!("cargo:rustc-env=CONNECTOR_BUILD_PROFILE={profile}");
    rerun_when_the_commit_changes();
}

/// HEAD names a branch whose ref file (or `packed-refs`) changes with each commit: watching
/// HEAD alone kept the first build's commit forever. Paths come from git, so worktrees work.
fn rerun_when_the_commit_changes() {
    let mut watched = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(branch) = output("git", &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        // A missing path would make cargo rerun this script on every build.
        if let Some(path) = output("git", &["rev-parse", "--git-path", &name])
            .filter(|path| std::path::Path::new(path).exists())
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}
