import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Role } from '../common/access/actor';
import { TransactionService } from '../database/transaction.service';
import { hashPassword } from '../auth/password-hasher';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { OrgTreeService } from '../organizations/org-tree.service';
import { PostType, QualificationLevel, UserEntity } from '../organizations/user.entity';
import { UsersService } from '../organizations/users.service';
import { DEMO_CITY, DEMO_PASSWORD, demoName } from './demo-city';

/** What the base seed made, handed to later steps (courses, study days, certificates) registered by other modules. */
export interface DemoContext {
  manager: EntityManager;
  city: OrgNodeEntity;
  branches: OrgNodeEntity[];
  communities: OrgNodeEntity[];
  people: UserEntity[];
  accounts: Record<'admin' | 'trainer' | 'secretary' | 'cadre', UserEntity>;
}

export interface DemoStep {
  name: string;
  order: number;
  run(ctx: DemoContext): Promise<void>;
}

@Injectable()
export class DemoService {
  private readonly logger = new Logger('Demo');
  private readonly steps: DemoStep[] = [];

  constructor(
    private readonly tx: TransactionService,
    private readonly tree: OrgTreeService,
    private readonly users: UsersService,
  ) {}

  register(step: DemoStep): void {
    this.steps.push(step);
    this.steps.sort((a, b) => a.order - b.order);
  }

  async isEmpty(): Promise<boolean> {
    return (await this.tree.all()).length === 0;
  }

  /** Builds the demo city in one transaction: the tree, about 80 people, the four demo accounts, then each module's step. */
  async seed(): Promise<void> {
    // One hash for every demo person: hashing 80 passwords would add seconds to the first start.
    const hash = await hashPassword(DEMO_PASSWORD);
    try {
      await this.seedIn(hash);
    } finally {
      // Committed or rolled back, the tree is read afresh from the database from now on.
      this.tree.invalidate();
    }
  }

  private async seedIn(hash: string): Promise<void> {
    await this.tx.run(async (m) => {
      const city = await this.tree.create(
        null,
        { kind: 'city', name: DEMO_CITY.name, nameEn: DEMO_CITY.nameEn, code: DEMO_CITY.code },
        m,
      );
      const communities: OrgNodeEntity[] = [];
      const branches: OrgNodeEntity[] = [];
      for (const d of DEMO_CITY.districts) {
        const district = await this.tree.create(
          null,
          { kind: 'district', name: d.name, nameEn: d.nameEn, parentId: city.id, code: d.code },
          m,
        );
        for (const s of d.streets) {
          const street = await this.tree.create(
            null,
            { kind: 'street', name: s.name, nameEn: s.nameEn, parentId: district.id },
            m,
          );
          for (const c of s.communities) {
            const community = await this.tree.create(
              null,
              { kind: 'community', name: c.name, nameEn: c.nameEn, parentId: street.id },
              m,
            );
            communities.push(community);
            for (const b of c.branches) {
              branches.push(
                await this.tree.create(
                  null,
                  { kind: 'branch', name: b, parentId: community.id },
                  m,
                ),
              );
            }
          }
        }
      }
      const add = (
        username: string,
        displayName: string,
        org: OrgNodeEntity,
        roles: Role[],
        extra: Partial<{
          postType: PostType;
          postGrade: number;
          qualificationLevel: QualificationLevel;
          registrationStart: string;
          hireDate: string;
          partyMember: boolean;
          branchCommittee: boolean;
        }> = {},
      ) =>
        this.users.insertUser(
          m,
          { username, displayName, orgId: org.id, ...extra },
          org,
          hash,
          roles,
        );
      const home = branches[0];
      const accounts = {
        admin: await add('admin', '赵管理', city, ['admin']),
        trainer: await add('trainer', '钱培训', city, ['trainer']),
        secretary: await add('secretary', '孙书记', home, ['secretary'], {
          postType: 'head',
          postGrade: 10,
          qualificationLevel: 'social_worker',
          registrationStart: '2025-03-01',
          hireDate: '2016-09-01',
          branchCommittee: true,
        }),
        cadre: await add('cadre', '李小红', home, [], {
          postType: 'other',
          postGrade: 3,
          qualificationLevel: 'none',
          hireDate: '2026-06-01',
        }),
      };
      const people: UserEntity[] = [...Object.values(accounts)];
      const postTypes: PostType[] = ['head', 'deputy', 'other', 'other', 'other'];
      const bands: Record<PostType, [number, number]> = {
        head: [7, 18],
        deputy: [4, 15],
        other: [1, 12],
      };
      const levels: QualificationLevel[] = [
        'none',
        'none',
        'assistant',
        'social_worker',
        'none',
        'assistant',
        'senior',
      ];
      let i = 0;
      // Six people per branch (about 72), so each branch has enough members for real attendance figures.
      for (const branch of branches) {
        for (let k = 0; k < 6; k++, i++) {
          const postType = postTypes[(i + k) % postTypes.length];
          const [lo, hi] = bands[postType];
          const level = levels[i % levels.length];
          people.push(
            await add(`user${String(i + 1).padStart(3, '0')}`, demoName(i), branch, [], {
              postType,
              postGrade: lo + (i % (hi - lo + 1)),
              qualificationLevel: level,
              registrationStart:
                level === 'none' ? undefined : `${2023 + (i % 3)}-0${1 + (i % 9)}-01`,
              hireDate: `${2012 + (i % 14)}-0${1 + (i % 9)}-15`,
              branchCommittee: k === 0,
            }),
          );
        }
      }
      for (const step of this.steps) {
        const started = Date.now();
        await step.run({ manager: m, city, branches, communities, people, accounts });
        this.logger.log(`demo: ${step.name} (${Date.now() - started} ms)`);
      }
    });
  }
}
