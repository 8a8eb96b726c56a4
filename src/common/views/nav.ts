import type { Actor, Role } from '../access/actor';

interface NavEntry {
  href: string;
  key: string;
  roles: readonly Role[];
}

/** Navigation shown to each role; a person sees the union of what their roles allow. */
const NAV: NavEntry[] = [
  { href: '/', key: 'nav.home', roles: ['learner', 'trainer', 'secretary', 'admin'] },
  { href: '/courses', key: 'nav.courses', roles: ['learner', 'trainer', 'secretary', 'admin'] },
  { href: '/study-days', key: 'nav.studyDays', roles: ['learner', 'secretary', 'admin'] },
  { href: '/check-in', key: 'nav.checkIn', roles: ['learner'] },
  { href: '/me/transcript', key: 'nav.transcript', roles: ['learner'] },
  { href: '/me/notebook', key: 'nav.notebook', roles: ['learner'] },
  { href: '/me/certificates', key: 'nav.certificates', roles: ['learner'] },
  { href: '/author', key: 'nav.author', roles: ['trainer', 'admin'] },
  { href: '/author/banks', key: 'nav.banks', roles: ['trainer', 'admin'] },
  { href: '/reports', key: 'nav.reports', roles: ['secretary', 'admin'] },
  { href: '/admin', key: 'nav.admin', roles: ['admin', 'secretary'] },
  { href: '/admin/audit', key: 'nav.audit', roles: ['admin'] },
];

export interface NavItem {
  href: string;
  key: string;
  current: boolean;
}

function longestMatch(path: string, roles: Set<Role>): string | undefined {
  return NAV.filter(
    (n) =>
      n.roles.some((r) => roles.has(r)) &&
      (n.href === '/' ? path === '/' : path.startsWith(n.href)),
  )
    .map((n) => n.href)
    .sort((a, b) => b.length - a.length)[0];
}

export function navFor(actor: Actor | undefined, path: string): NavItem[] {
  if (!actor) {
    return [];
  }
  const roles = new Set(actor.grants.map((g) => g.role));
  return NAV.filter((n) => n.roles.some((r) => roles.has(r))).map((n) => ({
    href: n.href,
    key: n.key,
    // The longest matching entry is the current one (/author/banks, not /author).
    current: n.href === longestMatch(path, roles),
  }));
}
