// Shapes shared by the bank front-matter and question readers (content/README.md, "Question bank").

export const BANK_SLUG = /^[a-z0-9-]+$/;
export const BANK_LESSON = /^\d{2}-[a-z0-9-]+$/;
/** Lower-case words, digits, `_` and `-` (competencies such as acting_by_law, free tags such as lesson-1). */
export const BANK_TAG = /^[\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{N}_-]*$/u;
export const BANK_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Records one problem at a 1-based file line. */
export type BankReport = (line: number, code: string, message: string, messageZh: string) => void;
