//! Grayscale images and the cheap transforms the QR pipeline tries: inversion,
//! integer downscaling, 2× upscaling, Otsu binarisation, contrast stretch,
//! cropping. Each keeps track of where its pixels came from so positions
//! found in a transformed image map back to the original.

/// An 8-bit grayscale image, row-major, 0 = black.
#[derive(Clone, PartialEq)]
pub struct Luma {
    width: usize,
    height: usize,
    data: Vec<u8>,
    /// Maps this image's coordinates to the original's:
    /// `original = offset + here * scale`.
    scale: f32,
    offset: (f32, f32),
}

impl std::fmt::Debug for Luma {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Luma({}×{})", self.width, self.height)
    }
}

impl Luma {
    /// Wraps `data` (`width * height` bytes); `None` when the sizes disagree.
    pub fn new(width: usize, height: usize, data: Vec<u8>) -> Option<Self> {
        (width.checked_mul(height) == Some(data.len())).then_some(Self {
            width,
            height,
            data,
            scale: 1.0,
            offset: (0.0, 0.0),
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The pixels, row-major.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Maps a point of this image to the original image it was derived from.
    pub fn to_original(&self, x: f32, y: f32) -> (f32, f32) {
        (
            self.offset.0 + x * self.scale,
            self.offset.1 + y * self.scale,
        )
    }

    fn derived(
        &self,
        width: usize,
        height: usize,
        data: Vec<u8>,
        scale: f32,
        offset: (f32, f32),
    ) -> Self {
        Self {
            width,
            height,
            data,
            scale: self.scale * scale,
            offset: (
                self.offset.0 + offset.0 * self.scale,
                self.offset.1 + offset.1 * self.scale,
            ),
        }
    }

    /// Light-on-dark becomes dark-on-light (dark-mode pages).
    pub fn inverted(&self) -> Self {
        let data = self.data.iter().map(|&v| 255 - v).collect();
        self.derived(self.width, self.height, data, 1.0, (0.0, 0.0))
    }

    /// Each `factor`×`factor` block averaged into one pixel: shrinks big
    /// screenshots and smooths JPEG noise at the same time.
    pub fn downscaled(&self, factor: usize) -> Self {
        let factor = factor.max(1);
        let (w, h) = (self.width / factor, self.height / factor);
        if factor == 1 || w == 0 || h == 0 {
            return self.clone();
        }
        let mut sums = vec![0u32; w];
        let mut data = Vec::with_capacity(w * h);
        let area = (factor * factor) as u32;
        for by in 0..h {
            sums.iter_mut().for_each(|s| *s = 0);
            for row in self.data[by * factor * self.width..]
                .chunks_exact(self.width)
                .take(factor)
            {
                for (sum, block) in sums.iter_mut().zip(row.chunks_exact(factor)) {
                    *sum += block.iter().map(|&v| u32::from(v)).sum::<u32>();
                }
            }
            data.extend(sums.iter().map(|&s| ((s + area / 2) / area) as u8));
        }
        self.derived(w, h, data, factor as f32, (0.0, 0.0))
    }

    /// Twice the size, bilinear: codes at 1–2 pixels per module get enough
    /// pixels for the finder-pattern ratios to be measurable.
    pub fn upscaled2(&self) -> Self {
        let (w, h) = (self.width * 2, self.height * 2);
        let mut data = vec![0u8; w * h];
        let src = |x: usize, y: usize| u32::from(self.data[y * self.width + x]);
        for y in 0..h {
            // Output pixel centres sit at quarter positions of the input.
            let (y0, y1, fy) = taps(y, self.height);
            for x in 0..w {
                let (x0, x1, fx) = taps(x, self.width);
                let top = src(x0, y0) * (4 - fx) + src(x1, y0) * fx;
                let bottom = src(x0, y1) * (4 - fx) + src(x1, y1) * fx;
                data[y * w + x] = ((top * (4 - fy) + bottom * fy + 8) / 16) as u8;
            }
        }
        self.derived(w, h, data, 0.5, (0.0, 0.0))
    }

    /// Pixels `x0..x0+w`, `y0..y0+h`, clamped to the image.
    pub fn cropped(&self, x0: usize, y0: usize, w: usize, h: usize) -> Self {
        let x0 = x0.min(self.width);
        let y0 = y0.min(self.height);
        let w = w.min(self.width - x0);
        let h = h.min(self.height - y0);
        let mut data = Vec::with_capacity(w * h);
        for row in self.data.chunks_exact(self.width.max(1)).skip(y0).take(h) {
            data.extend_from_slice(&row[x0..x0 + w]);
        }
        self.derived(w, h, data, 1.0, (x0 as f32, y0 as f32))
    }

    /// Black (0) at or below `threshold`, white (255) above.
    pub fn thresholded(&self, threshold: u8) -> Self {
        let data = self
            .data
            .iter()
            .map(|&v| if v <= threshold { 0 } else { 255 })
            .collect();
        self.derived(self.width, self.height, data, 1.0, (0.0, 0.0))
    }

    /// Black and white at the Otsu threshold of the histogram.
    pub fn otsu(&self) -> Self {
        self.thresholded(otsu_threshold(&self.data))
    }

    /// Global thresholds worth trying, best first: Otsu's over the whole
    /// histogram, then Otsu's within each of the two classes it made. A grey
    /// code on a grey plate on a white page has three levels; the first cut
    /// separates the page, the second the modules.
    pub fn otsu_levels(&self) -> Vec<u8> {
        let histogram = histogram(&self.data);
        let first = otsu_in(&histogram, 0, 255);
        let mut levels = vec![first];
        for level in [
            otsu_in(&histogram, 0, first),
            otsu_in(&histogram, first.saturating_add(1), 255),
        ] {
            if !levels.contains(&level) {
                levels.push(level);
            }
        }
        levels
    }

    /// Levels stretched so the 1st and 99th percentiles become 0 and 255:
    /// low-contrast codes (grey on grey) get the dynamic range binarisers
    /// expect.
    pub fn stretched(&self) -> Self {
        let histogram = histogram(&self.data);
        let total = self.data.len() as u64;
        let cut = total / 100;
        let mut low = 0usize;
        let mut seen = 0u64;
        for (value, &count) in histogram.iter().enumerate() {
            seen += count;
            if seen > cut {
                low = value;
                break;
            }
        }
        let mut high = 255usize;
        seen = 0;
        for (value, &count) in histogram.iter().enumerate().rev() {
            seen += count;
            if seen > cut {
                high = value;
                break;
            }
        }
        if high <= low + 1 {
            return self.clone();
        }
        let range = (high - low) as u32;
        let lut: Vec<u8> = (0..256u32)
            .map(|v| {
                let v = v.clamp(low as u32, high as u32) - low as u32;
                ((v * 255 + range / 2) / range) as u8
            })
            .collect();
        let data = self.data.iter().map(|&v| lut[usize::from(v)]).collect();
        self.derived(self.width, self.height, data, 1.0, (0.0, 0.0))
    }

    /// Mean pixel value: a dark image is probably a dark-mode page.
    pub fn mean(&self) -> f32 {
        if self.data.is_empty() {
            return 255.0;
        }
        let sum: u64 = self.data.iter().map(|&v| u64::from(v)).sum();
        sum as f32 / self.data.len() as f32
    }
}

/// Source taps for output index `i` of a 2× bilinear upscale of `len`
/// samples: the two neighbours and the weight of the second in quarters.
fn taps(i: usize, len: usize) -> (usize, usize, u32) {
    let last = len.saturating_sub(1);
    // Output centre i maps to input (i + 0.5) / 2 - 0.5 = (2i - 1) / 4.
    if i == 0 {
        return (0, 0, 0);
    }
    let pos4 = 2 * i - 1;
    let base = (pos4 / 4).min(last);
    let next = (base + 1).min(last);
    (base, next, (pos4 % 4) as u32)
}

fn histogram(data: &[u8]) -> [u64; 256] {
    let mut histogram = [0u64; 256];
    for &v in data {
        histogram[usize::from(v)] += 1;
    }
    histogram
}

/// Otsu's method: the threshold that maximises the between-class variance.
pub fn otsu_threshold(data: &[u8]) -> u8 {
    otsu_in(&histogram(data), 0, 255)
}

/// Otsu's threshold among the values `lo..=hi` of `histogram` (`lo` when
/// they hold fewer than two distinct values).
fn otsu_in(histogram: &[u64; 256], lo: u8, hi: u8) -> u8 {
    let range = usize::from(lo)..=usize::from(hi.max(lo));
    let total: f64 = histogram[range.clone()].iter().map(|&c| c as f64).sum();
    let sum_all: f64 = range.clone().map(|v| v as f64 * histogram[v] as f64).sum();
    let (mut weight_low, mut sum_low) = (0.0f64, 0.0f64);
    let (mut best, mut best_variance) = (lo, -1.0f64);
    for value in range {
        let count = histogram[value] as f64;
        weight_low += count;
        if weight_low == 0.0 {
            continue;
        }
        let weight_high = total - weight_low;
        if weight_high == 0.0 {
            break;
        }
        sum_low += value as f64 * count;
        let mean_low = sum_low / weight_low;
        let mean_high = (sum_all - sum_low) / weight_high;
        let variance = weight_low * weight_high * (mean_low - mean_high).powi(2);
        if variance > best_variance {
            best_variance = variance;
            best = value as u8;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(width: usize, height: usize, data: &[u8]) -> Luma {
        Luma::new(width, height, data.to_vec()).expect("sizes agree")
    }

    #[test]
    fn new_checks_the_size() {
        assert!(Luma::new(2, 2, vec![0; 3]).is_none());
        assert!(Luma::new(usize::MAX, 2, vec![]).is_none());
        assert!(Luma::new(0, 0, vec![]).is_some());
    }

    #[test]
    fn downscale_averages_blocks_and_maps_back() {
        let luma = image(4, 2, &[0, 100, 200, 200, 100, 200, 200, 200]).downscaled(2);
        assert_eq!((luma.width(), luma.height()), (2, 1));
        assert_eq!(luma.data(), &[100, 200]);
        assert_eq!(luma.to_original(1.0, 0.5), (2.0, 1.0));
    }

    #[test]
    fn upscale_keeps_flat_areas_and_interpolates_edges() {
        let luma = image(2, 1, &[0, 200]).upscaled2();
        assert_eq!((luma.width(), luma.height()), (4, 2));
        assert_eq!(&luma.data()[..4], &[0, 50, 150, 200]);
        assert_eq!(luma.to_original(4.0, 2.0), (2.0, 1.0));
    }

    #[test]
    fn crop_and_invert_compose_offsets() {
        let luma = image(3, 3, &[1, 2, 3, 4, 5, 6, 7, 8, 9]).cropped(1, 1, 5, 5);
        assert_eq!(luma.data(), &[5, 6, 8, 9]);
        assert_eq!(luma.inverted().data(), &[250, 249, 247, 246]);
        assert_eq!(luma.upscaled2().to_original(2.0, 0.0), (2.0, 1.0));
        assert_eq!(image(0, 0, &[]).cropped(3, 3, 3, 3).width(), 0);
    }

    #[test]
    fn otsu_splits_two_levels() {
        let luma = image(4, 1, &[40, 50, 180, 190]).otsu();
        assert_eq!(luma.data(), &[0, 0, 255, 255]);
        assert_eq!(otsu_threshold(&[]), 0);
        // Page, plate and modules: the second level splits the modules.
        let mut data = vec![255u8; 60];
        data.extend([180u8; 25]);
        data.extend([110u8; 15]);
        let levels = image(10, 10, &data).otsu_levels();
        assert_eq!(levels[0], 180);
        assert_eq!(levels[1], 110);
    }

    #[test]
    fn stretch_widens_low_contrast() {
        let mut data = vec![100u8; 50];
        data.extend(vec![150u8; 50]);
        let luma = image(10, 10, &data).stretched();
        assert_eq!(luma.data()[0], 0);
        assert_eq!(luma.data()[99], 255);
    }
}
