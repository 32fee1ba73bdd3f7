/** What the API accepts by default: a day, as long as Cognito lets its own tokens live. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

export interface LifetimeClaims {
  /** Issued at, seconds since the epoch; optional in JWTs. */
  iat?: number;
  /** Expires at, seconds since the epoch. */
  exp: number;
}

/**
 * Why a token lives too long, or undefined when it does not. A token is refused when it was issued
 * for longer than the maximum (exp - iat), and, whatever its iat says (it may be missing, or set in
 * the future), when it would stay valid for longer than the maximum from now.
 */
export function tokenLifetimeProblem(
  claims: LifetimeClaims,
  maxSeconds: number,
  nowSeconds: number,
  toleranceSeconds = 0,
): string | undefined {
  if (claims.iat !== undefined && claims.exp - claims.iat > maxSeconds) {
    return `Token lifetime exceeds the maximum of ${maxSeconds} seconds`;
  }
  if (claims.exp - nowSeconds > maxSeconds + toleranceSeconds) {
    return `Token expiry is more than ${maxSeconds} seconds away`;
  }
  return undefined;
}
