import { Injectable } from '@nestjs/common';
import { Actor, holdsRole } from '../common/access/actor';
import { OrgTreeService } from '../organizations/org-tree.service';
import { HomeSection } from '../home/home.service';
import { HEAT_STYLE } from './charts/heat-map';
import { LearningReportsService } from './learning-reports.service';
import { RegularityService } from './regularity.service';
import { REPORT_VIEWERS, ReportScopeService } from './report-scope.service';

const BEHIND_SHOWN = 8;

/**
 * Home block for secretaries and admins. A branch secretary sees the branch's year at a glance and who is behind
 * on study hours (this month's study day and make-ups are the study-day module's block); an officer above
 * branches sees the roll-up of the nodes just below them.
 */
@Injectable()
export class ReportsHome {
  constructor(
    private readonly scope: ReportScopeService,
    private readonly tree: OrgTreeService,
    private readonly regularity: RegularityService,
    private readonly learning: LearningReportsService,
  ) {}

  async section(actor: Actor): Promise<HomeSection | null> {
    const orgId = holdsRole(actor, REPORT_VIEWERS) ? this.scope.defaultOrgId(actor) : null;
    const root = orgId ? await this.tree.find(orgId) : null;
    if (!root || root.kind === 'group') {
      return null;
    }
    const report = await this.regularity.forNode(root, undefined);
    const total = report.rollup.find((n) => n.id === root.id)?.summary ?? null;
    const link = `/reports?org=${encodeURIComponent(root.id)}`;
    if (root.kind === 'branch') {
      const branch = report.branches[0];
      const hours = await this.learning.hoursFor(root, undefined);
      const behind = hours.people
        .filter((p) => p.behind)
        .sort((a, b) => b.gap - a.gap)
        .slice(0, BEHIND_SHOWN)
        .map((p) => {
          const worst = [...p.requirements].sort((a, b) => b.gap - a.gap)[0];
          return {
            name: p.displayName,
            done: worst?.done ?? p.total,
            required: worst?.required ?? 0,
          };
        });
      return {
        partial: 'reports_home',
        data: {
          kind: 'branch',
          org: root.name,
          year: report.year,
          held: branch?.summary.held ?? 0,
          due: branch?.summary.monthsDue ?? 0,
          months: (branch?.months ?? [])
            .filter((m) => m.due)
            .slice(-6)
            .map((m) => ({
              month: m.month,
              status: m.status,
              symbol: HEAT_STYLE[m.status].symbol,
            })),
          behind,
          link,
          hoursLink: `/reports/hours?org=${encodeURIComponent(root.id)}`,
        },
      };
    }
    const children = report.rollup.filter((n) => n.depth === 1 && n.branches > 0);
    const rows = (
      children.length > 0 ? children : report.rollup.filter((n) => n.id === root.id)
    ).map((n) => ({
      name: n.name,
      held: n.summary.held,
      due: n.summary.due,
      status: n.summary.status,
      symbol: HEAT_STYLE[n.summary.status].symbol,
    }));
    return {
      partial: 'reports_home',
      data: {
        kind: 'rollup',
        org: root.name,
        year: report.year,
        held: total?.held ?? 0,
        due: total?.due ?? 0,
        rows,
        link,
        hoursLink: `/reports/hours?org=${encodeURIComponent(root.id)}`,
      },
    };
  }
}
