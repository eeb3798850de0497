/**
 * Linear multistep coefficients for diffusers' `LMSDiscreteScheduler.get_lms_coefficient`: the
 * integral from σ_t to σ_{t+1} of the Lagrange basis polynomial ℓ_j(τ) through σ_t, σ_{t−1}, ….
 * diffusers integrates it with `scipy.integrate.quad` (QUADPACK, 21-point Gauss–Kronrod), which is
 * exact for such low-degree polynomials; 4-point Gauss–Legendre is exact up to degree 7, and the
 * basis polynomial has degree order − 1 ≤ 3, so this gives the same value to rounding.
 */

// Closed forms of the 4-point rule: x = ±√(3/7 ∓ (2/7)√(6/5)), w = (18 ± √30)/36.
const INNER_NODE = Math.sqrt(3 / 7 - (2 / 7) * Math.sqrt(6 / 5));
const OUTER_NODE = Math.sqrt(3 / 7 + (2 / 7) * Math.sqrt(6 / 5));
const INNER_WEIGHT = (18 + Math.sqrt(30)) / 36;
const OUTER_WEIGHT = (18 - Math.sqrt(30)) / 36;
const GAUSS_NODES = [-OUTER_NODE, -INNER_NODE, INNER_NODE, OUTER_NODE];
const GAUSS_WEIGHTS = [OUTER_WEIGHT, INNER_WEIGHT, INNER_WEIGHT, OUTER_WEIGHT];

/** ∫ f over [from, to] by 4-point Gauss–Legendre (exact for polynomials of degree ≤ 7). */
export function integratePolynomial(integrand: (tau: number) => number, from: number, to: number): number {
  const half = (to - from) / 2;
  const middle = (to + from) / 2;
  let sum = 0;
  for (let k = 0; k < GAUSS_NODES.length; k++) sum += GAUSS_WEIGHTS[k]! * integrand(middle + half * GAUSS_NODES[k]!);
  return sum * half;
}

/**
 * Coefficient of the derivative from `currentOrder` steps ago, for a method of `order` steps at
 * step index `t` of `sigmas` (σ per step plus the final σ).
 */
export function lmsCoefficient(sigmas: ArrayLike<number>, order: number, t: number, currentOrder: number): number {
  const basis = (tau: number): number => {
    let product = 1;
    for (let k = 0; k < order; k++) {
      if (k === currentOrder) continue;
      product *= (tau - sigmas[t - k]!) / (sigmas[t - currentOrder]! - sigmas[t - k]!);
    }
    return product;
  };
  return integratePolynomial(basis, sigmas[t]!, sigmas[t + 1]!);
}
