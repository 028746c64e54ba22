//! Reads a live process's memory through /proc, as another program running
//! as the same user (or root) could, to look for secrets that should not be
//! there (issue 11: a locked app holds no key).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

/// Where one needle was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryHit {
    /// The process.
    pub pid: u32,
    /// Which needle (its index in the list given).
    pub needle: usize,
    /// The address in that process.
    pub address: u64,
    /// The mapping it lies in, as /proc/PID/maps names it ("[heap]", a
    /// library, or empty for anonymous memory).
    pub mapping: String,
}

/// What was read, to tell a search that found nothing from one that
/// could not look.
#[derive(Debug, Default)]
pub struct Scan {
    /// Every place a needle was found.
    pub found: Vec<MemoryHit>,
    /// Bytes read, over all processes.
    pub bytes: u64,
}

/// Read in slices of at most this size, overlapping by the longest needle.
const CHUNK: u64 = 8 << 20;
/// The page size of every Linux machine the tests run on.
const PAGE: u64 = 4096;
/// /proc/PID/pagemap: the page is in memory, or swapped out.
const PRESENT: u64 = 1 << 63;
const SWAPPED: u64 = 1 << 62;

/// The runs of pages of `[start, end)` that hold something (in memory or
/// swapped out), as address ranges. WebKit reserves tens of gigabytes it
/// never touches; reading those would read zeros for minutes.
fn touched_runs(pagemap: &mut File, start: u64, end: u64) -> Vec<(u64, u64)> {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    let mut entries = vec![0u8; 8 * 4096];
    let mut page = start / PAGE;
    let last = end / PAGE;
    while page < last {
        let count = (last - page).min(4096);
        let bytes = &mut entries[..(count * 8) as usize];
        let read = pagemap
            .seek(SeekFrom::Start(page * 8))
            .and_then(|_| pagemap.read_exact(bytes));
        if read.is_err() {
            // Not told: read it all.
            return vec![(start, end)];
        }
        for (i, entry) in bytes.chunks_exact(8).enumerate() {
            let entry = u64::from_le_bytes(entry.try_into().expect("8 bytes"));
            if entry & (PRESENT | SWAPPED) == 0 {
                continue;
            }
            let at = (page + i as u64) * PAGE;
            match runs.last_mut() {
                Some(run) if run.1 == at => run.1 = at + PAGE,
                _ => runs.push((at, at + PAGE)),
            }
        }
        page += count;
    }
    runs
}

/// Searches every readable mapping of each process in `pids` for each
/// of `needles`, in the pages that hold something. A mapping that cannot
/// be read (the kernel's `[vvar]`, or one unmapped meanwhile) is skipped;
/// a process that cannot be read at all (gone, or not permitted) is an
/// error.
pub fn search_memory(pids: &[u32], needles: &[&[u8]]) -> Result<Scan, String> {
    let longest = needles.iter().map(|n| n.len()).max().unwrap_or(0) as u64;
    assert!(longest > 0, "nothing to search for");
    let finders: Vec<memchr::memmem::Finder<'_>> =
        needles.iter().map(memchr::memmem::Finder::new).collect();
    let mut scan = Scan::default();
    let mut buffer = vec![0u8; (CHUNK + longest) as usize];
    for &pid in pids {
        let maps = std::fs::read_to_string(format!("/proc/{pid}/maps"))
            .map_err(|e| format!("/proc/{pid}/maps: {e}"))?;
        let mut mem =
            File::open(format!("/proc/{pid}/mem")).map_err(|e| format!("/proc/{pid}/mem: {e}"))?;
        let mut pagemap = File::open(format!("/proc/{pid}/pagemap"))
            .map_err(|e| format!("/proc/{pid}/pagemap: {e}"))?;
        for line in maps.lines() {
            let mut fields = line.split_whitespace();
            let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
                continue;
            };
            let mapping = fields.nth(3).unwrap_or("").to_owned();
            if !perms.starts_with('r') || mapping == "[vvar]" || mapping == "[vsyscall]" {
                continue;
            }
            let Some((start, end)) = range.split_once('-') else {
                continue;
            };
            let (Ok(start), Ok(end)) =
                (u64::from_str_radix(start, 16), u64::from_str_radix(end, 16))
            else {
                continue;
            };
            for (run_start, run_end) in touched_runs(&mut pagemap, start, end) {
                let mut at = run_start;
                while at < run_end {
                    let want = (run_end - at).min(CHUNK + longest) as usize;
                    let read = mem
                        .seek(SeekFrom::Start(at))
                        .and_then(|_| mem.read(&mut buffer[..want]));
                    let Ok(read) = read else { break };
                    if read == 0 {
                        break;
                    }
                    scan.bytes += read as u64;
                    for (index, finder) in finders.iter().enumerate() {
                        for offset in finder.find_iter(&buffer[..read]) {
                            // Found twice where slices overlap: keep one.
                            let address = at + offset as u64;
                            if scan
                                .found
                                .iter()
                                .any(|f| f.pid == pid && f.needle == index && f.address == address)
                            {
                                continue;
                            }
                            scan.found.push(MemoryHit {
                                pid,
                                needle: index,
                                address,
                                mapping: mapping.clone(),
                            });
                        }
                    }
                    if read < want {
                        break;
                    }
                    at += CHUNK;
                }
            }
        }
    }
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_needle_in_this_very_process() {
        // Built at run time so that the binary's own data does not hold it.
        let needle: Vec<u8> = (0..24u8).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
        let kept = std::hint::black_box(needle.clone());
        let scan = search_memory(&[std::process::id()], &[&kept]).expect("readable");
        assert!(scan.bytes > 0);
        let at = kept.as_ptr() as u64;
        assert!(scan.found.iter().any(|f| f.address == at), "{scan:?}");
    }
}
