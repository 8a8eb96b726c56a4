import { AnswerResponse, CorrectAnswer } from './grading';
import { OpenQuestionView, ReviewQuestionView } from './assessment.view';

/** Template-ready question: inputs with their state, review marks when the policy shows them. */
export interface QuestionPageView {
  id: string;
  number: number;
  html: string;
  type: string;
  field: string;
  isChoice: boolean;
  inputType: 'radio' | 'checkbox';
  isTrueFalse: boolean;
  isText: boolean;
  isNumber: boolean;
  isMatching: boolean;
  answered: boolean;
  options: Array<{
    id: string;
    html: string;
    checked: boolean;
    right: boolean;
    wrongPick: boolean;
  }>;
  trueChecked: boolean;
  falseChecked: boolean;
  textValue: string;
  left: Array<{
    id: string;
    html: string;
    field: string;
    choices: Array<{ id: string; text: string; selected: boolean }>;
    right: boolean;
    rightText: string;
  }>;
  /** Review */
  reviewed: boolean;
  correct: boolean;
  partial: boolean;
  correctText: string;
  feedbackHtml: string[];
  generalFeedbackHtml: string;
}

const text = (html: string): string =>
  html
    .replace(/<[^>]*>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");

function describeCorrect(
  q: OpenQuestionView,
  c: CorrectAnswer | undefined,
  lang: 'zh-CN' | 'en',
): string {
  if (!c) {
    return '';
  }
  if (c.answer !== undefined) {
    return c.answer ? (lang === 'en' ? 'True' : '正确') : lang === 'en' ? 'False' : '错误';
  }
  if (c.accepted) {
    return c.accepted.join(' / ');
  }
  if (c.numeric) {
    return c.numeric
      .map((n) => (n.tolerance ? `${n.value} ± ${n.tolerance}` : String(n.value)))
      .join(' / ');
  }
  return '';
}

export function toQuestionPage(
  q: OpenQuestionView | ReviewQuestionView,
  lang: 'zh-CN' | 'en',
): QuestionPageView {
  const r: AnswerResponse | null = q.response;
  const review = 'correctAnswer' in q || 'correct' in q ? q : null;
  const rightIds = new Set(review?.correctAnswer?.optionIds ?? []);
  const picked = new Set(Array.isArray(r) ? r : typeof r === 'string' ? [r] : []);
  const pairs = typeof r === 'object' && r !== null && !Array.isArray(r) ? r : {};
  const rightPairs = review?.correctAnswer?.pairs ?? {};
  const rightById = new Map((q.right ?? []).map((x) => [x.id, text(x.html)]));
  return {
    id: q.id,
    number: q.number,
    html: q.html,
    type: q.type,
    field: `r_${q.id}`,
    isChoice: q.type === 'single' || q.type === 'multiple',
    inputType: q.type === 'multiple' ? 'checkbox' : 'radio',
    isTrueFalse: q.type === 'truefalse',
    isText: q.type === 'shortanswer',
    isNumber: q.type === 'numerical',
    isMatching: q.type === 'matching',
    answered: r !== null && r !== undefined,
    options: (q.options ?? []).map((o) => ({
      id: o.id,
      html: o.html,
      checked: picked.has(o.id),
      right: review !== null && rightIds.has(o.id),
      wrongPick: review !== null && picked.has(o.id) && !rightIds.has(o.id),
    })),
    trueChecked: r === true,
    falseChecked: r === false,
    textValue: typeof r === 'string' || typeof r === 'number' ? String(r) : '',
    left: (q.left ?? []).map((l) => ({
      id: l.id,
      html: l.html,
      field: `r_${q.id}_${l.id}`,
      choices: (q.right ?? []).map((x) => ({
        id: x.id,
        text: text(x.html),
        selected: pairs[l.id] === x.id,
      })),
      right: review !== null && pairs[l.id] === rightPairs[l.id],
      rightText: rightPairs[l.id] ? (rightById.get(rightPairs[l.id]) ?? '') : '',
    })),
    reviewed: review !== null && review.correct !== undefined,
    correct: review?.correct === true,
    partial: review !== null && !review.correct && (review.credit ?? 0) > 0,
    correctText: describeCorrect(q, review?.correctAnswer, lang),
    feedbackHtml: review?.feedbackHtml ?? [],
    generalFeedbackHtml: review?.generalFeedbackHtml ?? '',
  };
}

/**
 * Reads an answer form (`r_<questionId>` fields; matching `r_<questionId>_<leftId>`) into API-shaped responses.
 * Questions left blank are skipped, so a form post never erases an answer saved in place by script.
 */
export function responsesFromForm(
  questions: Array<Pick<OpenQuestionView, 'id' | 'type' | 'left'>>,
  body: Record<string, unknown>,
): Array<{ questionId: string; response: unknown }> {
  const out: Array<{ questionId: string; response: unknown }> = [];
  for (const q of questions) {
    const raw = body[`r_${q.id}`];
    const first: unknown = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
    switch (q.type) {
      case 'single':
        if (typeof first === 'string' && first !== '') {
          out.push({ questionId: q.id, response: first });
        }
        break;
      case 'multiple':
        if (raw !== undefined) {
          out.push({
            questionId: q.id,
            response: (Array.isArray(raw) ? raw : [raw]).filter((v) => v !== ''),
          });
        }
        break;
      case 'truefalse':
        if (first === 'true' || first === 'false') {
          out.push({ questionId: q.id, response: first === 'true' });
        }
        break;
      case 'shortanswer':
        if (typeof first === 'string' && first.trim() !== '') {
          out.push({ questionId: q.id, response: first });
        }
        break;
      case 'numerical':
        if (typeof first === 'string' && first.trim() !== '') {
          // Chinese keyboards may type full-width digits and a full-width point or comma.
          const folded = first
            .trim()
            .replace(/[０-９．，－]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
            .replace(',', '.');
          out.push({
            questionId: q.id,
            response: /^-?\d+(\.\d+)?$/.test(folded) ? Number(folded) : folded,
          });
        }
        break;
      case 'matching': {
        const pairs: Record<string, string> = {};
        for (const l of q.left ?? []) {
          const v = body[`r_${q.id}_${l.id}`];
          if (typeof v === 'string' && v !== '') {
            pairs[l.id] = v;
          }
        }
        if (Object.keys(pairs).length > 0) {
          out.push({ questionId: q.id, response: pairs });
        }
        break;
      }
    }
  }
  return out;
}
