//! The one PDF renderer (PRF-5, IPR-1) and the documents it prints. Every
//! print has the same layout: the Government of India letterhead with the
//! document's title, blocks of fields or tables, dates as dd.mm.yyyy, times
//! in IST, page x of y, and a verification code (with its QR code) that
//! `GET /v1/prints/{code}` answers for. Documents are built from the same
//! data their JSON gives.

pub(crate) mod clearance;
pub mod deputation;
mod font;
pub mod foreign_visit;
pub mod format;
pub mod ipr;
mod layout;
pub mod profile;
pub mod surplus;
pub mod verification;

use chrono::{DateTime, Utc};

pub use format::{dmy, ist, rupees};

/// A printable document.
#[derive(Debug, Clone)]
pub struct Document {
    /// What the document is, e.g. "Employee Profile".
    pub title: String,
    /// Whose it is, e.g. "Asha Verma (CSS-000001)".
    pub subject: String,
    pub blocks: Vec<Block>,
    /// The document's identity and version, printed in every footer.
    pub reference: String,
    pub printed_at: DateTime<Utc>,
    /// The verification code of this print, if one was issued.
    pub verification: Option<String>,
}

/// A part of a document.
#[derive(Debug, Clone)]
pub enum Block {
    Fields(Section),
    Table(Table),
}

/// A heading over label/value rows.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: String,
    pub rows: Vec<(String, String)>,
}

impl Section {
    pub fn new(heading: impl Into<String>) -> Self {
        Self {
            heading: heading.into(),
            rows: Vec::new(),
        }
    }

    pub fn row(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.rows.push((label.into(), value.into()));
        self
    }
}

impl From<Section> for Block {
    fn from(s: Section) -> Self {
        Block::Fields(s)
    }
}

/// A heading over a table whose header row repeats on every page it spans.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub heading: String,
    /// Column titles and their share of the line's width.
    pub columns: Vec<(String, f32)>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(heading: impl Into<String>, columns: &[(&str, f32)]) -> Self {
        Self {
            heading: heading.into(),
            columns: columns.iter().map(|(t, w)| ((*t).to_owned(), *w)).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(mut self, cells: Vec<String>) -> Self {
        self.rows.push(cells);
        self
    }
}

impl From<Table> for Block {
    fn from(t: Table) -> Self {
        Block::Table(t)
    }
}

/// The renderer could not build the PDF (its font data is unreadable): a
/// fault of the build, never of the request.
#[derive(Debug, Clone, thiserror::Error)]
#[error("print: {0}")]
pub struct PrintError(pub String);

/// Renders the document as PDF bytes.
pub fn render(doc: &Document) -> Result<Vec<u8>, PrintError> {
    layout::render(doc)
}

/// `-` for what was not given: a print never leaves a field blank.
pub fn or_dash(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}
