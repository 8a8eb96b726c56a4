import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { Actor } from '../common/access/actor';
import { Lang } from '../common/i18n/i18n';
import { TransactionService } from '../database/transaction.service';
import { AssessmentScope } from './assessment-scope';
import { QuestionBankEntity, QuestionEntity, QuizEntity } from './assessment.entities';
import { AssessmentException } from './assessment.exception';
import { ImportBankQuery, ImportFormat } from './dto/assessment.dto';
import {
  BankSerializeError,
  FormatError,
  GiftSerializeError,
  parseBankMarkdown,
  parseGift,
  ParsedQuestion,
  QUESTION_TYPES,
  QuestionType,
  serializeBankMarkdown,
  serializeGift,
} from './formats';
import { buildParts, fingerprint, toSource } from './question-parts';
import { newId } from '../common/ids';

export type ByType = Record<QuestionType, number>;

export interface ImportResult {
  bankId: string | null;
  imported: number;
  /** Questions already in the bank (same content), not added again. */
  duplicates: number;
  byType: ByType;
  errors: Array<{ line: number; message: string }>;
  /** True when malformed questions made us refuse the whole file (see importFile). */
  refused: boolean;
}

export interface BankListItem {
  id: string;
  name: string;
  nameEn: string | null;
  shared: boolean;
  courseSlug: string | null;
  questions: number;
  quizzes: number;
}

const emptyByType = (): ByType => Object.fromEntries(QUESTION_TYPES.map((t) => [t, 0])) as ByType;

/** Question banks: list, file import (GIFT, bank markdown) and export. */
@Injectable()
export class BanksService {
  constructor(
    @InjectRepository(QuestionBankEntity) private readonly banks: Repository<QuestionBankEntity>,
    @InjectRepository(QuestionEntity) private readonly questions: Repository<QuestionEntity>,
    @InjectRepository(QuizEntity) private readonly quizzes: Repository<QuizEntity>,
    private readonly tx: TransactionService,
    private readonly scope: AssessmentScope,
  ) {}

  async list(actor: Actor): Promise<BankListItem[]> {
    const all = await this.banks.find({ order: { name: 'ASC' } });
    const visible: QuestionBankEntity[] = [];
    for (const bank of all) {
      if (await this.scope.canRead(actor, bank.orgId)) {
        visible.push(bank);
      }
    }
    if (visible.length === 0) {
      return [];
    }
    const ids = visible.map((b) => b.id);
    const counts = await this.questions
      .createQueryBuilder('q')
      .select('q.bank_id', 'bankId')
      .addSelect('COUNT(*)', 'n')
      .where('q.bank_id IN (:...ids)', { ids })
      .andWhere('q.retired = :retired', { retired: false })
      .groupBy('q.bank_id')
      .getRawMany<{ bankId: string; n: string | number }>();
    const quizCounts = await this.quizzes
      .createQueryBuilder('z')
      .select('z.bank_id', 'bankId')
      .addSelect('COUNT(*)', 'n')
      .where('z.bank_id IN (:...ids)', { ids })
      .groupBy('z.bank_id')
      .getRawMany<{ bankId: string; n: string | number }>();
    const qn = new Map(counts.map((c) => [c.bankId, Number(c.n)]));
    const zn = new Map(quizCounts.map((c) => [c.bankId, Number(c.n)]));
    return visible.map((b) => ({
      id: b.id,
      name: b.name,
      nameEn: b.nameEn,
      shared: b.orgId === null,
      courseSlug: b.courseSlug,
      questions: qn.get(b.id) ?? 0,
      quizzes: zn.get(b.id) ?? 0,
    }));
  }

  /** A bank the actor may read, or 404 (out of scope looks like missing). */
  async readable(actor: Actor, bankId: string): Promise<QuestionBankEntity> {
    const bank = await this.banks.findOneBy({ id: bankId });
    if (!bank || !(await this.scope.canRead(actor, bank.orgId))) {
      throw new AssessmentException('BANK_NOT_FOUND');
    }
    return bank;
  }

