//! Puts a [`Document`] on A4 pages: the letterhead on the first page, a
//! running header on the others, fields and tables that break across pages
//! (a table repeats its header row), and a footer with the print time, the
//! document's reference, the verification code and "Page x of y".

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::font::{self, FontRefs, Typeface, Usage};
use super::{format, Block, Document, PrintError, Section, Table};

const A4: (f32, f32) = (595.0, 842.0);
const LEFT: f32 = 50.0;
const RIGHT: f32 = A4.0 - 50.0;
const TOP: f32 = A4.1 - 45.0;
/// Nothing but the footer below this line.
const BOTTOM: f32 = 70.0;
const LINE: f32 = 13.0;
const LABEL_WIDTH: f32 = 165.0;
const VALUE_X: f32 = LEFT + LABEL_WIDTH + 10.0;
const QR_SIZE: f32 = 62.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

const LETTERHEAD: [&str; 4] = [
    "Government of India",
    "Ministry of Personnel, Public Grievances & Pensions",
    "Department of Personnel & Training",
    "Central Secretariat Cadre Management System (CSCMS)",
];

#[derive(Clone, Copy)]
struct Style {
    bold: bool,
    size: f32,
}

const fn plain(size: f32) -> Style {
    Style { bold: false, size }
}

const fn strong(size: f32) -> Style {
    Style { bold: true, size }
}

const HEADING: Style = strong(11.0);
const BODY: Style = plain(9.5);
const CELL: Style = plain(8.5);
const CELL_HEAD: Style = strong(8.5);

struct Canvas<'d> {
    doc: &'d Document,
    regular: Usage,
    bold: Usage,
    done: Vec<Content>,
    page: Content,
    y: f32,
}

impl<'d> Canvas<'d> {
    fn new(doc: &'d Document, regular: &'static Typeface, bold: &'static Typeface) -> Self {
        let mut c = Self {
            doc,
            regular: Usage::new(regular),
            bold: Usage::new(bold),
            done: Vec::new(),
            page: Content::new(),
            y: TOP,
        };
        c.letterhead();
        c
    }

