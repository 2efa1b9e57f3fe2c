//! The orders the bench's sides take turns in: every one in turn, so that no side always runs
//! after another (and inherits what that one left in the caches and the allocator).

/// Every order of `count` items (their indices), in lexicographic order.
pub fn every_order(count: usize) -> Vec<Vec<usize>> {
    if count == 0 {
        return vec![Vec::new()];
    }
    let mut orders = Vec::new();
    for first in 0..count {
        for rest in every_order(count - 1) {
            let mut order = vec![first];
            order.extend(
                rest.into_iter()
                    .map(|index| if index >= first { index + 1 } else { index }),
            );
            orders.push(order);
        }
    }
    orders
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_side_follows_every_other_equally_often() {
        assert_eq!(every_order(2), vec![vec![0, 1], vec![1, 0]]);
        let orders = every_order(3);
        assert_eq!(orders.len(), 6);
        // Within the slices, and across the boundary from one slice to the next (cycling).
        let mut follows = [[0usize; 3]; 3];
        let sequence: Vec<usize> = orders.iter().flatten().copied().collect();
        for (index, &side) in sequence.iter().enumerate() {
            let before = sequence[(index + sequence.len() - 1) % sequence.len()];
            follows[before][side] += 1;
        }
        for (before, row) in follows.iter().enumerate() {
            for (after, &count) in row.iter().enumerate() {
                if before != after {
                    assert!(
                        (2..=4).contains(&count),
                        "{before} then {after}: {count} times in {sequence:?}"
                    );
                }
            }
        }
        // Each side opens and closes a slice equally often.
        for side in 0..3 {
            assert_eq!(orders.iter().filter(|order| order[0] == side).count(), 2);
            assert_eq!(orders.iter().filter(|order| order[2] == side).count(), 2);
        }
    }
}
