import { ChangeTimeline } from '@internal/plugin-gitops-common';
import type { Knex } from 'knex';

const TABLE = 'gitops_change_timelines';

/**
 * The request timelines, kept in the scaffolder's database (not only in memory: ArgoCD keeps
 * only its last syncs, and later insights read this history). One row per change and environment.
 */
export class TimelineStore {
  private constructor(private readonly db: Knex) {}

  static async create(db: Knex): Promise<TimelineStore> {
    if (!(await db.schema.hasTable(TABLE))) {
      await db.schema
        .createTable(TABLE, table => {
          table.string('id').primary();
          table.string('entity_ref').notNullable().index();
          table.string('environment').notNullable();
          table.string('commit_sha').notNullable();
          table.string('task_id').nullable().index();
          table.boolean('done').notNullable().defaultTo(false).index();
          table.string('created_at').notNullable();
          table.text('timeline').notNullable();
        })
        .catch(async error => {
          // Another replica made it first.
          if (!(await db.schema.hasTable(TABLE))) throw error;
        });
    }
    return new TimelineStore(db);
  }

  async save(timeline: ChangeTimeline): Promise<void> {
    const row = {
      id: timeline.id,
      entity_ref: timeline.entityRef.toLowerCase(),
      environment: timeline.environment,
      commit_sha: timeline.commitSha,
      task_id: timeline.taskId ?? null,
      done: timeline.done,
      created_at: timeline.createdAt,
      timeline: JSON.stringify(timeline),
    };
    await this.db(TABLE).insert(row).onConflict('id').merge();
  }

  async open(): Promise<ChangeTimeline[]> {
    const rows = await this.db(TABLE).where({ done: false }).orderBy('created_at');
    return rows.map(r => JSON.parse(r.timeline));
  }

  /** The changes a scaffolder task recorded. */
  async ofTask(taskId: string): Promise<ChangeTimeline[]> {
    const rows = await this.db(TABLE).where({ task_id: taskId }).orderBy('created_at');
    return rows.map(r => JSON.parse(r.timeline));
  }

  /** The latest changes of an entity, newest first. */
  async ofEntity(entityRef: string, limit = 10): Promise<ChangeTimeline[]> {
    const rows = await this.db(TABLE)
      .where({ entity_ref: entityRef.toLowerCase() })
      .orderBy('created_at', 'desc')
      .limit(limit);
    return rows.map(r => JSON.parse(r.timeline));
  }
}
