//! Sets of row or column indexes kept as sorted, merged, inclusive ranges: what a sheet hides.
//!
//! A hostile file can hide a million rows with one repeated element; a range costs the same
//! whether it covers one row or all of them, so memory follows the file's declarations and not
//! the rows they name.

/// Row or column indexes (0-based) as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spans {
    ranges: Vec<(u32, u32)>,
}

impl Spans {
    /// The union of `ranges` (each `(first, last)`, inclusive; reversed ones are ignored).
    pub fn new(ranges: impl IntoIterator<Item = (u32, u32)>) -> Spans {
        let mut all: Vec<(u32, u32)> = ranges.into_iter().filter(|(a, b)| a <= b).collect();
        all.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(all.len());
        for (first, last) in all {
            match merged.last_mut() {
                Some(prev) if first <= prev.1.saturating_add(1) => prev.1 = prev.1.max(last),
                _ => merged.push((first, last)),
            }
        }
        merged.shrink_to_fit();
        Spans { ranges: merged }
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The ranges, sorted, each `(first, last)` inclusive.
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    pub fn contains(&self, index: u32) -> bool {
        let at = self.ranges.partition_point(|&(_, last)| last < index);
        self.ranges
            .get(at)
            .is_some_and(|&(first, _)| first <= index)
    }

    /// Every index in the set below `end`, in order.
    pub fn below(&self, end: u32) -> impl Iterator<Item = u32> + '_ {
        self.ranges
            .iter()
            .take_while(move |&&(first, _)| first < end)
            .flat_map(move |&(first, last)| first..=last.min(end.saturating_sub(1)))
    }
}

/// One sheet's hidden rows and columns.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Hidden {
    pub rows: Spans,
    pub cols: Spans,
}

/// Collects ranges as a file declares them, one after another, up to a budget: past it the
/// rest is dropped (a real sheet declares a few hundred; a hostile one is not followed further).
#[derive(Debug)]
pub(super) struct SpansBuilder {
    ranges: Vec<(u32, u32)>,
}

/// Declared ranges kept per sheet and direction.
const MAX_DECLARED: usize = 200_000;

impl SpansBuilder {
    pub(super) fn new() -> SpansBuilder {
        SpansBuilder { ranges: Vec::new() }
    }

    /// Adds `count` indexes from `first` (clipped to the u32 range).
    pub(super) fn add(&mut self, first: u64, count: u64) {
        if count == 0 || first > u64::from(u32::MAX) || self.ranges.len() >= MAX_DECLARED {
            return;
        }
        let last = first.saturating_add(count - 1).min(u64::from(u32::MAX));
        match self.ranges.last_mut() {
            Some(prev) if u64::from(prev.1) + 1 == first => prev.1 = last as u32,
            _ => self.ranges.push((first as u32, last as u32)),
        }
    }

    pub(super) fn build(self) -> Spans {
        Spans::new(self.ranges)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_sorted_and_merged() {
        let s = Spans::new([(5, 7), (1, 2), (3, 3), (10, 9), (6, 12)]);
        assert_eq!(s.ranges(), &[(1, 3), (5, 12)]);
        let s = Spans::new([(0, 0), (2, 4)]);
        assert!(s.contains(0) && !s.contains(1) && s.contains(3) && !s.contains(5));
        assert_eq!(s.below(4).collect::<Vec<_>>(), vec![0, 2, 3]);
        assert_eq!(s.below(0).count(), 0);
        assert!(Spans::default().is_empty());
    }

    #[test]
    fn a_million_declared_rows_cost_one_range() {
        let mut b = SpansBuilder::new();
        b.add(3, 1_000_000);
        b.add(1_000_003, u64::MAX);
        b.add(u64::MAX, 5);
        let s = b.build();
        assert_eq!(s.ranges(), &[(3, u32::MAX)]);
        assert!(s.contains(u32::MAX));
        assert_eq!(s.below(6).collect::<Vec<_>>(), vec![3, 4, 5]);
    }
}
