import { randomUUID } from "node:crypto";
import type { Database } from "../core/db/database.js";
import { text, uuid } from "../core/db/parameters.js";

export interface Project {
  id: string;
  name: string;
  createdBy: string;
  createdAt: string;
}

export interface Member {
  userId: string;
  email: string | null;
  subscribed: boolean;
}

export interface Item {
  id: string;
  projectId: string;
  title: string;
  body: string;
  version: number;
  createdBy: string;
  updatedBy: string;
  updatedAt: string;
}

interface ProjectRow {
  id: string;
  name: string;
  created_by: string;
  created_at: string;
}
interface ItemRow {
  id: string;
  project_id: string;
  title: string;
  body: string;
  version: number;
  created_by: string;
  updated_by: string;
  updated_at: string;
}

const projectColumns = `p.id::text AS id, p.name, p.created_by, p.created_at`;
const itemColumns = `id::text AS id, project_id::text AS project_id, title, body, version, created_by, updated_by, updated_at`;

const toProject = (row: ProjectRow): Project => ({
  id: row.id,
  name: row.name,
  createdBy: row.created_by,
  createdAt: new Date(row.created_at).toISOString(),
});
const toItem = (row: ItemRow): Item => ({
  id: row.id,
  projectId: row.project_id,
  title: row.title,
  body: row.body,
  version: Number(row.version),
  createdBy: row.created_by,
  updatedBy: row.updated_by,
  updatedAt: new Date(row.updated_at).toISOString(),
});

/**
 * Projects, members and items. Whether a caller may see a project is one question (`visibleProject`):
 * a member, or any admin. Callers ask it before anything else, and a project they may not see is
 * answered like one that does not exist.
 */
export class ProjectRepository {
  constructor(private readonly db: Database) {}

  /** Creates the project with its creator as its first member (subscribed when an email is given). */
  async createProject(name: string, createdBy: string, email: string | undefined): Promise<Project> {
    const id = randomUUID();
    const row = await this.db.first<ProjectRow>(
      `WITH p AS (
         INSERT INTO projects (id, name, created_by) VALUES (:id, :name, :createdBy) RETURNING *
       ), m AS (
         INSERT INTO project_members (project_id, user_id, email, subscribed)
         SELECT id, :createdBy, :email, :subscribed FROM p
       )
       SELECT ${projectColumns} FROM p`,
      { id: uuid(id), name, createdBy, email: email ?? null, subscribed: email !== undefined },
    );
    return toProject(row as ProjectRow);
  }

  /** The project if `userId` is a member of it, or if `admin`; undefined otherwise, as if it did not exist. */
  async visibleProject(projectId: string, userId: string, admin: boolean): Promise<Project | undefined> {
    const row = await this.db.first<ProjectRow>(
      `SELECT ${projectColumns} FROM projects p
        WHERE p.id = :projectId
          AND (:admin OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.user_id = :userId))`,
      { projectId: uuid(projectId), userId: text(userId), admin },
    );
    return row ? toProject(row) : undefined;
  }

  /** The caller's projects; an admin's list is every project. Newest first, at most `limit`. */
  async listProjects(userId: string, admin: boolean, limit = 100): Promise<Project[]> {
    const rows = await this.db.rows<ProjectRow>(
      `SELECT ${projectColumns} FROM projects p
        WHERE :admin OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.user_id = :userId)
        ORDER BY p.created_at DESC, p.id LIMIT :limit`,
      { userId: text(userId), admin, limit },
    );
    return rows.map(toProject);
  }

  /** Adds a member, or updates the email and subscription of one already there. */
  async putMember(projectId: string, member: Member): Promise<Member> {
    await this.db.query(
      `INSERT INTO project_members (project_id, user_id, email, subscribed) VALUES (:projectId, :userId, :email, :subscribed)
       ON CONFLICT (project_id, user_id) DO UPDATE SET email = EXCLUDED.email, subscribed = EXCLUDED.subscribed`,
      { projectId: uuid(projectId), userId: text(member.userId), email: member.email, subscribed: member.subscribed },
    );
    return member;
  }

  async members(projectId: string): Promise<Member[]> {
    const rows = await this.db.rows<{ user_id: string; email: string | null; subscribed: boolean }>(
      `SELECT user_id, email, subscribed FROM project_members WHERE project_id = :projectId ORDER BY user_id`,
      { projectId: uuid(projectId) },
    );
    return rows.map((r) => ({ userId: r.user_id, email: r.email, subscribed: r.subscribed }));
  }

  /** Members who asked for email and gave an address: who a change notifies. */
  async subscribers(projectId: string): Promise<{ userId: string; email: string }[]> {
    const rows = await this.db.rows<{ user_id: string; email: string }>(
      `SELECT user_id, email FROM project_members
        WHERE project_id = :projectId AND subscribed AND email IS NOT NULL ORDER BY user_id`,
      { projectId: uuid(projectId) },
    );
    return rows.map((r) => ({ userId: r.user_id, email: r.email }));
  }

  async createItem(projectId: string, input: { title: string; body: string }, by: string): Promise<Item> {
    const row = await this.db.first<ItemRow>(
      `INSERT INTO items (id, project_id, title, body, created_by, updated_by)
       VALUES (:id, :projectId, :title, :body, :by, :by) RETURNING ${itemColumns}`,
      { id: uuid(randomUUID()), projectId: uuid(projectId), title: input.title, body: input.body, by },
    );
    return toItem(row as ItemRow);
  }

  /** Changes the given fields and bumps the version; undefined when the project holds no such item. */
  async updateItem(
    projectId: string,
    itemId: string,
    change: { title?: string; body?: string },
    by: string,
  ): Promise<Item | undefined> {
    const row = await this.db.first<ItemRow>(
      `UPDATE items SET title = COALESCE(:title, title), body = COALESCE(:body, body),
              version = version + 1, updated_by = :by, updated_at = now()
        WHERE id = :itemId AND project_id = :projectId RETURNING ${itemColumns}`,
      {
        itemId: uuid(itemId),
        projectId: uuid(projectId),
        title: change.title ?? null,
        body: change.body ?? null,
        by,
      },
    );
    return row ? toItem(row) : undefined;
  }

  async item(projectId: string, itemId: string): Promise<Item | undefined> {
    const row = await this.db.first<ItemRow>(
      `SELECT ${itemColumns} FROM items WHERE id = :itemId AND project_id = :projectId`,
      { itemId: uuid(itemId), projectId: uuid(projectId) },
    );
    return row ? toItem(row) : undefined;
  }

  async project(projectId: string): Promise<Project | undefined> {
    const row = await this.db.first<ProjectRow>(`SELECT ${projectColumns} FROM projects p WHERE p.id = :projectId`, {
      projectId: uuid(projectId),
    });
    return row ? toProject(row) : undefined;
  }
}
