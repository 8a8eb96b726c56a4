import { lstatSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { translate } from '../common/i18n/i18n';
import './content.i18n';

/** Stated in content/README.md ("Limits"); the real content is a few hundred KB in well under 100 files. */
export const CONTENT_LIMITS = {
  entries: 2000,
  totalBytes: 50 * 1024 * 1024,
  fileBytes: 5 * 1024 * 1024,
} as const;

export interface FolderProblem {
  file: string;
  line: number;
  message: string;
}

/** The message in both languages: the import runs from the command line, where no request language exists. */
const both = (key: string, params: Record<string, unknown> = {}): string =>
  `${translate('zh-CN', `content.${key}`, params)} / ${translate('en', `content.${key}`, params)}`;

/**
 * Checks a content folder before any importer reads a byte of it (ASVS 5.2.3): entry count and sizes come from
 * `lstat`, so a symbolic link (to /etc/passwd, or to a file outside the folder), a FIFO or a device is refused
 * rather than followed, and a huge or sparse file is refused without being read. A missing folder is no problem
 * here (the importers treat it as empty).
 */
export function scanContentFolder(
  root: string,
  limits: { entries: number; totalBytes: number; fileBytes: number } = CONTENT_LIMITS,
): FolderProblem[] {
  const problems: FolderProblem[] = [];
  let entries = 0;
  let total = 0;
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      entries += 1;
      if (entries > limits.entries) {
        return [{ file: root, line: 0, message: both('tooManyFiles', { max: limits.entries }) }];
      }
      const path = join(dir, name);
      const file = relative(root, path);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) {
        problems.push({ file, line: 0, message: both('symlink') });
      } else if (stat.isDirectory()) {
        pending.push(path);
      } else if (!stat.isFile()) {
        problems.push({ file, line: 0, message: both('notAFile') });
      } else if (stat.size > limits.fileBytes) {
        problems.push({
          file,
          line: 0,
          message: both('fileTooLarge', { maxMb: limits.fileBytes / 1024 / 1024 }),
        });
      } else {
        total += stat.size;
        if (total > limits.totalBytes) {
          return [
            {
              file: root,
              line: 0,
              message: both('tooLarge', { maxMb: limits.totalBytes / 1024 / 1024 }),
            },
          ];
        }
      }
    }
  }
  return problems;
}
