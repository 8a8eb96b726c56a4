import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { scanContentFolder } from './content-folder';

export interface ContentProblem {
  file: string;
  line: number;
  message: string;
}

/** One kind of content (policy, courses, banks): read and validate everything first, then apply in one transaction. */
export interface ContentImporter<Plan = unknown> {
  name: string;
  /** Lower runs first (policy before courses before banks, which reference courses). */
  order: number;
  read(dir: string): Promise<{ plan: Plan; problems: ContentProblem[]; items: number }>;
  apply(
    plan: Plan,
    manager: EntityManager,
    progress: () => void,
  ): Promise<{ changed: number; unchanged: number }>;
  /** Runs once the import has committed (drop caches that must not see the old rows). */
  afterCommit?(): void;
}

export interface ImportReport {
  ok: boolean;
  problems: ContentProblem[];
  changed: number;
  unchanged: number;
  byKind: Record<string, { changed: number; unchanged: number }>;
}

export class ContentImportError extends Error {
  constructor(readonly problems: ContentProblem[]) {
    super(problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n'));
  }
}

/**
 * `content:import`: every importer validates the whole folder before anything is written, and all writes
 * happen in one transaction, so a broken file leaves the database exactly as it was.
 */
@Injectable()
export class ContentImportService {
  private readonly logger = new Logger('Content');
  private readonly importers: ContentImporter[] = [];

  constructor(private readonly tx: TransactionService) {}

  register<Plan>(importer: ContentImporter<Plan>): void {
    this.importers.push(importer);
    this.importers.sort((a, b) => a.order - b.order);
  }

  async import(
    dir: string,
    progress?: { start(total: number): void; tick(): void; stop(): void },
  ): Promise<ImportReport> {
    // Links, special files and size limits are checked before any importer reads a file.
    const refused = scanContentFolder(dir);
    if (refused.length > 0) {
      return { ok: false, problems: refused, changed: 0, unchanged: 0, byKind: {} };
    }
    const plans: Array<{ importer: ContentImporter; plan: unknown }> = [];
    const problems: ContentProblem[] = [];
    let total = 0;
    for (const importer of this.importers) {
      const read = await importer.read(dir);
      problems.push(...read.problems);
      plans.push({ importer, plan: read.plan });
      total += read.items;
    }
    if (problems.length > 0) {
      return { ok: false, problems, changed: 0, unchanged: 0, byKind: {} };
    }
    progress?.start(total);
    const byKind: ImportReport['byKind'] = {};
    try {
      await this.tx.run(async (m) => {
        for (const { importer, plan } of plans) {
          byKind[importer.name] = await importer.apply(plan, m, () => progress?.tick());
        }
      });
      for (const { importer } of plans) {
        importer.afterCommit?.();
      }
    } finally {
      progress?.stop();
    }
    const changed = Object.values(byKind).reduce((s, k) => s + k.changed, 0);
    const unchanged = Object.values(byKind).reduce((s, k) => s + k.unchanged, 0);
    this.logger.log(`content imported from ${dir}: ${changed} changed, ${unchanged} unchanged`);
    return { ok: true, problems: [], changed, unchanged, byKind };
  }
}
