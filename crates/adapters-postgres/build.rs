//! Rebuilds the crate when a migration changes (`embed_migrations!` alone does not tell cargo)
//! and exports a fingerprint of the migrations, which names the test template database.

use std::fs;
use std::path::Path;

const MIGRATIONS_DIR: &str = "../../migrations/postgres";

fn main() {
    println!("cargo:rerun-if-changed={MIGRATIONS_DIR}");
    let mut hash = Fnv1a::default();
    hash_dir(Path::new(MIGRATIONS_DIR), &mut hash);
    println!("cargo:rustc-env=MIGRATIONS_FINGERPRINT={:016x}", hash.0);
}

/// Hashes relative paths and contents in sorted order, so the value only changes with the SQL.
fn hash_dir(dir: &Path, hash: &mut Fnv1a) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
                .path()
        })
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        hash.write(name.as_bytes());
        if path.is_dir() {
            hash_dir(&path, hash);
        } else {
            hash.write(
                &fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display())),
            );
        }
    }
}

/// FNV-1a: tiny and stable across compiler versions, unlike `DefaultHasher`.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        // Separates fields so ("ab","c") and ("a","bc") differ.
        self.0 = (self.0 ^ 0xff).wrapping_mul(0x0000_0100_0000_01b3);
    }
}
