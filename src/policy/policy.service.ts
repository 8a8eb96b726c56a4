import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EntityManager, Repository } from 'typeorm';
import { PolicyDocumentEntity } from './policy-document.entity';
import { ParsedPolicy, parsePolicyFile, PolicyProblem, PolicySchema } from './policy-file.parser';

const schemas = new Map<string, PolicySchema>();

/** A module declares the shape of its policy document once; the import then refuses files that break it. */
export function registerPolicySchema(key: string, schema: PolicySchema): void {
  schemas.set(key, schema);
}

/** Entries that carry their own provenance, as every number in content/policy/ does. */
export interface Sourced {
  source: string;
  effectiveFrom: string;
}

/** How long a process trusts its cached copy; another process's import shows up within this time. */
const CACHE_MS = 30_000;

@Injectable()
export class PolicyService {
  private cache = new Map<string, PolicyDocumentEntity>();
  private loadedAt = 0;

  constructor(
    @InjectRepository(PolicyDocumentEntity)
    private readonly documents: Repository<PolicyDocumentEntity>,
  ) {}

  /** Reads and validates every `*.yml` of a folder; nothing is stored. */
  readFolder(dir: string): { policies: ParsedPolicy[]; problems: PolicyProblem[] } {
    let files: string[];
    try {
      files = readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort();
    } catch {
      return { policies: [], problems: [] };
    }
    const policies: ParsedPolicy[] = [];
    const problems: PolicyProblem[] = [];
    for (const name of files) {
      const file = join(dir, name);
      const result = parsePolicyFile(file, readFileSync(file, 'utf8'), schemas);
      problems.push(...result.problems);
      if (result.policy) {
        const twin = policies.find((p) => p.key === result.policy?.key);
        if (twin) {
          problems.push({
            file,
            line: 1,
            message: `key "${twin.key}" is also used by ${twin.file}`,
          });
        } else {
          policies.push(result.policy);
        }
      }
    }
    return { policies, problems };
  }

  /** Stores the documents whose text changed; returns how many changed. */
  async save(policies: ParsedPolicy[], manager: EntityManager): Promise<number> {
    const repo = manager.getRepository(PolicyDocumentEntity);
    let changed = 0;
    for (const p of policies) {
      const existing = await repo.findOneBy({ key: p.key });
      if (existing?.checksum === p.checksum) {
        continue;
      }
      await repo.save({
        key: p.key,
        title: p.title,
        titleEn: p.titleEn,
        body: p.body,
        checksum: p.checksum,
        importedAt: new Date(),
      });
      changed++;
    }
    return changed;
  }

  invalidate(): void {
    this.loadedAt = 0;
  }

  async get<T>(key: string): Promise<T & { title: string; titleEn: string | null }> {
    const doc = (await this.all()).find((d) => d.key === key);
    if (!doc) {
      throw new Error(`policy "${key}" has not been imported; run content:import`);
    }
    return { ...(doc.body as T), title: doc.title, titleEn: doc.titleEn };
  }

  /**
   * The documents, from memory. Once loaded, an expired copy is still served while a fresh one loads in the
   * background: callers inside a PostgreSQL transaction must never wait for a second pooled connection (ten
   * crediting transactions doing so at once would starve a pool of ten). Only the first load, and the load after
   * an import (`invalidate`), wait for the database.
   */
  async all(): Promise<PolicyDocumentEntity[]> {
    if (this.loadedAt === 0) {
      await this.reload();
    } else if (Date.now() - this.loadedAt > CACHE_MS && !this.reloading) {
      this.reloading = this.reload()
        .catch(() => undefined)
        .finally(() => {
          this.reloading = undefined;
        });
    }
    return [...this.cache.values()];
  }

  private reloading?: Promise<void>;

  private async reload(): Promise<void> {
    const rows = await this.documents.find({ order: { key: 'ASC' } });
    this.cache = new Map(rows.map((r) => [r.key, r]));
    this.loadedAt = Date.now();
  }
}
