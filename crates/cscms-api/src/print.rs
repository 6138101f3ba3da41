//! The one PDF renderer (PRF-5, IPR-1): a titled document of sections of
//! label/value rows, on A4, in the standard Helvetica fonts. Profile and IPR
//! prints (and later ones) build a [`Document`] from the same data their JSON
//! gives and call [`render`].

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// A printable document.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub title: String,
    pub subtitle: String,
    pub sections: Vec<Section>,
    /// Printed at the foot of every page (e.g. when and for whom it was printed).
    pub footer: String,
}

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

const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 50.0;
const VALUE_X: f32 = 230.0;
const LINE: f32 = 14.0;
/// Characters per line of the value column at 10 pt (conservative for Helvetica).
const VALUE_CHARS: usize = 62;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// The standard fonts speak WinAnsi: Latin text prints as is, anything
/// else (e.g. Devanagari) as '?', never as garbage.
fn latin(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '\u{20b9}' => b'R', // the rupee sign has no WinAnsi code
            _ => b'?',
        })
        .collect()
}

/// Splits text into lines of at most `width` characters, at spaces where possible.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ') {
            let mut word = word.to_owned();
            while word.chars().count() > width {
                let head: String = word.chars().take(width).collect();
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                lines.push(head);
                word = word.chars().skip(width).collect();
            }
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        lines.push(line);
    }
    lines
}

struct Pages {
    done: Vec<Content>,
    current: Content,
    y: f32,
}

impl Pages {
    fn new() -> Self {
        Self {
            done: Vec::new(),
            current: Content::new(),
            y: A4.1 - MARGIN,
        }
    }

    fn text(&mut self, font: Name<'_>, size: f32, x: f32, text: &str) {
        self.current
            .begin_text()
            .set_font(font, size)
            .next_line(x, self.y)
            .show(Str(&latin(text)))
            .end_text();
    }

    fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN + LINE {
            let full = std::mem::replace(&mut self.current, Content::new());
            self.done.push(full);
            self.y = A4.1 - MARGIN;
        }
    }

    fn finish(mut self) -> Vec<Content> {
        self.done.push(self.current);
        self.done
    }
}

/// Renders the document as PDF bytes.
pub fn render(doc: &Document) -> Vec<u8> {
    let mut pages = Pages::new();
    pages.text(BOLD, 15.0, MARGIN, &doc.title);
    pages.y -= LINE * 1.4;
    if !doc.subtitle.is_empty() {
        pages.text(REGULAR, 10.0, MARGIN, &doc.subtitle);
        pages.y -= LINE;
    }
    for section in &doc.sections {
        pages.ensure(LINE * 3.0);
        pages.y -= LINE * 0.6;
        pages.text(BOLD, 11.5, MARGIN, &section.heading);
        pages.y -= LINE * 1.2;
        for (label, value) in &section.rows {
            let lines = wrap(if value.is_empty() { "-" } else { value }, VALUE_CHARS);
            pages.ensure(LINE * lines.len() as f32);
            pages.text(REGULAR, 9.5, MARGIN, label);
            for line in lines {
                pages.text(REGULAR, 10.0, VALUE_X, &line);
                pages.y -= LINE;
            }
        }
    }
    let contents = pages.finish();

    // Object ids: 1 catalog, 2 page tree, 3-4 fonts, 5 info, then a page and
    // its content stream per page.
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let (regular, bold, info) = (Ref::new(3), Ref::new(4), Ref::new(5));
    let page_ids: Vec<(Ref, Ref)> = (0..contents.len())
        .map(|i| {
            let base = 6 + 2 * i32::try_from(i).unwrap_or(0);
            (Ref::new(base), Ref::new(base + 1))
        })
        .collect();
    let count = i32::try_from(page_ids.len()).unwrap_or(i32::MAX);

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(p, _)| *p))
        .count(count);
    for (font, name) in [
        (regular, Name(b"Helvetica")),
        (bold, Name(b"Helvetica-Bold")),
    ] {
        pdf.type1_font(font)
            .base_font(name)
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.document_info(info)
        .title(TextStr(&doc.title))
        .producer(TextStr("CSCMS"));
    for (n, (content, (page_id, content_id))) in contents.into_iter().zip(&page_ids).enumerate() {
        let mut content = content;
        let foot = format!("{}    Page {} of {}", doc.footer, n + 1, count);
        content
            .begin_text()
            .set_font(REGULAR, 8.0)
            .next_line(MARGIN, MARGIN - 20.0)
            .show(Str(&latin(&foot)))
            .end_text();
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, A4.0, A4.1))
            .parent(tree)
            .contents(*content_id);
        let mut resources = page.resources();
        resources.fonts().pair(REGULAR, regular).pair(BOLD, bold);
        resources.finish();
        page.finish();
        pdf.stream(*content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_splits_long_words() {
        assert_eq!(wrap("alpha beta gamma", 10), ["alpha beta", "gamma"]);
        assert_eq!(wrap("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn non_latin_text_degrades_to_question_marks() {
        assert_eq!(latin("Asha \u{0906}"), b"Asha ?".to_vec());
    }

    #[test]
    fn long_documents_break_into_pages() {
        let mut s = Section::new("Rows");
        for i in 0..200 {
            s = s.row(format!("Row {i}"), "value");
        }
        let pdf = render(&Document {
            title: "T".into(),
            sections: vec![s],
            ..Default::default()
        });
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        // 48 rows fit under the title, 52 on each later page.
        assert!(text.contains("/Count 4"), "200 rows need 4 pages");
    }
}
