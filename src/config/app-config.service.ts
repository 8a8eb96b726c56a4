import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { EnvironmentVariables, loadEnvironment } from './app-config';

export type DatabaseSettings =
  | { type: 'postgres'; url: string }
  | { type: 'sqlite'; path: string; driver: 'sqlite3' | 'better-sqlite3' };

/** The one typed view of the settings; nothing else reads process.env. */
export class AppConfigService {
  private readonly env: EnvironmentVariables;
  private cachedSecret?: string;

  constructor(
    env: Record<string, string | undefined> = process.env,
    overrides: Partial<EnvironmentVariables> = {},
  ) {
    this.env = Object.assign(loadEnvironment(env), overrides);
  }

  get nodeEnv(): EnvironmentVariables['NODE_ENV'] {
    return this.env.NODE_ENV;
  }
  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }
  get port(): number {
    return this.env.PORT;
  }
  get host(): string {
    return this.env.HOST;
  }
  get logLevel(): EnvironmentVariables['LOG_LEVEL'] {
    return this.env.LOG_LEVEL;
  }
  get trustProxy(): boolean {
    return this.env.TRUST_PROXY;
  }
  /** Demo data is on by default outside production and never loaded in production. */
  get demo(): boolean {
    return !this.isProduction && (this.env.DEMO ?? true);
  }
  get contentDir(): string {
    return this.absolute(this.env.CONTENT_DIR);
  }
  get dataDir(): string {
    return this.absolute(this.env.DATA_DIR);
  }
  get publicUrl(): string {
    return this.env.PUBLIC_URL ?? `http://${this.host}:${this.port}`;
  }

  get database(): DatabaseSettings {
    if (this.env.DATABASE_URL) {
      return { type: 'postgres', url: this.env.DATABASE_URL };
    }
    return {
      type: 'sqlite',
      path: this.absolute(this.env.SQLITE_PATH),
      driver: this.env.SQLITE_DRIVER,
    };
  }

  /**
   * In production the secret must be given; in development one is generated once and kept
   * under data/ so sessions survive restarts.
   */
  get sessionSecret(): string {
    if (this.env.SESSION_SECRET) {
      return this.env.SESSION_SECRET;
    }
    if (!this.cachedSecret) {
      const file = join(this.dataDir, 'session-secret');
      if (existsSync(file)) {
        this.cachedSecret = readFileSync(file, 'utf8').trim();
      } else {
        mkdirSync(dirname(file), { recursive: true });
        this.cachedSecret = randomBytes(48).toString('base64url');
        writeFileSync(file, this.cachedSecret, { mode: 0o600 });
      }
    }
    return this.cachedSecret;
  }

  private absolute(path: string): string {
    return isAbsolute(path) ? path : resolve(process.cwd(), path);
  }
}
