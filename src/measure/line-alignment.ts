/**
 * The longest common subsequence of two line lists under a matching predicate (which need not be
 * an equivalence): pairs [i, j] of matched indices, increasing in both. Lists of equal length
 * whose lines match position by position are paired without the quadratic table.
 */
export function alignLines<A, B>(
  left: readonly A[],
  right: readonly B[],
  matches: (a: A, b: B) => boolean,
): [number, number][] {
  if (left.length === right.length && left.every((a, i) => matches(a, right[i] as B))) {
    return left.map((_, i) => [i, i]);
  }
  const n = left.length;
  const m = right.length;
  const width = m + 1;
  // lengths[i * width + j]: the LCS length of left[i..] and right[j..].
  const lengths = new Int32Array((n + 1) * width);
  const matched = new Uint8Array(n * m);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const cell = i * width + j;
      if (matches(left[i] as A, right[j] as B)) {
        matched[i * m + j] = 1;
        lengths[cell] = (lengths[cell + width + 1] as number) + 1;
      } else {
        lengths[cell] = Math.max(lengths[cell + width] as number, lengths[cell + 1] as number);
      }
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const cell = i * width + j;
    if (matched[i * m + j] && lengths[cell] === (lengths[cell + width + 1] as number) + 1) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if ((lengths[cell + width] as number) >= (lengths[cell + 1] as number)) {
      i++;
    } else {
      j++;
    }
  }
  return pairs;
}
