//! The allocator's counts. In a test binary of its own: the counters are global, so tests on
//! other threads of the same binary would move them.

use lesson::peak_bytes;

#[test]
fn a_temporary_counts_in_the_peak_but_not_in_what_is_kept() {
    let (kept, m) = peak_bytes(|| {
        let scratch = vec![1u8; 4 << 20];
        let kept = vec![2u8; 1 << 20];
        drop(std::hint::black_box(scratch));
        kept
    });
    assert_eq!(kept.len(), 1 << 20);
    // Both blocks were live at once; the test harness may allocate a little meanwhile.
    assert!(
        m.peak >= 5 << 20 && m.peak < (5 << 20) + (64 << 10),
        "{m:?}"
    );
    assert!(
        m.kept >= 1 << 20 && m.kept < (1 << 20) + (64 << 10),
        "{m:?}"
    );
}
