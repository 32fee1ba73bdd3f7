/** What a bearer token says about its holder. DOM-free, so the unit tests run it in Node. */
export interface Claims {
  sub?: string;
  roles: string[];
  /** Seconds since the epoch. */
  exp?: number;
}

/** What the token says about its holder, for display only: the API verifies the signature. */
export function claimsOf(token: string, rolesClaim = "roles"): Claims | undefined {
  const part = token.split(".")[1];
  if (!part) return undefined;
  try {
    const text = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(decodeURIComponent(escape(text))) as Record<string, unknown>;
    const roles = claims[rolesClaim] ?? claims["cognito:groups"];
    return {
      sub: typeof claims.sub === "string" ? claims.sub : undefined,
      roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === "string") : [],
      exp: typeof claims.exp === "number" ? claims.exp : undefined,
    };
  } catch {
    return undefined;
  }
}

export function isExpired(claims: Claims | undefined, nowSeconds = Date.now() / 1000): boolean {
  return !claims || (claims.exp !== undefined && claims.exp <= nowSeconds);
}
