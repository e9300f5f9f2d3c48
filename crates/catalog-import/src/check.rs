//! The check of a whole file before any row is written: not empty, not
//! binary, UTF-8 throughout, a header by today's rules, at least one row,
//! no larger than allowed. Rows with bad *values* are not its business
//! (they are skipped with their line numbers while importing); a file that
//! is not a CSV text at all must fail before it changed anything, and a
//! non-UTF-8 byte can be anywhere, hence a pass over all of it.
//!
//! Runs on a blocking thread (the CSV parser reads synchronously) over the
//! object's stream; [`Guarded`] counts the bytes and lets the worker stop
//! it.

use std::io::{Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::csv::{Columns, ImportError};

/// How much of the start is sniffed for binary content.
const SNIFF_BYTES: usize = 8 * 1024;

/// Reader buffer of the CSV parser (fewer, larger reads from the stream).
pub(crate) const PARSE_BUFFER: usize = 256 * 1024;

/// What is wrong with a file, in words for the person who uploaded it.
#[derive(Debug, thiserror::Error)]
pub enum FileProblem {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {0}, not a CSV text file")]
    Binary(&'static str),
    #[error(
        "the file is UTF-16 text; save it as UTF-8 (\"CSV UTF-8\" in spreadsheet programs) and upload it again"
    )]
    Utf16,
    #[error(
        "line {line} is not valid UTF-8: the file must be UTF-8 encoded (\"CSV UTF-8\" in spreadsheet programs); nothing was imported"
    )]
    NotUtf8 { line: u64 },
    #[error("the header is not valid: {0}; nothing was imported")]
    Header(ImportError),
    #[error("the file has a header but no rows")]
    NoRows,
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
}

/// Why a check did not finish.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The file itself is unacceptable: the job fails.
    #[error(transparent)]
    Problem(#[from] FileProblem),
    /// Reading it failed (the stream broke, or the worker stopped it).
    #[error("reading the file: {0}")]
    Io(#[from] std::io::Error),
}

/// What a good file looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub header: Vec<String>,
    pub rows: u64,
}

/// Check the file `input` streams, reading it to the end.
pub fn check(input: impl Read, limit: u64, stop: &Arc<AtomicBool>) -> Result<Checked, CheckError> {
    let mut input = Guarded::new(input, limit, Arc::clone(stop));
    let head = read_head(&mut input)?;
    sniff(&head)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .buffer_capacity(PARSE_BUFFER)
        .from_reader(Cursor::new(head).chain(input));
    let header = reader.headers().map_err(|e| classify(e, 1))?.clone();
    Columns::from_header(&header).map_err(FileProblem::Header)?;
    let mut record = csv::StringRecord::new();
    let mut rows = 0_u64;
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => rows += 1,
            Err(e) => return Err(classify(e, line)),
        }
    }
    if rows == 0 {
        return Err(FileProblem::NoRows.into());
    }
    Ok(Checked {
        header: header.iter().map(str::to_owned).collect(),
        rows,
    })
}

/// A CSV error as a problem of the file (invalid UTF-8, over the limit)
/// or a read failure.
fn classify(e: csv::Error, line: u64) -> CheckError {
    match e.into_kind() {
        csv::ErrorKind::Utf8 { pos, .. } => FileProblem::NotUtf8 {
            line: pos.map_or(line, |p| p.line()),
        }
        .into(),
        csv::ErrorKind::Io(io) => match io.get_ref().and_then(|e| e.downcast_ref::<OverLimit>()) {
            Some(over) => FileProblem::TooLarge { limit: over.0 }.into(),
            None => CheckError::Io(io),
        },
        // With `flexible`, the parser reports nothing else for a read.
        other => CheckError::Io(std::io::Error::other(format!("{other:?}"))),
    }
}

/// The first [`SNIFF_BYTES`] (fewer if the file is shorter).
fn read_head(input: &mut impl Read) -> Result<Vec<u8>, CheckError> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    input
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(
            |e| match e.get_ref().and_then(|e| e.downcast_ref::<OverLimit>()) {
                Some(over) => CheckError::Problem(FileProblem::TooLarge { limit: over.0 }),
                None => CheckError::Io(e),
            },
        )?;
    Ok(head)
}

