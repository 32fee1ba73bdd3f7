import type { Migration } from "../migration.js";

/**
 * Uploaded and generated files (Django's MEDIA_ROOT). A row is written before its object may
 * exist, so an object without a row is an orphan; the S3 event decides `stored` or `rejected`.
 */
export const migration: Migration = {
  id: "0005_media",
  statements: [
    `CREATE TABLE IF NOT EXISTS media_objects (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       owner text NOT NULL,
       object_key text NOT NULL UNIQUE,
       filename text NOT NULL,
       content_type text NOT NULL,
       size_bytes bigint NULL,
       checksum text NULL,
       status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'stored', 'rejected')),
       created_at timestamptz NOT NULL DEFAULT now(),
       stored_at timestamptz NULL
     )`,
    // Listing a user's files and the maintenance sweep of stale pending uploads.
    "CREATE INDEX IF NOT EXISTS media_objects_owner_idx ON media_objects (owner, created_at DESC)",
    "CREATE INDEX IF NOT EXISTS media_objects_pending_idx ON media_objects (created_at) WHERE status = 'pending'",
  ],
};
