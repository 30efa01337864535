/**
 * Distribution functions the paired tests need, in double precision without a stats dependency:
 * erfc by series / continued fraction, chi-square(1) survival, exact two-sided binomial(n, 1/2).
 */

/** Complementary error function, accurate to about 1e-15 relative over the real line. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    // Maclaurin series of erf: sum (-1)^n x^(2n+1) / (n! (2n+1)); converges quickly for small x.
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction (Lentz) for large x: erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))).
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** P(X >= statistic) for X ~ chi-square with 1 degree of freedom. */
export function chiSquare1Survival(statistic: number): number {
  if (statistic <= 0) return 1;
  return erfc(Math.sqrt(statistic / 2));
}

/**
 * Exact two-sided p-value of k successes in n trials under p = 1/2: twice the smaller tail, capped at 1
 * (for p = 1/2 the distribution is symmetric, so this equals the "as or less likely" definition).
 */
export function binomialTwoSidedHalf(k: number, n: number): number {
  if (n === 0) return 1;
  const low = Math.min(k, n - k);
  // Sum C(n, i) / 2^n for i <= low in log space: stays finite for any n.
  let logTerm = -n * Math.LN2; // i = 0
  let tail = Math.exp(logTerm);
  for (let i = 1; i <= low; i++) {
    logTerm += Math.log((n - i + 1) / i);
    tail += Math.exp(logTerm);
  }
  return Math.min(1, 2 * tail);
}
