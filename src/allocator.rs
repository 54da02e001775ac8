//! The program's allocator: mimalloc for small blocks, glibc's malloc for large ones.
//!
//! With glibc's malloc alone, the loader's reader threads, which allocate what other
//! threads keep and free, fought over its arenas' locks: a third of `triage
//! search`'s time at 100,000 articles went to malloc and its futex waits, and more
//! arenas each hold their own free space. mimalloc alone removes that, but rounds a
//! large block up to its next size class (up to a quarter more): a session holding
//! every body in memory (a first start, `--no-index`) then peaked some 30 MiB
//! higher at 100,000 articles. Small blocks are nearly all of the allocations; large
//! ones are few (bodies, file buffers) and glibc fits them to 16 bytes.
//! mimalloc is built without transparent huge pages (the `no_thp` feature in
//! Cargo.toml): with them a warm start at 100,000 articles was some 5 MiB larger and
//! no faster. Measured in BENCHMARKS.md, "The allocator".

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;

/// glibc gives each thread that allocates its own arena (up to eight per core), each
/// holding its own free space; it serves only large blocks and SQLite here, too few
/// allocations for two arenas to be fought over. Call before any thread starts.
pub fn fewer_glibc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of the allocator; called before any
    // thread is started.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// From this size on, a block is glibc's.
const LARGE: usize = 1024;

/// The allocator; see the module.
pub struct Split;

fn large(layout: &Layout) -> bool {
    layout.size() >= LARGE
}

// SAFETY: every block is freed and resized by the allocator that made it, which the
// size in its layout tells (the caller passes the layout it was allocated with); a
// block that changes side on `realloc` is copied into a new block of the other.
unsafe impl GlobalAlloc for Split {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as given.
        unsafe {
            if large(&layout) {
                System.alloc(layout)
            } else {
                MiMalloc.alloc(layout)
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as given.
        unsafe {
            if large(&layout) {
                System.alloc_zeroed(layout)
            } else {
                MiMalloc.alloc_zeroed(layout)
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `layout` is the one `ptr` was allocated with, so it names its side.
        unsafe {
            if large(&layout) {
                System.dealloc(ptr, layout)
            } else {
                MiMalloc.dealloc(ptr, layout)
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size`, rounded to the alignment, fits
        // `isize`, so the new layout is valid.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as `alloc` and `dealloc`; the copy is of the bytes both blocks hold.
        unsafe {
            match (large(&layout), large(&new)) {
                (true, true) => System.realloc(ptr, layout, new_size),
                (false, false) => MiMalloc.realloc(ptr, layout, new_size),
                _ => {
                    let moved = self.alloc(new);
                    if !moved.is_null() {
                        std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    moved
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block keeps its bytes as `realloc` moves it from one side to the other and
    /// back, and within each side.
    #[test]
    fn realloc_across_the_threshold_keeps_the_bytes() {
        let sizes = [16, LARGE - 1, LARGE, 5 * LARGE, LARGE + 1, 100, 3];
        // SAFETY: each call gets the layout of the block as it last was.
        unsafe {
            let mut layout = Layout::from_size_align(sizes[0], 8).expect("layout");
            let mut ptr = Split.alloc(layout);
            assert!(!ptr.is_null());
            for i in 0..layout.size() {
                *ptr.add(i) = (i % 251) as u8;
            }
            let mut kept = layout.size();
            for &size in &sizes[1..] {
                ptr = Split.realloc(ptr, layout, size);
                assert!(!ptr.is_null());
                kept = kept.min(size);
                for i in 0..kept {
                    assert_eq!(*ptr.add(i), (i % 251) as u8, "byte {i} at size {size}");
                }
                for i in kept..size {
                    *ptr.add(i) = (i % 251) as u8;
                }
                kept = size;
                layout = Layout::from_size_align(size, 8).expect("layout");
            }
            Split.dealloc(ptr, layout);
        }
    }

    #[test]
    fn zeroed_blocks_are_zero_on_both_sides() {
        for size in [24, LARGE, 8 * LARGE] {
            let layout = Layout::from_size_align(size, 16).expect("layout");
            // SAFETY: allocated and freed with the same layout.
            unsafe {
                let ptr = Split.alloc_zeroed(layout);
                assert!(!ptr.is_null());
                assert_eq!(ptr as usize % 16, 0, "aligned");
                assert!((0..size).all(|i| *ptr.add(i) == 0));
                Split.dealloc(ptr, layout);
            }
        }
    }
}
