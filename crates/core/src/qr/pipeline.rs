//! The decoding pipeline: the stages tried in order, the finder patterns
//! no code explained, and the codes found sorted into reading order.

use super::{decoders, Binarizer, Found, Luma};

/// One attempt of the pipeline: a transform of the image and a decoder.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// rxing (hybrid binariser, every row scanned) on the image as it is.
    Rxing,
    /// rxing on the inverted image (light-on-dark codes).
    RxingInverted,
    /// rxing on the image cut at Otsu's threshold, then at the thresholds
    /// within each half (grey codes on grey plates on white pages).
    RxingOtsu,
    /// rxing on the image halved (big screenshots, JPEG noise).
    RxingHalf,
    /// rxing on the contrast-stretched image.
    RxingStretched,
    /// rxing on the image doubled (tiny modules).
    RxingDouble,
    /// rqrr on the image as it is.
    Rqrr,
    /// rqrr on the inverted image.
    RqrrInverted,
    /// rqrr on the image doubled.
    RqrrDouble,
    /// rxing and rqrr on crops around finder patterns no code accounted
    /// for, doubled when the modules are small.
    Crops,
}

impl Stage {
    /// Every stage, for benchmarks that try each one alone.
    pub const ALL: &'static [Stage] = &[
        Stage::Rxing,
        Stage::RxingInverted,
        Stage::RxingOtsu,
        Stage::RxingHalf,
        Stage::RxingStretched,
        Stage::RxingDouble,
        Stage::Rqrr,
        Stage::RqrrInverted,
        Stage::RqrrDouble,
        Stage::Crops,
    ];

    /// Runs this stage alone on `luma`.
    pub fn run(self, luma: &Luma) -> Vec<Found> {
        let mut evidence = Evidence::default();
        self.run_with(luma, &mut evidence)
    }

    /// Runs this stage, adding the finder patterns it could not explain to
    /// `evidence` (rxing stages) or using them (crops).
    fn run_with(self, luma: &Luma, evidence: &mut Evidence) -> Vec<Found> {
        let scan = |image: &Luma, evidence: &mut Evidence| {
            let (found, leftovers) = decoders::rxing_scan(image);
            evidence.candidates.extend(leftovers);
            found
        };
        match self {
            Stage::Rxing => scan(luma, evidence),
            Stage::RxingInverted => scan(&luma.inverted(), evidence),
            Stage::RxingOtsu => {
                // Binary input: the hybrid binariser's flat-block rule
                // (a uniform block is white unless clearly dark) can no
                // longer turn grey modules into holes.
                for level in luma.otsu_levels() {
                    let found = decoders::rxing(&luma.thresholded(level), Binarizer::Global, true);
                    if !found.is_empty() {
                        return found;
                    }
                }
                Vec::new()
            }
            Stage::RxingHalf => scan(&luma.downscaled(2), evidence),
            Stage::RxingStretched => scan(&luma.stretched(), evidence),
            Stage::RxingDouble if luma.width() * luma.height() <= MAX_DOUBLED_PIXELS => {
                scan(&luma.upscaled2(), evidence)
            }
            Stage::RxingDouble => Vec::new(),
            Stage::Rqrr | Stage::RqrrInverted if luma.width() * luma.height() > MAX_RQRR_PIXELS => {
                Vec::new()
            }
            Stage::Rqrr => decoders::rqrr(luma),
            Stage::RqrrInverted => decoders::rqrr(&luma.inverted()),
            Stage::RqrrDouble if luma.width() * luma.height() <= MAX_DOUBLED_PIXELS => {
                decoders::rqrr(&luma.upscaled2())
            }
            Stage::RqrrDouble => Vec::new(),
            Stage::Crops => {
                let mut found = Vec::new();
                for crop in evidence.crops(luma) {
                    let image = luma.cropped(crop.0, crop.1, crop.2, crop.3);
                    let image = if crop.4 { image.upscaled2() } else { image };
                    found.extend(decoders::rxing(&image, Binarizer::Hybrid, true));
                    found.extend(decoders::rqrr(&image));
                    found.extend(decoders::rxing(&image.inverted(), Binarizer::Hybrid, true));
                }
                found
            }
        }
    }
}

/// The stages [`decode_luma`](super::decode_luma) tries, in order, until at least one code is
/// read and every finder pattern seen belongs to a decoded code.
///
/// Measured alone on the 240-case corpus (`qr_bench -- --stages`, release
/// build, pixels already decoded): rxing reads 199 cases in a median 3.8 ms,
/// rqrr 87 in 19 ms, so rxing leads. Inversion adds the 31 light-on-dark
/// cases; the Otsu cuts add grey-on-grey codes that the hybrid binariser
/// punches holes in; crops around unexplained finder patterns catch a second
/// code in another polarity. The rest never completed a corpus case but are
/// cheap insurance, run only when everything before failed.
pub(super) const PIPELINE: &[Stage] = &[
    Stage::Rxing,
    Stage::RxingInverted,
    Stage::RxingOtsu,
    Stage::Crops,
    Stage::RxingStretched,
    Stage::RxingHalf,
    Stage::Rqrr,
    Stage::RqrrInverted,
    Stage::RxingDouble,
];

