import type { Migration } from "../migration.js";

/**
 * The notifications example's domain: projects, their members (who may subscribe to email), the
 * items whose creation or change notifies the subscribers, and `settings`, a small key/value table
 * for switches an admin changes at runtime (the notifications mode's override) without a redeploy.
 */
export const migration: Migration = {
  id: "0012_notifications",
  statements: [
    `CREATE TABLE projects (
       id uuid PRIMARY KEY,
       name text NOT NULL,
       created_by text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE TABLE project_members (
       project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
       user_id text NOT NULL,
       email text,
       subscribed boolean NOT NULL DEFAULT true,
       added_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (project_id, user_id)
     )`,
    // "My projects" is the question every request asks first.
    `CREATE INDEX project_members_by_user ON project_members (user_id)`,
    `CREATE TABLE items (
       id uuid PRIMARY KEY,
       project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
       title text NOT NULL,
       body text NOT NULL DEFAULT '',
       version int NOT NULL DEFAULT 1,
       created_by text NOT NULL,
       updated_by text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE INDEX items_by_project ON items (project_id)`,
    `CREATE TABLE settings (
       key text PRIMARY KEY,
       value jsonb NOT NULL,
       updated_by text,
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
  ],
};