  /**
   * Imports a GIFT or bank-markdown file. Policy for malformed questions: the file is refused whole (nothing
   * written, `refused: true`, every error with its line) unless the trainer confirms with `partial=1`, in
   * which case the well-formed questions are imported and the errors still listed. A question already in the
   * bank (same content) is not added twice, so re-uploading a file is harmless.
   */
  async importFile(
    actor: Actor,
    query: ImportBankQuery,
    text: string,
    lang: Lang,
  ): Promise<ImportResult> {
    const parsed = this.parse(query.format, text);
    const errors = parsed.errors.map((e) => ({
      line: e.line,
      message: lang === 'en' ? e.message : e.messageZh,
    }));
    if (parsed.questions.length === 0 && errors.length === 0) {
      throw new AssessmentException('IMPORT_NO_QUESTIONS', {}, 'file');
    }
    const refused = errors.length > 0 && query.partial !== '1';
    const byType = emptyByType();
    if (refused || parsed.questions.length === 0) {
      return {
        bankId: query.bankId ?? null,
        imported: 0,
        duplicates: 0,
        byType,
        errors,
        refused: errors.length > 0,
      };
    }
    let target: QuestionBankEntity | null = null;
    if (query.bankId) {
      target = await this.readable(actor, query.bankId);
      if (!(await this.scope.canWrite(actor, target.orgId))) {
        throw new AssessmentException('BANK_OUT_OF_SCOPE');
      }
    }
    const name = query.bankName ?? parsed.name;
    if (!target && !name) {
      throw new AssessmentException('IMPORT_BANK_NAME_REQUIRED', {}, 'bankName');
    }
    const orgId = query.orgId ?? this.scope.defaultOrg(actor);
    if (!target && !(await this.scope.canWrite(actor, orgId))) {
      throw new AssessmentException('BANK_OUT_OF_SCOPE');
    }
    const result = await this.tx.run(async (m) => {
      const now = new Date();
      const bank =
        target ??
        m.getRepository(QuestionBankEntity).create({
          id: newId(),
          slug: null,
          name: name as string,
          nameEn: parsed.nameEn ?? null,
          orgId,
          courseSlug: null,
          sourceHash: null,
          createdBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        });
      if (!target) {
        await m.getRepository(QuestionBankEntity).insert(bank);
      }
      const added = await this.addQuestions(m, bank.id, parsed.questions);
      for (const q of added.inserted) {
        byType[q.type] += 1;
      }
      return { bankId: bank.id, imported: added.inserted.length, duplicates: added.duplicates };
    });
    return { ...result, byType, errors, refused: false };
  }

  async export(
    actor: Actor,
    bankId: string,
    format: ImportFormat,
  ): Promise<{ fileName: string; body: string; contentType: string }> {
    const bank = await this.readable(actor, bankId);
    const rows = await this.questions.find({
      where: { bankId, retired: false },
      order: { position: 'ASC' },
    });
    const questions: ParsedQuestion[] = rows.map((r, i) => ({ ...r.source, line: i + 1 }));
    const base = bank.slug ?? `bank-${bank.id.slice(0, 8)}`;
    try {
      if (format === 'gift') {
        return {
          fileName: `${base}.gift.txt`,
          body: serializeGift(questions),
          contentType: 'text/plain; charset=utf-8',
        };
      }
      const quizzes = bank.slug
        ? await this.quizzes.find({ where: { bankId }, order: { createdAt: 'ASC' } })
        : [];
      const body = serializeBankMarkdown(
        {
          slug: base,
          name: bank.name,
          nameEn: bank.nameEn ?? bank.name,
          course: bank.courseSlug ?? '',
          quizzes: quizzes
            .filter((z) => z.slug)
            .map((z) => ({
              slug: z.slug as string,
              title: z.title,
              titleEn: z.titleEn ?? z.title,
              questionCount: z.questionCount ?? undefined,
              tags: z.tags,
              passMark: z.passMark,
              timeLimitMinutes: z.timeLimitSeconds ? Math.ceil(z.timeLimitSeconds / 60) : undefined,
              attemptsAllowed: z.attemptsAllowed ?? undefined,
              shuffle: z.shuffleQuestions,
              review: z.review,
            })),
        },
        questions,
      );
      return { fileName: `${base}.md`, body, contentType: 'text/markdown; charset=utf-8' };
    } catch (error) {
      if (error instanceof GiftSerializeError || error instanceof BankSerializeError) {
        throw new AssessmentException('EXPORT_NOT_POSSIBLE', { reason: error.message });
      }
      throw error;
    }
  }

