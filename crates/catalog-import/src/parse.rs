//! The import's parser: the file's records from a checkpoint on, cut into
//! [`Chunk`]s (one transaction each), with the checkpoint after each.
//!
//! Runs on a blocking thread over the object's stream while the worker
//! writes the previous chunk, so that on two cores parsing and Postgres
//! overlap. Rows are classified by today's CSV rules ([`Columns::row`]).

use std::io::Read;

use tokio::sync::mpsc::Sender;

use crate::check::PARSE_BUFFER;
use crate::csv::{Columns, RejectedRow};
use crate::jobs::Chunk;

/// Where reading starts: the byte offset of a record, and its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start {
    pub byte: u64,
    pub line: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The stream broke, or the worker stopped reading.
    #[error("reading the file: {0}")]
    Io(std::io::Error),
    /// The worker no longer takes chunks (it stopped or failed).
    #[error("the import stopped taking rows")]
    Closed,
}

/// How records are cut into chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// Records per chunk.
    pub rows: usize,
    /// Write lanes per chunk.
    pub lanes: usize,
}

/// Read records from `input` (the object from `start.byte` on; from 0 it
/// begins with the header, which `columns` already describes) and send
/// them in chunks.
pub fn parse_chunks(
    input: impl Read,
    columns: &Columns,
    start: Start,
    cut: Cut,
    out: &Sender<Chunk>,
) -> Result<(), ParseError> {
    let has_header = start.byte == 0;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(has_header)
        .buffer_capacity(PARSE_BUFFER)
        .from_reader(input);
    if has_header {
        reader.headers().map_err(io_error)?;
    }
    // The reader counts from where it started; the file counts from 0/1.
    let absolute = |p: &csv::Position| (start.byte + p.byte(), start.line + p.line() - 1);
    let mut chunk = Chunk::new(cut.lanes, start.byte);
    let mut record = csv::StringRecord::new();
    loop {
        let line = absolute(reader.position()).1;
        let row = match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(line, |p| absolute(p).1);
                columns
                    .row(&record)
                    .map_err(|reason| RejectedRow { line, reason })
            }
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => return Err(io_error(e)),
            // Invalid UTF-8 (which the check refuses for the whole file)
            // and similar: the row is unusable, the file is not.
            Err(e) => Err(RejectedRow {
                line,
                reason: e.to_string(),
            }),
        };
        chunk.rows += 1;
        match row {
            Ok(product) => chunk.push(product),
            Err(rejected) => chunk.rejects.push(rejected),
        }
        if chunk.rows as usize >= cut.rows {
            let (byte, line) = absolute(reader.position());
            let full = std::mem::replace(&mut chunk, Chunk::new(cut.lanes, byte));
            send(out, full, byte, line)?;
        }
    }
    if chunk.rows > 0 {
        let (byte, line) = absolute(reader.position());
        send(out, chunk, byte, line)?;
    }
    Ok(())
}

fn send(
    out: &Sender<Chunk>,
    mut chunk: Chunk,
    next_byte: u64,
    next_line: u64,
) -> Result<(), ParseError> {
    chunk.next_byte = next_byte;
    chunk.next_line = next_line;
    out.blocking_send(chunk).map_err(|_| ParseError::Closed)
}

fn io_error(e: csv::Error) -> ParseError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => ParseError::Io(io),
        other => ParseError::Io(std::io::Error::other(format!("{other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn columns() -> Columns {
        Columns::from_header(&csv::StringRecord::from(vec![
            "sku",
            "name",
            "description",
            "price",
        ]))
        .unwrap()
    }

    fn parse(bytes: &[u8], start: Start, rows: usize) -> Vec<Chunk> {
        let (tx, mut rx) = tokio::sync::mpsc::channel(1000);
        parse_chunks(bytes, &columns(), start, Cut { rows, lanes: 2 }, &tx).unwrap();
        drop(tx);
        let mut chunks = Vec::new();
        while let Ok(chunk) = rx.try_recv() {
            chunks.push(chunk);
        }
        chunks
    }

    const FILE: &[u8] = b"sku,name,description,price\n\
        A-1,Alpha,\"two\nlines\",1.00\n\
        A-2,Beta,Second,cheap\n\
        A-3,Gamma,Third,3\n\
        A-4,Delta,Fourth\n\
        A-5,Epsilon,Fifth,5\n";

    #[test]
    fn chunks_carry_their_checkpoints_and_line_numbers() {
        let chunks = parse(FILE, Start { byte: 0, line: 1 }, 2);
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0].start_byte, 0);
        assert_eq!(chunks[0].product_count(), 1);
        assert_eq!(
            chunks[0].rejects,
            [RejectedRow {
                line: 4,
                reason: "price \"cheap\" is not a number".into()
            }]
        );
        assert_eq!(chunks[1].start_byte, chunks[0].next_byte);
        assert_eq!(chunks[1].rejects[0].line, 6, "{:?}", chunks[1].rejects);
        assert_eq!(chunks[2].next_byte, FILE.len() as u64);
        assert_eq!(chunks.iter().map(|c| c.rows).sum::<u64>(), 5);
    }

    #[test]
    fn resuming_at_a_checkpoint_reads_the_same_rows_with_the_same_lines() {
        let whole = parse(FILE, Start { byte: 0, line: 1 }, 2);
        let resume = Start {
            byte: whole[0].next_byte,
            line: whole[0].next_line,
        };
        let rest = parse(&FILE[usize::try_from(resume.byte).unwrap()..], resume, 2);
        assert_eq!(rest.len(), 2);
        for (a, b) in rest.iter().zip(&whole[1..]) {
            assert_eq!(a.lanes, b.lanes);
            assert_eq!(a.rejects, b.rejects);
            assert_eq!(
                (a.start_byte, a.next_byte, a.next_line),
                (b.start_byte, b.next_byte, b.next_line)
            );
        }
    }
}
