import type { Lang } from '../common/i18n/i18n';
import type { AuditEntryView } from './audit-read.service';

export interface AuditRow {
  at: string;
  who: string;
  action: string;
  target: string;
  org: string;
  ip: string;
  details: string;
}

/** Page rows: times in the organisation's zone (Asia/Shanghai), details as compact JSON shown as escaped text. */
export function toAuditRows(items: AuditEntryView[], lang: Lang): AuditRow[] {
  const format = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'short',
    timeStyle: 'medium',
  });
  return items.map((e) => ({
    at: format.format(new Date(e.at)),
    who: e.actorName ?? '—',
    action: e.action,
    target: [e.targetType, e.targetId].filter(Boolean).join(' '),
    org: e.orgName ?? '—',
    ip: e.ip ?? '',
    details: e.details ? JSON.stringify(e.details).slice(0, 300) : '',
  }));
}
