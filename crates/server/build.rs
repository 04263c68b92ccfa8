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
    println!("cargo:rerun-if-changed=../../.git/HEAD");
}
