/** Hashed build output (`assets/app.3f9a2c1e.css`) never changes under its name: cache it for a year. */
export const IMMUTABLE_CACHE = "public, max-age=31536000, immutable";
/** Pages keep their names across releases: always revalidate. */
export const REVALIDATE_CACHE = "public, max-age=0, must-revalidate";
export const HASHED_ASSETS_DIR = "assets";
