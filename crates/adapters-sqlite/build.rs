//! Rebuilds the crate when a migration changes: `embed_migrations!` alone does not tell cargo.

fn main() {
    println!("cargo:rerun-if-changed=../../migrations/sqlite");
}