    fn face(&self, style: Style) -> &'static Typeface {
        if style.bold {
            self.bold.face()
        } else {
            self.regular.face()
        }
    }

    fn width(&self, style: Style, text: &str) -> f32 {
        self.face(style).width(text, style.size)
    }

    fn text_at(&mut self, style: Style, x: f32, y: f32, text: &str) {
        let (name, usage) = if style.bold {
            (BOLD, &mut self.bold)
        } else {
            (REGULAR, &mut self.regular)
        };
        let bytes = usage.encode(text);
        self.page
            .begin_text()
            .set_font(name, style.size)
            .next_line(x, y)
            .show(Str(&bytes))
            .end_text();
    }

    fn centred(&mut self, style: Style, text: &str) {
        let x = (A4.0 - self.width(style, text)) / 2.0;
        let y = self.y;
        self.text_at(style, x, y, text);
        self.y -= style.size * 1.45;
    }

    fn rule(&mut self, gray: f32, width: f32) {
        self.page
            .set_stroke_gray(gray)
            .set_line_width(width)
            .move_to(LEFT, self.y)
            .line_to(RIGHT, self.y)
            .stroke();
    }

    fn shade(&mut self, y: f32, height: f32) {
        self.page
            .set_fill_gray(0.9)
            .rect(LEFT, y, RIGHT - LEFT, height)
            .fill_nonzero()
            .set_fill_gray(0.0);
    }

    fn letterhead(&mut self) {
        if let Some(code) = self.doc.verification.clone() {
            self.qr(&code);
        }
        let small = plain(9.5);
        self.centred(strong(11.5), LETTERHEAD[0]);
        for line in &LETTERHEAD[1..] {
            self.centred(small, line);
        }
        self.y -= 4.0;
        self.rule(0.0, 0.8);
        self.y -= 20.0;
        let title = self.doc.title.clone();
        self.centred(strong(14.0), &title);
        let subject = self.doc.subject.clone();
        self.centred(plain(10.5), &subject);
        self.y -= 6.0;
    }

    /// The verification code as a QR code in the top right corner, the code
    /// itself printed under it.
    fn qr(&mut self, code: &str) {
        let Ok(qr) = qrcode::QrCode::new(format!("CSCMS print {code}: /v1/prints/{code}")) else {
            return;
        };
        let n = qr.width();
        let module = QR_SIZE / n as f32;
        let (x0, y0) = (RIGHT - QR_SIZE, A4.1 - 28.0);
        self.page.set_fill_gray(0.0);
        for (i, colour) in qr.to_colors().iter().enumerate() {
            if *colour == qrcode::Color::Dark {
                let (col, row) = ((i % n) as f32, (i / n) as f32);
                self.page
                    .rect(x0 + col * module, y0 - (row + 1.0) * module, module, module);
            }
        }
        self.page.fill_nonzero();
        let label = plain(7.0);
        let x = RIGHT - QR_SIZE / 2.0 - self.width(label, code) / 2.0;
        self.text_at(label, x, y0 - QR_SIZE - 9.0, code);
    }

    fn new_page(&mut self) {
        let full = std::mem::replace(&mut self.page, Content::new());
        self.done.push(full);
        self.y = TOP;
        let running = format!("{} - {}", self.doc.title, self.doc.subject);
        let y = self.y;
        self.text_at(plain(8.0), LEFT, y, &running);
        self.y -= 5.0;
        self.rule(0.5, 0.5);
        self.y -= 18.0;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn ensure(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.new_page();
        }
    }

    fn heading(&mut self, text: &str, keep_with: f32) {
        self.ensure(LINE * 2.0 + keep_with);
        self.y -= 6.0;
        let y = self.y;
        self.text_at(HEADING, LEFT, y, text);
        self.y -= 4.0;
        self.rule(0.6, 0.4);
        self.y -= LINE;
    }

    fn wrap(&self, style: Style, text: &str, width: f32) -> Vec<String> {
        wrap(text, width, |s| self.width(style, s))
    }

    fn fields(&mut self, s: &Section) {
        self.heading(&s.heading, LINE);
        if s.rows.is_empty() {
            let y = self.y;
            self.text_at(BODY, LEFT, y, "-");
            self.y -= LINE;
            return;
        }
        for (label, value) in &s.rows {
            let value = if value.trim().is_empty() { "-" } else { value };
            let labels = self.wrap(BODY, label, LABEL_WIDTH);
            let values = self.wrap(BODY, value, RIGHT - VALUE_X);
            let lines = labels.len().max(values.len());
            self.ensure(LINE * lines as f32);
            let label_style = plain(9.0);
            for i in 0..lines {
                let y = self.y;
                if let Some(l) = labels.get(i) {
                    self.text_at(label_style, LEFT, y, l);
                }
                if let Some(v) = values.get(i) {
                    self.text_at(BODY, VALUE_X, y, v);
                }
                self.y -= LINE;
            }
        }
    }

    fn table(&mut self, t: &Table) {
        let total: f32 = t
            .columns
            .iter()
            .map(|(_, w)| w)
            .sum::<f32>()
            .max(f32::EPSILON);
        let widths: Vec<f32> = t
            .columns
            .iter()
            .map(|(_, w)| w / total * (RIGHT - LEFT))
            .collect();
        let row_height = |c: &Self, cells: &[String], style: Style| -> (Vec<Vec<String>>, f32) {
            let wrapped: Vec<Vec<String>> = widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let text = cells.get(i).map_or("", String::as_str);
                    let text = if text.trim().is_empty() { "-" } else { text };
                    c.wrap(style, text, w - 6.0)
                })
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
            (wrapped, lines as f32 * 11.0 + 5.0)
        };
        let titles: Vec<String> = t.columns.iter().map(|(c, _)| c.clone()).collect();
        let (head, head_h) = row_height(self, &titles, CELL_HEAD);
        let first_h = t.rows.first().map_or(LINE, |r| row_height(self, r, CELL).1);
        self.heading(&t.heading, head_h + first_h);
        if t.rows.is_empty() {
            let y = self.y;
            self.text_at(BODY, LEFT, y, "-");
            self.y -= LINE;
            return;
        }
        self.table_row(&widths, &head, head_h, true);
        for r in &t.rows {
            let (cells, h) = row_height(self, r, CELL);
            if self.y - h < BOTTOM {
                self.new_page();
                let cont = format!("{} (continued)", t.heading);
                let y = self.y;
                self.text_at(HEADING, LEFT, y, &cont);
                self.y -= LINE + 4.0;
                self.table_row(&widths, &head, head_h, true);
            }
            self.table_row(&widths, &cells, h, false);
        }
        self.y -= 4.0;
    }

    fn table_row(&mut self, widths: &[f32], cells: &[Vec<String>], height: f32, header: bool) {
        let top = self.y + 9.0;
        if header {
            self.shade(top - height, height);
        }
        let style = if header { CELL_HEAD } else { CELL };
        let mut x = LEFT;
        for (w, lines) in widths.iter().zip(cells) {
            for (i, line) in lines.iter().enumerate() {
                self.text_at(style, x + 3.0, self.y - i as f32 * 11.0, line);
            }
            x += w;
        }
        self.y = top - height;
        self.rule(0.75, 0.3);
        self.y -= 9.0 + 2.0;
    }

    fn finish(mut self) -> (Vec<Content>, Usage, Usage) {
        self.done.push(self.page);
        (self.done, self.regular, self.bold)
    }
}

