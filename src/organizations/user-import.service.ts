import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { parse } from 'csv-parse/sync';
import { randomBytes } from 'node:crypto';
import { Actor } from '../common/access/actor';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionService } from '../database/transaction.service';
import { hashPassword, passwordProblem } from '../auth/password-hasher';
import { AppException } from '../common/errors/app.exception';
import { validationException } from '../common/http/validation';
import { CreateUserDto } from './dto/user.dto';
import { OrgTreeService } from './org-tree.service';
import { OrganizationsException } from './organizations.exception';
import { UsersService } from './users.service';

export const MAX_IMPORT_ROWS = 5000;

/** Column names accepted in either language (a secretary's spreadsheet usually has Chinese headers). */
const HEADERS: Record<string, keyof CreateUserDto> = {
  username: 'username',
  用户名: 'username',
  账号: 'username',
  displayname: 'displayName',
  name: 'displayName',
  姓名: 'displayName',
  org: 'orgId',
  orgid: 'orgId',
  组织: 'orgId',
  所属组织: 'orgId',
  支部: 'orgId',
  社区: 'orgId',
  phone: 'phone',
  手机: 'phone',
  手机号: 'phone',
  posttype: 'postType',
  岗位类型: 'postType',
  postgrade: 'postGrade',
  岗位等级: 'postGrade',
  partymember: 'partyMember',
  党员: 'partyMember',
  hiredate: 'hireDate',
  入职日期: 'hireDate',
  qualificationlevel: 'qualificationLevel',
  职业资格: 'qualificationLevel',
  registrationstart: 'registrationStart',
  登记日期: 'registrationStart',
  password: 'password',
  初始密码: 'password',
  密码: 'password',
};
const POST_TYPE_WORDS: Record<string, string> = {
  正职: 'head',
  社区正职: 'head',
  副职: 'deputy',
  社区副职: 'deputy',
  其他: 'other',
  其他社区工作者: 'other',
};
const LEVEL_WORDS: Record<string, string> = {
  无: 'none',
  助理社会工作师: 'assistant',
  社会工作师: 'social_worker',
  高级社会工作师: 'senior',
};
const YES = /^(1|true|yes|y|是|党员)$/i;
const NO = /^(0|false|no|n|否|群众|)$/i;

export interface ImportRowResult {
  row: number;
  username: string | null;
  status: 'created' | 'error';
  field?: string;
  message?: string;
  messageKey?: string;
  messageParams?: Record<string, string | number>;
  temporaryPassword?: string;
}

export interface ImportSummary {
  created: number;
  failed: number;
  rows: ImportRowResult[];
}

/** Bulk creation from CSV: each row stands alone, so a bad row rejects nothing else. */
@Injectable()
export class UserImportService {
  constructor(
    private readonly users: UsersService,
    private readonly tree: OrgTreeService,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
  ) {}

  async importCsv(actor: Actor, csv: string, ip?: string): Promise<ImportSummary> {
    let records: string[][];
    try {
      records = parse(csv, {
        bom: true,
        skip_empty_lines: true,
        relax_column_count: true,
        trim: true,
      }) satisfies string[][];
    } catch (error) {
      throw new OrganizationsException(
        'CSV_INVALID',
        { reason: (error as Error).message.slice(0, 200) },
        'file',
      );
    }
    const [header, ...rows] = records;
    if (!header) {
      throw new OrganizationsException('CSV_INVALID', { reason: 'empty file' }, 'file');
    }
    if (rows.length > MAX_IMPORT_ROWS) {
      throw new OrganizationsException('CSV_TOO_MANY_ROWS', { max: MAX_IMPORT_ROWS });
    }
    const columns = header.map(
      (h) => HEADERS[h.replace(/[\s_-]/g, '').toLowerCase()] ?? HEADERS[h.trim()] ?? null,
    );
    const missing = (['username', 'displayName', 'orgId'] as const).filter(
      (c) => !columns.includes(c),
    );
    if (missing.length > 0) {
      throw new OrganizationsException(
        'CSV_INVALID',
        { reason: `missing column(s): ${missing.join(', ')}` },
        'file',
      );
    }
    const orgsByName = new Map((await this.tree.all()).map((n) => [n.name, n.id]));
    const results: ImportRowResult[] = [];
    for (const [index, cells] of rows.entries()) {
      results.push(await this.importRow(actor, index + 2, columns, cells, orgsByName));
    }
    const created = results.filter((r) => r.status === 'created').length;
    await this.audit.record({
      action: 'user.import',
      actor,
      targetType: 'user',
      ip,
      orgId: actor.orgId,
      details: { created, failed: results.length - created },
    });
    return { created, failed: results.length - created, rows: results };
  }

  private async importRow(
    actor: Actor,
    row: number,
    columns: Array<keyof CreateUserDto | null>,
    cells: string[],
    orgsByName: Map<string, string>,
  ): Promise<ImportRowResult> {
    const raw: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      const value = cells[i]?.trim() ?? '';
      if (column && value !== '') {
        raw[column] = value;
      }
    });
    const username = typeof raw.username === 'string' ? raw.username : null;
    try {
      const generated = raw.password ? undefined : `${randomBytes(9).toString('base64url')}`;
      const dto = plainToInstance(CreateUserDto, this.coerce(raw, orgsByName, generated));
      const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length > 0) {
        throw validationException(errors);
      }
      const org = await this.tree.requireAt(actor, ['admin', 'secretary'], dto.orgId);
      await this.users.checkPostGrade(dto.postType ?? null, dto.postGrade ?? null);
      const problem = passwordProblem(dto.password, dto.username);
      if (problem) {
        throw new OrganizationsException(
          'PASSWORD_REJECTED',
          { reasonKey: `orgs.password.${problem}` },
          'password',
        );
      }
      const hash = await hashPassword(dto.password);
      // Whether typed in the file or generated here, someone else knows it: changed at first sign-in.
      await this.tx.run((m) =>
        this.users.insertUser(m, dto, org, hash, [], { mustChangePassword: true }),
      );
      return {
        row,
        username,
        status: 'created',
        ...(generated ? { temporaryPassword: generated } : {}),
      };
    } catch (error) {
      if (isUniqueViolation(error)) {
        return {
          row,
          username,
          status: 'error',
          field: 'username',
          messageKey: 'errors.USERNAME_TAKEN',
          messageParams: { username: username ?? '' },
        };
      }
      if (error instanceof AppException) {
        const e = error;
        return {
          row,
          username,
          status: 'error',
          field: e.field,
          messageKey: `errors.${e.code}`,
          messageParams: e.params,
        };
      }
      throw error;
    }
  }

  private coerce(
    raw: Record<string, unknown>,
    orgsByName: Map<string, string>,
    generated?: string,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = { ...raw };
    if (typeof out.orgId === 'string' && orgsByName.has(out.orgId)) {
      out.orgId = orgsByName.get(out.orgId);
    }
    if (typeof out.postType === 'string') {
      out.postType = POST_TYPE_WORDS[out.postType] ?? out.postType;
    }
    if (typeof out.qualificationLevel === 'string') {
      out.qualificationLevel = LEVEL_WORDS[out.qualificationLevel] ?? out.qualificationLevel;
    }
    if (typeof out.postGrade === 'string') {
      out.postGrade = /^\d{1,2}$/.test(out.postGrade) ? Number(out.postGrade) : out.postGrade;
    }
    if (typeof out.partyMember === 'string') {
      out.partyMember = YES.test(out.partyMember)
        ? true
        : NO.test(out.partyMember)
          ? false
          : out.partyMember;
    }
    if (generated) {
      out.password = generated;
    }
    return out;
  }
}