  /**
   * Adds questions to a bank inside `m`, skipping those already there with the same content.
   * Used by the upload and by the content importer.
   */
  async addQuestions(
    m: EntityManager,
    bankId: string,
    questions: ParsedQuestion[],
  ): Promise<{ inserted: QuestionEntity[]; duplicates: number }> {
    const repo = m.getRepository(QuestionEntity);
    const existing = await repo.find({
      where: { bankId, retired: false },
      select: { id: true, fingerprint: true, position: true },
    });
    const seen = new Set(existing.map((e) => e.fingerprint));
    let position = existing.reduce((max, e) => Math.max(max, e.position), 0);
    const inserted: QuestionEntity[] = [];
    let duplicates = 0;
    const now = new Date();
    for (const q of questions) {
      const source = toSource(q);
      const print = fingerprint(source);
      // Only questions already in the bank count as duplicates: a file may repeat a question on purpose
      // (Moodle's examples do), and it then arrives as often as written.
      if (seen.has(print)) {
        duplicates += 1;
        continue;
      }
      position += 1;
      inserted.push(this.newQuestion(repo, bankId, source, print, position, now));
    }
    if (inserted.length > 0) {
      await repo.insert(inserted);
    }
    return { inserted, duplicates };
  }

  /**
   * Makes a bank's active questions exactly `questions` (content import): unchanged ones keep their id,
   * new ones are added, ones no longer in the file are retired (attempts still point at them).
   */
  async syncQuestions(
    m: EntityManager,
    bankId: string,
    questions: ParsedQuestion[],
  ): Promise<void> {
    const repo = m.getRepository(QuestionEntity);
    const existing = await repo.find({ where: { bankId, retired: false } });
    const byPrint = new Map(existing.map((e) => [e.fingerprint, e]));
    const keep = new Set<string>();
    const now = new Date();
    const fresh: QuestionEntity[] = [];
    let position = 0;
    for (const q of questions) {
      position += 1;
      const source = toSource(q);
      const print = fingerprint(source);
      const found = byPrint.get(print);
      if (found && !keep.has(found.id)) {
        keep.add(found.id);
        if (found.position !== position) {
          await repo.update({ id: found.id }, { position });
        }
        continue;
      }
      fresh.push(this.newQuestion(repo, bankId, source, print, position, now));
    }
    const retire = existing.filter((e) => !keep.has(e.id)).map((e) => e.id);
    if (retire.length > 0) {
      await repo.update({ id: In(retire) }, { retired: true });
    }
    if (fresh.length > 0) {
      await repo.insert(fresh);
    }
  }

  private newQuestion(
    repo: Repository<QuestionEntity>,
    bankId: string,
    source: ReturnType<typeof toSource>,
    print: string,
    position: number,
    now: Date,
  ): QuestionEntity {
    return repo.create({
      id: newId(),
      bankId,
      fingerprint: print,
      position,
      type: source.type,
      title: source.title?.slice(0, 200) ?? null,
      category: source.category?.slice(0, 200) ?? null,
      textFormat: source.textFormat,
      tags: source.tags,
      difficulty: source.difficulty ?? null,
      source,
      parts: buildParts(source),
      retired: false,
      createdAt: now,
    });
  }

  private parse(
    format: ImportFormat,
    text: string,
  ): { questions: ParsedQuestion[]; errors: FormatError[]; name?: string; nameEn?: string } {
    if (format === 'gift') {
      return parseGift(text);
    }
    const result = parseBankMarkdown(text);
    return {
      questions: result.questions,
      errors: result.errors,
      name: result.meta?.name,
      nameEn: result.meta?.nameEn,
    };
  }
}
