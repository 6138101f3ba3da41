//! The typeface of every print: Noto Sans (SIL Open Font License 1.1,
//! `fonts/OFL.txt`), compiled into the binary so a print never depends on
//! the fonts of the machine it runs on. It covers Latin with diacritics and
//! the rupee sign; each PDF embeds only the glyphs it uses (a subset).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;
use ttf_parser::Face;

use super::PrintError;

/// One weight of the typeface, parsed once.
pub struct Typeface {
    postscript: &'static str,
    data: &'static [u8],
    face: Face<'static>,
    /// Font units per em.
    units: f32,
}

impl Typeface {
    fn parse(postscript: &'static str, data: &'static [u8]) -> Result<Self, PrintError> {
        let face = Face::parse(data, 0).map_err(|e| PrintError(format!("{postscript}: {e}")))?;
        let units = f32::from(face.units_per_em());
        Ok(Self {
            postscript,
            data,
            face,
            units,
        })
    }

    /// The glyph for a character; what the face lacks prints as '?'.
    fn glyph(&self, c: char) -> u16 {
        let c = if c.is_control() { ' ' } else { c };
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'))
            .map_or(0, |g| g.0)
    }

    /// Advance of a glyph in thousandths of an em (PDF glyph space).
    fn advance(&self, gid: u16) -> f32 {
        self.face
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .map_or(0.0, |a| f32::from(a) * 1000.0 / self.units)
    }

    /// The width of `text` set at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }

    fn scaled(&self, v: i16) -> f32 {
        f32::from(v) * 1000.0 / self.units
    }
}

static REGULAR: LazyLock<Result<Typeface, PrintError>> = LazyLock::new(|| {
    Typeface::parse(
        "NotoSans-Regular",
        include_bytes!("../../fonts/NotoSans-Regular.ttf"),
    )
});
static BOLD: LazyLock<Result<Typeface, PrintError>> = LazyLock::new(|| {
    Typeface::parse(
        "NotoSans-Bold",
        include_bytes!("../../fonts/NotoSans-Bold.ttf"),
    )
});

/// The two weights, or why they could not be read.
pub fn faces() -> Result<(&'static Typeface, &'static Typeface), PrintError> {
    let regular = REGULAR.as_ref().map_err(Clone::clone)?;
    let bold = BOLD.as_ref().map_err(Clone::clone)?;
    Ok((regular, bold))
}

/// The glyphs one document uses of one typeface, numbered in the order of
/// first use: those numbers are the character codes in the content streams
/// (Identity-H) and the glyph ids of the embedded subset.
pub struct Usage {
    face: &'static Typeface,
    remapper: GlyphRemapper,
    chars: BTreeMap<u16, char>,
}

/// Object ids of one embedded font.
pub struct FontRefs {
    pub type0: Ref,
    pub cid: Ref,
    pub descriptor: Ref,
    pub cmap: Ref,
    pub file: Ref,
}

impl Usage {
    pub fn new(face: &'static Typeface) -> Self {
        Self {
            face,
            remapper: GlyphRemapper::new(),
            chars: BTreeMap::new(),
        }
    }

    pub fn face(&self) -> &'static Typeface {
        self.face
    }

    /// The bytes that show `text` in a content stream.
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let new = self.remapper.remap(self.face.glyph(c));
            self.chars.entry(new).or_insert(c);
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }

    /// Writes the subset font and its dictionaries.
    pub fn write(&self, pdf: &mut Pdf, refs: &FontRefs) -> Result<(), PrintError> {
        let f = self.face;
        let subset = subsetter::subset(f.data, 0, &self.remapper)
            .map_err(|e| PrintError(format!("{}: subset: {e:?}", f.postscript)))?;
        let name = format!("{}+{}", self.tag(), f.postscript);
        let system = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };

        pdf.type0_font(refs.type0)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(refs.cid)
            .to_unicode(refs.cmap);

        let widths: Vec<f32> = self
            .remapper
            .remapped_gids()
            .map(|g| f.advance(g))
            .collect();
        let mut cid = pdf.cid_font(refs.cid);
        cid.subtype(CidFontType::Type2)
            .base_font(Name(name.as_bytes()))
            .system_info(system)
            .font_descriptor(refs.descriptor)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid.widths().consecutive(0, widths);
        cid.finish();

        let b = f.face.global_bounding_box();
        let ascent = f.scaled(f.face.ascender());
        pdf.font_descriptor(refs.descriptor)
            .name(Name(name.as_bytes()))
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                f.scaled(b.x_min),
                f.scaled(b.y_min),
                f.scaled(b.x_max),
                f.scaled(b.y_max),
            ))
            .italic_angle(0.0)
            .ascent(ascent)
            .descent(f.scaled(f.face.descender()))
            .cap_height(f.face.capital_height().map_or(ascent, |h| f.scaled(h)))
            .stem_v(80.0)
            .font_file2(refs.file);

        let mut cmap = UnicodeCmap::new(Name(b"Custom"), system);
        for (gid, c) in &self.chars {
            cmap.pair(*gid, *c);
        }
        pdf.cmap(refs.cmap, &cmap.finish());
        let length = i32::try_from(subset.len()).unwrap_or(i32::MAX);
        pdf.stream(refs.file, &subset)
            .pair(Name(b"Length1"), length);
        Ok(())
    }

    /// The six capital letters a subset font's name begins with (PDF 32000
    /// 9.6.4), derived from the glyphs it holds so equal subsets share a tag.
    fn tag(&self) -> String {
        let mut h: u32 = 2_166_136_261;
        for g in self.remapper.remapped_gids() {
            for b in g.to_be_bytes() {
                h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
            }
        }
        (0..6)
            .map(|i| char::from(b'A' + u8::try_from((h >> (i * 5)) % 26).unwrap_or(0)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typeface_covers_diacritics_and_the_rupee_sign() {
        let (regular, bold) = faces().unwrap();
        for face in [regular, bold] {
            for c in ['₹', 'ā', 'ś', 'ṇ', 'é', 'A'] {
                assert!(
                    face.face.glyph_index(c).is_some(),
                    "{c} in {}",
                    face.postscript
                );
            }
        }
        assert!(regular.width("₹1,23,400", 10.0) > 30.0);
        assert!(bold.width("W", 10.0) > regular.width("i", 10.0));
    }

    #[test]
    fn glyphs_are_numbered_in_order_of_first_use() {
        let (regular, _) = faces().unwrap();
        let mut usage = Usage::new(regular);
        let first = usage.encode("ab");
        let again = usage.encode("ba");
        // .notdef is 0, so 'a' is 1 and 'b' 2.
        assert_eq!(first, [0, 1, 0, 2]);
        assert_eq!(again, [0, 2, 0, 1]);
    }
}
