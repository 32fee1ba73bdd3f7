/** Who is calling, as far as the API cares: a subject and its roles. */
export interface Principal {
  sub: string;
  roles: string[];
}

export type Access = "public" | "user" | "admin";

export const isAdmin = (principal: Principal | undefined): boolean => principal?.roles.includes("admin") ?? false;
