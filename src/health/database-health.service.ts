import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import { DatabaseSetting, fileIdentity, readDatabaseSettings } from '../database/database-checks';

export type FileState = 'unchanged' | 'missing' | 'replaced';

export interface DatabaseHealth {
  status: 'ok' | 'degraded';
  database: {
    type: 'sqlite' | 'postgres';
    reachable: boolean;
    /** Every durability setting as required (SECURITY-TESTS 94). */
    settingsOk: boolean;
    settings: DatabaseSetting[];
    /** SQLite: is the path still the file opened at start-up (same device and inode)? */
    file?: FileState;
  };
}

/**
 * Start-up and running checks of the database: logs the durability settings once at start-up (and warns about any
 * that differ), and tells the health routes whether the database answers and, on SQLite, whether the file at the
 * configured path is still the one the application has open (a file moved or replaced under a running server
 * would otherwise take every later write with it unnoticed).
 */
@Injectable()
export class DatabaseHealthService implements OnModuleInit {
  private readonly logger = new Logger('Database');
  private opened: { dev: number; ino: number } | null = null;
  private lastFileState: FileState = 'unchanged';

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfigService,
  ) {}

  private get sqlitePath(): string | null {
    const db = this.config.database;
    return db.type === 'sqlite' && db.path !== ':memory:' ? db.path : null;
  }

  async onModuleInit(): Promise<void> {
    const path = this.sqlitePath;
    if (path) {
      this.opened = fileIdentity(path);
    }
    const settings = await readDatabaseSettings(this.dataSource);
    const line = settings.map((s) => `${s.name}=${s.value}`).join(' ');
    this.logger.log(`${this.config.database.type} settings: ${line}`);
    const wrong = settings.filter((s) => !s.ok);
    if (wrong.length > 0) {
      this.logger.warn(
        `database settings that put acknowledged writes at risk: ${wrong
          .map((s) => `${s.name}=${s.value} (expected ${s.expected})`)
          .join(', ')}`,
      );
    }
  }

  /** Whether the file at the configured path is still the one opened at start-up; logs each change of state. */
  fileState(): FileState | undefined {
    const path = this.sqlitePath;
    if (!path || !this.opened) {
      return undefined;
    }
    const now = fileIdentity(path);
    const state: FileState = !now
      ? 'missing'
      : now.dev === this.opened.dev && now.ino === this.opened.ino
        ? 'unchanged'
        : 'replaced';
    if (state !== this.lastFileState) {
      const was = `${this.opened.dev}:${this.opened.ino}`;
      if (state === 'unchanged') {
        this.logger.log(`database file ${path} is back (device:inode ${was})`);
      } else {
        this.logger.error(
          `database file ${path} was ${state === 'missing' ? 'moved away or deleted' : 'replaced by another file'} ` +
            `while the server runs (device:inode ${was} at start-up, now ${now ? `${now.dev}:${now.ino}` : 'nothing'}); ` +
            'writes go to the file opened at start-up, not to what is at that path now. Put the file back or restart.',
        );
      }
      this.lastFileState = state;
    }
    return state;
  }

  private async reachable(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /** The anonymous health check: the database answers and its file is where it was. */
  async alive(): Promise<boolean> {
    const file = this.fileState();
    return (await this.reachable()) && (file === undefined || file === 'unchanged');
  }

  /** The admin health detail. */
  async detail(): Promise<DatabaseHealth> {
    const file = this.fileState();
    let settings: DatabaseSetting[] = [];
    let reachable = true;
    try {
      settings = await readDatabaseSettings(this.dataSource);
    } catch {
      reachable = false;
    }
    const settingsOk = reachable && settings.every((s) => s.ok);
    const ok = reachable && settingsOk && (file === undefined || file === 'unchanged');
    return {
      status: ok ? 'ok' : 'degraded',
      database: {
        type: this.config.database.type,
        reachable,
        settingsOk,
        settings,
        ...(file ? { file } : {}),
      },
    };
  }
}