/// Splits text into lines no wider than `width`, at spaces where possible.
fn wrap(text: &str, width: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ') {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if measure(&candidate) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line is cut where it no longer fits.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if measure(&piece) > width && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

pub(super) fn render(doc: &Document) -> Result<Vec<u8>, PrintError> {
    let (regular, bold) = font::faces()?;
    let mut canvas = Canvas::new(doc, regular, bold);
    for block in &doc.blocks {
        match block {
            Block::Fields(s) => canvas.fields(s),
            Block::Table(t) => canvas.table(t),
        }
    }
    // The footer needs the page count, so it is written last, with the same
    // glyph usage (its characters join the subsets).
    let pages = canvas.done.len() + 1;
    let stamp = format!(
        "Printed {}  |  {}",
        format::ist(doc.printed_at),
        doc.reference
    );
    let verify = doc
        .verification
        .as_ref()
        .map(|c| format!("Verification code {c}: check at GET /v1/prints/{c}"))
        .unwrap_or_default();
    let small = plain(7.5);
    let footer_lines: Vec<[(f32, Vec<u8>); 3]> = (1..=pages)
        .map(|n| {
            let page = format!("Page {n} of {pages}");
            let x = RIGHT - canvas.width(small, &page);
            [
                (LEFT, canvas.regular.encode(&stamp)),
                (x, canvas.regular.encode(&page)),
                (LEFT, canvas.regular.encode(&verify)),
            ]
        })
        .collect();
    let (contents, regular, bold) = canvas.finish();

    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    let refs = |base: i32| FontRefs {
        type0: Ref::new(base),
        cid: Ref::new(base + 1),
        descriptor: Ref::new(base + 2),
        cmap: Ref::new(base + 3),
        file: Ref::new(base + 4),
    };
    let (regular_refs, bold_refs) = (refs(4), refs(9));
    let page_ids: Vec<(Ref, Ref)> = (0..contents.len())
        .map(|i| {
            let base = 14 + 2 * i32::try_from(i).unwrap_or(0);
            (Ref::new(base), Ref::new(base + 1))
        })
        .collect();
    let count = i32::try_from(page_ids.len()).unwrap_or(i32::MAX);

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(p, _)| *p))
        .count(count);
    regular.write(&mut pdf, &regular_refs)?;
    bold.write(&mut pdf, &bold_refs)?;
    pdf.document_info(info)
        .title(TextStr(&format!("{} - {}", doc.title, doc.subject)))
        .producer(TextStr("CSCMS"));
    for ((mut content, (page_id, content_id)), lines) in
        contents.into_iter().zip(&page_ids).zip(footer_lines)
    {
        content
            .set_stroke_gray(0.6)
            .set_line_width(0.4)
            .move_to(LEFT, BOTTOM - 22.0)
            .line_to(RIGHT, BOTTOM - 22.0)
            .stroke();
        for (i, (x, bytes)) in lines.iter().enumerate() {
            let y = if i < 2 { BOTTOM - 34.0 } else { BOTTOM - 44.0 };
            content
                .begin_text()
                .set_font(REGULAR, small.size)
                .next_line(*x, y)
                .show(Str(bytes))
                .end_text();
        }
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, A4.0, A4.1))
            .parent(tree)
            .contents(*content_id);
        let mut resources = page.resources();
        resources
            .fonts()
            .pair(REGULAR, regular_refs.type0)
            .pair(BOLD, bold_refs.type0);
        resources.finish();
        page.finish();
        pdf.stream(*content_id, &content.finish());
    }
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::super::{Document, Section, Table};
    use super::*;

    fn doc(blocks: Vec<Block>) -> Document {
        Document {
            title: "Test document".into(),
            subject: "Āśā Verma (CSS-000001)".into(),
            blocks,
            reference: "Test 1".into(),
            printed_at: Utc::now(),
            verification: Some("ABCD-EFGH-JK".into()),
        }
    }

    fn text_of(pdf: &[u8]) -> (usize, String) {
        let d = lopdf::Document::load_mem(pdf).unwrap();
        let pages: Vec<u32> = d.get_pages().keys().copied().collect();
        (pages.len(), d.extract_text(&pages).unwrap())
    }

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        let by_chars = |s: &str| s.chars().count() as f32;
        assert_eq!(
            wrap("alpha beta gamma", 10.0, by_chars),
            ["alpha beta", "gamma"]
        );
        assert_eq!(
            wrap("abcdefghijkl", 5.0, by_chars),
            ["abcde", "fghij", "kl"]
        );
        assert_eq!(wrap("", 5.0, by_chars), [""]);
    }

    #[test]
    fn letterhead_names_and_the_rupee_sign_survive_extraction() {
        let pdf = render(&doc(vec![Section::new("Pay")
            .row("Basic pay", "₹1,23,400")
            .into()]))
        .unwrap();
        let (pages, text) = text_of(&pdf);
        assert_eq!(pages, 1);
        for needle in [
            "Government of India",
            "Department of Personnel & Training",
            "Āśā Verma",
            "₹1,23,400",
            "Page 1 of 1",
            "IST",
            "ABCD-EFGH-JK",
        ] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
    }

    #[test]
    fn a_long_table_repeats_its_header_on_every_page() {
        let mut t = Table::new("Service history", &[("Date", 1.0), ("Event", 2.0)]);
        for i in 0..150 {
            t = t.row(vec![format!("0{}.01.2000", i % 9), format!("Event {i}")]);
        }
        let (pages, text) = text_of(&render(&doc(vec![t.into()])).unwrap());
        assert!(pages >= 3, "{pages} pages");
        // The header row once per page: "Date" is in no other cell.
        assert_eq!(text.matches("Date").count(), pages, "{text}");
        assert_eq!(text.matches("(continued)").count(), pages - 1, "{text}");
        assert!(text.contains(&format!("Page {pages} of {pages}")));
    }

    #[test]
    fn an_empty_section_prints_a_dash() {
        let (_, text) = text_of(&render(&doc(vec![Section::new("Family").into()])).unwrap());
        let after = text.split("Family").nth(1).unwrap_or_default();
        assert!(after.trim_start().starts_with('-'), "{text}");
    }
}
