//! File contents next to the state file: one file per uploaded file, named after its id, in
//! `<state file stem>.content/files/` (`data/backbone-sim.json` →
//! `data/backbone-sim.content/files/FIL…`). The JSON state file is rewritten whole on every
//! change, so up to 10 MiB per file stay out of it.
//!
//! Order of writes, so a crash never leaves the state file referring to missing bytes: a
//! content file is written (`<id>.tmp`, fsync, rename, fsync of the directory) before any state
//! file that lists it, and removed only after a state file that no longer lists it is on disk.
//! A crash can therefore leave an unreferenced content file (or a `.tmp`), which the next start
//! removes; the record keeps size and SHA-256, so a missing or damaged content file stops the
//! start instead of being served.

use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::ids::FileId;
use crate::state::files::FileMetadata;

const TMP_SUFFIX: &str = ".tmp";

/// The directory of one state file's contents. Created on the first upload.
#[derive(Debug)]
pub struct ContentDir {
    dir: PathBuf,
}

impl ContentDir {
    /// The content directory that belongs to `state_file`.
    pub(crate) fn for_state_file(state_file: &Path) -> Self {
        let stem = state_file.file_stem().map_or_else(
            || "state".into(),
            |stem| stem.to_string_lossy().into_owned(),
        );
        let parent = state_file.parent().unwrap_or_else(|| Path::new(""));
        Self {
            dir: parent.join(format!("{stem}.content")).join("files"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn file(&self, id: &FileId) -> PathBuf {
        self.dir.join(id.as_str())
    }

    /// Puts `content` on disk as `id`, atomically and durably (blocking).
    ///
    /// # Errors
    /// If the directory or file cannot be written; the message names the file.
    pub(crate) fn write(&self, id: &FileId, content: &[u8]) -> io::Result<()> {
        let path = self.file(id);
        self.write_at(&path, content).map_err(|error| {
            io::Error::new(
                error.kind(),
                format!("cannot write the file content {}: {error}", path.display()),
            )
        })
    }

    fn write_at(&self, path: &Path, content: &[u8]) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(TMP_SUFFIX);
        let tmp = PathBuf::from(tmp);
        match fs::remove_file(&tmp) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(content)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        super::sync_directory_of(path)
    }

    /// The content of `id` (blocking); `Ok(None)` if there is no such content file.
    ///
    /// # Errors
    /// If the file exists but cannot be read.
    pub(crate) fn read(&self, id: &FileId) -> io::Result<Option<Bytes>> {
        match fs::read(self.file(id)) {
            Ok(bytes) => Ok(Some(Bytes::from(bytes))),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Removes the content of files no state file lists any more (blocking). Failures are only
    /// logged: a leftover is removed at the next start.
    pub(crate) fn remove(&self, ids: &[FileId]) {
        for id in ids {
            match fs::remove_file(self.file(id)) {
                Err(error) if error.kind() != io::ErrorKind::NotFound => {
                    tracing::warn!(file_id = %id, %error, "file content not removed");
                }
                _ => {}
            }
        }
    }

    /// On load: every listed file's content must be there with its size and SHA-256.
    ///
    /// # Errors
    /// A message naming the first file whose content is missing, unreadable or damaged.
    pub(crate) fn check(&self, files: &[FileMetadata]) -> Result<(), String> {
        for file in files {
            let path = self.file(&file.id);
            let content = fs::read(&path).map_err(|error| {
                format!(
                    "the content of file {} ({}) cannot be read: {error}",
                    file.id,
                    path.display()
                )
            })?;
            let digest: [u8; 32] = Sha256::digest(&content).into();
            if content.len() as u64 != file.cipher_size || digest != file.content_sha256 {
                return Err(format!(
                    "the content of file {} ({}) is damaged: {} bytes with another SHA-256 than \
                     the {} bytes recorded",
                    file.id,
                    path.display(),
                    content.len(),
                    file.cipher_size
                ));
            }
        }
        Ok(())
    }

    /// At start, before anything is served: removes content files (and `.tmp` leftovers) of
    /// files the state does not list, what a crash between the writes can leave. Names that are
    /// neither are left alone.
    pub(crate) fn remove_unreferenced(&self, listed: &HashSet<FileId>) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let id_part = name.strip_suffix(TMP_SUFFIX).unwrap_or(&name);
            let Ok(id) = FileId::parse(id_part) else {
                continue;
            };
            if name.ends_with(TMP_SUFFIX) || !listed.contains(&id) {
                if let Err(error) = fs::remove_file(entry.path()) {
                    tracing::warn!(path = %entry.path().display(), %error, "leftover content not removed");
                } else {
                    tracing::info!(path = %entry.path().display(), "leftover content removed");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "backbone-sim-content-{}-{}",
            std::process::id(),
            crate::config::random_alphanumeric(8)
        ));
        fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn the_directory_is_named_after_the_state_file() {
        let dir = ContentDir::for_state_file(Path::new("data/backbone-sim.json"));
        assert_eq!(dir.path(), Path::new("data/backbone-sim.content/files"));
        let bare = ContentDir::for_state_file(Path::new("state"));
        assert_eq!(bare.path(), Path::new("state.content/files"));
    }

    #[test]
    fn contents_are_written_read_and_removed() {
        let root = temp_dir();
        let dir = ContentDir::for_state_file(&root.join("state.json"));
        let id = FileId::random();
        assert_eq!(dir.read(&id).expect("readable"), None);
        dir.write(&id, b"bytes").expect("written");
        assert_eq!(
            dir.read(&id).expect("readable"),
            Some(Bytes::from_static(b"bytes"))
        );
        let names: Vec<String> = fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [id.to_string()], "no temporary file left");
        dir.remove(std::slice::from_ref(&id));
        assert_eq!(dir.read(&id).expect("readable"), None);
        let _ = fs::remove_dir_all(root);
    }

    #[test]
    fn unreferenced_contents_and_temporary_files_go_at_start() {
        let root = temp_dir();
        let dir = ContentDir::for_state_file(&root.join("state.json"));
        let (kept, orphan) = (FileId::random(), FileId::random());
        dir.write(&kept, b"kept").expect("written");
        dir.write(&orphan, b"orphan").expect("written");
        fs::write(dir.path().join(format!("{kept}.tmp")), b"half").expect("written");
        fs::write(dir.path().join("notes.txt"), b"someone else's").expect("written");
        dir.remove_unreferenced(&HashSet::from([kept.clone()]));
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [kept.to_string(), "notes.txt".to_owned()]);
        let _ = fs::remove_dir_all(root);
    }
}
