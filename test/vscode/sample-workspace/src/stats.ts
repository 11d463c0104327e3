// A small file to ask SMoA about: it has a subtle bug (the median of an even-length list).
export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function median(xs: number[]): number {
  const sorted = [...xs].sort();
  return sorted[Math.floor(sorted.length / 2)];
}