/// Largest image rqrr is given (a 4K screen): it copies the whole image for
/// every candidate group of finder patterns, which on an 8K screenshot full
/// of UI costs seconds for a decoder that has never read a corpus case
/// rxing missed.
const MAX_RQRR_PIXELS: usize = 3840 * 2160;

/// Largest image [`Stage::RxingDouble`] enlarges: beyond this the modules
/// of any readable code are already big enough, and a 4K screen doubled
/// would cost 130 MB and half a second.
const MAX_DOUBLED_PIXELS: usize = 4_000_000;

/// Finder patterns seen but not explained by a decoded code.
#[derive(Debug, Default)]
struct Evidence {
    candidates: Vec<decoders::Candidate>,
    /// Bounding boxes of the codes decoded so far.
    decoded: Vec<(f32, f32, f32, f32)>,
}

impl Evidence {
    /// Candidates outside every found code (a pattern inside a code is a
    /// piece of that code, or the code itself seen again).
    fn unexplained(&self) -> Vec<decoders::Candidate> {
        let mut out: Vec<decoders::Candidate> = Vec::new();
        for c in &self.candidates {
            let inside = self.decoded.iter().any(|&(x0, y0, x1, y1)| {
                let margin = c.size;
                c.x >= x0 - margin && c.x <= x1 + margin && c.y >= y0 - margin && c.y <= y1 + margin
            });
            // The same pattern seen by several stages counts once.
            let seen = out
                .iter()
                .any(|o| (o.x - c.x).abs() < o.size / 2.0 && (o.y - c.y).abs() < o.size / 2.0);
            if !inside && !seen {
                out.push(*c);
            }
        }
        out
    }

    /// Regions to crop: around each unexplained pattern, a square large
    /// enough for a version 20 code whichever corner the pattern is
    /// (x, y, width, height, upscale?). At most four.
    fn crops(&self, luma: &Luma) -> Vec<(usize, usize, usize, usize, bool)> {
        let mut crops: Vec<(usize, usize, usize, usize, bool)> = Vec::new();
        for c in self.unexplained() {
            let module = (c.size / 7.0).max(1.0);
            let reach = module * 100.0;
            let (x0, y0) = ((c.x - reach).max(0.0), (c.y - reach).max(0.0));
            let (x1, y1) = (
                (c.x + reach).min(luma.width() as f32),
                (c.y + reach).min(luma.height() as f32),
            );
            let crop = (
                x0 as usize,
                y0 as usize,
                (x1 - x0) as usize,
                (y1 - y0) as usize,
                module < 3.0,
            );
            // Patterns of one code share a crop.
            if crops.iter().any(|o| {
                let (ox, oy) = (o.0 as f32, o.1 as f32);
                c.x >= ox && c.y >= oy && c.x <= ox + o.2 as f32 && c.y <= oy + o.3 as f32
            }) {
                continue;
            }
            crops.push(crop);
            if crops.len() == 4 {
                break;
            }
        }
        crops
    }
}

pub(super) fn find_codes(
    luma: &Luma,
    stages: &[Stage],
    trace: &mut dyn FnMut(Stage, usize),
) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    let mut evidence = Evidence::default();
    for &stage in stages {
        let before = found.len();
        for code in stage.run_with(luma, &mut evidence) {
            if !found.iter().any(|f| f.text == code.text) {
                found.push(code);
            }
        }
        trace(stage, found.len() - before);
        evidence.decoded = found.iter().map(Found::bounds).collect();
        // Two unexplained finder patterns are a code not read yet; one is
        // usually a square of UI that happens to look like one.
        if !found.is_empty() && evidence.unexplained().len() < 2 {
            break;
        }
    }
    reading_order(&mut found);
    found
}

/// Sorts codes top to bottom, then left to right. Codes are grouped into
/// rows first (a code joins the row above when their vertical extents overlap
/// by half the smaller height): comparing pairs directly would not be a total
/// order, which `sort_by` may panic on.
fn reading_order(found: &mut Vec<Found>) {
    found.sort_by(|a, b| a.bounds().1.total_cmp(&b.bounds().1));
    let mut rows: Vec<(f32, f32, Vec<Found>)> = Vec::new();
    for code in found.drain(..) {
        let (_, y0, _, y1) = code.bounds();
        match rows.last_mut() {
            Some((row_y0, row_y1, members))
                if (*row_y1).min(y1) - (*row_y0).max(y0)
                    >= ((*row_y1 - *row_y0).min(y1 - y0) / 2.0).max(0.0) =>
            {
                *row_y1 = row_y1.max(y1);
                members.push(code);
            }
            _ => rows.push((y0, y1, vec![code])),
        }
    }
    for (_, _, mut members) in rows {
        members.sort_by(|a, b| a.bounds().0.total_cmp(&b.bounds().0));
        found.extend(members);
    }
}