/// Refuse what is plainly not CSV text, by its first bytes.
pub fn sniff(head: &[u8]) -> Result<(), FileProblem> {
    if head.is_empty() {
        return Err(FileProblem::Empty);
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(FileProblem::Utf16);
    }
    const MAGIC: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook?)"),
        (b"\xD0\xCF\x11\xE0", "an old Office document (.xls?)"),
        (b"\x1F\x8B", "gzip-compressed"),
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
    ];
    if let Some((_, kind)) = MAGIC.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Err(FileProblem::Binary(kind));
    }
    if head.contains(&0) {
        return Err(FileProblem::Binary("binary data"));
    }
    Ok(())
}

/// The marker error of a read past the size limit.
#[derive(Debug)]
pub(crate) struct OverLimit(pub u64);

impl std::fmt::Display for OverLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "more than {} bytes", self.0)
    }
}

impl std::error::Error for OverLimit {}

/// A reader that fails past `limit` bytes (S3 should have refused such a
/// file already; the emulator does not check signed sizes) and when told
/// to stop (the worker is shutting down or lost its lease).
pub(crate) struct Guarded<R> {
    inner: R,
    read: u64,
    limit: u64,
    stop: Arc<AtomicBool>,
}

impl<R> Guarded<R> {
    pub(crate) fn new(inner: R, limit: u64, stop: Arc<AtomicBool>) -> Self {
        Self {
            inner,
            read: 0,
            limit,
            stop,
        }
    }
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            // Not ErrorKind::Interrupted: readers retry that one.
            return Err(std::io::Error::other("the import was stopped"));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(std::io::Error::other(OverLimit(self.limit)));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn run(bytes: &[u8]) -> Result<Checked, CheckError> {
        check(bytes, 1 << 20, &Arc::default())
    }

    fn problem(bytes: &[u8]) -> String {
        match run(bytes) {
            Err(CheckError::Problem(p)) => p.to_string(),
            other => panic!("expected a problem, got {other:?}"),
        }
    }

    #[test]
    fn a_good_file_counts_its_rows() {
        let checked = run(b"sku,name,description\nA,B,C\nD,E,\"multi\nline\"\n").unwrap();
        assert_eq!(checked.rows, 2);
        assert_eq!(checked.header, ["sku", "name", "description"]);
        // Bad values are the import's business, not the check's.
        assert_eq!(
            run(b"sku,name,description,price\nA,B,C,cheap\nD\n")
                .unwrap()
                .rows,
            2
        );
    }

    #[test]
    fn files_that_are_not_csv_text_fail() {
        assert_eq!(problem(b""), "the file is empty");
        assert!(problem(b"PK\x03\x04rest").contains("ZIP"));
        assert!(problem(b"\x89PNG\r\n\x1a\n").contains("PNG"));
        assert!(problem(b"sku,name\0,description\n").contains("binary"));
        assert!(problem(b"\xFF\xFEs\0k\0u\0").contains("UTF-16"));
        assert!(problem(b"sku,name\nA,B\n").contains("missing required column"));
        assert!(problem(b"sku,name,description\n").contains("no rows"));
    }

    #[test]
    fn a_non_utf8_byte_anywhere_fails_with_its_line() {
        let mut file = b"sku,name,description\n".to_vec();
        for i in 0..20_000 {
            file.extend_from_slice(format!("S-{i},Name,Fine\n").as_bytes());
        }
        file.extend_from_slice(b"S-X,Caf\xE9,Latin-1\n");
        let message = problem(&file);
        assert!(
            message.starts_with("line 20002 is not valid UTF-8"),
            "{message}"
        );
    }

    #[test]
    fn over_the_limit_fails() {
        let file = b"sku,name,description\nA,B,C\n";
        let err = check(&file[..], 10, &Arc::default()).unwrap_err();
        assert!(
            matches!(
                err,
                CheckError::Problem(FileProblem::TooLarge { limit: 10 })
            ),
            "{err:?}"
        );
        let mut long = b"sku,name,description\n".to_vec();
        long.resize(100_000, b'a');
        let err = check(&long[..], 50_000, &Arc::default()).unwrap_err();
        assert!(
            matches!(err, CheckError::Problem(FileProblem::TooLarge { .. })),
            "{err:?}"
        );
    }

    #[test]
    fn a_stop_interrupts() {
        let stop = Arc::new(AtomicBool::new(true));
        let err = check(&b"sku,name,description\nA,B,C\n"[..], 100, &stop).unwrap_err();
        assert!(matches!(err, CheckError::Io(_)), "{err:?}");
    }
}
