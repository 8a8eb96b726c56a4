import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { EntityReadCache } from '../database/entity-read-cache';
import { QuestionBankEntity, QuestionEntity, QuizEntity } from './assessment.entities';

/**
 * Questions and quizzes as attempts read them: a bank's live questions (every quiz start draws from them),
 * questions by id (every attempt page and grading) and quizzes by id (every start and grading: an exam start is
 * 2,000 reads of one row). A question's content never changes once stored (an edited question is a new row and
 * the old one is retired), and quizzes change only when a trainer saves one, so the copies stay right until a
 * bank, question or quiz is written, which empties them. Loads go through the caller's transaction manager when
 * there is one: on PostgreSQL a second pooled connection taken inside a transaction can deadlock the pool under
 * load.
 */
@Injectable()
export class QuestionCache extends EntityReadCache {
  constructor(dataSource: DataSource) {
    super(dataSource, new Set([QuestionEntity, QuestionBankEntity, QuizEntity]));
  }

  /** The bank's questions that are not retired, in authored order. */
  async pool(m: EntityManager, bankId: string): Promise<QuestionEntity[]> {
    const pool = await this.get(`pool:${bankId}`, () =>
      m
        .getRepository(QuestionEntity)
        .find({ where: { bankId, retired: false }, order: { position: 'ASC' } }),
    );
    return pool ?? [];
  }

  /** A quiz by id (shared: read-only), or null. */
  quiz(m: EntityManager, id: string): Promise<QuizEntity | null> {
    return this.get(`quiz:${id}`, () => m.getRepository(QuizEntity).findOneBy({ id }));
  }

  async byIds(m: EntityManager, ids: string[]): Promise<Map<string, QuestionEntity>> {
    const found = new Map<string, QuestionEntity>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const hit = await this.get<QuestionEntity>(`q:${id}`, () => Promise.resolve(null));
      if (hit) {
        found.set(id, hit);
      } else {
        missing.push(id);
      }
    }
    if (missing.length > 0) {
      const rows = await m.getRepository(QuestionEntity).find({ where: { id: In(missing) } });
      for (const q of rows) {
        found.set(q.id, (await this.get(`q:${q.id}`, () => Promise.resolve(q))) ?? q);
      }
    }
    return found;
  }
}
